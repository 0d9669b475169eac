package scoring

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Table is a cross-classification of respondents by several background
// questions (dimensions), for example unit and role. Each cell is one
// combination of groups, one group per dimension, with the number of
// respondents in it. Cells are never shown; the table only tells Suppress
// how the groups overlap.
type Table struct {
	Dims  []string
	Cells []TableCell
}

// TableCell is one combination of groups.
type TableCell struct {
	Groups []string
	Count  int
}

// Disclosure says which groups of a Table may be shown.
type Disclosure struct {
	// TotalShown is false when the table as a whole has fewer respondents
	// than the minimum; then nothing is shown.
	TotalShown bool
	Dims       []DimDisclosure
}

// DimDisclosure is the decision for one dimension.
type DimDisclosure struct {
	Name string
	// Groups is sorted by ID.
	Groups []GroupDisclosure
	// OtherShown is set when some groups are hidden; their union (the total
	// minus the shown groups, which anyone can compute) then reaches the
	// minimum and may be shown as one "other" row.
	OtherShown bool
}

// GroupDisclosure is the decision for one group. Count is for the caller's
// bookkeeping and must not be shown when Shown is false.
type GroupDisclosure struct {
	ID     string
	Count  int
	Shown  bool
	Reason survey.SuppressionReason
}

