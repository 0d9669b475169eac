package report

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// doc is the report as both renderers see it: every number already chosen
// and formatted, every name cleaned, in display order. Building it once
// keeps the PDF and its HTML twin saying exactly the same thing.
type doc struct {
	Lang string
	L    *labels
	num  numbers

	Title      string
	Org        string
	OrgShort   string
	Diagnostic string
	Facts      []fact
	CoverNote  string

	Bands    survey.Bands
	BandText string // "rood onder 50, oranje van 50 tot 65, groen vanaf 65"

	Index         scoreView
	Profile       []profileRow
	ProfileNote   string
	Priorities    []priorityView
	PriorityHead  string
	PriorityBasis string
	PriorityNone  string
	Conclusion    string
	Factors       []factorView
	Routes        []routeView
	PriorityAdv   []priorityAdvice
	GapAdvice     *gapAdviceView
	Comparisons   []comparisonView
	Units         heatView
	Roles         heatView
	Trend         *comparisonView
	TrendNote     string
	TrendSummary  string
	// Since is the section on the previous wave's actions (since.go).
	Since         *sinceView
	BenchmarkText string
	Method        methodView
	ItemGroups    []itemGroup
	// Brand is the firm's look; nil for the service's own.
	Brand *brandView
}

type fact struct{ Label, Value string }

// scoreView is a score ready to print. Hidden scores carry only Reason.
type scoreView struct {
	Shown        bool
	Mean         float64
	Low, High    float64
	HasCI        bool
	N            int
	Band         survey.Band
	Value        string
	CI           string
	NText        string
	BandWord     string
	BandMeaning  string
	Reason       string
	ReasonMarker string
}

type profileRow struct {
	Name  string
	Index bool
	Score scoreView
}

type priorityView struct {
	Rank     int
	Factor   string
	Name     string
	Score    string
	Band     survey.Band
	BandWord string
	Impact   string
	Basis    survey.PriorityBasis
	Text     string
}

type factorView struct {
	ID          string
	Name        string
	Description string
	Score       scoreView
	HasShares   bool
	Shares      survey.Shares
	SharesText  [3]string // disagree, neutral, agree
	Strongest   *itemView
	Weakest     *itemView
	Alpha       string
	// ReliabilityNote is the alpha and what it means, without a label.
	ReliabilityNote string
	DontKnow        []string
}

type itemView struct {
	ID      string
	Text    string
	Reverse bool
	Shown   bool
	// Favourable is the favourable share in words, for the strongest and
	// weakest item.
	Favourable string
	Disagree   string
	Neutral    string
	Agree      string
	DontKnow   string
}

type routeView struct {
	ID          string
	Heading     string
	Description string
	Score       scoreView
	Diagnosis   string
	Steps       []Step
	HasAdvice   bool
}

type priorityAdvice struct {
	Heading  string
	Summary  string
	Steps    []Step
	WeakLink bool
}

type gapAdviceView struct {
	Diagnosis string
	Steps     []Step
}

// comparisonView is a chart and a table of differences between two groups
// (or two waves) on the index and every factor.
type comparisonView struct {
	ID      string
	Title   string
	Intro   string
	GroupA  string
	GroupB  string
	Axis    string
	Rows    []diffRow
	Caption string
}

type diffRow struct {
	Measure   string
	Index     bool
	Shown     bool
	A, B      string
	Diff      string
	CI        string
	Verdict   string
	Detail    string // "significant, below 5 points" nuance for "possible"
	DiffV     float64
	Low, High float64
	HasCI     bool
	Reason    string
}

type heatView struct {
	Caption  string
	RowHead  string
	Columns  []string
	Rows     []heatRow
	Notes    []string
	HasRows  bool
	MinGroup int
}

type heatRow struct {
	Name   string
	Reason string
	N      string
	Shown  bool
	Marker string
	Other  bool
	Cells  []heatCell
}

type heatCell struct {
	Shown  bool
	Value  string
	V      float64
	Band   survey.Band
	Marker string
	// Word is the band word of a shown cell or the reason of a hidden one,
	// for screen readers (the row and column heads give the rest).
	Word string
}

type methodView struct {
	Paragraphs  []string
	Version     string
	Reliability []reliabilityRow
}

