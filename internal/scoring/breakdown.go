package scoring

import (
	"math"
	"slices"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// grouping assigns every respondent to one group of a background question.
type grouping struct {
	dim string
	// ids in display order; survey.GroupNotStated, when present, is last.
	ids []string
	of  []int
}

func (g *grouping) index(id string) int { return slices.Index(g.ids, id) }

// groupings builds the unit and the role grouping of the given rows of t
// (nil: all). Units come in the diagnostic's order (units without
// respondents included, so that they show as hidden), roles in the
// questionnaire's option order.
func groupings(q *survey.Questionnaire, units []survey.Unit, t *survey.AnswerTable, rows []int) (*grouping, *grouping, error) {
	var unitIDs []string
	for _, u := range units {
		if !slices.Contains(unitIDs, u.ID) {
			unitIDs = append(unitIDs, u.ID)
		}
	}
	var roleIDs []string
	for _, b := range q.Background {
		if b.ID == survey.BackgroundRole {
			for _, o := range b.Options {
				roleIDs = append(roleIDs, o.ID)
			}
		}
	}
	ug, err := group(survey.DimensionUnit, survey.BackgroundUnitID, unitIDs, t, rows)
	if err != nil {
		return nil, nil, err
	}
	rg, err := group(survey.DimensionRole, survey.BackgroundRole, roleIDs, t, rows)
	if err != nil {
		return nil, nil, err
	}
	return ug, rg, nil
}

// group assigns the given rows of t (nil: all) by background question key.
// When known is empty any answer is accepted and the groups are sorted by
// id.
func group(dim, key string, known []string, t *survey.AnswerTable, rows []int) (*grouping, error) {
	n := t.Len()
	if rows != nil {
		n = len(rows)
	}
	row := func(k int) int {
		if rows == nil {
			return k
		}
		return rows[k]
	}
	col := t.Background(key)
	g := &grouping{dim: dim, ids: slices.Clone(known), of: make([]int, n)}
	index := map[string]int{}
	for i, id := range g.ids {
		index[id] = i
	}
	if len(known) == 0 && col != nil {
		seen := map[string]bool{}
		for k := range n {
			if c := col.Of[row(k)]; c >= 0 {
				seen[col.Values[c]] = true
			}
		}
		g.ids = sortedKeys(seen)
		for i, id := range g.ids {
			index[id] = i
		}
	}
	// The group of each code, -1 for an unknown answer.
	var of []int
	if col != nil {
		of = make([]int, len(col.Values))
		for c, v := range col.Values {
			of[c] = -1
			if i, ok := index[v]; ok {
				of[c] = i
			}
		}
	}
	notStated := -1
	for k := range n {
		i := row(k)
		c := int32(-1)
		if col != nil {
			c = col.Of[i]
		}
		if c < 0 {
			if notStated < 0 {
				notStated = len(g.ids)
				g.ids = append(g.ids, survey.GroupNotStated)
			}
			g.of[k] = notStated
			continue
		}
		if of[c] < 0 {
			return nil, survey.Errorf(survey.CodeInvalid, "response %d (%s): unknown %s %q", i+1, t.IDs[i], key, col.Values[c])
		}
		g.of[k] = of[c]
	}
	return g, nil
}

// groupSummaries summarises vals per group, in two passes like Summarize.
func groupSummaries(vals []float64, of []int, k int) []Summary {
	s := make([]Summary, k)
	sums := make([]float64, k)
	for i, v := range vals {
		if !math.IsNaN(v) {
			s[of[i]].N++
			sums[of[i]] += v
		}
	}
	for g := range s {
		s[g].Mean, s[g].Var = math.NaN(), math.NaN()
		if s[g].N > 0 {
			s[g].Mean = sums[g] / float64(s[g].N)
		}
		sums[g] = 0
	}
	for i, v := range vals {
		if !math.IsNaN(v) {
			d := v - s[of[i]].Mean
			sums[of[i]] += d * d
		}
	}
	for g := range s {
		if s[g].N > 1 {
			s[g].Var = sums[g] / float64(s[g].N-1)
		}
	}
	return s
}

// measure is one column of the heat maps.
type measure struct {
	id   string
	vals []float64
}

func heatMeasures(q *survey.Questionnaire, m *measures) []measure {
	ms := []measure{{survey.MeasureIndex, m.index}}
	for f, fac := range q.Factors {
		ms = append(ms, measure{fac.ID, m.factor[f]})
	}
	if q.IsPulse() && len(q.Outcomes) > 0 {
		// A pulse's own question (are actions noticed?) is read per unit.
		// It rests on the base like every other measure, so the one
		// decision per group protects it too (methodology §18).
		ms = append(ms, measure{survey.MeasureOutcome, m.outcome})
	}
	return ms
}

type breakdownOut struct {
	units, roles survey.Breakdown
	totalShown   bool
	cells        []survey.ReleaseCell
	// roleCells[measure][role id] is the role's cell of that measure.
	roleCells map[string]map[string]survey.Score
}

// breakdowns builds the unit and role heat maps. Which groups are shown is
// decided once, on the counts of the analysis base: every measure of a
// group rests on the same respondents, so the one decision protects every
// cell (and the earlier per-measure decisions are not needed).
func breakdowns(q *survey.Questionnaire, m *measures, units, roles *grouping, minSize int, prev *survey.Result, earlier []survey.Release) (*breakdownOut, error) {
	dims := []*grouping{units, roles}
	all := make([]float64, len(units.of)) // every respondent counts
	table := crossTable(dims, all)
	d0, err := SuppressReleases(table, minSize, previousShown(prev), earlierReleases(earlier))
	if err != nil {
		return nil, err
	}
	ms := heatMeasures(q, m)
	out := &breakdownOut{roleCells: map[string]map[string]survey.Score{}, totalShown: d0.TotalShown}
	for _, c := range table.Cells {
		out.cells = append(out.cells, survey.ReleaseCell{Unit: c.Groups[0], Role: c.Groups[1], Count: c.Count})
	}
	for di, g := range dims {
		b := survey.Breakdown{Dimension: g.dim}
		shown0 := decisions(d0, di)
		sums := make([][]Summary, len(ms))
		for k, meas := range ms {
			sums[k] = groupSummaries(meas.vals, g.of, len(g.ids))
		}
		hiddenMask := make([]bool, len(g.ids))
		for gi, id := range g.ids {
			grp := survey.Group{ID: id, NotStated: id == survey.GroupNotStated}
			dec, ok := shown0[id]
			if !ok || !dec.Shown || !d0.TotalShown {
				hiddenMask[gi] = true
				grp.Reason = survey.ReasonTooSmall
				if ok && dec.Reason != "" {
					grp.Reason = dec.Reason
				}
				for _, meas := range ms {
					grp.Cells = append(grp.Cells, survey.Cell{Measure: meas.id, Score: survey.Score{Reason: survey.ReasonGroupHidden}})
				}
				b.Groups = append(b.Groups, grp)
				continue
			}
			grp.Shown, grp.N = true, dec.Count
			for k, meas := range ms {
				cell := survey.Cell{Measure: meas.id, Score: scoreOf(sums[k][gi], minSize, q.Bands)}
				if g == roles {
					if out.roleCells[meas.id] == nil {
						out.roleCells[meas.id] = map[string]survey.Score{}
					}
					out.roleCells[meas.id][id] = cell.Score
				}
				grp.Cells = append(grp.Cells, cell)
			}
			b.Groups = append(b.Groups, grp)
		}
		if d0.TotalShown && d0.Dims[di].OtherShown {
			b.Other = other(g, hiddenMask, ms, minSize, q.Bands)
		}
		if g == units {
			out.units = b
		} else {
			out.roles = b
		}
	}
	return out, nil
}

// other builds the row of the hidden groups together: the total minus the
// shown groups, which anyone can compute anyway.
func other(g *grouping, hidden []bool, ms []measure, minSize int, bands survey.Bands) *survey.Group {
	of := make([]int, len(g.of))
	n := 0
	for i, gi := range g.of {
		if hidden[gi] {
			of[i] = 1
			n++
		}
	}
	grp := &survey.Group{Shown: true, N: n}
	for _, meas := range ms {
		cell := survey.Cell{Measure: meas.id, Score: survey.Score{Reason: survey.ReasonComplementary}}
		if s := groupSummaries(meas.vals, of, 2)[1]; s.N >= minSize {
			cell.Score = scoreOf(s, minSize, bands)
		}
		grp.Cells = append(grp.Cells, cell)
	}
	return grp
}

func decisions(d Disclosure, dim int) map[string]GroupDisclosure {
	m := map[string]GroupDisclosure{}
	for _, g := range d.Dims[dim].Groups {
		m[g.ID] = g
	}
	return m
}

// crossTable counts, per unit-by-role combination, the respondents whose
// value is not NaN.
func crossTable(dims []*grouping, vals []float64) Table {
	nu, nr := len(dims[0].ids), len(dims[1].ids)
	counts := make([]int, nu*nr)
	for i, v := range vals {
		if !math.IsNaN(v) {
			counts[dims[0].of[i]*nr+dims[1].of[i]]++
		}
	}
	t := Table{Dims: []string{dims[0].dim, dims[1].dim}}
	for u := range nu {
		for r := range nr {
			if c := counts[u*nr+r]; c > 0 {
				t.Cells = append(t.Cells, TableCell{Groups: []string{dims[0].ids[u], dims[1].ids[r]}, Count: c})
			}
		}
	}
	return t
}

// earlierReleases turns release records into the blocks of
// SuppressReleases.
func earlierReleases(rs []survey.Release) []EarlierRelease {
	var out []EarlierRelease
	for _, r := range rs {
		e := EarlierRelease{TotalShown: r.TotalShown, Shown: [][]string{r.Units, r.Roles}}
		for _, c := range r.Cells {
			e.Cells = append(e.Cells, TableCell{Groups: []string{c.Unit, c.Role}, Count: c.Count})
		}
		out = append(out, e)
	}
	return out
}

// ReleaseOf is the release record of a computed result: its base counts
// per cell and what it showed. Seq and CreatedAt are for the store.
func ReleaseOf(kind survey.ReleaseKind, res *survey.Result) survey.Release {
	r := survey.Release{Kind: kind, Responses: res.Responses, Base: res.N, Cells: res.BaseCells, Items: res.BaseItems, TotalShown: true, Result: res}
	r.Units, r.Roles = []string{}, []string{}
	for _, g := range res.Units.Groups {
		if g.Shown {
			r.Units = append(r.Units, g.ID)
		}
	}
	for _, g := range res.Roles.Groups {
		if g.Shown {
			r.Roles = append(r.Roles, g.ID)
		}
	}
	return r
}

// previousShown lists, per dimension (unit, role), the groups the previous
// wave showed.
func previousShown(prev *survey.Result) [][]string {
	if prev == nil {
		return nil
	}
	out := make([][]string, 2)
	for d, b := range []survey.Breakdown{prev.Units, prev.Roles} {
		out[d] = []string{}
		for _, g := range b.Groups {
			if g.Shown {
				out[d] = append(out[d], g.ID)
			}
		}
	}
	return out
}

// gaps compares policy with execution and management with the rest on the
// index and every factor, when the groups' cells are shown in the role
// breakdown; otherwise the difference is hidden with the reason of the
// (first) hidden cell.
func gaps(q *survey.Questionnaire, m *measures, roles *grouping, cells map[string]map[string]survey.Score, minSize int) []survey.Comparison {
	ms := heatMeasures(q, m)
	pe := survey.Comparison{ID: survey.ComparisonPolicyExecution, GroupA: survey.RolePolicy, GroupB: survey.RoleExecution}
	mr := survey.Comparison{ID: survey.ComparisonManagementRest, GroupA: survey.RoleManagement, GroupB: survey.GroupRest}
	mgt := roles.index(survey.RoleManagement)
	restOf := make([]int, len(roles.of))
	for i, r := range roles.of {
		if r != mgt {
			restOf[i] = 1
		}
	}
	// hiddenReason is "" when every listed role's cell is shown.
	hiddenReason := func(measure string, ids ...string) survey.SuppressionReason {
		for _, id := range ids {
			c, ok := cells[measure][id]
			switch {
			case !ok:
				return survey.ReasonTooSmall
			case !c.Shown:
				if c.Reason == survey.ReasonGroupHidden || c.Reason == "" {
					return survey.ReasonTooSmall
				}
				return c.Reason
			}
		}
		return ""
	}
	for _, meas := range ms {
		s := groupSummaries(meas.vals, roles.of, len(roles.ids))
		if r := hiddenReason(meas.id, survey.RolePolicy, survey.RoleExecution); r != "" {
			pe.Differences = append(pe.Differences, survey.Difference{Measure: meas.id, Reason: r})
		} else {
			pe.Differences = append(pe.Differences, Compare(meas.id, s[roles.index(survey.RolePolicy)], s[roles.index(survey.RoleExecution)]))
		}
		// The rest is the total minus management, so it may be shown
		// whenever management is; it still has to reach the minimum itself.
		rest := groupSummaries(meas.vals, restOf, 2)[1]
		r := hiddenReason(meas.id, survey.RoleManagement)
		if r == "" && rest.N < minSize {
			r = survey.ReasonTooSmall
		}
		if r != "" {
			mr.Differences = append(mr.Differences, survey.Difference{Measure: meas.id, Reason: r})
		} else {
			mr.Differences = append(mr.Differences, Compare(meas.id, s[mgt], rest))
		}
	}
	return []survey.Comparison{pe, mr}
}
