package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const (
	// poolLimit bounds the responses of other diagnostics that are pooled
	// into the impact estimate of a small diagnostic: a few thousand give a
	// correlation to two decimals, and loading more would only cost memory.
	poolLimit = 5000
	// maxPreviousWaves bounds how many earlier waves are scored to
	// reproduce what the previous wave showed. Each wave is suppressed with
	// its own previous wave in mind; beyond this depth the oldest wave is
	// scored on its own.
	maxPreviousWaves = 10
	// actionPreview is the audit action of a recorded preview.
	actionPreview = "preview"
)

// waveStatus says what became of the previous wave, for the trend section.
type waveStatus string

const (
	// waveNone: a first measurement.
	waveNone waveStatus = ""
	// waveUsed: the trend is computed.
	waveUsed waveStatus = "used"
	// waveNotAvailable: the previous wave is not closed or had too few
	// responses, so its results were never shown.
	waveNotAvailable waveStatus = "not_available"
	// waveQuestionnaire: the previous wave used another questionnaire.
	waveQuestionnaire waveStatus = "questionnaire"
	// waveMissing: the previous wave is gone.
	waveMissing waveStatus = "missing"
)

// results is everything known about the results of one diagnostic at one
// moment. Responses, Result and Benchmark are set only when Availability
// says the results may be shown.
type results struct {
	Diagnostic *survey.Diagnostic
	State      survey.State
	// Count is the number of responses; PreviewedAt the number at the last
	// recorded preview (0 if none).
	Count       int
	PreviewedAt int
	// Availability is what may be shown now, without a new preview.
	Availability survey.Availability
	// NewPreview is what a new preview would give now.
	NewPreview survey.Availability

	// Responses are the responses with only their open answers, loaded for
	// the results page (openAnswersOf); the result is computed from a
	// compact table of the answers instead.
	Responses []survey.Response
	// Releases are the diagnostic's recorded releases, oldest first,
	// including the one Result comes from.
	Releases  []survey.Release
	Result    *survey.Result
	Benchmark survey.BenchmarkResult
	// Previous is the previous wave and what became of it.
	Previous       *survey.Diagnostic
	PreviousStatus waveStatus
}

// PreviewPossible reports whether the consultant may ask for a preview now
// that shows something new.
func (r *results) PreviewPossible() bool {
	return r.NewPreview.Available && r.NewPreview.Preview && !(r.Availability.Preview && r.Count == r.PreviewedAt)
}

// availabilityNow is what may be shown on a GET: a closed diagnostic's
// results, or the preview that was recorded last, as long as no response
// has come in since. A GET never records a preview.
func availabilityNow(d *survey.Diagnostic, state survey.State, count, previewedAt int) survey.Availability {
	return scoring.ResultsAvailable(scoring.AvailabilityInput{
		State: state, Responses: count, MinGroupSize: d.MinGroupSize,
		Preview:     state == survey.StateOpen && previewedAt > 0 && count == previewedAt,
		PreviewedAt: previewedAt,
	})
}

// loadResults decides availability and, when the results may be shown,
// scores the diagnostic with everything the method asks for: the pooled
// responses for impact, the chain of previous waves for the trend and the
// suppression, and the benchmark. Scoring a closed diagnostic keeps its
// summary for other organisations' benchmarks.
func (s *Server) loadResults(ctx context.Context, d *survey.Diagnostic) (*results, error) {
	now := s.now()
	r := &results{Diagnostic: d, State: d.EffectiveState(now)}
	var err error
	if r.Count, err = s.store.CountResponses(ctx, d.ID); err != nil {
		return nil, err
	}
	if r.PreviewedAt, err = s.store.PreviewedAt(ctx, d.ID); err != nil {
		return nil, err
	}
	r.Availability = availabilityNow(d, r.State, r.Count, r.PreviewedAt)
	r.NewPreview = scoring.ResultsAvailable(scoring.AvailabilityInput{
		State: r.State, Responses: r.Count, MinGroupSize: d.MinGroupSize, Preview: true, PreviewedAt: r.PreviewedAt,
	})
	if !r.Availability.Available {
		return r, nil
	}
	kind := survey.ReleaseFinal
	if r.Availability.Preview {
		kind = survey.ReleasePreview
	}
	// A GET records the final results, and a preview only when none was
	// recorded as a release yet (one recorded before releases existed).
	if err := s.release(ctx, d, r, kind, kind == survey.ReleaseFinal || r.PreviewedAt > 0); err != nil {
		return nil, err
	}
	if r.Result == nil {
		return r, nil
	}
	if !r.Availability.Preview {
		s.keepSummary(ctx, d, r.Result)
	}
	if r.Result.Index.Shown {
		peers, err := s.store.BenchmarkPeers(ctx, d.Organisation.FirmID, d.Questionnaire.ID, d.Questionnaire.Version, d.Organisation.Sector, now)
		if err != nil {
			return nil, err
		}
		r.Benchmark = scoring.Benchmark(*r.Result.Index.Mean, d.Organisation.FirmID, peers)
	}
	return r, nil
}

// maxReleaseAttempts bounds the retries when another request recorded a
// release between loading the releases and recording a new one.
const maxReleaseAttempts = 3

// release sets r.Result to what may leave the service now, as a release of
// the given kind: every figure that leaves the service is a release, and
// each release takes every earlier one into account (docs/methodology.md
// §11). When the last release already shows the current responses it is
// served again as recorded. Otherwise the results are computed with the
// earlier releases, which gives either new figures or, when the base grew
// by fewer than the minimum group size, the last release's figures with
// the number held back; either is recorded as the next release.
func (s *Server) release(ctx context.Context, d *survey.Diagnostic, r *results, kind survey.ReleaseKind, record bool) error {
	rels, err := s.store.Releases(ctx, d.ID)
	if err != nil {
		return err
	}
	if last := lastRelease(rels); servesAgain(last, r.Count, kind) {
		// The warm path: no response is loaded and nothing is scored.
		r.Releases, r.Result = rels, last.Result
		if r.Previous, r.PreviousStatus, _, err = s.previousChain(ctx, d); err != nil {
			return err
		}
		if r.PreviousStatus == waveUsed && r.Result.Trend == nil {
			r.PreviousStatus = waveNotAvailable
		}
		return nil
	} else if !record && last != nil {
		// A GET of an open diagnostic shows only a recorded preview.
		r.Releases = rels
		r.Availability = survey.Availability{Reason: survey.AvailabilityNotClosed}
		return nil
	}
	// Everything below depends on the diagnostic and on what this request
	// found: requests that found the same share one computation.
	key := fmt.Sprintf("%s|%s|%s|%t|%d|%d", d.ID, r.State, kind, record, r.Count, r.PreviewedAt)
	v, err := s.compute.do(ctx, key, func(ctx context.Context) (any, error) {
		out := *r
		err := s.computeRelease(ctx, d, &out, kind, record)
		return &out, err
	})
	if err != nil {
		return err
	}
	diag := r.Diagnostic
	*r = *v.(*results)
	r.Diagnostic = diag
	return nil
}

func lastRelease(rels []survey.Release) *survey.Release {
	if len(rels) == 0 {
		return nil
	}
	return &rels[len(rels)-1]
}

// servesAgain reports whether the last release already shows count
// responses and may be served as it was released: a release of the kind
// asked for, or any release for a preview (also the results released
// before a reopen).
func servesAgain(last *survey.Release, count int, kind survey.ReleaseKind) bool {
	return last != nil && last.Responses == count && (last.Kind == kind || kind == survey.ReleasePreview)
}

// responseTable loads d's submitted responses in the compact form
// scoring.Compute takes, with the columns its questionnaire needs.
func (s *Server) responseTable(ctx context.Context, d *survey.Diagnostic) (*survey.AnswerTable, error) {
	items, background := scoring.TableColumns(&d.Questionnaire)
	return s.store.ResponseTable(ctx, d.ID, items, background)
}

// computeRelease is the cold path of release: it loads the responses and
// the previous waves, scores them with the earlier releases and records the
// result as the next release.
func (s *Server) computeRelease(ctx context.Context, d *survey.Diagnostic, r *results, kind survey.ReleaseKind, record bool) error {
	tab, err := s.responseTable(ctx, d)
	if err != nil {
		return err
	}
	if n := tab.Len(); n != r.Count {
		// Responses came in between counting and loading: a preview is
		// valid only at the count it was recorded at.
		r.Count = n
		r.Availability = availabilityNow(d, r.State, r.Count, r.PreviewedAt)
		if !r.Availability.Available && !record {
			return nil
		}
	}
	var previous *survey.Result
	r.Previous, r.PreviousStatus, previous, err = s.previousWave(ctx, d)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		rels, err := s.store.Releases(ctx, d.ID)
		if err != nil {
			return err
		}
		r.Releases = rels
		last := lastRelease(rels)
		after := 0
		if last != nil {
			after = last.Seq
		}
		if servesAgain(last, r.Count, kind) {
			r.Result = last.Result
			return nil
		}
		if !record && last != nil {
			r.Availability = survey.Availability{Reason: survey.AvailabilityNotClosed}
			return nil
		}
		in := scoring.Input{Questionnaire: &d.Questionnaire, Table: tab, MinGroupSize: d.MinGroupSize, Units: d.Units, Earlier: rels, Previous: previous}
		if tab.Len() < scoring.PoolingThreshold {
			in.Pooled, err = s.store.PooledResponses(ctx, d.ID, d.Questionnaire.ID, d.Questionnaire.Version, s.now(), poolLimit)
			if err != nil {
				return err
			}
		}
		res, err := scoring.Compute(in)
		if survey.ErrorCode(err) == survey.CodeConflict {
			// Too few respondents complete enough to score.
			r.Availability = survey.Availability{Reason: survey.AvailabilityTooFewResponses}
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.store.RecordRelease(ctx, d.ID, after, scoring.ReleaseOf(kind, res))
		if survey.ErrorCode(err) == survey.CodeConflict && attempt < maxReleaseAttempts {
			continue
		}
		if err != nil {
			return err
		}
		r.Result = res
		return nil
	}
}

// keepSummary stores the index of a closed diagnostic for the benchmark. A
// failure does not fail the page: the benchmark of others misses one value
// until the results are shown again.
func (s *Server) keepSummary(ctx context.Context, d *survey.Diagnostic, res *survey.Result) {
	if err := s.store.SaveResultSummary(ctx, d.ID, res.Index.Mean, res.N); err != nil {
		s.logger.Warn("result summary not stored", "diagnostic", d.ID, "error", err.Error())
	}
}

// previousChain returns the previous wave of d and what became of it, as
// far as the chain of waves tells without scoring them: waveUsed then means
// that the previous wave's result is to be scored (or taken from its
// releases), newest first in chain.
func (s *Server) previousChain(ctx context.Context, d *survey.Diagnostic) (*survey.Diagnostic, waveStatus, []*survey.Diagnostic, error) {
	if d.PreviousID == "" {
		return nil, waveNone, nil, nil
	}
	var chain []*survey.Diagnostic // newest first
	seen := map[string]bool{d.ID: true}
	for cur := d; cur.PreviousID != "" && !seen[cur.PreviousID] && len(chain) < maxPreviousWaves; {
		p, err := s.store.DiagnosticForFirm(ctx, d.Organisation.FirmID, cur.PreviousID)
		if survey.ErrorCode(err) == survey.CodeNotFound {
			break
		}
		if err != nil {
			return nil, "", nil, err
		}
		if p.OrganisationID != d.OrganisationID {
			break
		}
		seen[p.ID] = true
		chain = append(chain, p)
		cur = p
	}
	if len(chain) == 0 {
		return nil, waveMissing, nil, nil
	}
	if chain[0].Questionnaire.ID != d.Questionnaire.ID {
		return chain[0], waveQuestionnaire, nil, nil
	}
	return chain[0], waveUsed, chain, nil
}

// previousWave returns the previous wave of d, what became of it and, when
// it can be used, its result as it was shown: each earlier wave of the chain
// is scored with its own previous wave, oldest first, because the
// suppression of a wave depends on what its previous wave showed.
func (s *Server) previousWave(ctx context.Context, d *survey.Diagnostic) (*survey.Diagnostic, waveStatus, *survey.Result, error) {
	head, status, chain, err := s.previousChain(ctx, d)
	if err != nil || status != waveUsed {
		return head, status, nil, err
	}
	now := s.now()
	var prev *survey.Result
	var prevUnits []survey.Unit
	for i := len(chain) - 1; i >= 0; i-- {
		w := chain[i]
		res, err := s.scoreWave(ctx, w, now, remapUnits(prev, prevUnits, w.Units))
		if err != nil {
			return nil, "", nil, err
		}
		prev, prevUnits = res, w.Units
	}
	if prev == nil {
		return chain[0], waveNotAvailable, nil, nil
	}
	return chain[0], waveUsed, remapUnits(prev, prevUnits, d.Units), nil
}