type reliabilityRow struct {
	Factor string
	Items  string
	Alpha  string
	Note   string
}

type itemGroup struct {
	Title string
	Items []itemView
}

// DontKnowNoteFrom is the don't-know share, in whole per cent as printed,
// from which a factor's page names the item.
const DontKnowNoteFrom = 20

// build turns the input into the document model.
func build(in Input) (*doc, error) {
	if in.Result == nil {
		return nil, survey.Errorf(survey.CodeInvalid, "report: no result")
	}
	if in.GeneratedOn.IsZero() {
		return nil, survey.Errorf(survey.CodeInvalid, "report: no generation date (the report never reads the clock)")
	}
	lang := in.Lang
	if lang == "" {
		lang = survey.DefaultLanguage
	}
	if !slices.Contains(Languages(), lang) {
		return nil, survey.Errorf(survey.CodeInvalid, "report: language %q is not one of %s", lang, strings.Join(Languages(), ", "))
	}
	q := &in.Diagnostic.Questionnaire
	res := in.Result
	if q.ID != "" && res.QuestionnaireID != "" && q.ID != res.QuestionnaireID {
		return nil, survey.Errorf(survey.CodeInvalid, "report: result of questionnaire %q, diagnostic uses %q", res.QuestionnaireID, q.ID)
	}
	d := &doc{Lang: lang, L: labelsFor(lang), num: numbersFor(lang), Bands: q.Bands}
	b := &builder{d: d, in: in, q: q, res: res, lang: lang}
	d.Brand = newBrandView(in.Branding)
	b.cover()
	b.summary()
	b.factors()
	b.routes()
	b.comparisons()
	d.Units = b.heat(res.Units, d.L.HeatCaption, d.L.Unit, true)
	d.Roles = b.heat(res.Roles, d.L.RoleCaption, d.L.Role, false)
	b.trend()
	b.since()
	b.method()
	b.items()
	return d, nil
}

type builder struct {
	d    *doc
	in   Input
	q    *survey.Questionnaire
	res  *survey.Result
	lang string
}

func (b *builder) text(t survey.Text) string { return typographic(clean(t.In(b.lang))) }

func (b *builder) factorName(id string) string {
	if id == survey.MeasureIndex {
		return b.d.L.IndexLong
	}
	if f, ok := b.q.Factor(id); ok {
		if s := b.text(f.Name); s != "" {
			return s
		}
	}
	return clean(id)
}

func (b *builder) score(s survey.Score) scoreView {
	l, n := b.d.L, b.d.num
	if !s.Shown || s.Mean == nil {
		r := s.Reason
		if r == "" {
			r = survey.ReasonNotApplicable
		}
		return scoreView{Reason: l.reason(r), ReasonMarker: l.marker(r)}
	}
	v := scoreView{
		Shown:       true,
		Mean:        *s.Mean,
		N:           s.N,
		Band:        s.Band,
		Value:       n.score(*s.Mean),
		NText:       n.count(s.N),
		BandWord:    l.BandWord(s.Band),
		BandMeaning: l.BandMeaning(s.Band),
	}
	if s.CI != nil && !math.IsNaN(s.CI.Low) && !math.IsNaN(s.CI.High) {
		v.HasCI, v.Low, v.High = true, s.CI.Low, s.CI.High
		v.CI = n.interval(*s.CI)
	}
	return v
}

