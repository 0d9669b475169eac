package scoring

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The multi-measure attacker of issue 11, independent of the engine: it
// knows every respondent's answer pattern (which items were answered,
// which were "don't know", which skipped; their unit and role; when they
// responded) but not the answers, and reads published results as a
// consultant would. (Don't-know counts are then known to it; that a
// reader without the patterns learns them is the residual risk of
// methodology §11.) Every respondent's unknowns are variables:
//
//   - z[i][v], v above the lowest scale value lo: the indicator that item
//     i (after recoding) was answered with v; the indicator of lo is 1
//     minus the others, so up to known constants the answer is
//     x_i = sum_v (v-lo) z[i][v] and x_i^2 = sum_v (v^2-lo^2) z[i][v];
//   - y[i][j], i < j: the product (x_i-lo)(x_j-lo) of two answered items,
//     so that x_i x_j = y[i][j] + lo x_i + lo x_j up to a constant.
//
// Every published figure is a linear functional over these: a mean times
// n is the sum over the group of the respondent's score, which is linear in
// the x (the scale's offset times n is known); an SD with the mean and n
// gives the sum of squared scores, a quadratic form in the x; a correlation
// with both SDs gives the sum of cross-products; a share with its base
// gives a count of indicators. A leak is a nonzero vector in the span of
// the figures whose support (respondents with a nonzero coefficient) has 1
// to min-1 respondents. The span is taken over GF(2^61-1), which contains
// every rational dependency.
//
// Respondents whose columns are identical (same pattern, same groups, same
// releases) are interchangeable: removing one of two twins never lowers
// the rank, so a leak needs a set S holding every member of some classes,
// and it suffices to test unions of whole classes with at most min-1
// respondents: rank(P without S) < rank(P).

const attP = 1<<61 - 1

func attMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	r := (lo & attP) + (lo>>61 | hi<<3)
	if r >= attP {
		r -= attP
	}
	return r
}

func attAdd(a, b uint64) uint64 {
	r := a + b
	if r >= attP {
		r -= attP
	}
	return r
}

func attInv(a uint64) uint64 {
	r, e := uint64(1), uint64(attP-2)
	for e > 0 {
		if e&1 == 1 {
			r = attMul(r, a)
		}
		a = attMul(a, a)
		e >>= 1
	}
	return r
}

// attRat is n/d mod p.
func attRat(n, d int64) uint64 {
	neg := n < 0
	if neg {
		n = -n
	}
	v := attMul(uint64(n)%attP, attInv(uint64(d)))
	if neg && v != 0 {
		v = attP - v
	}
	return v
}

// person is what the attacker knows of a respondent.
type person struct {
	answered []bool // per item
	dontKnow []bool
	unit     string
	role     string
}

// attQ is the questionnaire structure the attacker needs.
type attQ struct {
	factors [][]int // item indexes per factor
	outcome []int
	routes  [][2]int64 // weight of factor 0 as num/den, factor 1 gets the rest
	values  []int      // the scale values
	items   int
}

// measure ids: factor f >= 0; these are negative.
const (
	mIndex   = -1
	mOutcome = -2
	mRoute   = -10 // mRoute - r for route r
)

type figKind int

const (
	figSum figKind = iota
	figSS
	figCross   // sum of m1 * m2
	figCat     // count of answers of item in vals
	figDK      // count of don't-knows of item
	figItemSum // old engine: sum of the item's answers
	figItemSS
)

type figure struct {
	members []int
	kind    figKind
	m1, m2  int
	item    int
	vals    []int
}

// coef holds a respondent's measure as coefficients of x_i, as rationals
// mod p.
func (q *attQ) coef(p person, m int) map[int]uint64 {
	out := map[int]uint64{}
	score := func(items []int, w uint64) bool {
		a := 0
		for _, i := range items {
			if p.answered[i] {
				a++
			}
		}
		if a == 0 || 3*a < 2*len(items) {
			return false
		}
		inv := attMul(w, attInv(uint64(a)))
		for _, i := range items {
			if p.answered[i] {
				out[i] = attAdd(out[i], inv)
			}
		}
		return true
	}
	switch {
	case m >= 0:
		if !score(q.factors[m], 1) {
			return nil
		}
	case m == mOutcome:
		if !score(q.outcome, 1) {
			return nil
		}
	case m == mIndex:
		for f := range q.factors {
			if !score(q.factors[f], attRat(1, int64(len(q.factors)))) {
				return nil
			}
		}
	default:
		w := q.routes[mRoute-m]
		if !score(q.factors[0], attRat(w[0], w[1])) || !score(q.factors[1], attRat(w[1]-w[0], w[1])) {
			return nil
		}
	}
	return out
}

