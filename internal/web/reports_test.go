package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// reportsFixture is a results fixture on a clock the test moves.
type reportsFixture struct {
	*resultsFixture
	clock *testClock
}

func newReportsFixture(t *testing.T, st *store.Store) *reportsFixture {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q}, Now: clock.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, store: st, logs: logs}
	b := f.browser(t)
	cons := signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
	return &reportsFixture{resultsFixture: &resultsFixture{fixture: f, b: b, cons: cons, q: *q}, clock: clock}
}

func reportPath(id, file string) string { return "/diagnoses/" + id + "/" + file }

// apiGetFull calls the API with a bearer token and returns the headers too.
func apiGetFull(t *testing.T, f *fixture, token, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// checkReportHTMLHeaders checks the policy of an HTML report: its style by
// hash, nothing inline, no scripts.
func checkReportHTMLHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self' "+report.HTMLStyleSource()) || strings.Contains(csp, "unsafe-inline") ||
		strings.Contains(csp, "script-src") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	if got := h.Get("X-Robots-Tag"); got != "noindex, nofollow" {
		t.Errorf("%s: X-Robots-Tag %q", what, got)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("%s: Content-Type %q", what, h.Get("Content-Type"))
	}
}

var reReportDate = regexp.MustCompile(`<dt>(?:Datum rapport|Report date)</dt><dd><bdi>([^<]+)</bdi></dd>`)

func reportDateOf(t *testing.T, html string) string {
	t.Helper()
	m := reReportDate.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no report date in the report: %s", snippet(html))
	}
	return m[1]
}

func TestConsultantDownloadsTheReport(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{8, 8}, seed: 21})

		p := rf.b.get(reportPath(d.ID, reportFilePDF))
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") {
			t.Fatalf("PDF: %d %s %q", p.status, p.header.Get("Content-Type"), snippet(p.body))
		}
		if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "rapport.pdf") {
			t.Errorf("PDF Content-Disposition %q", cd)
		}

		p = rf.b.get(reportPath(d.ID, reportFileHTML))
		if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="nl">`) || !strings.Contains(p.body, "Gemeente Resultaat") {
			t.Fatalf("HTML: %d %s", p.status, snippet(p.body))
		}
		checkReportHTMLHeaders(t, "consultant HTML", p.header)
		// Closed by hand: the report carries the day it was first made,
		// and keeps it.
		if got := reportDateOf(t, p.body); got != "2 maart 2026" {
			t.Errorf("report date %q, want 2 maart 2026", got)
		}

		// ?taal=en, or the interface language, gives English; a language
		// the diagnostic does not have is refused.
		if p := rf.b.get(reportPath(d.ID, reportFileHTML) + "?taal=en"); !strings.Contains(p.body, `<html lang="en">`) {
			t.Errorf("?taal=en: %s", snippet(p.body))
		}
		if p := rf.b.get(reportPath(d.ID, reportFileHTML) + "?lang=en"); !strings.Contains(p.body, `<html lang="en">`) {
			t.Errorf("English interface: %s", snippet(p.body))
		}
		if p := rf.b.get(reportPath(d.ID, reportFileHTML) + "?lang=nl&taal=de"); p.status != http.StatusBadRequest {
			t.Errorf("?taal=de: %d", p.status)
		}
		// Languages are fixed once a diagnostic opens: set them on a draft.
		nlOnly := rf.create(t, wave{state: survey.StateDraft, perUnit: []int{8, 8}, seed: 22})
		nlOnly.Languages = []string{"nl"}
		if err := st.UpdateDiagnostic(context.Background(), nlOnly); err != nil {
			t.Fatal(err)
		}
		if err := st.SetDiagnosticState(context.Background(), nlOnly.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		if p := rf.b.get(reportPath(nlOnly.ID, reportFileHTML) + "?lang=en"); p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="nl">`) {
			t.Errorf("a Dutch-only diagnostic in the English interface: %d %s", p.status, snippet(p.body))
		}
		rf.b.get("/organisaties?lang=nl")

		// The results page offers both reports in both languages.
		p = rf.b.get(resultsPath(d.ID))
		for _, want := range []string{reportFilePDF + "?taal=nl", reportFileHTML + "?taal=nl", reportFilePDF + "?taal=en", "Adviesrapport in het Engels (pdf)"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the results page lacks %q", want)
			}
		}

		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); strings.Count(got, actionExport) < 4 {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestReportIsRefusedUntilAvailableAndToOtherFirms(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		open := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{6, 6}, seed: 23})
		for _, file := range []string{reportFilePDF, reportFileHTML} {
			p := rf.b.get(reportPath(open.ID, file))
			if p.status != http.StatusConflict || !strings.Contains(p.body, "Nog geen rapport") || !strings.Contains(p.body, "zodra de diagnose gesloten is") {
				t.Errorf("%s of an open diagnostic: %d %s", file, p.status, snippet(p.body))
			}
		}
		token := apiToken(t, rf.resultsFixture)
		doc := loadOpenAPI(t)
		for _, file := range []string{"report.pdf", "report.html"} {
			path := "/api/v1/diagnostics/" + open.ID + "/" + file
			code, body := apiGet(t, rf.fixture, token, path)
			var na struct{ Code, Message, Reason string }
			_ = json.Unmarshal(body, &na)
			if code != http.StatusConflict || na.Code != "not_available" || na.Reason != survey.AvailabilityNotClosed || na.Message == "" {
				t.Errorf("API %s of an open diagnostic: %d %s", file, code, body)
			}
			checkAgainstOpenAPI(t, doc, http.MethodGet, path, code, body)
			if code, body := apiGet(t, rf.fixture, "", path); code != http.StatusUnauthorized {
				t.Errorf("API %s without a token: %d %s", file, code, body)
			}
		}

		// A recorded preview gives a report dated today.
		previewForm(t, rf.b, open.ID)
		p := rf.b.get(reportPath(open.ID, reportFileHTML))
		if p.status != http.StatusOK || reportDateOf(t, p.body) != "2 maart 2026" {
			t.Errorf("preview report: %d", p.status)
		}

		closed := rf.create(t, wave{perUnit: []int{6, 6}, seed: 24})
		other := rf.browser(t)
		cons := signIn(t, rf.fixture, other, "Bureau B", "bob@b.example", false)
		_, otherToken, err := st.CreateAPIToken(context.Background(), cons.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{reportFilePDF, reportFileHTML} {
			if p := other.get(reportPath(closed.ID, file)); p.status != http.StatusNotFound {
				t.Errorf("%s by another firm: %d", file, p.status)
			}
		}
		for _, file := range []string{"report.pdf", "report.html"} {
			if code, _ := apiGet(t, rf.fixture, otherToken, "/api/v1/diagnostics/"+closed.ID+"/"+file); code != http.StatusNotFound {
				t.Errorf("API %s by another firm: %d", file, code)
			}
		}
		csrf := csrfOf(t, other, "/organisaties")
		if p := other.post("/diagnoses/"+closed.ID+"/directielinks", map[string][]string{"csrf": {csrf}, "expires_on": {"2026-04-01"}, "lang": {"nl"}}); p.status != http.StatusNotFound {
			t.Errorf("director link by another firm: %d", p.status)
		}
		if p := rf.browser(t).get(reportPath(closed.ID, reportFilePDF)); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("report without a session: %d %s", p.status, p.location)
		}
	})
}

