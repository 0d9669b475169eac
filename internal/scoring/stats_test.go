package scoring

import (
	"fmt"
	"math"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestComparisonsMatchR(t *testing.T) {
	_, rows := readCSV(t, "compare_expected.csv")
	want := map[string]map[string]float64{}
	for _, r := range rows {
		if want[r[0]] == nil {
			want[r[0]] = map[string]float64{}
		}
		want[r[0]][r[1]] = parseNum(t, r[2])
	}
	for _, set := range []string{"small", "equal", "large", "unequal"} {
		t.Run(set, func(t *testing.T) {
			_, data := readCSV(t, fmt.Sprintf("compare_%s.csv", set))
			var a, b []float64
			for _, r := range data {
				if r[0] == "a" {
					a = append(a, parseNum(t, r[1]))
				} else {
					b = append(b, parseNum(t, r[1]))
				}
			}
			sa, sb := Summarize(a), Summarize(b)
			lo, hi := sa.MeanCI()
			w := WelchTest(sa, sb)
			h := HedgesG(sa, sb)
			got := map[string]float64{
				"mean_a": sa.Mean, "sd_a": sa.SD(), "ci_a_low": lo, "ci_a_high": hi,
				"diff": w.Diff, "welch_low": w.Low, "welch_high": w.High, "welch_df": w.DF,
				"g": h.G, "g_low": h.Low, "g_high": h.High, "J": h.J,
			}
			worst := 0.0
			for k, g := range got {
				if !closeTo(g, want[set][k], 1e-10) {
					t.Errorf("%s = %.17g, R %.17g", k, g, want[set][k])
				}
				worst = math.Max(worst, math.Abs(g-want[set][k])/math.Max(1, math.Abs(want[set][k])))
			}
			t.Logf("largest difference from R %.3g", worst)
		})
	}
}

func TestSummarizeByHand(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name       string
		xs         []float64
		n          int
		mean, vari float64
	}{
		{"empty", nil, 0, nan, nan},
		{"one", []float64{50}, 1, 50, nan},
		{"skips NaN", []float64{0, nan, 25, 50}, 3, 25, 625},
		{"constant", []float64{75, 75, 75}, 3, 75, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.xs)
			if s.N != tt.n || !closeTo(s.Mean, tt.mean, 1e-15) || !closeTo(s.Var, tt.vari, 1e-15) {
				t.Errorf("got %+v, want n=%d mean=%v var=%v", s, tt.n, tt.mean, tt.vari)
			}
		})
	}
	// n = 2: mean 25, variance 1250, t(0.975, 1) = tan(0.475 pi).
	lo, hi := Summarize([]float64{0, 50}).MeanCI()
	half := math.Tan(0.475*math.Pi) * math.Sqrt(1250.0/2)
	if !closeTo(lo, 25-half, 1e-12) || !closeTo(hi, 25+half, 1e-12) {
		t.Errorf("CI = [%v, %v], want 25 -+ %v", lo, hi, half)
	}
}

func TestPearsonByHand(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		x, y []float64
		r    float64
		n    int
	}{
		{"perfect", []float64{1, 2, 3}, []float64{2, 4, 6}, 1, 3},
		{"inverse", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, 4},
		// x = 1,2,3,4, y = 1,3,2,4: sxy = 4, sxx = syy = 5, r = 0.8.
		{"partial", []float64{1, 2, 3, 4, nan}, []float64{1, 3, 2, 4, 9}, 0.8, 4},
		{"too few", []float64{1, 2}, []float64{1, 2}, nan, 2},
		{"no variance", []float64{1, 1, 1}, []float64{1, 2, 3}, nan, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, n := Pearson(tt.x, tt.y)
			if n != tt.n || !closeTo(r, tt.r, 1e-15) {
				t.Errorf("got r=%v n=%d, want r=%v n=%d", r, n, tt.r, tt.n)
			}
		})
	}
}

func TestVerdicts(t *testing.T) {
	// Groups built from means and variances directly: the verdict rules only
	// look at the Welch interval, the g interval and the size of the gap.
	tests := []struct {
		name        string
		a, b        Summary
		verdict     survey.Verdict
		significant bool
		substantial bool
	}{
		{"clear", Summary{N: 40, Mean: 70, Var: 100}, Summary{N: 40, Mean: 55, Var: 100}, survey.VerdictClear, true, true},
		{"significant but small", Summary{N: 2000, Mean: 62, Var: 100}, Summary{N: 2000, Mean: 60, Var: 100}, survey.VerdictPossible, true, false},
		{"large but uncertain", Summary{N: 5, Mean: 70, Var: 900}, Summary{N: 5, Mean: 60, Var: 900}, survey.VerdictPossible, false, true},
		{"none", Summary{N: 30, Mean: 61, Var: 400}, Summary{N: 30, Mean: 60, Var: 400}, survey.VerdictNone, false, false},
		{"negative clear", Summary{N: 40, Mean: 40, Var: 100}, Summary{N: 40, Mean: 55, Var: 100}, survey.VerdictClear, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare("f", tt.a, tt.b)
			if d.Verdict != tt.verdict || d.Significant != tt.significant || d.Substantial != tt.substantial {
				t.Errorf("got %s sig=%v sub=%v, want %s sig=%v sub=%v", d.Verdict, d.Significant, d.Substantial, tt.verdict, tt.significant, tt.substantial)
			}
		})
	}
}

func TestCompareWithoutSpread(t *testing.T) {
	d := Compare("f", Summary{N: 5, Mean: 50, Var: 0}, Summary{N: 5, Mean: 50, Var: 0})
	if d.G != nil || d.GCI != nil || d.DF != nil {
		t.Errorf("g and df must be absent without spread: %+v", d)
	}
	if d.Verdict != survey.VerdictNone {
		t.Errorf("verdict = %s", d.Verdict)
	}
}
