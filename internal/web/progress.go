package web

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// diagnosticPage is the consultant's view of one diagnostic: its state,
// how to distribute it and how many have answered.
type diagnosticPage struct {
	Diagnostic survey.Diagnostic
	State      survey.State
	Period     string
	Link       string
	Progress   progressView
	// CodesIssued and CodesUsed count the access codes, when the
	// diagnostic uses them.
	CodesIssued int
	CodesUsed   int
	// CodesForm keeps what was entered for a batch of codes; CodesBatch
	// is the batch this browser made a moment ago (distribution.go).
	CodesForm  codesForm
	CodesBatch *codesBatch
	Errors     formErrors
	// Mail is the mail section (diagnostic_mail.go); nil when the store
	// keeps no mail.
	Mail *diagnosticMailSection
}

type progressView struct {
	Total int
	// Rate is the overall response rate in percent, or "" when no
	// headcount is known.
	Rate  string
	Units []unitProgress
	// OtherUnits is set when hidden units may be shown together as one row.
	OtherUnits *unitProgress
	Chart      dayChart
	MinGroup   int
}

// unitProgress is one unit's row. Hidden rows show "fewer than N" and no
// rate: not even the count of a small group is shown.
type unitProgress struct {
	Name      string
	Headcount int
	Count     int
	Hidden    bool
	Rate      string
}

// dayChart is a bar chart of responses per day, drawn as inline SVG by the
// template; Bars carry the geometry so the template only places them.
type dayChart struct {
	Width, Height int
	Bars          []dayBar
	Max           int
	Days          []survey.DayCount
	// DayRows are Days as the table shows them, dates written out.
	DayRows []dayRow
	// Desc describes the chart to a screen reader.
	Desc string
	// Font is the labels' size; AxisRight the end of the axis.
	Font      int
	AxisRight float64
	// Narrow is the chart drawn for a phone's width.
	Narrow *dayChart
}

type dayRow struct {
	Date  string
	Count int
}

type dayBar struct {
	X, Y, W, H float64
	Label      string
	Count      int
	ShowLabel  bool
}

func (s *Server) showDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	return s.renderDiagnostic(c, d, nil, http.StatusOK)
}

func (s *Server) renderDiagnostic(c echo.Context, d *survey.Diagnostic, errs formErrors, status int) error {
	return s.renderDiagnosticWith(c, d, errs, status, nil)
}

// renderDiagnosticWith renders the diagnostic's page; fill, if set, adds
// what the request that failed had entered.
func (s *Server) renderDiagnosticWith(c echo.Context, d *survey.Diagnostic, errs formErrors, status int, fill func(*diagnosticPage)) error {
	ctx := c.Request().Context()
	_, pv, err := s.progressOf(ctx, d)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	pv.localise(t)
	page := diagnosticPage{
		Diagnostic: *d,
		State:      d.EffectiveState(s.now()),
		Period:     periodText(d, t),
		Link:       s.absoluteURL(respondentPath(d, "")),
		Progress:   pv,
		Errors:     errs,
	}
	if d.Access == survey.AccessCodes {
		if page.CodesIssued, page.CodesUsed, err = s.store.AccessCodeCounts(ctx, d.ID); err != nil {
			return err
		}
		page.CodesForm = codesForm{Count: "100", Format: codesCSV}
		if len(errs) == 0 {
			page.CodesBatch = s.pendingCodes(c, d)
		}
	}
	if page.Mail, err = s.mailSectionOf(c, d); err != nil {
		return err
	}
	if fill != nil {
		fill(&page)
	}
	title := d.Name
	if len(errs) > 0 {
		title = t.Get("error.title_prefix") + " " + title
	}
	return s.render(c, status, "diagnostic", title, page, len(errs) > 0)
}

