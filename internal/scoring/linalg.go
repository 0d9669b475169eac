package scoring

import "math"

// Small dense linear algebra for the disclosure check. The matrices hold 0/1
// indicators of a few hundred cells at most, so plain Gaussian elimination
// with partial pivoting is accurate; pivotTol separates rounding noise from
// real entries.
const pivotTol = 1e-9

// rref brings the rows of m (modified in place) to reduced row echelon form
// and returns the number of nonzero rows (the rank, now the first rows) and
// the pivot column of each.
func rref(m [][]float64) (rank int, pivots []int) {
	if len(m) == 0 {
		return 0, nil
	}
	cols := len(m[0])
	for c := 0; c < cols && rank < len(m); c++ {
		best, bestAbs := -1, pivotTol
		for r := rank; r < len(m); r++ {
			if a := math.Abs(m[r][c]); a > bestAbs {
				best, bestAbs = r, a
			}
		}
		if best < 0 {
			for r := rank; r < len(m); r++ {
				m[r][c] = 0
			}
			continue
		}
		m[rank], m[best] = m[best], m[rank]
		pr := m[rank]
		inv := 1 / pr[c]
		for k := c; k < cols; k++ {
			pr[k] *= inv
		}
		pr[c] = 1
		for r := range m {
			if r == rank {
				continue
			}
			f := m[r][c]
			if f == 0 {
				continue
			}
			row := m[r]
			for k := c; k < cols; k++ {
				row[k] -= f * pr[k]
			}
			row[c] = 0
		}
		pivots = append(pivots, c)
		rank++
	}
	return rank, pivots
}

// nullSpace returns a basis of {c : m c = 0} for an r x n matrix m (not
// modified); with no rows every unit vector is in it.
func nullSpace(m [][]float64, n int) [][]float64 {
	a := make([][]float64, len(m))
	for i := range m {
		a[i] = append([]float64(nil), m[i]...)
	}
	rank, pivots := rref(a)
	isPivot := make([]bool, n)
	for _, p := range pivots {
		isPivot[p] = true
	}
	var basis [][]float64
	for free := range n {
		if isPivot[free] {
			continue
		}
		v := make([]float64, n)
		v[free] = 1
		for i := range rank {
			v[pivots[i]] = -a[i][free]
		}
		basis = append(basis, v)
	}
	return basis
}

// orthoBasis is an orthonormal basis of the span of some vectors, used to
// test whether another vector lies in that span.
type orthoBasis [][]float64

// newOrthoBasis orthonormalises vs by modified Gram-Schmidt, twice, which
// keeps the basis orthogonal to working precision.
func newOrthoBasis(vs [][]float64) orthoBasis {
	var q orthoBasis
	for _, v := range vs {
		w := append([]float64(nil), v...)
		norm0 := norm(w)
		if norm0 == 0 {
			continue
		}
		for range 2 {
			for _, b := range q {
				d := dot(w, b)
				for i := range w {
					w[i] -= d * b[i]
				}
			}
		}
		n := norm(w)
		if n <= 1e-9*norm0 {
			continue
		}
		for i := range w {
			w[i] /= n
		}
		q = append(q, w)
	}
	return q
}

// contains reports whether x lies in the span.
func (q orthoBasis) contains(x []float64) bool {
	w := append([]float64(nil), x...)
	n0 := norm(w)
	if n0 == 0 {
		return true
	}
	for range 2 {
		for _, b := range q {
			d := dot(w, b)
			for i := range w {
				w[i] -= d * b[i]
			}
		}
	}
	return norm(w) <= 1e-7*n0
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }
