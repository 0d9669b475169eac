package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var (
	reTakeLink   = regexp.MustCompile(`href="(/diagnoses/[^"]+/actieplan\?stap=[^"#]+)#nieuw"`)
	reFormField  = regexp.MustCompile(`<textarea class="textarea" id="title" name="title"[^>]*>([^<]*)</textarea>`)
	reOwnerValue = regexp.MustCompile(`id="owner" name="owner" type="text" value="([^"]*)"`)
	reDueValue   = regexp.MustCompile(`id="due_date" name="due_date" type="date" value="([^"]*)"`)
	reSource     = regexp.MustCompile(`name="source" value="([^"]*)"`)
	reActionID   = regexp.MustCompile(`#actie-([A-Za-z0-9_-]+)$`)
)

// takeSuggestion follows the n-th "take over" link of the plan page and
// returns the prefilled form as the browser would send it.
func takeSuggestion(t *testing.T, b *browser, planURL string, n int) url.Values {
	t.Helper()
	p := b.get(planURL)
	links := reTakeLink.FindAllStringSubmatch(p.body, -1)
	if p.status != http.StatusOK || len(links) <= n {
		t.Fatalf("plan page: %d, %d suggestions: %s", p.status, len(links), snippet(p.body))
	}
	p = b.get(html.UnescapeString(links[n][1]))
	title, owner, due, source := reFormField.FindStringSubmatch(p.body), reOwnerValue.FindStringSubmatch(p.body),
		reDueValue.FindStringSubmatch(p.body), reSource.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || title == nil || owner == nil || due == nil || source == nil || title[1] == "" || owner[1] == "" || source[1] == "" {
		t.Fatalf("prefilled form: %d %v %v %v", p.status, title, owner, source)
	}
	v := url.Values{
		"title": {html.UnescapeString(title[1])}, "owner": {html.UnescapeString(owner[1])}, "source": {source[1]},
		"due_date": {due[1]}, "goal": {"Elk overleg eindigt met een besluit"},
	}
	if m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(p.body[strings.Index(p.body, `id="target"`):]); m != nil {
		v.Set("target", m[1])
	}
	if due[1] == "" {
		// A horizon without a term: the consultant picks a sprint.
		v.Set("start_date", "2026-03-02")
		v.Set("sprint_weeks", "8")
	} else {
		v.Set("start_date", "2026-03-02")
	}
	return v
}

