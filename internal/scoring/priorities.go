package scoring

import (
	"cmp"
	"math"
	"slices"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// priorities estimates impact and ranks the factors (methodology sections 6
// and 15).
func priorities(res *survey.Result, lay *layout, data *answers, m *measures, in Input, tab *survey.AnswerTable) error {
	factorScores, outcome := m.factor, m.outcome
	n := data.n
	if n < PoolingThreshold && len(in.Pooled) > 0 {
		seen := map[string]bool{}
		for _, id := range tab.IDs {
			if id != "" {
				seen[id] = true
			}
		}
		var extra []survey.Response
		for _, r := range in.Pooled {
			if r.ID != "" {
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
			}
			extra = append(extra, r)
		}
		if len(extra) > 0 {
			et := lay.table(extra)
			pd, err := lay.parseRows(et, nil)
			if err != nil {
				return survey.Wrap(survey.CodeInvalid, err, "pooled responses")
			}
			// The pooled responses enter on the same definition: the base.
			if pd, err = lay.parseRows(et, lay.base(lay.measures(pd))); err != nil {
				return survey.Wrap(survey.CodeInvalid, err, "pooled responses")
			}
			pm := lay.measures(pd)
			factorScores = make([][]float64, len(m.factor))
			for f := range m.factor {
				factorScores[f] = append(slices.Clone(m.factor[f]), pm.factor[f]...)
			}
			outcome = append(slices.Clone(m.outcome), pm.outcome...)
			n += pd.n
			res.Impact.Pooled = true
		}
	}
	res.Impact.N = n
	var cands []Candidate
	for f, fr := range res.Factors {
		if !fr.Score.Shown || fr.Score.Mean == nil {
			continue
		}
		r, pairs := Pearson(factorScores[f], outcome)
		cands = append(cands, Candidate{Factor: fr.ID, Score: *fr.Score.Mean, Band: fr.Score.Band, Impact: r, Pairs: pairs})
	}
	res.Priorities = Rank(cands)
	return nil
}

// Candidate is a factor with a shown score, as Rank sees it.
type Candidate struct {
	Factor string
	Score  float64
	Band   survey.Band
	// Impact is the correlation with the outcome over Pairs respondents
	// (NaN when it cannot be estimated).
	Impact float64
	Pairs  int
}

// Rank chooses at most PriorityCount priorities from the candidates, given
// in questionnaire order:
//
//   - the factor with the highest score (every factor tied with it) is left
//     out when it is in the green band: what is in order is not a priority;
//   - a factor whose impact is meaningful (positive, significant at 5 % and
//     at least weak) is ranked by (100 - score) * impact, and these come
//     first (basis "impact");
//   - the others follow by score, lowest first (basis "score"): without a
//     demonstrable tie with the outcome, a correlation of 0.05 says nothing
//     about where improvement pays off;
//
// ties go to the lower score, then to questionnaire order.
func Rank(cands []Candidate) []survey.Priority {
	top := math.Inf(-1)
	for _, c := range cands {
		top = math.Max(top, displayed(c.Score, ScoreDecimals))
	}
	type ranked struct {
		p     survey.Priority
		order int
	}
	var rs []ranked
	for i, c := range cands {
		if c.Band == survey.BandGreen && displayed(c.Score, ScoreDecimals) == top {
			continue
		}
		strength, sig := Link(c.Impact, c.Pairs)
		p := survey.Priority{
			Factor: c.Factor, Score: c.Score, Impact: ptr(c.Impact), ImpactN: c.Pairs,
			Significant: sig, Strength: strength, Basis: survey.BasisScore,
		}
		if Meaningful(c.Impact, strength) {
			p.Basis = survey.BasisImpact
			p.Value = (100 - c.Score) * c.Impact
		}
		rs = append(rs, ranked{p, i})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		ai, bi := a.p.Basis == survey.BasisImpact, b.p.Basis == survey.BasisImpact
		if ai != bi {
			if ai {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.p.Value, a.p.Value), cmp.Compare(a.p.Score, b.p.Score), cmp.Compare(a.order, b.order))
	})
	out := []survey.Priority{}
	for i, r := range rs {
		if i == PriorityCount {
			break
		}
		r.p.Rank = i + 1
		out = append(out, r.p)
	}
	return out
}
