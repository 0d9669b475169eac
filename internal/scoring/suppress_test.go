package scoring

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func shownSet(d Disclosure, dim int) map[string]bool {
	m := map[string]bool{}
	for _, g := range d.Dims[dim].Groups {
		if g.Shown {
			m[g.ID] = true
		}
	}
	return m
}

func TestSuppressExamples(t *testing.T) {
	cell := func(u, r string, n int) TableCell { return TableCell{Groups: []string{u, r}, Count: n} }
	tests := []struct {
		name      string
		cells     []TableCell
		minSize   int
		wantUnits []string // shown
		wantRoles []string
	}{
		{
			name:      "nothing to hide",
			cells:     []TableCell{cell("a", "x", 10), cell("b", "x", 12)},
			minSize:   5,
			wantUnits: []string{"a", "b"},
			wantRoles: []string{"x"},
		},
		{
			// b alone is hidden; total minus a would give b, so a goes too.
			name:      "exactly one unit suppressed",
			cells:     []TableCell{cell("a", "x", 10), cell("b", "x", 3)},
			minSize:   5,
			wantUnits: nil,
			wantRoles: []string{"x"},
		},
		{
			// b (3) and c (1) together still below 5: the smallest shown
			// unit (d, 6) joins them.
			name:      "hidden union below minimum",
			cells:     []TableCell{cell("a", "x", 20), cell("b", "x", 3), cell("c", "x", 1), cell("d", "x", 6)},
			minSize:   5,
			wantUnits: []string{"a"},
			wantRoles: []string{"x"},
		},
		{
			// Role y (6) consists of unit a (5) plus one person of unit b;
			// showing unit a and role y would give that person by y - a.
			name: "nested role and unit",
			cells: []TableCell{
				cell("a", "y", 5), cell("b", "y", 1), cell("b", "x", 8), cell("c", "x", 9),
			},
			minSize: 5,
		},
		{
			name:    "total below minimum",
			cells:   []TableCell{cell("a", "x", 2), cell("b", "y", 2)},
			minSize: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Suppress(Table{Dims: []string{"unit", "role"}, Cells: tt.cells}, tt.minSize, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "nested role and unit" {
				u, r := shownSet(d, 0), shownSet(d, 1)
				if u["a"] && r["y"] {
					t.Errorf("unit a and role y both shown: %+v", d)
				}
				assertNoLeak(t, Table{Dims: []string{"unit", "role"}, Cells: tt.cells}, tt.minSize, d, nil, nil)
				return
			}
			if got := d.Dims[0].Shown(); !slices.Equal(got, tt.wantUnits) {
				t.Errorf("units shown %v, want %v", got, tt.wantUnits)
			}
			if got := d.Dims[1].Shown(); !slices.Equal(got, tt.wantRoles) {
				t.Errorf("roles shown %v, want %v", got, tt.wantRoles)
			}
		})
	}
}

