package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/logo"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// hostileSVG holds every construct the logo check refuses; it must reach
// no output of the service.
const hostileSVG = `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="80" onload="alert('xss')">
<script>alert('xss')</script>
<a xlink:href="http://evil.example/"><rect width="200" height="80" fill="url(http://evil.example/p#p)"/></a>
<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">&b;</div></foreignObject>
</svg>`

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: 0x1f, G: uint8(x), B: 0x5f, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadLogo posts a file to the logo form as a browser does, with the
// file name and type the client claims.
func uploadLogo(t *testing.T, b *browser, filename, contentType string, data []byte) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrfFrom(t, b, brandingPath))
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="logo"; filename="` + filename + `"`}
	h["Content-Type"] = []string{contentType}
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+logoUploadPath, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(out), header: resp.Header}
}

func TestBrandingColourContrastRule(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		ann := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		p := b.get(brandingPath)
		for _, want := range []string{`<label class="label" for="name">`, `<label class="label" for="color">`, `<label class="label" for="logo">`, `enctype="multipart/form-data"`, `<label for="respondents">`} {
			if p.status != http.StatusOK || !strings.Contains(p.body, want) {
				t.Errorf("the branding page lacks %s (%d)", want, p.status)
			}
		}
		if !strings.Contains(b.get("/team").body, `href="/team/huisstijl"`) {
			t.Error("the team page does not link to the branding page")
		}

		// One step too light: refused with the ratio, and nothing typed lost.
		form := url.Values{"name": {"Adviesbureau Noord BV"}, "contact": {"info@noord.example"}, "color": {"#777777"}, "respondents": {"1"}}
		p = postWithCSRF(t, b, brandingPath, brandingPath, form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "contrast van 4,47:1; WCAG 2.1 AA vraagt minstens 4,50:1") ||
			!strings.Contains(p.body, `href="#color"`) || !strings.Contains(p.body, `value="Adviesbureau Noord BV"`) || !strings.Contains(p.body, `value="#777777"`) {
			t.Errorf("a colour below 4.5:1: %d %s", p.status, snippet(p.body))
		}
		if en := postWithCSRF(t, b, brandingPath+"?lang=en", brandingPath+"?lang=en", url.Values{"color": {"#ffff00"}}); !strings.Contains(en.body, "has a contrast of 1.07:1 with white text; WCAG 2.1 AA needs at least 4.50:1") {
			t.Errorf("English refusal: %s", snippet(en.body))
		}
		b.get(brandingPath + "?lang=nl") // the switch is remembered
		for _, bad := range []string{"blue", "#12345", "#1234567", "url(x)"} {
			if p := postWithCSRF(t, b, brandingPath, brandingPath, url.Values{"color": {bad}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul een kleur in als #1f3a5f") {
				t.Errorf("colour %q: %d", bad, p.status)
			}
		}
		if b, _ := st.Branding(context.Background(), ann.FirmID); b.Color != "" {
			t.Fatalf("a refused colour was stored: %+v", b)
		}
		// The darkest and lightest allowed colours are accepted.
		for _, ok := range []string{"#000000", "#767676"} {
			form.Set("color", ok)
			p = postWithCSRF(t, b, brandingPath, brandingPath, form)
			if p.status != http.StatusSeeOther {
				t.Fatalf("colour %s: %d %s", ok, p.status, snippet(p.body))
			}
			if next := b.follow(p); !strings.Contains(next.body, "De huisstijl is opgeslagen.") || !strings.Contains(next.body, "Contrast van "+ok+" met witte tekst") {
				t.Errorf("no confirmation after saving %s", ok)
			}
		}
		got, err := st.Branding(context.Background(), ann.FirmID)
		if err != nil || got.Name != "Adviesbureau Noord BV" || got.Color != "#767676" || !got.OnRespondentPages {
			t.Fatalf("stored look = %+v, %v", got, err)
		}

		// Invisible control characters are refused like on every form, and
		// a post without the CSRF token changes nothing.
		if p := postWithCSRF(t, b, brandingPath, brandingPath, url.Values{"name": {"Noord\x00"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "onzichtbaar stuurteken") {
			t.Errorf("a control character in the name: %d", p.status)
		}
		if p := b.post(brandingPath, url.Values{"name": {"Zonder token"}}); p.status == http.StatusSeeOther {
			t.Error("a post without the CSRF token was accepted")
		}
		if got, _ := st.Branding(context.Background(), ann.FirmID); got.Name != "Adviesbureau Noord BV" {
			t.Errorf("a refused post changed the name to %q", got.Name)
		}

		// Only admins.
		other := f.browser(t)
		signIn(t, f.fixture, other, "Adviesbureau Noord", "bob@noord.example", false)
		if p := other.get(brandingPath); p.status != http.StatusForbidden && p.status != http.StatusNotFound {
			t.Errorf("a consultant who is no admin gets the branding page: %d", p.status)
		}
	})
}

func TestLogoUploadChecksContentNotName(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		ann := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		for name, tc := range map[string]struct {
			file, ctype string
			data        []byte
			want        string
		}{
			"hostile SVG":              {"logo.svg", "image/svg+xml", []byte(hostileSVG), "Het SVG-bestand bevat"},
			"hostile SVG named as PNG": {"logo.png", "image/png", []byte(strings.Replace(hostileSVG, "<!DOCTYPE", "<!-- x --><!DOCTYPE", 1)), "Het SVG-bestand bevat"},
			"script only":              {"logo.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"><script>alert(1)</script></svg>`), "Het SVG-bestand bevat &lt;script&gt;"},
			"onload":                   {"logo.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50" onload="alert(1)"/>`), "Het SVG-bestand bevat onload"},
			"JPEG named as PNG":        {"logo.png", "image/png", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"), "Dit bestand is geen PNG en geen SVG"},
			"HTML":                     {"logo.svg", "image/svg+xml", []byte("<html><body><script>alert(1)</script></body></html>"), "Dit bestand is geen PNG en geen SVG"},
			"too large":                {"logo.png", "image/png", append(testPNG(t, 64, 64), make([]byte, logo.MaxUpload)...), "Het bestand is groter dan 1 MB"},
			"too small":                {"logo.png", "image/png", testPNG(t, 8, 8), "Het logo is te klein"},
			"empty":                    {"logo.png", "image/png", nil, "Kies een logobestand"},
		} {
			p := uploadLogo(t, b, tc.file, tc.ctype, tc.data)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) || !strings.Contains(p.body, `href="#logo"`) {
				t.Errorf("%s: %d, want %q in %s", name, p.status, tc.want, snippet(p.body))
			}
			if strings.Contains(p.body, "alert(") {
				t.Errorf("%s: the refusal page repeats the file's script", name)
			}
		}
		if got, _ := st.Branding(context.Background(), ann.FirmID); got.HasLogo() {
			t.Fatal("a refused logo was stored")
		}

		// A good SVG is stored as a PNG the service made, and served strictly.
		svg := `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#1f3a5f"/><circle cx="20" cy="20" r="12" fill="#ffbf47"/></svg>`
		p := uploadLogo(t, b, "logo.svg", "image/svg+xml", []byte(svg))
		if p.status != http.StatusSeeOther || !strings.Contains(b.follow(p).body, "Het logo is opgeslagen.") {
			t.Fatalf("good SVG: %d %s", p.status, snippet(p.body))
		}
		page := b.get(brandingPath)
		if !strings.Contains(page.body, `src="/team/huisstijl/logo.png?v=`) {
			t.Error("the branding page does not show the logo")
		}
		l := b.get("/team/huisstijl/logo.png")
		if l.status != http.StatusOK || l.header.Get("Content-Type") != "image/png" || l.header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(l.header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("logo: %d %v", l.status, l.header)
		}
		if _, err := png.Decode(strings.NewReader(l.body)); err != nil || strings.Contains(l.body, "<svg") {
			t.Errorf("the served logo is not a plain PNG: %v", err)
		}

		// Removing it.
		p = postWithCSRF(t, b, brandingPath, logoUploadPath+"/verwijderen", nil)
		if p.status != http.StatusSeeOther || !strings.Contains(b.follow(p).body, "Het logo is verwijderd.") {
			t.Fatalf("remove: %d", p.status)
		}
		if l := b.get("/team/huisstijl/logo.png"); l.status != http.StatusNotFound {
			t.Errorf("a removed logo is still served: %d", l.status)
		}
	})
}