func (b *builder) cover() {
	d, l, n, in := b.d, b.d.L, b.d.num, b.in
	d.Title = l.Title
	d.Org = name(in.Organisation.Name, maxTitleRunes)
	d.OrgShort = name(in.Organisation.Name, maxFooterRunes)
	d.Diagnostic = name(in.Diagnostic.Name, maxTitleRunes)
	d.Facts = append(d.Facts, fact{l.Organisation, d.Org})
	if in.Organisation.Sector != "" {
		d.Facts = append(d.Facts, fact{l.Sector, sectorName(b.lang, in.Organisation.Sector, false)})
	}
	if d.Diagnostic != "" {
		d.Facts = append(d.Facts, fact{l.Diagnostic, d.Diagnostic})
	}
	if p := b.period(); p != "" {
		d.Facts = append(d.Facts, fact{l.Period, p})
	}
	// All responses, and how many of them are in the analysis base that
	// every figure rests on (docs/methodology.md §11.3).
	resp := n.count(max(b.res.Responses, b.res.N))
	if b.res.Responses > b.res.N {
		if b.lang == "en" {
			resp += " (" + n.count(b.res.N) + " complete enough to count)"
		} else {
			resp += " (" + n.count(b.res.N) + " volledig genoeg om mee te tellen)"
		}
	}
	d.Facts = append(d.Facts, fact{l.Respondents, resp})
	if r := b.responseRate(); r != "" {
		d.Facts = append(d.Facts, fact{l.ResponseRate, r})
	}
	d.Facts = append(d.Facts, fact{l.Questionnaire, b.questionnaireName()})
	d.Facts = append(d.Facts, fact{l.ReportDate, n.date(in.GeneratedOn)})
	if a := name(in.Author, maxAuthorRunes); a != "" {
		d.Facts = append(d.Facts, fact{l.Author, a})
	}
	d.CoverNote = sprintf(l.CoverNote, b.res.MinGroupSize)
	amber, green := n.fixed(d.Bands.Amber, 0), n.fixed(d.Bands.Green, 0)
	d.BandText = sprintf(l.MethodBands, amber, amber, green, green)
}

func (b *builder) questionnaireName() string {
	title := b.text(b.q.Title)
	if title == "" {
		title = clean(b.res.QuestionnaireID)
	}
	version := clean(b.res.QuestionnaireVersion)
	if version == "" {
		version = clean(b.q.Version)
	}
	if b.lang == "en" {
		return title + ", version " + version
	}
	return title + ", versie " + version
}

func (b *builder) period() string {
	in, n := b.in, b.d.num
	loc := func(t time.Time) time.Time {
		if in.Location != nil {
			return t.In(in.Location)
		}
		return t
	}
	opens, closes := in.Diagnostic.OpensAt, in.Diagnostic.ClosesAt
	// Opened or closed by hand without dates: the days it really ran.
	if opens == nil {
		opens = in.Diagnostic.OpenedAt
	}
	if closes == nil && in.Diagnostic.State == survey.StateClosed {
		closes = in.Diagnostic.ClosedAt
	}
	switch {
	case opens != nil && closes != nil:
		return n.date(loc(*opens)) + " – " + n.date(loc(*closes))
	case opens != nil:
		if b.lang == "en" {
			return "from " + n.date(loc(*opens))
		}
		return "vanaf " + n.date(loc(*opens))
	case closes != nil:
		if b.lang == "en" {
			return "until " + n.date(loc(*closes))
		}
		return "tot " + n.date(loc(*closes))
	}
	return ""
}

// responseRate is N over the headcount: the sum of the units' headcounts
// when every unit has one (a partial sum would inflate the rate), else the
// organisation's headcount; empty when neither is known.
func (b *builder) responseRate() string {
	n := b.d.num
	headcount := survey.InvitedHeadcount(b.in.Diagnostic.Units, b.in.Organisation.Headcount)
	if headcount <= 0 {
		return ""
	}
	N := max(b.res.Responses, b.res.N)
	of := " van "
	staff := " medewerkers"
	if b.lang == "en" {
		of, staff = " of ", " staff"
	}
	if N > headcount {
		// A headcount below the number of respondents is out of date;
		// a rate above 100 % would only confuse.
		return n.count(N) + of + n.count(headcount) + staff
	}
	return n.percent(float64(N)/float64(headcount)) + " (" + n.count(N) + of + n.count(headcount) + staff + ")"
}