func TestActionPlanFromSuggestions(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 41})
		planURL := planPath(d.ID)

		p := rf.b.get(planURL)
		if p.status != http.StatusOK || !strings.Contains(p.body, "Stappen uit het advies") || !strings.Contains(p.body, "Er staan nog geen acties in het plan") {
			t.Fatalf("empty plan page: %d %s", p.status, snippet(p.body))
		}
		if p := rf.b.get(resultsPath(d.ID)); !strings.Contains(p.body, `href="/diagnoses/`+d.ID+`/actieplan"`) {
			t.Error("the results page does not link to the plan")
		}

		// Three actions from the suggestions.
		var ids []string
		for i := range 3 {
			form := takeSuggestion(t, rf.b, planURL, 0)
			p := postForm(t, rf.b, planURL, planURL, form)
			if p.status != http.StatusSeeOther {
				t.Fatalf("create %d: %d %s", i, p.status, snippet(p.body))
			}
			m := reActionID.FindStringSubmatch(p.location)
			if m == nil {
				t.Fatalf("redirect %q", p.location)
			}
			ids = append(ids, m[1])
			p = rf.b.get(p.location)
			if !strings.Contains(p.body, "staat in het plan") || !strings.Contains(p.body, html.EscapeString(form.Get("title"))) {
				t.Errorf("after create %d: no flash or title", i)
			}
		}
		plan, err := st.ActionsForDiagnostic(context.Background(), rf.cons.FirmID, d.ID)
		if err != nil || len(plan) != 3 {
			t.Fatalf("stored plan: %d, %v", len(plan), err)
		}
		for _, a := range plan {
			if a.Source == "" || a.Owner == "" || a.Due() == nil || a.Status != survey.ActionPlanned {
				t.Errorf("stored action %+v", a)
			}
		}
		// A chosen step is marked and offered no more.
		if p := rf.b.get(planURL); strings.Count(p.body, "al in het plan") != 3 {
			t.Errorf("chosen steps marked %d times", strings.Count(p.body, "al in het plan"))
		}

		// Status change with a note shows in the week's changes.
		p = postForm(t, rf.b, planURL, planURL+"/"+ids[0], map[string][]string{"status": {"bezig"}, "note": {"Eerste overleg gepland"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("change: %d %s", p.status, snippet(p.body))
		}
		p = rf.b.get(planURL)
		if !strings.Contains(p.body, "gepland → bezig – Eerste overleg gepland") || !strings.Contains(p.body, "3 acties: 2 gepland, 1 bezig, 0 klaar, 0 gestopt. 0 over de termijn.") {
			t.Errorf("dashboard after change: %d %s", p.status, snippet(from(p.body, "dashboard-heading")))
		}
		// The same status without a note changes nothing and says so.
		p = postForm(t, rf.b, planURL, planURL+"/"+ids[0], map[string][]string{"status": {"bezig"}, "note": {""}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Kies een andere status of schrijf een notitie") {
			t.Errorf("empty change: %d", p.status)
		}
		p = postForm(t, rf.b, planURL, planURL+"/"+ids[0], map[string][]string{"status": {"af"}, "note": {"Bewaard?"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Kies een status uit de lijst") || !strings.Contains(p.body, "Bewaard?") {
			t.Errorf("bad status: %d", p.status)
		}

		// An action past its due day is overdue; the due day itself is not.
		p = postForm(t, rf.b, planURL, planURL, map[string][]string{"title": {"Te laat"}, "owner": {"Directie"}, "start_date": {"2026-02-01"}, "due_date": {"2026-03-01"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("past action: %d %s", p.status, snippet(p.body))
		}
		p = postForm(t, rf.b, planURL, planURL, map[string][]string{"title": {"Vandaag klaar"}, "owner": {"Directie"}, "due_date": {"2026-03-02"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("action due today: %d %s", p.status, snippet(p.body))
		}
		p = rf.b.get(planURL)
		overdue := from(p.body, "overdue-heading")
		if !strings.Contains(p.body, "5 acties: 4 gepland, 1 bezig, 0 klaar, 0 gestopt. 1 over de termijn.") || !strings.Contains(overdue, "Te laat") ||
			strings.Contains(overdue[:strings.Index(overdue, "</ul>")], "Vandaag klaar") {
			t.Errorf("overdue: %d %s", p.status, snippet(from(p.body, "dashboard-heading")))
		}

		// The one-page PDF.
		p = rf.b.get(planURL + ".pdf")
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.Contains(p.header.Get("Content-Disposition"), "actieplan.pdf") {
			t.Fatalf("PDF: %d %s", p.status, p.header.Get("Content-Type"))
		}
		if text, ok := hostilePDFText(t, []byte(p.body)); ok {
			if strings.Count(text, "\f") != 1 || !strings.Contains(text, "Actieplan") || !strings.Contains(text, "Over de termijn") ||
				!strings.Contains(text, "Te laat") || !strings.Contains(text, "Veranderd in de afgelopen week") || !strings.Contains(text, "5 acties: 4 gepland, 1 bezig") {
				t.Errorf("PDF text: %q", text)
			}
		}

		// Edit: the form holds the action; a refused edit keeps what was
		// typed; a good one keeps the status and the source.
		edit := planURL + "/" + ids[0] + "/bewerken"
		p = rf.b.get(edit)
		if p.status != http.StatusOK || !strings.Contains(p.body, "Elk overleg eindigt met een besluit") {
			t.Fatalf("edit page: %d %s", p.status, snippet(p.body))
		}
		p = postForm(t, rf.b, edit, edit, map[string][]string{"title": {"Nieuwe titel"}, "owner": {""}, "due_date": {"2026-07-01"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Nieuwe titel") || !strings.Contains(p.body, "Vul een eigenaar in") {
			t.Errorf("refused edit: %d", p.status)
		}
		p = postForm(t, rf.b, edit, edit, map[string][]string{"title": {"Nieuwe titel"}, "owner": {"Gemeentesecretaris"}, "due_date": {"2026-07-01"}, "source": {"forged"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", p.status, snippet(p.body))
		}
		if a, err := st.Action(context.Background(), rf.cons.FirmID, ids[0]); err != nil || a.Title != "Nieuwe titel" || a.Owner != "Gemeentesecretaris" ||
			a.Status != survey.ActionDoing || a.Source == "forged" || a.Source == "" || !a.DueDate.Equal(*dayPtrOf(2026, 7, 1)) {
			t.Errorf("edited: %+v %v", a, err)
		}

		// Delete.
		p = postForm(t, rf.b, planURL, planURL+"/"+ids[2]+"/verwijderen", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", p.status)
		}
		if plan, _ := st.ActionsForDiagnostic(context.Background(), rf.cons.FirmID, d.ID); len(plan) != 4 {
			t.Errorf("after delete: %d", len(plan))
		}
		got := strings.Join(auditActions(t, st, rf.cons.FirmID), ",")
		for _, want := range []string{actionCreateAction, actionUpdateAction, actionDeleteAction} {
			if !strings.Contains(got, want) {
				t.Errorf("audit lacks %s: %s", want, got)
			}
		}
	})
}

func TestActionFormKeepsInputAndExplains(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 42})
		planURL := planPath(d.ID)
		for _, tc := range []struct {
			form map[string][]string
			want string
		}{
			{map[string][]string{"title": {""}, "owner": {"Directie"}, "due_date": {"2026-06-01"}}, "Beschrijf de actie."},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {""}, "due_date": {"2026-06-01"}}, "Vul een eigenaar in"},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}}, "Kies een datum waarop de actie klaar is, of een sprint."},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "due_date": {"morgen"}}, "‘morgen’ is geen datum"},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "due_date": {"2026-06-01"}, "sprint_weeks": {"8"}, "start_date": {"2026-03-01"}}, "niet allebei"},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "sprint_weeks": {"8"}}, "Een sprint heeft een startdatum nodig."},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "sprint_weeks": {"13"}, "start_date": {"2026-03-01"}}, "Een sprint duurt 6 tot 12 weken."},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "due_date": {"1-2-2026"}, "start_date": {"2026-03-01"}}, "ligt vóór de start"},
			{map[string][]string{"title": {"Werkgroep <b>"}, "owner": {"Directie"}, "due_date": {"2026-06-01"}, "target": {"nonsense"}}, "Kies een factor of route uit de lijst."},
		} {
			p := postForm(t, rf.b, planURL, planURL, tc.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, html.EscapeString(tc.want)) || !strings.Contains(p.body, `class="error-summary"`) {
				t.Errorf("%v: %d, want %q: %s", tc.form, p.status, tc.want, snippet(p.body))
			}
			if title := tc.form["title"][0]; title != "" && !strings.Contains(p.body, html.EscapeString(title)) {
				t.Errorf("%v: the title typed is lost", tc.form)
			}
		}
		// The Dutch way of typing a date is understood.
		p := postForm(t, rf.b, planURL, planURL, map[string][]string{"title": {"Werkgroep"}, "owner": {"Directie"}, "due_date": {"1-6-2026"}})
		if p.status != http.StatusSeeOther {
			t.Errorf("Dutch date: %d %s", p.status, snippet(p.body))
		}
		// In English.
		p = postForm(t, rf.b, planURL+"?lang=en", planURL+"?lang=en", map[string][]string{"title": {""}, "owner": {"x"}, "due_date": {"2026-06-01"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Describe the action.") {
			t.Errorf("English error: %d", p.status)
		}
	})
}

