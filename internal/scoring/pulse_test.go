package scoring

import (
	"fmt"
	"math/rand/v2"
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

// pulseItemIDs are the items of pulseQuestionnaire, in the order of attQ.
func pulseItemIDs() []string { return []string{"a1", "b1", "b2", "o1"} }

func randomPulseScenario(rng *rand.Rand) *attScenario {
	q, aq := pulseQuestionnaire([]int{5, 5, 4}[rng.IntN(3)])
	return newRandomScenario(rng, q, aq, pulseItemIDs(), 0.15, 0.2)
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
		res, at := s.releases(t, releaseCounts(rng, s.min, n), true)
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
