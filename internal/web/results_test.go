package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// resultsFixture is a server with a signed-in consultant of firm A, who
// creates organisations and diagnostics through the store.
type resultsFixture struct {
	*fixture
	b    *browser
	cons *survey.Consultant
	q    survey.Questionnaire
}

func newResultsFixture(t *testing.T, st *store.Store) *resultsFixture {
	t.Helper()
	f := newFixture(t, st)
	b := f.browser(t)
	cons := signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
	return &resultsFixture{fixture: f, b: b, cons: cons, q: f.diag.Questionnaire}
}

// wave describes a diagnostic to create.
type wave struct {
	org      *survey.Organisation
	firmID   string
	sector   survey.Sector
	units    []string
	state    survey.State
	previous string
	// perUnit is the number of respondents per unit, in the order of units.
	perUnit []int
	seed    uint64
	// shift moves every answer, to make waves differ.
	shift int
}

// create stores the organisation (unless given), the diagnostic and its
// responses.
func (rf *resultsFixture) create(t *testing.T, w wave) *survey.Diagnostic {
	t.Helper()
	ctx := context.Background()
	if w.org == nil {
		w.org = &survey.Organisation{FirmID: w.firmID, Name: "Gemeente Resultaat", Sector: w.sector}
		if w.org.FirmID == "" {
			w.org.FirmID = rf.cons.FirmID
		}
		if w.org.Sector == "" {
			w.org.Sector = survey.SectorMunicipality
		}
		if err := rf.store.CreateOrganisation(ctx, w.org); err != nil {
			t.Fatal(err)
		}
	}
	if w.units == nil {
		w.units = []string{"Beleid", "Uitvoering"}
	}
	state := w.state
	if state == "" {
		state = survey.StateClosed
	}
	d := &survey.Diagnostic{
		OrganisationID: w.org.ID, Organisation: *w.org, Name: fmt.Sprintf("Meting %d", w.seed), Questionnaire: rf.q,
		Units: survey.NewUnits(w.units), State: state, MinGroupSize: 5, PreviousID: w.previous,
	}
	if err := rf.store.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	var unitOf []string
	for i, n := range w.perUnit {
		for range n {
			unitOf = append(unitOf, d.Units[i].ID)
		}
	}
	for _, r := range fakeResponses(&rf.q, unitOf, w.seed, w.shift) {
		rf.submit(t, d.ID, r)
	}
	return d
}

func (rf *resultsFixture) submit(t *testing.T, diagnosticID string, r survey.Response) {
	t.Helper()
	ctx := context.Background()
	r.DiagnosticID = diagnosticID
	if err := rf.store.Submit(ctx, freshNonce(), &r); err != nil {
		t.Fatal(err)
	}
}

// fakeResponses answers q for one respondent per entry of unitOf. A latent
// score per respondent drives every answer, so that factors correlate with
// the outcome as in real data; some answers are "don't know".
func fakeResponses(q *survey.Questionnaire, unitOf []string, seed uint64, shift int) []survey.Response {
	rng := rand.New(rand.NewPCG(seed, 77))
	// Factors differ, as they do in real organisations.
	offset := map[string]float64{}
	for f, fac := range q.Factors {
		for _, it := range fac.Items {
			offset[it.ID] = []float64{-0.9, -0.3, 0.3, 0.6, -0.6}[f%5]
		}
	}
	roles := []string{survey.RolePolicy, survey.RoleExecution, survey.RoleManagement, "ondersteuning"}
	tenures := []string{"lt2", "2to5", "5to10", "10to20", "20plus"}
	var out []survey.Response
	for i, unit := range unitOf {
		r := survey.Response{
			SubmittedOn: "2026-03-02",
			Background:  map[string]string{survey.BackgroundRole: roles[i%len(roles)], survey.BackgroundUnitID: unit, "tenure": tenures[rng.IntN(len(tenures))]},
			Answers:     map[string]int{},
			Open:        map[string]string{},
		}
		latent := rng.NormFloat64()
		for _, it := range q.AllItems() {
			if rng.IntN(25) == 0 {
				r.Answers[it.ID] = survey.DontKnow
				continue
			}
			v := 3 + latent + 0.8*rng.NormFloat64() + float64(shift) + offset[it.ID]
			if it.Reverse {
				v = 6 - v
			}
			r.Answers[it.ID] = max(1, min(5, int(math.Round(v))))
		}
		if i%3 == 0 {
			r.Open["obstacle"] = fmt.Sprintf("Obstakel nummer %d", i)
		}
		out = append(out, r)
	}
	return out
}