func TestActionPlanNeedsClosedResults(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 43, state: survey.StateOpen})
		for _, path := range []string{planPath(d.ID), planPath(d.ID) + ".pdf"} {
			if p := rf.b.get(path); p.status != http.StatusConflict || !strings.Contains(p.body, "Nog geen actieplan") {
				t.Errorf("%s on an open diagnostic: %d", path, p.status)
			}
		}
		p := postForm(t, rf.b, "/organisaties", planPath(d.ID), map[string][]string{"title": {"x"}, "owner": {"y"}, "due_date": {"2026-06-01"}})
		if p.status != http.StatusConflict {
			t.Errorf("create on an open diagnostic: %d", p.status)
		}
	})
}

// apiSend sends a JSON request with a bearer token.
func apiSend(t *testing.T, f *fixture, token, method, path string, body any) (int, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func TestActionPlanOfAnotherFirmIsNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 44})
		a := &survey.Action{DiagnosticID: d.ID, Title: "Werkgroep", Owner: "Directie", DueDate: dayPtrOf(2026, 6, 1)}
		if err := st.CreateAction(ctx, rf.cons.FirmID, a); err != nil {
			t.Fatal(err)
		}
		other := rf.browser(t)
		cons := signIn(t, rf.fixture, other, "Bureau B", "bob@b.example", false)
		_, otherToken, err := st.CreateAPIToken(ctx, cons.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		csrf := csrfOf(t, other, "/organisaties")
		for _, path := range []string{planPath(d.ID), planPath(d.ID) + ".pdf", planPath(d.ID) + "/" + a.ID + "/bewerken"} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d", path, p.status)
			}
		}
		for path, form := range map[string]url.Values{
			planPath(d.ID):                               {"csrf": {csrf}, "title": {"x"}, "owner": {"y"}, "due_date": {"2026-06-01"}},
			planPath(d.ID) + "/" + a.ID:                  {"csrf": {csrf}, "status": {"klaar"}},
			planPath(d.ID) + "/" + a.ID + "/verwijderen": {"csrf": {csrf}},
			planPath(d.ID) + "/" + a.ID + "/bewerken":    {"csrf": {csrf}, "title": {"x"}, "owner": {"y"}, "due_date": {"2026-06-01"}},
		} {
			if p := other.post(path, form); p.status != http.StatusNotFound {
				t.Errorf("POST %s by another firm: %d", path, p.status)
			}
		}
		// Another firm's own diagnostic does not reach the action either.
		own := rf.create(t, wave{perUnit: []int{10, 10}, seed: 45, firmID: cons.FirmID})
		if p := other.post(planPath(own.ID)+"/"+a.ID, url.Values{"csrf": {csrf}, "status": {"klaar"}}); p.status != http.StatusNotFound {
			t.Errorf("change through an own diagnostic: %d", p.status)
		}
		if p := other.post(planPath(own.ID)+"/"+a.ID+"/verwijderen", url.Values{"csrf": {csrf}}); p.status != http.StatusNotFound {
			t.Errorf("delete through an own diagnostic: %d", p.status)
		}
		if p := other.get(planPath(own.ID) + "/" + a.ID + "/bewerken"); p.status != http.StatusNotFound {
			t.Errorf("edit through an own diagnostic: %d", p.status)
		}
		doc := loadOpenAPI(t)
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/diagnostics/" + d.ID + "/actions", nil},
			{http.MethodPost, "/api/v1/diagnostics/" + d.ID + "/actions", map[string]any{"title": "x", "owner": "y", "due_date": "2026-06-01"}},
			{http.MethodPatch, "/api/v1/actions/" + a.ID, map[string]any{"status": "klaar"}},
		} {
			var code int
			var body []byte
			if req.body == nil {
				code, body = apiGet(t, rf.fixture, otherToken, req.path)
			} else {
				code, body = apiSend(t, rf.fixture, otherToken, req.method, req.path, req.body)
			}
			if code != http.StatusNotFound {
				t.Errorf("API %s %s by another firm: %d %s", req.method, req.path, code, body)
			}
			checkAgainstOpenAPI(t, doc, req.method, req.path, code, body)
		}
		if got, _ := st.Action(ctx, rf.cons.FirmID, a.ID); got.Status != survey.ActionPlanned {
			t.Errorf("the action changed: %+v", got)
		}
	})
}

