package scoring

import (
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func handQuestionnaire() *survey.Questionnaire {
	return &survey.Questionnaire{
		ID:    "hand",
		Scale: survey.Scale{Min: 1, Max: 5},
		Factors: []survey.Factor{
			{ID: "a", Items: []survey.Item{{ID: "a1"}, {ID: "a2"}, {ID: "a3", Reverse: true}}},
			{ID: "b", Items: []survey.Item{{ID: "b1"}, {ID: "b2"}, {ID: "b3"}, {ID: "b4"}}},
		},
		Outcomes: []survey.Item{{ID: "o1"}},
		Bands:    survey.Bands{Amber: 50, Green: 65},
	}
}

func resp(id string, answers map[string]int) survey.Response {
	return survey.Response{ID: id, Answers: answers, Background: map[string]string{}}
}

// TestScoringRulesByHand checks recoding, the two-thirds rule, the
// analysis base, rescaling, shares and don't-know shares on four
// respondents computed by hand.
func TestScoringRulesByHand(t *testing.T) {
	dk := survey.DontKnow
	rs := []survey.Response{
		// a: 5, 4, 2 -> recoded 4: mean 13/3, score 100*(13/3-1)/4.
		// b: 2, 3, 4, 5: mean 3.5, score 62.5. In the base.
		resp("r1", map[string]int{"a1": 5, "a2": 4, "a3": 2, "b1": 2, "b2": 3, "b3": 4, "b4": 5, "o1": 4, "unknown": 99}),
		// a: one valid answer of three (3*1 < 2*3): no score, not in the base.
		resp("r2", map[string]int{"a1": dk, "a2": 3, "b1": 1, "b2": 1, "b3": 1, "o1": 5}),
		// b: two of four (6 < 8): no score, not in the base.
		resp("r3", map[string]int{"a1": 1, "a2": 2, "a3": 5, "b1": 5, "b2": 5, "o1": 5}),
		// a: 1 and 5 -> recoded 1 (two of three, 6 >= 6): score 0.
		// b: three of four (9 >= 8): mean 1, score 0. In the base.
		resp("r4", map[string]int{"a1": 1, "a2": dk, "a3": 5, "b1": 1, "b2": 1, "b3": 1, "o1": 2}),
	}
	res, err := Compute(Input{Questionnaire: handQuestionnaire(), Responses: rs, MinGroupSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 4 || res.N != 2 {
		t.Errorf("responses %d, base %d; want 4 and 2", res.Responses, res.N)
	}
	a, b := res.Factors[0], res.Factors[1]
	wantA := (100*(13.0/3-1)/4 + 0) / 2
	if a.Score.N != 2 || !closeTo(*a.Score.Mean, wantA, 1e-12) {
		t.Errorf("a: n=%d mean=%v, want 2 and %v", a.Score.N, *a.Score.Mean, wantA)
	}
	if b.Score.N != 2 || !closeTo(*b.Score.Mean, 31.25, 1e-12) {
		t.Errorf("b: n=%d mean=%v, want 2 and 31.25", b.Score.N, *b.Score.Mean)
	}
	if res.Index.N != 2 || !closeTo(*res.Index.Mean, (wantA+31.25)/2, 1e-12) {
		t.Errorf("index = %+v", res.Index)
	}
	if res.Outcome.N != 2 || !closeTo(*res.Outcome.Mean, (75+25)/2.0, 1e-12) {
		t.Errorf("outcome = %+v", res.Outcome)
	}
	// Factor a pools the recoded answers 5,4,4 | 1,1: below 3 two, above 3
	// three; r2's and r3's answers are not in the base.
	if s := a.Shares; s == nil || !closeTo(s.Disagree, 2.0/5, 1e-15) || s.Neutral != 0 || !closeTo(s.Agree, 3.0/5, 1e-15) {
		t.Errorf("a shares = %+v", a.Shares)
	}
	a1, a2, a3 := a.Items[0], a.Items[1], a.Items[2]
	if a1.DontKnow != 0 || *a1.DontKnowShare != 0 || a1.Shares.Agree != 0.5 || a1.Shares.Disagree != 0.5 {
		t.Errorf("a1 = %+v", a1)
	}
	if a2.DontKnow != 1 || *a2.DontKnowShare != 0.5 || a2.Shares.Agree != 1 {
		t.Errorf("a2 = %+v", a2)
	}
	// a3 as answered: 2 (disagree) and 5 (agree).
	if a3.Shares.Disagree != 0.5 || a3.Shares.Agree != 0.5 {
		t.Errorf("a3 shares %+v", *a3.Shares)
	}
	// Favourable shares: a1 .5, a2 1, a3 (reverse: disagree) .5; ties
	// keep the first.
	if a.StrongestItem != "a2" || a.WeakestItem != "a1" {
		t.Errorf("strongest %s weakest %s", a.StrongestItem, a.WeakestItem)
	}
}

// TestNoItemSharesOnThreePoints: on a scale of three points the collapsed
// shares are the whole distribution, so neither items nor factors carry
// shares; the don't-know share stays.
func TestNoItemSharesOnThreePoints(t *testing.T) {
	q := handQuestionnaire()
	q.Scale = survey.Scale{Min: 1, Max: 3}
	var rs []survey.Response
	for i := range 6 {
		v := 1 + i%3
		rs = append(rs, resp("r"+string(rune('a'+i)), map[string]int{"a1": v, "a2": v, "a3": v, "b1": v, "b2": v, "b3": v, "b4": v, "o1": v}))
	}
	res, err := Compute(Input{Questionnaire: q, Responses: rs, MinGroupSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Factors {
		if f.Shares != nil || f.StrongestItem != "" {
			t.Errorf("%s: shares %+v strongest %q", f.ID, f.Shares, f.StrongestItem)
		}
		for _, it := range f.Items {
			if it.Shown || it.Shares != nil || it.DontKnowShare == nil {
				t.Errorf("%s: %+v", it.ID, it)
			}
		}
	}
	q.Scale = survey.Scale{Min: 1, Max: 4}
	if res, err = Compute(Input{Questionnaire: q, Responses: rs, MinGroupSize: 5}); err != nil || res.Factors[0].Shares == nil || !res.Factors[0].Items[0].Shown {
		t.Errorf("four points: %v %+v", err, res.Factors[0])
	}
}

func TestRescaleOtherScale(t *testing.T) {
	q := handQuestionnaire()
	q.Scale = survey.Scale{Min: 1, Max: 7}
	rs := []survey.Response{resp("r1", map[string]int{"a1": 4, "a2": 4, "a3": 4, "b1": 7, "b2": 7, "b3": 7, "b4": 7, "o1": 1})}
	res, err := Compute(Input{Questionnaire: q, Responses: rs, MinGroupSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 4 on 1..7 is 50; a reversed 4 stays 4. 7 is 100.
	if *res.Factors[0].Score.Mean != 50 || *res.Factors[1].Score.Mean != 100 || *res.Index.Mean != 75 {
		t.Errorf("a=%v b=%v index=%v", *res.Factors[0].Score.Mean, *res.Factors[1].Score.Mean, *res.Index.Mean)
	}
	if res.Index.Band != survey.BandGreen || res.Factors[0].Score.Band != survey.BandAmber {
		t.Errorf("bands %s %s", res.Index.Band, res.Factors[0].Score.Band)
	}
}

func TestRoutesWeighFactors(t *testing.T) {
	q := handQuestionnaire()
	q.Routes = []survey.Route{{ID: "r", Weights: []survey.RouteWeight{{Factor: "a", Weight: 0.25}, {Factor: "b", Weight: 0.75}}}}
	rs := []survey.Response{
		resp("1", map[string]int{"a1": 5, "a2": 5, "a3": 1, "b1": 1, "b2": 1, "b3": 1, "b4": 1, "o1": 3}), // a 100, b 0
		resp("2", map[string]int{"a1": 3, "a2": 3, "a3": 3, "b1": 5, "b2": 5, "b3": 5, "b4": 5, "o1": 3}), // a 50, b 100
	}
	res, err := Compute(Input{Questionnaire: q, Responses: rs, MinGroupSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Respondents: 25 and 87.5; mean 56.25.
	if got := *res.Routes[0].Score.Mean; got != 56.25 {
		t.Errorf("route = %v, want 56.25", got)
	}
}

func TestComputeRejectsInvalidInput(t *testing.T) {
	ok := []survey.Response{resp("1", map[string]int{"a1": 3}), resp("2", map[string]int{"a1": 3})}
	withBG := func(key, val string) []survey.Response {
		r := resp("1", map[string]int{"a1": 3})
		r.Background[key] = val
		return []survey.Response{r, r}
	}
	roleQ := handQuestionnaire()
	roleQ.Background = []survey.BackgroundQuestion{{ID: survey.BackgroundRole, Options: []survey.Option{{ID: "beleid"}}}}
	badRoute := handQuestionnaire()
	badRoute.Routes = []survey.Route{{ID: "r", Weights: []survey.RouteWeight{{Factor: "a", Weight: 0.5}}}}
	dup := handQuestionnaire()
	dup.Factors[1].Items[0].ID = "a1"
	tests := []struct {
		name string
		in   Input
		code survey.Code
	}{
		{"no questionnaire", Input{Responses: ok}, survey.CodeInvalid},
		{"answer above scale", Input{Questionnaire: handQuestionnaire(), Responses: []survey.Response{resp("1", map[string]int{"a1": 6})}, MinGroupSize: 1}, survey.CodeInvalid},
		{"negative answer", Input{Questionnaire: handQuestionnaire(), Responses: []survey.Response{resp("1", map[string]int{"b2": -1})}, MinGroupSize: 1}, survey.CodeInvalid},
		{"unknown unit", Input{Questionnaire: handQuestionnaire(), Responses: withBG(survey.BackgroundUnitID, "x"), Units: []survey.Unit{{ID: "u"}}, MinGroupSize: 1}, survey.CodeInvalid},
		{"unknown role", Input{Questionnaire: roleQ, Responses: withBG(survey.BackgroundRole, "x"), MinGroupSize: 1}, survey.CodeInvalid},
		{"route weights", Input{Questionnaire: badRoute, Responses: ok, MinGroupSize: 1}, survey.CodeInvalid},
		{"repeated item", Input{Questionnaire: dup, Responses: ok, MinGroupSize: 1}, survey.CodeInvalid},
		{"negative minimum", Input{Questionnaire: handQuestionnaire(), Responses: ok, MinGroupSize: -1}, survey.CodeInvalid},
		{"other questionnaire", Input{Questionnaire: handQuestionnaire(), Responses: ok, MinGroupSize: 1, Previous: &survey.Result{QuestionnaireID: "x"}}, survey.CodeInvalid},
		{"too few responses", Input{Questionnaire: handQuestionnaire(), Responses: ok}, survey.CodeConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(tt.in)
			if survey.ErrorCode(err) != tt.code {
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
}

// synthetic makes n responses to the pipeline questionnaire in which the
// outcome follows factor f2 closely and f1 not at all.
func synthetic(n int, prefix string) []survey.Response {
	var rs []survey.Response
	for i := range n {
		v := 1 + i%5
		w := 1 + (i*7)%5
		rs = append(rs, survey.Response{
			ID: prefix + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Background: map[string]string{
				survey.BackgroundRole:   []string{"beleid", "uitvoering", "management", "ondersteuning"}[i%4],
				survey.BackgroundUnitID: []string{"u1", "u2", "u3", "u4"}[(i/4)%4],
			},
			Answers: map[string]int{
				"f1_1": w, "f1_2": w, "f1_3": 6 - w,
				"f2_1": v, "f2_2": v, "f2_3": v, "f2_4": v,
				"o1": v, "o2": v, "o3": 1 + (v+i%2)%5,
			},
		})
	}
	return rs
}

func TestPrioritiesAndPooling(t *testing.T) {
	q := pipelineQuestionnaire()
	small := synthetic(12, "s")
	pool := append(synthetic(60, "p"), small...) // includes this diagnostic
	res, err := Compute(Input{Questionnaire: q, Responses: small, MinGroupSize: 5, Pooled: pool})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Impact.Pooled || res.Impact.N != 72 {
		t.Errorf("impact basis %+v, want pooled over 72 (duplicates skipped)", res.Impact)
	}
	if len(res.Priorities) != 2 {
		t.Fatalf("priorities %+v", res.Priorities)
	}
	for i, p := range res.Priorities {
		if p.Rank != i+1 {
			t.Errorf("rank %d at %d", p.Rank, i)
		}
		want := 0.0
		if p.Basis == survey.BasisImpact {
			want = (100 - p.Score) * *p.Impact
		}
		if !closeTo(p.Value, want, 1e-12) {
			t.Errorf("%s value %v, want %v", p.Factor, p.Value, want)
		}
	}
	if res.Priorities[0].Factor != "f2" {
		t.Errorf("f2 drives the outcome and should come first: %+v", res.Priorities)
	}
	big, err := Compute(Input{Questionnaire: q, Responses: synthetic(40, "b"), MinGroupSize: 5, Pooled: pool})
	if err != nil {
		t.Fatal(err)
	}
	if big.Impact.Pooled || big.Impact.N != 40 {
		t.Errorf("40 respondents need no pooling: %+v", big.Impact)
	}
}

func TestTrendAgainstPreviousWave(t *testing.T) {
	in := pipelineInput(t)
	prev, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Responses = in.Responses[:60]
	in.Previous = prev
	cur, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Trend == nil || cur.Trend.PreviousN != prev.N || len(cur.Trend.Changes) != 3 {
		t.Fatalf("trend %+v", cur.Trend)
	}
	for i, ch := range cur.Trend.Changes {
		var a, b survey.Score
		if i == 0 {
			a, b = cur.Index, prev.Index
		} else {
			a, b = cur.Factors[i-1].Score, prev.Factors[i-1].Score
		}
		sa, _ := summaryOf(a)
		sb, _ := summaryOf(b)
		want := Compare(ch.Measure, sa, sb)
		if !ch.Shown || !closeTo(*ch.Diff, *a.Mean-*b.Mean, 1e-12) || !closeTo(ch.CI.Low, want.CI.Low, 1e-12) || ch.Verdict != want.Verdict {
			t.Errorf("%s: %+v, want %+v", ch.Measure, ch, want)
		}
	}
}

func TestBreakdownMarksEmptyUnitsAndOther(t *testing.T) {
	in := pipelineInput(t)
	in.Units = append(in.Units, survey.Unit{ID: "u5"})
	// Move all but 3 of u4 to u1 so that u4 is too small and, with u5 empty,
	// another unit must be hidden with it.
	kept := 0
	for i := range in.Responses {
		if in.Responses[i].Background[survey.BackgroundUnitID] == "u4" {
			if kept < 3 {
				kept++
				continue
			}
			bg := map[string]string{}
			for k, v := range in.Responses[i].Background {
				bg[k] = v
			}
			bg[survey.BackgroundUnitID] = "u1"
			in.Responses[i].Background = bg
		}
	}
	res, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]survey.Group{}
	for _, g := range res.Units.Groups {
		groups[g.ID] = g
	}
	if g := groups["u5"]; g.Shown || g.Reason != survey.ReasonTooSmall || g.N != 0 {
		t.Errorf("u5 = %+v", g)
	}
	if g := groups["u4"]; g.Shown || g.Reason != survey.ReasonTooSmall {
		t.Errorf("u4 = %+v", g)
	}
	if groups["u2"].Shown && groups["u3"].Shown && groups["u1"].Shown {
		t.Errorf("u4 (3) alone would be total minus the others: %+v", res.Units.Groups)
	}
	if res.Units.Other == nil || res.Units.Other.N < in.MinGroupSize {
		t.Errorf("other = %+v", res.Units.Other)
	}
}