// TestSuppressPreviousWaveExample is the example of docs/methodology.md
// 11.4: wave A showed a and e, so "other" was b and c; in wave B b is large
// enough to show, but other_A - b_B would stand for c (3).
func TestSuppressPreviousWaveExample(t *testing.T) {
	unit := func(id string, n int) TableCell { return TableCell{Groups: []string{id}, Count: n} }
	a := Table{Dims: []string{"unit"}, Cells: []TableCell{unit("a", 10), unit("b", 3), unit("c", 3), unit("e", 8)}}
	da, err := Suppress(a, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := da.Dims[0].Shown(); !slices.Equal(got, []string{"a", "e"}) {
		t.Fatalf("wave A shows %v", got)
	}
	b := Table{Dims: []string{"unit"}, Cells: []TableCell{unit("a", 10), unit("b", 6), unit("c", 3), unit("e", 3)}}
	alone, err := Suppress(b, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !shownSet(alone, 0)["b"] {
		t.Fatalf("on its own wave B may show b: %v", alone)
	}
	db, err := Suppress(b, 5, [][]string{da.Dims[0].Shown()})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range db.Dims[0].Groups {
		if g.ID == "b" && (g.Shown || g.Reason != survey.ReasonPreviousWave) {
			t.Errorf("b = %+v, want hidden because of the previous wave", g)
		}
	}
}

func TestSuppressReasons(t *testing.T) {
	tab := Table{Dims: []string{"unit"}, Cells: []TableCell{
		{Groups: []string{"a"}, Count: 20}, {Groups: []string{"b"}, Count: 3}, {Groups: []string{"c"}, Count: 6},
	}}
	d, err := Suppress(tab, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]survey.SuppressionReason{"b": survey.ReasonTooSmall, "c": survey.ReasonComplementary}
	for _, g := range d.Dims[0].Groups {
		if g.Reason != want[g.ID] {
			t.Errorf("%s: reason %q, want %q", g.ID, g.Reason, want[g.ID])
		}
	}
	if !d.Dims[0].OtherShown {
		t.Error("the union of b and c (9) may be shown as other")
	}
}

func TestSuppressRejectsBadInput(t *testing.T) {
	good := Table{Dims: []string{"unit"}, Cells: []TableCell{{Groups: []string{"a"}, Count: 5}}}
	tests := []struct {
		name    string
		tab     Table
		minSize int
		prev    [][]string
	}{
		{"minSize zero", good, 0, nil},
		{"no dims", Table{}, 5, nil},
		{"cell arity", Table{Dims: []string{"unit", "role"}, Cells: []TableCell{{Groups: []string{"a"}, Count: 1}}}, 5, nil},
		{"negative", Table{Dims: []string{"unit"}, Cells: []TableCell{{Groups: []string{"a"}, Count: -1}}}, 5, nil},
		{"previous arity", good, 5, [][]string{{"a"}, {"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Suppress(tt.tab, tt.minSize, tt.prev)
			if survey.ErrorCode(err) != survey.CodeInvalid {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
}

func TestSuppressDoesNotDependOnCellOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		tab, minSize := randomTable(rng)
		want, err := Suppress(tab, minSize, nil)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := Table{Dims: tab.Dims, Cells: slices.Clone(tab.Cells)}
		rng.Shuffle(len(shuffled.Cells), func(i, j int) {
			shuffled.Cells[i], shuffled.Cells[j] = shuffled.Cells[j], shuffled.Cells[i]
		})
		got, err := Suppress(shuffled, minSize, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("order changed the result:\n%v\n%v", got, want)
		}
	}
}

// TestSuppressDifferencingAttacker generates random cross-tables and checks
// that an attacker who knows the total and every shown group of every
// dimension (their counts and sums) cannot derive any set of 1..min-1
// respondents by any linear combination of them: that is, no 0/1 vector
// over the cells with weight 1..min-1 lies in the span of the published
// indicator vectors. The attacker works in exact modular arithmetic, which
// never misses a vector that is in the span over the rationals.
func TestSuppressDifferencingAttacker(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240611, 1))
	cases := 3000
	if testing.Short() {
		cases = 300
	}
	hidden := 0
	for i := range cases {
		tab, minSize := randomTable(rng)
		d, err := Suppress(tab, minSize, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, tab, minSize, d)
		if !assertNoLeak(t, tab, minSize, d, nil, nil) {
			t.Fatalf("case %d: leak in %s (minSize %d)\n%v", i, describe(tab), minSize, d)
		}
		for _, dd := range d.Dims {
			for _, g := range dd.Groups {
				if !g.Shown && g.Reason != survey.ReasonTooSmall {
					hidden++
				}
			}
		}
	}
	if hidden == 0 {
		t.Error("the generator never needed secondary suppression; it tests nothing")
	}
}

// TestSuppressAcrossWaves lets wave B follow wave A with some people gone,
// some new, and checks that combining A's shown groups with B's (as label
// sets, the attacker's best guess that the same people are in them) derives
// no set of 1..min-1 respondents of wave B, except sets that A's results
// alone already gave (and B's alone do not).
func TestSuppressAcrossWaves(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240611, 2))
	cases := 1500
	if testing.Short() {
		cases = 150
	}
	prevReasons := 0
	for i := range cases {
		a, minSize := randomTable(rng)
		da, err := Suppress(a, minSize, nil)
		if err != nil {
			t.Fatal(err)
		}
		b := nextWave(rng, a)
		prev := make([][]string, len(a.Dims))
		for dim := range a.Dims {
			prev[dim] = da.Dims[dim].Shown()
		}
		db, err := Suppress(b, minSize, prev)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, b, minSize, db)
		if !assertNoLeak(t, b, minSize, db, da.Dims, &da) {
			t.Fatalf("case %d: cross-wave leak\nA %s\n%v\nB %s\n%v", i, describe(a), da, describe(b), db)
		}
		for _, dd := range db.Dims {
			for _, g := range dd.Groups {
				if g.Reason == survey.ReasonPreviousWave {
					prevReasons++
				}
			}
		}
	}
	if prevReasons == 0 {
		t.Error("the generator never needed cross-wave suppression; it tests nothing")
	}
}