// releasedUnits returns, for a closed diagnostic whose results were
// released, the units its last final release showed; nil otherwise. The
// progress of a closed diagnostic must not show per unit what its results
// hide: a unit hidden because it grew by one since a preview would
// otherwise still say where the newcomer sits.
func (s *Server) releasedUnits(ctx context.Context, d *survey.Diagnostic) (map[string]bool, error) {
	if d.EffectiveState(s.now()) != survey.StateClosed {
		return nil, nil
	}
	rels, err := s.store.Releases(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for i := len(rels) - 1; i >= 0; i-- {
		if rels[i].Kind == survey.ReleaseFinal {
			shown := map[string]bool{}
			for _, u := range rels[i].Units {
				shown[u] = true
			}
			return shown, nil
		}
	}
	return nil, nil
}

// progressFor builds the progress view. Unit counts below the minimum group
// size are hidden, and so many more as it takes that no hidden count can be
// derived by subtracting the shown ones from the total. released, when not
// nil, are the only units that may be shown (releasedUnits).
// progressOf loads a diagnostic's progress as every page and the API show
// it: small units, and after closing the units the results hide, merged.
func (s *Server) progressOf(ctx context.Context, d *survey.Diagnostic) (*survey.Progress, progressView, error) {
	p, err := s.store.Progress(ctx, d.ID)
	if err != nil {
		return nil, progressView{}, err
	}
	released, err := s.releasedUnits(ctx, d)
	if err != nil {
		return nil, progressView{}, err
	}
	pv, err := progressFor(d, p, released)
	return p, pv, err
}

func progressFor(d *survey.Diagnostic, p *survey.Progress, released map[string]bool) (progressView, error) {
	pv := progressView{Total: p.Total, MinGroup: d.MinGroupSize, Chart: chartOf(p.ByDay)}
	table := scoring.Table{Dims: []string{survey.BackgroundUnitID}}
	for _, u := range d.Units {
		table.Cells = append(table.Cells, scoring.TableCell{Groups: []string{u.ID}, Count: p.ByUnit[u.ID]})
	}
	shown := map[string]bool{}
	otherShown := false
	if len(table.Cells) > 0 && p.Total > 0 {
		disc, err := scoring.Suppress(table, d.MinGroupSize, nil)
		if err != nil {
			return pv, err
		}
		if disc.TotalShown {
			anyShown, anyHidden := false, false
			for _, g := range disc.Dims[0].Groups {
				shown[g.ID] = g.Shown && (released == nil || released[g.ID])
				anyShown = anyShown || shown[g.ID]
				anyHidden = anyHidden || !shown[g.ID]
			}
			// Hiding more than Suppress asks only merges hidden units:
			// their union is still the total minus the shown units, which
			// anyone can compute.
			otherShown = anyShown && anyHidden
		}
	}
	totalHeadcount, hiddenCount, hiddenHeadcount := 0, 0, 0
	for _, u := range d.Units {
		row := unitProgress{Name: u.Name, Headcount: u.Headcount, Count: p.ByUnit[u.ID], Hidden: !shown[u.ID]}
		totalHeadcount += u.Headcount
		if row.Hidden {
			hiddenCount += row.Count
			hiddenHeadcount += u.Headcount
			row.Count = 0
		} else {
			row.Rate = responseRate(row.Count, u.Headcount)
		}
		pv.Units = append(pv.Units, row)
	}
	if otherShown && hiddenCount > 0 {
		pv.OtherUnits = &unitProgress{Count: hiddenCount, Headcount: hiddenHeadcount, Rate: responseRate(hiddenCount, hiddenHeadcount)}
	}
	if totalHeadcount == 0 {
		totalHeadcount = d.Organisation.Headcount
	}
	pv.Rate = responseRate(p.Total, totalHeadcount)
	return pv, nil
}

func responseRate(count, headcount int) string {
	if headcount <= 0 {
		return ""
	}
	return fmt.Sprintf("%.0f%%", math.Round(100*float64(count)/float64(headcount)))
}

// chartOf lays out one bar per day in a 600 x 200 view box, and again in a
// 320 wide one for phones (see chartLayout in results.go): scaled down, the
// wide drawing's 12 px labels would be unreadable.
func chartOf(days []survey.DayCount) dayChart {
	ch := dayChartOf(days, 600, 8, 12)
	narrow := dayChartOf(days, 320, 4, 13)
	ch.Narrow = &narrow
	return ch
}

// dayChartOf draws the bars in a width x 200 view box with at most about
// labels date labels of font size font.
func dayChartOf(days []survey.DayCount, width, labels, font int) dayChart {
	ch := dayChart{Width: width, Height: 200, Days: days, Font: font}
	if len(days) == 0 {
		return ch
	}
	for _, d := range days {
		ch.Max = max(ch.Max, d.Count)
	}
	const top, bottom, left = 10.0, 30.0, 10.0
	ch.AxisRight = float64(width) - left
	plotH := float64(ch.Height) - top - bottom
	slot := (float64(ch.Width) - 2*left) / float64(len(days))
	labelEvery := max(1, (len(days)+labels-1)/labels)
	for i, d := range days {
		h := 0.0
		if ch.Max > 0 {
			h = plotH * float64(d.Count) / float64(ch.Max)
		}
		ch.Bars = append(ch.Bars, dayBar{
			X: left + float64(i)*slot + slot*0.1, W: slot * 0.8,
			Y: top + plotH - h, H: h,
			Label: d.Date[5:], Count: d.Count, ShowLabel: i%labelEvery == 0,
		})
	}
	return ch
}

// localise writes the chart's dates in the reader's language: "5 dec" under
// the bars, "5 december 2026" in the table. Bars and days share their order.
func (pv *progressView) localise(t Translator) {
	pv.Chart.Desc = t.Get("diag.progress.chart_desc")
	if pv.Chart.Narrow != nil {
		pv.Chart.Narrow.Desc = pv.Chart.Desc
	}
	for i, d := range pv.Chart.Days {
		pv.Chart.Bars[i].Label = dayLabel(d.Date, t)
		if pv.Chart.Narrow != nil {
			pv.Chart.Narrow.Bars[i].Label = pv.Chart.Bars[i].Label
		}
		pv.Chart.DayRows = append(pv.Chart.DayRows, dayRow{Date: dayFull(d.Date, t), Count: d.Count})
	}
}

// liveProgress is what the progress script polls: the sentences of the
// progress paragraph, already in the reader's language, so the script only
// replaces text.
type liveProgress struct {
	Total int    `json:"total"`
	Text  string `json:"text"`
}

// progressText is the progress paragraph's sentence.
func progressText(pv progressView, t Translator) string {
	text := t.Get("diag.progress.total", t.Number(pv.Total))
	if pv.Rate != "" {
		text += " " + t.Get("diag.progress.rate", pv.Rate)
	}
	return text
}

// showLiveProgress answers the progress script of the diagnostic page. It
// shows only what the page shows: the total and the overall rate.
func (s *Server) showLiveProgress(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	_, pv, err := s.progressOf(c.Request().Context(), d)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, liveProgress{Total: pv.Total, Text: progressText(pv, s.texts.For(requestLang(c)))})
}
