package web

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	uitvoeringskracht "github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// submitTo stores n responses in unit u1 of the diagnostic.
func submitTo(t *testing.T, st *store.Store, diagID string, n int) {
	t.Helper()
	for range n {
		r := &survey.Response{DiagnosticID: diagID, SubmittedOn: "2026-03-02", Background: map[string]string{"role": "beleid", "unit": "u1"}, Answers: map[string]int{}}
		if err := st.Submit(context.Background(), freshNonce(), r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOverviewListsTheFirmsDiagnosticsWithSearchAndFilter(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, open := createOrgAndDiagnostic(t, b, "link")
		postForm(t, b, "/diagnoses/"+open, "/diagnoses/"+open+"/openen", nil)
		submitTo(t, st, open, 34) // 34 of 40 + 300 units' headcount: 10%
		p := postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{"name": {"Provincie Zeeland"}, "sector": {"provincie"}, "headcount": {""}})
		zeeland := strings.TrimPrefix(p.location, "/organisaties/")
		p = postForm(t, b, "/organisaties/"+zeeland+"/diagnoses/nieuw", "/organisaties/"+zeeland+"/diagnoses", map[string][]string{
			"name": {"Nulmeting"}, "questionnaire": {"uitvoeringskracht@1"}, "units": {"Alles"}, "min_group_size": {"5"}, "access": {"link"}, "closes_on": {"2026-12-24"},
		})
		if p.status != http.StatusSeeOther {
			t.Fatalf("second diagnostic: %d %s", p.status, snippet(p.body))
		}
		other := f.browser(t)
		signIn(t, f, other, "Adviesbureau B", "bert@b.example", false)
		createOrgAndDiagnostic(t, other, "link")

		all := b.get("/diagnoses")
		if all.status != http.StatusOK {
			t.Fatalf("overview: %d", all.status)
		}
		for _, want := range []string{
			`<a href="/diagnoses">Alle diagnoses</a>`, // linked from the workspace navigation
			"2 van 2 diagnoses.", "Meting voorjaar", "Waterschap Rijn &amp; IJssel &lt;b&gt;", "Nulmeting", "Provincie Zeeland",
			`<td class="numeric">34</td>`, `<td class="numeric">10%</td>`, "sluit na 24 december 2026", "sluit met de hand",
			`<form method="get" action="/diagnoses"`,
		} {
			if !strings.Contains(all.body, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		if strings.Count(all.body, `<tr>`) != 3 {
			t.Errorf("overview rows: want a header and 2 rows, firm B's diagnostic excluded: %s", snippet(all.body))
		}
		// The organisation's name matches, case-insensitively.
		if p := b.get("/diagnoses?q=zeeLAND"); !strings.Contains(p.body, "1 van 2 diagnoses.") || !strings.Contains(p.body, "Nulmeting") || strings.Contains(p.body, "Meting voorjaar") {
			t.Errorf("search by organisation: %s", snippet(p.body))
		}
		if p := b.get("/diagnoses?status=open"); !strings.Contains(p.body, "Meting voorjaar") || strings.Contains(p.body, "Nulmeting") || !strings.Contains(p.body, `<option value="open" selected>`) {
			t.Errorf("filter on open: %s", snippet(p.body))
		}
		if p := b.get("/diagnoses?q=bestaat+niet&status=closed"); !strings.Contains(p.body, "Geen diagnose past bij deze zoekopdracht") || !strings.Contains(p.body, `value="bestaat niet"`) {
			t.Errorf("no match keeps the search: %s", snippet(p.body))
		}
		// An unknown status is ignored rather than showing nothing.
		if p := b.get("/diagnoses?status=<script>"); !strings.Contains(p.body, "2 van 2 diagnoses.") {
			t.Errorf("unknown status: %s", snippet(p.body))
		}
		if p := b.get("/diagnoses?lang=en"); !strings.Contains(p.body, "2 of 2 diagnostics.") || !strings.Contains(p.body, "closes after 24 December 2026") {
			t.Errorf("English overview: %s", snippet(p.body))
		}
		// The organisation page counts responses too.
		if p := b.get("/organisaties/" + zeeland); !strings.Contains(p.body, `<td class="numeric">0</td>`) {
			t.Errorf("organisation page lacks the response count: %s", snippet(p.body))
		}
	})
}

func TestNewDiagnosticCopiesTheUnitsOfThePreviousWave(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		orgID, diagID := createOrgAndDiagnostic(t, b, "link")
		form := b.get("/organisaties/" + orgID + "/diagnoses/nieuw")
		for _, want := range []string{"Beleid; 40\nUitvoering; 300\nStaf\n</textarea>", `<option value="` + diagID + `" selected>`, "Overgenomen van de vorige meting, Meting voorjaar"} {
			if !strings.Contains(form.body, want) {
				t.Errorf("the next wave's form lacks %q: %s", want, snippet(form.body))
			}
		}
		// A first measurement starts empty.
		p := postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{"name": {"Nieuw"}, "sector": {"provincie"}})
		fresh := b.get(p.location + "/diagnoses/nieuw")
		if !strings.Contains(fresh.body, `name="units" rows="8" aria-describedby="units-hint"></textarea>`) || strings.Contains(fresh.body, "Overgenomen") {
			t.Errorf("a first measurement's form is not empty: %s", snippet(fresh.body))
		}
	})
}

