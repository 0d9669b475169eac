package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// benchQuestionnaire has the shape of questionnaires/uitvoeringskracht-v1:
// five factors of seven items (three reverse-keyed), three outcome items,
// role, unit and tenure questions, three routes.
func benchQuestionnaire() *survey.Questionnaire {
	q := &survey.Questionnaire{ID: "bench", Version: "1", Scale: survey.Scale{Min: 1, Max: 5}, Bands: survey.Bands{Amber: 50, Green: 65}}
	ids := []string{"risk_culture", "governance", "talent", "silos", "capacity"}
	for _, id := range ids {
		f := survey.Factor{ID: id}
		for j := range 7 {
			f.Items = append(f.Items, survey.Item{ID: fmt.Sprintf("%s_%d", id, j+1), Reverse: j%2 == 1 && j < 6})
		}
		q.Factors = append(q.Factors, f)
	}
	for j := range 3 {
		q.Outcomes = append(q.Outcomes, survey.Item{ID: fmt.Sprintf("outcome_%d", j+1)})
	}
	q.Background = []survey.BackgroundQuestion{
		{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{{ID: "beleid"}, {ID: "uitvoering"}, {ID: "management"}, {ID: "ondersteuning"}}},
		{ID: survey.BackgroundUnitID, Kind: survey.BackgroundUnit},
		{ID: "tenure", Kind: survey.BackgroundChoice, Options: []survey.Option{{ID: "lt2"}, {ID: "2to5"}, {ID: "5to10"}, {ID: "10to20"}, {ID: "20plus"}}},
	}
	q.Routes = []survey.Route{
		{ID: "collaboration", Weights: []survey.RouteWeight{{Factor: "silos", Weight: 0.5}, {Factor: "governance", Weight: 0.3}, {Factor: "capacity", Weight: 0.2}}},
		{ID: "policy_execution", Weights: []survey.RouteWeight{{Factor: "governance", Weight: 0.4}, {Factor: "capacity", Weight: 0.4}, {Factor: "risk_culture", Weight: 0.2}}},
		{ID: "professional_room", Weights: []survey.RouteWeight{{Factor: "risk_culture", Weight: 0.5}, {Factor: "talent", Weight: 0.5}}},
	}
	return q
}

// benchInput generates n respondents over nUnits units of very different
// sizes (a few large directorates, many small teams, some below the minimum
// group size). Answers follow a per-factor latent score with unit and role
// effects; 5 % are "don't know", 3 % skipped, 2 % leave out unit or role.
func benchInput(n, nUnits int) Input {
	rng := rand.New(rand.NewPCG(2024, uint64(n)))
	q := benchQuestionnaire()
	var units []survey.Unit
	weights := make([]float64, nUnits)
	total := 0.0
	for u := range nUnits {
		units = append(units, survey.Unit{ID: fmt.Sprintf("unit-%02d", u)})
		weights[u] = math.Exp(2 * rng.NormFloat64())
		total += weights[u]
	}
	roles := []string{"beleid", "uitvoering", "management", "ondersteuning"}
	roleP := []float64{0.3, 0.45, 0.1, 0.15}
	tenure := []string{"lt2", "2to5", "5to10", "10to20", "20plus"}
	unitEffect := make([]float64, nUnits)
	for u := range unitEffect {
		unitEffect[u] = 0.3 * rng.NormFloat64()
	}
	pick := func(p []float64, sum float64) int {
		x := rng.Float64() * sum
		for i, w := range p {
			if x < w {
				return i
			}
			x -= w
		}
		return len(p) - 1
	}
	cut := func(z float64) int {
		switch {
		case z < -1.2:
			return 1
		case z < -0.4:
			return 2
		case z < 0.4:
			return 3
		case z < 1.2:
			return 4
		default:
			return 5
		}
	}
	rs := make([]survey.Response, n)
	for i := range rs {
		u := pick(weights, total)
		r := pick(roleP, 1)
		bg := map[string]string{survey.BackgroundUnitID: units[u].ID, survey.BackgroundRole: roles[r], "tenure": tenure[rng.IntN(5)]}
		if rng.Float64() < 0.02 {
			delete(bg, survey.BackgroundUnitID)
		}
		if rng.Float64() < 0.02 {
			delete(bg, survey.BackgroundRole)
		}
		answers := make(map[string]int, 38)
		outcome := 0.0
		for _, f := range q.Factors {
			lat := rng.NormFloat64() + unitEffect[u] + 0.2*float64(r-1)
			outcome += lat / 5
			for _, it := range f.Items {
				v := cut(0.7*lat + 0.7*rng.NormFloat64())
				if it.Reverse {
					v = 6 - v
				}
				switch x := rng.Float64(); {
				case x < 0.05:
					v = survey.DontKnow
				case x < 0.08:
					continue
				}
				answers[it.ID] = v
			}
		}
		for _, it := range q.Outcomes {
			answers[it.ID] = cut(outcome + 0.6*rng.NormFloat64())
		}
		rs[i] = survey.Response{ID: fmt.Sprintf("r%06d", i), Background: bg, Answers: answers}
	}
	return Input{Questionnaire: q, Responses: rs, MinGroupSize: survey.DefaultMinGroupSize, Units: units}
}

func benchmarkCompute(b *testing.B, n int) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	in := benchInput(n, 30)
	runtime.GC()
	runtime.ReadMemStats(&after)
	inputMB := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
	// The responses themselves (maps of answers) are the caller's memory;
	// reported so that B/op (what Compute allocates) can be put beside it.
	b.ReportMetric(inputMB, "input-MB")
}

func BenchmarkCompute10k(b *testing.B)  { benchmarkCompute(b, 10_000) }
func BenchmarkCompute150k(b *testing.B) { benchmarkCompute(b, 150_000) }

// BenchmarkSuppress measures one disclosure decision on a 31-unit by
// 5-role table.
func BenchmarkSuppress(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	tab := Table{Dims: []string{"unit", "role"}}
	for u := range 31 {
		for r := range 5 {
			if c := int(math.Exp(2*rng.NormFloat64())) - 1; c > 0 {
				tab.Cells = append(tab.Cells, TableCell{Groups: []string{fmt.Sprint("u", u), fmt.Sprint("r", r)}, Count: c})
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Suppress(tab, 5, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchInputIsScorable(t *testing.T) {
	res, err := Compute(benchInput(3000, 30))
	if err != nil {
		t.Fatal(err)
	}
	shown, hidden := 0, 0
	for _, g := range res.Units.Groups {
		if g.Shown {
			shown++
		} else {
			hidden++
		}
	}
	if shown == 0 || hidden == 0 {
		t.Errorf("the synthetic units should include both shown and hidden groups: %d shown, %d hidden", shown, hidden)
	}
	for _, f := range res.Factors {
		if f.Reliability.Alpha == nil || *f.Reliability.Alpha < 0.7 {
			t.Errorf("%s: alpha %v", f.ID, f.Reliability.Alpha)
		}
	}
}

// benchmarkComputeTable is benchmarkCompute on the compact answer table the
// results are computed from (survey.AnswerTable).
func benchmarkComputeTable(b *testing.B, n int) {
	in := benchInput(n, 30)
	items, background := TableColumns(in.Questionnaire)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	in.Table = survey.TableOf(in.Responses, items, background)
	runtime.GC()
	runtime.ReadMemStats(&after)
	in.Responses = nil
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "input-MB")
}

func BenchmarkComputeTable150k(b *testing.B) { benchmarkComputeTable(b, 150_000) }
