package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// apiFixture is a server with the questionnaire on offer and no data. Every
// answer it gets is checked against docs/openapi.yaml.
type apiFixture struct {
	srv   *httptest.Server
	store *store.Store
	srvr  *Server
	doc   *openAPIDoc
}

func newAPIFixture(t *testing.T, st *store.Store) *apiFixture {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Accounts: st, Files: uitvoeringskracht.Templates,
		Questionnaires: []*survey.Questionnaire{q}, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &apiFixture{srv: srv, store: st, srvr: s, doc: loadOpenAPI(t)}
}

// consultant creates a firm with one consultant and returns the consultant
// and an API token of theirs.
func (f *apiFixture) consultant(t *testing.T, firmName, email string) (*survey.Consultant, string) {
	t.Helper()
	ctx := context.Background()
	firm := &survey.Firm{Name: firmName}
	if err := f.store.CreateFirm(ctx, firm); err != nil {
		t.Fatal(err)
	}
	cons := &survey.Consultant{FirmID: firm.ID, Email: email}
	// API tokens never look at the password.
	if err := f.store.CreateConsultant(ctx, cons, "not-a-password-hash"); err != nil {
		t.Fatal(err)
	}
	_, token, err := f.store.CreateAPIToken(ctx, cons.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	return cons, token
}

type apiAnswer struct {
	status int
	header http.Header
	body   []byte
}

// fields decodes the body into a map, for checks on which keys exist.
func (a apiAnswer) fields(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("not a JSON object: %s", a.body)
	}
	return m
}

func (a apiAnswer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, a.body)
	}
}

// problem decodes an error answer and checks its status and code.
func (a apiAnswer) problem(t *testing.T, status int, code string) apiProblemBody {
	t.Helper()
	var p apiProblemBody
	a.decode(t, &p)
	if a.status != status || p.Code != code || p.Message == "" {
		t.Errorf("want %d %q, got %d %s", status, code, a.status, a.body)
	}
	return p
}

// call sends a request with the token as bearer token (none when empty).
// A string body is sent as it is, anything else as JSON; both with the
// JSON content type.
func (f *apiFixture) call(t *testing.T, token, method, path string, body any) apiAnswer {
	t.Helper()
	return f.callWith(t, method, path, body, map[string]string{"Authorization": "Bearer " + token})
}

func (f *apiFixture) callWith(t *testing.T, method, path string, body any, headers map[string]string) apiAnswer {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "Bearer " {
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q: %s", method, path, ct, data)
	}
	// The body limit refuses a declared oversize body before any route
	// middleware runs.
	if resp.Header.Get("Cache-Control") != "no-store" && resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("%s %s: an API answer may be cached", method, path)
	}
	checkAgainstOpenAPI(t, f.doc, method, path, resp.StatusCode, data)
	return apiAnswer{status: resp.StatusCode, header: resp.Header, body: data}
}

func (f *apiFixture) createOrganisation(t *testing.T, token, name string) apiOrganisation {
	t.Helper()
	a := f.call(t, token, http.MethodPost, "/api/v1/organisations", map[string]any{"name": name, "sector": "gemeente", "headcount": 1200})
	if a.status != http.StatusCreated {
		t.Fatalf("create organisation: %d %s", a.status, a.body)
	}
	var o apiOrganisation
	a.decode(t, &o)
	return o
}

