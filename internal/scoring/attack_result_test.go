package scoring

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// These attacks use nothing but a published survey.Result. Each found a
// small set's answers on the engine before the single analysis base; each
// must find nothing now.

// attackSet is six respondents with full answers and one (x) with a
// don't-know in factor b and a factor a score, who has no index.
func attackSet() []survey.Response {
	dk := survey.DontKnow
	var rs []survey.Response
	for i, v := range []int{1, 2, 3, 4, 5, 3} {
		rs = append(rs, resp("r"+string(rune('a'+i)), map[string]int{
			"a1": v, "a2": 6 - v, "a3": v, "b1": v, "b2": v, "b3": 1 + i%5, "b4": v, "o1": v,
		}))
	}
	// x answers b3 with don't know: still three of four items, so x has a
	// score on b, and on a, but is missing the outcome.
	rs = append(rs, resp("x", map[string]int{"a1": 5, "a2": 5, "a3": 1, "b1": 4, "b2": 5, "b3": dk, "b4": 5}))
	return rs
}

// TestAttackFactorMinusIndex is attack 1 of issue 11: the summed factor
// sums minus the factors times the index sum gives the factor scores of the
// members without an index.
func TestAttackFactorMinusIndex(t *testing.T) {
	res, err := Compute(Input{Questionnaire: handQuestionnaire(), Responses: attackSet(), MinGroupSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	n := 0
	for _, f := range res.Factors {
		if !f.Score.Shown || !res.Index.Shown {
			return
		}
		sum += float64(f.Score.N) * *f.Score.Mean
		n += f.Score.N
	}
	leaked := sum - float64(len(res.Factors)*res.Index.N)**res.Index.Mean
	if math.Abs(leaked) > 1e-9 || n != len(res.Factors)*res.Index.N {
		t.Errorf("factor sums minus index sum = %v over %d factor scores outside the index: a small set's scores", leaked, n-len(res.Factors)*res.Index.N)
	}
	if res.Outcome.Shown && res.Outcome.N != res.Index.N {
		t.Errorf("outcome rests on %d respondents, index on %d", res.Outcome.N, res.Index.N)
	}
}

// TestAttackItemsMinusFactor is the don't-know attack on item means: k
// times the factor sum minus the item sums is a weighted sum over the few
// respondents with a don't-know in the factor.
func TestAttackItemsMinusFactor(t *testing.T) {
	rs := attackSet()
	// Give x an outcome so that x is in the base: the attack then has to
	// work within one set of respondents.
	rs[len(rs)-1].Answers["o1"] = 2
	res, err := Compute(Input{Questionnaire: handQuestionnaire(), Responses: rs, MinGroupSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Read the items from the JSON, as a reader would: whatever the Go
	// type holds, only what is encoded is published.
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var pub struct {
		Factors []struct {
			Score struct {
				N    int
				Mean *float64
			}
			Items []struct {
				N    int
				Mean *float64
			}
		}
	}
	if err := json.Unmarshal(raw, &pub); err != nil {
		t.Fatal(err)
	}
	b := pub.Factors[1]
	itemSum := 0.0
	for _, it := range b.Items {
		if it.Mean == nil || it.N == 0 {
			return // item means are not published: nothing to subtract
		}
		itemSum += float64(it.N) * *it.Mean
	}
	leaked := float64(len(b.Items))*float64(b.Score.N)**b.Score.Mean - itemSum
	if math.Abs(leaked) > 1e-9 {
		t.Errorf("4 x factor sum - item sums = %v: a weighted sum of x's answers", leaked)
	}
}

// TestHiddenItemCarriesNothing: a hidden item's don't-know share together
// with the published n of the factor gives its answered count.
func TestHiddenItemCarriesNothing(t *testing.T) {
	dk := survey.DontKnow
	var rs []survey.Response
	for i := range 6 {
		a := map[string]int{"a1": 1 + i%5, "a2": 2, "a3": 3, "b1": 4, "b2": 1 + i%3, "b3": 2, "b4": 5, "o1": 3}
		if i < 4 {
			a["b4"] = dk // b4 answered by two only
		}
		rs = append(rs, resp("r"+string(rune('a'+i)), a))
	}
	res, err := Compute(Input{Questionnaire: handQuestionnaire(), Responses: rs, MinGroupSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	b4 := res.Factors[1].Items[3]
	if b4.Shown || b4.DontKnowShare != nil || b4.DontKnow != 0 || b4.Shares != nil {
		t.Errorf("hidden item b4 carries %+v", b4)
	}
}

// TestHiddenFactorCarriesNothing: a factor hidden for any reason prints no
// alpha, interval, n or mean.
func TestHiddenFactorCarriesNothing(t *testing.T) {
	lay := newLayout(handQuestionnaire())
	data, err := lay.parse(attackSet()[:2])
	if err != nil {
		t.Fatal(err)
	}
	fr := lay.factorResult(0, data, lay.measures(data).factor[0], 5, survey.Bands{})
	if fr.Score.Shown {
		t.Fatal("two respondents shown")
	}
	if fr.Reliability.Alpha != nil || fr.Shares != nil || len(fr.Items) != 0 || fr.StrongestItem != "" {
		t.Errorf("hidden factor carries %+v", fr)
	}
}

// TestIntervalsClippedToScale: a small, spread-out group has a t interval
// reaching beyond 0-100; every consumer must get it clipped.
func TestIntervalsClippedToScale(t *testing.T) {
	s := scoreOf(Summary{N: 2, Mean: 70, Var: 800}, 2, survey.Bands{Amber: 50, Green: 65})
	if s.CI == nil || s.CI.Low != 0 || s.CI.High != 100 {
		t.Errorf("interval %+v, want clipped to 0..100", s.CI)
	}
	s = scoreOf(Summary{N: 30, Mean: 70, Var: 4}, 2, survey.Bands{Amber: 50, Green: 65})
	if s.CI.Low <= 69 || s.CI.High >= 71 {
		t.Errorf("interval %+v clipped inside the scale", s.CI)
	}
}
