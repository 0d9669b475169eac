package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Journeys 4 and 5 of the accessibility issue: results, the report and the
// director's link. See browser_journeys_test.go for the setting.

// respondents is how many people answer in these journeys: enough to pass
// the default threshold of 5 for the whole organisation, while some units
// stay below it, so that hidden groups are on the pages too.
const respondents = 12

// seedResponses lets n respondents answer d through the service's own
// pages over plain HTTP, as the load command does; a browser per person
// would only make the test slower.
func (j *journey) seedResponses(d *survey.Diagnostic, n int) {
	j.t.Helper()
	target, err := url.Parse(j.base + "/d/" + d.Token)
	if err != nil {
		j.t.Fatal(err)
	}
	res, _ := runSubmits(context.Background(), target, 3, n, io.Discard)
	if res.completed != n {
		j.t.Fatalf("%d of %d respondents submitted; first error: %s", res.completed, n, res.firstError)
	}
}

// navigateStatus navigates and returns the HTTP status of the page.
func navigateStatus(t *testing.T, ctx context.Context, u string) int {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("navigate to %s: %v", u, err)
	}
	return int(resp.Status)
}

// httpStatus fetches u without a browser (a PDF would be a download there)
// and returns the status.
func httpStatus(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Journey 4: with enough respondents, the consultant closes the
// diagnostic, views the results, downloads the PDF and opens the HTML
// report, and creates a link for the director.
func TestBrowserJourney4ResultsAndReport(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Resultaat", survey.AccessLink)
	j.seedResponses(d, respondents)
	employee := j.tab()
	j.visit(employee, "/d/"+d.Token, "button.button-start", "landing (open)")

	tab := j.tab()
	j.login(tab, false)
	j.closeDiagnostic(tab, d, "diagnostic with responses")
	j.check(tab, "diagnostic (closed)")

	// The employee's link now shows the closed page, once the service's
	// short cache of respondent diagnostics (2 s) has let go.
	deadline := time.Now().Add(10 * time.Second)
	for {
		status := navigateStatus(t, employee, j.base+"/d/"+d.Token)
		if status == http.StatusGone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the link of a closed diagnostic answers %d, want 410", status)
		}
		time.Sleep(250 * time.Millisecond)
	}
	j.check(employee, "closed questionnaire")

	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", "#report-heading", "results")
	// On a phone the heat map scrolls sideways; the keyboard reaches it and
	// scrolls it with the arrow keys.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(360, 640), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	tabUntil(t, tab, "#onderdelen .table-wrap", 120)
	press(t, tab, kb.ArrowRight+kb.ArrowRight+kb.ArrowRight)
	if err := waitFor(tab, `document.activeElement.scrollLeft > 0`); err != nil {
		t.Errorf("the arrow keys do not scroll the focused heat map: %v", err)
	}
	if err := chromedp.Do(tab, desktopViewport); err != nil {
		t.Fatal(err)
	}
	pdf, name := j.download(tab, chromedp.Click(chromedp.CSS(`#rapport a[href*="/rapport.pdf"]`)))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !strings.HasSuffix(name, ".pdf") {
		t.Fatalf("the report download %q is not a PDF: %.20q", name, pdf)
	}
	htmlURL, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('#rapport a[href*="/rapport.html"]').href`))
	if err != nil {
		t.Fatalf("no link to the HTML report: %v", err)
	}
	if status := navigateStatus(t, tab, htmlURL); status != http.StatusOK {
		t.Fatalf("HTML report: status %d", status)
	}
	j.check(tab, "HTML report (consultant)")

	// A link for the director, valid for the default period.
	j.visit(tab, "/diagnoses/"+d.ID+"/resultaten", `form[action*="/directielinks"] button`, "results before sharing")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action*="/directielinks"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#new-link")),
	); err != nil {
		t.Fatalf("create a director link: %v", err)
	}
	j.check(tab, "results with a new director link")
	link, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#new-link")))
	if err != nil || !strings.Contains(link, "/r/") {
		t.Fatalf("director link %q: %v", link, err)
	}
	director := j.tab()
	if status := navigateStatus(t, director, j.base+link[strings.Index(link, "/r/"):]); status != http.StatusOK {
		t.Fatalf("the new director link answers %d", status)
	}
}

// Journey 5: a director opens the link and downloads the report; an
// expired and a revoked link are refused.
func TestBrowserJourney5DirectorLink(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Directie", survey.AccessLink)
	j.seedResponses(d, respondents)
	ctx := context.Background()
	if err := j.st.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
		t.Fatal(err)
	}
	newLink := func(expires time.Time) string {
		token, err := j.st.CreateDirectorLink(ctx, j.firmID, &survey.DirectorLink{DiagnosticID: d.ID, Lang: "nl", ExpiresAt: expires})
		if err != nil {
			t.Fatal(err)
		}
		return "/r/" + token
	}
	valid := newLink(time.Now().AddDate(0, 0, 30))
	expired := newLink(time.Now().Add(-time.Hour))

	director := j.tab()
	if status := navigateStatus(t, director, j.base+valid); status != http.StatusOK {
		t.Fatalf("director link: status %d", status)
	}
	j.check(director, "director page")
	pdf, name := j.download(director, chromedp.Click(chromedp.CSS(`main a[href$="/rapport.pdf"]`)))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the director's download %q is not a PDF: %.20q", name, pdf)
	}
	htmlURL, err := chromedp.Run(director, chromedp.Evaluate[string](`document.querySelector('main a[href$="/rapport.html"]').href`))
	if err != nil {
		t.Fatalf("no link to the HTML report: %v", err)
	}
	if status := navigateStatus(t, director, htmlURL); status != http.StatusOK {
		t.Fatalf("HTML report: status %d", status)
	}
	j.check(director, "HTML report (director)")

	if status := navigateStatus(t, director, j.base+expired); status != http.StatusGone {
		t.Errorf("an expired director link answers %d, want 410", status)
	}
	j.check(director, "director link expired")
	if status := httpStatus(t, j.base+expired+"/rapport.pdf"); status != http.StatusGone {
		t.Errorf("the report of an expired director link answers %d, want 410", status)
	}

	// The consultant revokes the valid link on the results page.
	consultant := j.tab()
	j.login(consultant, false)
	j.visit(consultant, "/diagnoses/"+d.ID+"/resultaten", `form[action$="/intrekken"] button`, "results with director links")
	if err := chromedp.Do(consultant, chromedp.Click(chromedp.CSS(`form[action*="/directielinks/"][action$="/intrekken"] button`))); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := waitFor(consultant, `document.readyState === 'complete' && document.querySelectorAll('form[action$="/intrekken"]').length === 0`); err != nil {
		t.Fatalf("the link was not revoked: %v", err)
	}
	if status := navigateStatus(t, director, j.base+valid); status != http.StatusGone {
		t.Errorf("a revoked director link answers %d, want 410", status)
	}
	j.check(director, "director link revoked")
	if status := httpStatus(t, j.base+valid+"/rapport.pdf"); status != http.StatusGone {
		t.Errorf("the report of a revoked director link answers %d, want 410", status)
	}
}