func (b *builder) summary() {
	d, l, n, res := b.d, b.d.L, b.d.num, b.res
	d.Index = b.score(res.Index)
	d.Profile = append(d.Profile, profileRow{Name: l.IndexLong, Index: true, Score: d.Index})
	for _, f := range res.Factors {
		d.Profile = append(d.Profile, profileRow{Name: b.factorName(f.ID), Score: b.score(f.Score)})
	}
	amber, green := n.fixed(d.Bands.Amber, 0), n.fixed(d.Bands.Green, 0)
	d.ProfileNote = sprintf(l.ProfileCaption, amber, amber, green, green)
	for _, p := range res.Priorities {
		pv := priorityView{Rank: p.Rank, Factor: p.Factor, Name: b.factorName(p.Factor), Score: n.score(p.Score)}
		if fr, ok := factorResult(res, p.Factor); ok {
			pv.Band = fr.Score.Band
			pv.BandWord = l.BandWord(fr.Score.Band)
		}
		if p.Impact != nil {
			pv.Impact = n.fixed(*p.Impact, 2)
		}
		pv.Basis = p.Basis
		pv.Text = b.priorityText(pv, p)
		d.Priorities = append(d.Priorities, pv)
	}
	d.PriorityHead = l.Priorities
	if len(d.Priorities) != scoring.PriorityCount {
		d.PriorityHead = l.PrioritiesFew
	}
	d.PriorityBasis = b.priorityBasis()
	if len(d.Priorities) == 0 {
		d.PriorityNone = l.PrioritiesNone
		for _, f := range res.Factors {
			if f.Score.Shown {
				d.PriorityNone = l.PrioritiesAllGreen
			}
		}
	}
	d.Conclusion = b.conclusion()
}

// priorityBasis is the sentence above the priorities that says on which
// ground they were chosen (methodology section 15).
func (b *builder) priorityBasis() string {
	l := b.d.L
	impact, score := 0, 0
	for _, p := range b.res.Priorities {
		if p.Basis == survey.BasisImpact {
			impact++
		} else {
			score++
		}
	}
	switch {
	case impact > 0 && score == 0:
		return l.BasisAllImpact
	case impact == 0 && score > 0:
		return l.BasisAllScore
	case impact > 0:
		return l.BasisMixed
	}
	return ""
}

// priorityText gives a priority's score, colour, the ground it was chosen
// on and its link with the outcome in the words of section 15.
func (b *builder) priorityText(p priorityView, pr survey.Priority) string {
	l := b.d.L
	band := ""
	if p.BandWord != "" {
		band = ", " + p.BandWord
	}
	why := l.ForScore + ", "
	if pr.Basis == survey.BasisImpact {
		why = ""
	}
	strength := pr.Strength
	if pr.Impact == nil {
		strength = survey.LinkUnknown
	}
	negative := pr.Impact != nil && scoring.Round(*pr.Impact, scoring.CorrelationDecimals) < 0
	link := strength.Label(negative).In(b.lang)
	if strength != survey.LinkUnknown {
		link += l.WithResults
	}
	if p.Impact != "" {
		link += " (r = " + p.Impact + ")"
	}
	return "score " + p.Score + band + "; " + why + link
}

// conclusion is the paragraph on the gap between policy and execution
// (methodology section 15): the index's verdict in the engine's words,
// always said to be about the index as a whole, followed by every factor
// with a clear difference, so that "no demonstrable difference" on the
// index never reads as "none anywhere".
func (b *builder) conclusion() string {
	l, n := b.d.L, b.d.num
	cmp, ok := comparison(b.res, survey.ComparisonPolicyExecution)
	var diff *survey.Difference
	if ok {
		for i := range cmp.Differences {
			if cmp.Differences[i].Measure == survey.MeasureIndex {
				diff = &cmp.Differences[i]
			}
		}
	}
	policy, execution := strings.ToLower(b.roleName(survey.RolePolicy)), strings.ToLower(b.roleName(survey.RoleExecution))
	var out string
	switch {
	case diff == nil || !diff.Shown || diff.Diff == nil || diff.MeanA == nil || diff.MeanB == nil:
		out = l.GapHidden
	case diff.Verdict == survey.VerdictNone:
		out = sprintf(l.GapIndexNone, diff.Verdict.Label().In(b.lang), policy, execution, policy, n.score(*diff.MeanA), execution, n.score(*diff.MeanB))
	default:
		words := diff.Verdict.Label().In(b.lang)
		words = strings.ToUpper(words[:1]) + words[1:]
		detail := ""
		if diff.Verdict == survey.VerdictPossible {
			detail = " (" + b.possibleDetail(*diff) + ")"
		}
		high, low, a, bb := policy, execution, n.score(*diff.MeanA), n.score(*diff.MeanB)
		if *diff.Diff < 0 {
			high, low, a, bb = execution, policy, bb, a
		}
		out = sprintf(l.GapIndexDiff, words, detail, high, low, a, bb, n.fixed(math.Abs(*diff.Diff), 1))
	}
	if ok {
		var items []string
		for _, fd := range scoring.ClearGaps(cmp) {
			high := policy
			if *fd.Diff < 0 {
				high = execution
			}
			items = append(items, sprintf(l.GapFactorItem, b.factorName(fd.Measure), high, n.fixed(math.Abs(*fd.Diff), 1)))
		}
		if len(items) > 0 {
			list := strings.Join(items[:len(items)-1], ", ")
			if list != "" {
				list += l.And
			}
			list += items[len(items)-1]
			out += " " + sprintf(l.GapFactors, policy, execution, list)
		}
	}
	return out
}

