package scoring

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Audit is what AuditReleases checked and found.
type Audit struct {
	// Checked lists what was checked, one line each.
	Checked []string
	// Findings lists what could be derived or is inconsistent; empty when
	// nothing can be derived.
	Findings []string
	// Complete is false when the search was too large to finish; the
	// audit then does not claim that nothing can be derived.
	Complete bool
}

// auditLimit bounds the rank checks of one audit.
const auditLimit = 2_000_000

// AuditReleases re-checks everything a diagnostic released (its recorded
// releases, oldest first) with an attacker of its own, independent of
// Suppress: respondents are interchangeable within a unit x role x epoch
// cell, which is exact because every figure rests on the analysis base
// (docs/methodology.md §11.3), so a release publishes, per measure, sums
// over the total and over its shown groups of the cells present then. It
// checks
//
//   - structurally, that every published measure of a group has the
//     group's base count (the one-base rule), and that the cells add up;
//   - that no nonzero combination of the published blocks of all releases
//     has a support of 1 to min-1 respondents (exact, modulo 2^61-1);
//   - that every shown item's answered count changed by 0 or at least min
//     between releases that showed it.
func AuditReleases(rels []survey.Release, minSize int) Audit {
	a := Audit{Complete: true}
	a.Checked = append(a.Checked, fmt.Sprintf("%d releases, minimum group size %d", len(rels), minSize))
	for _, r := range rels {
		a.structure(r)
	}
	a.cells(rels, minSize)
	a.items(rels, minSize)
	return a
}

func (a *Audit) findf(format string, args ...any) {
	a.Findings = append(a.Findings, fmt.Sprintf(format, args...))
}

func (a *Audit) structure(r survey.Release) {
	res := r.Result
	if res == nil {
		a.findf("release %d has no recorded result", r.Seq)
		return
	}
	sum := 0
	for _, c := range r.Cells {
		sum += c.Count
	}
	if sum != r.Base || res.N != r.Base {
		a.findf("release %d: base %d, cells add up to %d, result n %d", r.Seq, r.Base, sum, res.N)
	}
	same := func(where string, n int, scores ...survey.Score) {
		for _, s := range scores {
			if s.Shown && s.N != n {
				a.findf("release %d: %s has a measure on %d respondents, not its base count %d", r.Seq, where, s.N, n)
				return
			}
		}
	}
	total := []survey.Score{res.Index, res.Outcome}
	for _, f := range res.Factors {
		total = append(total, f.Score)
		if !f.Score.Shown && (f.Reliability.Alpha != nil || f.Shares != nil || len(f.Items) > 0) {
			a.findf("release %d: hidden factor %s carries figures", r.Seq, f.ID)
		}
	}
	for _, rt := range res.Routes {
		total = append(total, rt.Score)
	}
	same("the organisation", res.N, total...)
	for _, b := range []survey.Breakdown{res.Units, res.Roles} {
		for _, g := range b.Groups {
			var cells []survey.Score
			for _, c := range g.Cells {
				cells = append(cells, c.Score)
			}
			if !g.Shown {
				for _, c := range cells {
					if c.Shown {
						a.findf("release %d: hidden %s %q shows a cell", r.Seq, b.Dimension, g.ID)
					}
				}
				continue
			}
			same(fmt.Sprintf("%s %q", b.Dimension, g.ID), g.N, cells...)
		}
		if b.Other != nil {
			var cells []survey.Score
			for _, c := range b.Other.Cells {
				cells = append(cells, c.Score)
			}
			same(b.Dimension+" other", b.Other.N, cells...)
		}
	}
	a.Checked = append(a.Checked, fmt.Sprintf("release %d (%s, %d responses, %d in the base): every measure of every shown group rests on the group's base count", r.Seq, r.Kind, r.Responses, r.Base))
}

