package report

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// testLink has the shape of a real respondent link: the base URL and a
// 43-character token that uses every character a token can have.
const testLink = "https://uitvoeringskracht.example.nl/d/Ab0Ol1I-_x9Zq8Yw7Vu6Ts5Rp4On3Ml2Kj1Ih0Gf9Ed"

// testQR renders a QR code as the web package does (whole pixels per
// module, a white quiet zone), without importing it.
func testQR(t testing.TB, text string) []byte {
	t.Helper()
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Bounds().Dx()
	scaled, err := barcode.Scale(code, n*8, n*8)
	if err != nil {
		t.Fatal(err)
	}
	// 8-bit grey with a quiet zone of four modules, as the web package
	// writes it: gofpdf reads no 16-bit PNG.
	img := image.NewGray(image.Rect(0, 0, (n+8)*8, (n+8)*8))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(32, 32, 32+n*8, 32+n*8), scaled, scaled.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testPoster(t testing.TB) Poster {
	return Poster{
		Organisation: "Gemeente ’s-Hertogenbosch",
		Link:         testLink,
		QR:           testQR(t, testLink),
		ClosesOn:     time.Date(2025, time.June, 12, 0, 0, 0, 0, time.UTC),
		English:      true,
		GeneratedOn:  fixtureDate,
	}
}

// compact drops all white space, so that a link broken over lines can be
// found in the extracted text.
func compact(s string) string { return strings.Join(strings.Fields(s), "") }

func TestPosterContent(t *testing.T) {
	p := testPoster(t)
	pdf, err := PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("the poster has %d pages", n)
	}
	text := pdfText(t, pdf, 0, 0)
	flat := squash(text)
	for _, want := range []string{p.Organisation, posterHeading, "anoniem", "10 minuten", "telefoon",
		"Invullen kan tot en met 12 juni 2025.", "In English", "Open until 12 June 2025."} {
		if !strings.Contains(flat, want) {
			t.Errorf("the poster lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(compact(text), testLink) {
		t.Errorf("the poster lacks the link %s:\n%s", testLink, text)
	}
	for _, want := range []string{"/Lang (nl)", "/URI (" + testLink + ")", "/CreationDate (D:20250414090000"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}

	if strings.Contains(flat, "toegangscode") {
		t.Error("a poster for an open link mentions an access code")
	}

	p.NeedsCode = true
	pdf, err = PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	flat = squash(pdfText(t, pdf, 0, 0))
	for _, want := range []string{"persoonlijke toegangscode", "personal access code"} {
		if !strings.Contains(flat, want) {
			t.Errorf("a poster for a diagnostic with codes lacks %q", want)
		}
	}
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("the poster with the code sentence has %d pages", n)
	}

	p.English, p.ClosesOn, p.NeedsCode = false, time.Time{}, false
	pdf, err = PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	flat = squash(pdfText(t, pdf, 0, 0))
	for _, unwanted := range []string{"In English", "Invullen kan tot en met"} {
		if strings.Contains(flat, unwanted) {
			t.Errorf("a Dutch-only poster without a closing date shows %q", unwanted)
		}
	}
}

// The QR code keeps its full size on every poster a real diagnostic
// makes: the image is 112 mm with its quiet zone, the code itself at
// least 90 mm. Only an absurdly long link may take some of it.
func TestPosterQRSize(t *testing.T) {
	for _, p := range []Poster{testPoster(t), func() Poster {
		p := testPoster(t)
		p.NeedsCode = true
		p.Organisation = hostileName()
		return p
	}()} {
		r := newPrintRenderer("t", "t", fixtureDate)
		if err := r.registerQR(p.QR); err != nil {
			t.Fatal(err)
		}
		if got := r.poster(p, name(p.Organisation, maxTitleRunes)); got != posterQR {
			t.Errorf("QR image %.1f mm, want %.0f", got, posterQR)
		}
	}
}

func TestPosterIsDeterministic(t *testing.T) {
	a, err := PosterPDF(testPoster(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := PosterPDF(testPoster(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same poster differ")
	}
}

// hostileName is 10,000 characters of a Dutch name with right-to-left
// marks, an override, control characters, a rune outside the font's plane
// and HTML.
func hostileName() string {
	long := strings.Repeat("Gemeente Ëë één–€ ’s-Hertogenbosch ", 286) // 10,010 characters
	return "\u202e<b>" + long[:10000-40] + "\u05e9\u05dc\u05d5\u05dd\u200f\x00\x1b😀<script>alert(1)</script>"
}

func TestPosterHostileInput(t *testing.T) {
	p := testPoster(t)
	p.Organisation = hostileName()
	// A base URL with a long path: the link needs more than two lines.
	p.Link = "https://enquetes.intern.voorbeeld-ministerie-van-binnenlandse-zaken.nl/afdeling/uitvoering/vragenlijsten/d/Ab0Ol1I-_x9Zq8Yw7Vu6Ts5Rp4On3Ml2Kj1Ih0Gf9Ed"
	p.QR = testQR(t, p.Link)
	pdf, err := PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("the poster has %d pages", n)
	}
	text := pdfText(t, pdf, 0, 0)
	if !strings.Contains(text, "…") || !strings.Contains(text, "Gemeente Ëë één–€ ’s-Hertogenbosch") {
		t.Errorf("the name should be printed, cut with an ellipsis:\n%s", text)
	}
	if strings.ContainsAny(text, "\u202e\u200f\x00\x1b") {
		t.Error("control or direction characters reached the PDF")
	}
	if !strings.Contains(compact(text), p.Link) {
		t.Errorf("the long link is not printed in full:\n%s", text)
	}

	// A single word longer than a line must wrap, not run off the page.
	p.Organisation = strings.Repeat("Zeerlangenaamzonderspaties", 400)
	if _, err := PosterPDF(p); err != nil {
		t.Fatal(err)
	}
}

func TestPosterRejectsUnusableInput(t *testing.T) {
	for name, change := range map[string]func(*Poster){
		"no link": func(p *Poster) { p.Link = " " },
		"no QR":   func(p *Poster) { p.QR = nil },
		"no date": func(p *Poster) { p.GeneratedOn = time.Time{} },
		"bad QR":  func(p *Poster) { p.QR = []byte("not a png") },
	} {
		p := testPoster(t)
		change(&p)
		if _, err := PosterPDF(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestBreakLink(t *testing.T) {
	r := newPrintRenderer("t", "t", fixtureDate)
	for _, tc := range []struct {
		link string
		size float64
		want []string
	}{
		// 40 mm at 12 pt holds 15 characters of the monospaced face.
		{"https://a.nl/dt", 12, []string{"https://a.nl/dt"}},
		{"https://abcdef.nl/d/0123456789", 12, []string{"https://", "abcdef.nl/d/", "0123456789"}},
		{"https://a.nl/d/0123456789abcdefghijkl", 12, []string{"https://a.nl/d/", "0123456789abcde", "fghijkl"}},
		{"https://a.nl/xy?p=1&q=2", 12, []string{"https://a.nl/xy", "?p=1&q=2"}},
		{"https://ab.nl/xy?p=1&q=2", 12, []string{"https://ab.nl/", "xy?p=1&q=2"}},
	} {
		got := r.breakLink(tc.link, tc.size, 40)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("breakLink(%q) = %q, want %q", tc.link, got, tc.want)
		}
		if strings.Join(got, "") != tc.link {
			t.Errorf("breakLink(%q) changed the link: %q", tc.link, got)
		}
	}
}

// TestRenderPrintPreviews writes PNG previews of the poster and of a code
// sheet page for a visual check: UK_PREVIEW_DIR=/tmp/x go test -run Previews.
func TestRenderPrintPreviews(t *testing.T) {
	dir := os.Getenv("UK_PREVIEW_DIR")
	if dir == "" {
		t.Skip("set UK_PREVIEW_DIR to render previews")
	}
	tool := needTool(t, "pdftoppm")
	poster, err := PosterPDF(testPoster(t))
	if err != nil {
		t.Fatal(err)
	}
	long := testPoster(t)
	long.Organisation = hostileName()
	longPDF, err := PosterPDF(long)
	if err != nil {
		t.Fatal(err)
	}
	// The fullest poster: every optional sentence and a four-line link.
	full := long
	full.NeedsCode = true
	full.Link = "https://enquetes.intern.voorbeeld-ministerie-van-binnenlandse-zaken.nl/afdeling/uitvoering/vragenlijsten/d/Ab0Ol1I-_x9Zq8Yw7Vu6Ts5Rp4On3Ml2Kj1Ih0Gf9Ed"
	full.QR = testQR(t, full.Link)
	fullPDF, err := PosterPDF(full)
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := CodeSheetPDF(testSheet(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	for name, pdf := range map[string][]byte{"poster": poster, "poster-long": longPDF, "poster-full": fullPDF, "codes": sheet} {
		path := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(tool, "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
