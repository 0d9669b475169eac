package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The action plan journey (issue 14): the consultant closes a diagnostic,
// builds a plan of three actions from the advice's suggestions, gives the
// directors a link with the right to update, a director marks one action
// done, and the consultant sees it on the plan page.
func TestBrowserJourneyActionPlan(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Actieplan", survey.AccessLink)
	j.seedResponses(d, respondents)

	tab := j.tab()
	j.login(tab, false)
	j.closeDiagnostic(tab, d, "diagnostic before closing")

	// From the results page to the plan.
	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", `a[href$="/actieplan"]`, "results with the plan link")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`a[href$="/actieplan"]`)),
		chromedp.WaitVisible(chromedp.CSS("#suggestions-heading")),
	); err != nil {
		t.Fatalf("open the plan: %v", err)
	}
	j.check(tab, "action plan (empty)")

	for i := range 3 {
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`#suggesties a[href*="stap="]`))); err != nil {
			t.Fatalf("take suggestion %d: %v", i, err)
		}
		if err := waitFor(tab, `document.readyState === 'complete' && location.search.includes('stap=') &&
			document.querySelector('#nieuw input[name="source"]').value.includes(':')`); err != nil {
			t.Fatalf("suggestion %d does not fill in the form: %v", i, err)
		}
		if i == 0 {
			j.check(tab, "action plan with a suggestion taken over")
		}
		title, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#title")))
		if err != nil || strings.TrimSpace(title) == "" {
			t.Fatalf("the form is not prefilled: %q %v", title, err)
		}
		due, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#due_date")))
		if err != nil {
			t.Fatal(err)
		}
		steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#goal"), "Elk overleg eindigt met een besluit en een eigenaar")}
		if due == "" {
			// A horizon without a term: a sprint of eight weeks from today.
			steps = append(steps,
				chromedp.SetValue(chromedp.CSS("#start_date"), "2026-03-02"),
				chromedp.SetValue(chromedp.CSS("#sprint_weeks"), "8"))
		}
		steps = append(steps,
			chromedp.Submit(chromedp.CSS("#goal")),
			chromedp.WaitVisible(chromedp.CSS(`.flash[role="status"]`)))
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("add action %d: %v", i, err)
		}
	}
	if err := waitFor(tab, `document.querySelectorAll('article.action-card').length === 3`); err != nil {
		t.Fatalf("the plan does not show three actions: %v", err)
	}
	j.check(tab, "action plan with three actions")

	// A director link with the right to update.
	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", "#can_update", "results before an updating link")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#label"), "MT Uitvoering"),
		chromedp.Click(chromedp.CSS("#can_update")),
		chromedp.Submit(chromedp.CSS("#label")),
		chromedp.WaitVisible(chromedp.CSS("#new-link")),
	); err != nil {
		t.Fatalf("updating director link: %v", err)
	}
	link, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#new-link")))
	if err != nil || !strings.Contains(link, "/r/") {
		t.Fatalf("director link %q: %v", link, err)
	}

	director := j.tab()
	j.visit(director, link[strings.Index(link, "/r/"):], `#actieplan select[name="status"]`, "director page with the plan")
	if err := chromedp.Do(director,
		chromedp.SetValue(chromedp.CSS(`#actieplan article.action-card select[name="status"]`), "klaar"),
		chromedp.SendKeys(chromedp.CSS(`#actieplan article.action-card textarea[name="note"]`), "Besproken in het MT"),
		chromedp.Submit(chromedp.CSS(`#actieplan article.action-card textarea[name="note"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#actieplan .notice[role="status"]`)),
	); err != nil {
		t.Fatalf("the director marks an action done: %v", err)
	}
	j.check(director, "director page after an update")

	j.visit(tab, "/diagnoses/"+d.ID+"/actieplan", "#dashboard-heading", "action plan after the director's update")
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 acties: 2 gepland, 0 bezig, 1 klaar", "gepland → klaar – Besproken in het MT", "MT Uitvoering"} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan page lacks %q", want)
		}
	}
	plan, err := j.st.ActionsForDiagnostic(context.Background(), j.firmID, d.ID)
	if err != nil || len(plan) != 3 {
		t.Fatalf("stored plan: %d %v", len(plan), err)
	}
}
