package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// newPulseFixture is newReportsFixture with the pulse instrument.
func newPulseFixture(t *testing.T, st *store.Store) (*reportsFixture, *survey.Questionnaire) {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pq, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-pulse-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q}, Pulse: pq, Now: clock.Now,
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
	return &reportsFixture{resultsFixture: &resultsFixture{fixture: f, b: b, cons: cons, q: *q}, clock: clock}, pq
}

// TestPulseWithThirtyRespondentsShowsTheTrend: a closed full measurement
// starts a pulse with the same units and rules; one employee answers it
// through the pages (about eight statements), 29 more are stored; after
// closing, the trend page shows the full and the pulse scores per factor,
// the pulse's marked as resting on one or two statements, the change, and
// the pulse's own question per unit with the small unit hidden.
func TestPulseWithThirtyRespondentsShowsTheTrend(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf, pq := newPulseFixture(t, st)
		ctx := context.Background()
		full := rf.create(t, wave{units: []string{"Burgerzaken", "Vergunningen"}, perUnit: []int{20, 10}, seed: 51})
		page := "/diagnoses/" + full.ID
		if p := rf.b.get(page); !strings.Contains(p.body, "Pulsmeting starten") {
			t.Fatalf("a closed measurement offers no pulse: %s", snippet(p.body))
		}
		p := postForm(t, rf.b, page, page+"/puls", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("start a pulse: %d %s", p.status, snippet(p.body))
		}
		pulses, err := st.Pulses(ctx, full.ID)
		if err != nil || len(pulses) != 1 {
			t.Fatalf("pulses: %v %v", pulses, err)
		}
		pulse := pulses[0]
		if p.location != "/diagnoses/"+pulse.ID || pulse.MinGroupSize != full.MinGroupSize || len(pulse.Units) != 2 || pulse.Units[1] != full.Units[1] ||
			!pulse.Questionnaire.IsPulse() || pulse.State != survey.StateOpen || pulse.Token == full.Token || pulse.Access != full.Access {
			t.Fatalf("the pulse: %+v", pulse)
		}
		if p := rf.b.follow(p); !strings.Contains(p.body, "is gestart") || !strings.Contains(p.body, "/d/"+pulse.Token) {
			t.Errorf("the pulse's page: %s", snippet(p.body))
		}

		// One employee through the pages: the landing says two minutes.
		employee := rf.browser(t)
		landing := employee.get("/d/" + pulse.Token)
		if landing.status != http.StatusOK || !strings.Contains(landing.body, "2 minuten") {
			t.Fatalf("pulse landing: %d %s", landing.status, snippet(landing.body))
		}
		action, form := formOf(t, landing.body)
		step := employee.follow(employee.post(action, form))
		statements := 0
		for range 10 {
			if strings.Contains(step.body, `name="nonce"`) {
				break
			}
			statements += strings.Count(step.body, `value="3"`)
			a, f := answerAll(t, step.body, map[string]string{survey.BackgroundUnitID: full.Units[0].ID})
			step = employee.follow(employee.post(a, f))
		}
		if statements < 7 || statements > 9 {
			t.Errorf("the pulse asked %d statements, want about 8", statements)
		}
		a, f := formOf(t, step.body)
		if p := employee.post(a, f); p.status != http.StatusSeeOther {
			t.Fatalf("submit the pulse: %d %s", p.status, snippet(p.body))
		}
		// 29 more: 25 in the first unit, 4 in the second (below the
		// minimum group size), answering higher than in the full
		// measurement.
		var unitOf []string
		for i := range 29 {
			unitOf = append(unitOf, full.Units[min(i/25, 1)].ID)
		}
		for _, r := range fakeResponses(pq, unitOf, 52, 2) {
			rf.submit(t, pulse.ID, r)
		}
		if n, _ := st.CountResponses(ctx, pulse.ID); n != 30 {
			t.Fatalf("%d pulse responses", n)
		}
		if err := st.SetDiagnosticState(ctx, pulse.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}

		trend := rf.b.get(page + "/pulsen")
		if trend.status != http.StatusOK {
			t.Fatalf("trend page: %d %s", trend.status, snippet(trend.body))
		}
		for _, want := range []string{full.Name, pulse.Name, "volledige meting", "pulsmeting", "op basis van 1 stelling", "op basis van 2 stellingen",
			"De laatste pulsmeting naast de volledige meting", "hoger dan bij de volledige meting", "Hele organisatie", "Burgerzaken", "Vergunningen",
			"geen bewijs dat een actie werkt"} {
			if !strings.Contains(trend.body, want) {
				t.Errorf("the trend page lacks %q", want)
			}
		}
		noticed := trend.body[strings.Index(trend.body, `id="pulse-noticed-heading"`):]
		row := noticed[strings.Index(noticed, "Vergunningen"):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "verborgen") {
			t.Errorf("the unit of 4 is not hidden in the pulse: %s", row)
		}
		if p := rf.b.get(resultsPath(pulse.ID)); p.status != http.StatusOK || !strings.Contains(p.body, "Dit is een pulsmeting") || !strings.Contains(p.body, "Acties gemerkt") {
			t.Errorf("the pulse's results page does not say how to read it: %d", p.status)
		}
		if p := rf.b.get("/diagnoses/" + pulse.ID + "/pulsen"); p.status != http.StatusOK || !strings.Contains(p.body, "hoger dan bij de volledige meting") {
			t.Errorf("the trend page from the pulse: %d", p.status)
		}
		// The pulse's results are releases of its own, audited like any.
		rels, err := st.AllReleases(ctx, pulse.ID)
		if err != nil || len(rels) != 1 || rels[0].Kind != survey.ReleaseFinal || rels[0].Result.QuestionnaireID != pq.ID {
			t.Errorf("pulse releases: %+v %v", rels, err)
		}

		// A pulse publishes no employee summary.
		if p := postForm(t, rf.b, page, summaryAdminPath(pulse.ID), map[string][]string{"message": {"x"}}); p.status != http.StatusConflict {
			t.Errorf("a pulse's employee summary: %d", p.status)
		}
		// No pulse of a pulse, none of an open measurement, none across
		// firms.
		if p := postForm(t, rf.b, page, "/diagnoses/"+pulse.ID+"/puls", nil); p.status != http.StatusConflict {
			t.Errorf("a pulse of a pulse: %d", p.status)
		}
		open := rf.create(t, wave{perUnit: []int{5}, seed: 53, state: survey.StateOpen})
		if p := postForm(t, rf.b, page, "/diagnoses/"+open.ID+"/puls", nil); p.status != http.StatusConflict {
			t.Errorf("a pulse of an open measurement: %d", p.status)
		}
		other := rf.browser(t)
		signIn(t, rf.fixture, other, "Adviesbureau B", "bert@b.example", false)
		if p := other.get(page + "/pulsen"); p.status != http.StatusNotFound {
			t.Errorf("other firm's trend page: %d", p.status)
		}
		if p := postForm(t, other, "/organisaties", page+"/puls", nil); p.status != http.StatusNotFound {
			t.Errorf("other firm starts a pulse: %d", p.status)
		}
		if ps, _ := st.Pulses(ctx, full.ID); len(ps) != 1 {
			t.Errorf("%d pulses after the refused starts", len(ps))
		}
	})
}