// cells is the cell-level attacker over all releases.
func (a *Audit) cells(rels []survey.Release, minSize int) {
	type key struct{ unit, role string }
	// Epoch counts per cell: responses are only added, so release k's
	// cell holds release k-1's members and the newcomers.
	var keys []key
	at := make([]map[key]int, len(rels))
	for k, r := range rels {
		at[k] = map[key]int{}
		for _, c := range r.Cells {
			kk := key{c.Unit, c.Role}
			if !slices.Contains(keys, kk) {
				keys = append(keys, kk)
			}
			at[k][kk] += c.Count
		}
	}
	slices.SortFunc(keys, func(x, y key) int { return strings.Compare(x.unit+"\x00"+x.role, y.unit+"\x00"+y.role) })
	type cell struct {
		key
		epoch, count int
	}
	var cells []cell
	for _, kk := range keys {
		before := 0
		for e := range rels {
			n := at[e][kk]
			if n < before {
				a.findf("cell %s/%s has fewer respondents at release %d than before: responses were removed", kk.unit, kk.role, rels[e].Seq)
				n = before
			}
			if n > before {
				cells = append(cells, cell{kk, e, n - before})
			}
			before = n
		}
	}
	// The published blocks: per release, the total and every shown group,
	// over the cells present then.
	var rows [][]uint64
	for k, r := range rels {
		if !r.TotalShown {
			continue
		}
		block := func(in func(c cell) bool) {
			row := make([]uint64, len(cells))
			for i, c := range cells {
				if c.epoch <= k && in(c) {
					row[i] = 1
				}
			}
			rows = append(rows, row)
		}
		block(func(cell) bool { return true })
		for _, u := range r.Units {
			block(func(c cell) bool { return c.unit == u })
		}
		for _, ro := range r.Roles {
			block(func(c cell) bool { return c.role == ro })
		}
	}
	full := auditRank(rows, nil)
	var small []int
	for i, c := range cells {
		if c.count < minSize {
			small = append(small, i)
		}
	}
	skip := make([]bool, len(cells))
	checks := 0
	var rec func(start, weight int) bool
	rec = func(start, weight int) bool {
		if weight > 0 {
			if checks++; checks > auditLimit {
				return false
			}
			if auditRank(rows, skip) < full {
				var where []string
				for i, s := range skip {
					if s {
						c := cells[i]
						where = append(where, fmt.Sprintf("unit %q role %q arriving by release %d (%d)", c.unit, c.role, rels[c.epoch].Seq, c.count))
					}
				}
				a.findf("a combination of the releases concerns only %d respondents: %s", weight, strings.Join(where, "; "))
				return true
			}
		}
		for k := start; k < len(small); k++ {
			i := small[k]
			if weight+cells[i].count >= minSize {
				continue
			}
			skip[i] = true
			if rec(k+1, weight+cells[i].count) {
				return true
			}
			skip[i] = false
		}
		return false
	}
	rec(0, 0)
	if checks > auditLimit {
		a.Complete = false
		a.findf("the search over %d small cells was stopped after %d checks: not shown to be safe", len(small), auditLimit)
	}
	a.Checked = append(a.Checked, fmt.Sprintf("%d published groups over %d unit x role x release cells (%d below the minimum): every set of cells with 1 to %d respondents, signed combinations included", len(rows), len(cells), len(small), minSize-1))
}

func (a *Audit) items(rels []survey.Release, minSize int) {
	n := 0
	for k, r := range rels {
		for _, it := range r.Items {
			n++
			for _, e := range rels[:k] {
				for _, was := range e.Items {
					if was.ID == it.ID && it.Answered != was.Answered && it.Answered-was.Answered < minSize {
						a.findf("item %s: %d answers at release %d, %d at release %d", it.ID, was.Answered, e.Seq, it.Answered, r.Seq)
					}
				}
			}
		}
	}
	a.Checked = append(a.Checked, fmt.Sprintf("%d item releases: the answered count of every shown item changed by 0 or at least %d between releases", n, minSize))
}

// auditRank is the rank modulo 2^61-1 of the columns of rows not skipped.
func auditRank(rows [][]uint64, skip []bool) int {
	const p = 1<<61 - 1
	mul := func(x, y uint64) uint64 {
		hi, lo := bits.Mul64(x, y)
		r := (lo & p) + (lo>>61 | hi<<3)
		if r >= p {
			r -= p
		}
		return r
	}
	inv := func(x uint64) uint64 {
		r, e := uint64(1), uint64(p-2)
		for e > 0 {
			if e&1 == 1 {
				r = mul(r, x)
			}
			x = mul(x, x)
			e >>= 1
		}
		return r
	}
	m := make([][]uint64, len(rows))
	for i, row := range rows {
		for j, v := range row {
			if skip == nil || !skip[j] {
				m[i] = append(m[i], v)
			}
		}
	}
	rank := 0
	if len(m) == 0 {
		return 0
	}
	for c := 0; c < len(m[0]) && rank < len(m); c++ {
		piv := -1
		for r := rank; r < len(m); r++ {
			if m[r][c] != 0 {
				piv = r
				break
			}
		}
		if piv < 0 {
			continue
		}
		m[rank], m[piv] = m[piv], m[rank]
		iv := inv(m[rank][c])
		for r := rank + 1; r < len(m); r++ {
			if f := m[r][c]; f != 0 {
				f = mul(f, iv)
				for k := c; k < len(m[r]); k++ {
					m[r][k] = (m[r][k] + p - mul(f, m[rank][k])) % p
				}
			}
		}
		rank++
	}
	return rank
}
