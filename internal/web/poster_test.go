package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// printedText extracts the text of a PDF with pdftotext. Locally a missing
// tool skips the test; in CI (env CI set) it fails it, so that a broken CI
// image cannot turn the PDF checks into silent passes.
func printedText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pdftotext is required in CI (Debian: apt-get install poppler-utils): %v", err)
		}
		t.Skipf("pdftotext not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// withoutSpace joins a link that the PDF breaks over lines.
func withoutSpace(s string) string { return strings.Join(strings.Fields(s), "") }

func TestPosterDownload(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, diagID := createOrgAndDiagnostic(t, b, "link")
		d, err := st.DiagnosticForFirm(context.Background(), consultantFirm(t, st, "Adviesbureau A"), diagID)
		if err != nil {
			t.Fatal(err)
		}

		if page := b.get("/diagnoses/" + diagID); !strings.Contains(page.body, `href="/diagnoses/`+diagID+`/poster.pdf"`) {
			t.Error("the diagnostic page does not link to the poster")
		}
		p := b.get("/diagnoses/" + diagID + "/poster.pdf")
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") {
			t.Fatalf("poster: %d %s %q", p.status, p.header.Get("Content-Type"), snippet(p.body))
		}
		text := printedText(t, []byte(p.body))
		flat := strings.Join(strings.Fields(text), " ")
		if !strings.Contains(flat, "Waterschap Rijn & IJssel <b>") {
			t.Errorf("the poster lacks the organisation name:\n%s", text)
		}
		if link := "http://uk.test/d/" + d.Token; !strings.Contains(withoutSpace(text), link) {
			t.Errorf("the poster lacks the link %s:\n%s", link, text)
		}
		// The diagnostic offers English, has no closing date and needs no code.
		if !strings.Contains(flat, "In English") || strings.Contains(flat, "Invullen kan tot en met") || strings.Contains(flat, "toegangscode") {
			t.Errorf("poster text:\n%s", text)
		}

		// With a closing date and access codes, the poster names the last
		// day (the day before ClosesAt) and asks for the code.
		p = postForm(t, b, "/diagnoses/"+diagID+"/bewerken", "/diagnoses/"+diagID+"/bewerken", map[string][]string{
			"name": {"Meting voorjaar"}, "questionnaire": {"uitvoeringskracht@1"}, "languages": {"en"},
			"units": {"Beleid; 40\nUitvoering; 300\nStaf"}, "min_group_size": {"5"}, "access": {"codes"},
			"opens_on": {""}, "closes_on": {"2031-06-30"},
		})
		if p.status != http.StatusSeeOther {
			t.Fatalf("edit diagnostic: %d %s", p.status, snippet(p.body))
		}
		flat = strings.Join(strings.Fields(printedText(t, []byte(b.get("/diagnoses/"+diagID+"/poster.pdf").body))), " ")
		for _, want := range []string{"Invullen kan tot en met 30 juni 2031.", "Open until 30 June 2031.", "persoonlijke toegangscode"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the poster lacks %q:\n%s", want, flat)
			}
		}

		other := f.browser(t)
		signIn(t, f, other, "Bureau B", "bob@b.example", false)
		if p := other.get("/diagnoses/" + diagID + "/poster.pdf"); p.status != http.StatusNotFound {
			t.Errorf("poster for another firm: %d, want 404", p.status)
		}
		if p := f.browser(t).get("/diagnoses/" + diagID + "/poster.pdf"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("poster without a session: %d %s", p.status, p.location)
		}
	})
}

// makeCodes posts the codes form and follows it as a browser does: the
// post redirects to the diagnostic's page, which starts the download of
// the new batch with a Refresh header.
func makeCodes(t *testing.T, b *browser, page, codesURL string, form map[string][]string) page {
	t.Helper()
	p := postForm(t, b, page, codesURL, form)
	if p.status != http.StatusSeeOther || p.location != page+"#codes" {
		t.Fatalf("make codes: %d %s %s", p.status, p.location, snippet(p.body))
	}
	shown := b.get(page)
	if shown.status != http.StatusOK || shown.header.Get("Refresh") != "0; url="+codesURL+"/bestand" {
		t.Fatalf("the page after making codes: %d, Refresh %q", shown.status, shown.header.Get("Refresh"))
	}
	return b.get(codesURL + "/bestand")
}