// diagnosticBody is a valid request; over replaces or, with nil, drops
// fields.
func diagnosticBody(over map[string]any) map[string]any {
	body := map[string]any{
		"name": "Meting voorjaar", "questionnaire": "uitvoeringskracht@1", "languages": []string{"en"},
		"units":          []map[string]any{{"name": "Beleid", "headcount": 40}, {"name": "Uitvoering", "headcount": 300}, {"name": "Staf"}},
		"min_group_size": 5, "access": "link",
	}
	for k, v := range over {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return body
}

func (f *apiFixture) createDiagnostic(t *testing.T, token, orgID string, over map[string]any) apiDiagnostic {
	t.Helper()
	a := f.call(t, token, http.MethodPost, "/api/v1/organisations/"+orgID+"/diagnostics", diagnosticBody(over))
	if a.status != http.StatusCreated {
		t.Fatalf("create diagnostic: %d %s", a.status, a.body)
	}
	var d apiDiagnostic
	a.decode(t, &d)
	return d
}

func (f *apiFixture) getDiagnostic(t *testing.T, token, id string) apiDiagnostic {
	t.Helper()
	a := f.call(t, token, http.MethodGet, "/api/v1/diagnostics/"+id, nil)
	if a.status != http.StatusOK {
		t.Fatalf("get diagnostic: %d %s", a.status, a.body)
	}
	var d apiDiagnostic
	a.decode(t, &d)
	return d
}

func (f *apiFixture) progress(t *testing.T, token, id string) (apiProgress, apiAnswer) {
	t.Helper()
	a := f.call(t, token, http.MethodGet, "/api/v1/diagnostics/"+id+"/progress", nil)
	if a.status != http.StatusOK {
		t.Fatalf("progress: %d %s", a.status, a.body)
	}
	var p apiProgress
	a.decode(t, &p)
	return p, a
}

// concreteAPIPaths gives every registered API route a concrete path: ids
// of organisations for /organisations/{id}, of diagnostics otherwise. New
// routes are covered without changes here.
func concreteAPIPaths(s *Server, orgID, diagID string) [][2]string {
	var out [][2]string
	for _, r := range registeredAPIRoutes(s) {
		method, path, _ := strings.Cut(r, " ")
		id := diagID
		if strings.HasPrefix(path, "/api/v1/organisations/") {
			id = orgID
		}
		path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, id)
		out = append(out, [2]string{method, path})
	}
	return out
}

func TestAPIOrganisations(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		cons, token := f.consultant(t, "Adviesbureau A", "anna@a.example")

		a := f.call(t, token, http.MethodPost, "/api/v1/organisations", map[string]any{"name": "  Waterschap Rijn & IJssel ", "sector": "waterschap", "headcount": 800})
		if a.status != http.StatusCreated {
			t.Fatalf("create: %d %s", a.status, a.body)
		}
		var o apiOrganisation
		a.decode(t, &o)
		if o.ID == "" || o.Name != "Waterschap Rijn & IJssel" || o.Sector != "waterschap" || o.Headcount != 800 || o.CreatedAt.IsZero() {
			t.Errorf("created %+v", o)
		}
		if loc := a.header.Get("Location"); loc != "/api/v1/organisations/"+o.ID {
			t.Errorf("Location %q", loc)
		}
		stored, err := st.OrganisationForFirm(context.Background(), cons.FirmID, o.ID)
		if err != nil || stored.Name != o.Name {
			t.Fatalf("not stored in the consultant's firm: %v %v", stored, err)
		}

		var got apiOrganisation
		f.call(t, token, http.MethodGet, "/api/v1/organisations/"+o.ID, nil).decode(t, &got)
		if got != o {
			t.Errorf("get %+v, want %+v", got, o)
		}
		f.createOrganisation(t, token, "Gemeente Aa en Hunze")
		var list apiOrganisationList
		f.call(t, token, http.MethodGet, "/api/v1/organisations", nil).decode(t, &list)
		if len(list.Organisations) != 2 || list.Organisations[0].Name != "Gemeente Aa en Hunze" || list.Organisations[1] != o {
			t.Errorf("list %+v", list)
		}
		// A headcount is optional.
		a = f.call(t, token, http.MethodPost, "/api/v1/organisations", map[string]any{"name": "Provincie", "sector": "provincie"})
		if a.status != http.StatusCreated || a.fields(t)["headcount"] != float64(0) {
			t.Errorf("without headcount: %d %s", a.status, a.body)
		}
		if got := auditActions(t, st, cons.FirmID); len(got) != 3 || got[0] != "create" {
			t.Errorf("audit %v", got)
		}

		if p := f.call(t, token, http.MethodGet, "/api/v1/organisations/nope", nil).problem(t, http.StatusNotFound, "not_found"); p.Fields != nil {
			t.Errorf("not found with fields: %+v", p)
		}
	})
}