// The API gives the same PDF on every download, on later days too: the
// report is dated with the closing date.
func TestReportAPIIsDeterministic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{10, 10}, seed: 25})
		// Closed by its date, three days ago.
		closes := rf.clock.Now().Add(-72 * time.Hour)
		d.ClosesAt = &closes
		if err := st.UpdateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		token := apiToken(t, rf.resultsFixture)
		path := "/api/v1/diagnostics/" + d.ID + "/report.pdf"
		code, h, first := apiGetFull(t, rf.fixture, token, path)
		if code != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(first), "%PDF-") {
			t.Fatalf("API PDF: %d %s %q", code, h.Get("Content-Type"), snippet(string(first)))
		}
		checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, path, code, first)
		rf.clock.Advance(5 * 24 * time.Hour)
		if _, _, again := apiGetFull(t, rf.fixture, token, path); string(again) != string(first) {
			t.Error("the PDF differs five days later")
		}
		code, h, page := apiGetFull(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/report.html?taal=en")
		if code != http.StatusOK || !strings.Contains(string(page), `<html lang="en">`) {
			t.Fatalf("API HTML: %d %s", code, snippet(string(page)))
		}
		checkReportHTMLHeaders(t, "API HTML", h)
		if got, want := reportDateOf(t, string(page)), closes.Format("2 January 2006"); got != want {
			t.Errorf("report date %q, want the closing date %q", got, want)
		}
		code, _, body := apiGetFull(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/report.html?taal=fr")
		if code != http.StatusBadRequest || !strings.Contains(string(body), `"code":"invalid"`) {
			t.Errorf("?taal=fr: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, "/api/v1/diagnostics/"+d.ID+"/report.html", code, body)
	})
}

var reDirectorLink = regexp.MustCompile(`(?:value="|readonly>)http://uk\.test/r/([A-Za-z0-9_-]+)`)

// createLink makes a director link through the results page and returns
// its token.
func (rf *reportsFixture) createLink(t *testing.T, id, expiresOn, lang string) string {
	t.Helper()
	p := postForm(t, rf.b, resultsPath(id), "/diagnoses/"+id+"/directielinks", map[string][]string{"expires_on": {expiresOn}, "lang": {lang}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create director link: %d %s", p.status, snippet(p.body))
	}
	// Post/Redirect/Get: the results page shows the new link.
	p = rf.b.get(resultsPath(id))
	m := reDirectorLink.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("create director link: %d %s", p.status, snippet(p.body))
	}
	return m[1]
}

func TestDirectorLinks(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 26})

		// The form offers 30 days by default and refuses the past, more
		// than a year and a language the diagnostic does not have.
		p := rf.b.get(resultsPath(d.ID))
		if !strings.Contains(p.body, `name="expires_on" type="date" value="2026-04-01"`) || !strings.Contains(p.body, "Er zijn nog geen directielinks gemaakt") {
			t.Fatalf("results page without links: %s", snippet(p.body))
		}
		for _, bad := range []map[string][]string{
			{"expires_on": {"2026-03-01"}, "lang": {"nl"}},
			{"expires_on": {"2027-03-03"}, "lang": {"nl"}},
			{"expires_on": {"morgen"}, "lang": {"nl"}},
			{"expires_on": {"2026-04-01"}, "lang": {"de"}},
		} {
			p := postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", bad)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "error-summary") {
				t.Errorf("%v: %d %s", bad, p.status, snippet(p.body))
			}
		}

		token := rf.createLink(t, d.ID, "2027-03-02", "en")
		if len(token) < 22 {
			t.Fatalf("token %q has fewer than 128 bits", token)
		}
		// The language switch of the page that showed the link leads back
		// to the results page.
		if p := rf.b.get("/diagnoses/" + d.ID + "/directielinks?lang=nl"); p.status != http.StatusSeeOther || p.location != resultsPath(d.ID)+"#directielinks" {
			t.Errorf("GET of the links address: %d %s", p.status, p.location)
		}
		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); !strings.Contains(got, actionShare) {
			t.Errorf("audit after sharing: %s", got)
		}

		director := rf.browser(t)
		p = director.get("/r/" + token)
		if p.status != http.StatusOK {
			t.Fatalf("director page: %d %s", p.status, snippet(p.body))
		}
		checkDirectorHeaders(t, "director page", p.header)
		for _, want := range []string{
			`<html lang="en">`, `<meta name="robots" content="noindex, nofollow">`, "Summary for the board", "Gemeente Resultaat",
			"Three priorities", "Policy and execution", "/r/" + token + "/rapport.pdf", "/r/" + token + "/rapport.html",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the director page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`score-card-value">[0-9.]+</p>\s*<p class="score-card-band">(red|amber|green)<`).MatchString(p.body) {
			t.Errorf("the index is not shown with its band in words: %s", snippet(p.body))
		}
		if n := strings.Count(p.body, `<span class="swatch swatch-`); n < 5 {
			t.Errorf("only %d traffic lights", n)
		}
		if p := director.get("/r/" + token + "?lang=nl"); !strings.Contains(p.body, "Samenvatting voor de directie") {
			t.Error("the director cannot switch to Dutch")
		}

		for i, file := range []string{reportFilePDF, reportFileHTML, reportFilePDF} {
			p := director.get("/r/" + token + "/" + file)
			if p.status != http.StatusOK {
				t.Fatalf("director %s: %d %s", file, p.status, snippet(p.body))
			}
			checkDirectorHeaders(t, "director "+file, p.header)
			if file == reportFileHTML {
				checkReportHTMLHeaders(t, "director HTML", p.header)
				if !strings.Contains(p.body, `<html lang="en">`) {
					t.Error("the director's report is not in the link's language")
				}
			} else if !strings.HasPrefix(p.body, "%PDF-") {
				t.Errorf("director PDF %d: %q", i, snippet(p.body))
			}
		}
		links, err := st.ListDirectorLinks(ctx, rf.cons.FirmID, d.ID)
		if err != nil || len(links) != 1 || links[0].Downloads != 3 {
			t.Fatalf("links after three downloads: %+v %v", links, err)
		}
		p = rf.b.get(resultsPath(d.ID))
		if !regexp.MustCompile(`<td>Engels</td><td>3</td><td>Actief</td>`).MatchString(p.body) {
			t.Errorf("the consultant's list does not show the downloads: %s", snippet(p.body[strings.Index(p.body, "directielinks"):]))
		}

		// Another firm can neither revoke the link nor see the page it is
		// listed on.
		other := rf.browser(t)
		signIn(t, rf.fixture, other, "Bureau B", "bob@b.example", false)
		csrf := csrfOf(t, other, "/organisaties")
		if p := other.post("/diagnoses/"+d.ID+"/directielinks/"+links[0].ID+"/intrekken", map[string][]string{"csrf": {csrf}}); p.status != http.StatusNotFound {
			t.Errorf("revoke by another firm: %d", p.status)
		}
		if p := director.get("/r/" + token); p.status != http.StatusOK {
			t.Fatalf("the link stopped working after another firm tried to revoke it: %d", p.status)
		}

		// Revoked: 410 with a friendly page in both languages.
		p = postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks/"+links[0].ID+"/intrekken", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", p.status, snippet(p.body))
		}
		for _, path := range []string{"/r/" + token, "/r/" + token + "/" + reportFilePDF, "/r/" + token + "/" + reportFileHTML} {
			p := director.get(path)
			if p.status != http.StatusGone || !strings.Contains(p.body, "This link no longer works") || !strings.Contains(p.body, "Deze link werkt niet meer") {
				t.Errorf("%s after revoking: %d %s", path, p.status, snippet(p.body))
			}
			checkDirectorHeaders(t, path+" after revoking", p.header)
		}
		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); !strings.Contains(got, actionRevokeShare) {
			t.Errorf("audit after revoking: %s", got)
		}
		if p := rf.b.get(resultsPath(d.ID)); !strings.Contains(p.body, "Ingetrokken op 2 maart 2026") {
			t.Error("the list does not show the revocation")
		}
		if p := director.get("/r/" + token[:len(token)-1] + "x"); p.status != http.StatusNotFound {
			t.Errorf("unknown token: %d", p.status)
		}

		// Expired: valid through the chosen day, gone the day after.
		short := rf.createLink(t, d.ID, "2026-03-03", "nl")
		rf.clock.Advance(36 * time.Hour)
		if p := director.get("/r/" + short); p.status != http.StatusOK || !strings.Contains(p.body, "Samenvatting voor de directie") {
			t.Errorf("on its last day: %d", p.status)
		}
		rf.clock.Advance(24 * time.Hour)
		p = director.get("/r/" + short)
		if p.status != http.StatusGone || !strings.Contains(p.body, "De link was geldig tot en met 3 maart 2026") {
			t.Errorf("expired link: %d %s", p.status, snippet(p.body))
		}

		// Reopened: the link shows nothing, and says so.
		live := rf.createLinkAfterLogin(t, d.ID)
		if err := st.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		if p := director.get("/r/" + live); p.status != http.StatusConflict || !strings.Contains(p.body, "Het rapport is nu niet beschikbaar") {
			t.Errorf("director link of a reopened diagnostic: %d %s", p.status, snippet(p.body))
		}
		p = postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", map[string][]string{"expires_on": {"2026-04-01"}, "lang": {"nl"}})
		if p.status != http.StatusConflict {
			t.Errorf("director link of an open diagnostic: %d", p.status)
		}

		// Neither the token nor a client address reaches the log.
		logs := rf.logs.String()
		for _, secret := range []string{token, short, live, "127.0.0.1"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}