func TestActionsAPI(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 46})
		token := apiToken(t, rf.resultsFixture)
		doc := loadOpenAPI(t)
		list := "/api/v1/diagnostics/" + d.ID + "/actions"

		code, body := apiGet(t, rf.fixture, token, list)
		if code != http.StatusOK || string(body) != `{"actions":[]}`+"\n" {
			t.Errorf("empty list: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, doc, http.MethodGet, list, code, body)

		code, body = apiSend(t, rf.fixture, token, http.MethodPost, list, map[string]any{
			"title": "Regisseur benoemen", "owner": "Directie", "target": "collaboration", "start_date": "2026-03-02", "sprint_weeks": 8,
			"goal": "Besluit binnen twee weken",
		})
		checkAgainstOpenAPI(t, doc, http.MethodPost, list, code, body)
		var a apiAction
		if err := json.Unmarshal(body, &a); code != http.StatusCreated || err != nil || a.ID == "" || a.Due != "2026-04-27" || a.Status != survey.ActionPlanned {
			t.Fatalf("create: %d %s", code, body)
		}
		for name, bad := range map[string]map[string]any{
			"no owner":      {"title": "x", "due_date": "2026-06-01"},
			"both":          {"title": "x", "owner": "y", "due_date": "2026-06-01", "sprint_weeks": 8, "start_date": "2026-03-02"},
			"bad status":    {"title": "x", "owner": "y", "due_date": "2026-06-01", "status": "done"},
			"unknown field": {"title": "x", "owner": "y", "due_date": "2026-06-01", "colour": "red"},
		} {
			code, body := apiSend(t, rf.fixture, token, http.MethodPost, list, bad)
			if code != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, code, body)
			}
			checkAgainstOpenAPI(t, doc, http.MethodPost, list, code, body)
		}

		patch := "/api/v1/actions/" + a.ID
		code, body = apiSend(t, rf.fixture, token, http.MethodPatch, patch, map[string]any{"status": "bezig", "note": "Gestart"})
		checkAgainstOpenAPI(t, doc, http.MethodPatch, patch, code, body)
		var got apiAction
		if err := json.Unmarshal(body, &got); code != http.StatusOK || err != nil || got.Status != survey.ActionDoing || len(got.Notes) != 1 ||
			got.Notes[0].Text != "Gestart" || got.Notes[0].Author != "anna@a.example" {
			t.Fatalf("patch status: %d %s", code, body)
		}
		// From a sprint to a due date, with a status change in one go.
		code, body = apiSend(t, rf.fixture, token, http.MethodPatch, patch, map[string]any{"sprint_weeks": 0, "due_date": "2026-05-01", "status": "klaar"})
		checkAgainstOpenAPI(t, doc, http.MethodPatch, patch, code, body)
		if err := json.Unmarshal(body, &got); code != http.StatusOK || err != nil || got.Due != "2026-05-01" || got.SprintWeeks != 0 || got.Status != survey.ActionDone || len(got.Notes) != 2 {
			t.Fatalf("patch fields: %d %s", code, body)
		}
		for name, bad := range map[string]map[string]any{
			"nothing":    {},
			"bad status": {"status": "af"},
			"no owner":   {"owner": ""},
			"source":     {"source": "x"},
		} {
			code, body := apiSend(t, rf.fixture, token, http.MethodPatch, patch, bad)
			if code != http.StatusBadRequest {
				t.Errorf("patch %s: %d %s", name, code, body)
			}
			checkAgainstOpenAPI(t, doc, http.MethodPatch, patch, code, body)
		}
		code, body = apiGet(t, rf.fixture, token, list)
		checkAgainstOpenAPI(t, doc, http.MethodGet, list, code, body)
		if code != http.StatusOK || !strings.Contains(string(body), `"status":"klaar"`) {
			t.Errorf("list: %d %s", code, body)
		}
		if code, body := apiSend(t, rf.fixture, token, http.MethodPatch, "/api/v1/actions/nonexistent", map[string]any{"status": "klaar"}); code != http.StatusNotFound {
			t.Errorf("unknown action: %d %s", code, body)
		}
	})
}