func TestAPIRequestValidation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		_, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		post := func(body any) apiAnswer {
			return f.call(t, token, http.MethodPost, "/api/v1/organisations", body)
		}

		p := post(map[string]any{"name": " ", "sector": "bank", "headcount": -3}).problem(t, http.StatusBadRequest, "invalid")
		want := map[string]string{
			"name":      "Enter the name of the organisation.",
			"sector":    `Use one of "gemeente", "provincie", "waterschap", "ministerie", "uitvoeringsorganisatie", "zbo" or "overig".`,
			"headcount": "Enter the number of employees as a whole number, such as 1200.",
		}
		if !mapsEqual(p.Fields, want) {
			t.Errorf("fields %v, want %v", p.Fields, want)
		}
		if p := post(map[string]any{"name": strings.Repeat("x", 201), "sector": "zbo"}).problem(t, http.StatusBadRequest, "invalid"); p.Fields["name"] != "The name can have at most 200 characters." {
			t.Errorf("long name: %v", p.Fields)
		}

		p = post(`{"name": "X", "sector": "overig", "colour": "blue"}`).problem(t, http.StatusBadRequest, "invalid")
		if p.Fields["colour"] != "unknown field" || !strings.Contains(p.Message, `"colour"`) {
			t.Errorf("unknown field: %+v", p)
		}
		p = post(`{"name": 12, "sector": "overig"}`).problem(t, http.StatusBadRequest, "invalid")
		if p.Fields["name"] != "must be a string" {
			t.Errorf("wrong type: %+v", p)
		}
		p = post(`{"name": "X", "sector": "overig", "headcount": 1e30}`).problem(t, http.StatusBadRequest, "invalid")
		if p.Fields["headcount"] != "must be a whole number" {
			t.Errorf("huge number: %+v", p)
		}
		for _, body := range []string{`{"name": "X",`, ``, `[1, 2]`, `"x"`, `{"name": "X", "sector": "overig"} {"name": "Y"}`, `{"name": "X", "sector": "overig"} x`} {
			if p := post(body).problem(t, http.StatusBadRequest, "invalid"); len(p.Fields) != 0 {
				t.Errorf("%q: fields %v", body, p.Fields)
			}
		}
		a := f.callWith(t, http.MethodPost, "/api/v1/organisations", nil, map[string]string{
			"Authorization": "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded",
		})
		a.problem(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
		a = f.call(t, token, http.MethodPost, "/api/v1/organisations", `{"name": "`+strings.Repeat("x", 70_000)+`", "sector": "zbo"}`)
		a.problem(t, http.StatusRequestEntityTooLarge, "request_entity_too_large")

		var list apiOrganisationList
		f.call(t, token, http.MethodGet, "/api/v1/organisations", nil).decode(t, &list)
		if len(list.Organisations) != 0 {
			t.Errorf("a refused request created %+v", list)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestAPIDiagnosticLifecycle(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		cons, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, token, "Gemeente Voorbeeld")

		// Far-future dates: the diagnostic stays a draft until opened.
		d := f.createDiagnostic(t, token, org.ID, map[string]any{"opens_on": "2099-03-01", "closes_on": "2099-03-31", "min_group_size": 6})
		stored, err := st.DiagnosticForFirm(context.Background(), cons.FirmID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantUnits := []apiUnit{{ID: "u1", Name: "Beleid", Headcount: 40}, {ID: "u2", Name: "Uitvoering", Headcount: 300}, {ID: "u3", Name: "Staf"}}
		if d.OrganisationID != org.ID || d.Name != "Meting voorjaar" || d.Questionnaire != "uitvoeringskracht@1" ||
			strings.Join(d.Languages, ",") != "nl,en" || !slices.Equal(d.Units, wantUnits) || d.MinGroupSize != 6 ||
			d.Access != "link" || d.State != survey.StateDraft || d.OpensOn != "2099-03-01" || d.ClosesOn != "2099-03-31" ||
			d.PreviousID != "" || d.Counts != (apiCounts{}) {
			t.Errorf("created %+v", d)
		}
		if d.URL != "http://uk.test/d/"+stored.Token {
			t.Errorf("url %q, want the respondent link", d.URL)
		}
		if stored.Questionnaire.ID != "uitvoeringskracht" || stored.Units[1].Headcount != 300 || stored.State != survey.StateDraft {
			t.Errorf("stored %+v", stored)
		}
		if got := f.getDiagnostic(t, token, d.ID); !diagnosticsEqual(got, d) {
			t.Errorf("get %+v, want %+v", got, d)
		}

		var opened apiDiagnostic
		a := f.call(t, token, http.MethodPost, "/api/v1/diagnostics/"+d.ID+"/open", nil)
		a.decode(t, &opened)
		// Opening by hand before the opening day drops that day.
		if a.status != http.StatusOK || opened.State != survey.StateOpen || opened.OpensOn != "" || opened.ClosesOn != "2099-03-31" {
			t.Errorf("open: %d %+v", a.status, opened)
		}
		if got := f.getDiagnostic(t, token, d.ID); got.State != survey.StateOpen {
			t.Errorf("after open: %s", got.State)
		}
		var closed apiDiagnostic
		a = f.call(t, token, http.MethodPost, "/api/v1/diagnostics/"+d.ID+"/close", nil)
		a.decode(t, &closed)
		if a.status != http.StatusOK || closed.State != survey.StateClosed || f.getDiagnostic(t, token, d.ID).State != survey.StateClosed {
			t.Errorf("close: %d %+v", a.status, closed)
		}

		// Defaults, and a follow-up wave.
		next := f.createDiagnostic(t, token, org.ID, map[string]any{"name": "Meting najaar", "languages": nil, "min_group_size": nil, "access": nil, "previous_id": d.ID})
		if next.PreviousID != d.ID || next.MinGroupSize != survey.DefaultMinGroupSize || next.Access != "link" || strings.Join(next.Languages, ",") != "nl" || next.OpensOn != "" {
			t.Errorf("defaults: %+v", next)
		}
		var list apiDiagnosticList
		f.call(t, token, http.MethodGet, "/api/v1/organisations/"+org.ID+"/diagnostics", nil).decode(t, &list)
		if len(list.Diagnostics) != 2 || list.Diagnostics[0].ID != next.ID || list.Diagnostics[1].State != survey.StateClosed {
			t.Errorf("list %+v", list)
		}
		got := strings.Join(auditActions(t, st, cons.FirmID), ",")
		if got != "create,close,open,create,create" {
			t.Errorf("audit %s", got)
		}
	})
}

