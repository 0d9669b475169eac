package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Journey F (issue 12, points 1, 2 and 5): an employee on a phone finds
// the start button on the first screen, ticks three statements of a step,
// switches to English (the ticks stay), presses Enter in a question (which
// still means "Save and continue", not the language button), sends the
// answers, and Back greets them with "already submitted" and no start
// button.
func TestBrowserJourneyEmployeeOnPhone(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Telefoon", survey.AccessLink)
	tab := j.tab()
	phone := chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile)

	j.visit(tab, "/d/"+d.Token, "button.button-start", "landing")
	if err := chromedp.Do(tab, phone, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	// The action is where the eye is: on the first screen of a phone.
	pos, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('button.button-start').getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if pos[0] < 0 || pos[1] > pos[2] {
		t.Errorf("on a 360 × 640 phone the start button is at %.0f-%.0f px, below the first screen of %.0f px", pos[0], pos[1], pos[2])
	}
	j.screenshotTab(tab, "landing-phone.png")

	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("button.button-start"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname.endsWith('/stap/1') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("start: %v", err)
	}
	answerByTapping(t, tab, -1)
	clickNext(t, tab)
	if err := waitFor(tab, `location.pathname.endsWith('/stap/2') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("step 1 did not lead on: %v", err)
	}

	// Three of the statements ticked, then the language switch, which is
	// shown at the top of the page next to the name of the service.
	ticked := answerByTapping(t, tab, 3)
	top, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](`(() => { window.scrollTo(0, 0); const b = document.querySelector('button[value="taal-en"]').getBoundingClientRect(), h = document.querySelector('header').getBoundingClientRect(); return [b.top, b.bottom, h.bottom]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if top[0] < 0 || top[1] > top[2] {
		t.Errorf("the language button is at %.0f-%.0f px, not in the header (0-%.0f px)", top[0], top[1], top[2])
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`button[value="taal-en"]`))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname.endsWith('/stap/2') && document.documentElement.lang === 'en' && document.readyState === 'complete'`); err != nil {
		t.Fatalf("the language switch did not show step 2 in English: %v", err)
	}
	kept, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input[type=radio]:checked')].map(r => r.name)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, ",") != strings.Join(ticked, ",") {
		t.Errorf("after switching language the ticked statements are %v; want %v", kept, ticked)
	}
	// The switch ("Nederlands" now, the longer label) does not cover the
	// name of the service, down to the narrowest screen of WCAG 1.4.10.
	for _, width := range []int64{320, 360, 640} {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(width, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		clash, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => { window.scrollTo(0, 0);
			const b = document.querySelector('.lang-switch-step button').getBoundingClientRect(), n = document.querySelector('.brand').getBoundingClientRect(), h = document.querySelector('header').getBoundingClientRect();
			const overlap = b.left < n.right && n.left < b.right && b.top < n.bottom && n.top < b.bottom;
			return overlap || b.bottom > h.bottom || n.right > window.innerWidth ? JSON.stringify({button: b, brand: n, header: h}) : ''; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if clash != "" {
			t.Errorf("at %d px the language button and the service's name clash or leave the header: %s", width, clash)
		}
	}
	if err := chromedp.Do(tab, desktopViewport); err != nil {
		t.Fatal(err)
	}
	j.check(tab, "step 2 in English after switching")

	// Enter in a question submits with the form's default button: "Save
	// and continue" (which asks for the open statements), not "Nederlands".
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS(`input[type=radio]:checked`))); err != nil {
		t.Fatal(err)
	}
	press(t, tab, kb.Enter)
	if err := waitForErrorSummary(tab); err != nil {
		t.Fatalf("Enter did not save the step: %v", err)
	}
	if lang, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang + ' ' + location.pathname`)); err != nil || lang != "en /d/"+d.Token+"/stap/2" {
		t.Errorf("after Enter: %q (%v); want step 2 in English with errors", lang, err)
	}
	j.check(tab, "step 2 in English with errors")

	// The rest of the questionnaire, then send.
	for step := 2; step < 12; step++ {
		onReview, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('input[name="nonce"]') !== null`))
		if err != nil {
			t.Fatal(err)
		}
		if onReview {
			break
		}
		path, _ := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
		answerByTapping(t, tab, -1)
		clickNext(t, tab)
		if err := waitFor(tab, fmt.Sprintf(`location.pathname !== %q && document.readyState === 'complete'`, path)); err != nil {
			t.Fatalf("%s did not lead on: %v", path, err)
		}
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`form[action$="/verzenden"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname.endsWith('/bedankt') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("submit: %v", err)
	}

	// Back from the thank-you page: the landing page says the answers
	// arrived. Should Chromium show the review page from its back/forward
	// cache, a reload asks the server, which answers the same.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`history.back()`)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `document.readyState === 'complete' && !location.pathname.endsWith('/bedankt')`); err != nil {
		t.Fatalf("back: %v", err)
	}
	if restored, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('form[action$="/verzenden"]') !== null`)); restored {
		t.Log("Back showed the review page from the back/forward cache; reloading")
		if err := chromedp.Do(tab, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	if err := waitFor(tab, `document.readyState === 'complete' && location.pathname === '/d/`+d.Token+`' && document.querySelector('.panel') !== null`); err != nil {
		t.Fatalf("Back from the thank-you page did not show the landing page: %v", err)
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "You have already submitted the questionnaire. Thank you.") || strings.Contains(text, "expired") {
		t.Errorf("the landing page after Back says: %s", text)
	}
	if start, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('.button-start') !== null`)); err != nil || start {
		t.Errorf("the landing page after Back shows a start button (%v)", err)
	}
	j.check(tab, "landing after Back from the thank-you page")
}

// answerByTapping taps an answer label for the first n radio groups of the
// step (all when n < 0) and returns their names once the answers show.
func answerByTapping(t *testing.T, tab context.Context, n int) []string {
	t.Helper()
	ctx := tab
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll('input[type=radio]')].map(r => r.name))]`))
	if err != nil {
		t.Fatal(err)
	}
	if n >= 0 && n < len(names) {
		names = names[:n]
	}
	for i, name := range names {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-%s"]`, name, firstChoice(name, i))))); err != nil {
			t.Fatalf("tap %s: %v", name, err)
		}
	}
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = fmt.Sprintf("%q", name)
	}
	if err := waitFor(ctx, fmt.Sprintf(`[%s].every(n => document.querySelector('input[name="' + n + '"]:checked'))`, strings.Join(quoted, ","))); err != nil {
		t.Fatalf("answers did not show: %v", err)
	}
	return names
}

// clickNext presses the step's main button, "Opslaan en verder".
func clickNext(t *testing.T, tab context.Context) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`main form button.button:not(.button-secondary)`))); err != nil {
		t.Fatal(err)
	}
}

// screenshotTab writes docs/screenshots/name of what tab shows, when
// UK_WRITE_SCREENSHOTS=1 (as journey 2 does for the steps).
func (j *journey) screenshotTab(tab context.Context, name string) {
	j.t.Helper()
	if os.Getenv("UK_WRITE_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		j.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join("..", "..", "docs", "screenshots", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		j.t.Fatal(err)
	}
	j.t.Logf("wrote %s", path)
}
