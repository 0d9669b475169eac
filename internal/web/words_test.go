package web

import (
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// wordsResults is a closed diagnostic whose result holds the failures of
// issue 11: three priorities with r = 0,07, 0,05 and 0,04 on 200
// respondents, no index gap but a clear factor gap of +15,5, scores on the
// band edges, and a hidden factor with an alpha of 1,01 and an interval
// beyond the scale.
func wordsResults() *results {
	f := func(x float64) *float64 { return &x }
	bands := survey.Bands{Amber: 50, Green: 65}
	shown := func(mean float64) survey.Score {
		return survey.Score{Shown: true, N: 200, Mean: f(mean), SD: f(12), CI: &survey.Interval{Low: mean - 1.7, High: mean + 1.7}, Band: scoring.BandOf(bands, mean)}
	}
	name := func(nl, en string) survey.Text { return survey.Text{"nl": nl, "en": en} }
	q := survey.Questionnaire{
		ID: "w", Version: "1", Title: name("Toets", "Test"), Scale: survey.Scale{Min: 1, Max: 5}, Bands: bands,
		Factors: []survey.Factor{
			{ID: "a", Name: name("Eigenaarschap", "Ownership")},
			{ID: "b", Name: name("Samenwerking", "Collaboration")},
			{ID: "c", Name: name("Slagkracht", "Decisiveness")},
			{ID: "d", Name: name("Middelen", "Resources")},
		},
		Background: []survey.BackgroundQuestion{{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{
			{ID: survey.RolePolicy, Label: name("Beleid", "Policy")},
			{ID: survey.RoleExecution, Label: name("Uitvoering", "Execution")},
		}}},
	}
	prio := func(rank int, factor string, score, r float64) survey.Priority {
		s, sig := scoring.Link(r, 200)
		return survey.Priority{Rank: rank, Factor: factor, Score: score, Impact: f(r), ImpactN: 200, Significant: sig, Strength: s, Basis: survey.BasisScore}
	}
	res := &survey.Result{
		N: 200, MinGroupSize: 5, Index: shown(58),
		Factors: []survey.FactorResult{
			{ID: "a", Score: shown(49.95), Reliability: survey.Reliability{Alpha: f(0.695), InterpretWithCare: true}},
			{ID: "b", Score: shown(64.95), Reliability: survey.Reliability{Alpha: f(0.85)}},
			{ID: "c", Score: shown(55), Reliability: survey.Reliability{Alpha: f(1.005)}},
			{ID: "d", Score: survey.Score{Shown: false, Reason: survey.ReasonTooSmall, CI: &survey.Interval{Low: 29.5, High: 110.5}}, Reliability: survey.Reliability{Alpha: f(1.01)}},
		},
		Priorities: []survey.Priority{prio(1, "a", 49.95, 0.07), prio(2, "c", 55, 0.05), prio(3, "b", 64.95, 0.04)},
		Gaps: []survey.Comparison{{ID: survey.ComparisonPolicyExecution, GroupA: survey.RolePolicy, GroupB: survey.RoleExecution, Differences: []survey.Difference{
			{Measure: survey.MeasureIndex, Shown: true, MeanA: f(58.5), MeanB: f(57.6), Diff: f(0.9), CI: &survey.Interval{Low: -1.5, High: 3.3}, Verdict: survey.VerdictNone},
			{Measure: "a", Shown: true, MeanA: f(55), MeanB: f(49), Diff: f(6), CI: &survey.Interval{Low: 0.1, High: 11.9}, Significant: true, Substantial: true, Verdict: survey.VerdictPossible},
			{Measure: "c", Shown: true, MeanA: f(63.5), MeanB: f(48), Diff: f(15.5), CI: &survey.Interval{Low: 10, High: 21}, Significant: true, Substantial: true, Verdict: survey.VerdictClear},
		}}},
		Roles: survey.Breakdown{Dimension: survey.DimensionRole, Groups: []survey.Group{
			{ID: survey.RolePolicy, Shown: true, N: 80, Cells: []survey.Cell{{Measure: survey.MeasureIndex, Score: shown(49.5)}, {Measure: "a", Score: shown(49.95)}}},
		}},
	}
	d := &survey.Diagnostic{ID: "d1", Name: "Meting", Questionnaire: q, MinGroupSize: 5, Organisation: survey.Organisation{Name: "Gemeente"}}
	return &results{Diagnostic: d, State: survey.StateClosed, Count: 200, Availability: survey.Availability{Available: true}, Result: res}
}

func TestPagesWordsFollowTheRules(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang      string
		basis     string
		why       []string
		gap       string
		forbidden []string
		possible  string
		heat      []string
		alpha     [][2]string
	}{
		{
			lang:  "nl",
			basis: "Geen van deze factoren hangt aantoonbaar (ten minste zwak) samen met het resultaat. De prioriteiten zijn daarom de factoren met de laagste score.",
			why: []string{
				"gekozen om de lage score; 0,07 (geen aantoonbare samenhang)",
				"gekozen om de lage score; 0,05 (geen aantoonbare samenhang)",
				"gekozen om de lage score; 0,04 (geen aantoonbare samenhang)",
			},
			gap: "Op de index als geheel geen aantoonbaar verschil tussen beleid en uitvoering: beleid geeft de index een 58,5, uitvoering een 57,6. " +
				"Een duidelijk verschil tussen beleid en uitvoering is er bij Slagkracht (beleid 15,5 punten hoger).",
			forbidden: []string{"sterke samenhang", "nog niet aantoonbaar"},
			possible:  "mogelijk verschil (5 punten of meer en aantoonbaar, maar de effectgrootte is nog onzeker)",
			heat:      []string{"49,5", "50,0"},
			alpha:     [][2]string{{"0,70", "voldoende"}, {"0,85", "voldoende"}, {"1,01", "boven 1 en daarom niet te interpreteren"}, {"–", "niet getoond"}},
		},
		{
			lang:  "en",
			basis: "None of these factors is demonstrably (at least weakly) linked to the outcome. The priorities are therefore the factors with the lowest scores.",
			why: []string{
				"chosen for its low score; 0.07 (no demonstrable link)",
				"chosen for its low score; 0.05 (no demonstrable link)",
				"chosen for its low score; 0.04 (no demonstrable link)",
			},
			gap: "On the index as a whole, no demonstrable difference between policy and execution: policy rates the index 58.5, execution 57.6. " +
				"There is a clear difference between policy and execution on Decisiveness (policy 15.5 points higher).",
			forbidden: []string{"strong link", "not yet demonstrable"},
			possible:  "possible difference (5 points or more and demonstrable, but the effect size is still uncertain)",
			heat:      []string{"49.5", "50.0"},
			alpha:     [][2]string{{"0.70", "sufficient"}, {"0.85", "sufficient"}, {"1.01", "above 1 and therefore not interpretable"}, {"–", "not shown"}},
		},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			tr := texts.For(tc.lang)
			r := wordsResults()

			dp := directorPageFor(r, tr, "token")
			if dp.PriorityBasis != tc.basis {
				t.Errorf("director basis %q, want %q", dp.PriorityBasis, tc.basis)
			}
			if len(dp.Priorities) != 3 {
				t.Fatalf("director priorities %+v", dp.Priorities)
			}
			for i, p := range dp.Priorities {
				if p.Why != tc.why[i] {
					t.Errorf("director priority %d: %q, want %q", i+1, p.Why, tc.why[i])
				}
			}
			if dp.Gap != tc.gap {
				t.Errorf("director gap\n got %q\nwant %q", dp.Gap, tc.gap)
			}
			for _, bad := range tc.forbidden {
				if strings.Contains(dp.Gap+dp.PriorityBasis, bad) {
					t.Errorf("director page says %q", bad)
				}
			}
			// The band next to a factor is that of the printed score.
			for _, fv := range dp.Factors {
				if fv.Score.Mean == "50,0" || fv.Score.Mean == "50.0" {
					if fv.Score.Band != survey.BandAmber {
						t.Errorf("%s %s coloured %s", fv.Name, fv.Score.Mean, fv.Score.Band)
					}
				}
			}

			p := resultsPageFor(r, tr, nil)
			if p.PriorityBasis != tc.basis {
				t.Errorf("results basis %q", p.PriorityBasis)
			}
			for i, pv := range p.Priorities {
				if !strings.HasSuffix(tc.why[i], pv.Impact) || pv.Value != "–" {
					t.Errorf("results priority %d: impact %q value %q", i+1, pv.Impact, pv.Value)
				}
			}
			var verdicts []string
			for _, row := range p.Gaps[0].Rows {
				verdicts = append(verdicts, row.Verdict)
			}
			if verdicts[1] != tc.possible {
				t.Errorf("results gap verdicts %q, want %q for the possible one", verdicts, tc.possible)
			}
			// The heat map prints one decimal, and colours what it prints:
			// 49,5 is red, 49,95 ("50,0") amber.
			cells := p.Roles.Rows[0].Cells
			if cells[0].Value != tc.heat[0] || cells[0].Band != survey.BandRed || cells[1].Value != tc.heat[1] || cells[1].Band != survey.BandAmber {
				t.Errorf("heat cells %+v", cells)
			}
			for i, rv := range p.Reliability {
				if rv.Alpha != tc.alpha[i][0] || !strings.HasPrefix(rv.Verdict, tc.alpha[i][1]) {
					t.Errorf("reliability %s: %q %q, want %q %q…", rv.Factor, rv.Alpha, rv.Verdict, tc.alpha[i][0], tc.alpha[i][1])
				}
			}
			if p.Reliability[0].Care || !p.Reliability[2].Care {
				t.Errorf("care tags follow the words: %+v", p.Reliability)
			}
			// The hidden factor's interval is not printed anywhere.
			for _, fv := range p.Factors {
				if strings.Contains(fv.Score.Interval, "110") {
					t.Errorf("hidden factor interval printed: %+v", fv)
				}
			}
		})
	}
}