// diagnosticsEqual compares what the API shows; times are compared as
// instants, since JSON drops their location.
func diagnosticsEqual(a, b apiDiagnostic) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return false
	}
	a.CreatedAt = b.CreatedAt
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestAPIDiagnosticValidation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		_, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, token, "Gemeente Voorbeeld")
		other := f.createOrganisation(t, token, "Gemeente Elders")
		otherDiag := f.createDiagnostic(t, token, other.ID, nil)
		post := func(body any) apiProblemBody {
			t.Helper()
			return f.call(t, token, http.MethodPost, "/api/v1/organisations/"+org.ID+"/diagnostics", body).problem(t, http.StatusBadRequest, "invalid")
		}

		p := post(map[string]any{
			"name": "", "questionnaire": "uitvoeringskracht@9", "languages": []string{"nl", "fr"},
			"units": []map[string]any{{"name": "Staf"}, {"name": "staf"}}, "opens_on": "2026-05-01", "closes_on": "2026-04-01",
			"min_group_size": 3, "access": "open", "previous_id": otherDiag.ID,
		})
		want := map[string]string{
			"name":           "Enter the name of the diagnostic.",
			"questionnaire":  `Use one of "uitvoeringskracht@1".`,
			"languages":      `Use only "nl" or "en"; Dutch is always offered.`,
			"units":          "The unit ‘staf’ appears twice.",
			"closes_on":      "The closing date must be on or after the opening date.",
			"min_group_size": "Choose a minimum group size between 5 and 10.",
			"access":         `Use "link" or "codes".`,
			// A diagnostic of another organisation cannot be the earlier wave.
			"previous_id": "Use the id of another diagnostic of the same organisation.",
		}
		if !mapsEqual(p.Fields, want) {
			t.Errorf("fields\n got %v\nwant %v", p.Fields, want)
		}

		cases := []struct {
			over  map[string]any
			field string
			msg   string
		}{
			{map[string]any{"units": nil}, "units", "Enter at least one unit."},
			{map[string]any{"units": []any{}}, "units", "Enter at least one unit."},
			{map[string]any{"units": []map[string]any{{"name": "A"}, {"name": "  "}}}, "units", "Unit 2 has no name."},
			{map[string]any{"units": []map[string]any{{"name": "A; 12"}}}, "units", "The name of unit 1 may not contain a semicolon or a line break."},
			{map[string]any{"units": []map[string]any{{"name": "A\nB"}}}, "units", "The name of unit 1 may not contain a semicolon or a line break."},
			{map[string]any{"units": []map[string]any{{"name": "A", "headcount": -1}}}, "units", "The number of employees of ‘A’ must be a whole number."},
			{map[string]any{"units": []map[string]any{{"name": strings.Repeat("é", 101)}}}, "units", "The name of a unit can have at most 100 characters."},
			{map[string]any{"units": "Beleid"}, "units", "must be a list"},
			{map[string]any{"units": []map[string]any{{"name": "A", "size": 3}}}, "size", "unknown field"},
			{map[string]any{"min_group_size": 0}, "min_group_size", "Choose a minimum group size between 5 and 10."},
			{map[string]any{"min_group_size": "5"}, "min_group_size", "must be a whole number"},
			{map[string]any{"opens_on": "01-05-2026"}, "opens_on", "Enter a valid date."},
			{map[string]any{"questionnaire": nil}, "questionnaire", `Use one of "uitvoeringskracht@1".`},
			{map[string]any{"unit": "x"}, "unit", "unknown field"},
		}
		for _, c := range cases {
			p := post(diagnosticBody(c.over))
			if len(p.Fields) != 1 || p.Fields[c.field] != c.msg {
				t.Errorf("%v: fields %v, want %s: %s", c.over, p.Fields, c.field, c.msg)
			}
		}
		var list apiDiagnosticList
		f.call(t, token, http.MethodGet, "/api/v1/organisations/"+org.ID+"/diagnostics", nil).decode(t, &list)
		if len(list.Diagnostics) != 0 {
			t.Errorf("a refused request created %+v", list)
		}
	})
}