// variables lays out a respondent's variables: z[i][v], d[i], y[i][j].
type varLayout struct {
	z map[[2]int]int
	y map[[2]int]int
	n int
}

func (q *attQ) layoutOf(p person) *varLayout {
	l := &varLayout{z: map[[2]int]int{}, y: map[[2]int]int{}}
	for i := range q.items {
		if p.answered[i] {
			for _, v := range q.values[1:] {
				l.z[[2]int{i, v}] = l.n
				l.n++
			}
		}
	}
	for i := range q.items {
		for j := i + 1; j < q.items; j++ {
			if p.answered[i] && p.answered[j] {
				l.y[[2]int{i, j}] = l.n
				l.n++
			}
		}
	}
	return l
}

// local is the figure's functional on one respondent, over its variables.
func (q *attQ) local(p person, l *varLayout, f figure) []uint64 {
	v := make([]uint64, l.n)
	lo := q.values[0]
	addLinear := func(c map[int]uint64) {
		for i, w := range c {
			for _, val := range q.values[1:] {
				k := l.z[[2]int{i, val}]
				v[k] = attAdd(v[k], attMul(w, uint64(val-lo)))
			}
		}
	}
	addQuad := func(a, b map[int]uint64) {
		for i, wa := range a {
			for j, wb := range b {
				w := attMul(wa, wb)
				if i == j {
					for _, val := range q.values[1:] {
						k := l.z[[2]int{i, val}]
						v[k] = attAdd(v[k], attMul(w, uint64(val*val-lo*lo)))
					}
					continue
				}
				k := l.y[[2]int{min(i, j), max(i, j)}]
				v[k] = attAdd(v[k], w)
				wlo := attMul(w, uint64(lo))
				addLinear(map[int]uint64{i: wlo, j: wlo})
			}
		}
	}
	switch f.kind {
	case figSum:
		addLinear(q.coef(p, f.m1))
	case figSS:
		c := q.coef(p, f.m1)
		addQuad(c, c)
	case figCross:
		addQuad(q.coef(p, f.m1), q.coef(p, f.m2))
	case figCat:
		// The count of a category holding lo is the (known) answered
		// count minus the other categories.
		if p.answered[f.item] {
			holdsLo := slices.Contains(f.vals, lo)
			for _, val := range q.values[1:] {
				switch in := slices.Contains(f.vals, val); {
				case in && !holdsLo:
					v[l.z[[2]int{f.item, val}]] = 1
				case !in && holdsLo:
					v[l.z[[2]int{f.item, val}]] = attP - 1
				}
			}
		}
	case figDK:
		// Known to an attacker who knows the patterns.
	case figItemSum:
		if p.answered[f.item] {
			addLinear(map[int]uint64{f.item: 1})
		}
	case figItemSS:
		if p.answered[f.item] {
			addQuad(map[int]uint64{f.item: 1}, map[int]uint64{f.item: 1})
		}
	}
	return v
}

