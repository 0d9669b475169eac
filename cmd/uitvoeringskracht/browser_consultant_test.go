package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Journey 6 (issue 12, points 7, 8 and 13): the bare address leads to the
// login and, signed in, to the workspace; the respondent link shows whole
// with a working copy button; closing and reopening each ask first on a
// page of their own and confirm after the redirect; a director link
// carries the name of whom it is for.
func TestBrowserJourney6ConsultantConfirmsAndCopies(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Bevestiging", survey.AccessLink)
	j.seedResponses(d, respondents)
	tab := j.tab()

	// 13: / is the way in.
	if err := chromedp.Do(tab, chromedp.Navigate(j.base+"/"), chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		t.Fatalf("/ without a session does not lead to the login: %v", err)
	}
	j.login(tab, false)
	if err := chromedp.Do(tab, chromedp.Navigate(j.base+"/"), chromedp.WaitVisible(chromedp.CSS("nav.workspace-nav"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname === '/organisaties'`); err != nil {
		t.Errorf("/ signed in does not lead to the workspace: %v", err)
	}

	// 8: the link is shown whole and the copy button works.
	j.visit(tab, "/diagnoses/"+d.ID, `button[data-copy="respondent-link"]`, "diagnostic (open) with copy button")
	if err := waitFor(tab, `(() => { const el = document.getElementById('respondent-link');
		return el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1 && el.value.includes('/d/'); })()`); err != nil {
		t.Errorf("the respondent link is cut off: %v", err)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`button[data-copy="respondent-link"]`))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `document.querySelector('[data-copy-status="respondent-link"]').textContent.includes('gekopieerd')`); err != nil {
		t.Errorf("the copy button does not confirm: %v", err)
	}
	// 7: the main button of an open diagnostic is not "Sluiten".
	first, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('.actions .button:not(.button-secondary)').textContent.trim()`))
	if err != nil || strings.Contains(first, "Sluiten") {
		t.Errorf("main action of an open diagnostic: %q %v", first, err)
	}

	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
	); err != nil {
		t.Fatalf("close asks first: %v", err)
	}
	j.check(tab, "close confirmation")
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(text, "definitief") || !strings.Contains(text, "niet meer invullen") {
		t.Errorf("the close confirmation does not say what happens: %q", text)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[role="status"]`)),
	); err != nil {
		t.Fatalf("close: %v", err)
	}
	j.check(tab, "diagnostic closed, with its confirmation")
	if flash, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "gesloten") {
		t.Errorf("after closing: %q", flash)
	}

	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/openen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[method="post"][action$="/openen"] button`)),
	); err != nil {
		t.Fatalf("reopen asks first: %v", err)
	}
	j.check(tab, "reopen confirmation")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[method="post"][action$="/openen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[role="status"]`)),
	); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if flash, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "opnieuw geopend") {
		t.Errorf("after reopening: %q", flash)
	}

	// Close again to share; the director link is made for someone.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
		chromedp.Click(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[role="status"]`)),
	); err != nil {
		t.Fatalf("close again: %v", err)
	}
	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", "#label", "results before a labelled link")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#label"), "MT Uitvoering"),
		chromedp.Submit(chromedp.CSS("#label")),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="new-link"]`)),
	); err != nil {
		t.Fatalf("labelled director link: %v", err)
	}
	j.check(tab, "results with a labelled director link")
	text, err = chromedp.Run(tab, chromedp.Text(chromedp.CSS("#rapport")))
	if err != nil || !strings.Contains(text, "Directielink voor MT Uitvoering") {
		t.Errorf("the new link does not name its recipient: %q", text)
	}
	if err := waitFor(tab, `(() => { const el = document.getElementById('new-link');
		return el.scrollWidth <= el.clientWidth && el.value.includes('/r/'); })()`); err != nil {
		t.Errorf("the director link is cut off: %v", err)
	}
}
