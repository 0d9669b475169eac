package report

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The tests in this file check the words of methodology section 15 in the
// printed report, on data sets crafted to sit on the rules' edges.

// wordsQuestionnaire has four factors of four items, so that a respondent's
// factor score is a multiple of 6.25 and a group mean can be put exactly on
// a band edge.
func wordsQuestionnaire() *survey.Questionnaire {
	items := func(f string) []survey.Item {
		var out []survey.Item
		for i := 1; i <= 4; i++ {
			id := fmt.Sprintf("%s%d", f, i)
			out = append(out, survey.Item{ID: id, Text: survey.Text{"nl": "Stelling " + id, "en": "Statement " + id}})
		}
		return out
	}
	factor := func(id, nl, en string) survey.Factor {
		return survey.Factor{ID: id, Name: survey.Text{"nl": nl, "en": en}, Items: items(id)}
	}
	return &survey.Questionnaire{
		ID: "woorden", Version: "1",
		Title: survey.Text{"nl": "Woordentoets", "en": "Words test"},
		Scale: survey.Scale{Min: 1, Max: 5},
		Factors: []survey.Factor{
			factor("a", "Eigenaarschap", "Ownership"),
			factor("b", "Samenwerking", "Collaboration"),
			factor("c", "Slagkracht", "Decisiveness"),
			factor("d", "Middelen", "Resources"),
		},
		Outcomes: []survey.Item{{ID: "o1", Text: survey.Text{"nl": "Resultaat 1", "en": "Outcome 1"}}, {ID: "o2", Text: survey.Text{"nl": "Resultaat 2", "en": "Outcome 2"}}},
		Background: []survey.BackgroundQuestion{{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{
			{ID: survey.RolePolicy, Label: survey.Text{"nl": "Beleid", "en": "Policy"}},
			{ID: survey.RoleExecution, Label: survey.Text{"nl": "Uitvoering", "en": "Execution"}},
			{ID: survey.RoleManagement, Label: survey.Text{"nl": "Management", "en": "Management"}},
		}}},
		Bands: survey.Bands{Amber: 50, Green: 65},
	}
}

// wordsResponses are 125 respondents (40 policy, 60 execution, 25
// management) with, in units of 6.25 points:
//   - a: sum 999, mean 49.95 (prints "50,0"): 62 at 6, 62 at 10, one at 7;
//   - b: sum 1299, mean 64.95 (prints "65,0"): 38 at 9, 87 at 11, the same
//     share in policy and execution;
//   - c: policy 10/12, execution 7/9: a clear gap of +18.75;
//   - d: the mirror image of c, so that the index shows no gap at all;
//   - the outcome alternates in blocks of two, so that every factor's
//     correlation with it is near 0 and not significant.
func wordsResponses() []survey.Response {
	var rs []survey.Response
	alt := func(i, lo, hi int) int {
		if i%2 == 0 {
			return lo
		}
		return hi
	}
	for i := range 125 {
		role, j := survey.RolePolicy, i
		b := 11
		switch {
		case i < 40:
			if j < 12 {
				b = 9
			}
		case i < 100:
			role, j = survey.RoleExecution, i-40
			if j < 18 {
				b = 9
			}
		default:
			role, j = survey.RoleManagement, i-100
			if j < 8 {
				b = 9
			}
		}
		a := alt(j, 6, 10)
		if role == survey.RoleManagement && j == 24 {
			a = 7
		}
		var c, d int
		switch role {
		case survey.RolePolicy:
			c, d = alt(j, 10, 12), alt(j, 7, 9)
		case survey.RoleExecution:
			c, d = alt(j, 7, 9), alt(j, 10, 12)
		default:
			c, d = alt(j, 8, 10), alt(j, 8, 10)
		}
		r := survey.Response{ID: fmt.Sprintf("w%03d", i), Background: map[string]string{survey.BackgroundRole: role}, Answers: map[string]int{}}
		for f, u := range map[string]int{"a": a, "b": b, "c": c, "d": d} {
			for k := range 4 {
				// Spread u units over the four items, each 0..4 above the
				// scale's minimum.
				v := u / 4
				if k < u%4 {
					v++
				}
				r.Answers[fmt.Sprintf("%s%d", f, k+1)] = 1 + v
			}
		}
		o := 2
		if (i/2)%2 == 0 {
			o = 4
		}
		r.Answers["o1"], r.Answers["o2"] = o, o
		rs = append(rs, r)
	}
	return rs
}

