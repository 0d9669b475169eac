package report

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func f64(v float64) *float64 { return &v }

func shown(mean float64, band survey.Band) survey.Score {
	return survey.Score{Shown: true, N: 100, Mean: f64(mean), Band: band}
}

// selectResult is a result with the given route bands, priorities and
// policy-versus-execution verdict on the index.
func selectResult(routes map[string]survey.Score, prios []survey.Priority, gap []survey.Difference) *survey.Result {
	res := &survey.Result{Priorities: prios}
	for _, id := range []string{"collaboration", "policy_execution", "professional_room"} {
		if s, ok := routes[id]; ok {
			res.Routes = append(res.Routes, survey.RouteResult{ID: id, Score: s})
		}
	}
	for _, id := range []string{"risk_culture", "governance", "talent", "silos", "capacity"} {
		res.Factors = append(res.Factors, survey.FactorResult{ID: id, Score: shown(55, survey.BandAmber)})
	}
	res.Factors[4].Score = shown(38, survey.BandRed)
	if gap != nil {
		res.Gaps = []survey.Comparison{{ID: survey.ComparisonPolicyExecution, Differences: gap}}
	}
	return res
}

func TestSelectAdvice(t *testing.T) {
	q := loadQuestionnaire(t)
	lib := loadLibrary(t)
	nl := lib.set("nl")
	diagnosis := func(route string, b survey.Band) string { return nl.route(route).bands[b].diagnosis }
	allRoutes := map[string]survey.Score{
		"collaboration":     shown(45, survey.BandRed),
		"policy_execution":  shown(57, survey.BandAmber),
		"professional_room": shown(70, survey.BandGreen),
	}
	prios := []survey.Priority{
		{Rank: 1, Factor: "capacity", Score: 38, Impact: f64(0.6), Value: 37.2, Basis: survey.BasisImpact},
		{Rank: 2, Factor: "governance", Score: 55, Impact: f64(0.4), Value: 18, Basis: survey.BasisImpact},
		// A positive r that is not a meaningful link is still a weak link.
		{Rank: 3, Factor: "talent", Score: 55, Impact: f64(0.07), Value: 0, Basis: survey.BasisScore},
	}
	clearIndex := []survey.Difference{{Measure: survey.MeasureIndex, Shown: true, Diff: f64(7.5), Verdict: survey.VerdictClear}}

	t.Run("route advice follows the band", func(t *testing.T) {
		sel := SelectAdvice(selectResult(allRoutes, prios, nil), q, lib, "nl")
		if len(sel.Routes) != 3 {
			t.Fatalf("got %d routes", len(sel.Routes))
		}
		want := []survey.Band{survey.BandRed, survey.BandAmber, survey.BandGreen}
		for i, ra := range sel.Routes {
			if ra.Band != want[i] || ra.Diagnosis != diagnosis(ra.Route, want[i]) {
				t.Errorf("route %s: band %s, diagnosis %q", ra.Route, ra.Band, ra.Diagnosis)
			}
			if len(ra.Steps) < 3 || len(ra.Steps) > 5 {
				t.Errorf("route %s: %d steps", ra.Route, len(ra.Steps))
			}
			for _, s := range ra.Steps {
				if s.Owner == "" || s.Horizon == "" {
					t.Errorf("route %s: step without owner or horizon: %+v", ra.Route, s)
				}
			}
		}
		if sel.Routes[0].Score != 45 {
			t.Errorf("score = %v", sel.Routes[0].Score)
		}
	})

	t.Run("a hidden route gets no advice", func(t *testing.T) {
		routes := map[string]survey.Score{
			"collaboration":     {Reason: survey.ReasonTooSmall},
			"policy_execution":  shown(57, survey.BandAmber),
			"professional_room": shown(70, survey.BandGreen),
		}
		sel := SelectAdvice(selectResult(routes, prios, nil), q, lib, "nl")
		if len(sel.Routes) != 2 || sel.Routes[0].Route != "policy_execution" {
			t.Errorf("got %+v", sel.Routes)
		}
	})

	t.Run("a score on the threshold takes the band the engine gave", func(t *testing.T) {
		routes := map[string]survey.Score{"collaboration": shown(50, survey.BandAmber)}
		sel := SelectAdvice(selectResult(routes, nil, nil), q, lib, "nl")
		if sel.Routes[0].Diagnosis != diagnosis("collaboration", survey.BandAmber) {
			t.Error("the band is the engine's, not recomputed")
		}
	})

	t.Run("priorities in rank order, weak link marked", func(t *testing.T) {
		sel := SelectAdvice(selectResult(allRoutes, prios, nil), q, lib, "nl")
		if len(sel.Factors) != 3 {
			t.Fatalf("got %d factors", len(sel.Factors))
		}
		for i, fa := range sel.Factors {
			if fa.Rank != i+1 || fa.Factor != prios[i].Factor {
				t.Errorf("factor %d: %+v", i, fa)
			}
			if fa.Summary != nl.factor(fa.Factor).summary {
				t.Errorf("factor %s: wrong summary", fa.Factor)
			}
		}
		if sel.Factors[0].WeakLink || sel.Factors[1].WeakLink || !sel.Factors[2].WeakLink {
			t.Errorf("weak links: %v %v %v", sel.Factors[0].WeakLink, sel.Factors[1].WeakLink, sel.Factors[2].WeakLink)
		}
		if sel.Factors[0].Band != survey.BandRed {
			t.Errorf("band of capacity = %s", sel.Factors[0].Band)
		}
		noImpact := []survey.Priority{{Rank: 1, Factor: "capacity", Score: 38, Basis: survey.BasisScore}}
		if sel := SelectAdvice(selectResult(allRoutes, noImpact, nil), q, lib, "nl"); !sel.Factors[0].WeakLink {
			t.Error("an impact that could not be estimated is a weak link")
		}
	})

	for _, tc := range []struct {
		name    string
		gap     []survey.Difference
		want    bool
		verdict survey.Verdict
		measure string
	}{
		{"clear gap on the index", clearIndex, true, survey.VerdictClear, survey.MeasureIndex},
		{"possible gap on the index", []survey.Difference{{Measure: survey.MeasureIndex, Shown: true, Diff: f64(3), Verdict: survey.VerdictPossible}}, true, survey.VerdictPossible, survey.MeasureIndex},
		{"no gap", []survey.Difference{{Measure: survey.MeasureIndex, Shown: true, Diff: f64(1), Verdict: survey.VerdictNone}, {Measure: "capacity", Shown: true, Diff: f64(4), Verdict: survey.VerdictPossible}}, false, "", ""},
		{"index none, a factor clear", []survey.Difference{
			{Measure: survey.MeasureIndex, Shown: true, Diff: f64(1), Verdict: survey.VerdictNone},
			{Measure: "silos", Shown: true, Diff: f64(6), Verdict: survey.VerdictClear},
			{Measure: "capacity", Shown: true, Diff: f64(-9), Verdict: survey.VerdictClear},
		}, true, survey.VerdictClear, "capacity"},
		{"hidden gap", []survey.Difference{{Measure: survey.MeasureIndex, Reason: survey.ReasonTooSmall}}, false, "", ""},
		{"no comparison", nil, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := SelectAdvice(selectResult(allRoutes, prios, tc.gap), q, lib, "nl")
			if (sel.Gap != nil) != tc.want {
				t.Fatalf("gap advice = %+v, want present %v", sel.Gap, tc.want)
			}
			if sel.Gap != nil && (sel.Gap.Verdict != tc.verdict || sel.Gap.Measure != tc.measure || sel.Gap.Diagnosis != nl.gap.diagnosis) {
				t.Errorf("gap advice = %+v", sel.Gap)
			}
		})
	}

	t.Run("a step is never repeated", func(t *testing.T) {
		dup := strings.Replace(minimalAdvice, "{text: Vier,", "{text: \" EEN \",", 1)
		dup = strings.Replace(dup, "{text: Zeven,", "{text: Vijf,", 1)
		lib, err := LoadAdvice(fstest.MapFS{"a/nl.yaml": {Data: []byte(dup)}}, "a")
		if err != nil {
			t.Fatal(err)
		}
		res := selectResult(map[string]survey.Score{"collaboration": shown(40, survey.BandRed)},
			[]survey.Priority{{Rank: 1, Factor: "capacity", Score: 38, Impact: f64(0.5)}}, clearIndex)
		sel := SelectAdvice(res, q, lib, "nl")
		texts := func(steps []Step) string {
			var s []string
			for _, st := range steps {
				s = append(s, st.Text)
			}
			return strings.Join(s, ",")
		}
		if got := texts(sel.Routes[0].Steps); got != "Een,Twee,Drie" {
			t.Errorf("route steps = %s", got)
		}
		if got := texts(sel.Factors[0].Steps); got != "Vijf,Zes" {
			t.Errorf("factor steps = %s (Een is already a route step)", got)
		}
		if got := texts(sel.Gap.Steps); got != "Acht,Negen" {
			t.Errorf("gap steps = %s (Vijf is already a factor step)", got)
		}
	})

	t.Run("language fallback and no library", func(t *testing.T) {
		res := selectResult(allRoutes, prios, nil)
		if sel := SelectAdvice(res, q, lib, "en"); sel.Lang != "en" || sel.Routes[0].Diagnosis != lib.set("en").route("collaboration").bands[survey.BandRed].diagnosis {
			t.Error("English advice expected")
		}
		if sel := SelectAdvice(res, q, lib, "de"); sel.Lang != "nl" || sel.Routes[0].Diagnosis != diagnosis("collaboration", survey.BandRed) {
			t.Error("an unknown language falls back to Dutch")
		}
		if sel := SelectAdvice(res, q, nil, "nl"); len(sel.Routes)+len(sel.Factors) != 0 || sel.Gap != nil {
			t.Error("no library, no advice")
		}
		if sel := SelectAdvice(nil, q, lib, "nl"); len(sel.Routes) != 0 {
			t.Error("no result, no advice")
		}
	})
}
