package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// pulseQuestionnaire is a pulse for the attacker: factor a with one item,
// factor b with two (one reversed), and the pulse's own outcome item,
// which the breakdowns show per group.
func pulseQuestionnaire(points int) (*survey.Questionnaire, *attQ) {
	q := &survey.Questionnaire{
		ID:      "att_pulse",
		PulseOf: "att",
		Scale:   survey.Scale{Min: 1, Max: points},
		Factors: []survey.Factor{
			{ID: "a", Items: []survey.Item{{ID: "a1"}}},
			{ID: "b", Items: []survey.Item{{ID: "b1"}, {ID: "b2", Reverse: true}}},
		},
		Outcomes: []survey.Item{{ID: "o1"}},
		Routes:   []survey.Route{{ID: "r", Weights: []survey.RouteWeight{{Factor: "a", Weight: 0.25}, {Factor: "b", Weight: 0.75}}}},
		Background: []survey.BackgroundQuestion{
			{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{{ID: survey.RolePolicy}, {ID: survey.RoleExecution}, {ID: survey.RoleManagement}}},
			{ID: survey.BackgroundUnitID, Kind: survey.BackgroundUnit},
		},
		Bands: survey.Bands{Amber: 50, Green: 65},
	}
	aq := &attQ{factors: [][]int{{0}, {1, 2}}, outcome: []int{3}, routes: [][2]int64{{1, 4}}, items: 4}
	for v := 1; v <= points; v++ {
		aq.values = append(aq.values, v)
	}
	return q, aq
}

func (s *attScenario) addPulse(rng *rand.Rand, unit, role string, dk, skip []int) {
	ids := []string{"a1", "b1", "b2", "o1"}
	p := person{answered: make([]bool, 4), dontKnow: make([]bool, 4), unit: unit, role: role}
	r := survey.Response{ID: fmt.Sprintf("p%d", len(s.rs)), Answers: map[string]int{}, Background: map[string]string{}}
	if unit != "" {
		r.Background[survey.BackgroundUnitID] = unit
	}
	if role != "" {
		r.Background[survey.BackgroundRole] = role
	}
	for i, id := range ids {
		switch {
		case slices.Contains(dk, i):
			r.Answers[id] = survey.DontKnow
			p.dontKnow[i] = true
		case slices.Contains(skip, i):
		default:
			r.Answers[id] = 1 + rng.IntN(s.q.Scale.Max)
			p.answered[i] = true
		}
	}
	s.people = append(s.people, p)
	s.rs = append(s.rs, r)
}

func randomPulseScenario(rng *rand.Rand) *attScenario {
	q, aq := pulseQuestionnaire([]int{5, 5, 4}[rng.IntN(3)])
	s := &attScenario{q: q, aq: aq, min: 2 + rng.IntN(2), units: []survey.Unit{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}}}
	n := 9 + rng.IntN(6)
	for range n {
		var dk, skip []int
		for i := range 4 {
			switch x := rng.Float64(); {
			case x < 0.15:
				dk = append(dk, i)
			case x < 0.2:
				skip = append(skip, i)
			}
		}
		units := []string{"u1", "u1", "u2", "u2", "u3", ""}
		roles := []string{survey.RolePolicy, survey.RolePolicy, survey.RoleExecution, survey.RoleExecution, survey.RoleManagement, ""}
		s.addPulse(rng, units[rng.IntN(len(units))], roles[rng.IntN(len(roles))], dk, skip)
	}
	return s
}

// TestAttackerOnPulses: a pulse has fewer items per factor and shows its
// own question per unit, but the same rules: the attacker, reading every
// release of random pulses (previews, finals, reopens) and their employee
// summaries, finds nothing. Fewer items is not a way around suppression.
func TestAttackerOnPulses(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 5))
	checked, outcomeCells := 0, 0
	for run := range attackerRuns(t, 300) {
		s := randomPulseScenario(rng)
		n := len(s.rs)
		var counts []int
		for c := 2 * s.min; c <= n; c += 1 + rng.IntN(4) {
			counts = append(counts, c)
		}
		if len(counts) == 0 || counts[len(counts)-1] != n {
			counts = append(counts, n)
		}
		res, at := s.releases(t, counts, true)
		if len(res) == 0 {
			continue
		}
		checked++
		for _, g := range res[len(res)-1].Units.Groups {
			for _, c := range g.Cells {
				if c.Measure == survey.MeasureOutcome && c.Shown {
					outcomeCells++
				}
			}
		}
		figs := s.figuresOf(t, res, at)
		last := res[len(res)-1]
		figs = append(figs, s.read(t, EmployeeSummaryOf(last), at[len(at)-1])...)
		if got := attack(s.aq, s.people, figs, s.min); got != nil {
			t.Fatalf("run %d (min %d, releases at %v): respondents %v can be derived from the pulse", run, s.min, at, got)
		}
	}
	if checked == 0 || outcomeCells == 0 {
		t.Fatalf("%d pulses checked, %d outcome cells shown: the test reads nothing", checked, outcomeCells)
	}
	t.Logf("%d pulses, %d shown 'actions noticed' cells per unit, no leak", checked, outcomeCells)
}

// TestPulseSuppressesLikeTheFullInstrument: with the same respondents'
// groups, a pulse hides exactly the units the full instrument hides.
func TestPulseSuppressesLikeTheFullInstrument(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 6))
	fq, _ := attQuestionnaire(5)
	pq, _ := pulseQuestionnaire(5)
	units := []survey.Unit{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}}
	sizes := map[string]int{"u1": 12, "u2": 7, "u3": 4}
	var full, pulse []survey.Response
	for _, u := range []string{"u1", "u2", "u3"} {
		for i := range sizes[u] {
			bg := map[string]string{survey.BackgroundUnitID: u, survey.BackgroundRole: []string{survey.RolePolicy, survey.RoleExecution}[i%2]}
			fa, pa := map[string]int{}, map[string]int{}
			for _, id := range []string{"a1", "a2", "a3", "b1", "b2", "o1"} {
				fa[id] = 1 + rng.IntN(5)
			}
			for _, id := range []string{"a1", "b1", "b2", "o1"} {
				pa[id] = fa[id]
			}
			full = append(full, survey.Response{ID: fmt.Sprintf("f%s%d", u, i), Background: bg, Answers: fa})
			pulse = append(pulse, survey.Response{ID: fmt.Sprintf("p%s%d", u, i), Background: bg, Answers: pa})
		}
	}
	fr, err := Compute(Input{Questionnaire: fq, Responses: full, MinGroupSize: 5, Units: units})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Compute(Input{Questionnaire: pq, Responses: pulse, MinGroupSize: 5, Units: units})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range pr.Units.Groups {
		if g.Shown != fr.Units.Groups[i].Shown || g.Reason != fr.Units.Groups[i].Reason {
			t.Errorf("unit %s: pulse shown %t (%s), full %t (%s)", g.ID, g.Shown, g.Reason, fr.Units.Groups[i].Shown, fr.Units.Groups[i].Reason)
		}
		if !g.Shown {
			continue
		}
		last := g.Cells[len(g.Cells)-1]
		if last.Measure != survey.MeasureOutcome || !last.Shown || last.N != g.N {
			t.Errorf("unit %s: the pulse's own question is not shown on the group's base: %+v", g.ID, last)
		}
	}
	for _, g := range fr.Units.Groups {
		for _, c := range g.Cells {
			if c.Measure == survey.MeasureOutcome {
				t.Error("a full measurement shows the outcome per unit")
			}
		}
	}
	if pr.Units.Groups[2].Shown {
		t.Error("a unit of 4 is shown in the pulse")
	}
}