// apiGet calls the API with a bearer token.
func apiGet(t *testing.T, f *fixture, token, path string) (int, []byte) {
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
	return resp.StatusCode, body
}

func previewForm(t *testing.T, b *browser, id string) page {
	t.Helper()
	return postForm(t, b, resultsPath(id), resultsPath(id)+"/voorbeeld", map[string][]string{})
}

const previewButton = "Tussentijds voorbeeld bekijken"

func TestResultsAreShownOnlyWhenClosedOrAsARecordedPreview(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		ctx := context.Background()

		// Too few responses: no results, no preview.
		few := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{2, 1}, seed: 1})
		p := rf.b.get(resultsPath(few.ID))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Nog geen resultaten") || strings.Contains(p.body, previewButton) {
			t.Fatalf("3 responses, open: %d %s", p.status, snippet(p.body))
		}
		if !strings.Contains(p.body, "vanaf 10 ingevulde vragenlijsten") {
			t.Error("the page does not say from how many responses a preview is possible")
		}

		// Open with 10 responses: a preview may be asked for, but a GET
		// shows nothing and records nothing.
		d := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{5, 5}, seed: 2})
		p = rf.b.get(resultsPath(d.ID) + "?voorbeeld=1")
		if !strings.Contains(p.body, previewButton) || strings.Contains(p.body, "Uitvoeringskracht-index") {
			t.Fatalf("open, 10 responses: %s", snippet(p.body))
		}
		if n, _ := st.PreviewedAt(ctx, d.ID); n != 0 {
			t.Fatalf("a GET recorded a preview at %d", n)
		}
		if code, _ := apiGet(t, rf.fixture, apiToken(t, rf), "/api/v1/diagnostics/"+d.ID+"/results"); code != http.StatusConflict {
			t.Errorf("API before a preview: %d", code)
		}
		p = previewForm(t, rf.b, d.ID)
		if p.status != http.StatusSeeOther || p.location != resultsPath(d.ID) {
			t.Fatalf("preview: %d %s", p.status, p.location)
		}
		p = rf.b.get(p.location)
		if !strings.Contains(p.body, "Tussentijds voorbeeld.") || !strings.Contains(p.body, "Uitvoeringskracht-index") {
			t.Fatalf("the recorded preview is not shown: %s", snippet(p.body))
		}
		if strings.Contains(p.body, "Obstakel nummer") || strings.Contains(p.body, "antwoorden.csv") {
			t.Error("a preview shows open answers or offers a respondent-level export")
		}
		if n, _ := st.PreviewedAt(ctx, d.ID); n != 10 {
			t.Fatalf("preview recorded at %d, want 10", n)
		}
		// The API shows the same preview.
		code, body := apiGet(t, rf.fixture, apiToken(t, rf), "/api/v1/diagnostics/"+d.ID+"/results")
		if code != http.StatusOK || !strings.Contains(string(body), `"preview":true`) {
			t.Errorf("API during the preview: %d %s", code, body)
		}

		// One more response: the preview expires, and a new one is refused
		// until at least the minimum group size of new responses is in.
		rf.submit(t, d.ID, fakeResponses(&rf.q, []string{"u1"}, 3, 0)[0])
		p = rf.b.get(resultsPath(d.ID))
		if strings.Contains(p.body, "Uitvoeringskracht-index") || strings.Contains(p.body, previewButton) || !strings.Contains(p.body, "minstens 5 bij zijn gekomen") {
			t.Fatalf("after one new response: %s", snippet(p.body))
		}
		previewForm(t, rf.b, d.ID)
		if n, _ := st.PreviewedAt(ctx, d.ID); n != 10 {
			t.Fatalf("a refused preview was recorded at %d", n)
		}
		for _, r := range fakeResponses(&rf.q, []string{"u1", "u2", "u1", "u2"}, 4, 0) {
			rf.submit(t, d.ID, r)
		}
		p = rf.b.get(resultsPath(d.ID))
		if !strings.Contains(p.body, previewButton) || !strings.Contains(p.body, "is verlopen") {
			t.Fatalf("with 15 responses a new preview should be offered: %s", snippet(p.body))
		}
		previewForm(t, rf.b, d.ID)
		if n, _ := st.PreviewedAt(ctx, d.ID); n != 15 {
			t.Fatalf("second preview recorded at %d, want 15", n)
		}
		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); strings.Count(got, actionPreview) != 2 {
			t.Errorf("audit: %s", got)
		}

		// Closed: the final results, still without a respondent-level export.
		if err := st.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		p = rf.b.get(resultsPath(d.ID))
		if strings.Contains(p.body, "Tussentijds voorbeeld.") || !strings.Contains(p.body, "Uitvoeringskracht-index") || strings.Contains(p.body, "antwoorden.csv") || !strings.Contains(p.body, exportAggregatesCSV) {
			t.Fatalf("closed: %s", snippet(p.body))
		}
		if !strings.Contains(p.body, "Obstakel nummer") {
			t.Error("the open answers of a closed diagnostic of 15 are not shown")
		}

		// Closed with too few responses.
		if err := st.SetDiagnosticState(ctx, few.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		p = rf.b.get(resultsPath(few.ID))
		if !strings.Contains(p.body, "te weinig ingevulde vragenlijsten") || strings.Contains(p.body, previewButton) {
			t.Errorf("closed, 3 responses: %s", snippet(p.body))
		}
		code, body = apiGet(t, rf.fixture, apiToken(t, rf), "/api/v1/diagnostics/"+few.ID+"/results")
		var na struct{ Code, Message, Reason string }
		_ = json.Unmarshal(body, &na)
		if code != http.StatusConflict || na.Code != "not_available" || na.Reason != survey.AvailabilityTooFewResponses || na.Message == "" {
			t.Errorf("API, too few: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, "/api/v1/diagnostics/"+few.ID+"/results", code, body)
	})
}