// attack returns a set of 1..min-1 respondents whose answers (a nonzero
// combination of their unknowns) the figures determine, or nil.
func attack(q *attQ, people []person, figs []figure, minSize int) []int {
	type class struct {
		members []int
		cols    [][]uint64 // columns of the representative, over figures
	}
	var classes []*class
	bySig := map[string]*class{}
	for r, p := range people {
		l := q.layoutOf(p)
		cols := make([][]uint64, l.n)
		for k := range cols {
			cols[k] = make([]uint64, len(figs))
		}
		nonzero := false
		for fi, f := range figs {
			if !slices.Contains(f.members, r) {
				continue
			}
			for k, c := range q.local(p, l, f) {
				if c != 0 {
					cols[k][fi] = c
					nonzero = true
				}
			}
		}
		if !nonzero {
			continue // nothing published involves r
		}
		var sb strings.Builder
		for _, col := range cols {
			for _, c := range col {
				sb.WriteString(strconv.FormatUint(c, 36))
				sb.WriteByte(',')
			}
			sb.WriteByte(';')
		}
		sig := sb.String()
		if c := bySig[sig]; c != nil {
			c.members = append(c.members, r)
			continue
		}
		c := &class{members: []int{r}, cols: cols}
		bySig[sig] = c
		classes = append(classes, c)
	}
	rankWithout := func(skip []bool) int {
		var basis [][]uint64
		var pivots []int
		for ci, c := range classes {
			if skip != nil && skip[ci] {
				continue
			}
			for _, col := range c.cols {
				v := slices.Clone(col)
				for bi, b := range basis {
					if f := v[pivots[bi]]; f != 0 {
						for k := range v {
							if b[k] != 0 {
								v[k] = attAdd(v[k], attP-attMul(f, b[k]))
							}
						}
					}
				}
				for k, x := range v {
					if x != 0 {
						inv := attInv(x)
						for j := range v {
							v[j] = attMul(v[j], inv)
						}
						basis = append(basis, v)
						pivots = append(pivots, k)
						break
					}
				}
			}
		}
		return len(basis)
	}
	full := rankWithout(nil)
	var small []int
	for ci, c := range classes {
		if len(c.members) < minSize {
			small = append(small, ci)
		}
	}
	// Enumerate unions of small classes with at most min-1 members.
	skip := make([]bool, len(classes))
	var found []int
	var rec func(start, size int) bool
	rec = func(start, size int) bool {
		if size > 0 && rankWithout(skip) < full {
			for ci, s := range skip {
				if s {
					found = append(found, classes[ci].members...)
				}
			}
			return true
		}
		for k := start; k < len(small); k++ {
			ci := small[k]
			if size+len(classes[ci].members) >= minSize {
				continue
			}
			skip[ci] = true
			if rec(k+1, size+len(classes[ci].members)) {
				return true
			}
			skip[ci] = false
		}
		return false
	}
	rec(0, 0)
	slices.Sort(found)
	return found
}

// ---------------------------------------------------------------- reading

// attScenario is a diagnostic as the attacker sees it, with the data the
// engine needs to produce the releases.
type attScenario struct {
	q      *survey.Questionnaire
	aq     *attQ
	people []person
	rs     []survey.Response
	units  []survey.Unit
	min    int
}

func (s *attScenario) has(r, m int) bool { return s.aq.coef(s.people[r], m) != nil }

func (s *attScenario) inBase(r int) bool {
	for f := range s.aq.factors {
		if !s.has(r, f) {
			return false
		}
	}
	return len(s.aq.outcome) == 0 || s.has(r, mOutcome)
}

// setFor returns the respondents among the first pool of group (unit or
// role id, "" dim for the whole organisation) who have measure m, or who
// are in the base, whichever has n members (the base is a subset of those
// with m, so equal counts mean equal sets).
func (s *attScenario) setFor(t *testing.T, pool int, dim, id string, hidden map[string]bool, m int, n int) []int {
	t.Helper()
	var withM, base []int
	for r := range pool {
		p := s.people[r]
		in := true
		switch dim {
		case survey.DimensionUnit:
			in = p.unit == id || hidden != nil && hidden[p.unit]
		case survey.DimensionRole:
			in = p.role == id || hidden != nil && hidden[p.role]
		case survey.GroupRest:
			in = p.role != survey.RoleManagement
		}
		if !in {
			continue
		}
		if s.has(r, m) {
			withM = append(withM, r)
		}
		if s.inBase(r) {
			base = append(base, r)
		}
	}
	switch {
	case len(base) == n:
		return base
	case len(withM) == n:
		return withM
	}
	t.Fatalf("cannot interpret n=%d of %s %q measure %d: %d with it, %d in the base", n, dim, id, m, len(withM), len(base))
	return nil
}