func TestDirectorLinkUpdatesActions(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 47})
		a := &survey.Action{DiagnosticID: d.ID, Title: "Werkgroep overdrachten", Owner: "Programmamanager", DueDate: dayPtrOf(2026, 6, 1)}
		if err := st.CreateAction(ctx, rf.cons.FirmID, a); err != nil {
			t.Fatal(err)
		}

		// A link without the right reads the plan but has no forms; its
		// post is refused below, with a valid CSRF token.
		reader := rf.createLink(t, d.ID, "2026-04-01", "nl")
		director := rf.browser(t)
		p := director.get(directorPath(reader))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Werkgroep overdrachten") || strings.Contains(p.body, "/acties/") {
			t.Fatalf("reading director: %d %s", p.status, snippet(p.body))
		}
		// A link with the right.
		pp := postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", map[string][]string{
			"expires_on": {"2026-04-01"}, "lang": {"nl"}, "label": {"MT Uitvoering"}, "can_update": {"ja"},
		})
		if pp.status != http.StatusSeeOther {
			t.Fatalf("create updating link: %d", pp.status)
		}
		pp = rf.b.get(resultsPath(d.ID))
		m := reDirectorLink.FindStringSubmatch(pp.body)
		if m == nil || !strings.Contains(pp.body, "mag acties bijwerken") {
			t.Fatalf("updating link not shown: %s", snippet(pp.body))
		}
		updater := m[1]
		director = rf.browser(t)
		p = director.get(directorPath(updater))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Acties bijwerken") {
			t.Fatalf("updating director page: %d", p.status)
		}
		action, form := formOf(t, p.body)
		if action != directorPath(updater)+"/acties/"+a.ID {
			t.Fatalf("form action %q", action)
		}
		// Without the CSRF token: refused.
		if p := director.post(action, url.Values{"status": {"klaar"}}); p.status != http.StatusForbidden {
			t.Errorf("without CSRF: %d", p.status)
		}
		// The reading link's token cannot use the updating form's path.
		if p := director.post(directorPath(reader)+"/acties/"+a.ID, url.Values{"csrf": {form.Get("csrf")}, "status": {"klaar"}}); p.status != http.StatusForbidden {
			t.Errorf("reading link with a valid CSRF token: %d", p.status)
		}
		// An empty change is explained, nothing stored.
		if p := director.post(action, url.Values{"csrf": {form.Get("csrf")}, "status": {"gepland"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Kies een andere status of schrijf een notitie") {
			t.Errorf("empty change: %d", p.status)
		}
		form.Set("status", "klaar")
		form.Set("note", "Werkgroep is gestart")
		p = director.post(action, form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("director change: %d %s", p.status, snippet(p.body))
		}
		p = director.get(p.location)
		if !strings.Contains(p.body, "De actie is bijgewerkt.") || !strings.Contains(p.body, "gepland → klaar – Werkgroep is gestart") {
			t.Errorf("after change: %s", snippet(p.body))
		}
		got, _ := st.Action(ctx, rf.cons.FirmID, a.ID)
		if got.Status != survey.ActionDone || len(got.Notes) != 1 || got.Notes[0].Author != "MT Uitvoering" {
			t.Errorf("stored: %+v", got)
		}
		// The consultant sees it on the plan page, and in the audit log
		// under the link's label.
		if p := rf.b.get(planPath(d.ID)); !strings.Contains(p.body, "MT Uitvoering") || !strings.Contains(p.body, "1 klaar") {
			t.Errorf("plan page after the director's change: %s", snippet(p.body))
		}
		entries, err := st.ListAudit(ctx, rf.cons.FirmID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Action == actionDirectorUpdate && e.Email == "MT Uitvoering" && e.ConsultantID == "" && e.TargetID == a.ID {
				found = true
				texts, err := loadTranslations(uitvoeringskracht.Templates)
				if err != nil {
					t.Fatal(err)
				}
				v := describeAudit(e, auditNames{}, texts.For("nl"))
				if v.Who != "Directielink ‘MT Uitvoering’" || !strings.Contains(v.Action, "Werkgroep overdrachten") {
					t.Errorf("audit view %+v", v)
				}
			}
		}
		if !found {
			t.Errorf("no audit entry of the director's change")
		}

		// The director adds an action from the advice; a refused form keeps
		// what was typed; a reading link cannot add.
		p = director.get(directorPath(updater))
		if wsLinks := reTakeLink.FindAllStringSubmatch(p.body, -1); len(wsLinks) != 0 {
			t.Fatalf("director take-over links point at the workspace: %v", wsLinks[0])
		}
		take := regexp.MustCompile(`href="(/r/[^"]+\?stap=[^"#]+)#nieuw"`).FindStringSubmatch(p.body)
		if take == nil {
			t.Fatalf("no suggestions on the updating director page: %s", snippet(from(p.body, "suggestions-heading")))
		}
		p = director.get(html.UnescapeString(take[1]))
		title, source := reFormField.FindStringSubmatch(p.body), reSource.FindStringSubmatch(p.body)
		if title == nil || title[1] == "" || source == nil || source[1] == "" {
			t.Fatalf("director's prefilled form: %s", snippet(from(p.body, "new-heading")))
		}
		create := url.Values{"csrf": {form.Get("csrf")}, "title": {html.UnescapeString(title[1])}, "owner": {""}, "source": {source[1]}, "due_date": {"2026-06-01"}}
		if p := director.post(directorPath(updater)+"/acties", create); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, "Vul een eigenaar in") || !strings.Contains(p.body, title[1]) {
			t.Errorf("director's refused action: %d", p.status)
		}
		if p := director.post(directorPath(reader)+"/acties", create); p.status != http.StatusForbidden {
			t.Errorf("reading link adds: %d", p.status)
		}
		create.Set("owner", "MT")
		if p := director.post(directorPath(updater)+"/acties", create); p.status != http.StatusSeeOther {
			t.Errorf("director adds: %d %s", p.status, snippet(p.body))
		}
		if plan, _ := st.ActionsForDiagnostic(ctx, rf.cons.FirmID, d.ID); len(plan) != 2 || plan[0].Source+plan[1].Source != source[1] {
			t.Errorf("after the director's addition: %+v", plan)
		}
		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); !strings.Contains(got, actionDirectorCreate) {
			t.Errorf("the director's addition is not audited: %s", got)
		}

		// The updating link cannot reach an action of another diagnostic.
		d2 := rf.create(t, wave{perUnit: []int{10, 10}, seed: 48})
		b2 := &survey.Action{DiagnosticID: d2.ID, Title: "Elders", Owner: "x", DueDate: dayPtrOf(2026, 6, 1)}
		if err := st.CreateAction(ctx, rf.cons.FirmID, b2); err != nil {
			t.Fatal(err)
		}
		if p := director.post(directorPath(updater)+"/acties/"+b2.ID, url.Values{"csrf": {form.Get("csrf")}, "status": {"klaar"}}); p.status != http.StatusNotFound {
			t.Errorf("other diagnostic's action: %d", p.status)
		}
		// A revoked link can no longer update.
		links, _ := st.ListDirectorLinks(ctx, rf.cons.FirmID, d.ID)
		for _, l := range links {
			if l.CanUpdate {
				if err := st.RevokeDirectorLink(ctx, rf.cons.FirmID, d.ID, l.ID, rf.clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if p := director.post(action, url.Values{"csrf": {form.Get("csrf")}, "status": {"bezig"}}); p.status != http.StatusGone {
			t.Errorf("revoked link: %d", p.status)
		}
	})
}