// createLinkAfterLogin signs in again (the clock moved past the session)
// and makes a link valid for 30 days.
func (rf *reportsFixture) createLinkAfterLogin(t *testing.T, id string) string {
	t.Helper()
	if p := login(t, rf.b, "anna@a.example", testPassword); p.status != http.StatusSeeOther {
		t.Fatalf("sign in again: %d", p.status)
	}
	return rf.createLink(t, id, rf.clock.Now().AddDate(0, 0, 30).Format(time.DateOnly), "nl")
}

func checkDirectorHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
	if got := h.Get("X-Robots-Tag"); got != "noindex, nofollow" {
		t.Errorf("%s: X-Robots-Tag %q", what, got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q", what, got)
	}
}

func TestDirectorRoutesAreRateLimited(t *testing.T) {
	rf := newReportsFixture(t, storetest.Open(t, store.DialectSQLite))
	b := rf.browser(t)
	limited := 0
	for i := range 40 {
		p := b.get("/r/unknown-token-" + string(rune('a'+i%26)))
		switch {
		case p.status == http.StatusTooManyRequests:
			limited++
			checkDirectorHeaders(t, "429", p.header)
		case p.status != http.StatusNotFound:
			t.Fatalf("request %d: %d", i, p.status)
		}
		if i < 30 && p.status != http.StatusNotFound {
			t.Fatalf("request %d of the burst: %d", i, p.status)
		}
	}
	if limited == 0 {
		t.Fatal("40 quick requests were never limited")
	}
}
