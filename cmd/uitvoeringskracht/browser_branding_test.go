package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The firm's own look: the branding page (with its contrast refusal), and
// the respondent and director pages in the darkest and the lightest colour
// the contrast rule allows, each checked with axe-core and for reflow.
func TestBrowserA11yBranding(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Huisstijl", survey.AccessLink)
	results := j.seedDiagnostic("Gemeente Huisstijl Directie", survey.AccessLink)
	j.seedResponses(results, respondents)
	ctx := context.Background()
	if err := j.st.SetDiagnosticState(ctx, results.ID, survey.StateClosed); err != nil {
		t.Fatal(err)
	}
	token, err := j.st.CreateDirectorLink(ctx, j.firmID, &survey.DirectorLink{DiagnosticID: results.ID, Lang: "nl", ExpiresAt: time.Now().AddDate(0, 0, 30)})
	if err != nil {
		t.Fatal(err)
	}

	admin := j.tab()
	j.login(admin, false)
	j.visit(admin, "/team/huisstijl", "#color", "branding page")

	// A colour that fails the contrast rule: the error summary names it.
	saveLook := func(colour string) {
		t.Helper()
		if err := chromedp.Do(admin,
			chromedp.Navigate(j.base+"/team/huisstijl"), chromedp.WaitVisible(chromedp.CSS("#color")),
			chromedp.SetValue(chromedp.CSS("#name"), "Adviesbureau Huisstijl"),
			chromedp.SetValue(chromedp.CSS("#contact"), "030 123 45 67 · info@huisstijl.example"),
			chromedp.SetValue(chromedp.CSS("#color"), colour),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#respondents').checked = true`),
			chromedp.Submit(chromedp.CSS("#color")),
		); err != nil {
			t.Fatalf("save the look %s: %v", colour, err)
		}
	}
	saveLook("#777777")
	j.checkRefused(admin, "branding page with a contrast error")

	// A logo, uploaded as a file.
	logoFile := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logoFile, brandingTestPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(admin,
		chromedp.Navigate(j.base+"/team/huisstijl"), chromedp.WaitVisible(chromedp.CSS("#logo")),
		chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logoFile}),
		chromedp.Submit(chromedp.CSS("#logo")),
		chromedp.WaitVisible(chromedp.CSS("img.logo-preview")),
	); err != nil {
		t.Fatalf("upload the logo: %v", err)
	}
	j.check(admin, "branding page with a logo")

	for _, colour := range []string{"#000000", "#767676"} {
		saveLook(colour)
		if err := waitFor(admin, `document.readyState === 'complete' && document.querySelector('.flash') !== null`); err != nil {
			t.Fatalf("the look %s was not saved: %v", colour, err)
		}
		// The respondent pages cache the look for two seconds.
		time.Sleep(2100 * time.Millisecond)
		employee := j.tab()
		j.visit(employee, "/d/"+d.Token, "img.brand-logo", "landing, branded "+colour)
		if err := waitFor(employee, `getComputedStyle(document.querySelector('.header')).backgroundColor === `+cssRGB(colour)); err != nil {
			t.Errorf("the respondent header is not %s: %v", colour, err)
		}
		j.visit(employee, "/d/"+d.Token+"/privacy", "main h1", "privacy notice, branded "+colour)
		director := j.tab()
		if status := navigateStatus(t, director, j.base+"/r/"+token); status != http.StatusOK {
			t.Fatalf("director page: %d", status)
		}
		if err := waitFor(director, `document.querySelector('img.brand-logo') !== null && document.body.textContent.includes('info@huisstijl.example')`); err != nil {
			t.Errorf("the director page lacks the logo or the contact line: %v", err)
		}
		j.check(director, "director page, branded "+colour)
	}
}

func brandingTestPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 240, 80))
	for x := range 240 {
		for y := range 80 {
			img.Set(x, y, color.NRGBA{R: 0x1f, G: uint8(x), B: 0x5f, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cssRGB is a "#rrggbb" colour as getComputedStyle writes it, quoted for
// a script.
func cssRGB(hex string) string {
	c, _ := survey.ParseColor(hex)
	return `'rgb(` + strings.Join([]string{strconv.Itoa(int(c >> 16 & 0xff)), strconv.Itoa(int(c >> 8 & 0xff)), strconv.Itoa(int(c & 0xff))}, ", ") + `)'`
}