// poolOf is the number of respondents whose figures a result shows: the
// first `present` respondents, or for a held-back result the shortest
// prefix with the same base count.
func (s *attScenario) poolOf(res *survey.Result, present int) int {
	if res.HeldBack == 0 {
		return present
	}
	for k := 1; k <= present; k++ {
		n := 0
		for r := range k {
			if s.inBase(r) {
				n++
			}
		}
		if n == res.N {
			return k
		}
	}
	return present
}

func (s *attScenario) measureOf(id string) int {
	if id == survey.MeasureIndex {
		return mIndex
	}
	if id == survey.MeasureOutcome {
		return mOutcome
	}
	for f, fac := range s.q.Factors {
		if fac.ID == id {
			return f
		}
	}
	panic("unknown measure " + id)
}

// read turns a published result of the first `present` respondents into
// figures.
func (s *attScenario) read(t *testing.T, res *survey.Result, present int) []figure {
	t.Helper()
	pool := s.poolOf(res, present)
	var figs []figure
	score := func(dim, id string, hidden map[string]bool, m int, sc survey.Score) {
		if !sc.Shown {
			return
		}
		set := s.setFor(t, pool, dim, id, hidden, m, sc.N)
		figs = append(figs, figure{members: set, kind: figSum, m1: m})
		if sc.SD != nil {
			figs = append(figs, figure{members: set, kind: figSS, m1: m})
		}
	}
	score("", "", nil, mIndex, res.Index)
	score("", "", nil, mOutcome, res.Outcome)
	for f, fr := range res.Factors {
		score("", "", nil, f, fr.Score)
	}
	for r, rr := range res.Routes {
		score("", "", nil, mRoute-r, rr.Score)
	}
	for _, p := range res.Priorities {
		if p.Impact != nil {
			f := s.measureOf(p.Factor)
			figs = append(figs, figure{members: s.setFor(t, pool, "", "", nil, f, res.Factors[f].Score.N), kind: figCross, m1: f, m2: mOutcome})
		}
	}
	base := s.setFor(t, pool, "", "", nil, mIndex, res.Index.N)
	items := func(irs []survey.ItemResult, cols []int) {
		for k, it := range irs {
			i := cols[k]
			if it.DontKnowShare != nil {
				figs = append(figs, figure{members: base, kind: figDK, item: i})
			}
			if it.Shares != nil {
				lo, hi := s.q.Scale.Min, s.q.Scale.Max
				var cats [3][]int
				for v := lo; v <= hi; v++ {
					switch {
					case 2*v < lo+hi:
						cats[0] = append(cats[0], v)
					case 2*v == lo+hi:
						cats[1] = append(cats[1], v)
					default:
						cats[2] = append(cats[2], v)
					}
				}
				for _, c := range cats {
					if len(c) > 0 {
						figs = append(figs, figure{members: base, kind: figCat, item: i, vals: c})
					}
				}
			}
		}
	}
	for f, fr := range res.Factors {
		items(fr.Items, s.aq.factors[f])
	}
	items(res.OutcomeItems, s.aq.outcome)
	for _, b := range []survey.Breakdown{res.Units, res.Roles} {
		hidden := map[string]bool{}
		for _, g := range b.Groups {
			if !g.Shown {
				hidden[g.ID] = true
				continue
			}
			for _, c := range g.Cells {
				score(b.Dimension, g.ID, nil, s.measureOf(c.Measure), c.Score)
			}
		}
		if b.Other != nil {
			for _, c := range b.Other.Cells {
				score(b.Dimension, "\x00other", hidden, s.measureOf(c.Measure), c.Score)
			}
		}
	}
	for _, c := range res.Gaps {
		for _, d := range c.Differences {
			if !d.Shown {
				continue
			}
			m := s.measureOf(d.Measure)
			a := s.setFor(t, pool, survey.DimensionRole, c.GroupA, nil, m, d.NA)
			var b []int
			if c.GroupB == survey.GroupRest {
				b = s.setFor(t, pool, survey.GroupRest, "", nil, m, d.NB)
			} else {
				b = s.setFor(t, pool, survey.DimensionRole, c.GroupB, nil, m, d.NB)
			}
			figs = append(figs, figure{members: a, kind: figSum, m1: m}, figure{members: a, kind: figSS, m1: m},
				figure{members: b, kind: figSum, m1: m}, figure{members: b, kind: figSS, m1: m})
		}
	}
	return figs
}