// Without a priority the page says why: the best factor in green is the
// only one shown.
func TestPagesNoPriorityBecauseGreen(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	r := wordsResults()
	r.Result.Priorities = []survey.Priority{}
	p := resultsPageFor(r, texts.For("nl"), nil)
	if !strings.Contains(p.PrioritiesNone, "hoogst scorende factor staat op groen") || p.PriorityBasis != "" {
		t.Errorf("no-priority text %q, basis %q", p.PrioritiesNone, p.PriorityBasis)
	}
	dp := directorPageFor(r, texts.For("en"), "x")
	if !strings.Contains(dp.PrioritiesNone, "highest-scoring factor is green") || dp.PriorityHead != "Priorities" {
		t.Errorf("director: %q, head %q", dp.PrioritiesNone, dp.PriorityHead)
	}
}

// The priorities sheet of the exports gives the same words and basis as
// the results page.
func TestExportPrioritiesWords(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	sheets := aggregateSheets(wordsResults(), texts.For("nl"))
	pr := sheets[len(sheets)-1]
	for _, s := range sheets {
		if s.Name == texts.For("nl").Get("export.sheet.priorities") {
			pr = s
		}
	}
	if len(pr.Rows) != 3 {
		t.Fatalf("priorities sheet %+v", pr)
	}
	for _, row := range pr.Rows {
		if row[5].text != "geen aantoonbare samenhang" || row[6].text != "lage score" || row[7].num != 0 {
			t.Errorf("priority row %+v", row)
		}
	}
}

// The export's "read with care" column follows alpha as printed: 0,695
// prints 0,70 and is sufficient, 1,005 prints 1,01 and is not.
func TestExportAlphaCareAsPrinted(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	tr := texts.For("nl")
	want := map[string]string{"Eigenaarschap": tr.Get("export.no"), "Samenwerking": tr.Get("export.no"), "Slagkracht": tr.Get("export.yes")}
	seen := 0
	for _, s := range aggregateSheets(wordsResults(), tr) {
		for _, row := range s.Rows {
			for _, c := range row {
				if w, ok := want[c.text]; ok && len(row) > 2 {
					seen++
					if got := row[len(row)-1].text; got != w {
						t.Errorf("%s %s: care %q, want %q", s.Name, c.text, got, w)
					}
				}
			}
		}
		if s.Name == tr.Get("export.sheet.scores") {
			break
		}
	}
	if seen != 3 {
		t.Errorf("found %d factor rows in the scores sheet", seen)
	}
}