func (b *builder) roleName(id string) string {
	for _, bq := range b.q.Background {
		if bq.ID != survey.BackgroundRole {
			continue
		}
		for _, o := range bq.Options {
			if o.ID == id {
				if s := b.text(o.Label); s != "" {
					return s
				}
			}
		}
	}
	switch id {
	case survey.GroupRest:
		return b.d.L.Rest
	case survey.GroupNotStated:
		return b.d.L.NotStated
	}
	return clean(id)
}

func (b *builder) item(it survey.Item, ir survey.ItemResult) itemView {
	n := b.d.num
	v := itemView{ID: it.ID, Text: b.text(it.Text), Reverse: it.Reverse || ir.Reverse, Shown: ir.Shown}
	if v.Text == "" {
		v.Text = clean(it.ID)
	}
	if ir.DontKnowShare != nil {
		v.DontKnow = n.percent(*ir.DontKnowShare)
	}
	if !ir.Shown || ir.Shares == nil {
		v.Favourable = b.d.L.NotShownItem
		return v
	}
	// Items carry shares only (docs/methodology.md §11): the strongest and
	// weakest item are named with their favourable share.
	fav := ir.Shares.Agree
	if ir.Reverse {
		fav = ir.Shares.Disagree
	}
	v.Favourable = n.percent(fav) + " " + strings.ToLower(b.d.L.Agree)
	v.Disagree, v.Neutral, v.Agree = n.percent(ir.Shares.Disagree), n.percent(ir.Shares.Neutral), n.percent(ir.Shares.Agree)
	return v
}

func (b *builder) factors() {
	d, n := b.d, b.d.num
	for _, fr := range b.res.Factors {
		f, ok := b.q.Factor(fr.ID)
		fv := factorView{ID: fr.ID, Name: b.factorName(fr.ID), Score: b.score(fr.Score)}
		if ok {
			fv.Description = b.text(f.Description)
		}
		if fr.Shares != nil {
			fv.HasShares, fv.Shares = true, *fr.Shares
			fv.SharesText = [3]string{n.percent(fr.Shares.Disagree), n.percent(fr.Shares.Neutral), n.percent(fr.Shares.Agree)}
		}
		items := map[string]survey.Item{}
		if ok {
			for _, it := range f.Items {
				items[it.ID] = it
			}
		}
		for _, ir := range fr.Items {
			it, known := items[ir.ID]
			if !known {
				it = survey.Item{ID: ir.ID, Reverse: ir.Reverse}
			}
			iv := b.item(it, ir)
			switch ir.ID {
			case fr.StrongestItem:
				fv.Strongest = &iv
			case fr.WeakestItem:
				fv.Weakest = &iv
			}
			if ir.DontKnowShare != nil && scoring.Round(100**ir.DontKnowShare, 0) >= DontKnowNoteFrom {
				if b.lang == "en" {
					fv.DontKnow = append(fv.DontKnow, sprintf("%s of those who answered “%s” chose ‘don’t know’.", iv.DontKnow, iv.Text))
				} else {
					fv.DontKnow = append(fv.DontKnow, sprintf("Bij „%s” koos %s ‘weet ik niet’.", iv.Text, iv.DontKnow))
				}
			}
		}
		var word string
		fv.Alpha, word = b.alpha(fr)
		switch {
		case fv.Alpha == "–":
			fv.ReliabilityNote = capitalise(word) + "."
		case scoring.ReadAlpha(fr.Reliability.Alpha) == scoring.AlphaSufficient:
			fv.ReliabilityNote = "α = " + fv.Alpha + " (" + word + ")."
		default:
			fv.ReliabilityNote = "α = " + fv.Alpha + ", " + word + "."
		}
		d.Factors = append(d.Factors, fv)
	}
}

