package scoring

import (
	"math"
	"strconv"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The rules in this file turn numbers into words and colours
// (docs/methodology.md, section 15). They live in the engine so that the
// report, the results page and the director's page cannot drift apart, and
// each classifies a value as it is displayed: a reader who sees "50,0" in
// red, or "r = 0,10" called negligible, stops trusting every other number.

// Display precision of the values a word or colour is attached to.
const (
	ScoreDecimals       = 1
	CorrelationDecimals = 2
	AlphaDecimals       = 2
)

// Strength thresholds for |r| (Cohen, 1988), applied to r as displayed.
const (
	LinkWeakFrom     = 0.10
	LinkModerateFrom = 0.30
	LinkStrongFrom   = 0.50
)

// SignificanceLevel is the two-sided level at which a correlation counts as
// demonstrable.
const SignificanceLevel = 0.05

// Round rounds v to the given number of decimals the way the value is
// printed: half away from zero on its shortest decimal representation, so
// that 62.45 (stored as 62.4499…) gives 62.5 as a reader rounding the JSON
// value by hand would get. Every formatter of a displayed number uses it,
// and so does every classification of a displayed number.
func Round(v float64, decimals int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	p := math.Pow(10, float64(decimals))
	if len(frac) <= decimals {
		return v
	}
	whole, err := strconv.ParseFloat(strings.TrimPrefix(intPart, "-")+frac[:decimals], 64)
	if err != nil {
		return math.Round(v*p) / p
	}
	if frac[decimals] >= '5' {
		whole++
	}
	r := whole / p
	if strings.HasPrefix(intPart, "-") {
		r = -r
	}
	return r
}

// displayed is a score as printed, after the 9-decimal rounding that keeps
// the order of summation from deciding which side of a threshold it falls.
func displayed(x float64, decimals int) float64 { return Round(round9(x), decimals) }

// BandOf is the band of a score as displayed with one decimal: 49.95 reads
// "50,0" and is amber when amber starts at 50.
func BandOf(b survey.Bands, score float64) survey.Band {
	return b.Classify(displayed(score, ScoreDecimals))
}

// CriticalCorrelation is the smallest |r| that is significant at the 5 %
// level (two-sided t test of r = 0 with n - 2 degrees of freedom) among n
// pairs; NaN for n < 3.
func CriticalCorrelation(n int) float64 {
	if n < 3 {
		return math.NaN()
	}
	df := float64(n - 2)
	t := StudentTQuantile(1-SignificanceLevel/2, df)
	return t / math.Sqrt(df+t*t)
}

// Link reads a correlation r over n pairs: whether it is significant and
// its strength word. A correlation that is not significant is LinkNone
// whatever its size; NaN is LinkUnknown.
func Link(r float64, n int) (survey.LinkStrength, bool) {
	crit := CriticalCorrelation(n)
	if math.IsNaN(r) || math.IsNaN(crit) {
		return survey.LinkUnknown, false
	}
	if !(math.Abs(r) > crit) {
		return survey.LinkNone, false
	}
	a := math.Abs(Round(r, CorrelationDecimals))
	switch {
	case a >= LinkStrongFrom:
		return survey.LinkStrong, true
	case a >= LinkModerateFrom:
		return survey.LinkModerate, true
	case a >= LinkWeakFrom:
		return survey.LinkWeak, true
	default:
		return survey.LinkNegligible, true
	}
}

// Meaningful reports whether a link is a reason to rank by impact: a
// positive correlation that is significant and at least weak.
func Meaningful(r float64, s survey.LinkStrength) bool {
	if !(r > 0) {
		return false
	}
	switch s {
	case survey.LinkWeak, survey.LinkModerate, survey.LinkStrong:
		return true
	}
	return false
}

// AlphaReading is the word class of Cronbach's alpha.
type AlphaReading string

const (
	// AlphaUndefined: alpha cannot be computed.
	AlphaUndefined AlphaReading = "undefined"
	// AlphaLow: below 0.70 as displayed; read the score as an indication.
	AlphaLow AlphaReading = "low"
	// AlphaSufficient: from 0.70 up to 1.00 as displayed.
	AlphaSufficient AlphaReading = "sufficient"
	// AlphaImpossible: above 1.00 as displayed. A true alpha cannot exceed
	// 1; psych's pairwise covariances can, when few respondents answered
	// items together, and then the value says nothing about reliability.
	AlphaImpossible AlphaReading = "impossible"
)

// ReadAlpha classifies alpha as displayed with two decimals.
func ReadAlpha(alpha *float64) AlphaReading {
	if alpha == nil || math.IsNaN(*alpha) {
		return AlphaUndefined
	}
	a := Round(*alpha, AlphaDecimals)
	switch {
	case a > 1:
		return AlphaImpossible
	case a >= AlphaCareThreshold:
		return AlphaSufficient
	default:
		return AlphaLow
	}
}

// ClearGaps returns the factor differences of a comparison whose verdict is
// clear, in the comparison's order; the summary names every one of them.
func ClearGaps(c survey.Comparison) []survey.Difference {
	var out []survey.Difference
	for _, d := range c.Differences {
		if d.Measure != survey.MeasureIndex && d.Shown && d.Diff != nil && d.Verdict == survey.VerdictClear {
			out = append(out, d)
		}
	}
	return out
}
