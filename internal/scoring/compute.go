package scoring

import (
	"math"
	"slices"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// PoolingThreshold is the number of respondents below which the impact of
// the factors is estimated on the pooled responses of other diagnostics.
const PoolingThreshold = 30

// PriorityCount is the number of priorities in the report.
const PriorityCount = 3

// Input is everything Compute needs. Only Questionnaire and Responses are
// required.
type Input struct {
	// Questionnaire is the diagnostic's snapshot of the instrument.
	Questionnaire *survey.Questionnaire
	// Responses are the submitted responses of the diagnostic.
	Responses []survey.Response
	// Table, when set, holds the submitted responses instead of Responses:
	// the compact form the store loads a large diagnostic in. It needs a
	// column for every item of the questionnaire and for the unit and role
	// questions (TableColumns).
	Table *survey.AnswerTable
	// MinGroupSize is the diagnostic's minimum group size; 0 means
	// survey.DefaultMinGroupSize.
	MinGroupSize int
	// Units are the diagnostic's units, in display order. When empty, any
	// unit id in the responses is accepted.
	Units []survey.Unit
	// Pooled are responses to the same questionnaire from the installation's
	// closed diagnostics. They are used only to estimate impact, and only
	// when Responses has fewer than PoolingThreshold respondents. Responses
	// whose ID also occurs in Responses are skipped, so the caller may pass
	// all closed diagnostics including this one.
	Pooled []survey.Response
	// Earlier are the earlier releases of this diagnostic (previews, and the
	// results before a reopen), oldest first. Every figure they published
	// counts as published: when the base grew by 1 to MinGroupSize-1
	// respondents since the last one (or not at all), Compute returns that
	// release's result again with HeldBack set; otherwise the suppression
	// takes every earlier release's shown groups into account.
	Earlier []survey.Release
	// Previous is the result of the organisation's previous wave with the
	// same questionnaire id, or nil. It gives the trend and makes the
	// suppression take the previous wave's shown groups into account.
	Previous *survey.Result
}

// Compute scores a diagnostic. It is a pure function of its input: the same
// input gives the same result regardless of the order of map iteration.
//
// It returns a CodeInvalid error for an unusable questionnaire, an answer
// outside the scale, a unit or role that does not exist, or a previous wave
// of another questionnaire; and a CodeConflict error when there are fewer
// responses than the minimum group size, since then nothing may be shown.
// Answers to unknown item ids are ignored.
func Compute(in Input) (*survey.Result, error) {
	q := in.Questionnaire
	if err := validateQuestionnaire(q); err != nil {
		return nil, err
	}
	minSize := in.MinGroupSize
	switch {
	case minSize == 0:
		minSize = survey.DefaultMinGroupSize
	case minSize < 0:
		return nil, survey.Errorf(survey.CodeInvalid, "minimum group size %d is negative", minSize)
	}
	if in.Previous != nil && in.Previous.QuestionnaireID != q.ID {
		return nil, survey.Errorf(survey.CodeInvalid, "previous wave used questionnaire %q, this one %q", in.Previous.QuestionnaireID, q.ID)
	}
	lay := newLayout(q)
	tab := in.Table
	if tab == nil {
		tab = lay.table(in.Responses)
	}
	all, err := lay.parseRows(tab, nil)
	if err != nil {
		return nil, err
	}
	// Every response's background is checked, also of those outside the
	// base, so that a bad unit id is an error and not a silent exclusion.
	if _, _, err := groupings(q, in.Units, tab, nil); err != nil {
		return nil, err
	}
	m := lay.measures(all)
	base := lay.base(m)
	if len(base) < minSize {
		return nil, survey.Errorf(survey.CodeConflict, "%d of %d responses complete enough to score, fewer than the minimum group size %d", len(base), tab.Len(), minSize)
	}
	if held, err := heldBack(in.Earlier, len(base), minSize); held != nil || err != nil {
		if held != nil {
			held.Responses = tab.Len()
		}
		return held, err
	}
	// Every answer and measure is per respondent: the base's rows of all
	// and m are what parsing and measuring only the base would give, and
	// keeping them in place spares a second copy of the answers.
	data := all
	lay.keep(data, m, tab, base)
	units, roles, err := groupings(q, in.Units, tab, base)
	if err != nil {
		return nil, err
	}
	for _, e := range in.Earlier {
		items := map[string]int{}
		for _, it := range e.Items {
			items[it.ID] = it.Answered
		}
		lay.earlierItems = append(lay.earlierItems, items)
	}
	res := &survey.Result{
		QuestionnaireID:      q.ID,
		QuestionnaireVersion: q.Version,
		Responses:            tab.Len(),
		N:                    data.n,
		MinGroupSize:         minSize,
		Index:                scoreOf(Summarize(m.index), minSize, q.Bands),
		Outcome:              scoreOf(Summarize(m.outcome), minSize, q.Bands),
	}
	if len(q.Outcomes) == 0 {
		res.Outcome = survey.Score{Reason: survey.ReasonNotApplicable}
	}
	for f := range q.Factors {
		res.Factors = append(res.Factors, lay.factorResult(f, data, m.factor[f], minSize, q.Bands))
	}
	for _, it := range q.Outcomes {
		ir, _ := lay.itemResult(lay.column[it.ID], data, minSize)
		res.OutcomeItems = append(res.OutcomeItems, ir)
	}
	for r, route := range q.Routes {
		res.Routes = append(res.Routes, survey.RouteResult{ID: route.ID, Score: scoreOf(Summarize(m.route[r]), minSize, q.Bands)})
	}
	if err := priorities(res, lay, data, m, in, tab); err != nil {
		return nil, err
	}
	b, err := breakdowns(q, m, units, roles, minSize, in.Previous, in.Earlier)
	if err != nil {
		return nil, err
	}
	if !b.totalShown {
		return nil, survey.Errorf(survey.CodeConflict, "the results would differ from an earlier release by fewer respondents than the minimum group size")
	}
	res.Units, res.Roles, res.BaseCells, res.BaseItems = b.units, b.roles, b.cells, lay.shownItems
	res.Gaps = gaps(q, m, roles, b.roleCells, minSize)
	if in.Previous != nil {
		res.Trend = trend(res, in.Previous)
	}
	return res, nil
}

// heldBack returns the last release's result again when the base changed
// by 0 to minSize-1 respondents since it: releasing new figures would give
// the newcomers' sums as the difference (the total cannot be hidden). It
// returns nil when new figures may be computed.
func heldBack(earlier []survey.Release, base, minSize int) (*survey.Result, error) {
	if len(earlier) == 0 {
		return nil, nil
	}
	last := earlier[len(earlier)-1]
	for _, e := range earlier {
		if base < e.Base {
			return nil, survey.Errorf(survey.CodeConflict, "the analysis base has %d respondents, fewer than the %d of release %d: responses were removed", base, e.Base, e.Seq)
		}
	}
	if d := base - last.Base; d >= minSize {
		return nil, nil
	} else if last.Result == nil {
		return nil, survey.Errorf(survey.CodeConflict, "release %d has no recorded result to show again", last.Seq)
	} else {
		held := *last.Result
		held.HeldBack = d
		held.BaseCells, held.BaseItems = last.Cells, last.Items
		return &held, nil
	}
}

func validateQuestionnaire(q *survey.Questionnaire) error {
	if q == nil {
		return survey.Errorf(survey.CodeInvalid, "no questionnaire")
	}
	if q.Scale.Min <= survey.DontKnow || q.Scale.Max <= q.Scale.Min {
		return survey.Errorf(survey.CodeInvalid, "scale %d..%d must lie above the don't-know value %d", q.Scale.Min, q.Scale.Max, survey.DontKnow)
	}
	if len(q.Factors) == 0 {
		return survey.Errorf(survey.CodeInvalid, "questionnaire %q has no factors", q.ID)
	}
	if q.Bands.Amber > q.Bands.Green {
		return survey.Errorf(survey.CodeInvalid, "amber band %v lies above green %v", q.Bands.Amber, q.Bands.Green)
	}
	seen := map[string]bool{}
	factors := map[string]bool{}
	for _, f := range q.Factors {
		if f.ID == "" || f.ID == survey.MeasureIndex || factors[f.ID] {
			return survey.Errorf(survey.CodeInvalid, "factor id %q is empty, reserved or repeated", f.ID)
		}
		factors[f.ID] = true
		if len(f.Items) == 0 {
			return survey.Errorf(survey.CodeInvalid, "factor %q has no items", f.ID)
		}
	}
	for _, it := range q.AllItems() {
		if it.ID == "" || seen[it.ID] {
			return survey.Errorf(survey.CodeInvalid, "item id %q is empty or repeated", it.ID)
		}
		seen[it.ID] = true
	}
	for _, r := range q.Routes {
		sum := 0.0
		for _, w := range r.Weights {
			if !factors[w.Factor] {
				return survey.Errorf(survey.CodeInvalid, "route %q weighs unknown factor %q", r.ID, w.Factor)
			}
			if w.Weight < 0 || math.IsNaN(w.Weight) {
				return survey.Errorf(survey.CodeInvalid, "route %q has a negative weight", r.ID)
			}
			sum += w.Weight
		}
		if math.Abs(sum-1) > 1e-9 {
			return survey.Errorf(survey.CodeInvalid, "weights of route %q sum to %v, not 1", r.ID, sum)
		}
	}
	return nil
}

// layout maps the questionnaire's items to columns: the factors' items in
// order, then the outcome items.
type layout struct {
	// earlierItems holds, per earlier release, the answered counts of the
	// items it showed; shownItems collects this release's.
	earlierItems []map[string]int
	shownItems   []survey.ReleaseItem

	q       *survey.Questionnaire
	items   []survey.Item
	column  map[string]int
	factor  [][]int // columns of each factor
	outcome []int
}

func newLayout(q *survey.Questionnaire) *layout {
	l := &layout{q: q, items: q.AllItems(), column: map[string]int{}}
	for i, it := range l.items {
		l.column[it.ID] = i
	}
	for _, f := range q.Factors {
		var cols []int
		for _, it := range f.Items {
			cols = append(cols, l.column[it.ID])
		}
		l.factor = append(l.factor, cols)
	}
	for _, it := range q.Outcomes {
		l.outcome = append(l.outcome, l.column[it.ID])
	}
	return l
}

// answers holds the responses as columns: cols[item][respondent] is the
// answer after reverse-keying, NaN when missing (don't know or skipped).
type answers struct {
	n        int
	cols     [][]float64
	dontKnow []int
}

// TableColumns are the item and background columns an AnswerTable needs
// for Compute.
func TableColumns(q *survey.Questionnaire) (items, background []string) {
	for _, it := range q.AllItems() {
		items = append(items, it.ID)
	}
	return items, []string{survey.BackgroundUnitID, survey.BackgroundRole}
}

func (l *layout) table(rs []survey.Response) *survey.AnswerTable {
	items, background := TableColumns(l.q)
	return survey.TableOf(rs, items, background)
}

// parse reads responses into columns.
func (l *layout) parse(rs []survey.Response) (*answers, error) {
	return l.parseRows(l.table(rs), nil)
}

// parseRows reads the given rows of t (nil: all) into columns.
func (l *layout) parseRows(t *survey.AnswerTable, rows []int) (*answers, error) {
	n := t.Len()
	if rows != nil {
		n = len(rows)
	}
	lo, hi := l.q.Scale.Min, l.q.Scale.Max
	flat := make([]float64, n*len(l.items))
	a := &answers{n: n, cols: make([][]float64, len(l.items)), dontKnow: make([]int, len(l.items))}
	for c, it := range l.items {
		out := flat[c*n : (c+1)*n : (c+1)*n]
		a.cols[c] = out
		in := t.Item(it.ID)
		if in == nil {
			return nil, survey.Errorf(survey.CodeInternal, "the answer table has no column for item %q", it.ID)
		}
		for k := range n {
			i := k
			if rows != nil {
				i = rows[k]
			}
			v := int(in[i])
			switch {
			case v == survey.Skipped:
				out[k] = math.NaN()
			case v == survey.DontKnow:
				out[k] = math.NaN()
				a.dontKnow[c]++
			case v < lo || v > hi:
				return nil, survey.Errorf(survey.CodeInvalid, "response %d (%s): answer %d to item %q is outside %d..%d", i+1, t.IDs[i], v, it.ID, lo, hi)
			case it.Reverse:
				out[k] = float64(lo + hi - v)
			default:
				out[k] = float64(v)
			}
		}
	}
	return a, nil
}

// keep reduces a (parsed from t) and m (measured from a) to the given rows,
// in ascending order, in place.
func (l *layout) keep(a *answers, m *measures, t *survey.AnswerTable, rows []int) {
	n := len(rows)
	compact := func(col []float64) []float64 {
		for k, i := range rows {
			col[k] = col[i]
		}
		return col[:n:n]
	}
	for c, it := range l.items {
		a.cols[c] = compact(a.cols[c])
		in := t.Item(it.ID)
		a.dontKnow[c] = 0
		for _, i := range rows {
			if int(in[i]) == survey.DontKnow {
				a.dontKnow[c]++
			}
		}
	}
	a.n = n
	for f := range m.factor {
		m.factor[f] = compact(m.factor[f])
	}
	m.outcome, m.index = compact(m.outcome), compact(m.index)
	for r := range m.route {
		m.route[r] = compact(m.route[r])
	}
}

// measures holds the respondent-level scores on the 0-100 scale, NaN when
// undefined.
type measures struct {
	factor  [][]float64
	outcome []float64
	index   []float64
	route   [][]float64
}

// rescale turns a value on the answer scale into 0-100.
func (l *layout) rescale(v float64) float64 {
	lo, hi := float64(l.q.Scale.Min), float64(l.q.Scale.Max)
	return 100 * (v - lo) / (hi - lo)
}

// meanScore is the 0-100 score of one respondent on a set of item columns:
// the mean of the answered items, rescaled, when at least two thirds of the
// items are answered (3*answered >= 2*k, exact in integers).
func (l *layout) meanScore(a *answers, cols []int, out []float64) {
	k := len(cols)
	for i := range a.n {
		sum, answered := 0.0, 0
		for _, c := range cols {
			if v := a.cols[c][i]; !math.IsNaN(v) {
				sum += v
				answered++
			}
		}
		if answered == 0 || 3*answered < 2*k {
			out[i] = math.NaN()
			continue
		}
		out[i] = l.rescale(sum / float64(answered))
	}
}

func (l *layout) measures(a *answers) *measures {
	q := l.q
	nf := len(q.Factors)
	flat := make([]float64, a.n*(nf+2+len(q.Routes)))
	next := func() []float64 {
		s := flat[:a.n:a.n]
		flat = flat[a.n:]
		return s
	}
	m := &measures{}
	for f := range nf {
		m.factor = append(m.factor, next())
		l.meanScore(a, l.factor[f], m.factor[f])
	}
	m.outcome = next()
	if len(l.outcome) > 0 {
		l.meanScore(a, l.outcome, m.outcome)
	} else {
		for i := range m.outcome {
			m.outcome[i] = math.NaN()
		}
	}
	// The index and the routes need every factor they use: averaging only
	// the factors a respondent happens to have would mix respondents on
	// different definitions.
	// A missing factor score is NaN, which makes the sum NaN: that is the
	// "every factor" rule.
	m.index = next()
	for i := range a.n {
		sum := 0.0
		for f := range nf {
			sum += m.factor[f][i]
		}
		m.index[i] = sum / float64(nf)
	}
	for _, r := range q.Routes {
		type term struct {
			f int
			w float64
		}
		var terms []term
		for _, w := range r.Weights {
			if w.Weight != 0 {
				f := slices.IndexFunc(q.Factors, func(x survey.Factor) bool { return x.ID == w.Factor })
				terms = append(terms, term{f, w.Weight})
			}
		}
		out := next()
		for i := range a.n {
			sum := 0.0
			for _, t := range terms {
				sum += t.w * m.factor[t.f][i]
			}
			out[i] = sum
		}
		m.route = append(m.route, out)
	}
	return m
}

// base returns the responses of the analysis base: those with a score on
// every factor and, when the questionnaire has outcome items, on the
// outcome. Every published figure rests on the base (intersected with a
// group), so that all measures of a group are sums over one set of
// respondents and one suppression decision on counts protects them all:
// with measures on different sets, the difference of two published sums
// would be a sum over the few respondents in one set and not the other.
// base returns the rows in the analysis base.
func (l *layout) base(m *measures) []int {
	out := make([]int, 0, len(m.index))
	for i := range m.index {
		if l.inBase(m, i) {
			out = append(out, i)
		}
	}
	return out
}

func (l *layout) inBase(m *measures, i int) bool {
	if math.IsNaN(m.index[i]) {
		return false // the index is NaN when any factor is
	}
	return len(l.outcome) == 0 || !math.IsNaN(m.outcome[i])
}

// scoreOf turns a sample summary into a Score, hidden below the minimum.
// The interval is clipped to the 0-100 scale: no mean can lie outside it,
// and an interval printed beyond it only confuses.
func scoreOf(s Summary, minSize int, bands survey.Bands) survey.Score {
	if s.N < minSize || s.N == 0 {
		return survey.Score{Reason: survey.ReasonTooSmall}
	}
	sc := survey.Score{Shown: true, N: s.N, Mean: ptr(s.Mean), SD: ptr(s.SD()), Band: classify(bands, s.Mean)}
	if lo, hi := s.MeanCI(); !math.IsNaN(lo) {
		sc.CI = &survey.Interval{Low: math.Max(lo, 0), High: math.Min(hi, 100)}
	}
	return sc
}

func (l *layout) factorResult(f int, a *answers, scores []float64, minSize int, bands survey.Bands) survey.FactorResult {
	fac := l.q.Factors[f]
	fr := survey.FactorResult{ID: fac.ID, Score: scoreOf(Summarize(scores), minSize, bands)}
	if !fr.Score.Shown {
		// A hidden factor carries nothing but its reason: an alpha or an
		// item share of a hidden set is as much a figure of it as a mean.
		return fr
	}
	cols := make([][]float64, len(l.factor[f]))
	for j, c := range l.factor[f] {
		cols[j] = a.cols[c]
	}
	alpha := CronbachAlpha(cols)
	fr.Reliability.Alpha = ptr(alpha.Raw)
	fr.Reliability.InterpretWithCare = !(alpha.Raw >= AlphaCareThreshold)
	for _, j := range alpha.Dropped {
		fr.Reliability.DroppedItems = append(fr.Reliability.DroppedItems, fac.Items[j].ID)
	}
	var pooled [3]int
	best, worst := -1, -1
	var bestAgree, worstAgree float64
	for j, c := range l.factor[f] {
		it, counts := l.itemResult(c, a, minSize)
		fr.Items = append(fr.Items, it)
		if !it.Shown || it.Shares == nil {
			continue
		}
		s := l.shareCounts(counts)
		if it.Reverse {
			s[0], s[2] = s[2], s[0]
		}
		for k := range pooled {
			pooled[k] += s[k]
		}
		// The favourable share: for a reverse item the disagree side.
		agree := it.Shares.Agree
		if it.Reverse {
			agree = it.Shares.Disagree
		}
		if best < 0 || agree > bestAgree {
			best, bestAgree = j, agree
		}
		if worst < 0 || agree < worstAgree {
			worst, worstAgree = j, agree
		}
	}
	if l.sharesAllowed() {
		fr.Shares = shares(pooled)
	}
	if best >= 0 && bestAgree != worstAgree {
		fr.StrongestItem, fr.WeakestItem = fr.Items[best].ID, fr.Items[worst].ID
	}
	return fr
}

// sharesAllowed reports whether collapsed shares may be published: on a
// scale of at most three points disagree/neutral/agree is the full
// distribution, which gives each item's sum, and k times a factor's sum
// minus its item sums is a sum over the few respondents with a don't-know
// in the factor.
func (l *layout) sharesAllowed() bool { return l.q.Scale.Max-l.q.Scale.Min+1 > 3 }

// shareCounts sums counts per scale value (Scale.Min first) into below, at
// and above the midpoint of the scale.
func (l *layout) shareCounts(counts []int) [3]int {
	lo, hi := l.q.Scale.Min, l.q.Scale.Max
	var c [3]int
	for k, n := range counts {
		switch v := lo + k; {
		case 2*v < lo+hi:
			c[0] += n
		case 2*v == lo+hi:
			c[1] += n
		default:
			c[2] += n
		}
	}
	return c
}

func shares(c [3]int) *survey.Shares {
	n := float64(c[0] + c[1] + c[2])
	if n == 0 {
		return nil
	}
	return &survey.Shares{Disagree: float64(c[0]) / n, Neutral: float64(c[1]) / n, Agree: float64(c[2]) / n}
}

// itemResult describes item column c over the analysis base: only the
// collapsed shares of the answered (as answered, so a reverse item's
// recoding is undone) and the don't-know share. Item means, SDs, counts per
// scale value and item-total correlations are not published: with
// don't-know answers, k times the factor's sum minus the item sums is a
// weighted sum over the few respondents with a don't-know in the factor.
// An item answered by fewer than the minimum is hidden without its
// don't-know figures, which with the base count would give its n. It also
// returns the counts per scale value for the factor's pooled shares.
func (l *layout) itemResult(c int, a *answers, minSize int) (survey.ItemResult, []int) {
	it := l.items[c]
	lo, hi := l.q.Scale.Min, l.q.Scale.Max
	col := a.cols[c]
	ir := survey.ItemResult{ID: it.ID, Reverse: it.Reverse}
	counts := make([]int, hi-lo+1)
	answered := 0
	for _, v := range col {
		if math.IsNaN(v) {
			continue
		}
		raw := int(v)
		if it.Reverse {
			raw = lo + hi - raw
		}
		counts[raw-lo]++
		answered++
	}
	if answered < minSize || answered == 0 {
		ir.Reason = survey.ReasonTooSmall
		return ir, nil
	}
	// A respondent with a don't-know adds nothing to the item, so its
	// figures of two releases differ by the newcomers who answered it: that
	// number must be 0 or reach the minimum too.
	for _, e := range l.earlierItems {
		if before, ok := e[it.ID]; ok && answered != before && answered-before < minSize {
			ir.Reason = survey.ReasonEarlierRelease
			return ir, nil
		}
	}
	l.shownItems = append(l.shownItems, survey.ReleaseItem{ID: it.ID, Answered: answered})
	ir.DontKnow = a.dontKnow[c]
	ir.DontKnowShare = ptr(float64(a.dontKnow[c]) / float64(answered+a.dontKnow[c]))
	if !l.sharesAllowed() {
		ir.Reason = survey.ReasonNotApplicable
		return ir, nil
	}
	ir.Shown = true
	ir.Shares = shares(l.shareCounts(counts))
	return ir, counts
}