func TestAPIProgressHidesSmallUnits(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		_, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, token, "Gemeente Voorbeeld")
		d := f.createDiagnostic(t, token, org.ID, nil)

		p, _ := f.progress(t, token, d.ID)
		if p.Total != 0 || p.ResponseRate == nil || *p.ResponseRate != 0 || len(p.Units) != 3 || !p.Units[0].Hidden || p.OtherUnits != nil || len(p.ByDay) != 0 {
			t.Errorf("empty progress %+v", p)
		}

		f.call(t, token, http.MethodPost, "/api/v1/diagnostics/"+d.ID+"/open", nil)
		ctx := context.Background()
		// 7 in Beleid (u1), 6 in Uitvoering (u2), 2 in Staf (u3): Staf is
		// too small, and Uitvoering must be hidden too, or Staf's count
		// would follow from the total.
		for i, unit := range strings.Fields("u1 u1 u1 u1 u1 u1 u1 u2 u2 u2 u2 u2 u2 u3 u3") {
			r := &survey.Response{DiagnosticID: d.ID, SubmittedOn: "2026-03-0" + string(rune('1'+i%3)),
				Background: map[string]string{"role": "beleid", "unit": unit}, Answers: map[string]int{}}
			if err := st.Submit(ctx, freshNonce(), r); err != nil {
				t.Fatal(err)
			}
		}
		p, a := f.progress(t, token, d.ID)
		seven, eighteen := 7, 18
		wantUnits := []apiUnitProgress{
			{ID: "u1", Name: "Beleid", Headcount: 40, Count: &seven, ResponseRate: &eighteen},
			{ID: "u2", Name: "Uitvoering", Headcount: 300, Hidden: true},
			{ID: "u3", Name: "Staf", Hidden: true},
		}
		gotUnits, _ := json.Marshal(p.Units)
		wantJSON, _ := json.Marshal(wantUnits)
		if p.DiagnosticID != d.ID || p.State != survey.StateOpen || p.Total != 15 || p.ResponseRate == nil || *p.ResponseRate != 4 ||
			p.MinGroupSize != 5 || !bytes.Equal(gotUnits, wantJSON) {
			t.Errorf("progress %s", a.body)
		}
		// The hidden units together: 8 of 300, which reveals neither.
		if o := p.OtherUnits; o == nil || o.Count != 8 || o.Headcount != 300 || o.ResponseRate == nil || *o.ResponseRate != 3 {
			t.Errorf("other units %+v", p.OtherUnits)
		}
		if len(p.ByDay) != 3 || p.ByDay[0] != (apiDayCount{Date: "2026-03-01", Count: 5}) {
			t.Errorf("by day %+v", p.ByDay)
		}
		// Not a zero, not a null: a hidden unit has no count at all.
		units, _ := a.fields(t)["units"].([]any)
		for _, u := range units[1:] {
			m, _ := u.(map[string]any)
			if _, ok := m["count"]; ok {
				t.Errorf("hidden unit with a count: %v", m)
			}
			if _, ok := m["response_rate"]; ok {
				t.Errorf("hidden unit with a rate: %v", m)
			}
		}
		for _, leak := range []string{`"count":6`, `"count":2`} {
			if bytes.Contains(a.body, []byte(leak)) {
				t.Errorf("a hidden count is shown: %s", leak)
			}
		}
		if got := f.getDiagnostic(t, token, d.ID); got.Counts.Responses != 15 {
			t.Errorf("counts %+v", got.Counts)
		}
	})
}