func dayPtrOf(y, m, d int) *time.Time {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return &t
}

// from is body from the first occurrence of marker, or all of it.
func from(body, marker string) string {
	if i := strings.Index(body, marker); i >= 0 {
		return body[i:]
	}
	return body
}

func TestNextWaveReportSaysWhatWasDone(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		prev := rf.create(t, wave{perUnit: []int{10, 10}, seed: 51})
		for _, a := range []*survey.Action{
			{DiagnosticID: prev.ID, Title: "Eén regisseur per opgave", Target: "governance", Owner: "Directie", DueDate: dayPtrOf(2026, 6, 1), Status: survey.ActionDone},
			{DiagnosticID: prev.ID, Title: "Werkgroep overdrachten", Target: "collaboration", Owner: "Programmamanager", DueDate: dayPtrOf(2026, 6, 1)},
		} {
			if err := st.CreateAction(ctx, rf.cons.FirmID, a); err != nil {
				t.Fatal(err)
			}
		}
		next := rf.create(t, wave{perUnit: []int{10, 10}, seed: 52, previous: prev.ID, shift: 1})
		p := rf.b.get(reportPath(next.ID, reportFileHTML))
		body := html.UnescapeString(p.body)
		if p.status != http.StatusOK || !strings.Contains(body, "Wat er sinds de vorige meting is gedaan") ||
			!strings.Contains(body, "stonden 2 acties: 1 klaar, 0 bezig, 1 gepland en 0 gestopt") ||
			!strings.Contains(body, "Eén regisseur per opgave") || !strings.Contains(body, "bewijst niet dat de actie die verandering veroorzaakte") {
			t.Errorf("next wave's report: %d %s", p.status, snippet(from(body, "Wat er sinds")))
		}
		// The first wave's own report has no such section.
		if p := rf.b.get(reportPath(prev.ID, reportFileHTML)); strings.Contains(p.body, "Wat er sinds de vorige meting is gedaan") {
			t.Error("a first wave's report has the section")
		}
	})
}
