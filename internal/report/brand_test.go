package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testLogo is a PNG of a size no other image in the documents has, so
// that pdfimages finds it by its size.
const testLogoW, testLogoH = 321, 107

func testLogo(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, testLogoW, testLogoH))
	for x := range testLogoW {
		for y := range testLogoH {
			img.Set(x, y, color.NRGBA{R: 0x15, G: uint8(x), B: 0x73, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testBranding(t testing.TB) *survey.Branding {
	return &survey.Branding{
		Name: "Adviesbureau Noordkaap", Contact: "Bel 030 123 45 67 · rapporten@noordkaap.nl",
		Color: "#5b2a86", Logo: testLogo(t), LogoWidth: testLogoW, LogoHeight: testLogoH,
	}
}

// pdfImages lists the images of a PDF with pdfimages -list, as
// "page width height" lines.
func pdfImages(t *testing.T, pdf []byte) []string {
	t.Helper()
	tool := needTool(t, "pdfimages")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-list", path).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	var images []string
	for i, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if i < 2 || len(f) < 5 || f[2] != "image" {
			continue
		}
		images = append(images, f[0]+" "+f[3]+" "+f[4])
	}
	return images
}

func countImages(images []string, w, h string) (pages map[string]bool) {
	pages = map[string]bool{}
	for _, im := range images {
		f := strings.Fields(im)
		if f[1] == w && f[2] == h {
			pages[f[0]] = true
		}
	}
	return pages
}

func TestBrandedReportShowsLogoAndName(t *testing.T) {
	in := demoInput(t)
	in.Branding = testBranding(t)
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	logoPages := countImages(pdfImages(t, pdf), "321", "107")
	if !logoPages["1"] || !logoPages["2"] {
		t.Errorf("the logo is on pages %v; want the cover and the running header of page 2", logoPages)
	}
	cover := squash(pdfText(t, pdf, 1, 1))
	for _, want := range []string{"Opgesteld door Adviesbureau Noordkaap", "Bel 030 123 45 67 · rapporten@noordkaap.nl"} {
		if !strings.Contains(cover, want) {
			t.Errorf("the cover lacks %q:\n%s", want, cover)
		}
	}
	if page2 := pdfText(t, pdf, 2, 2); strings.Count(page2, "Adviesbureau Noordkaap") < 2 {
		t.Errorf("page 2 names the firm %d times; want the header and the footer", strings.Count(page2, "Adviesbureau Noordkaap"))
	}
	again, err := PDF(in)
	if err != nil || !bytes.Equal(again, pdf) {
		t.Error("a branded report is not deterministic")
	}

	// Without a look the report has neither logo nor firm.
	in.Branding = nil
	plain, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if n := countImages(pdfImages(t, plain), "321", "107"); len(n) != 0 {
		t.Errorf("an unbranded report holds the logo on pages %v", n)
	}
	if strings.Contains(pdfText(t, plain, 0, 0), "Noordkaap") {
		t.Error("an unbranded report names the firm")
	}
}

func TestBrandedHTMLTwin(t *testing.T) {
	in := demoInput(t)
	in.Branding = testBranding(t)
	html, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{`<img src="data:image/png;base64,`, `alt="Adviesbureau Noordkaap"`, "Opgesteld door <bdi>Adviesbureau Noordkaap</bdi>",
		"rapporten@noordkaap.nl", `fill="#5b2a86"`, `width="321" height="107"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the HTML twin lacks %q", want)
		}
	}
	// The one <style> element still matches the hash the server sends.
	if !strings.Contains(reportStyleOf(s), ".brandbar") {
		t.Error("the brand styles are not in the hashed <style>")
	}
}

func reportStyleOf(html string) string {
	_, rest, _ := strings.Cut(html, "<style>")
	css, _, _ := strings.Cut(rest, "</style>")
	return css
}

// A logo that is not the PNG internal/logo makes (an SVG written into the
// database by someone with access to it, say) reaches no output: the
// report leaves it out.
func TestForeignLogoBytesReachNoOutput(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`)
	in := demoInput(t)
	in.Branding = &survey.Branding{Name: "Noordkaap", Logo: svg, Color: "#ffff00"}
	html, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"alert", "onload", "<script", "data:image/svg", "#ffff00"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("the HTML twin holds %q", bad)
		}
	}
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pdf, []byte("alert")) || len(pdfImages(t, pdf)) != 0 {
		t.Error("the PDF holds the foreign logo")
	}
	poster := testPoster(t)
	poster.Branding = in.Branding
	if out, err := PosterPDF(poster); err != nil || bytes.Contains(out, []byte("alert")) {
		t.Errorf("poster with a foreign logo: %v", err)
	}
}

func TestBrandedPosterAndCodeSheet(t *testing.T) {
	p := testPoster(t)
	p.Branding = testBranding(t)
	pdf, err := PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := countImages(pdfImages(t, pdf), "321", "107"); !n["1"] {
		t.Error("the poster lacks the logo")
	}
	if text := squash(pdfText(t, pdf, 0, 0)); !strings.Contains(text, "Onderzoek uitgevoerd door Adviesbureau Noordkaap") {
		t.Errorf("the poster lacks the firm:\n%s", text)
	}

	s := testSheet(t, 23)
	s.Branding = testBranding(t)
	sheet, err := CodeSheetPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, sheet)
	if n := countImages(pdfImages(t, sheet), "321", "107"); !n["1"] || !n["3"] {
		t.Errorf("the code sheet's logo is on pages %v; want every page", n)
	}
	if text := pdfText(t, sheet, 1, 1); !strings.Contains(text, "Adviesbureau Noordkaap") {
		t.Error("the code sheet's header lacks the firm")
	}
}