func TestAPIAccessCodes(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		cons, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, token, "Ministerie")
		d := f.createDiagnostic(t, token, org.ID, map[string]any{"access": "codes"})
		path := "/api/v1/diagnostics/" + d.ID + "/codes"

		a := f.call(t, token, http.MethodPost, path, map[string]any{"count": 3})
		var batch apiCodes
		a.decode(t, &batch)
		if a.status != http.StatusCreated || batch.DiagnosticID != d.ID || batch.URL != d.URL || len(batch.Codes) != 3 {
			t.Fatalf("create codes: %d %s", a.status, a.body)
		}
		var first []string
		for _, c := range batch.Codes {
			code, ok := survey.NormalizeAccessCode(c)
			if !ok || slices.Contains(first, code) {
				t.Errorf("code %q", c)
			}
			first = append(first, code)
		}

		// Shown once: nothing shows the codes again, only their number.
		got := f.getDiagnostic(t, token, d.ID)
		p, pa := f.progress(t, token, d.ID)
		if got.Counts.CodesIssued != 3 || got.Counts.CodesUsed != 0 || p.Codes != (apiCodeCounts{Issued: 3}) {
			t.Errorf("counts %+v, progress %+v", got.Counts, p.Codes)
		}
		gb := f.call(t, token, http.MethodGet, "/api/v1/diagnostics/"+d.ID, nil).body
		lb := f.call(t, token, http.MethodGet, "/api/v1/organisations/"+org.ID+"/diagnostics", nil).body
		for i, c := range batch.Codes {
			for _, body := range [][]byte{gb, lb, pa.body} {
				if bytes.Contains(body, []byte(c)) || bytes.Contains(body, []byte(first[i])) {
					t.Errorf("code %s shown again: %s", c, body)
				}
			}
		}

		// A respondent uses one.
		ctx := context.Background()
		if err := st.SpendAccessCode(ctx, d.ID, first[0]); err != nil {
			t.Fatal(err)
		}
		a = f.call(t, token, http.MethodPost, path, map[string]any{"count": 2})
		var second apiCodes
		a.decode(t, &second)
		if a.status != http.StatusCreated || len(second.Codes) != 2 || slices.Contains(batch.Codes, second.Codes[0]) {
			t.Errorf("second batch: %d %s", a.status, a.body)
		}
		if got := f.getDiagnostic(t, token, d.ID); got.Counts.CodesIssued != 5 || got.Counts.CodesUsed != 1 {
			t.Errorf("counts after use %+v", got.Counts)
		}
		if p, _ := f.progress(t, token, d.ID); p.Codes != (apiCodeCounts{Issued: 5, Used: 1}) {
			t.Errorf("progress after use %+v", p.Codes)
		}

		for _, body := range []any{map[string]any{"count": 0}, map[string]any{"count": -1}, map[string]any{"count": maxCodesPerRequest + 1}, map[string]any{}} {
			pb := f.call(t, token, http.MethodPost, path, body).problem(t, http.StatusBadRequest, "invalid")
			if pb.Fields["count"] != "Enter a number from 1 to 20000." {
				t.Errorf("%v: %+v", body, pb)
			}
		}
		if pb := f.call(t, token, http.MethodPost, path, `{"count": 1, "format": "csv"}`).problem(t, http.StatusBadRequest, "invalid"); pb.Fields["format"] != "unknown field" {
			t.Errorf("unknown field: %+v", pb)
		}
		f.call(t, token, http.MethodPost, path, nil).problem(t, http.StatusUnsupportedMediaType, "unsupported_media_type")

		// A diagnostic open to anyone with its link has no use for codes.
		link := f.createDiagnostic(t, token, org.ID, nil)
		f.call(t, token, http.MethodPost, "/api/v1/diagnostics/"+link.ID+"/codes", map[string]any{"count": 3}).problem(t, http.StatusConflict, "conflict")
		if got := f.getDiagnostic(t, token, link.ID); got.Counts.CodesIssued != 0 {
			t.Errorf("codes issued for a link diagnostic: %+v", got.Counts)
		}

		actions := auditActions(t, st, cons.FirmID)
		if slices.Index(actions, "create_codes") != 1 || strings.Count(strings.Join(actions, ","), "create_codes") != 2 {
			t.Errorf("audit %v", actions)
		}
	})
}

