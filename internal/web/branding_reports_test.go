package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/logo"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The firm's look reaches the director page, the reports and the poster;
// a logo route of the director link serves it while the link works.
func TestBrandingOnDirectorPageReportsAndPoster(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{firmID: rf.cons.FirmID, perUnit: []int{10, 10}, seed: 7})
		token := rf.createLink(t, d.ID, "2027-03-02", "nl")
		plainPoster := rf.b.get("/diagnoses/" + d.ID + "/poster.pdf")

		img, err := logo.Normalise(testPNG(t, 300, 100))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveBranding(ctx, &survey.Branding{FirmID: rf.cons.FirmID, Name: "Bureau Huisstijl", Contact: "Bel 070 765 43 21", Color: "#5b2a86"}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetBrandingLogo(ctx, rf.cons.FirmID, img.PNG, img.Width, img.Height); err != nil {
			t.Fatal(err)
		}

		director := rf.browser(t)
		p := director.get("/r/" + token)
		for _, want := range []string{
			"Dit rapport is gemaakt door Bureau Huisstijl.", "<p>Bel 070 765 43 21</p>",
			`<img class="brand-logo" src="/r/` + token + `/logo.png?v=`, `alt="Bureau Huisstijl"`,
			`<link rel="stylesheet" href="/r/` + token + `/huisstijl.css?v=5b2a86">`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the director page lacks %s", want)
			}
		}
		l := director.get("/r/" + token + "/logo.png")
		if l.status != http.StatusOK || l.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(l.header.Get("Content-Security-Policy"), "default-src 'none'") || l.body != string(img.PNG) {
			t.Errorf("director logo: %d %v", l.status, l.header)
		}
		if css := director.get("/r/" + token + "/huisstijl.css"); css.status != http.StatusOK || !strings.Contains(css.body, "#5b2a86") {
			t.Errorf("director css: %d %s", css.status, css.body)
		}
		if p := director.get("/r/" + strings.Repeat("x", len(token)) + "/logo.png"); p.status != http.StatusNotFound {
			t.Errorf("a made-up director token serves a logo: %d", p.status)
		}

		html := director.get("/r/" + token + "/rapport.html")
		if !strings.Contains(html.body, `<img src="data:image/png;base64,`) || !strings.Contains(html.body, "Opgesteld door <bdi>Bureau Huisstijl</bdi>") {
			t.Errorf("the HTML report lacks the look: %s", snippet(html.body))
		}
		pdf := rf.b.get(reportPath(d.ID, reportFilePDF))
		if pdf.status != http.StatusOK || !strings.Contains(pdf.body, "/Subtype /Image") {
			t.Errorf("the PDF report holds no logo (%d)", pdf.status)
		}
		poster := rf.b.get("/diagnoses/" + d.ID + "/poster.pdf")
		if n, before := strings.Count(poster.body, "/Subtype /Image"), strings.Count(plainPoster.body, "/Subtype /Image"); n != before+1 {
			t.Errorf("the poster has %d images, %d before the logo", n, before)
		}
	})
}
