package report

import (
	"math"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Selection is the advice chosen for one result.
type Selection struct {
	// Lang is the language the advice is in: the one asked for, or Dutch
	// when the library lacks it.
	Lang    string         `json:"lang"`
	Routes  []RouteAdvice  `json:"routes"`
	Factors []FactorAdvice `json:"factors"`
	// Gap is set when policy and execution see the organisation differently.
	Gap *GapAdvice `json:"gap,omitempty"`
}

// RouteAdvice is the advice for one route, chosen by its band.
type RouteAdvice struct {
	Route     string      `json:"route"`
	Band      survey.Band `json:"band"`
	Score     float64     `json:"score"`
	Diagnosis string      `json:"diagnosis"`
	Steps     []Step      `json:"steps"`
}

// FactorAdvice is the advice for one of the priority factors.
type FactorAdvice struct {
	Rank    int         `json:"rank"`
	Factor  string      `json:"factor"`
	Score   float64     `json:"score"`
	Band    survey.Band `json:"band,omitempty"`
	Summary string      `json:"summary"`
	Steps   []Step      `json:"steps"`
	// WeakLink is set when the factor is a priority for its low score
	// rather than for a meaningful tie with the outcome (methodology
	// section 15), not because improving it is known to help. The report
	// says so rather than overselling the step.
	WeakLink bool `json:"weak_link"`
}

// GapAdvice is the advice for a gap between policy and execution.
type GapAdvice struct {
	// Verdict is that of the index, or of the factor with the clearest
	// difference when the index shows none.
	Verdict survey.Verdict `json:"verdict"`
	// Measure is survey.MeasureIndex or the factor id the verdict is for.
	Measure   string  `json:"measure"`
	Diff      float64 `json:"diff"`
	Diagnosis string  `json:"diagnosis"`
	Steps     []Step  `json:"steps"`
}

// SelectAdvice decides which advice a result gets. It is a pure function of
// its arguments:
//
//   - every route of the questionnaire whose score is shown gets the
//     library's diagnosis and steps for its band;
//   - every priority factor (in rank order) gets the library's summary and
//     steps, marked WeakLink when it is a priority for its score rather
//     than for its link with the outcome;
//   - the gap advice is added when the policy-versus-execution difference
//     on the index is clear or possible, or, failing that, clear on some
//     factor;
//   - a step that was already chosen earlier (routes first, then factors,
//     then the gap; compared without case and surrounding space) is not
//     repeated: a director should not read the same instruction twice.
//
// A nil library, or one without the language and without Dutch, gives an
// empty selection. Routes and factors the library lacks are left out.
func SelectAdvice(res *survey.Result, q *survey.Questionnaire, lib *Library, lang string) Selection {
	sel := Selection{Lang: lang}
	set := lib.set(lang)
	if res == nil || q == nil || set == nil {
		return sel
	}
	sel.Lang = set.lang
	seen := map[string]bool{}
	fresh := func(steps []Step) []Step {
		var out []Step
		for _, s := range steps {
			key := strings.ToLower(strings.TrimSpace(s.Text))
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, s)
		}
		return out
	}
	for _, route := range q.Routes {
		rr, ok := routeResult(res, route.ID)
		if !ok || !rr.Score.Shown || rr.Score.Mean == nil || rr.Score.Band == "" {
			continue
		}
		entry := set.route(route.ID)
		if entry == nil {
			continue
		}
		a, ok := entry.bands[rr.Score.Band]
		if !ok {
			continue
		}
		sel.Routes = append(sel.Routes, RouteAdvice{
			Route:     route.ID,
			Band:      rr.Score.Band,
			Score:     *rr.Score.Mean,
			Diagnosis: a.diagnosis,
			Steps:     fresh(a.steps),
		})
	}
	for _, p := range res.Priorities {
		entry := set.factor(p.Factor)
		if entry == nil {
			continue
		}
		fa := FactorAdvice{
			Rank:     p.Rank,
			Factor:   p.Factor,
			Score:    p.Score,
			Summary:  entry.summary,
			Steps:    fresh(entry.steps),
			WeakLink: p.Basis != survey.BasisImpact,
		}
		if fr, ok := factorResult(res, p.Factor); ok {
			fa.Band = fr.Score.Band
		}
		sel.Factors = append(sel.Factors, fa)
	}
	if verdict, measure, diff, ok := gapTrigger(res); ok && (set.gap.diagnosis != "" || len(set.gap.steps) > 0) {
		sel.Gap = &GapAdvice{
			Verdict:   verdict,
			Measure:   measure,
			Diff:      diff,
			Diagnosis: set.gap.diagnosis,
			Steps:     fresh(set.gap.steps),
		}
	}
	return sel
}

// gapTrigger finds the difference that calls for the gap advice.
func gapTrigger(res *survey.Result) (survey.Verdict, string, float64, bool) {
	cmp, ok := comparison(res, survey.ComparisonPolicyExecution)
	if !ok {
		return "", "", 0, false
	}
	var best *survey.Difference
	for i := range cmp.Differences {
		d := &cmp.Differences[i]
		if !d.Shown || d.Diff == nil {
			continue
		}
		if d.Measure == survey.MeasureIndex {
			if d.Verdict == survey.VerdictClear || d.Verdict == survey.VerdictPossible {
				return d.Verdict, d.Measure, *d.Diff, true
			}
			continue
		}
		if d.Verdict == survey.VerdictClear && (best == nil || math.Abs(*d.Diff) > math.Abs(*best.Diff)) {
			best = d
		}
	}
	if best != nil {
		return best.Verdict, best.Measure, *best.Diff, true
	}
	return "", "", 0, false
}

func routeResult(res *survey.Result, id string) (survey.RouteResult, bool) {
	for _, r := range res.Routes {
		if r.ID == id {
			return r, true
		}
	}
	return survey.RouteResult{}, false
}

func factorResult(res *survey.Result, id string) (survey.FactorResult, bool) {
	for _, f := range res.Factors {
		if f.ID == id {
			return f, true
		}
	}
	return survey.FactorResult{}, false
}

func comparison(res *survey.Result, id string) (survey.Comparison, bool) {
	for _, c := range res.Gaps {
		if c.ID == id {
			return c, true
		}
	}
	return survey.Comparison{}, false
}