// oldEngine lists what the engine before the single analysis base
// published at organisation level: every measure over the respondents who
// have it, item sums, SDs and counts per value over the answered.
func (s *attScenario) oldEngine(pool int) []figure {
	var figs []figure
	ms := []int{mIndex, mOutcome}
	for f := range s.aq.factors {
		ms = append(ms, f)
	}
	for r := range s.aq.routes {
		ms = append(ms, mRoute-r)
	}
	for _, m := range ms {
		var set []int
		for r := range pool {
			if s.has(r, m) {
				set = append(set, r)
			}
		}
		if len(set) >= s.min {
			figs = append(figs, figure{members: set, kind: figSum, m1: m}, figure{members: set, kind: figSS, m1: m})
		}
	}
	all := make([]int, pool)
	for r := range all {
		all[r] = r
	}
	for i := range s.aq.items {
		figs = append(figs, figure{members: all, kind: figItemSum, item: i}, figure{members: all, kind: figItemSS, item: i}, figure{members: all, kind: figDK, item: i})
		for _, v := range s.aq.values {
			figs = append(figs, figure{members: all, kind: figCat, item: i, vals: []int{v}})
		}
	}
	return figs
}

// ------------------------------------------------------------- scenarios

func attQuestionnaire(points int) (*survey.Questionnaire, *attQ) {
	q := &survey.Questionnaire{
		ID:    "att",
		Scale: survey.Scale{Min: 1, Max: points},
		Factors: []survey.Factor{
			{ID: "a", Items: []survey.Item{{ID: "a1"}, {ID: "a2", Reverse: true}, {ID: "a3"}}},
			{ID: "b", Items: []survey.Item{{ID: "b1"}, {ID: "b2"}}},
		},
		Outcomes: []survey.Item{{ID: "o1"}},
		Routes:   []survey.Route{{ID: "r", Weights: []survey.RouteWeight{{Factor: "a", Weight: 0.25}, {Factor: "b", Weight: 0.75}}}},
		Background: []survey.BackgroundQuestion{
			{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{{ID: survey.RolePolicy}, {ID: survey.RoleExecution}, {ID: survey.RoleManagement}}},
			{ID: survey.BackgroundUnitID, Kind: survey.BackgroundUnit},
		},
		Bands: survey.Bands{Amber: 50, Green: 65},
	}
	aq := &attQ{factors: [][]int{{0, 1, 2}, {3, 4}}, outcome: []int{5}, routes: [][2]int64{{1, 4}}, items: 6}
	for v := 1; v <= points; v++ {
		aq.values = append(aq.values, v)
	}
	return q, aq
}

// attItemIDs are the items of attQuestionnaire, in the order of attQ.
func attItemIDs() []string { return []string{"a1", "a2", "a3", "b1", "b2", "o1"} }

// add appends a respondent with the given pattern; answers are random.
func (s *attScenario) add(rng *rand.Rand, unit, role string, dk, skip []int) {
	s.addAnswers(rng, attItemIDs(), unit, role, dk, skip)
}

// addAnswers appends a respondent to the items ids (in the order of s.aq):
// don't know to the indexes dk, nothing to skip, a random answer to the
// rest.
func (s *attScenario) addAnswers(rng *rand.Rand, ids []string, unit, role string, dk, skip []int) {
	p := person{answered: make([]bool, len(ids)), dontKnow: make([]bool, len(ids)), unit: unit, role: role}
	r := survey.Response{ID: fmt.Sprintf("p%d", len(s.rs)), Answers: map[string]int{}, Background: map[string]string{}}
	if unit != "" {
		r.Background[survey.BackgroundUnitID] = unit
	}
	if role != "" {
		r.Background[survey.BackgroundRole] = role
	}
	for i, id := range ids {
		switch {
		case slices.Contains(dk, i):
			r.Answers[id] = survey.DontKnow
			p.dontKnow[i] = true
		case slices.Contains(skip, i):
		default:
			r.Answers[id] = 1 + rng.IntN(s.q.Scale.Max)
			p.answered[i] = true
		}
	}
	s.people = append(s.people, p)
	s.rs = append(s.rs, r)
}

