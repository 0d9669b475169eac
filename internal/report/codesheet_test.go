package report

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testCodes makes n distinct access codes from a fixed seed.
func testCodes(n int) []string {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	seen := make(map[string]bool, n)
	codes := make([]string, 0, n)
	for len(codes) < n {
		b := make([]byte, survey.AccessCodeLength)
		for i := range b {
			b[i] = survey.AccessCodeAlphabet[rng.IntN(len(survey.AccessCodeAlphabet))]
		}
		if c := string(b); !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes
}

func testSheet(t testing.TB, n int) CodeSheet {
	return CodeSheet{
		Organisation: "Ministerie van Infrastructuur en Waterstaat",
		Link:         testLink,
		QR:           testQR(t, testLink),
		Codes:        testCodes(n),
		English:      true,
		GeneratedOn:  fixtureDate,
	}
}

func TestCodeSheetContent(t *testing.T) {
	s := testSheet(t, 23)
	pdf, err := CodeSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := pageCount(t, pdf); n != 3 {
		t.Errorf("23 codes take %d pages, want 3", n)
	}
	text := pdfText(t, pdf, 0, 0)
	for _, code := range s.Codes {
		if strings.Count(text, survey.FormatAccessCode(code)) != 1 {
			t.Errorf("code %s is not printed exactly once", survey.FormatAccessCode(code))
		}
	}
	if got := strings.Count(compact(text), compact(testLink)); got != 23 {
		t.Errorf("the link is printed on %d cards, want 23:\n%s", got, text)
	}
	flat := squash(text)
	for _, want := range []string{s.Organisation, "Ga naar", "of scan de QR-code en vul deze code in:", "Go to the link or scan the QR code", "Blad 3 van 3"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the sheet lacks %q", want)
		}
	}
	// One image object, however many cards draw it.
	if n := bytes.Count(pdf, []byte("/Subtype /Image")); n != 1 {
		t.Errorf("%d image objects, want 1", n)
	}

	s.QR, s.English = nil, false
	pdf, err = CodeSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	flat = squash(pdfText(t, pdf, 0, 0))
	if strings.Contains(flat, "scan") || strings.Contains(flat, "Go to") || bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("a sheet without a QR code still mentions or draws one, or is in English")
	}
	if !strings.Contains(flat, "en vul deze code in:") {
		t.Error("a sheet without a QR code lacks the instruction")
	}
}

func TestCodeSheetIsDeterministic(t *testing.T) {
	a, err := CodeSheetPDF(testSheet(t, 30))
	if err != nil {
		t.Fatal(err)
	}
	b, err := CodeSheetPDF(testSheet(t, 30))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same code sheet differ")
	}
}

func TestCodeSheetHostileInput(t *testing.T) {
	s := testSheet(t, 12)
	s.Organisation = hostileName()
	s.Link = "https://enquetes.intern.voorbeeld-ministerie-van-binnenlandse-zaken.nl/afdeling/uitvoering/vragenlijsten/d/Ab0Ol1I-_x9Zq8Yw7Vu6Ts5Rp4On3Ml2Kj1Ih0Gf9Ed"
	pdf, err := CodeSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := pageCount(t, pdf); n != 2 {
		t.Errorf("12 codes take %d pages, want 2", n)
	}
	text := pdfText(t, pdf, 0, 0)
	if strings.ContainsAny(text, "\u202e\u200f\x00\x1b") {
		t.Error("control or direction characters reached the PDF")
	}
	for _, code := range s.Codes {
		if !strings.Contains(text, survey.FormatAccessCode(code)) {
			t.Errorf("code %s missing", code)
		}
	}
}

func TestCodeSheetRejectsUnusableInput(t *testing.T) {
	for name, change := range map[string]func(*CodeSheet){
		"no codes": func(s *CodeSheet) { s.Codes = nil },
		"no link":  func(s *CodeSheet) { s.Link = "" },
		"no date":  func(s *CodeSheet) { s.GeneratedOn = time.Time{} },
		"bad QR":   func(s *CodeSheet) { s.QR = []byte{0x89, 'P', 'N', 'G'} },
	} {
		s := testSheet(t, 3)
		change(&s)
		if _, err := CodeSheetPDF(s); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func benchmarkCodeSheet(b *testing.B, n int) {
	s := testSheet(b, n)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := CodeSheetPDF(s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

func BenchmarkCodeSheet1k(b *testing.B)  { benchmarkCodeSheet(b, 1_000) }
func BenchmarkCodeSheet20k(b *testing.B) { benchmarkCodeSheet(b, 20_000) }

func BenchmarkPoster(b *testing.B) {
	p := testPoster(b)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := PosterPDF(p)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

// TestLargeCodeSheet checks the largest batch a consultant can ask for at
// once: 20,000 cards on 2,000 pages, under 6 MB, each page holding its
// ten codes in order. Extracting all 2,000 pages takes pdftotext seconds,
// so the first, a middle and the last page stand for the rest;
// TestCodeSheetContent checks every code of a smaller sheet.
func TestLargeCodeSheet(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 2,000 pages")
	}
	s := testSheet(t, 20_000)
	pdf, err := CodeSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf) >= 6<<20 {
		t.Errorf("20,000 cards take %d bytes, over 6 MB", len(pdf))
	}
	qpdfCheck(t, pdf)
	for _, page := range []int{1, 1234, 2000} {
		text := pdfText(t, pdf, page, page)
		for _, code := range s.Codes[(page-1)*cardsPerPage : page*cardsPerPage] {
			if !strings.Contains(text, survey.FormatAccessCode(code)) {
				t.Errorf("page %d lacks code %s", page, code)
			}
		}
		if !strings.Contains(text, sprintf(sheetPage, page, 2000)) {
			t.Errorf("page %d is not numbered %q", page, sprintf(sheetPage, page, 2000))
		}
	}
}