func wordsInput(t *testing.T, lang string) Input {
	t.Helper()
	q := wordsQuestionnaire()
	res, err := scoring.Compute(scoring.Input{Questionnaire: q, Responses: wordsResponses(), MinGroupSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	return Input{
		Organisation: survey.Organisation{Name: "Gemeente Randgeval"},
		Diagnostic:   survey.Diagnostic{Name: "Randmeting", Questionnaire: *q, MinGroupSize: 5},
		Result:       res,
		Lang:         lang,
		GeneratedOn:  fixtureDate,
	}
}

// The crafted data set is what the test claims it is; otherwise the
// assertions below would prove nothing.
func TestWordsDataSetIsOnTheEdges(t *testing.T) {
	res := wordsInput(t, "nl").Result
	want := map[string]struct {
		mean float64
		band survey.Band
	}{"a": {49.95, survey.BandAmber}, "b": {64.95, survey.BandGreen}}
	for _, f := range res.Factors {
		if w, ok := want[f.ID]; ok {
			if math.Abs(*f.Score.Mean-w.mean) > 1e-9 || f.Score.Band != w.band {
				t.Errorf("factor %s: mean %v band %s, want %v %s", f.ID, *f.Score.Mean, f.Score.Band, w.mean, w.band)
			}
		}
	}
	gaps, _ := comparison(res, survey.ComparisonPolicyExecution)
	verdicts := map[string]survey.Verdict{}
	for _, d := range gaps.Differences {
		verdicts[d.Measure] = d.Verdict
	}
	if verdicts[survey.MeasureIndex] != survey.VerdictNone || verdicts["c"] != survey.VerdictClear || verdicts["d"] != survey.VerdictClear ||
		verdicts["a"] != survey.VerdictNone || verdicts["b"] != survey.VerdictNone {
		t.Errorf("verdicts %v", verdicts)
	}
	if len(res.Priorities) != 3 {
		t.Fatalf("priorities %+v", res.Priorities)
	}
	for _, p := range res.Priorities {
		if p.Basis != survey.BasisScore || p.Strength != survey.LinkNone || p.Impact == nil || math.Abs(*p.Impact) >= scoring.CriticalCorrelation(p.ImpactN) {
			t.Errorf("priority %+v should rest on its score with no demonstrable link", p)
		}
	}
}

func TestReportWordsOnEdgeData(t *testing.T) {
	for _, tc := range []struct {
		lang      string
		profile   []string
		forbidden []string
		basis     string
		priority  *regexp.Regexp
		index     string
		factors   string
	}{
		{
			lang:    "nl",
			profile: []string{"Eigenaarschap 50,0 oranje", "Samenwerking 65,0 groen"},
			forbidden: []string{
				"50,0 rood", "65,0 oranje", "sterke samenhang", "matige samenhang", "zwakke samenhang",
				"Geen aantoonbaar verschil tussen beleid en uitvoering", "nog niet aantoonbaar",
			},
			basis:    "Geen van deze factoren hangt aantoonbaar (ten minste zwak) samen met het resultaat. De prioriteiten zijn daarom de factoren met de laagste score.",
			priority: regexp.MustCompile(`^\d (\p{L}+) score (\d+,\d), \p{L}+; gekozen om de lage score, geen aantoonbare samenhang met het resultaat \(r = −?0,\d\d\)$`),
			index:    "Op de index als geheel geen aantoonbaar verschil tussen beleid en uitvoering: beleid geeft de index een",
			factors:  "Een duidelijk verschil tussen beleid en uitvoering is er bij Slagkracht (beleid 18,8 hoger) en Middelen (uitvoering 18,8 hoger).",
		},
		{
			lang:    "en",
			profile: []string{"Ownership 50.0 amber", "Collaboration 65.0 green"},
			forbidden: []string{
				"50.0 red", "65.0 amber", "strong link", "moderate link", "weak link",
				"No demonstrable difference between policy and execution", "not yet demonstrable",
			},
			basis:    "None of these factors is demonstrably (at least weakly) linked to results. The priorities are therefore the factors with the lowest scores.",
			priority: regexp.MustCompile(`^\d (\p{L}+) score (\d+\.\d), \p{L}+; chosen for its low score, no demonstrable link with results \(r = −?0\.\d\d\)$`),
			index:    "On the index as a whole, no demonstrable difference between policy and execution: policy rates the index",
			factors:  "There is a clear difference between policy and execution on Decisiveness (policy 18.8 higher) and Resources (execution 18.8 higher).",
		},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			in := wordsInput(t, tc.lang)
			pdf, err := PDF(in)
			if err != nil {
				t.Fatal(err)
			}
			raw := pdfText(t, pdf, 2, 3)
			summary := squash(raw)
			for _, want := range append(tc.profile, tc.basis, tc.index, tc.factors) {
				if !strings.Contains(summary, want) {
					t.Errorf("summary lacks %q:\n%s", want, summary)
				}
			}
			// The summary carries no stronger word and no unscoped "no
			// difference"; the method chapter explains the words and may
			// name them.
			for _, bad := range tc.forbidden {
				if strings.Contains(summary, bad) {
					t.Errorf("summary prints %q", bad)
				}
			}
			all := squash(pdfText(t, pdf, 0, 0))
			for _, bad := range tc.forbidden[:2] {
				if strings.Contains(all, bad) {
					t.Errorf("report prints %q", bad)
				}
			}
			// Each priority line, and the best factor (green) is none of them.
			d, err := build(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range d.Priorities {
				line := fmt.Sprintf("%d %s %s", p.Rank, p.Name, p.Text)
				if !tc.priority.MatchString(line) {
					t.Errorf("priority line %q does not follow the rule", line)
				}
				if !strings.Contains(summary, line) {
					t.Errorf("priority line %q not printed", line)
				}
				if p.Factor == "b" {
					t.Errorf("the best factor, green, is a priority")
				}
			}
			// The same paragraph, word for word, in the HTML twin.
			html, err := HTML(in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(html), tc.factors) {
				t.Errorf("HTML report lacks %q", tc.factors)
			}
		})
	}
}

// Colours classify the value as displayed: every shown score in the
// profile, the factor pages and both heat maps has the band of the number
// printed next to it.
func TestReportColoursFollowPrintedValue(t *testing.T) {
	for _, lang := range Languages() {
		in := wordsInput(t, lang)
		d, err := build(in)
		if err != nil {
			t.Fatal(err)
		}
		nums := numbersFor(lang)
		check := func(where, value string, band survey.Band) {
			v := strings.ReplaceAll(strings.ReplaceAll(value, nums.thousands, ""), nums.decimal, ".")
			var x float64
			if _, err := fmt.Sscan(strings.ReplaceAll(v, "−", "-"), &x); err != nil {
				t.Fatalf("%s: %q is not a number", where, value)
			}
			if want := in.Diagnostic.Questionnaire.Bands.Classify(x); band != want {
				t.Errorf("%s: %q coloured %s, the printed value is %s", where, value, band, want)
			}
		}
		cells := 0
		for _, r := range d.Profile {
			if r.Score.Shown {
				check("profile "+r.Name, r.Score.Value, r.Score.Band)
				cells++
			}
		}
		for _, hv := range []heatView{d.Units, d.Roles} {
			for _, r := range hv.Rows {
				for i, c := range r.Cells {
					if c.Shown {
						check(fmt.Sprintf("heat %s/%d", r.Name, i), c.Value, c.Band)
						cells++
					}
				}
			}
		}
		if cells < 10 {
			t.Errorf("only %d coloured values checked", cells)
		}
	}
}

// The words of a "possible" verdict follow the engine's flags exactly,
// including the case the old text got wrong: significant and 5 points or
// more, with g's interval still including 0.
func TestPossibleDetailFollowsFlags(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		sig, subst bool
		nl, en     string
	}{
		{true, false, "aantoonbaar, maar kleiner dan 5 punten", "demonstrable, but below 5 points"},
		{false, true, "5 punten of meer, nog niet aantoonbaar", "5 points or more, not yet demonstrable"},
		{true, true, "5 punten of meer en aantoonbaar, maar de effectgrootte is nog onzeker", "5 points or more and demonstrable, but the effect size is still uncertain"},
	} {
		df := survey.Difference{Measure: survey.MeasureIndex, Shown: true, MeanA: f(60), MeanB: f(54), Diff: f(6),
			CI: &survey.Interval{Low: 0.2, High: 11.8}, Significant: tc.sig, Substantial: tc.subst, Verdict: survey.VerdictPossible}
		for lang, want := range map[string]string{"nl": tc.nl, "en": tc.en} {
			in := wordsInput(t, lang)
			res := *in.Result
			res.Gaps = []survey.Comparison{{ID: survey.ComparisonPolicyExecution, GroupA: survey.RolePolicy, GroupB: survey.RoleExecution, Differences: []survey.Difference{df}}}
			in.Result = &res
			d, err := build(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Comparisons[0].Rows[0].Detail; got != want {
				t.Errorf("%s sig=%v subst=%v: detail %q, want %q", lang, tc.sig, tc.subst, got, want)
			}
			if !strings.Contains(d.Conclusion, "("+want+")") {
				t.Errorf("%s: conclusion %q lacks the detail %q", lang, d.Conclusion, want)
			}
		}
	}
}

// Alpha is printed only for a shown factor, and its words are those of the
// value as printed.
func TestReportAlphaWords(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	in := wordsInput(t, "nl")
	res := *in.Result
	res.Factors = append([]survey.FactorResult(nil), res.Factors...)
	// a: alpha 0,695 prints 0,70, sufficient; b: 1,005 prints 1,01, not
	// sufficient; c: hidden, with an alpha of 1,01 and an interval beyond
	// the scale that must not appear at all.
	res.Factors[0].Reliability = survey.Reliability{Alpha: f(0.695), InterpretWithCare: true}
	res.Factors[1].Reliability = survey.Reliability{Alpha: f(1.005)}
	res.Factors[2].Score = survey.Score{Shown: false, Reason: survey.ReasonTooSmall, CI: &survey.Interval{Low: 29.5, High: 110.5}}
	res.Factors[2].Reliability = survey.Reliability{Alpha: f(1.01)}
	in.Result = &res
	d, err := build(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ alpha, note string }{
		{"0,70", "voldoende"},
		{"1,01", "boven 1 en daarom niet te interpreteren (te weinig respondenten beantwoordden de stellingen samen): lees de score als indicatie"},
		{"–", "niet getoond, omdat de factorscore niet wordt getoond"},
	}
	for i, w := range want {
		if row := d.Method.Reliability[i]; row.Alpha != w.alpha || row.Note != w.note {
			t.Errorf("reliability row %d = %q %q, want %q %q", i, row.Alpha, row.Note, w.alpha, w.note)
		}
	}
	if got := d.Factors[0].ReliabilityNote; got != "α = 0,70 (voldoende)." {
		t.Errorf("factor a note %q", got)
	}
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	all := squash(pdfText(t, pdf, 0, 0))
	for _, bad := range []string{"110,5", "29,5–110,5", "1,01 (voldoende)", "0,70, lager dan 0,70"} {
		if strings.Contains(all, bad) {
			t.Errorf("report prints %q", bad)
		}
	}
}

// With the index difference hidden the paragraph says so and still names
// the clear factor differences.
func TestConclusionIndexHiddenStillNamesClearFactors(t *testing.T) {
	in := wordsInput(t, "nl")
	res := *in.Result
	res.Gaps = append([]survey.Comparison(nil), res.Gaps...)
	for i := range res.Gaps {
		if res.Gaps[i].ID != survey.ComparisonPolicyExecution {
			continue
		}
		diffs := append([]survey.Difference(nil), res.Gaps[i].Differences...)
		for j := range diffs {
			if diffs[j].Measure == survey.MeasureIndex {
				diffs[j] = survey.Difference{Measure: survey.MeasureIndex, Reason: survey.ReasonTooSmall}
			}
		}
		res.Gaps[i].Differences = diffs
	}
	in.Result = &res
	d, err := build(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "Het verschil tussen beleid en uitvoering op de index kan niet worden getoond: een van beide groepen is te klein, of verborgen om respondenten te beschermen. " +
		"Een duidelijk verschil tussen beleid en uitvoering is er bij Slagkracht (beleid 18,8 hoger) en Middelen (uitvoering 18,8 hoger)."
	if d.Conclusion != want {
		t.Errorf("conclusion\n got %q\nwant %q", d.Conclusion, want)
	}
}

// A factor page names an item from a don't-know share of 20 % as printed.
func TestDontKnowNoteAtPrintedTwentyPercent(t *testing.T) {
	for _, tc := range []struct {
		share float64
		want  bool
	}{{0.194, false}, {0.195, true}, {0.2, true}, {0.5, true}} {
		in := wordsInput(t, "nl")
		res := *in.Result
		res.Factors = append([]survey.FactorResult(nil), res.Factors...)
		items := append([]survey.ItemResult(nil), res.Factors[0].Items...)
		for i := range items {
			items[i].DontKnowShare = nil
		}
		items[0].DontKnowShare = &tc.share
		res.Factors[0].Items = items
		in.Result = &res
		d, err := build(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(d.Factors[0].DontKnow) == 1; got != tc.want {
			t.Errorf("share %v: named = %v (%q)", tc.share, got, d.Factors[0].DontKnow)
		}
	}
}