func checkInvariants(t *testing.T, tab Table, minSize int, d Disclosure) {
	t.Helper()
	total := 0
	for _, c := range tab.Cells {
		total += c.Count
	}
	if d.TotalShown != (total >= minSize) {
		t.Fatalf("TotalShown = %v with total %d, minSize %d", d.TotalShown, total, minSize)
	}
	for _, dd := range d.Dims {
		hiddenW := 0
		for _, g := range dd.Groups {
			if g.Shown && (g.Count < minSize || !d.TotalShown) {
				t.Fatalf("group %s shown with %d < %d", g.ID, g.Count, minSize)
			}
			if !g.Shown {
				hiddenW += g.Count
			}
		}
		if d.TotalShown && hiddenW > 0 && hiddenW < minSize {
			t.Fatalf("hidden groups of %s total %d < %d: %s %v", dd.Name, hiddenW, minSize, describe(tab), d)
		}
	}
}

// randomTable draws a cross-table of 1 to 3 dimensions with many small and
// empty cells.
func randomTable(rng *rand.Rand) (Table, int) {
	mins := []int{2, 3, 5, 5, 5, 5, 7, 10}
	minSize := mins[rng.IntN(len(mins))]
	nd := 2
	switch rng.IntN(10) {
	case 0:
		nd = 1
	case 1:
		nd = 3
	}
	sizes := make([]int, nd)
	maxCells := 28
	cells := 1
	for d := range sizes {
		sizes[d] = 1 + rng.IntN(6)
		for cells*sizes[d] > maxCells {
			sizes[d]--
		}
		cells *= sizes[d]
	}
	scale := []int{minSize / 2, minSize, 2 * minSize, 4 * minSize}[rng.IntN(4)] + 1
	zero := rng.Float64() * 0.5
	tab := Table{Dims: []string{"unit", "role", "tenure"}[:nd]}
	idx := make([]int, nd)
	for {
		if rng.Float64() >= zero {
			groups := make([]string, nd)
			for d := range nd {
				groups[d] = fmt.Sprintf("%c%d", 'a'+d, idx[d])
				if idx[d] == sizes[d]-1 && d == 1 && rng.IntN(3) == 0 {
					groups[d] = survey.GroupNotStated
				}
			}
			tab.Cells = append(tab.Cells, TableCell{Groups: groups, Count: 1 + rng.IntN(scale)})
		}
		d := 0
		for d < nd {
			idx[d]++
			if idx[d] < sizes[d] {
				break
			}
			idx[d] = 0
			d++
		}
		if d == nd {
			break
		}
	}
	return tab, minSize
}

// nextWave moves people: every cell gains or loses a few respondents, some
// cells empty, some appear.
func nextWave(rng *rand.Rand, a Table) Table {
	b := Table{Dims: a.Dims}
	for _, c := range a.Cells {
		n := c.Count + rng.IntN(9) - 4
		if rng.IntN(5) == 0 {
			n = c.Count
		}
		if n > 0 {
			b.Cells = append(b.Cells, TableCell{Groups: c.Groups, Count: n})
		}
	}
	for range rng.IntN(3) {
		groups := make([]string, len(a.Dims))
		for d := range groups {
			groups[d] = fmt.Sprintf("%c%d", 'a'+d, rng.IntN(7))
		}
		b.Cells = append(b.Cells, TableCell{Groups: groups, Count: 1 + rng.IntN(6)})
	}
	return b
}

func describe(tab Table) string {
	var sb strings.Builder
	for _, c := range tab.Cells {
		fmt.Fprintf(&sb, "%v=%d ", c.Groups, c.Count)
	}
	return sb.String()
}

