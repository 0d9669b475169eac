package scoring

import "math"

// The distribution functions follow R's nmath where precision matters: the
// log-beta function avoids the cancellation of lgamma(a)+lgamma(b)-lgamma(a+b)
// for large arguments, which would otherwise cost five digits at the degrees
// of freedom of a 150,000-respondent organisation.

const lnSqrt2Pi = 0.918938533204672741780329736406 // log(sqrt(2*pi))

// lgammacor is log Gamma(x) minus its Stirling approximation, for x >= 10.
// Eight terms of the Stirling series give full double precision there.
func lgammacor(x float64) float64 {
	x2 := 1 / (x * x)
	return (1.0/12 + x2*(-1.0/360+x2*(1.0/1260+x2*(-1.0/1680+x2*(1.0/1188+
		x2*(-691.0/360360+x2*(1.0/156+x2*(-3617.0/122400)))))))) / x
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// lbeta is log B(a, b) for a, b > 0 (R's lbeta).
func lbeta(a, b float64) float64 {
	p, q := math.Min(a, b), math.Max(a, b)
	switch {
	case p >= 10:
		corr := lgammacor(p) + lgammacor(q) - lgammacor(p+q)
		return -0.5*math.Log(q) + lnSqrt2Pi + corr + (p-0.5)*math.Log(p/(p+q)) + q*math.Log1p(-p/(p+q))
	case q >= 10:
		corr := lgammacor(q) - lgammacor(p+q)
		return lgamma(p) + corr + p - p*math.Log(p+q) + (q-0.5)*math.Log1p(-p/(p+q))
	default:
		return lgamma(p) + lgamma(q) - lgamma(p+q)
	}
}

// betacf evaluates the continued fraction of the incomplete beta function
// by the modified Lentz method (Numerical Recipes, 3rd ed., 6.4).
func betacf(a, b, x float64) float64 {
	const (
		maxIter = 100000
		eps     = 1e-16
		tiny    = 1e-300
	)
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= maxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) <= eps {
			break
		}
	}
	return h
}

// incBeta is the regularized incomplete beta function I_x(a, b). The caller
// passes y = 1-x and the logarithms of x and y as well, because in the t
// distribution they are known without rounding: log(x) multiplied by a large
// a would otherwise turn the rounding of x into a relative error of a*1e-16.
func incBeta(a, b, x, y, logx, logy float64) float64 {
	switch {
	case x <= 0:
		return 0
	case y <= 0:
		return 1
	}
	lfront := a*logx + b*logy - lbeta(a, b)
	if x < (a+1)/(a+b+2) {
		return math.Exp(lfront) * betacf(a, b, x) / a
	}
	return 1 - math.Exp(lfront)*betacf(b, a, y)/b
}

// tTail is P(T > t) for t >= 0 under Student's t with df degrees of freedom.
func tTail(t, df float64) float64 {
	if math.IsInf(t, 1) {
		return 0
	}
	// x = df/(df+t^2) and y = t^2/(df+t^2), each computed without cancellation.
	t2 := t * t
	x := df / (df + t2)
	y := t2 / (df + t2)
	l := math.Log1p(t2 / df)
	return 0.5 * incBeta(df/2, 0.5, x, y, -l, math.Log(t2)-math.Log(df)-l)
}

// StudentTCDF is P(T <= t) for Student's t distribution with df > 0 degrees
// of freedom (df need not be an integer). It returns NaN for df <= 0.
func StudentTCDF(t, df float64) float64 {
	if !(df > 0) || math.IsNaN(t) {
		return math.NaN()
	}
	if t >= 0 {
		return 1 - tTail(t, df)
	}
	return tTail(-t, df)
}

// tDensity is the density of Student's t at t.
func tDensity(t, df float64) float64 {
	return math.Exp(-(df+1)/2*math.Log1p(t*t/df) - 0.5*math.Log(df) - lbeta(df/2, 0.5))
}

// StudentTQuantile is the p-quantile of Student's t with df > 0 degrees of
// freedom, accurate to about 1e-13 relative. It returns NaN outside
// 0 < p < 1 or for df <= 0.
func StudentTQuantile(p, df float64) float64 {
	if !(p > 0 && p < 1) || !(df > 0) {
		return math.NaN()
	}
	if p == 0.5 {
		return 0
	}
	if df >= largeDF {
		if z := NormalQuantile(p); math.Abs(z) <= 6 {
			return tQuantileExpansion(z, df)
		}
	}
	// Solve in the upper tail so that p close to 1 keeps its precision.
	q := 1 - p
	sign := 1.0
	if p < 0.5 {
		q, sign = p, -1
	}
	// Bracket [lo, hi] with tTail(lo) >= q > tTail(hi).
	lo, hi := 0.0, 1.0
	for tTail(hi, df) > q {
		lo, hi = hi, hi*2
		if math.IsInf(hi, 1) {
			return sign * hi
		}
	}
	// Newton's method on tTail(t) - q, falling back to bisection whenever a
	// step leaves the bracket.
	t := NormalQuantile(1 - q)
	if !(t > lo && t < hi) {
		t = (lo + hi) / 2
	}
	for range 200 {
		f := tTail(t, df) - q
		if f > 0 {
			lo = t
		} else {
			hi = t
		}
		next := t + f/tDensity(t, df)
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-t) <= 1e-15*math.Max(1, math.Abs(t)) {
			t = next
			break
		}
		t = next
	}
	return sign * t
}

// largeDF is where the expansion of tQuantileExpansion takes over: the
// continued fraction needs about sqrt(df) terms, and its rounding errors grow
// to 1e-11 relative at df = 150,000, while the fifth term of the expansion
// is below 1e-15 from here on (for |z| <= 6).
const largeDF = 20000

// tQuantileExpansion is the Cornish-Fisher expansion of the t quantile in
// powers of 1/df around the normal quantile z (Abramowitz and Stegun 26.7.5).
func tQuantileExpansion(z, df float64) float64 {
	z2 := z * z
	g1 := z * (z2 + 1) / 4
	g2 := z * ((5*z2+16)*z2 + 3) / 96
	g3 := z * (((3*z2+19)*z2+17)*z2 - 15) / 384
	g4 := z * ((((79*z2+776)*z2+1482)*z2-1920)*z2 - 945) / 92160
	return z + (g1+(g2+(g3+g4/df)/df)/df)/df
}

// NormalQuantile is the p-quantile of the standard normal distribution. It
// goes through erfcinv of the smaller tail, which keeps the relative
// precision of p that 2p-1 would lose.
func NormalQuantile(p float64) float64 {
	if p < 0.5 {
		return -math.Sqrt2 * math.Erfcinv(2*p)
	}
	return math.Sqrt2 * math.Erfcinv(2*(1-p))
}