// Every API route, including those added later, refuses requests without a
// valid token. The ids are the consultant's own, so a 401 proves the token
// check rather than a missing record.
func TestAPIRequiresValidToken(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		cons, token := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, token, "Gemeente Voorbeeld")
		d := f.createDiagnostic(t, token, org.ID, map[string]any{"access": "codes"})
		ctx := context.Background()

		revoked, revokedToken, err := st.CreateAPIToken(ctx, cons.ID, "old")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RevokeAPIToken(ctx, cons.ID, revoked.ID); err != nil {
			t.Fatal(err)
		}
		disabled, disabledToken := f.consultant(t, "Adviesbureau B", "bert@b.example")
		if err := st.SetConsultantDisabled(ctx, disabled.FirmID, disabled.ID, true); err != nil {
			t.Fatal(err)
		}
		headers := []string{"", "Bearer", "Bearer uk_wrong", "Bearer " + token + "x", "Basic " + token, token, "Bearer " + revokedToken, "Bearer " + disabledToken}
		paths := append(concreteAPIPaths(f.srvr, org.ID, d.ID), [2]string{http.MethodGet, "/api/v1/unknown"})
		for _, route := range paths {
			for _, h := range headers {
				a := f.callWith(t, route[0], route[1], map[string]any{"count": 1}, map[string]string{"Authorization": h})
				a.problem(t, http.StatusUnauthorized, "unauthorized")
				if a.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: 401 without WWW-Authenticate", route[0], route[1])
				}
			}
		}
		if got := f.getDiagnostic(t, token, d.ID); got.State != survey.StateDraft || got.Counts.CodesIssued != 0 {
			t.Errorf("a refused request changed the diagnostic: %+v", got)
		}
		// Messages are in English, whatever the language cookie says.
		a := f.callWith(t, http.MethodGet, "/api/v1/organisations", nil, map[string]string{"Cookie": langCookie + "=nl"})
		if p := a.problem(t, http.StatusUnauthorized, "unauthorized"); !strings.HasPrefix(p.Message, "A valid API token is required") {
			t.Errorf("message %q", p.Message)
		}
		// With a token, an unknown API path is a JSON 404, and a known one
		// with another method a JSON 405.
		f.call(t, token, http.MethodGet, "/api/v1/unknown", nil).problem(t, http.StatusNotFound, "not_found")
		a = f.call(t, token, http.MethodDelete, "/api/v1/organisations", nil)
		if a.problem(t, http.StatusMethodNotAllowed, "method_not_allowed"); a.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow %q", a.header.Get("Allow"))
		}
		f.call(t, token, http.MethodGet, "/api/v1/diagnostics/"+d.ID+"/open", nil).problem(t, http.StatusMethodNotAllowed, "method_not_allowed")
		f.call(t, token, http.MethodGet, "/api/v1/diagnostics/"+d.ID+"/open/x", nil).problem(t, http.StatusNotFound, "not_found")
		var me survey.Consultant
		if a := f.call(t, token, http.MethodGet, "/api/v1/me", nil); a.status != http.StatusOK {
			t.Errorf("me: %d %s", a.status, a.body)
		} else if a.decode(t, &me); me.ID != cons.ID {
			t.Errorf("me: %+v", me)
		}
	})
}