func (b *builder) routes() {
	d, l := b.d, b.d.L
	sel := SelectAdvice(b.res, b.q, b.in.Advice, b.lang)
	advice := map[string]RouteAdvice{}
	for _, ra := range sel.Routes {
		advice[ra.Route] = ra
	}
	for _, route := range b.q.Routes {
		rr, ok := routeResult(b.res, route.ID)
		if !ok {
			continue
		}
		rv := routeView{
			ID:          route.ID,
			Heading:     "Route " + itoa(route.Number) + " – " + b.text(route.Name),
			Description: b.text(route.Description),
			Score:       b.score(rr.Score),
		}
		if a, ok := advice[route.ID]; ok {
			rv.HasAdvice = true
			rv.Diagnosis = typographic(a.Diagnosis)
			rv.Steps = typoSteps(a.Steps)
		}
		d.Routes = append(d.Routes, rv)
	}
	for _, fa := range sel.Factors {
		heading := itoa(fa.Rank) + ". " + b.factorName(fa.Factor) + " (" + b.d.num.score(fa.Score)
		if w := l.BandWord(fa.Band); w != "" {
			heading += ", " + w
		}
		heading += ")"
		d.PriorityAdv = append(d.PriorityAdv, priorityAdvice{
			Heading:  heading,
			Summary:  typographic(fa.Summary),
			Steps:    typoSteps(fa.Steps),
			WeakLink: fa.WeakLink,
		})
	}
	if sel.Gap != nil {
		d.GapAdvice = &gapAdviceView{Diagnosis: typographic(sel.Gap.Diagnosis), Steps: typoSteps(sel.Gap.Steps)}
	}
}

