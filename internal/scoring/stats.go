package scoring

import (
	"math"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Confidence is the coverage of every interval the engine reports.
const Confidence = 0.95

// SubstantialPoints is the smallest difference on the 0-100 scale that the
// verdicts call substantial.
const SubstantialPoints = 5.0

// Summary holds the moments of a sample. Var is the sample variance
// (denominator n-1) and is NaN for n < 2.
type Summary struct {
	N    int
	Mean float64
	Var  float64
}

// Summarize computes the moments of the non-NaN values of xs in two passes,
// so that a large mean does not eat the digits of a small variance.
func Summarize(xs []float64) Summary {
	n := 0
	sum := 0.0
	for _, x := range xs {
		if !math.IsNaN(x) {
			n++
			sum += x
		}
	}
	if n == 0 {
		return Summary{Mean: math.NaN(), Var: math.NaN()}
	}
	mean := sum / float64(n)
	if n < 2 {
		return Summary{N: n, Mean: mean, Var: math.NaN()}
	}
	ss := 0.0
	for _, x := range xs {
		if !math.IsNaN(x) {
			d := x - mean
			ss += d * d
		}
	}
	return Summary{N: n, Mean: mean, Var: ss / float64(n-1)}
}

// SD is the sample standard deviation.
func (s Summary) SD() float64 { return math.Sqrt(s.Var) }

// MeanCI is the t-based interval of the mean: mean -+ t(0.975, n-1) sd/sqrt(n).
// Both bounds are NaN for n < 2.
func (s Summary) MeanCI() (lo, hi float64) {
	if s.N < 2 {
		return math.NaN(), math.NaN()
	}
	half := StudentTQuantile(1-(1-Confidence)/2, float64(s.N-1)) * math.Sqrt(s.Var/float64(s.N))
	return s.Mean - half, s.Mean + half
}

// Welch is Welch's two-sample comparison of means (A minus B).
type Welch struct {
	Diff, SE, DF, Low, High float64
}

// WelchTest computes the difference of the means of a and b with the
// Welch-Satterthwaite degrees of freedom and the t-based interval. Both
// samples need n >= 2. When both variances are zero the interval collapses
// to the difference and DF is NaN.
func WelchTest(a, b Summary) Welch {
	if a.N < 2 || b.N < 2 {
		nan := math.NaN()
		return Welch{Diff: a.Mean - b.Mean, SE: nan, DF: nan, Low: nan, High: nan}
	}
	va, vb := a.Var/float64(a.N), b.Var/float64(b.N)
	w := Welch{Diff: a.Mean - b.Mean, SE: math.Sqrt(va + vb)}
	if va+vb == 0 {
		w.DF, w.Low, w.High = math.NaN(), w.Diff, w.Diff
		return w
	}
	w.DF = (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	half := StudentTQuantile(1-(1-Confidence)/2, w.DF) * w.SE
	w.Low, w.High = w.Diff-half, w.Diff+half
	return w
}

// Hedges is a standardised mean difference with its interval.
type Hedges struct {
	D, J, G, SE, Low, High float64
}

// HedgesCorrection is the exact small-sample correction
// J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)), for df > 1.
func HedgesCorrection(df float64) float64 {
	if !(df > 1) {
		return math.NaN()
	}
	// lgamma(df/2) - lgamma((df-1)/2) is rewritten as lgamma(1/2) minus
	// lbeta((df-1)/2, 1/2): the plain difference of two lgammas near 6e6
	// would lose nine digits at the df of a large organisation.
	return math.Exp(lgamma(0.5) - lbeta((df-1)/2, 0.5) - 0.5*math.Log(df/2))
}

// HedgesG computes Cohen's d of A minus B over the pooled standard deviation,
// Hedges' g = J d, and the normal-theory interval g -+ z(0.975) SE(g) with
// Var(g) = J^2 ((nA+nB)/(nA nB) + d^2/(2(nA+nB))) (Borenstein et al. 2009,
// eqs. 4.20 and 4.28). Every field is NaN when the pooled SD is 0 or a
// sample has fewer than 2 values.
func HedgesG(a, b Summary) Hedges {
	nan := math.NaN()
	if a.N < 2 || b.N < 2 {
		return Hedges{nan, nan, nan, nan, nan, nan}
	}
	na, nb := float64(a.N), float64(b.N)
	df := na + nb - 2
	sp := math.Sqrt(((na-1)*a.Var + (nb-1)*b.Var) / df)
	if !(sp > 0) {
		return Hedges{nan, nan, nan, nan, nan, nan}
	}
	d := (a.Mean - b.Mean) / sp
	j := HedgesCorrection(df)
	h := Hedges{D: d, J: j, G: j * d}
	h.SE = j * math.Sqrt((na+nb)/(na*nb)+d*d/(2*(na+nb)))
	z := NormalQuantile(1 - (1-Confidence)/2)
	h.Low, h.High = h.G-z*h.SE, h.G+z*h.SE
	return h
}

// Pearson is the correlation of the pairs (x[i], y[i]) where both are not
// NaN, with the number of such pairs. It is NaN for fewer than 3 pairs or
// when either variable has no variance.
func Pearson(x, y []float64) (r float64, n int) {
	var sx, sy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			n++
			sx += x[i]
			sy += y[i]
		}
	}
	if n < 3 {
		return math.NaN(), n
	}
	mx, my := sx/float64(n), sy/float64(n)
	var sxx, syy, sxy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			dx, dy := x[i]-mx, y[i]-my
			sxx += dx * dx
			syy += dy * dy
			sxy += dx * dy
		}
	}
	if sxx == 0 || syy == 0 {
		return math.NaN(), n
	}
	return sxy / math.Sqrt(sxx*syy), n
}

// Compare computes the comparison of A with B that the gap analysis and the
// trend report: Welch's interval, Hedges' g and the verdict.
func Compare(measure string, a, b Summary) survey.Difference {
	w := WelchTest(a, b)
	h := HedgesG(a, b)
	d := survey.Difference{
		Measure: measure,
		Shown:   true,
		NA:      a.N,
		NB:      b.N,
		MeanA:   ptr(a.Mean),
		MeanB:   ptr(b.Mean),
		Diff:    ptr(w.Diff),
	}
	if !math.IsNaN(w.Low) {
		d.CI = &survey.Interval{Low: w.Low, High: w.High}
	}
	d.DF = ptr(w.DF)
	d.G = ptr(h.G)
	if !math.IsNaN(h.Low) {
		d.GCI = &survey.Interval{Low: h.Low, High: h.High}
	}
	d.Significant = d.CI != nil && (d.CI.Low > 0 || d.CI.High < 0)
	// On the difference as displayed: "+5,0" must not read "below 5 points".
	d.Substantial = math.Abs(displayed(w.Diff, ScoreDecimals)) >= SubstantialPoints
	gExcludes := d.GCI != nil && (d.GCI.Low > 0 || d.GCI.High < 0)
	switch {
	case gExcludes && d.Substantial:
		d.Verdict = survey.VerdictClear
	case d.Significant || d.Substantial:
		d.Verdict = survey.VerdictPossible
	default:
		d.Verdict = survey.VerdictNone
	}
	return d
}

// round9 rounds to nine decimals before a value is compared with a
// threshold: means and differences that are exactly on a threshold (a mean
// of 50 with an amber band from 50) would otherwise fall on either side
// depending on the order in which the responses were summed.
func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// classify is the band of a score as displayed (BandOf).
func classify(b survey.Bands, score float64) survey.Band { return BandOf(b, score) }

// ptr returns a pointer to x, or nil when x is NaN or infinite, so that
// undefined values are left out of the JSON.
func ptr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