// apiToken creates an API token for the fixture's consultant.
func apiToken(t *testing.T, rf *resultsFixture) string {
	t.Helper()
	_, token, err := rf.store.CreateAPIToken(context.Background(), rf.cons.ID, "results")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestResultsOfAnotherFirmAreNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{6, 6}, seed: 5})
		other := rf.browser(t)
		cons := signIn(t, rf.fixture, other, "Bureau B", "bob@b.example", false)
		paths := []string{resultsPath(d.ID)}
		for _, file := range []string{exportAggregatesCSV, exportAggregatesXLSX} {
			paths = append(paths, exportPath(d.ID, file))
		}
		for _, path := range paths {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d", path, p.status)
			}
			if p := rf.b.get(path); p.status != http.StatusOK {
				t.Errorf("GET %s by the owner: %d", path, p.status)
			}
		}
		csrf := csrfOf(t, other, "/organisaties")
		if p := other.post(resultsPath(d.ID)+"/voorbeeld", map[string][]string{"csrf": {csrf}}); p.status != http.StatusNotFound {
			t.Errorf("preview by another firm: %d", p.status)
		}
		_, token, err := st.CreateAPIToken(context.Background(), cons.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := apiGet(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/results"); code != http.StatusNotFound {
			t.Errorf("API by another firm: %d", code)
		}
		if code, _ := apiGet(t, rf.fixture, "", "/api/v1/diagnostics/"+d.ID+"/results"); code != http.StatusUnauthorized {
			t.Errorf("API without a token: %d", code)
		}
		anon := rf.browser(t)
		if p := anon.get(resultsPath(d.ID)); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("results without a session: %d %s", p.status, p.location)
		}
	})
}