func randomScenario(rng *rand.Rand) *attScenario {
	points := []int{5, 5, 5, 4, 3}[rng.IntN(5)]
	q, aq := attQuestionnaire(points)
	return newRandomScenario(rng, q, aq, attItemIDs(), 0.12, 0.16)
}

// newRandomScenario is 9 to 14 respondents in random units and roles over
// the items ids: an answer is "don't know" with chance dk and skipped with
// chance skip-dk.
func newRandomScenario(rng *rand.Rand, q *survey.Questionnaire, aq *attQ, ids []string, dk, skip float64) *attScenario {
	s := &attScenario{q: q, aq: aq, min: 2 + rng.IntN(2), units: []survey.Unit{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}}}
	n := 9 + rng.IntN(6)
	for range n {
		var dks, skips []int
		for i := range ids {
			switch x := rng.Float64(); {
			case x < dk:
				dks = append(dks, i)
			case x < skip:
				skips = append(skips, i)
			}
		}
		units := []string{"u1", "u1", "u2", "u2", "u3", ""}
		roles := []string{survey.RolePolicy, survey.RolePolicy, survey.RoleExecution, survey.RoleExecution, survey.RoleManagement, ""}
		s.addAnswers(rng, ids, units[rng.IntN(len(units))], roles[rng.IntN(len(roles))], dks, skips)
	}
	return s
}

// releaseCounts are random release points from 2*min on, increasing by 1
// to 4, always ending with all n respondents.
func releaseCounts(rng *rand.Rand, min, n int) []int {
	var counts []int
	for c := 2 * min; c <= n; c += 1 + rng.IntN(4) {
		counts = append(counts, c)
	}
	if len(counts) == 0 || counts[len(counts)-1] != n {
		counts = append(counts, n)
	}
	return counts
}

// releases runs the sequence preview -> more -> (preview) -> final ->
// reopen -> final at the given response counts through Compute, recording
// each release as the service does, and returns the published results
// with their response counts. Counts where nothing may be shown are
// skipped, as the service shows nothing then.
func (s *attScenario) releases(t *testing.T, counts []int, useReleases bool) ([]*survey.Result, []int) {
	t.Helper()
	var rels []survey.Release
	var out []*survey.Result
	var at []int
	for k, c := range counts {
		in := Input{Questionnaire: s.q, Responses: s.rs[:c], MinGroupSize: s.min, Units: s.units}
		if useReleases {
			in.Earlier = rels
		}
		res, err := Compute(in)
		if survey.ErrorCode(err) == survey.CodeConflict {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		kind := survey.ReleasePreview
		if k == len(counts)-1 || k%2 == 1 {
			kind = survey.ReleaseFinal
		}
		rel := ReleaseOf(kind, res)
		rel.Seq = len(rels) + 1
		rels = append(rels, rel)
		out = append(out, res)
		at = append(at, c)
	}
	return out, at
}

func (s *attScenario) figuresOf(t *testing.T, results []*survey.Result, at []int) []figure {
	var figs []figure
	for k, res := range results {
		figs = append(figs, s.read(t, res, at[k])...)
	}
	return figs
}

// --------------------------------------------------------------- the tests

// TestAttackerFindsTheOldLeaks: hand-made worst cases, each a leak on the
// old publication and none on the engine.
func TestAttackerFindsTheOldLeaks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q, aq := attQuestionnaire(5)
	roles := []string{survey.RolePolicy, survey.RoleExecution}

	t.Run("factor minus index", func(t *testing.T) {
		s := &attScenario{q: q, aq: aq, min: 3, units: []survey.Unit{{ID: "u1"}}}
		for i := range 6 {
			s.add(rng, "u1", roles[i%2], nil, nil)
		}
		s.add(rng, "u1", roles[0], []int{3, 4}, nil) // no b: no index, but a
		if got := attack(aq, s.people, s.oldEngine(7), 3); !slices.Equal(got, []int{6}) {
			t.Errorf("old publication: leak %v, want respondent 6", got)
		}
		res, err := Compute(Input{Questionnaire: q, Responses: s.rs, MinGroupSize: 3, Units: s.units})
		if err != nil {
			t.Fatal(err)
		}
		if got := attack(aq, s.people, s.read(t, res, 7), 3); got != nil {
			t.Errorf("engine: leak %v", got)
		}
	})
	t.Run("items minus factor with a don't-know", func(t *testing.T) {
		s := &attScenario{q: q, aq: aq, min: 3, units: []survey.Unit{{ID: "u1"}}}
		for i := range 6 {
			s.add(rng, "u1", roles[i%2], nil, nil)
		}
		s.add(rng, "u1", roles[0], []int{1}, nil) // a with two of three items
		old := s.oldEngine(7)
		// Only the organisation's factor, index and item figures: no
		// subset differencing, just the item/factor relation.
		if got := attack(aq, s.people, old, 3); !slices.Equal(got, []int{6}) {
			t.Errorf("old publication: leak %v, want respondent 6", got)
		}
		res, err := Compute(Input{Questionnaire: q, Responses: s.rs, MinGroupSize: 3, Units: s.units})
		if err != nil {
			t.Fatal(err)
		}
		if got := attack(aq, s.people, s.read(t, res, 7), 3); got != nil {
			t.Errorf("engine: leak %v", got)
		}
	})
	t.Run("preview, one more, close", func(t *testing.T) {
		s := &attScenario{q: q, aq: aq, min: 3, units: []survey.Unit{{ID: "u1"}, {ID: "u2"}}}
		for i := range 8 {
			s.add(rng, []string{"u1", "u2"}[i%2], roles[i/4], nil, nil)
		}
		s.add(rng, "u1", roles[0], nil, nil)
		res, at := s.releases(t, []int{8, 9}, false)
		if got := attack(aq, s.people, s.figuresOf(t, res, at), 3); !slices.Equal(got, []int{8}) {
			t.Errorf("without releases: leak %v, want the newcomer 8", got)
		}
		res, at = s.releases(t, []int{8, 9}, true)
		if got := attack(aq, s.people, s.figuresOf(t, res, at), 3); got != nil {
			t.Errorf("with releases: leak %v", got)
		}
	})
}

