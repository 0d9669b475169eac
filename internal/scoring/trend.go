package scoring

import "github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"

// trend compares this wave (A) with the previous one (B) on the index and
// on every factor the two waves share. The waves are treated as independent
// samples: responses are anonymous, so the people who answered twice cannot
// be paired, and Welch's interval is then conservative for them.
func trend(cur, prev *survey.Result) *survey.Trend {
	t := &survey.Trend{PreviousN: prev.N}
	add := func(id string, a, b survey.Score) {
		sa, okA := summaryOf(a)
		sb, okB := summaryOf(b)
		if !okA || !okB {
			t.Changes = append(t.Changes, survey.Difference{Measure: id, Reason: survey.ReasonNotApplicable})
			return
		}
		t.Changes = append(t.Changes, Compare(id, sa, sb))
	}
	add(survey.MeasureIndex, cur.Index, prev.Index)
	for _, f := range cur.Factors {
		var p survey.Score
		for _, pf := range prev.Factors {
			if pf.ID == f.ID {
				p = pf.Score
			}
		}
		add(f.ID, f.Score, p)
	}
	return t
}

// summaryOf recovers the moments of a shown score.
func summaryOf(s survey.Score) (Summary, bool) {
	if !s.Shown || s.Mean == nil || s.SD == nil || s.N < 2 {
		return Summary{}, false
	}
	return Summary{N: s.N, Mean: *s.Mean, Var: *s.SD * *s.SD}, true
}