func TestLiveProgressAnswersWhatThePageShows(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, diagID := createOrgAndDiagnostic(t, b, "link")
		draft := b.get("/diagnoses/" + diagID)
		if strings.Contains(draft.body, "progress.js") {
			t.Error("a draft polls for progress")
		}
		postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/openen", nil)
		page := b.get("/diagnoses/" + diagID)
		for _, want := range []string{`id="live-progress" aria-live="polite" data-progress-url="/diagnoses/` + diagID + `/voortgang.json"`, `<script src="/static/progress.js" defer></script>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("diagnostic page lacks %q", want)
			}
		}
		if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		submitTo(t, st, diagID, 3)
		p := b.get("/diagnoses/" + diagID + "/voortgang.json")
		var got liveProgress
		if err := json.Unmarshal([]byte(p.body), &got); err != nil || p.status != http.StatusOK {
			t.Fatalf("progress JSON: %d %v %s", p.status, err, p.body)
		}
		if got.Total != 3 || got.Text != "3 ingevulde vragenlijsten. Respons: 1%." || p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("progress JSON: %+v %q", got, p.header.Get("Cache-Control"))
		}
		js := b.get("/static/progress.js")
		if js.status != http.StatusOK || !strings.Contains(js.body, "live-progress") {
			t.Errorf("progress.js: %d", js.status)
		}
		other := f.browser(t)
		signIn(t, f, other, "Adviesbureau B", "bert@b.example", false)
		if p := other.get("/diagnoses/" + diagID + "/voortgang.json"); p.status != http.StatusNotFound {
			t.Errorf("another firm reads the progress: %d", p.status)
		}
	})
}

func TestPeriodShowsTheFieldworkThatRan(t *testing.T) {
	loc := time.Local
	day := func(m time.Month, d int) *time.Time { v := time.Date(2026, m, d, 10, 0, 0, 0, loc); return &v }
	end := func(m time.Month, d int) *time.Time { v := time.Date(2026, m, d+1, 0, 0, 0, 0, loc); return &v }
	tr := newTestTranslator(t, "nl")
	for _, c := range []struct {
		name string
		d    survey.Diagnostic
		want string
	}{
		{"no dates, never opened", survey.Diagnostic{State: survey.StateDraft}, "Geen data ingesteld"},
		{"opened and closed by hand", survey.Diagnostic{State: survey.StateClosed, OpenedAt: day(12, 1), ClosedAt: day(12, 5)}, "1 december 2026 tot en met 5 december 2026"},
		{"open by hand", survey.Diagnostic{State: survey.StateOpen, OpenedAt: day(12, 1)}, "vanaf 1 december 2026"},
		{"dates set", survey.Diagnostic{State: survey.StateDraft, OpensAt: day(11, 2), ClosesAt: end(11, 20)}, "2 november 2026 tot en met 20 november 2026"},
		{"closed by hand before its closing date", survey.Diagnostic{State: survey.StateClosed, OpensAt: day(11, 2), ClosesAt: end(11, 20), ClosedAt: day(11, 9)}, "2 november 2026 tot en met 9 november 2026"},
		{"opened by hand before its opening date", survey.Diagnostic{State: survey.StateOpen, OpenedAt: day(10, 30), OpensAt: day(11, 2), ClosesAt: end(11, 20)}, "30 oktober 2026 tot en met 20 november 2026"},
		{"closing date only", survey.Diagnostic{State: survey.StateDraft, ClosesAt: end(11, 20)}, "tot en met 20 november 2026"},
	} {
		if got := periodText(&c.d, tr); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func newTestTranslator(t *testing.T, lang string) Translator {
	t.Helper()
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	return texts.For(lang)
}

func TestAuditLogReadsAsSentencesWithEmailAddresses(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		admin := f.browser(t)
		ann := signIn(t, f, admin, "Adviesbureau Noord", "ann@noord.example", true)
		bob := ensureConsultant(t, st, "Adviesbureau Noord", "bob@noord.example", false)
		_, diagID := createOrgAndDiagnostic(t, admin, "codes")
		postForm(t, admin, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/openen", nil)
		postForm(t, admin, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/sluiten", nil)
		ctx := context.Background()
		// Entries whose only name is an id: a consultant's and a deleted
		// diagnostic's.
		for _, e := range []*survey.AuditEntry{
			{FirmID: ann.FirmID, ConsultantID: ann.ID, Email: ann.Email, Action: "disable", TargetType: "consultant", TargetID: bob.ID},
			{FirmID: ann.FirmID, ConsultantID: ann.ID, Email: ann.Email, Action: "delete", TargetType: "diagnostic", TargetID: "weg", Detail: "Oude meting (12 responses)"},
			{FirmID: ann.FirmID, ConsultantID: ann.ID, Email: ann.Email, Action: "create_codes", TargetType: "diagnostic", TargetID: diagID, Detail: "100 codes"},
		} {
			if err := st.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		p := admin.get("/audit")
		for _, want := range []string{
			"<td>Account van bob@noord.example uitgeschakeld</td>",
			"<td>Diagnose ‘Oude meting’ met alle antwoorden verwijderd</td><td>12 responses</td>",
			"<td>Toegangscodes gemaakt voor diagnose ‘Meting voorjaar’</td><td>100 codes</td>",
			"<td>Diagnose ‘Meting voorjaar’ gesloten</td><td></td>",
			"<td>Diagnose ‘Meting voorjaar’ geopend voor respondenten</td>",
			"<td>ann@noord.example</td>",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("audit log lacks %q", want)
			}
		}
		for _, raw := range []string{bob.ID, ">create_codes<", ">close<", ">" + diagID + "<"} {
			if strings.Contains(p.body, raw) {
				t.Errorf("audit log shows the raw %q", raw)
			}
		}
		// Times on one line, the month as a word: "5 dec 2026 14:03".
		if !regexp.MustCompile(`<td class="nowrap">\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) \d{4} \d\d:\d\d</td>`).MatchString(p.body) {
			t.Errorf("audit times: %s", snippet(p.body))
		}
		if en := admin.get("/audit?lang=en"); !strings.Contains(en.body, "Disabled the account of bob@noord.example") {
			t.Error("English audit sentences")
		}
	})
}