var reCode = regexp.MustCompile(`\b[` + survey.AccessCodeAlphabet + `]{4}-[` + survey.AccessCodeAlphabet + `]{4}\b`)

func TestCodesDownloadFormats(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, diagID := createOrgAndDiagnostic(t, b, "codes")
		page := "/diagnoses/" + diagID
		codesURL := page + "/codes"
		issued := func() int {
			t.Helper()
			n, _, err := st.AccessCodeCounts(context.Background(), diagID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if body := b.get(page).body; !strings.Contains(body, `name="format" value="pdf"`) || !strings.Contains(body, `name="format" value="zip"`) {
			t.Fatalf("the codes form offers no format choice: %s", snippet(body))
		}

		// Without a choice: the CSV, as before.
		p := makeCodes(t, b, page, codesURL, map[string][]string{"count": {"2"}})
		if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") || len(csvCodes(t, []byte(p.body))) != 2 {
			t.Fatalf("CSV: %d %s %q", p.status, p.header.Get("Content-Type"), p.body)
		}

		p = makeCodes(t, b, page, codesURL, map[string][]string{"count": {"3"}, "format": {"pdf"}})
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") ||
			!strings.Contains(p.header.Get("Content-Disposition"), "toegangscodes.pdf") || p.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("PDF: %d %v", p.status, p.header)
		}
		if got := reCode.FindAllString(printedText(t, []byte(p.body)), -1); len(got) != 3 {
			t.Errorf("the PDF sheet shows %d codes, want 3: %q", len(got), got)
		}
		if n := issued(); n != 5 {
			t.Errorf("%d codes issued, want 5", n)
		}

		// Both: the CSV and the PDF of the ZIP carry the same batch.
		p = makeCodes(t, b, page, codesURL, map[string][]string{"count": {"4"}, "format": {"zip"}})
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/zip" || !strings.Contains(p.header.Get("Content-Disposition"), "toegangscodes.zip") {
			t.Fatalf("ZIP: %d %v", p.status, p.header)
		}
		files := unzip(t, []byte(p.body))
		if len(files) != 2 {
			t.Fatalf("the ZIP holds %d files, want 2", len(files))
		}
		fromCSV := csvCodes(t, files["toegangscodes.csv"])
		fromPDF := reCode.FindAllString(printedText(t, files["toegangscodes.pdf"]), -1)
		slices.Sort(fromCSV)
		slices.Sort(fromPDF)
		if len(fromCSV) != 4 || !slices.Equal(fromCSV, fromPDF) {
			t.Errorf("the ZIP's CSV has %q, its PDF %q", fromCSV, fromPDF)
		}
		if n := issued(); n != 9 {
			t.Errorf("%d codes issued, want 9", n)
		}

		// An unknown format is refused before any code is made.
		p = postForm(t, b, page, codesURL, map[string][]string{"count": {"4"}, "format": {"docx"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#format"`) {
			t.Errorf("unknown format: %d %s", p.status, snippet(p.body))
		}
		if n := issued(); n != 9 {
			t.Errorf("a refused request issued codes: %d, want 9", n)
		}

		other := f.browser(t)
		signIn(t, f, other, "Bureau B", "bob@b.example", false)
		csrf := csrfOf(t, other, "/organisaties")
		if p := other.post(codesURL, map[string][]string{"csrf": {csrf}, "count": {"1"}, "format": {"pdf"}}); p.status != http.StatusNotFound {
			t.Errorf("codes for another firm: %d, want 404", p.status)
		}
	})
}

// csvCodes returns the codes of a codes CSV, checking its shape.
func csvCodes(t *testing.T, data []byte) []string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 || rows[0][0] != "code" {
		t.Fatalf("codes CSV: %v %q", err, data)
	}
	var codes []string
	for _, row := range rows[1:] {
		if !reCode.MatchString(row[0]) || !strings.HasPrefix(row[1], "http://uk.test/d/") {
			t.Errorf("CSV row %q", row)
		}
		codes = append(codes, row[0])
	}
	return codes
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}