// Every API route with an id answers 404 for another firm's records, so
// their existence is not even confirmed, and changes nothing.
func TestAPICrossFirmIsNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		a, tokenA := f.consultant(t, "Adviesbureau A", "anna@a.example")
		org := f.createOrganisation(t, tokenA, "Gemeente Voorbeeld")
		d := f.createDiagnostic(t, tokenA, org.ID, map[string]any{"access": "codes"})
		_, tokenB := f.consultant(t, "Bureau B", "bob@b.example")

		checked := 0
		for _, route := range concreteAPIPaths(f.srvr, org.ID, d.ID) {
			method, path := route[0], route[1]
			if !strings.Contains(path, org.ID) && !strings.Contains(path, d.ID) {
				continue
			}
			checked++
			f.call(t, tokenB, method, path, diagnosticBody(map[string]any{"count": 5})).problem(t, http.StatusNotFound, "not_found")
		}
		if checked < 8 {
			t.Errorf("only %d routes with ids", checked)
		}
		var list apiOrganisationList
		f.call(t, tokenB, http.MethodGet, "/api/v1/organisations", nil).decode(t, &list)
		if len(list.Organisations) != 0 {
			t.Errorf("another firm's organisations are listed: %+v", list)
		}
		if got := f.getDiagnostic(t, tokenA, d.ID); got.State != survey.StateDraft || got.Counts.CodesIssued != 0 {
			t.Errorf("the other firm changed the diagnostic: %+v", got)
		}
		var ds apiDiagnosticList
		f.call(t, tokenA, http.MethodGet, "/api/v1/organisations/"+org.ID+"/diagnostics", nil).decode(t, &ds)
		if len(ds.Diagnostics) != 1 {
			t.Errorf("the other firm created a diagnostic: %+v", ds)
		}
		if got := strings.Join(auditActions(t, st, a.FirmID), ","); got != "create,create" {
			t.Errorf("audit of firm A: %s", got)
		}
	})
}
