package report

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	uitvoeringskracht "github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report/simulate"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// fixtureDate is the fixed "today" of every test report.
var fixtureDate = time.Date(2025, time.April, 14, 9, 0, 0, 0, time.UTC)

func loadQuestionnaire(t testing.TB) *survey.Questionnaire {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func loadLibrary(t testing.TB) *Library {
	t.Helper()
	lib, err := LoadAdvice(uitvoeringskracht.Templates, "templates/advice")
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// fixture is a simulated diagnostic with its scored result.
type fixture struct {
	q         *survey.Questionnaire
	units     []survey.Unit
	responses []survey.Response
	previous  *survey.Result
	in        Input
}

// newFixture simulates n respondents of org, optionally after a previous
// wave (for the trend), scores them and builds a complete report input
// with a benchmark.
func newFixture(t testing.TB, n int, org simulate.Organisation, seed uint64, previous bool) *fixture {
	t.Helper()
	fx := &fixture{q: loadQuestionnaire(t), units: org.SurveyUnits()}
	rng := rand.New(rand.NewPCG(seed, 7))
	prof := simulate.DemoProfile()
	if previous {
		prevRs := simulate.Responses(fx.q, org, fx.units, prof.Shifted(0, map[string]float64{"governance": -0.3, "capacity": 0.15}), n*4/5, rng)
		for i := range prevRs {
			prevRs[i].ID = fmt.Sprintf("p%06d", i)
		}
		prev, err := scoring.Compute(scoring.Input{Questionnaire: fx.q, Responses: prevRs, Units: fx.units})
		if err != nil {
			t.Fatal(err)
		}
		fx.previous = prev
	}
	fx.responses = simulate.Responses(fx.q, org, fx.units, prof, n, rng)
	for i := range fx.responses {
		fx.responses[i].ID = fmt.Sprintf("r%06d", i)
	}
	res, err := fx.compute()
	if err != nil {
		t.Fatal(err)
	}
	var peers []survey.BenchmarkPeer
	for i, v := range []float64{48.1, 52.3, 55.0, 57.9, 61.2, 44.4, 59.6} {
		peers = append(peers, survey.BenchmarkPeer{FirmID: fmt.Sprintf("firm %d", i%3), Index: v})
	}
	bm := scoring.Benchmark(*res.Index.Mean, "own firm", peers)
	opens := time.Date(2025, time.March, 3, 0, 0, 0, 0, time.UTC)
	closes := time.Date(2025, time.March, 28, 0, 0, 0, 0, time.UTC)
	fx.in = Input{
		Organisation: survey.Organisation{Name: org.Name, Sector: org.Sector, Headcount: org.Headcount()},
		Diagnostic: survey.Diagnostic{
			Name: "Meting voorjaar 2025", Questionnaire: *fx.q, Units: fx.units,
			MinGroupSize: survey.DefaultMinGroupSize, OpensAt: &opens, ClosesAt: &closes,
		},
		Result:      res,
		Benchmark:   &bm,
		Lang:        "nl",
		Advice:      loadLibrary(t),
		GeneratedOn: fixtureDate,
		Author:      "Adviesbureau De Brug",
	}
	return fx
}

func (fx *fixture) compute() (*survey.Result, error) {
	return scoring.Compute(scoring.Input{Questionnaire: fx.q, Responses: fx.responses, Units: fx.units, Previous: fx.previous})
}

// demoInput is the 400-respondent demo organisation with a previous wave.
// Building it takes a few milliseconds, so every test gets its own copy.
func demoInput(t testing.TB) Input {
	return newFixture(t, 400, simulate.Demo(400), 3, true).in
}
