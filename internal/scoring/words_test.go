package scoring

import (
	"math"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestRoundAsDisplayed(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		decimals int
		want     float64
	}{
		{62.45, 1, 62.5}, // stored as 62.4499…, printed and rounded as 62.45
		{49.95, 1, 50},
		{49.94999, 1, 49.9},
		{64.95, 1, 65},
		{64.9499, 1, 64.9},
		{-0.05, 1, -0.1},
		{0.095, 2, 0.10},
		{0.0949, 2, 0.09},
		{0.295, 2, 0.30},
		{0.495, 2, 0.50},
		{1.005, 2, 1.01},
		{1.0049, 2, 1.00},
		{0.695, 2, 0.70},
		{49.5, 0, 50},
		{48.5, 0, 49},
		{7, 1, 7},
	} {
		if got := Round(tc.v, tc.decimals); got != tc.want {
			t.Errorf("Round(%v, %d) = %v, want %v", tc.v, tc.decimals, got, tc.want)
		}
	}
	if !math.IsNaN(Round(math.NaN(), 1)) {
		t.Error("NaN must stay NaN")
	}
}

// The band is that of the score as printed with one decimal: "50,0" is
// never red and "65,0" never amber.
func TestBandOfDisplayedScore(t *testing.T) {
	b := survey.Bands{Amber: 50, Green: 65}
	for _, tc := range []struct {
		score float64
		want  survey.Band
	}{
		{49.94, survey.BandRed},
		{49.9499999, survey.BandRed},
		{49.95, survey.BandAmber},
		{49.9499999999, survey.BandAmber}, // summation noise below 1e-9 does not decide
		{50, survey.BandAmber},
		{64.94, survey.BandAmber},
		{64.95, survey.BandGreen},
		{65, survey.BandGreen},
		{0, survey.BandRed},
		{100, survey.BandGreen},
	} {
		if got := BandOf(b, tc.score); got != tc.want {
			t.Errorf("BandOf(%v) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

// The 5-point rule of the verdicts reads the difference as printed.
func TestSubstantialAsDisplayed(t *testing.T) {
	for _, tc := range []struct {
		diff float64
		want bool
	}{
		{4.94, false}, {4.9499, false}, {4.95, true}, {5, true}, {-4.95, true}, {-4.94, false},
	} {
		a := Summary{N: 40, Mean: 50 + tc.diff, Var: 400}
		b := Summary{N: 40, Mean: 50, Var: 400}
		if got := Compare("x", a, b).Substantial; got != tc.want {
			t.Errorf("difference %v: substantial = %v, want %v", tc.diff, got, tc.want)
		}
	}
}

func TestCriticalCorrelation(t *testing.T) {
	// Textbook values of the two-sided 5 % critical r.
	for _, tc := range []struct {
		n    int
		want float64
	}{
		{3, 0.9969}, {10, 0.6319}, {30, 0.3610}, {100, 0.1966}, {1000, 0.0620},
	} {
		if got := CriticalCorrelation(tc.n); math.Abs(got-tc.want) > 5e-5 {
			t.Errorf("n = %d: critical r %.5f, want %.4f", tc.n, got, tc.want)
		}
		// At the critical r the t test's p is 0.05 exactly.
		r := CriticalCorrelation(tc.n)
		df := float64(tc.n - 2)
		tt := r * math.Sqrt(df/(1-r*r))
		if p := 2 * (1 - StudentTCDF(tt, df)); math.Abs(p-0.05) > 1e-9 {
			t.Errorf("n = %d: p at the critical r = %v", tc.n, p)
		}
	}
	if !math.IsNaN(CriticalCorrelation(2)) {
		t.Error("two pairs have no test")
	}
}

func TestLinkWords(t *testing.T) {
	crit30 := CriticalCorrelation(30)
	for _, tc := range []struct {
		name string
		r    float64
		n    int
		want survey.LinkStrength
		sig  bool
	}{
		{"issue: r = 0.07 on 200 is not demonstrable", 0.07, 200, survey.LinkNone, false},
		{"issue: r = 0.05", 0.05, 200, survey.LinkNone, false},
		{"issue: r = 0.04", 0.04, 200, survey.LinkNone, false},
		{"just below critical, n = 30", crit30 - 1e-9, 30, survey.LinkNone, false},
		{"just above critical, n = 30", crit30 + 1e-9, 30, survey.LinkModerate, true},
		{"large but not significant", 0.6, 8, survey.LinkNone, false},
		{"significant and negligible", 0.07, 1000, survey.LinkNegligible, true},
		{"0.0949 prints 0.09", 0.0949, 1000, survey.LinkNegligible, true},
		{"0.095 prints 0.10", 0.095, 1000, survey.LinkWeak, true},
		{"0.2949 prints 0.29", 0.2949, 1000, survey.LinkWeak, true},
		{"0.295 prints 0.30", 0.295, 1000, survey.LinkModerate, true},
		{"0.4949 prints 0.49", 0.4949, 1000, survey.LinkModerate, true},
		{"0.495 prints 0.50", 0.495, 1000, survey.LinkStrong, true},
		{"negative", -0.35, 1000, survey.LinkModerate, true},
		{"perfect", 1, 3, survey.LinkStrong, true},
		{"undefined", math.NaN(), 100, survey.LinkUnknown, false},
		{"too few pairs", 0.9, 2, survey.LinkUnknown, false},
	} {
		got, sig := Link(tc.r, tc.n)
		if got != tc.want || sig != tc.sig {
			t.Errorf("%s: Link(%v, %d) = %s, %v; want %s, %v", tc.name, tc.r, tc.n, got, sig, tc.want, tc.sig)
		}
	}
}

func TestMeaningful(t *testing.T) {
	for _, tc := range []struct {
		r    float64
		s    survey.LinkStrength
		want bool
	}{
		{0.12, survey.LinkWeak, true},
		{0.4, survey.LinkModerate, true},
		{0.7, survey.LinkStrong, true},
		{0.08, survey.LinkNegligible, false},
		{0.4, survey.LinkNone, false},
		{-0.4, survey.LinkModerate, false},
		{math.NaN(), survey.LinkUnknown, false},
	} {
		if got := Meaningful(tc.r, tc.s); got != tc.want {
			t.Errorf("Meaningful(%v, %s) = %v", tc.r, tc.s, got)
		}
	}
}

func TestReadAlpha(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		alpha *float64
		want  AlphaReading
	}{
		{nil, AlphaUndefined},
		{f(math.NaN()), AlphaUndefined},
		{f(-0.2), AlphaLow},
		{f(0.6949), AlphaLow},
		{f(0.695), AlphaSufficient}, // prints 0,70
		{f(0.70), AlphaSufficient},
		{f(1.0049), AlphaSufficient}, // prints 1,00
		{f(1.005), AlphaImpossible},  // prints 1,01
		{f(1.01), AlphaImpossible},
	} {
		if got := ReadAlpha(tc.alpha); got != tc.want {
			t.Errorf("ReadAlpha(%v) = %s, want %s", tc.alpha, got, tc.want)
		}
	}
}

func TestRankPriorities(t *testing.T) {
	const many = 200 // critical r about 0.139
	cand := func(id string, score float64, r float64) Candidate {
		return Candidate{Factor: id, Score: score, Band: BandOf(survey.Bands{Amber: 50, Green: 65}, score), Impact: r, Pairs: many}
	}
	type want struct {
		factor string
		basis  survey.PriorityBasis
	}
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  []want
	}{
		{
			// The failure of issue 11: three negligible r's made "priorities
			// by impact", and the best factor (green) was one of them.
			name: "weak r everywhere: by score, lowest first",
			cands: []Candidate{
				cand("a", 58, 0.07), cand("b", 71, 0.05), cand("c", 44, 0.04), cand("d", 52, 0.02), cand("e", 49, 0.01),
			},
			want: []want{{"c", survey.BasisScore}, {"e", survey.BasisScore}, {"d", survey.BasisScore}},
		},
		{
			name: "meaningful links first, by (100 - score) * r; then by score",
			cands: []Candidate{
				cand("a", 60, 0.35), cand("b", 40, 0.05), cand("c", 55, 0.20), cand("d", 62, 0.9),
			},
			// d is the highest score but amber, so it may be a priority.
			want: []want{{"d", survey.BasisImpact}, {"a", survey.BasisImpact}, {"c", survey.BasisImpact}},
		},
		{
			name: "one meaningful link, the rest by score",
			cands: []Candidate{
				cand("a", 60, 0.35), cand("b", 40, 0.05), cand("c", 55, 0.10), cand("d", 45, math.NaN()),
			},
			want: []want{{"a", survey.BasisImpact}, {"b", survey.BasisScore}, {"d", survey.BasisScore}},
		},
		{
			name: "the best factor is green: never a priority, even with a strong link",
			cands: []Candidate{
				cand("a", 80, 0.8), cand("b", 70, 0.3), cand("c", 60, 0.05),
			},
			want: []want{{"b", survey.BasisImpact}, {"c", survey.BasisScore}},
		},
		{
			name: "tied best factors in green are both left out",
			cands: []Candidate{
				cand("a", 80, 0.8), cand("b", 79.96, 0.3), cand("c", 60, 0.05),
			},
			want: []want{{"c", survey.BasisScore}},
		},
		{
			name: "best factor at 64.95 prints 65,0 and is green",
			cands: []Candidate{
				cand("a", 64.95, 0.8), cand("b", 50, 0.05),
			},
			want: []want{{"b", survey.BasisScore}},
		},
		{
			name: "best factor at 64.94 is amber and stays",
			cands: []Candidate{
				cand("a", 64.94, 0.8), cand("b", 50, 0.05),
			},
			want: []want{{"a", survey.BasisImpact}, {"b", survey.BasisScore}},
		},
		{
			name: "a negative link is no reason",
			cands: []Candidate{
				cand("a", 40, -0.5), cand("b", 45, 0.3),
			},
			want: []want{{"b", survey.BasisImpact}, {"a", survey.BasisScore}},
		},
		{name: "nothing shown", cands: nil, want: nil},
	} {
		got := Rank(tc.cands)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d priorities %+v, want %+v", tc.name, len(got), got, tc.want)
			continue
		}
		for i, w := range tc.want {
			p := got[i]
			if p.Rank != i+1 || p.Factor != w.factor || p.Basis != w.basis {
				t.Errorf("%s: priority %d = %s (%s, rank %d), want %s (%s)", tc.name, i+1, p.Factor, p.Basis, p.Rank, w.factor, w.basis)
			}
			wantValue := 0.0
			if p.Basis == survey.BasisImpact {
				wantValue = (100 - p.Score) * *p.Impact
			}
			if p.Value != wantValue {
				t.Errorf("%s: %s value %v, want %v", tc.name, p.Factor, p.Value, wantValue)
			}
			if p.ImpactN != many {
				t.Errorf("%s: %s impact n %d", tc.name, p.Factor, p.ImpactN)
			}
			if s, sig := Link(tc.cands[slicesIndex(tc.cands, p.Factor)].Impact, many); s != p.Strength || sig != p.Significant {
				t.Errorf("%s: %s strength %s/%v, want %s/%v", tc.name, p.Factor, p.Strength, p.Significant, s, sig)
			}
		}
	}
}

func slicesIndex(cs []Candidate, id string) int {
	for i, c := range cs {
		if c.Factor == id {
			return i
		}
	}
	return -1
}

func TestClearGaps(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	c := survey.Comparison{Differences: []survey.Difference{
		{Measure: survey.MeasureIndex, Shown: true, Diff: f(6), Verdict: survey.VerdictClear},
		{Measure: "a", Shown: true, Diff: f(15.5), Verdict: survey.VerdictClear},
		{Measure: "b", Shown: true, Diff: f(4), Verdict: survey.VerdictPossible},
		{Measure: "c", Shown: false, Verdict: survey.VerdictClear},
		{Measure: "d", Shown: true, Diff: f(-7), Verdict: survey.VerdictClear},
	}}
	got := ClearGaps(c)
	if len(got) != 2 || got[0].Measure != "a" || got[1].Measure != "d" {
		t.Errorf("clear factor gaps %+v, want a and d", got)
	}
}