// attackerRuns is the number of random data sets; UK_ATTACKER_RUNS raises
// it for a longer search.
func attackerRuns(t *testing.T, def int) int {
	if v, err := strconv.Atoi(os.Getenv("UK_ATTACKER_RUNS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return def / 10
	}
	return def
}

// TestAttackerOnRandomReleaseSequences: random small diagnostics with
// don't-knows and skips, unit and role breakdowns, and release sequences
// (preview, more respondents, final, reopen, final). The attacker must
// find nothing in what the engine releases; the old publication, for
// comparison, leaks in many of them.
func TestAttackerOnRandomReleaseSequences(t *testing.T) {
	runs := attackerRuns(t, 600)
	rng := rand.New(rand.NewPCG(11, 61))
	oldLeaks, noReleaseLeaks, checked := 0, 0, 0
	for run := range runs {
		s := randomScenario(rng)
		n := len(s.rs)
		// Release points: increasing, sometimes equal.
		counts := releaseCounts(rng, s.min, n)
		res, at := s.releases(t, counts, true)
		if len(res) == 0 {
			continue
		}
		checked++
		if got := attack(s.aq, s.people, s.figuresOf(t, res, at), s.min); got != nil {
			t.Fatalf("run %d (min %d, %d points, releases at %v): respondents %v can be derived", run, s.min, s.q.Scale.Max, at, got)
		}
		if attack(s.aq, s.people, s.oldEngine(n), s.min) != nil {
			oldLeaks++
		}
		if run%5 == 0 {
			res, at := s.releases(t, counts, false)
			if attack(s.aq, s.people, s.figuresOf(t, res, at), s.min) != nil {
				noReleaseLeaks++
			}
		}
	}
	t.Logf("%d data sets checked, no leak; the old publication leaks in %d, the releases without the release records in %d of %d", checked, oldLeaks, noReleaseLeaks, runs/5)
	if checked > 50 && oldLeaks == 0 {
		t.Error("the attacker found nothing in the old publication: it is not attacking")
	}
}
