package scoring

import "math"

// AlphaCareThreshold is the alpha below which a factor is flagged "interpret
// with care".
const AlphaCareThreshold = 0.70

// Alpha is Cronbach's alpha of a set of items with the corrected item-total
// correlations, computed as R's psych::alpha (version 2.2.9) does with its
// defaults (use = "pairwise", delete = TRUE).
type Alpha struct {
	// Raw is psych's raw_alpha, NaN when undefined.
	Raw float64
	// RDrop is psych's r.drop for each input column, NaN for dropped columns.
	RDrop []float64
	// Dropped holds the indexes of the columns psych deletes because their
	// standard deviation is zero or undefined.
	Dropped []int
}

// CronbachAlpha computes alpha for the item columns cols (one slice per item,
// all of the same length, NaN for a missing answer). Reverse-keyed items must
// already be recoded; the constant used for recoding does not matter, since
// only covariances enter.
//
// As in psych: items whose standard deviation (over their non-missing values)
// is zero or undefined are dropped; C is the pairwise-complete covariance
// matrix of the remaining k items; raw_alpha = k/(k-1) (1 - tr(C)/sum(C));
// r.drop for item i is (sum_j C[j,i] - C[i,i]) / sqrt(C[i,i] sum(C[-i,-i])),
// the correlation of the item with the sum of the other items implied by C,
// not a correlation computed from the rows. Raw is NaN when fewer than two
// items remain or when some pair of items has fewer than two respondents in
// common (R's cov then returns NA).
func CronbachAlpha(cols [][]float64) Alpha {
	res := Alpha{Raw: math.NaN(), RDrop: make([]float64, len(cols))}
	for i := range res.RDrop {
		res.RDrop[i] = math.NaN()
	}
	var keep []int
	for j, c := range cols {
		s := Summarize(c)
		if s.N < 2 || !(s.Var > 0) {
			res.Dropped = append(res.Dropped, j)
			continue
		}
		keep = append(keep, j)
	}
	k := len(keep)
	if k < 2 {
		return res
	}
	cov := make([]float64, k*k)
	for a := range k {
		for b := a; b < k; b++ {
			v := pairwiseCov(cols[keep[a]], cols[keep[b]])
			if math.IsNaN(v) {
				return res
			}
			cov[a*k+b], cov[b*k+a] = v, v
		}
	}
	var total, trace float64
	colSum := make([]float64, k)
	for a := range k {
		for b := range k {
			colSum[b] += cov[a*k+b]
		}
		trace += cov[a*k+a]
	}
	for _, s := range colSum {
		total += s
	}
	fk := float64(k)
	res.Raw = (1 - trace/total) * fk / (fk - 1)
	for a := range k {
		cii := cov[a*k+a]
		vDrop := total - 2*colSum[a] + cii
		res.RDrop[keep[a]] = (colSum[a] - cii) / math.Sqrt(cii*vDrop)
	}
	return res
}

// pairwiseCov is R's cov(x, y, use = "pairwise.complete.obs"): means and
// cross-products over the rows where both are present, denominator n-1; NaN
// for fewer than two such rows. It makes one pass over the rows, on values
// shifted by the first complete pair: the shifted sums are then small and
// the usual cancellation of the one-pass formula does not arise (for
// answers on a scale they are exact integers).
func pairwiseCov(x, y []float64) float64 {
	n := 0
	var kx, ky, sx, sy, sxy float64
	for i := range x {
		xi, yi := x[i], y[i]
		if xi != xi || yi != yi { // NaN
			continue
		}
		if n == 0 {
			kx, ky = xi, yi
		}
		n++
		dx, dy := xi-kx, yi-ky
		sx += dx
		sy += dy
		sxy += dx * dy
	}
	if n < 2 {
		return math.NaN()
	}
	return (sxy - sx*sy/float64(n)) / float64(n-1)
}