// assertNoLeak runs the attacker. prevDims (the previous wave's decision)
// adds the previous wave's shown groups and total to what the attacker
// knows; sets that the previous wave alone gives are not counted.
func assertNoLeak(t *testing.T, tab Table, minSize int, d Disclosure, prevDims []DimDisclosure, prevD *Disclosure) bool {
	t.Helper()
	// Cells with people, merged by combination.
	counts := map[string]int{}
	groupsOf := map[string][]string{}
	for _, c := range tab.Cells {
		if c.Count > 0 {
			k := strings.Join(c.Groups, "\x00")
			counts[k] += c.Count
			groupsOf[k] = c.Groups
		}
	}
	keys := sortedKeys(counts)
	n := len(keys)
	indicator := func(dim int, id string) []uint64 {
		v := make([]uint64, n)
		for i, k := range keys {
			if groupsOf[k][dim] == id {
				v[i] = 1
			}
		}
		return v
	}
	ones := make([]uint64, n)
	for i := range ones {
		ones[i] = 1
	}
	var pub, prevPub [][]uint64
	if d.TotalShown {
		pub = append(pub, ones)
		for dim, dd := range d.Dims {
			for _, g := range dd.Groups {
				if g.Shown {
					pub = append(pub, indicator(dim, g.ID))
				}
			}
		}
	}
	if prevD != nil && prevD.TotalShown {
		prevPub = append(prevPub, ones)
		for dim, dd := range prevDims {
			for _, g := range dd.Groups {
				if g.Shown {
					prevPub = append(prevPub, indicator(dim, g.ID))
				}
			}
		}
	}
	var span, spanCur gfSpan
	for _, v := range append(slices.Clone(pub), prevPub...) {
		span.add(v)
	}
	for _, v := range pub {
		spanCur.add(v)
	}
	// Enumerate every set of small cells with 1..min-1 respondents.
	var small []int
	for i, k := range keys {
		if counts[k] < minSize {
			small = append(small, i)
		}
	}
	ok := true
	x := make([]uint64, n)
	var rec func(from, weight int) bool
	rec = func(from, weight int) bool {
		if weight > 0 && span.contains(x) {
			// A set the previous wave alone gives is not a new disclosure,
			// unless this wave alone gives it too.
			if prevD == nil || spanCur.contains(x) || !inRationalSpan(prevPub, x) {
				t.Errorf("derivable set of %d respondents: %v", weight, cellsOf(keys, x))
				ok = false
				return false
			}
		}
		for j := from; j < len(small); j++ {
			c := small[j]
			w := counts[keys[c]]
			if weight+w >= minSize {
				continue
			}
			x[c] = 1
			more := rec(j+1, weight+w)
			x[c] = 0
			if !more {
				return false
			}
		}
		return true
	}
	rec(0, 0)
	return ok
}

func cellsOf(keys []string, x []uint64) []string {
	var out []string
	for i, v := range x {
		if v != 0 {
			out = append(out, strings.ReplaceAll(keys[i], "\x00", "/"))
		}
	}
	return out
}

// gfSpan is a span over GF(p), p = 2^61-1, kept in echelon form. A vector in
// the rational span of integer vectors is in their span mod p, so testing
// membership mod p never misses a derivable set.
type gfSpan struct {
	rows   [][]uint64
	pivots []int
}

const gfP = 1<<61 - 1

func gfMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, r := bits.Div64(hi, lo, gfP)
	return r
}

func gfSub(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return a + gfP - b
}

func gfInv(a uint64) uint64 {
	r, e := uint64(1), uint64(gfP-2)
	for e > 0 {
		if e&1 == 1 {
			r = gfMul(r, a)
		}
		a = gfMul(a, a)
		e >>= 1
	}
	return r
}

func (s *gfSpan) reduce(x []uint64) []uint64 {
	v := slices.Clone(x)
	for i, row := range s.rows {
		p := s.pivots[i]
		if f := v[p]; f != 0 {
			for k := range v {
				v[k] = gfSub(v[k], gfMul(f, row[k]))
			}
		}
	}
	return v
}

func (s *gfSpan) add(x []uint64) {
	v := s.reduce(x)
	for p, f := range v {
		if f != 0 {
			inv := gfInv(f)
			for k := range v {
				v[k] = gfMul(v[k], inv)
			}
			s.rows = append(s.rows, v)
			s.pivots = append(s.pivots, p)
			return
		}
	}
}

func (s *gfSpan) contains(x []uint64) bool {
	for _, f := range s.reduce(x) {
		if f != 0 {
			return false
		}
	}
	return true
}

// inRationalSpan decides exactly, over the rationals, whether x is in the
// span of vs.
func inRationalSpan(vs [][]uint64, x []uint64) bool {
	rank := func(m [][]*big.Rat) int {
		r := 0
		if len(m) == 0 {
			return 0
		}
		for c := 0; c < len(m[0]) && r < len(m); c++ {
			p := -1
			for i := r; i < len(m); i++ {
				if m[i][c].Sign() != 0 {
					p = i
					break
				}
			}
			if p < 0 {
				continue
			}
			m[r], m[p] = m[p], m[r]
			for i := r + 1; i < len(m); i++ {
				if m[i][c].Sign() == 0 {
					continue
				}
				f := new(big.Rat).Quo(m[i][c], m[r][c])
				for k := c; k < len(m[i]); k++ {
					m[i][k].Sub(m[i][k], new(big.Rat).Mul(f, m[r][k]))
				}
			}
			r++
		}
		return r
	}
	build := func(rows [][]uint64) [][]*big.Rat {
		m := make([][]*big.Rat, len(rows))
		for i, row := range rows {
			m[i] = make([]*big.Rat, len(row))
			for k, v := range row {
				m[i][k] = new(big.Rat).SetUint64(v)
			}
		}
		return m
	}
	return rank(build(vs)) == rank(build(append(slices.Clone(vs), x)))
}