// firmDiagnostic makes an open diagnostic of the consultant's firm.
func firmDiagnostic(t *testing.T, f *fixture, firmID, name string) *survey.Diagnostic {
	t.Helper()
	ctx := context.Background()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	org := &survey.Organisation{FirmID: firmID, Name: name, Sector: survey.SectorMunicipality}
	if err := f.store.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	d := &survey.Diagnostic{
		OrganisationID: org.ID, Name: "Meting", Questionnaire: *q,
		Units: survey.NewUnits([]string{"A", "B"}), State: survey.StateOpen, MinGroupSize: 5,
	}
	if err := f.store.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLogoRoutesAreTheFirmsOwn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		ann := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		if p := uploadLogo(t, admin, "logo.png", "image/png", testPNG(t, 200, 50)); p.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", p.status, snippet(p.body))
		}
		if err := st.SaveBranding(ctx, &survey.Branding{FirmID: ann.FirmID, Name: "Noord", Color: "#000000"}); err != nil {
			t.Fatal(err)
		}
		zuid := f.browser(t)
		cor := signIn(t, f.fixture, zuid, "Bureau Zuid", "cor@zuid.example", true)
		noordDiag := firmDiagnostic(t, f.fixture, ann.FirmID, "Gemeente Noord")
		zuidDiag := firmDiagnostic(t, f.fixture, cor.FirmID, "Gemeente Zuid")

		// Another firm's consultant gets its own (absent) logo, never Noord's.
		if p := zuid.get("/team/huisstijl/logo.png"); p.status != http.StatusNotFound {
			t.Errorf("another firm's consultant: %d", p.status)
		}
		anon := f.browser(t)
		for _, path := range []string{
			respondentPath(noordDiag, "/logo.png"),      // not shown to respondents: the firm did not opt in
			respondentPath(noordDiag, "/huisstijl.css"), // idem
			respondentPath(zuidDiag, "/logo.png"),       // Zuid has no logo
			"/d/unknown-token/logo.png",
			"/r/unknown-token/logo.png",
			"/team/huisstijl/logo.png", // no session: to the login
		} {
			if p := anon.get(path); p.status != http.StatusNotFound && p.status != http.StatusSeeOther {
				t.Errorf("%s: %d", path, p.status)
			}
		}
		landing := anon.get(respondentPath(noordDiag, ""))
		if strings.Contains(landing.body, "logo.png") || strings.Contains(landing.body, "huisstijl.css") {
			t.Error("the respondent page shows the look though the firm did not opt in")
		}

		// Opted in: logo and colour on respondent pages, the anonymity text
		// unchanged.
		if err := st.SaveBranding(ctx, &survey.Branding{FirmID: ann.FirmID, Name: "Noord", Color: "#000000", OnRespondentPages: true}); err != nil {
			t.Fatal(err)
		}
		landing2 := anon.get(respondentPath(noordDiag, ""))
		for _, want := range []string{`<img class="brand-logo" src="` + respondentPath(noordDiag, "/logo.png?v="), `href="` + respondentPath(noordDiag, "/huisstijl.css?v=000000")} {
			if !strings.Contains(landing2.body, want) {
				t.Errorf("the opted-in respondent page lacks %s", want)
			}
		}
		if stripBrand(landing2.body) != stripBrand(landing.body) {
			t.Error("branding changed more of the respondent page than the logo and the colour")
		}
		if p := anon.get(respondentPath(noordDiag, "/logo.png")); p.status != http.StatusOK || p.header.Get("Content-Type") != "image/png" {
			t.Errorf("respondent logo: %d", p.status)
		}
		css := anon.get(respondentPath(noordDiag, "/huisstijl.css"))
		if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, ".header { background: #000000; }") {
			t.Errorf("respondent css: %d %s", css.status, css.body)
		}
		// Zuid's respondents still see nothing of Noord.
		if p := anon.get(respondentPath(zuidDiag, "/logo.png")); p.status != http.StatusNotFound {
			t.Errorf("Zuid's respondent link serves a logo: %d", p.status)
		}
		if strings.Contains(anon.get(respondentPath(zuidDiag, "")).body, "brand-logo") {
			t.Error("Zuid's respondent page shows a logo")
		}
	})
}

// stripBrand removes the two lines branding adds to a page.
func stripBrand(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "brand-logo") || strings.Contains(l, "huisstijl.css") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
