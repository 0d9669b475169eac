package scoring

import (
	"math"
	"testing"
)

func TestStudentTQuantileMatchesR(t *testing.T) {
	_, rows := readCSV(t, "qt_expected.csv")
	for _, r := range rows {
		p, df, want := parseNum(t, r[0]), parseNum(t, r[1]), parseNum(t, r[2])
		if got := StudentTQuantile(p, df); !closeTo(got, want, 1e-12) {
			t.Errorf("qt(%v, %v) = %.17g, R %.17g (diff %.3g)", p, df, got, want, got-want)
		}
	}
}

func TestStudentTCDFMatchesR(t *testing.T) {
	_, rows := readCSV(t, "pt_expected.csv")
	for _, r := range rows {
		x, df, want := parseNum(t, r[0]), parseNum(t, r[1]), parseNum(t, r[2])
		// Tail probabilities are compared relative to their own size.
		got := StudentTCDF(x, df)
		if math.Abs(got-want) > 1e-12*math.Min(want, 1-want)+1e-300 && math.Abs(got-want) > 1e-15 {
			t.Errorf("pt(%v, %v) = %.17g, R %.17g", x, df, got, want)
		}
	}
}

func TestQuantilesFromTheBrief(t *testing.T) {
	tests := []struct{ p, df, want float64 }{
		{0.975, 10, 2.228138851986274},
		{0.975, 1, 12.70620473617471},
		{0.975, 4.5, 2.6589123472044025},
	}
	for _, tt := range tests {
		if got := StudentTQuantile(tt.p, tt.df); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("qt(%v, %v) = %.16g, want %.16g", tt.p, tt.df, got, tt.want)
		}
	}
	if got, want := NormalQuantile(0.975), 1.959963984540054; math.Abs(got-want) > 1e-15 {
		t.Errorf("qnorm(0.975) = %.16g, want %.16g", got, want)
	}
}

func TestStudentTInvalid(t *testing.T) {
	for _, c := range [][2]float64{{0, 5}, {1, 5}, {0.5, 0}, {0.3, -1}, {math.NaN(), 3}} {
		if q := StudentTQuantile(c[0], c[1]); !math.IsNaN(q) {
			t.Errorf("qt(%v, %v) = %v, want NaN", c[0], c[1], q)
		}
	}
	if p := StudentTCDF(1, 0); !math.IsNaN(p) {
		t.Errorf("pt(1, 0) = %v, want NaN", p)
	}
}

func TestHedgesCorrection(t *testing.T) {
	// J(df) by hand: J(2) = Gamma(1)/(1*Gamma(1/2)) = 1/sqrt(pi);
	// J(4) = Gamma(2)/(sqrt(2) Gamma(3/2)) = 1/(sqrt(2) sqrt(pi)/2).
	tests := []struct{ df, want float64 }{
		{2, 1 / math.Sqrt(math.Pi)},
		{4, 2 / (math.Sqrt2 * math.Sqrt(math.Pi))},
		{1e6, 0.99999924999978125}, // mpmath, 40 digits
	}
	for _, tt := range tests {
		if got := HedgesCorrection(tt.df); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("J(%v) = %.17g, want %.17g", tt.df, got, tt.want)
		}
	}
	if !math.IsNaN(HedgesCorrection(1)) {
		t.Error("J(1) should be undefined")
	}
}
