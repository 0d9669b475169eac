package scoring

import "github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"

// EmployeeSummaryOf is what the employee summary shows of a released
// result: the response counts, the organisation's index and factor scores
// as released (hidden stays hidden, with its reason) and the ranks of the
// priorities. It drops every breakdown, comparison, item, route, outcome,
// trend and correlation, so it holds a subset of the figures of res and
// no new one (docs/methodology.md §17): a summary can never show what
// the results hide.
func EmployeeSummaryOf(res *survey.Result) *survey.Result {
	if res == nil {
		return nil
	}
	out := &survey.Result{
		QuestionnaireID:      res.QuestionnaireID,
		QuestionnaireVersion: res.QuestionnaireVersion,
		Responses:            res.Responses,
		N:                    res.N,
		MinGroupSize:         res.MinGroupSize,
		Index:                res.Index,
		Outcome:              survey.Score{Reason: survey.ReasonNotApplicable},
		OutcomeItems:         []survey.ItemResult{},
		Routes:               []survey.RouteResult{},
		Gaps:                 []survey.Comparison{},
		Units:                survey.Breakdown{Dimension: survey.DimensionUnit, Groups: []survey.Group{}},
		Roles:                survey.Breakdown{Dimension: survey.DimensionRole, Groups: []survey.Group{}},
		HeldBack:             res.HeldBack,
		BaseCells:            res.BaseCells,
	}
	out.Factors = make([]survey.FactorResult, 0, len(res.Factors))
	for _, f := range res.Factors {
		out.Factors = append(out.Factors, survey.FactorResult{ID: f.ID, Score: f.Score, Items: []survey.ItemResult{}})
	}
	out.Priorities = make([]survey.Priority, 0, len(res.Priorities))
	for _, p := range res.Priorities {
		if len(out.Priorities) == PriorityCount {
			break
		}
		// The rank and the factor's own score only: the correlation and
		// its sample are figures of their own.
		out.Priorities = append(out.Priorities, survey.Priority{Rank: p.Rank, Factor: p.Factor, Score: p.Score, Basis: p.Basis, Strength: survey.LinkUnknown})
	}
	return out
}

// SummaryReleaseOf is the release record of the employee summary of the
// final release final: the same base and cells, the organisation's total
// shown, no group and no item.
func SummaryReleaseOf(final survey.Release) survey.Release {
	return survey.Release{
		Kind:       survey.ReleaseSummary,
		Responses:  final.Responses,
		Base:       final.Base,
		Cells:      final.Cells,
		TotalShown: final.TotalShown,
		Units:      []string{},
		Roles:      []string{},
		Items:      []survey.ReleaseItem{},
		Result:     EmployeeSummaryOf(final.Result),
	}
}

// PulseChange is how a pulse's score compares with the full measurement's
// (methodology §18).
type PulseChange string

const (
	// PulseHigher: the pulse's 95 % interval lies wholly above the full
	// measurement's.
	PulseHigher PulseChange = "higher"
	// PulseLower: wholly below.
	PulseLower PulseChange = "lower"
	// PulseNoClearChange: the intervals overlap.
	PulseNoClearChange PulseChange = "no_clear_change"
	// PulseNotComparable: either score is hidden or has no interval.
	PulseNotComparable PulseChange = "not_comparable"
)

// ComparePulse compares a pulse's factor score with the same factor's
// score in the full measurement it follows. The pulse rests on one or two
// items and its interval is wide, so only intervals that do not overlap
// count as a change; that is stricter than a test of the difference, on
// purpose: a pulse is a signal, not a measurement of its own.
func ComparePulse(full, pulse survey.Score) PulseChange {
	if !full.Shown || !pulse.Shown || full.CI == nil || pulse.CI == nil {
		return PulseNotComparable
	}
	switch {
	case Round(pulse.CI.Low, ScoreDecimals) > Round(full.CI.High, ScoreDecimals):
		return PulseHigher
	case Round(pulse.CI.High, ScoreDecimals) < Round(full.CI.Low, ScoreDecimals):
		return PulseLower
	default:
		return PulseNoClearChange
	}
}
