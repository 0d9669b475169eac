package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Journey 15: a consultant finds a diagnostic in the overview of all
// diagnostics (a GET form, no script needed), watches its progress update
// without a reload and without losing focus, and reads the results on a
// phone, where the charts are drawn for the width. See
// browser_journeys_test.go for the setting.
func TestBrowserJourney15OverviewAndLiveProgress(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Overzicht", survey.AccessLink)
	j.seedResponses(d, respondents)
	j.seedDiagnostic("Provincie Tweede", survey.AccessLink)

	tab := j.tab()
	j.login(tab, false)
	rows := `document.querySelectorAll('main table tbody tr').length`
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`nav.workspace-nav a[href="/diagnoses"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/diagnoses"] #q`)),
	); err != nil {
		t.Fatalf("the navigation does not lead to the overview: %v", err)
	}
	if n := evalInt(t, tab, rows); n != 2 {
		t.Fatalf("the overview lists %d diagnostics, want 2", n)
	}
	j.check(tab, "overview")

	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#q"), "tweede"),
		chromedp.Submit(chromedp.CSS("#q")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.search.includes('q=tweede') && `+rows+` === 1`); err != nil {
		t.Fatalf("searching does not narrow the overview: %v", err)
	}
	j.check(tab, "overview (searched)")
	if err := chromedp.Do(tab,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('q').value = ''; document.getElementById('status').value = 'closed'`),
		chromedp.Submit(chromedp.CSS("#status")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.search.includes('status=closed') && document.body.textContent.includes('Geen diagnose past')`); err != nil {
		t.Fatalf("filtering on closed: %v", err)
	}
	j.check(tab, "overview (nothing matches)")
	j.visit(tab, "/diagnoses", "main table", "overview (all)")
	j.screenshot(tab, "overview-desktop.png", chromedp.EmulateViewport(1280, 800), "")

	// Live progress: new answers show up in the paragraph while focus
	// stays where the consultant is. The script polls every 30 s and when
	// the tab becomes visible; the test makes it poll by the latter.
	j.visit(tab, "/diagnoses/"+d.ID, "#live-progress", "diagnostic (live progress)")
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.querySelector('a[href$="/bewerken"]').focus()`)); err != nil {
		t.Fatal(err)
	}
	j.seedResponses(d, 3)
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event('visibilitychange'))`)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `document.getElementById('live-progress').textContent.startsWith('15 ingevulde')`); err != nil {
		text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('live-progress').textContent`))
		t.Fatalf("the progress did not update without a reload (%q): %v", text, err)
	}
	if f := active(t, tab); !strings.HasSuffix(f.Href, "/bewerken") {
		t.Errorf("the update moved focus to %s", f)
	}
	if live := evalString(t, tab, `document.getElementById('live-progress').getAttribute('aria-live')`); live != "polite" {
		t.Errorf("aria-live is %q", live)
	}

	// Results on a phone: the narrow charts are shown, their text is at
	// least 12 px, nothing scrolls sideways; at 1280 px no heat-map header
	// breaks inside a word.
	if err := j.st.SetDiagnosticState(context.Background(), d.ID, survey.StateClosed); err != nil {
		t.Fatal(err)
	}
	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", "#factoren", "results")
	if n := evalInt(t, tab, `[...document.querySelectorAll('.heat-map thead th abbr')].filter(a => a.getClientRects().length > 1).length`); n != 0 {
		t.Errorf("%d heat-map headers break over lines at 1280 px", n)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if n := evalInt(t, tab, `[...document.querySelectorAll('svg.chart-wide')].filter(s => getComputedStyle(s).display !== 'none').length`); n != 0 {
		t.Errorf("%d wide charts are shown on a phone", n)
	}
	// 13 is the narrow drawings' smallest font size (see chartLayout).
	smallest, err := chromedp.Run(tab, chromedp.Evaluate[float64](`Math.min(...[...document.querySelectorAll('svg.chart-narrow')].filter(s => s.getBoundingClientRect().width > 0).map(s => 13 * s.getBoundingClientRect().width / s.viewBox.baseVal.width))`))
	if err != nil || smallest < 12 || smallest > 100 {
		t.Errorf("the smallest chart text on a phone is %.1f px (%v)", smallest, err)
	}
	if n := evalInt(t, tab, `document.documentElement.scrollWidth - window.innerWidth`); n > 0 {
		t.Errorf("the results page scrolls sideways by %d px on a phone", n)
	}
	j.screenshot(tab, "results-phone.png", chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile), `document.getElementById('factors-heading').scrollIntoView({block: 'start'})`)
	if err := chromedp.Do(tab, desktopViewport); err != nil {
		t.Fatal(err)
	}
}

func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return n
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// screenshot writes docs/screenshots/name at size, after scroll (a script,
// or "" for the top), when UK_WRITE_SCREENSHOTS=1: CI leaves the work tree
// alone.
func (j *journey) screenshot(tab context.Context, name string, size chromedp.Action[chromedp.Void], scroll string) {
	t := j.t
	t.Helper()
	if os.Getenv("UK_WRITE_SCREENSHOTS") != "1" {
		return
	}
	if scroll == "" {
		scroll = `window.scrollTo(0, 0)`
	}
	if err := chromedp.Do(tab, size, chromedp.Evaluate[chromedp.Void](scroll)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join("..", "..", "docs", "screenshots", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}
