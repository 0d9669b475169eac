package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Journey 16 (issue 14): after closing, the consultant publishes the
// employee summary with a message from the directors; an employee opens
// the respondent link and reads it. Every page passes the accessibility
// checks.
func TestBrowserJourney16EmployeeSummary(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Terugkoppeling", survey.AccessLink)
	j.seedResponses(d, respondents)
	ctx := context.Background()
	if err := j.st.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC()
	if err := j.st.CreateAction(ctx, j.firmID, &survey.Action{DiagnosticID: d.ID, Title: "Vast overleg beleid en uitvoering", Target: "silos",
		Owner: "Teamleider uitvoering", StartDate: &start, SprintWeeks: 6, Status: survey.ActionPlanned}); err != nil {
		t.Fatal(err)
	}

	tab := j.tab()
	j.login(tab, false)
	j.visit(tab, "/diagnoses/"+d.ID, `a[href$="/samenvatting"]`, "closed diagnostic with the summary link")
	j.visit(tab, "/diagnoses/"+d.ID+"/samenvatting", "#message", "employee summary (consultant)")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#message"), "Dank voor uw inzet. We houden u op de hoogte."),
		chromedp.Click(chromedp.CSS(`form[action$="/samenvatting"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/intrekken"] button`)),
	); err != nil {
		t.Fatalf("publish the summary: %v", err)
	}
	j.check(tab, "employee summary published (consultant)")
	j.visit(tab, "/diagnoses/"+d.ID+"/samenvatting/voorbeeld", "#summary-index-heading", "employee summary preview")

	employee := j.tab()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The respondent cache (2 s) may still hold the open diagnostic.
		if status := navigateStatus(t, employee, j.base+"/d/"+d.Token); status == http.StatusOK {
			if heading, _ := chromedp.Run(employee, chromedp.Text(chromedp.CSS("h1"))); strings.Contains(heading, "Wat u ons hebt verteld") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the respondent link does not show the published summary")
		}
		time.Sleep(250 * time.Millisecond)
	}
	j.check(employee, "employee summary (employee)")
	body, err := chromedp.Run(employee, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dank voor uw inzet", "Vast overleg beleid en uitvoering", "Teamleider uitvoering", "De vijf factoren"} {
		if !strings.Contains(body, want) {
			t.Errorf("the employee does not see %q", want)
		}
	}
	if status := httpStatus(t, j.base+"/d/"+d.Token+"/uitkomsten.pdf"); status != http.StatusOK {
		t.Errorf("the summary PDF answers %d", status)
	}

	// Between measurements: the consultant starts a pulse, which gets a
	// page and a link of its own, and reads the trend page.
	j.visit(tab, "/diagnoses/"+d.ID, `form[action$="/puls"] button`, "closed diagnostic offering a pulse")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/puls"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/pulsen"]`)),
	); err != nil {
		t.Fatalf("start a pulse: %v", err)
	}
	j.check(tab, "pulse measurement (new)")
	pulses, err := j.st.Pulses(ctx, d.ID)
	if err != nil || len(pulses) != 1 {
		t.Fatalf("pulses: %v %v", pulses, err)
	}
	j.visit(employee, "/d/"+pulses[0].Token, "button.button-start", "pulse landing")
	j.visit(tab, "/diagnoses/"+d.ID+"/pulsen", "#pulse-trend-heading", "pulse trend page")
}