// Shown returns the ids of the shown groups of dimension d, sorted.
func (dd DimDisclosure) Shown() []string {
	var ids []string
	for _, g := range dd.Groups {
		if g.Shown {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

// maxLeakDim bounds the enumeration of candidate leaks (2^maxLeakDim sets);
// beyond it Suppress hides more instead of searching.
const maxLeakDim = 16

// Suppress decides which groups of t may be shown when every shown group and
// every set of respondents that can be derived from what is shown must have
// either no one or at least minGroupSize respondents.
//
// What is shown is the total and, per dimension, each shown group (its count
// and any sum over its respondents, such as a mean times n). The attacker
// takes any linear combination of these: subtracting shown groups from the
// total, combining the unit and the role breakdowns, and, when previous is
// given, combining with the groups the previous wave showed. Suppress hides
// groups until no combination is the indicator of a set of respondents of
// size 1 to minGroupSize-1:
//
//  1. a group below the minimum is hidden (too_small);
//  2. within a dimension, while the hidden groups together are below the
//     minimum, the smallest shown group is hidden too (complementary);
//  3. across dimensions and waves, every small set that can be derived is
//     found exactly (see findLeak) and the smallest shown group whose hiding
//     makes it underivable is hidden (cross_breakdown, previous_wave);
//     steps 2 and 3 repeat until nothing can be derived.
//
// previous is nil when there is no previous wave; otherwise it has one entry
// per dimension with the ids of the groups that the previous wave showed
// (nil or empty: none). Its sets are taken as label sets (the same unit and
// role), as if the same people were in them; a set that the previous wave's
// results alone already determine is that wave's disclosure, not a new one,
// and is not counted unless this wave's results alone determine it as well.
func Suppress(t Table, minGroupSize int, previous [][]string) (Disclosure, error) {
	return SuppressReleases(t, minGroupSize, previous, nil)
}

// EarlierRelease is what an earlier release of the same diagnostic (a
// preview, or the results before a reopen) published, as far as
// SuppressReleases needs it: the counts per cell at that release and the
// groups it showed.
type EarlierRelease struct {
	// Cells are the counts per combination of groups at that release, with
	// the dimensions of the table. Responses are only ever added, so no
	// cell may have more respondents then than now.
	Cells      []TableCell
	TotalShown bool
	// Shown has, per dimension, the ids of the groups that were shown.
	Shown [][]string
}

// SuppressReleases is Suppress when earlier releases of the same
// respondents were published. Each cell is split by epoch (the respondents
// present at the first release, those added by the second, ..., those added
// since the last), and every group an earlier release showed, and its
// total, becomes a fixed published block over the epochs present then. The
// exact check of Suppress then covers every combination across releases: a
// group is shown only when no small set can be derived, which needs, among
// others, that its set changed by 0 or by at least minGroupSize since every
// earlier release that showed it. Groups hidden for this reason get
// ReasonEarlierRelease. The total itself cannot be hidden by hiding
// groups: when the total changed by 1 to minGroupSize-1 since an earlier
// release, nothing is shown (TotalShown false); callers serve the earlier
// release instead (Compute does).
func SuppressReleases(t Table, minGroupSize int, previous [][]string, earlier []EarlierRelease) (Disclosure, error) {
	if minGroupSize < 1 {
		return Disclosure{}, survey.Errorf(survey.CodeInvalid, "minimum group size %d is below 1", minGroupSize)
	}
	if len(t.Dims) == 0 {
		return Disclosure{}, survey.Errorf(survey.CodeInvalid, "a table needs at least one dimension")
	}
	if previous != nil && len(previous) != len(t.Dims) {
		return Disclosure{}, survey.Errorf(survey.CodeInvalid, "previous wave has %d dimensions, table %d", len(previous), len(t.Dims))
	}
	for _, e := range earlier {
		if e.Shown != nil && len(e.Shown) != len(t.Dims) {
			return Disclosure{}, survey.Errorf(survey.CodeInvalid, "an earlier release has %d dimensions, table %d", len(e.Shown), len(t.Dims))
		}
	}
	s, err := newSuppressor(t, minGroupSize, previous, earlier)
	if err != nil {
		return Disclosure{}, err
	}
	s.run()
	return s.disclosure(), nil
}

// suppressor holds the state of one Suppress call. Cells are indexed
// 0..nCells-1 in sorted order; groups per dimension are sorted by id.
type suppressor struct {
	minSize  int
	dims     []string
	weight   []float64 // per cell
	total    int
	cellOf   [][]int // cellOf[d][c] is the group index of cell c in dim d
	groups   [][]string
	gWeight  [][]int
	hidden   [][]bool
	reason   [][]survey.SuppressionReason
	prev     [][]float64 // block indicators of the previous wave and earlier releases
	prevBase orthoBasis
	// waveBase spans the previous wave's blocks only, to tell the two
	// reasons apart; nil without earlier releases.
	waveBase orthoBasis
	releases int
	// exposed is set when the total differs from an earlier release's by 1
	// to min-1 respondents: then nothing may be shown.
	exposed bool
}

func newSuppressor(t Table, minSize int, previous [][]string, earlier []EarlierRelease) (*suppressor, error) {
	nd := len(t.Dims)
	type cell struct {
		groups []string
		count  int
		epoch  int
	}
	var cells []cell
	for _, c := range t.Cells {
		if len(c.Groups) != nd {
			return nil, survey.Errorf(survey.CodeInvalid, "a cell has %d groups for %d dimensions", len(c.Groups), nd)
		}
		if c.Count < 0 {
			return nil, survey.Errorf(survey.CodeInvalid, "a cell has a negative count")
		}
		if c.Count > 0 {
			cells = append(cells, cell{groups: c.Groups, count: c.Count})
		}
	}
	slices.SortFunc(cells, func(a, b cell) int { return slices.Compare(a.groups, b.groups) })
	// Merge duplicate combinations so that the result cannot depend on how
	// the caller split them.
	merged := cells[:0]
	for _, c := range cells {
		if n := len(merged); n > 0 && slices.Equal(merged[n-1].groups, c.groups) {
			merged[n-1].count += c.count
			continue
		}
		merged = append(merged, c)
	}
	cells = merged
	if len(earlier) > 0 {
		// Split every cell by epoch: epoch k holds the respondents added
		// between release k-1 and release k (epoch 0: present at the first
		// release; epoch len(earlier): added since the last).
		at := make([]map[string]int, len(earlier))
		for k, e := range earlier {
			at[k] = map[string]int{}
			for _, c := range e.Cells {
				if len(c.Groups) != nd || c.Count < 0 {
					return nil, survey.Errorf(survey.CodeInvalid, "an earlier release has a cell with %d groups or a negative count", len(c.Groups))
				}
				at[k][strings.Join(c.Groups, "\x00")] += c.Count
			}
		}
		var split []cell
		seen := map[string]bool{}
		for _, c := range cells {
			key := strings.Join(c.groups, "\x00")
			seen[key] = true
			before := 0
			for k := range earlier {
				n := at[k][key]
				if n < before || n > c.count {
					return nil, survey.Errorf(survey.CodeConflict, "cell %q has fewer respondents now or at a later release than at an earlier one: responses were removed", c.groups)
				}
				if n > before {
					split = append(split, cell{c.groups, n - before, k})
				}
				before = n
			}
			if c.count > before {
				split = append(split, cell{c.groups, c.count - before, len(earlier)})
			}
		}
		for k := range earlier {
			for key, n := range at[k] {
				if n > 0 && !seen[key] {
					return nil, survey.Errorf(survey.CodeConflict, "a cell of an earlier release has no respondents now: responses were removed")
				}
			}
		}
		cells = split
	}

	s := &suppressor{minSize: minSize, dims: t.Dims}
	s.weight = make([]float64, len(cells))
	for i, c := range cells {
		s.weight[i] = float64(c.count)
		s.total += c.count
	}
	s.cellOf = make([][]int, nd)
	s.groups = make([][]string, nd)
	s.gWeight = make([][]int, nd)
	s.hidden = make([][]bool, nd)
	s.reason = make([][]survey.SuppressionReason, nd)
	for d := range nd {
		ids := map[string]int{}
		for _, c := range cells {
			ids[c.groups[d]] += c.count
		}
		for id := range ids {
			s.groups[d] = append(s.groups[d], id)
		}
		slices.Sort(s.groups[d])
		index := map[string]int{}
		for g, id := range s.groups[d] {
			index[id] = g
			s.gWeight[d] = append(s.gWeight[d], ids[id])
		}
		s.cellOf[d] = make([]int, len(cells))
		for i, c := range cells {
			s.cellOf[d][i] = index[c.groups[d]]
		}
		s.hidden[d] = make([]bool, len(s.groups[d]))
		s.reason[d] = make([]survey.SuppressionReason, len(s.groups[d]))
	}
	if previous != nil {
		for d := range nd {
			shown := map[string]bool{}
			for _, id := range previous[d] {
				shown[id] = true
			}
			rest := make([]float64, len(cells))
			blocks := map[string][]float64{}
			for i, c := range cells {
				if id := c.groups[d]; shown[id] {
					if blocks[id] == nil {
						blocks[id] = make([]float64, len(cells))
					}
					blocks[id][i] = 1
				} else {
					rest[i] = 1
				}
			}
			for _, id := range sortedKeys(blocks) {
				s.prev = append(s.prev, blocks[id])
			}
			s.prev = append(s.prev, rest)
		}
	}
	if len(earlier) > 0 {
		s.waveBase = newOrthoBasis(s.prev)
	}
	for k, e := range earlier {
		if !e.TotalShown {
			continue
		}
		s.releases++
		total := make([]float64, len(cells))
		atK := 0
		for i, c := range cells {
			if c.epoch <= k {
				total[i] = 1
				atK += c.count
			}
		}
		if d := s.total - atK; d > 0 && d < minSize {
			s.exposed = true
		}
		s.prev = append(s.prev, total)
		for d := range nd {
			for _, id := range e.Shown[d] {
				b := make([]float64, len(cells))
				for i, c := range cells {
					if c.epoch <= k && c.groups[d] == id {
						b[i] = 1
					}
				}
				s.prev = append(s.prev, b)
			}
		}
	}
	if s.prev != nil {
		s.prevBase = newOrthoBasis(s.prev)
	}
	return s, nil
}

func (s *suppressor) hide(d, g int, r survey.SuppressionReason) {
	s.hidden[d][g] = true
	s.reason[d][g] = r
}

func (s *suppressor) run() {
	if s.total < s.minSize || s.exposed {
		r := survey.ReasonTooSmall
		if s.exposed {
			r = survey.ReasonEarlierRelease
		}
		for d := range s.dims {
			for g := range s.groups[d] {
				s.hide(d, g, r)
			}
		}
		return
	}
	for d := range s.dims {
		for g, w := range s.gWeight[d] {
			if w < s.minSize {
				s.hide(d, g, survey.ReasonTooSmall)
			}
		}
	}
	for {
		s.complement()
		leak, ok := s.findLeak(s.currentBlocks())
		if !ok {
			return
		}
		d, g := s.chooseToHide(leak)
		if d < 0 {
			// Every group is hidden: only the total is shown, which is
			// never a leak on its own.
			return
		}
		r := survey.ReasonCrossBreakdown
		if leak.x != nil && !newOrthoBasis(s.currentBlocks()).contains(leak.x) {
			r = survey.ReasonPreviousWave
			if s.releases > 0 && !newOrthoBasis(append(s.currentBlocks(), s.waveBase...)).contains(leak.x) {
				r = survey.ReasonEarlierRelease
			}
		}
		s.hide(d, g, r)
	}
}

// complement applies rule 2 in every dimension.
func (s *suppressor) complement() {
	for d := range s.dims {
		for {
			hiddenW := 0
			for g, h := range s.hidden[d] {
				if h {
					hiddenW += s.gWeight[d][g]
				}
			}
			if hiddenW == 0 || hiddenW >= s.minSize {
				break
			}
			g := s.smallestShown(d, nil)
			if g < 0 {
				break
			}
			s.hide(d, g, survey.ReasonComplementary)
		}
	}
}

// smallestShown returns the shown group of dimension d with the fewest
// respondents (ties by id) that accept allows, or -1.
func (s *suppressor) smallestShown(d int, accept func(g int) bool) int {
	best := -1
	for g := range s.groups[d] {
		if s.hidden[d][g] || (accept != nil && !accept(g)) {
			continue
		}
		if best < 0 || s.gWeight[d][g] < s.gWeight[d][best] {
			best = g
		}
	}
	return best
}

// currentBlocks returns the indicator vectors of what this wave shows: every
// shown group and, per dimension, the union of its hidden groups (which the
// total minus the shown groups gives away anyway).
func (s *suppressor) currentBlocks() [][]float64 {
	n := len(s.weight)
	var blocks [][]float64
	for d := range s.dims {
		byGroup := make([][]float64, len(s.groups[d]))
		var rest []float64
		for c := range n {
			g := s.cellOf[d][c]
			if s.hidden[d][g] {
				if rest == nil {
					rest = make([]float64, n)
				}
				rest[c] = 1
				continue
			}
			if byGroup[g] == nil {
				byGroup[g] = make([]float64, n)
			}
			byGroup[g][c] = 1
		}
		for _, b := range byGroup {
			if b != nil {
				blocks = append(blocks, b)
			}
		}
		if rest != nil {
			blocks = append(blocks, rest)
		}
	}
	return blocks
}

// leak is a derivable set of cells with 1..min-1 respondents. x is nil when
// the search space was too large to enumerate; support then holds the cells
// that might be involved.
type leak struct {
	x       []float64
	support []bool
}

// findLeak looks for a set of cells whose indicator lies in the span V of
// the current blocks and the previous wave's blocks, holds 1..min-1
// respondents, and is either determined by this wave alone or not by the
// previous wave alone.
//
// Such a set can only use cells with fewer than min respondents (one larger
// cell already reaches the minimum), so the search is over
// K = {x in V : x = 0 on every large cell}. K is computed as {B_S c : B_L c = 0}
// where B holds the blocks as columns and S and L are the small and the
// large cells. In reduced row echelon form, a vector of K is fixed by its
// entries at the d pivot columns, so a 0/1 vector of K has 0/1 pivot
// entries: enumerating the 2^d - 1 nonzero pivot patterns finds every
// candidate exactly. For d > maxLeakDim the search is not attempted and the
// answer is "leak" (conservative).
func (s *suppressor) findLeak(current [][]float64) (leak, bool) {
	var small, large []int
	for c, w := range s.weight {
		if w < float64(s.minSize) {
			small = append(small, c)
		} else {
			large = append(large, c)
		}
	}
	if len(small) == 0 {
		return leak{}, false
	}
	blocks := append(append([][]float64(nil), current...), s.prev...)
	nb := len(blocks)
	m := make([][]float64, len(large))
	for i, c := range large {
		m[i] = make([]float64, nb)
		for b := range blocks {
			m[i][b] = blocks[b][c]
		}
	}
	var k [][]float64
	for _, coef := range nullSpace(m, nb) {
		v := make([]float64, len(small))
		nonzero := false
		for j, c := range small {
			sum := 0.0
			for b := range blocks {
				sum += coef[b] * blocks[b][c]
			}
			if math.Abs(sum) > pivotTol {
				v[j] = sum
				nonzero = true
			}
		}
		if nonzero {
			k = append(k, v)
		}
	}
	rank, pivots := rref(k)
	if rank == 0 {
		return leak{}, false
	}
	rows := k[:rank]
	if rank > maxLeakDim {
		return leak{support: rowSupport(rows, small, len(s.weight))}, true
	}
	var curBase orthoBasis
	w := make([]float64, len(small))
	for j, c := range small {
		w[j] = s.weight[c]
	}
	budget := maxLeakChecks
	var found leak
	ok := smallSupport(rows, pivots[:rank], w, float64(s.minSize), &budget, func(x []float64) bool {
		full := make([]float64, len(s.weight))
		support := make([]bool, len(s.weight))
		for j, v := range x {
			if math.Abs(v) > 1e-9 {
				full[small[j]] = v
				support[small[j]] = true
			}
		}
		// A combination the previous wave's results alone determine is
		// skipped, unless this wave's results alone determine it too.
		if s.prev != nil && s.prevBase.contains(full) {
			if curBase == nil {
				curBase = newOrthoBasis(current)
			}
			if !curBase.contains(full) {
				return false
			}
		}
		found = leak{x: full, support: support}
		return true
	})
	if budget < 0 {
		// Too many candidates to check: hide more rather than search.
		return leak{support: rowSupport(rows, small, len(s.weight))}, true
	}
	return found, ok
}

// maxLeakChecks bounds the rank checks of one smallSupport search; beyond
// it Suppress hides more instead of searching.
const maxLeakChecks = 200000

// smallSupport looks for nonzero vectors in the row space of rows (in
// reduced row echelon form with the given pivot columns) whose support has
// a total weight below limit, and calls found with each candidate until it
// returns true. Not only 0/1 vectors count: a signed combination such as
// one cell minus another gives a difference of two respondents' sums, and
// with the sums of squares their values.
//
// A vector c.rows is fixed by its entries c_i at the pivots, so its
// support holds the pivots of the rows P with c_i != 0 and the non-pivot
// columns where c.rows is nonzero. For every set P of rows whose pivots
// weigh less than the limit, and every set U of the non-pivot columns
// touched by P that fits in the rest of the weight, there is such a
// vector vanishing outside P and U exactly when the rows P restricted to
// the other touched columns are dependent; a vector from that dependency
// is passed to found. Every vector of small support is found this way
// (with its own P and U). budget counts the rank checks down and is
// negative when the search gave up.
func smallSupport(rows [][]float64, pivots []int, w []float64, limit float64, budget *int, found func(x []float64) bool) bool {
	isPivot := make([]bool, len(w))
	for _, p := range pivots {
		isPivot[p] = true
	}
	var chosen []int
	var tryRows func(start int, weight float64) bool
	tryRows = func(start int, weight float64) bool {
		if len(chosen) > 0 {
			var touched []int
			for j := range w {
				if isPivot[j] {
					continue
				}
				for _, i := range chosen {
					if math.Abs(rows[i][j]) > pivotTol {
						touched = append(touched, j)
						break
					}
				}
			}
			skip := make([]bool, len(touched))
			var tryCols func(start int, weight float64) bool
			tryCols = func(start int, weight float64) bool {
				if *budget--; *budget < 0 {
					return false
				}
				// The rows chosen, on the touched columns not in U, as
				// the rows of a matrix whose left null space is wanted.
				var m [][]float64
				for k, j := range touched {
					if skip[k] {
						continue
					}
					col := make([]float64, len(chosen))
					for a, i := range chosen {
						col[a] = rows[i][j]
					}
					m = append(m, col)
				}
				for _, c := range nullSpace(m, len(chosen)) {
					x := make([]float64, len(w))
					for a, i := range chosen {
						for j, v := range rows[i] {
							x[j] += c[a] * v
						}
					}
					if found(x) {
						return true
					}
				}
				for k := start; k < len(touched); k++ {
					if weight+w[touched[k]] >= limit {
						continue
					}
					skip[k] = true
					if tryCols(k+1, weight+w[touched[k]]) {
						return true
					}
					skip[k] = false
					if *budget < 0 {
						return false
					}
				}
				return false
			}
			if tryCols(0, weight) {
				return true
			}
		}
		for i := start; i < len(rows); i++ {
			if weight+w[pivots[i]] >= limit {
				continue
			}
			chosen = append(chosen, i)
			if tryRows(i+1, weight+w[pivots[i]]) {
				return true
			}
			chosen = chosen[:len(chosen)-1]
			if *budget < 0 {
				return false
			}
		}
		return false
	}
	return tryRows(0, 0)
}

// chooseToHide picks the group to hide against a leak: the smallest shown
// group (over all dimensions) whose hiding makes the leaked set underivable,
// else the smallest shown group that touches the leaked cells, else the
// smallest shown group. It returns d = -1 when every group is hidden.
func (s *suppressor) chooseToHide(l leak) (int, int) {
	type cand struct{ d, g, w int }
	var cands []cand
	for d := range s.dims {
		for g := range s.groups[d] {
			if !s.hidden[d][g] {
				cands = append(cands, cand{d, g, s.gWeight[d][g]})
			}
		}
	}
	if len(cands) == 0 {
		return -1, -1
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.w, b.w), cmp.Compare(a.d, b.d), cmp.Compare(a.g, b.g))
	})
	if l.x != nil {
		for _, c := range cands {
			s.hidden[c.d][c.g] = true
			blocks := append(s.currentBlocks(), s.prev...)
			s.hidden[c.d][c.g] = false
			if !newOrthoBasis(blocks).contains(l.x) {
				return c.d, c.g
			}
		}
	}
	for _, c := range cands {
		for cell, in := range l.support {
			if in && s.cellOf[c.d][cell] == c.g {
				return c.d, c.g
			}
		}
	}
	return cands[0].d, cands[0].g
}

func (s *suppressor) disclosure() Disclosure {
	out := Disclosure{TotalShown: s.total >= s.minSize && !s.exposed}
	for d, name := range s.dims {
		dd := DimDisclosure{Name: name}
		anyShown, anyHidden := false, false
		for g, id := range s.groups[d] {
			gd := GroupDisclosure{ID: id, Count: s.gWeight[d][g], Shown: !s.hidden[d][g]}
			if s.hidden[d][g] {
				gd.Reason = s.reason[d][g]
				anyHidden = true
			} else {
				anyShown = true
			}
			dd.Groups = append(dd.Groups, gd)
		}
		// With every group hidden the "other" row would just repeat the total.
		dd.OtherShown = out.TotalShown && anyShown && anyHidden
		out.Dims = append(out.Dims, dd)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// rowSupport marks the cells on which any of rows (over the small cells)
// is nonzero: the conservative leak when the candidates are too many to
// check one by one.
func rowSupport(rows [][]float64, small []int, cells int) []bool {
	support := make([]bool, cells)
	for _, r := range rows {
		for j, v := range r {
			if math.Abs(v) > pivotTol {
				support[small[j]] = true
			}
		}
	}
	return support
}