func typoSteps(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = Step{Text: typographic(s.Text), Owner: typographic(s.Owner), Horizon: typographic(s.Horizon)}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func (b *builder) measures() []string {
	ms := []string{survey.MeasureIndex}
	for _, f := range b.res.Factors {
		ms = append(ms, f.ID)
	}
	return ms
}

func (b *builder) diffRows(diffs []survey.Difference) []diffRow {
	l, n := b.d.L, b.d.num
	byMeasure := map[string]survey.Difference{}
	for _, df := range diffs {
		byMeasure[df.Measure] = df
	}
	var rows []diffRow
	for _, m := range b.measures() {
		df, ok := byMeasure[m]
		row := diffRow{Measure: b.factorName(m), Index: m == survey.MeasureIndex}
		if !ok || !df.Shown || df.Diff == nil || df.MeanA == nil || df.MeanB == nil {
			reason := survey.ReasonNotApplicable
			if ok && df.Reason != "" {
				reason = df.Reason
			}
			row.Reason = l.reason(reason)
			row.Verdict = l.GapNotShown
			rows = append(rows, row)
			continue
		}
		row.Shown = true
		row.A, row.B = n.score(*df.MeanA), n.score(*df.MeanB)
		row.DiffV = *df.Diff
		row.Diff = n.signed(*df.Diff)
		if df.CI != nil {
			row.HasCI, row.Low, row.High = true, df.CI.Low, df.CI.High
			row.CI = n.interval(*df.CI)
		}
		row.Verdict = df.Verdict.Label().In(b.lang)
		if df.Verdict == survey.VerdictPossible {
			row.Detail = b.possibleDetail(df)
		}
		rows = append(rows, row)
	}
	return rows
}

// possibleDetail says which of the three situations a "possible" verdict
// is, from the engine's flags and nothing else (methodology section 15).
func (b *builder) possibleDetail(df survey.Difference) string {
	l := b.d.L
	switch {
	case df.Significant && df.Substantial:
		return l.PossibleBoth
	case df.Significant:
		return l.PossibleSig
	default:
		return l.PossibleSubst
	}
}

func (b *builder) comparisons() {
	d, l := b.d, b.d.L
	for _, c := range b.res.Gaps {
		a, bb := b.roleName(c.GroupA), b.roleName(c.GroupB)
		cv := comparisonView{
			ID:     c.ID,
			GroupA: a,
			GroupB: bb,
			Axis:   sprintf(l.GapAxis, strings.ToLower(a), strings.ToLower(bb)),
			Rows:   b.diffRows(c.Differences),
		}
		switch c.ID {
		case survey.ComparisonPolicyExecution:
			cv.Title = a + " – " + bb
			if b.lang == "en" {
				cv.Title = a + " compared with " + strings.ToLower(bb)
			} else {
				cv.Title = a + " tegenover " + strings.ToLower(bb)
			}
			cv.Intro = sprintf(l.GapIntro, strings.ToLower(a), strings.ToLower(bb))
		case survey.ComparisonManagementRest:
			cv.Title = l.ManagementCmp
		default:
			cv.Title = a + " – " + bb
		}
		cv.Caption = cv.Title
		d.Comparisons = append(d.Comparisons, cv)
	}
}

func (b *builder) groupName(dim string, g survey.Group) string {
	if g.NotStated || g.ID == survey.GroupNotStated {
		return b.d.L.NotStated
	}
	if dim == survey.DimensionUnit {
		if u, ok := b.in.Diagnostic.Unit(g.ID); ok && strings.TrimSpace(u.Name) != "" {
			return name(u.Name, maxUnitRunes)
		}
		return name(g.ID, maxUnitRunes)
	}
	return b.roleName(g.ID)
}

func (b *builder) heat(br survey.Breakdown, caption, rowHead string, units bool) heatView {
	d, l := b.d, b.d.L
	hv := heatView{Caption: caption, RowHead: rowHead, MinGroup: b.res.MinGroupSize}
	measures := b.measures()
	for _, m := range measures {
		if m == survey.MeasureIndex {
			hv.Columns = append(hv.Columns, l.Index)
			continue
		}
		short := b.in.Advice.ShortName(m, b.lang)
		if short == "" {
			short = b.factorName(m)
		}
		hv.Columns = append(hv.Columns, short)
	}
	used := map[string]bool{}
	row := func(g survey.Group, other bool) heatRow {
		r := heatRow{Shown: g.Shown, Other: other}
		switch {
		case other && units:
			r.Name = l.OtherGroups
		case other:
			r.Name = l.OtherRoles
		default:
			r.Name = b.groupName(br.Dimension, g)
		}
		if !g.Shown {
			reason := g.Reason
			if reason == "" {
				reason = survey.ReasonNotApplicable
			}
			r.Marker = l.marker(reason)
			r.Reason = l.reason(reason)
			used[r.Marker] = true
			r.N = "–"
			return r
		}
		r.N = d.num.count(g.N)
		cells := map[string]survey.Cell{}
		for _, c := range g.Cells {
			cells[c.Measure] = c
		}
		for _, m := range measures {
			c, ok := cells[m]
			sv := b.score(c.Score)
			hc := heatCell{Shown: ok && sv.Shown}
			if hc.Shown {
				hc.Value, hc.V, hc.Band = sv.Value, sv.Mean, sv.Band
				hc.Word = sv.BandWord
			} else {
				reason := c.Reason
				if !ok || reason == "" {
					reason = survey.ReasonNotApplicable
				}
				hc.Marker = l.marker(reason)
				used[hc.Marker] = true
				hc.Word = l.reason(reason)
			}
			r.Cells = append(r.Cells, hc)
		}
		return r
	}
	for _, g := range br.Groups {
		hv.Rows = append(hv.Rows, row(g, false))
	}
	if br.Other != nil {
		hv.Rows = append(hv.Rows, row(*br.Other, true))
	}
	hv.HasRows = len(hv.Rows) > 0
	notes := []struct {
		marker string
		text   string
	}{
		{"a", sprintf(l.TooFew, b.res.MinGroupSize)},
		{"b", l.reason(survey.ReasonComplementary)},
		{"c", l.reason(survey.ReasonNotApplicable)},
	}
	for _, nt := range notes {
		if used[nt.marker] {
			hv.Notes = append(hv.Notes, "("+nt.marker+") "+nt.text)
		}
	}
	return hv
}

func (b *builder) trend() {
	d, l, n := b.d, b.d.L, b.d.num
	if t := b.res.Trend; t != nil {
		cv := &comparisonView{
			ID:      "trend",
			Title:   l.TrendCaption,
			Intro:   sprintf(l.TrendIntro, n.count(t.PreviousN)),
			GroupA:  l.Now,
			GroupB:  l.Previous,
			Axis:    l.TrendAxis,
			Rows:    b.diffRows(t.Changes),
			Caption: l.TrendCaption,
		}
		d.Trend = cv
		if len(cv.Rows) > 0 && cv.Rows[0].Index && cv.Rows[0].Shown {
			d.TrendSummary = sprintf(l.TrendSummary, cv.Rows[0].Diff, cv.Rows[0].Verdict)
		}
	} else {
		d.TrendNote = l.NoTrend
	}
	bm := b.in.Benchmark
	switch {
	case !d.Index.Shown:
		d.BenchmarkText = l.BenchmarkNoScore
	case bm == nil || !bm.Available || l.BenchmarkPositions[bm.Position] == "":
		d.BenchmarkText = l.NoBenchmark
	default:
		d.BenchmarkText = sprintf(l.BenchmarkText, d.Index.Value, l.BenchmarkPositions[bm.Position],
			sectorName(b.lang, b.in.Organisation.Sector, true))
	}
}

func (b *builder) method() {
	d, l, n, res := b.d, b.d.L, b.d.num, b.res
	m := &d.Method
	impact := sprintf(l.MethodImpact, n.count(res.Impact.N))
	if res.Impact.Pooled {
		impact += l.MethodImpactPool
	}
	m.Paragraphs = []string{
		l.MethodScores,
		l.MethodIntervals,
		d.BandText,
		l.MethodDontKnow,
		impact,
		sprintf(l.MethodAnonymity, res.MinGroupSize),
		l.MethodSuppression,
		l.MethodVerdicts,
	}
	m.Version = sprintf(l.MethodVersion, clean(res.QuestionnaireID), clean(res.QuestionnaireVersion), res.MinGroupSize)
	for _, fr := range res.Factors {
		row := reliabilityRow{Factor: b.factorName(fr.ID), Items: n.count(len(fr.Items))}
		row.Alpha, row.Note = b.alpha(fr)
		if fr.Score.Shown && len(fr.Reliability.DroppedItems) > 0 {
			row.Note += "; " + sprintf(l.Dropped, clean(strings.Join(fr.Reliability.DroppedItems, ", ")))
		}
		m.Reliability = append(m.Reliability, row)
	}
}

// alpha is a factor's alpha as printed and its words (methodology section
// 15): nothing for a factor whose score is hidden, and the words of the
// value as displayed, so that "0,70" is never "below 0.70".
func (b *builder) alpha(fr survey.FactorResult) (value, word string) {
	l := b.d.L
	if !fr.Score.Shown {
		return "–", l.AlphaHidden
	}
	switch scoring.ReadAlpha(fr.Reliability.Alpha) {
	case scoring.AlphaUndefined:
		return "–", l.AlphaUndefined
	case scoring.AlphaSufficient:
		return b.d.num.fixed(*fr.Reliability.Alpha, 2), l.AlphaOK
	case scoring.AlphaImpossible:
		return b.d.num.fixed(*fr.Reliability.Alpha, 2), l.AlphaImpossible
	default:
		return b.d.num.fixed(*fr.Reliability.Alpha, 2), l.AlphaCare
	}
}

func (b *builder) items() {
	d := b.d
	for _, fr := range b.res.Factors {
		f, ok := b.q.Factor(fr.ID)
		g := itemGroup{Title: b.factorName(fr.ID)}
		for _, ir := range fr.Items {
			it := survey.Item{ID: ir.ID, Reverse: ir.Reverse}
			if ok {
				for _, x := range f.Items {
					if x.ID == ir.ID {
						it = x
					}
				}
			}
			g.Items = append(g.Items, b.item(it, ir))
		}
		d.ItemGroups = append(d.ItemGroups, g)
	}
	if len(b.res.OutcomeItems) > 0 {
		g := itemGroup{Title: d.L.Outcomes}
		for _, ir := range b.res.OutcomeItems {
			it := survey.Item{ID: ir.ID}
			for _, x := range b.q.Outcomes {
				if x.ID == ir.ID {
					it = x
				}
			}
			g.Items = append(g.Items, b.item(it, ir))
		}
		d.ItemGroups = append(d.ItemGroups, g)
	}
}