// The API gives exactly what scoring.Compute gives for the same data, with
// the impact pooled over other closed diagnostics when there are fewer than
// 30 respondents.
func TestResultsAPIEqualsCompute(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		ctx := context.Background()
		token := apiToken(t, rf)
		// Another firm's closed diagnostic of the same questionnaire feeds
		// the pool; an open one does not.
		otherFirm := ensureConsultant(t, st, "Bureau B", "bob@b.example", false)
		pool := rf.create(t, wave{firmID: otherFirm.FirmID, perUnit: []int{20, 20}, seed: 6})
		rf.create(t, wave{firmID: otherFirm.FirmID, state: survey.StateOpen, perUnit: []int{20, 20}, seed: 7})
		var pooled []survey.Response
		for _, n := range []int{40, 12} {
			d := rf.create(t, wave{perUnit: []int{n / 2, n / 2}, units: []string{"Beleid", "Uitvoering"}, seed: uint64(10 + n)})
			code, body := apiGet(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/results")
			if code != http.StatusOK {
				t.Fatalf("API results: %d %s", code, body)
			}
			checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, "/api/v1/diagnostics/"+d.ID+"/results", code, body)
			var got struct {
				DiagnosticID string                 `json:"diagnostic_id"`
				Availability survey.Availability    `json:"availability"`
				Result       json.RawMessage        `json:"result"`
				Benchmark    survey.BenchmarkResult `json:"benchmark"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.DiagnosticID != d.ID || !got.Availability.Available || got.Availability.Preview || got.Benchmark.Available {
				t.Errorf("n=%d: %+v", n, got)
			}
			rs, err := st.Responses(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			in := scoring.Input{Questionnaire: &d.Questionnaire, Responses: rs, MinGroupSize: d.MinGroupSize, Units: d.Units}
			if n < scoring.PoolingThreshold {
				// Every other closed diagnostic of the questionnaire, the
				// most recent first: the one of 40 and the other firm's.
				other, err := st.Responses(ctx, pool.ID)
				if err != nil {
					t.Fatal(err)
				}
				in.Pooled = append(pooled, other...)
			}
			want, err := scoring.Compute(in)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want)
			var a, b any
			_ = json.Unmarshal(got.Result, &a)
			_ = json.Unmarshal(wantJSON, &b)
			if ga, _ := json.Marshal(a); !bytes.Equal(ga, mustJSON(b)) {
				t.Errorf("n=%d: the API result differs from scoring.Compute:\n got %s\nwant %s", n, snippet(string(got.Result)), snippet(string(wantJSON)))
			}
			if want.Impact.Pooled != (n < scoring.PoolingThreshold) || (n < scoring.PoolingThreshold && want.Impact.N <= want.N) {
				t.Errorf("n=%d: impact %+v", n, want.Impact)
			}
			pooled = rs
		}
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

var reTableRow = regexp.MustCompile(`(?s)<tr>.*?</tr>`)

// A unit of two respondents is never shown with a number: its row says
// "hidden" and nothing else, on the page and in the aggregate export.
func TestResultsNeverShowASmallUnitWithANumber(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		const small = "Zeta-eenheid"
		d := rf.create(t, wave{units: []string{"Beleid", "Uitvoering", small}, perUnit: []int{14, 12, 2}, seed: 8})
		p := rf.b.get(resultsPath(d.ID))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Scores per onderdeel") {
			t.Fatalf("results: %d %s", p.status, snippet(p.body))
		}
		checkSmallGroup(t, p.body, small)
		if !strings.Contains(p.body, "Overige onderdelen samen") {
			t.Error("the hidden units are not shown together")
		}
		if !strings.Contains(p.body, "minder dan 5 respondenten") {
			t.Error("the hidden cells are not explained")
		}
		csv := rf.b.get(exportPath(d.ID, exportAggregatesCSV))
		for _, line := range strings.Split(csv.body, "\n") {
			if strings.Contains(line, small) && regexp.MustCompile(`[0-9]`).MatchString(line) {
				t.Errorf("the aggregate export shows the small unit with a number: %q", line)
			}
		}
	})
}

// checkSmallGroup asserts that name occurs only in table rows without a
// digit.
func checkSmallGroup(t *testing.T, body, name string) {
	t.Helper()
	total := strings.Count(body, name)
	inRows := 0
	for _, row := range reTableRow.FindAllString(body, -1) {
		if !strings.Contains(row, name) {
			continue
		}
		inRows += strings.Count(row, name)
		if text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(row, " "); regexp.MustCompile(`[0-9]`).MatchString(text) {
			t.Errorf("the small unit is shown next to a number: %s", strings.Join(strings.Fields(text), " "))
		}
	}
	if total == 0 || inRows != total {
		t.Errorf("the small unit occurs %d times, %d of them in table rows", total, inRows)
	}
}

func TestResultsTrendAndBenchmark(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		ctx := context.Background()
		first := rf.create(t, wave{perUnit: []int{15, 15}, seed: 20})
		second := rf.create(t, wave{org: &first.Organisation, previous: first.ID, perUnit: []int{15, 16}, seed: 21, shift: 1})
		p := rf.b.get(resultsPath(second.ID))
		// The previous wave counts its analysis base: the respondents with
		// a score on every factor and the outcome.
		if !strings.Contains(p.body, "Verandering sinds ‘"+first.Name+"’") || !regexp.MustCompile(`\((2[0-9]|30) respondenten\)`).MatchString(p.body) {
			t.Fatalf("no trend: %s", snippet(p.body))
		}
		if !strings.Contains(p.body, "duidelijk verschil") {
			t.Error("a shift of one scale point should be a clear difference")
		}
		if !strings.Contains(p.body, "nog niet beschikbaar") {
			t.Error("the benchmark should not be available yet")
		}
		// An open previous wave gives no trend, and says why.
		third := rf.create(t, wave{org: &first.Organisation, state: survey.StateOpen, perUnit: []int{3, 3}, seed: 22})
		fourth := rf.create(t, wave{org: &first.Organisation, previous: third.ID, perUnit: []int{6, 6}, seed: 23})
		if p := rf.b.get(resultsPath(fourth.ID)); !strings.Contains(p.body, "is nog niet gesloten of had te weinig") {
			t.Errorf("previous wave open: %s", snippet(p.body))
		}

		// Five other municipalities of three other firms make a benchmark.
		// Their summaries are written when their results are computed.
		var firms []string
		for _, name := range []string{"B", "C", "D"} {
			firms = append(firms, ensureConsultant(t, st, "Bureau "+name, strings.ToLower(name)+"@"+strings.ToLower(name)+".example", false).FirmID)
		}
		for i := range 5 {
			o := rf.create(t, wave{firmID: firms[i%3], perUnit: []int{5, 5}, seed: uint64(30 + i), shift: i - 2})
			mean := 20.0 + 15*float64(i)
			if err := st.SaveResultSummary(ctx, o.ID, &mean, 10); err != nil {
				t.Fatal(err)
			}
		}
		// A province does not count.
		prov := rf.create(t, wave{firmID: firms[0], sector: survey.SectorProvince, perUnit: []int{5, 5}, seed: 40})
		mean := 99.0
		if err := st.SaveResultSummary(ctx, prov.ID, &mean, 10); err != nil {
			t.Fatal(err)
		}
		p = rf.b.get(resultsPath(second.ID))
		if !regexp.MustCompile(`staat de organisatie (bij de laagste 20 %|onder het midden|rond het midden|boven het midden|bij de hoogste 20 %) van de sector ‘[^’]+’. Vergeleken is met de laatste afgeronde meting met deze vragenlijst van ten minste 5 organisaties van ten minste 3 andere adviesbureaus`).MatchString(p.body) {
			t.Errorf("no benchmark: %s", snippet(p.body))
		}
		// The section holds the organisation's own index and the words of
		// the position: no percentile, no count, no other index.
		section := p.body[strings.Index(p.body, `<section id="sector"`):]
		section = section[:strings.Index(section, "</section>")]
		if m := regexp.MustCompile(`percentiel [0-9]|[0-9]+ andere organisaties|[0-9]+,[0-9]`).FindAllString(section, -1); len(m) != 1 {
			t.Errorf("the benchmark shows %q: %s", m, section)
		}
		// Showing the closed results kept this diagnostic's summary: firm B
		// compares with it (one value for the organisation, its latest
		// wave), never with its own organisations.
		peers, err := st.BenchmarkPeers(ctx, firms[0], rf.q.ID, rf.q.Version, survey.SectorMunicipality, time.Now())
		if err != nil || len(peers) != 4 || !slices.ContainsFunc(peers, func(p survey.BenchmarkPeer) bool { return p.FirmID == rf.cons.FirmID }) ||
			slices.ContainsFunc(peers, func(p survey.BenchmarkPeer) bool { return p.FirmID == firms[0] }) {
			t.Errorf("benchmark values seen from firm B: %v %v", peers, err)
		}
		code, body := apiGet(t, rf.fixture, apiToken(t, rf), "/api/v1/diagnostics/"+second.ID+"/results")
		var got apiResultsBody
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK {
			t.Fatalf("API: %d %v", code, err)
		}
		if got.Result.Trend == nil || got.Result.Trend.PreviousN < 20 || got.Result.Trend.PreviousN > 30 || !got.Benchmark.Available || got.Benchmark.Position == "" {
			t.Errorf("API trend %+v benchmark %+v", got.Result.Trend, got.Benchmark)
		}
	})
}

// The earlier wave's unit groups are matched to this wave's by name.
func TestRemapUnitsMatchesByName(t *testing.T) {
	prev := &survey.Result{Units: survey.Breakdown{Groups: []survey.Group{{ID: "u1", Shown: true}, {ID: "u2", Shown: true}, {ID: ""}}}}
	from := []survey.Unit{{ID: "u1", Name: "Staf"}, {ID: "u2", Name: "Oud  onderdeel"}}
	to := []survey.Unit{{ID: "u1", Name: "Nieuw"}, {ID: "u2", Name: " staf "}}
	got := remapUnits(prev, from, to)
	if got.Units.Groups[0].ID != "u2" || got.Units.Groups[1].ID != "previous:u2" || got.Units.Groups[2].ID != "" {
		t.Errorf("remapped: %+v", got.Units.Groups)
	}
	if prev.Units.Groups[0].ID != "u1" {
		t.Error("remapUnits changed its input")
	}
}

func TestNumbersAreWrittenInTheInterfaceLanguage(t *testing.T) {
	nl, en := numbersFor("nl"), numbersFor("en")
	for _, c := range []struct{ got, want string }{
		{nl.dec(62.44, 1), "62,4"}, {en.dec(62.44, 1), "62.4"}, {nl.dec(-0.01, 1), "0,0"},
		{nl.signed(-3.26, 1), "\u22123,3"}, {en.signed(3.26, 1), "+3.3"}, {en.signed(0, 0), "0"}, {nl.percent(0.456), "46%"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// writeResultsSnapshot writes the results page and the stylesheet to
// $UK_RESULTS_SNAPSHOT, to look at with a browser; the page's links to
// /static/ are made relative.
func TestWriteResultsSnapshot(t *testing.T) {
	dir := os.Getenv("UK_RESULTS_SNAPSHOT")
	if dir == "" {
		t.Skip("set UK_RESULTS_SNAPSHOT to a directory to write the results page there")
	}
	st := storetest.Open(t, store.DialectSQLite)
	rf := newResultsFixture(t, st)
	first := rf.create(t, wave{units: []string{"Beleid", "Uitvoering", "Staf", "Zeta-eenheid"}, perUnit: []int{20, 40, 12, 2}, seed: 50})
	d := rf.create(t, wave{org: &first.Organisation, previous: first.ID, units: []string{"Beleid", "Uitvoering", "Staf", "Zeta-eenheid"}, perUnit: []int{22, 45, 9, 2}, seed: 51, shift: 1})
	open := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{6, 6}, seed: 52})
	pages := map[string]string{"results-nl": resultsPath(d.ID) + "?lang=nl", "results-en": resultsPath(d.ID) + "?lang=en", "unavailable-nl": resultsPath(open.ID) + "?lang=nl"}
	for name, path := range pages {
		p := rf.b.get(path)
		html := strings.ReplaceAll(p.body, `href="/static/style.css"`, `href="style.css"`)
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	css, err := uitvoeringskracht.Templates.ReadFile("templates/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "style.css"), css, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkResults measures the results handler path on SQLite for a
// closed diagnostic of 10,000 respondents in 30 units ($UK_BENCH_RESPONDENTS
// sets another number): "load+compute" is loadResults (every query of the
// page and scoring.Compute), "page" adds the view and the template.
// MB-responses is the heap the loaded responses take.
func BenchmarkResults(b *testing.B) {
	n := 10_000
	if v := os.Getenv("UK_BENCH_RESPONDENTS"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	st := storetest.Open(b, store.DialectSQLite)
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil {
		b.Fatal(err)
	}
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		b.Fatal(err)
	}
	firm := &survey.Firm{Name: "Bench"}
	if err := st.CreateFirm(ctx, firm); err != nil {
		b.Fatal(err)
	}
	org := &survey.Organisation{FirmID: firm.ID, Name: "Rijksdienst", Sector: survey.SectorAgency}
	if err := st.CreateOrganisation(ctx, org); err != nil {
		b.Fatal(err)
	}
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("Afdeling %02d", i+1))
	}
	d := &survey.Diagnostic{OrganisationID: org.ID, Name: "Bench", Questionnaire: *q, Units: survey.NewUnits(names), State: survey.StateClosed, MinGroupSize: 5}
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	unitOf := make([]string, n)
	for i := range unitOf {
		// Skewed sizes: a few large units, several below the minimum.
		u := int(30 * rng.Float64() * rng.Float64())
		unitOf[i] = d.Units[u].ID
	}
	responses := fakeResponses(q, unitOf, 3, 0)
	work := make(chan survey.Response)
	errs := make(chan error, 64)
	for range 64 {
		go func() {
			for r := range work {
				r.DiagnosticID = d.ID
				if err := st.Submit(ctx, freshNonce(), &r); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for _, r := range responses {
		work <- r
	}
	close(work)
	for range 64 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	responses = nil
	d, err = st.Diagnostic(ctx, d.ID)
	if err != nil {
		b.Fatal(err)
	}

	// first: what the first request for the results of a closed
	// diagnostic computes (computeRelease without the write of the
	// release): its answers as a table, and the scoring.
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		items, background := scoring.TableColumns(&d.Questionnaire)
		var tableMB float64
		for b.Loop() {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			tab, err := st.ResponseTable(ctx, d.ID, items, background)
			if err != nil {
				b.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			tableMB = float64(after.TotalAlloc-before.TotalAlloc) / 1e6
			res, err := scoring.Compute(scoring.Input{Questionnaire: &d.Questionnaire, Table: tab, MinGroupSize: d.MinGroupSize, Units: d.Units})
			if err != nil || res.Responses != n {
				b.Fatalf("compute: %v", err)
			}
		}
		b.ReportMetric(tableMB, "MB-load")
	})
	// warm: every later request, served from the recorded release.
	b.Run("warm", func(b *testing.B) {
		if _, err := s.loadResults(ctx, d); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			r, err := s.loadResults(ctx, d)
			if err != nil || r.Result == nil || r.Result.Responses != n {
				b.Fatalf("loadResults: %v", err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, resultsPath(d.ID), nil)
			rec := httptest.NewRecorder()
			c := s.echo.NewContext(req, rec)
			c.SetParamNames("id")
			c.SetParamValues(d.ID)
			c.Set(ctxConsultant, &survey.Consultant{FirmID: firm.ID})
			if err := s.showResults(c); err != nil || rec.Code != http.StatusOK {
				b.Fatalf("page: %d %v", rec.Code, err)
			}
		}
	})
}

// TestPreviewPlusOneThenCloseServesThePreview is attack 3 of issue 11
// through the service: a recorded preview, one more response, then
// closing. The final results must be the preview's figures with the
// newcomer held back, and the API must say so.
func TestPreviewPlusOneThenCloseServesThePreview(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		ctx := context.Background()
		d := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{6, 6}, seed: 5})
		previewForm(t, rf.b, d.ID)
		token := apiToken(t, rf)
		code, body := apiGet(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/results")
		var preview apiResultsBody
		if err := json.Unmarshal(body, &preview); err != nil || code != http.StatusOK || preview.Result == nil {
			t.Fatalf("preview: %d %s", code, body)
		}
		rf.submit(t, d.ID, fakeResponses(&rf.q, []string{"u1"}, 3, 0)[0])
		if err := st.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		code, body = apiGet(t, rf.fixture, token, "/api/v1/diagnostics/"+d.ID+"/results")
		var final apiResultsBody
		if err := json.Unmarshal(body, &final); err != nil || code != http.StatusOK || final.Result == nil {
			t.Fatalf("final: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, "/api/v1/diagnostics/"+d.ID+"/results", code, body)
		held := final.Result.HeldBack
		if final.Result.N == preview.Result.N+1 {
			t.Fatalf("the final results include the newcomer: n %d -> %d", preview.Result.N, final.Result.N)
		}
		if final.Result.N != preview.Result.N || *final.Result.Index.Mean != *preview.Result.Index.Mean {
			t.Errorf("final %d/%v, preview %d/%v", final.Result.N, *final.Result.Index.Mean, preview.Result.N, *preview.Result.Index.Mean)
		}
		for i, g := range final.Result.Units.Groups {
			if g.N != preview.Result.Units.Groups[i].N {
				t.Errorf("unit %s: n %d, preview %d", g.ID, g.N, preview.Result.Units.Groups[i].N)
			}
		}
		p := rf.b.get(resultsPath(d.ID))
		if held != 1 || !strings.Contains(p.body, "niet meegenomen omdat het er minder dan 5 zijn") {
			t.Errorf("the page does not say why the newcomer is left out: %s", snippet(p.body))
		}
		rels, err := st.Releases(ctx, d.ID)
		if err != nil || len(rels) != 2 || rels[0].Kind != survey.ReleasePreview || rels[1].Kind != survey.ReleaseFinal || rels[1].Base != rels[0].Base {
			t.Errorf("releases %+v %v", rels, err)
		}
		// Asking again serves the recorded release, recording nothing new.
		rf.b.get(resultsPath(d.ID))
		if rels, _ := st.Releases(ctx, d.ID); len(rels) != 2 {
			t.Errorf("%d releases after asking again", len(rels))
		}
	})
}