// scoreWave scores an earlier wave when its results are available (closed,
// enough responses), or returns nil. The impact is not needed for a trend,
// so nothing is pooled.
func (s *Server) scoreWave(ctx context.Context, w *survey.Diagnostic, now time.Time, previous *survey.Result) (*survey.Result, error) {
	n, err := s.store.CountResponses(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	a := scoring.ResultsAvailable(scoring.AvailabilityInput{State: w.EffectiveState(now), Responses: n, MinGroupSize: w.MinGroupSize})
	if !a.Available {
		return nil, nil
	}
	// What the wave showed is its last final release, when it has one.
	rels, err := s.store.Releases(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	for i := len(rels) - 1; i >= 0; i-- {
		if rels[i].Kind == survey.ReleaseFinal && rels[i].Result != nil {
			return rels[i].Result, nil
		}
	}
	tab, err := s.responseTable(ctx, w)
	if err != nil {
		return nil, err
	}
	if previous != nil && previous.QuestionnaireID != w.Questionnaire.ID {
		previous = nil
	}
	res, err := scoring.Compute(scoring.Input{Questionnaire: &w.Questionnaire, Table: tab, MinGroupSize: w.MinGroupSize, Units: w.Units, Previous: previous})
	if survey.ErrorCode(err) == survey.CodeConflict {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.keepSummary(ctx, w, res)
	return res, nil
}

// remapUnits renames the unit groups of an earlier wave's result to this
// wave's unit ids, by unit name. Unit ids are per diagnostic (u1, u2, ...),
// while people recognise a unit by its name: the suppression must treat
// "Staf" in both waves as the same group. Units without a match get an id
// no unit of this wave has.
func remapUnits(prev *survey.Result, from, to []survey.Unit) *survey.Result {
	if prev == nil {
		return nil
	}
	byName := map[string]string{}
	for _, u := range to {
		byName[unitKey(u.Name)] = u.ID
	}
	idOf := map[string]string{}
	for _, u := range from {
		if id, ok := byName[unitKey(u.Name)]; ok {
			idOf[u.ID] = id
		} else {
			idOf[u.ID] = "previous:" + u.ID
		}
	}
	out := *prev
	out.Units.Groups = make([]survey.Group, len(prev.Units.Groups))
	for i, g := range prev.Units.Groups {
		if id, ok := idOf[g.ID]; ok {
			g.ID = id
		}
		out.Units.Groups[i] = g
	}
	return &out
}

func unitKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// showResults shows the results page, or why there are none yet.
func (s *Server) showResults(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	r, err := s.loadResults(c.Request().Context(), d)
	if err != nil {
		return err
	}
	var edit func(*reportsSection)
	if l := s.newLinkOf(c, d); l != nil {
		t := s.texts.For(requestLang(c))
		edit = func(sec *reportsSection) {
			sec.NewLink, sec.NewLinkLabel = s.absoluteURL(directorPath(l.Token)), l.Label
			sec.NewLinkExpires = formatDate(time.Unix(l.Expires, 0).Add(-time.Nanosecond), t)
		}
	}
	return s.renderResults(c, http.StatusOK, r, edit)
}

// previewResults records a preview when one may be shown now and sends the
// consultant to the results page, which shows the recorded preview. When a
// preview is not allowed, the results page explains why.
func (s *Server) previewResults(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	// The preview is recorded as a release with its figures; the results
	// page then serves it as long as no response comes in.
	ctx := c.Request().Context()
	r := &results{Diagnostic: d, State: d.EffectiveState(s.now())}
	if r.Count, err = s.store.CountResponses(ctx, d.ID); err != nil {
		return err
	}
	if r.PreviewedAt, err = s.store.PreviewedAt(ctx, d.ID); err != nil {
		return err
	}
	r.Availability = scoring.ResultsAvailable(scoring.AvailabilityInput{
		State: r.State, Responses: r.Count, MinGroupSize: d.MinGroupSize, Preview: true, PreviewedAt: r.PreviewedAt,
	})
	if r.Availability.Available && r.Availability.Preview {
		if err := s.release(ctx, d, r, survey.ReleasePreview, true); err != nil {
			return err
		}
		if r.Result != nil {
			s.audit(c, actionPreview, "diagnostic", d.ID, fmt.Sprintf("%s (%d responses)", d.Name, r.Count))
		}
	}
	return c.Redirect(http.StatusSeeOther, resultsPath(d.ID))
}

func resultsPath(id string) string { return "/diagnoses/" + id + "/resultaten" }

// apiResultsBody is the JSON of GET /api/v1/diagnostics/{id}/results.
type apiResultsBody struct {
	DiagnosticID string                 `json:"diagnostic_id"`
	State        survey.State           `json:"state"`
	Availability survey.Availability    `json:"availability"`
	Result       *survey.Result         `json:"result"`
	Benchmark    survey.BenchmarkResult `json:"benchmark"`
}

// apiNotAvailable is the 409 answer when the results may not be shown.
type apiNotAvailable struct {
	apiError
	Reason string `json:"reason"`
}

// apiResultsNotAvailable answers an API request for results (or a report
// built from them) that may not be shown yet, saying why.
func (s *Server) apiResultsNotAvailable(c echo.Context, d *survey.Diagnostic, r *results) error {
	t := s.texts.For(requestLang(c))
	return c.JSON(http.StatusConflict, apiNotAvailable{
		apiError: apiError{Code: "not_available", Message: t.Get(variant("results.unavailable.", r.Availability.Reason), r.Count, minGroup(d))},
		Reason:   r.Availability.Reason,
	})
}

// apiResults returns the same numbers as the results page.
func (s *Server) apiResults(c echo.Context) error {
	d, err := s.store.DiagnosticForFirm(c.Request().Context(), consultantFrom(c).FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	r, err := s.loadResults(c.Request().Context(), d)
	if err != nil {
		return err
	}
	if !r.Availability.Available {
		return s.apiResultsNotAvailable(c, d, r)
	}
	return c.JSON(http.StatusOK, apiResultsBody{
		DiagnosticID: d.ID, State: r.State, Availability: r.Availability, Result: r.Result, Benchmark: r.Benchmark,
	})
}

// resultsPage is the data of the results page. Every number is formatted
// here, in the interface language, so the template only places text.
type resultsPage struct {
	Diagnostic survey.Diagnostic
	State      survey.State
	Available  bool
	Preview    bool
	Count      int
	MinGroup   int
	// PulseNote says how to read a pulse's scores (methodology §18).
	PulseNote string

	// When not available: why, and whether a preview can be asked for.
	Reason          string
	PreviewPossible bool
	PreviewNote     string
	// BaseNote says how many responses were complete enough to score, when
	// not all; HeldNote why the latest responses are not included.
	BaseNote string
	HeldNote string

	Questionnaire string
	Index         scoreView
	Outcome       scoreView
	IndexCard     scoreCard
	OutcomeCard   scoreCard
	OutcomeItems  []itemView
	BandLegend    []bandView
	FactorChart   intervalChart
	Factors       []factorView
	RouteChart    intervalChart
	Routes        []routeView
	Priorities    []priorityView
	ImpactNote    string
	Gaps          []gapView
	Units         heatMap
	Roles         heatMap
	Strongest     itemTable
	Weakest       itemTable
	Trend         *trendView
	TrendNote     string
	Benchmark     string
	Reliability   []reliabilityView
	Open          []openView
	OpenNote      string
	Exports       []exportLink
	// Reports is the report section (reports.go), shown also when the
	// results are not, so that director links can still be revoked.
	Reports *reportsSection

	// PriorityBasis says on which ground the priorities were chosen;
	// PrioritiesNone why there are none.
	PriorityBasis  string
	PrioritiesNone string
}

type scoreView struct {
	Shown    bool
	Mean     string
	Interval string
	N        int
	Band     survey.Band
	BandWord string
	Hidden   string
}

// scoreCard is a score shown large, with the words it needs.
type scoreCard struct {
	Label        string
	Score        scoreView
	IntervalWord string
	HiddenWord   string
}

// itemTable is a table of statements.
type itemTable struct {
	Caption     string
	Header      []string
	Items       []itemView
	ReverseWord string
}

type bandView struct {
	Band    survey.Band
	Word    string
	Meaning string
	Range   string
}

type factorView struct {
	Name        string
	Description string
	Score       scoreView
	Shares      string
}

type routeView struct {
	Number      int
	Name        string
	Description string
	Score       scoreView
}

type priorityView struct {
	Rank   int
	Factor string
	Score  string
	// Impact is r with its words (methodology section 15), Basis the
	// ground the factor was chosen on.
	Impact string
	Basis  string
	Value  string
}

type gapView struct {
	ID      string
	Title   string
	GroupA  string
	GroupB  string
	Chart   intervalChart
	Rows    []differenceView
	AnyShow bool
}

type differenceView struct {
	Measure  string
	Shown    bool
	MeanA    string
	MeanB    string
	Diff     string
	Interval string
	Verdict  string
	Hidden   string
}

type trendView struct {
	PreviousName string
	PreviousN    int
	Chart        intervalChart
	Rows         []differenceView
}

type itemView struct {
	Text    string
	Factor  string
	Reverse bool
	Score   string
	Agree   string
	N       int
	Hidden  string
}

type reliabilityView struct {
	Factor  string
	Alpha   string
	Items   int
	Care    bool
	Verdict string
	Dropped string
}

type openView struct {
	Question string
	Answers  []string
}

type exportLink struct {
	URL   string
	Label string
}

// heatMap is a breakdown as a table whose cells are coloured by band; the
// band word is in every cell, so the colour never carries meaning alone.
type heatMap struct {
	Caption    string
	Dim        string
	Columns    []heatColumn
	Rows       []heatRow
	Markers    []markerView
	HiddenWord string
	// Span is the number of columns a hidden group's row spans: n and
	// every measure.
	Span int
}

// heatColumn is a measure's column: a short label that fits above a
// narrow column (no word broken in two) and the full name, which the
// header gives as the abbreviation's title.
type heatColumn struct {
	Short string
	Full  string
}

type heatRow struct {
	Name   string
	Shown  bool
	Other  bool
	N      int
	Cells  []heatCell
	Marker string
	Hidden string
}

type heatCell struct {
	Shown    bool
	Value    string
	Band     survey.Band
	BandWord string
	Marker   string
	Hidden   string
}

type markerView struct {
	Marker string
	Text   string
}

// numbers writes numbers as readers of the interface language expect them:
// a decimal comma in Dutch, a point in English, and a real minus sign.
type numbers struct{ comma bool }

func numbersFor(lang string) numbers { return numbers{comma: lang == "nl"} }

// dec rounds as scoring.Round does, so that a page prints exactly the
// value the engine's words and colours were chosen on.
func (f numbers) dec(v float64, places int) string {
	s := strconv.FormatFloat(scoring.Round(v, places), 'f', places, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	if f.comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return strings.Replace(s, "-", "\u2212", 1)
}

// signed writes a difference with its sign, so that "+3" and "−3" read as
// changes rather than scores.
func (f numbers) signed(v float64, places int) string {
	s := f.dec(v, places)
	if !strings.HasPrefix(s, "\u2212") && strings.Trim(s, "0.,") != "" {
		s = "+" + s
	}
	return s
}

func (f numbers) percent(share float64) string { return f.dec(100*share, 0) + "%" }

// resultsPageFor builds the results page; short gives the factors' short
// labels for the heat maps' columns (nil: the full names).
func resultsPageFor(r *results, t Translator, short func(factor string) string) *resultsPage {
	d := r.Diagnostic
	lang := t.Lang()
	p := &resultsPage{
		Diagnostic: *d, State: r.State, Count: r.Count, MinGroup: minGroup(d),
		Available: r.Availability.Available, Preview: r.Availability.Preview,
		Questionnaire: t.Get("results.questionnaire", d.Questionnaire.Title.In(lang), d.Questionnaire.Version),
	}
	if d.Questionnaire.IsPulse() {
		p.PulseNote = t.Get("pulse.results_note")
	}
	if !p.Available {
		p.Reason = t.Get(variant("results.unavailable.", r.Availability.Reason), r.Count, p.MinGroup)
		p.PreviewPossible = r.PreviewPossible()
		switch {
		case p.PreviewPossible && r.PreviewedAt > 0:
			p.PreviewNote = t.Get("results.preview.outdated", r.PreviewedAt, r.Count)
		case p.PreviewPossible:
			p.PreviewNote = t.Get("results.preview.possible", r.Count)
		case r.State == survey.StateOpen && r.NewPreview.Reason == survey.AvailabilityTooFewNewResponses:
			p.PreviewNote = t.Get("results.preview.too_few_new", r.PreviewedAt, r.Count, p.MinGroup)
		case r.State == survey.StateOpen:
			p.PreviewNote = t.Get("results.preview.too_few", 2*p.MinGroup, r.Count)
		}
		return p
	}
	v := resultsViewer{t: t, f: numbersFor(lang), q: &d.Questionnaire, d: d, min: p.MinGroup, short: short}
	res := r.Result
	p.Count = res.N
	if res.Responses > res.N {
		p.BaseNote = t.Get("results.base_note", res.Responses, res.N)
	}
	if res.HeldBack > 0 {
		p.HeldNote = t.Get("results.held_back", res.HeldBack, p.MinGroup)
	}
	p.BandLegend = v.bandLegend()
	p.Index = v.score(res.Index)
	p.Outcome = v.score(res.Outcome)
	p.IndexCard = scoreCard{Label: t.Get("results.index"), Score: p.Index, IntervalWord: t.Get("results.col.interval"), HiddenWord: t.Get("results.hidden")}
	p.OutcomeCard = scoreCard{Label: t.Get("results.outcome"), Score: p.Outcome, IntervalWord: t.Get("results.col.interval"), HiddenWord: t.Get("results.hidden")}
	for _, it := range res.OutcomeItems {
		p.OutcomeItems = append(p.OutcomeItems, v.item(it, ""))
	}
	p.FactorChart, p.Factors = v.factors(res)
	p.RouteChart, p.Routes = v.routes(res)
	p.Priorities, p.ImpactNote = v.priorities(res)
	p.PriorityBasis, p.PrioritiesNone = v.priorityBasis(res)
	for _, c := range res.Gaps {
		p.Gaps = append(p.Gaps, v.gap(c))
	}
	p.Units = v.heatMap(res.Units, survey.DimensionUnit)
	p.Roles = v.heatMap(res.Roles, survey.DimensionRole)
	p.Strongest, p.Weakest = v.extremeItems(res)
	p.Trend, p.TrendNote = v.trend(r)
	p.Benchmark = v.benchmark(r)
	p.Reliability = v.reliability(res)
	p.Open, p.OpenNote = v.openAnswers(r)
	p.Exports = exportLinks(d.ID, t)
	return p
}

func minGroup(d *survey.Diagnostic) int {
	if d.MinGroupSize > 0 {
		return d.MinGroupSize
	}
	return survey.DefaultMinGroupSize
}

// resultsViewer turns parts of a result into views.
type resultsViewer struct {
	t   Translator
	f   numbers
	q   *survey.Questionnaire
	d   *survey.Diagnostic
	min int
	// short gives a factor's short label (the advice library's), or "".
	short func(factor string) string
}

func (v resultsViewer) bandWord(b survey.Band) string {
	if b == "" {
		return ""
	}
	return v.t.Get(variant("results.band.", string(b)))
}

func (v resultsViewer) bandLegend() []bandView {
	b := v.q.Bands
	return []bandView{
		{Band: survey.BandRed, Word: v.bandWord(survey.BandRed), Meaning: v.t.Get("results.band_meaning.red"), Range: v.t.Get("results.band_range.below", v.f.dec(b.Amber, 0))},
		{Band: survey.BandAmber, Word: v.bandWord(survey.BandAmber), Meaning: v.t.Get("results.band_meaning.amber"), Range: v.t.Get("results.band_range.between", v.f.dec(b.Amber, 0), v.f.dec(b.Green, 0))},
		{Band: survey.BandGreen, Word: v.bandWord(survey.BandGreen), Meaning: v.t.Get("results.band_meaning.green"), Range: v.t.Get("results.band_range.from", v.f.dec(b.Green, 0))},
	}
}

func (v resultsViewer) reason(r survey.SuppressionReason) string {
	if r == "" {
		r = survey.ReasonTooSmall
	}
	return v.t.Get(variant("results.reason.", string(r)))
}

func (v resultsViewer) score(sc survey.Score) scoreView {
	if !sc.Shown || sc.Mean == nil {
		return scoreView{Hidden: v.reason(sc.Reason)}
	}
	out := scoreView{Shown: true, Mean: v.f.dec(*sc.Mean, 1), N: sc.N, Band: sc.Band, BandWord: v.bandWord(sc.Band)}
	if sc.CI != nil {
		out.Interval = v.t.Get("results.interval", v.f.dec(sc.CI.Low, 1), v.f.dec(sc.CI.High, 1))
	}
	return out
}

// measureName names the index or a factor.
func (v resultsViewer) measureName(id string) string {
	if id == survey.MeasureIndex {
		return v.t.Get("results.index")
	}
	if id == survey.MeasureOutcome && v.q.IsPulse() {
		return v.t.Get("pulse.noticed")
	}
	if f, ok := v.q.Factor(id); ok {
		return f.Name.In(v.t.Lang())
	}
	return id
}

func (v resultsViewer) factors(res *survey.Result) (intervalChart, []factorView) {
	lang := v.t.Lang()
	rows := []chartInput{{Label: v.t.Get("results.index"), Score: res.Index, Strong: true}}
	var out []factorView
	for _, fr := range res.Factors {
		fac, _ := v.q.Factor(fr.ID)
		fv := factorView{Name: fac.Name.In(lang), Description: fac.Description.In(lang), Score: v.score(fr.Score)}
		if fr.Shares != nil {
			fv.Shares = v.t.Get("results.shares", v.f.percent(fr.Shares.Agree), v.f.percent(fr.Shares.Neutral), v.f.percent(fr.Shares.Disagree))
		}
		out = append(out, fv)
		rows = append(rows, chartInput{Label: fv.Name, Score: fr.Score})
	}
	return v.scoreChart("factors", v.t.Get("results.factors.chart_title"), v.t.Get("results.factors.chart_desc"), rows), out
}

func (v resultsViewer) routes(res *survey.Result) (intervalChart, []routeView) {
	lang := v.t.Lang()
	var rows []chartInput
	var out []routeView
	for _, rr := range res.Routes {
		rv := routeView{Name: rr.ID, Score: v.score(rr.Score)}
		for _, route := range v.q.Routes {
			if route.ID == rr.ID {
				rv.Number, rv.Name, rv.Description = route.Number, route.Name.In(lang), route.Description.In(lang)
			}
		}
		out = append(out, rv)
		rows = append(rows, chartInput{Label: rv.Name, Score: rr.Score})
	}
	return v.scoreChart("routes", v.t.Get("results.routes.chart_title"), v.t.Get("results.routes.chart_desc"), rows), out
}

func (v resultsViewer) priorities(res *survey.Result) ([]priorityView, string) {
	var out []priorityView
	for _, p := range res.Priorities {
		pv := priorityView{Rank: p.Rank, Factor: v.measureName(p.Factor), Score: v.f.dec(p.Score, 1), Value: "–"}
		pv.Impact = v.linkWords(p)
		if p.Basis == survey.BasisImpact {
			pv.Basis, pv.Value = v.t.Get("results.basis.impact"), v.f.dec(p.Value, 1)
		} else {
			pv.Basis = v.t.Get("results.basis.score")
		}
		out = append(out, pv)
	}
	note := v.t.Get("results.impact.own", res.Impact.N)
	if res.Impact.Pooled {
		note = v.t.Get("results.impact.pooled", scoring.PoolingThreshold, res.Impact.N)
	}
	return out, note
}

// linkWords is a priority's correlation with its words: "0,35 (matige
// samenhang)", or only the words when r cannot be estimated.
func (v resultsViewer) linkWords(p survey.Priority) string {
	if p.Impact == nil {
		return linkLabel(p, v.t.Lang())
	}
	return v.f.dec(*p.Impact, 2) + " (" + linkLabel(p, v.t.Lang()) + ")"
}

// alphaCare reports whether a factor's score is to be read with care: its
// alpha as printed is not "sufficient" (methodology 15.7). The engine's
// interpret_with_care uses the unrounded alpha, which can disagree at 0,695.
func alphaCare(r survey.Reliability) bool {
	return scoring.ReadAlpha(r.Alpha) != scoring.AlphaSufficient
}

// linkLabel is the words of a priority's correlation (methodology 15.3).
func linkLabel(p survey.Priority, lang string) string {
	if p.Impact == nil {
		return survey.LinkUnknown.Label(false).In(lang)
	}
	return p.Strength.Label(scoring.Round(*p.Impact, scoring.CorrelationDecimals) < 0).In(lang)
}

// priorityBasis is the sentence that says on which ground the priorities
// were chosen, and the reason when there are none (methodology section 15).
func (v resultsViewer) priorityBasis(res *survey.Result) (basis, none string) {
	impact, score := 0, 0
	for _, p := range res.Priorities {
		if p.Basis == survey.BasisImpact {
			impact++
		} else {
			score++
		}
	}
	switch {
	case impact > 0 && score > 0:
		basis = v.t.Get("results.priorities.basis_mixed")
	case impact > 0:
		basis = v.t.Get("results.priorities.basis_impact")
	case score > 0:
		basis = v.t.Get("results.priorities.basis_score")
	default:
		none = v.t.Get("results.priorities.none")
		for _, f := range res.Factors {
			if f.Score.Shown {
				none = v.t.Get("results.priorities.none_green")
			}
		}
	}
	return basis, none
}

func (v resultsViewer) groupName(dim, id string) string {
	if id == survey.GroupNotStated {
		return v.t.Get("results.not_stated")
	}
	if dim == survey.DimensionUnit {
		if u, ok := v.d.Unit(id); ok {
			return u.Name
		}
		return id
	}
	if id == survey.GroupRest {
		return v.t.Get("results.group.rest")
	}
	for _, b := range v.q.Background {
		if b.ID == survey.BackgroundRole {
			for _, o := range b.Options {
				if o.ID == id {
					return o.Label.In(v.t.Lang())
				}
			}
		}
	}
	return id
}

func (v resultsViewer) difference(df survey.Difference) differenceView {
	dv := differenceView{Measure: v.measureName(df.Measure)}
	if !df.Shown || df.Diff == nil {
		dv.Hidden = v.reason(df.Reason)
		return dv
	}
	dv.Shown = true
	dv.MeanA, dv.MeanB = v.f.dec(*df.MeanA, 1), v.f.dec(*df.MeanB, 1)
	dv.Diff = v.f.signed(*df.Diff, 1)
	if df.CI != nil {
		dv.Interval = v.t.Get("results.interval", v.f.signed(df.CI.Low, 1), v.f.signed(df.CI.High, 1))
	}
	dv.Verdict = df.Verdict.Label().In(v.t.Lang())
	if df.Verdict == survey.VerdictPossible {
		dv.Verdict += " (" + v.possibleDetail(df) + ")"
	}
	return dv
}

// possibleDetail says which of the three situations a "possible" verdict
// is, from the engine's flags alone (methodology section 15).
func (v resultsViewer) possibleDetail(df survey.Difference) string {
	switch {
	case df.Significant && df.Substantial:
		return v.t.Get("results.verdict.possible_both")
	case df.Significant:
		return v.t.Get("results.verdict.possible_significant")
	default:
		return v.t.Get("results.verdict.possible_substantial")
	}
}

func (v resultsViewer) gap(c survey.Comparison) gapView {
	g := gapView{ID: c.ID, GroupA: v.groupName(survey.DimensionRole, c.GroupA), GroupB: v.groupName(survey.DimensionRole, c.GroupB)}
	g.Title = v.t.Get(variant("results.gap.", c.ID), g.GroupA, g.GroupB)
	var rows []diffInput
	for _, df := range c.Differences {
		dv := v.difference(df)
		g.Rows = append(g.Rows, dv)
		g.AnyShow = g.AnyShow || dv.Shown
		rows = append(rows, diffInput{Label: dv.Measure, Diff: df, Value: dv})
	}
	g.Chart = v.diffChart("gap-"+c.ID, g.Title, v.t.Get("results.gap.chart_desc", g.GroupA, g.GroupB), v.t.Get("results.axis.difference", g.GroupA, g.GroupB), rows)
	return g
}

// markerOf gives each reason a letter, so that a hidden cell needs no
// digit: nothing next to a hidden group's name may look like a count.
func markerOf(r survey.SuppressionReason) string {
	switch r {
	case survey.ReasonComplementary:
		return "b"
	case survey.ReasonCrossBreakdown:
		return "c"
	case survey.ReasonPreviousWave:
		return "d"
	case survey.ReasonNotApplicable:
		return "e"
	case survey.ReasonEarlierRelease:
		return "f"
	default:
		return "a"
	}
}

func (v resultsViewer) heatMap(b survey.Breakdown, dim string) heatMap {
	h := heatMap{Caption: v.t.Get(variant("results.heat.caption_", dim)), Dim: v.t.Get(variant("results.heat.dim_", dim)), HiddenWord: v.t.Get("results.hidden")}
	h.Columns = append(h.Columns, heatColumn{Short: v.t.Get("results.index_short"), Full: v.t.Get("results.index")})
	for _, f := range v.q.Factors {
		name := f.Name.In(v.t.Lang())
		short := name
		if v.short != nil {
			if sh := v.short(f.ID); sh != "" {
				short = sh
			}
		}
		h.Columns = append(h.Columns, heatColumn{Short: short, Full: name})
	}
	if v.q.IsPulse() && len(v.q.Outcomes) > 0 {
		// The pulse's own question has a column of its own (scoring's
		// heatMeasures).
		h.Columns = append(h.Columns, heatColumn{Short: v.t.Get("pulse.noticed_short"), Full: v.t.Get("pulse.noticed")})
	}
	used := map[string]survey.SuppressionReason{}
	cells := func(cs []survey.Cell) []heatCell {
		var out []heatCell
		for _, c := range cs {
			if !c.Shown || c.Mean == nil {
				r := c.Reason
				if r == survey.ReasonGroupHidden || r == "" {
					r = survey.ReasonTooSmall
				}
				used[markerOf(r)] = r
				out = append(out, heatCell{Marker: markerOf(r), Hidden: v.reason(r)})
				continue
			}
			// One decimal, as everywhere else: the band is that of the value
			// as printed with one decimal, and "50" from a 49,5 would stand
			// in red.
			out = append(out, heatCell{Shown: true, Value: v.f.dec(*c.Mean, scoring.ScoreDecimals), Band: c.Band, BandWord: v.bandWord(c.Band)})
		}
		return out
	}
	for _, g := range b.Groups {
		row := heatRow{Name: v.groupName(dim, g.ID)}
		if !g.Shown {
			r := g.Reason
			if r == "" {
				r = survey.ReasonTooSmall
			}
			used[markerOf(r)] = r
			row.Marker, row.Hidden = markerOf(r), v.reason(r)
		} else {
			row.Shown, row.N, row.Cells = true, g.N, cells(g.Cells)
		}
		h.Rows = append(h.Rows, row)
	}
	if b.Other != nil {
		h.Rows = append(h.Rows, heatRow{Name: v.t.Get(variant("results.heat.other_", dim)), Shown: true, Other: true, N: b.Other.N, Cells: cells(b.Other.Cells)})
	}
	for _, m := range []string{"a", "b", "c", "d", "e", "f"} {
		r, ok := used[m]
		switch {
		case !ok:
		case r == survey.ReasonNotApplicable:
			h.Markers = append(h.Markers, markerView{Marker: m, Text: v.t.Get(variant("results.marker.", string(r)))})
		default:
			h.Markers = append(h.Markers, markerView{Marker: m, Text: v.t.Get(variant("results.marker.", string(r)), v.min)})
		}
	}
	h.Span = len(h.Columns) + 1
	return h
}

func (v resultsViewer) item(it survey.ItemResult, factor string) itemView {
	iv := itemView{Factor: factor, Reverse: it.Reverse}
	for _, q := range v.q.AllItems() {
		if q.ID == it.ID {
			iv.Text = q.Text.In(v.t.Lang())
		}
	}
	if !it.Shown || it.Shares == nil {
		iv.Hidden = v.reason(it.Reason)
		return iv
	}
	iv.Score = v.f.percent(favourable(it))
	iv.Agree = v.f.percent(it.Shares.Agree)
	return iv
}

// favourable is an item's share on the favourable side: agree, or disagree
// for a reverse item. Items carry shares only (docs/methodology.md §11).
func favourable(it survey.ItemResult) float64 {
	if it.Reverse {
		return it.Shares.Disagree
	}
	return it.Shares.Agree
}

// extremeItems returns the factor items with the highest and the lowest
// favourable share, at most five each and never the
// same item twice.
func (v resultsViewer) extremeItems(res *survey.Result) (itemTable, itemTable) {
	type scored struct {
		it     survey.ItemResult
		factor string
	}
	var all []scored
	for _, fr := range res.Factors {
		for _, it := range fr.Items {
			if it.Shown && it.Shares != nil {
				all = append(all, scored{it, v.measureName(fr.ID)})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(favourable(b.it), favourable(a.it)) })
	k := min(5, len(all)/2)
	header := []string{v.t.Get("results.col.statement"), v.t.Get("results.col.factor"), v.t.Get("results.col.favourable"), v.t.Get("results.col.agree")}
	strong := itemTable{Caption: v.t.Get("results.items.strongest"), Header: header, ReverseWord: v.t.Get("results.items.reverse")}
	weak := itemTable{Caption: v.t.Get("results.items.weakest"), Header: header, ReverseWord: v.t.Get("results.items.reverse")}
	for i := range k {
		strong.Items = append(strong.Items, v.item(all[i].it, all[i].factor))
		w := all[len(all)-1-i]
		weak.Items = append(weak.Items, v.item(w.it, w.factor))
	}
	return strong, weak
}

func (v resultsViewer) trend(r *results) (*trendView, string) {
	switch {
	case r.Result.Trend != nil:
		tv := &trendView{PreviousName: r.Previous.Name, PreviousN: r.Result.Trend.PreviousN}
		var rows []diffInput
		for _, ch := range r.Result.Trend.Changes {
			dv := v.difference(ch)
			tv.Rows = append(tv.Rows, dv)
			rows = append(rows, diffInput{Label: dv.Measure, Diff: ch, Value: dv})
		}
		tv.Chart = v.diffChart("trend", v.t.Get("results.trend.caption", r.Previous.Name), v.t.Get("results.trend.chart_desc", r.Previous.Name), v.t.Get("results.axis.change"), rows)
		return tv, ""
	case r.PreviousStatus == waveNone:
		return nil, v.t.Get("results.trend.first")
	case r.Previous != nil:
		return nil, v.t.Get(variant("results.trend.", string(r.PreviousStatus)), r.Previous.Name)
	default:
		return nil, v.t.Get("results.trend.missing")
	}
}

func (v resultsViewer) benchmark(r *results) string {
	sector := v.t.Get(variant("sector.", string(v.d.Organisation.Sector)))
	switch {
	case !r.Result.Index.Shown:
		return v.t.Get("results.benchmark.no_index")
	case !r.Benchmark.Available:
		return v.t.Get("results.benchmark.none", scoring.MinBenchmarkOthers, sector, scoring.MinBenchmarkFirms)
	default:
		return v.t.Get("results.benchmark.text", v.f.dec(*r.Result.Index.Mean, 1), v.t.Get(variant("results.benchmark.position.", string(r.Benchmark.Position))),
			sector, scoring.MinBenchmarkOthers, scoring.MinBenchmarkFirms)
	}
}

func (v resultsViewer) reliability(res *survey.Result) []reliabilityView {
	var out []reliabilityView
	for _, fr := range res.Factors {
		rv := reliabilityView{Factor: v.measureName(fr.ID), Items: len(fr.Items)}
		// A hidden factor shows no alpha: nothing about it is published.
		// Otherwise the words are those of alpha as printed.
		reading := scoring.ReadAlpha(fr.Reliability.Alpha)
		switch {
		case !fr.Score.Shown:
			rv.Alpha, rv.Verdict = "–", v.t.Get("results.alpha.hidden")
			out = append(out, rv)
			continue
		case reading == scoring.AlphaUndefined:
			rv.Alpha, rv.Verdict = v.t.Get("results.not_computable"), v.t.Get("results.alpha.undefined")
		case reading == scoring.AlphaSufficient:
			rv.Alpha, rv.Verdict = v.f.dec(*fr.Reliability.Alpha, 2), v.t.Get("results.alpha.ok")
		case reading == scoring.AlphaImpossible:
			rv.Alpha, rv.Verdict = v.f.dec(*fr.Reliability.Alpha, 2), v.t.Get("results.alpha.impossible")
		default:
			rv.Alpha, rv.Verdict = v.f.dec(*fr.Reliability.Alpha, 2), v.t.Get("results.alpha.care", v.f.dec(scoring.AlphaCareThreshold, 2))
		}
		rv.Care = alphaCare(fr.Reliability)
		if len(fr.Reliability.DroppedItems) > 0 {
			rv.Dropped = v.t.Get("results.alpha.dropped", len(fr.Reliability.DroppedItems))
		}
		out = append(out, rv)
	}
	return out
}

// openAnswersOf loads the open answers for the results page when it will
// show them and the result came from a release without loading responses.
func (s *Server) openAnswersOf(ctx context.Context, r *results) error {
	if r.Responses != nil || !r.Availability.Available || r.Availability.Preview || r.Result == nil ||
		len(r.Diagnostic.Questionnaire.Open) == 0 || r.Count < scoring.DefaultOpenThreshold {
		return nil
	}
	var err error
	r.Responses, err = s.store.OpenAnswers(ctx, r.Diagnostic.ID)
	return err
}

// openAnswers lists the open answers of the whole organisation, never per
// group, and only for a closed diagnostic: two previews would give the
// answers of the few who answered in between by their difference.
func (v resultsViewer) openAnswers(r *results) ([]openView, string) {
	if len(v.q.Open) == 0 {
		return nil, ""
	}
	if r.Availability.Preview {
		return nil, v.t.Get("results.open.preview")
	}
	if r.Count < scoring.DefaultOpenThreshold {
		return nil, v.t.Get("results.open.too_few", scoring.DefaultOpenThreshold)
	}
	if len(r.Responses) != r.Count {
		// The answers loaded are not those of the count the results
		// show: a response came in meanwhile.
		return nil, v.t.Get("results.open.held", scoring.DefaultOpenThreshold)
	}
	// The lists of two releases differ by the newcomers' answers: shown
	// only when every earlier final release (previews show no open
	// answers) had 0 or at least the threshold fewer responses.
	for _, rel := range r.Releases {
		if d := r.Count - rel.Responses; rel.Kind == survey.ReleaseFinal && d > 0 && d < scoring.DefaultOpenThreshold {
			return nil, v.t.Get("results.open.held", scoring.DefaultOpenThreshold)
		}
	}
	var out []openView
	for _, q := range v.q.Open {
		// A nil source uses the process-wide generator: the order must
		// differ per request, and nothing may be able to reproduce it.
		out = append(out, openView{Question: q.Text.In(v.t.Lang()), Answers: scoring.OpenAnswers(r.Responses, q.ID, scoring.DefaultOpenThreshold, nil)})
	}
	return out, v.t.Get("results.open.note")
}

// Chart geometry. A chart is drawn twice, for two widths, and the style
// sheet shows the one that fits (no script): scaled to a phone, the wide
// drawing would shrink its 12 px labels to 4 px. The wide layout has a
// label column, a plot and a value column, one row per measure, in a 920
// wide view box; the value column has room for the longest verdict. The
// narrow layout, 320 wide, is about the size it is shown at on a phone, so
// its 13 px text stays at least 12 px: each row puts its label and value
// above a plot as wide as the drawing.
type chartLayout struct {
	width      float64
	labelRight float64
	plotLeft   float64
	plotRight  float64
	valueLeft  float64
	rowHeight  float64
	wrap       int
	small      int // the size of ticks and band words
	narrow     bool
}

var (
	wideChart   = chartLayout{width: 920, labelRight: 262, plotLeft: 272, plotRight: 652, valueLeft: 664, rowHeight: 34, wrap: 34, small: 12}
	narrowChart = chartLayout{width: 320, plotLeft: 14, plotRight: 306, rowHeight: 26, wrap: 38, small: 13, narrow: true}
)

const (
	chartTop        = 30.0
	chartBottom     = 52.0
	chartLineHeight = 16.0
)

// intervalChart is a dot with its 95 % interval per row, drawn by the
// template as inline SVG; the page also gives every number in a table.
type intervalChart struct {
	ID           string
	Title        string
	Desc         string
	Width        int
	Height       int
	PlotLeft     float64
	PlotRight    float64
	LabelX       float64
	LabelAnchor  string
	ValueX       float64
	AxisY        float64
	TopY         float64
	PlotHeight   float64
	RegionLabelY float64
	TickLabelY   float64
	SmallFont    int
	AxisLabel    string
	AxisLabelX   float64
	AxisLabelY   float64
	Regions      []chartRegion
	Ticks        []chartTick
	Zero         float64
	Diverging    bool
	Rows         []chartRow
	// Narrow is the same chart drawn for a phone's width.
	Narrow *intervalChart
}

type chartRegion struct {
	X, W   float64
	Fill   string
	Label  string
	LabelX float64
}

type chartTick struct {
	X     float64
	Label string
}

type chartRow struct {
	Lines     []chartLine
	Y         float64
	CapTop    float64
	CapBottom float64
	TextY     float64
	Shown     bool
	X         float64
	HasCI     bool
	Low       float64
	High      float64
	Value     string
	Strong    bool
}

type chartLine struct {
	Text string
	Y    float64
}

type chartInput struct {
	Label  string
	Score  survey.Score
	Strong bool
}

type diffInput struct {
	Label string
	Diff  survey.Difference
	Value differenceView
}

// bandFill is the tint behind a band: light enough for black text and marks
// on it (contrast above 12:1); the words above the tints name the bands.
func bandFill(b survey.Band) string {
	switch b {
	case survey.BandRed:
		return "#f6d5cf"
	case survey.BandAmber:
		return "#fce6bd"
	default:
		return "#d3ecd9"
	}
}

// chartRowSpec is a row before it is placed: its label, its value (shown
// after the label in the narrow layout) and where its marks go.
type chartRowSpec struct {
	label, value  string
	strong, shown bool
	hasCI         bool
	x, low, high  float64
}

// layoutChart places the rows of a chart in layout l; xs maps a value in
// [0, 1] of the plot's width to the drawing.
func layoutChart(l chartLayout, id, title, desc, axis string, specs []chartRowSpec) intervalChart {
	ch := intervalChart{
		ID: id, Title: title, Desc: desc, Width: int(l.width),
		PlotLeft: l.plotLeft, PlotRight: l.plotRight, LabelX: l.labelRight, LabelAnchor: "end", ValueX: l.valueLeft,
		TopY: chartTop, SmallFont: l.small, AxisLabel: axis, AxisLabelX: (l.plotLeft + l.plotRight) / 2,
	}
	if l.narrow {
		ch.ID, ch.LabelX, ch.LabelAnchor = id+"-smal", l.plotLeft, "start"
	}
	y := chartTop
	for _, sp := range specs {
		row := chartRow{Shown: sp.shown, HasCI: sp.hasCI, Strong: sp.strong, Value: sp.value}
		if l.narrow {
			// The label and the value above the plot, wrapped to the width.
			lines := wrapLines(sp.label+": "+sp.value, l.wrap)
			y += 6
			for _, text := range lines {
				y += chartLineHeight
				row.Lines = append(row.Lines, chartLine{Text: text, Y: y - 4})
			}
			row.Value = ""
			row.Y = y + l.rowHeight/2
			y += l.rowHeight
		} else {
			row.Y = y + l.rowHeight/2
			row.Lines = wrapLabel(sp.label, row.Y, l.wrap)
			y += l.rowHeight
		}
		row.CapTop, row.CapBottom, row.TextY = row.Y-6, row.Y+6, row.Y+4
		if sp.shown {
			row.X = l.plotLeft + (l.plotRight-l.plotLeft)*sp.x
			if sp.hasCI {
				row.Low = l.plotLeft + (l.plotRight-l.plotLeft)*sp.low
				row.High = l.plotLeft + (l.plotRight-l.plotLeft)*sp.high
			}
		}
		ch.Rows = append(ch.Rows, row)
	}
	plot := y - chartTop
	ch.AxisY, ch.PlotHeight = chartTop+plot, plot
	ch.RegionLabelY, ch.TickLabelY = chartTop-9, chartTop+plot+18
	ch.AxisLabelY = chartTop + plot + 40
	ch.Height = int(math.Ceil(chartTop + plot + chartBottom))
	return ch
}

// wrapLabel splits a long label over two lines at a space.
func wrapLabel(s string, y float64, wrap int) []chartLine {
	lines := wrapLines(s, wrap)
	if len(lines) == 1 {
		return []chartLine{{Text: s, Y: y + 4}}
	}
	return []chartLine{{Text: lines[0], Y: y - 3}, {Text: strings.Join(lines[1:], " "), Y: y + 11}}
}

// wrapLines breaks s at spaces into lines of at most wrap characters; a
// word longer than that stays whole on its own line.
func wrapLines(s string, wrap int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > wrap {
			lines = append(lines, line)
			line = w
			continue
		}
		line = strings.TrimSpace(line + " " + w)
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// drawBoth lays the chart out wide and narrow; scale maps a value to [0, 1]
// of the plot, and decorate adds the regions, ticks and zero line, which
// depend on the layout's plot.
func drawBoth(id, title, desc, axis string, specs []chartRowSpec, decorate func(ch *intervalChart, x func(float64) float64)) intervalChart {
	draw := func(l chartLayout) intervalChart {
		ch := layoutChart(l, id, title, desc, axis, specs)
		decorate(&ch, func(f float64) float64 { return l.plotLeft + (l.plotRight-l.plotLeft)*f })
		return ch
	}
	wide, narrow := draw(wideChart), draw(narrowChart)
	wide.Narrow = &narrow
	return wide
}

func (v resultsViewer) scoreChart(id, title, desc string, in []chartInput) intervalChart {
	unit := func(score float64) float64 { return math.Max(0, math.Min(100, score)) / 100 }
	var specs []chartRowSpec
	for _, r := range in {
		sp := chartRowSpec{label: r.Label, strong: r.Strong, value: v.t.Get("results.hidden")}
		if r.Score.Shown && r.Score.Mean != nil {
			sp.shown, sp.x = true, unit(*r.Score.Mean)
			sp.value = v.f.dec(*r.Score.Mean, 1) + " · " + v.bandWord(r.Score.Band)
			if r.Score.CI != nil {
				sp.hasCI, sp.low, sp.high = true, unit(r.Score.CI.Low), unit(r.Score.CI.High)
			}
		}
		specs = append(specs, sp)
	}
	b := v.q.Bands
	return drawBoth(id, title, desc, v.t.Get("results.axis.score"), specs, func(ch *intervalChart, x func(float64) float64) {
		for _, r := range []struct {
			band     survey.Band
			from, to float64
		}{{survey.BandRed, 0, b.Amber}, {survey.BandAmber, b.Amber, b.Green}, {survey.BandGreen, b.Green, 100}} {
			if r.to <= r.from {
				continue
			}
			from, to := x(unit(r.from)), x(unit(r.to))
			ch.Regions = append(ch.Regions, chartRegion{X: from, W: to - from, Fill: bandFill(r.band), Label: v.bandWord(r.band), LabelX: (from + to) / 2})
		}
		for _, t := range []float64{0, 25, 50, 75, 100} {
			ch.Ticks = append(ch.Ticks, chartTick{X: x(unit(t)), Label: v.f.dec(t, 0)})
		}
	})
}

// diffChart draws differences around a zero line, on a symmetric scale wide
// enough for every shown interval.
func (v resultsViewer) diffChart(id, title, desc, axis string, in []diffInput) intervalChart {
	extent := 10.0
	for _, r := range in {
		if r.Diff.Shown && r.Diff.Diff != nil {
			extent = math.Max(extent, math.Abs(*r.Diff.Diff))
			if r.Diff.CI != nil {
				extent = math.Max(extent, math.Max(math.Abs(r.Diff.CI.Low), math.Abs(r.Diff.CI.High)))
			}
		}
	}
	extent = math.Min(100, math.Ceil(extent/10)*10)
	unit := func(d float64) float64 {
		d = math.Max(-extent, math.Min(extent, d))
		return (d + extent) / (2 * extent)
	}
	var specs []chartRowSpec
	for _, r := range in {
		sp := chartRowSpec{label: r.Label, strong: r.Diff.Measure == survey.MeasureIndex, value: v.t.Get("results.hidden")}
		if r.Diff.Shown && r.Diff.Diff != nil {
			sp.shown, sp.x = true, unit(*r.Diff.Diff)
			sp.value = r.Value.Diff + " · " + r.Value.Verdict
			if r.Diff.CI != nil {
				sp.hasCI, sp.low, sp.high = true, unit(r.Diff.CI.Low), unit(r.Diff.CI.High)
			}
		}
		specs = append(specs, sp)
	}
	return drawBoth(id, title, desc, axis, specs, func(ch *intervalChart, x func(float64) float64) {
		ch.Diverging = true
		ch.Zero = x(unit(0))
		for _, t := range []float64{-extent, -extent / 2, 0, extent / 2, extent} {
			ch.Ticks = append(ch.Ticks, chartTick{X: x(unit(t)), Label: v.f.signed(t, 0)})
		}
	})
}

// variant is the key of one of a family of texts, such as
// "results.band.red": the catalog check sees the literal keys, and the
// families are complete in both catalogs.
func variant(prefix, id string) string { return prefix + id }
