package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The employee summary: after closing, the consultant may publish the
// organisation's results on the respondent link for everyone who was
// invited. What it shows is a summary release (scoring.EmployeeSummaryOf
// of the last final release), recorded like every other release, so the
// privacy audit sees it and it can never show what the results hide.

const (
	// actionSummaryPublish and actionSummaryWithdraw are the audit
	// actions of the employee summary.
	actionSummaryPublish  = "summary_publish"
	actionSummaryWithdraw = "summary_withdraw"
	// summaryFilePDF is the name of the notice-board PDF.
	summaryFilePDF = "uitkomsten.pdf"
)

// summaryForm is the consultant's form: the directors' message.
type summaryForm struct {
	Message string `form:"message" validate:"max=1200"`
}

// employeeSummaryView is what the summary page and its PDF show, every
// number formatted in the reader's language.
type employeeSummaryView struct {
	Organisation string
	Diagnostic   string
	Period       string
	Response     string
	Index        scoreCard
	IndexText    string
	BandLegend   []bandView
	Factors      []factorView
	PrioHeading  string
	Priorities   []summaryPriorityView
	PrioNone     string
	Actions      []summaryActionView
	// Message holds the directors' message in paragraphs.
	Message []string
	PDFURL  string
	// Preview is set on the consultant's preview, which shows the summary
	// as employees will see it; BackURL leads back to the workspace.
	Preview bool
	BackURL string
}

type summaryPriorityView struct {
	Factor   string
	Score    string
	Band     survey.Band
	BandWord string
}

// summaryActionView is one chosen action as employees read it.
type summaryActionView struct {
	Title  string
	Serves string
	Owner  string
	When   string
	Status string
}

// summaryAdminPage is the consultant's page of the employee summary.
type summaryAdminPage struct {
	Diagnostic *survey.Diagnostic
	// Closed says whether the diagnostic is closed; Available whether its
	// results may be shown.
	Closed, Available bool
	Published         bool
	PublishedOn       string
	Form              summaryForm
	Errors            formErrors
	Link              string
	Max               int
}

// summaryRelease returns the summary release that the employee summary of
// the closed diagnostic d shows: the one recorded after the last final
// release, else a new one recorded now. nil when there are no results to
// show (too few responses).
func (s *Server) summaryRelease(ctx context.Context, d *survey.Diagnostic) (*survey.Release, error) {
	count, err := s.store.CountResponses(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if rel, err := s.currentSummary(ctx, d, count); rel != nil || err != nil {
		return rel, err
	}
	r, err := s.loadResults(ctx, d)
	if err != nil {
		return nil, err
	}
	if !r.Availability.Available || r.Availability.Preview || r.Result == nil {
		return nil, nil
	}
	for attempt := 1; ; attempt++ {
		rels, err := s.store.Releases(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		last := lastRelease(rels)
		if last == nil || last.Kind != survey.ReleaseFinal {
			return nil, nil
		}
		rel, err := s.store.RecordRelease(ctx, d.ID, last.Seq, scoring.SummaryReleaseOf(*last))
		if survey.ErrorCode(err) == survey.CodeConflict && attempt < maxReleaseAttempts {
			// Another request recorded a release meanwhile: it may be
			// the summary itself.
			if rel, err := s.currentSummary(ctx, d, count); rel != nil || err != nil {
				return rel, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return &rel, nil
	}
}

// currentSummary is the summary release recorded after the last results
// release when that is a final release of count responses; nil otherwise.
func (s *Server) currentSummary(ctx context.Context, d *survey.Diagnostic, count int) (*survey.Release, error) {
	all, err := s.store.AllReleases(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var lastResults, lastSummary *survey.Release
	for i := range all {
		if all[i].Kind == survey.ReleaseSummary {
			lastSummary = &all[i]
		} else {
			lastResults = &all[i]
		}
	}
	if lastSummary == nil || lastResults == nil || lastResults.Kind != survey.ReleaseFinal ||
		lastSummary.Seq < lastResults.Seq || lastResults.Responses != count || lastSummary.Result == nil {
		return nil, nil
	}
	return lastSummary, nil
}

// summaryViewOf writes the summary of rel for readers of t's language.
func (s *Server) summaryViewOf(ctx context.Context, d *survey.Diagnostic, rel *survey.Release, sum survey.EmployeeSummary, t Translator) (*employeeSummaryView, error) {
	res := rel.Result
	v := resultsViewer{t: t, f: numbersFor(t.Lang()), q: &d.Questionnaire, d: d, min: minGroup(d)}
	view := &employeeSummaryView{
		Organisation: d.Organisation.Name,
		Diagnostic:   d.Name,
		Response:     summaryResponseText(max(res.Responses, res.N), reportHeadcount(d), t),
		BandLegend:   v.bandLegend(),
	}
	if start, end := fieldwork(d); start != nil || end != nil {
		view.Period = periodText(d, t)
	}
	index := v.score(res.Index)
	view.Index = scoreCard{Label: t.Get("results.index"), Score: index, IntervalWord: t.Get("results.col.interval"), HiddenWord: t.Get("results.hidden")}
	if index.Shown {
		view.IndexText = t.Get("summary.index_text", index.Mean, index.BandWord)
	} else {
		view.IndexText = t.Get("summary.index_hidden")
	}
	_, view.Factors = v.factors(res)
	for _, p := range res.Priorities {
		if len(view.Priorities) == scoring.PriorityCount {
			break
		}
		pv := summaryPriorityView{Factor: v.measureName(p.Factor), Score: v.f.dec(p.Score, 1)}
		for _, fr := range res.Factors {
			if fr.ID == p.Factor && fr.Score.Shown {
				pv.Band, pv.BandWord = fr.Score.Band, v.bandWord(fr.Score.Band)
			}
		}
		view.Priorities = append(view.Priorities, pv)
	}
	switch len(view.Priorities) {
	case scoring.PriorityCount:
		view.PrioHeading = t.Get("summary.priorities_three")
	case 0:
		view.PrioHeading, view.PrioNone = t.Get("summary.priorities"), t.Get("summary.priorities_none")
	default:
		view.PrioHeading = t.Get("summary.priorities")
	}
	actions, err := s.summaryActions(ctx, d, t)
	if err != nil {
		return nil, err
	}
	view.Actions = actions
	view.Message = paragraphs(sum.Message)
	return view, nil
}

// summaryResponseText is the response sentence of the employee summary
// (methodology §17): the count of the release with the rate when the
// headcount is known and not below it, the count alone otherwise.
func summaryResponseText(n, headcount int, t Translator) string {
	if headcount <= 0 || n > headcount {
		return t.Get("summary.response_count", t.Number(n))
	}
	return t.Get("summary.response_rate", t.Number(n), t.Number(headcount), responseRate(n, headcount))
}

// paragraphs splits typed text at blank lines; single line breaks become
// spaces, as a reader of a paragraph expects.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// publishedSummary returns the summary view for the respondent link of d,
// or nil when d is not closed, the summary is not published or there are
// no results to show.
func (s *Server) publishedSummary(ctx context.Context, d *survey.Diagnostic, t Translator) (*employeeSummaryView, error) {
	if d.EffectiveState(s.now()) != survey.StateClosed || d.PulseOf != "" {
		return nil, nil
	}
	sum, err := s.store.EmployeeSummary(ctx, d.ID)
	if err != nil || !sum.Published {
		return nil, err
	}
	rel, err := s.summaryRelease(ctx, d)
	if err != nil || rel == nil {
		return nil, err
	}
	return s.summaryViewOf(ctx, d, rel, sum, t)
}

// respondentSummary shows the employee summary on the respondent link of a
// closed diagnostic that has one published; done is false when there is
// none and the caller goes on as before.
func (s *Server) respondentSummary(c echo.Context) (done bool, err error) {
	ctx := c.Request().Context()
	d, err := s.diagnostics.byToken(ctx, s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil || d.AcceptsResponses(s.now()) {
		return false, nil
	}
	t := s.texts.For(requestLang(c))
	view, err := s.publishedSummary(ctx, d, t)
	if err != nil {
		// The respondent gets the "closed" page rather than an error.
		s.logStoreFailure(c, err)
		return false, nil
	}
	if view == nil {
		return false, nil
	}
	noStore(c)
	view.PDFURL = respondentPath(d, "/"+summaryFilePDF)
	return true, s.render(c, http.StatusOK, "summary", t.Get("summary.title", d.Organisation.Name), view, false)
}

// respondentSummaryPDF serves the one-page PDF of a published summary;
// without one it is unknown.
func (s *Server) respondentSummaryPDF(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.diagnostics.byToken(ctx, s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return err
	}
	lang := requestLang(c)
	sum, err := s.store.EmployeeSummary(ctx, d.ID)
	if err != nil {
		return err
	}
	if d.EffectiveState(s.now()) != survey.StateClosed || !sum.Published {
		return survey.Errorf(survey.CodeNotFound, "no published summary")
	}
	noStore(c)
	return s.sendSummaryPDF(c, d, sum, lang)
}

func (s *Server) sendSummaryPDF(c echo.Context, d *survey.Diagnostic, sum survey.EmployeeSummary, lang string) error {
	ctx := c.Request().Context()
	rel, err := s.summaryRelease(ctx, d)
	if err != nil {
		return err
	}
	if rel == nil {
		return survey.Errorf(survey.CodeNotFound, "no results to summarise")
	}
	t := s.texts.For(lang)
	actions, err := s.summaryActions(ctx, d, t)
	if err != nil {
		return err
	}
	in := report.EmployeeSummary{
		Organisation: d.Organisation.Name, Diagnostic: d.Name, Questionnaire: &d.Questionnaire,
		Result: rel.Result, Headcount: reportHeadcount(d), Message: sum.Message,
		Link: s.absoluteURL(respondentPath(d, "")), Lang: lang, GeneratedOn: s.now(),
	}
	for _, a := range actions {
		in.Actions = append(in.Actions, report.SummaryAction(a))
	}
	pdf, err := report.EmployeeSummaryPDF(in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+summaryFilePDF+`"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// showSummaryAdmin shows the consultant the employee summary: whether it
// is published, the directors' message and the summary as employees see
// it.
func (s *Server) showSummaryAdmin(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	sum, err := s.store.EmployeeSummary(c.Request().Context(), d.ID)
	if err != nil {
		return err
	}
	return s.renderSummaryAdmin(c, http.StatusOK, d, sum, summaryForm{Message: sum.Message}, nil)
}

func (s *Server) renderSummaryAdmin(c echo.Context, status int, d *survey.Diagnostic, sum survey.EmployeeSummary, form summaryForm, errs formErrors) error {
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	p := summaryAdminPage{
		Diagnostic: d, Closed: d.EffectiveState(s.now()) == survey.StateClosed, Published: sum.Published,
		Form: form, Errors: errs, Link: s.absoluteURL(respondentPath(d, "")), Max: survey.MaxSummaryMessage,
	}
	if sum.PublishedAt != nil {
		p.PublishedOn = formatDate(*sum.PublishedAt, t)
	}
	if p.Closed {
		rel, err := s.summaryRelease(ctx, d)
		if err != nil {
			return err
		}
		p.Available = rel != nil
	}
	return s.render(c, status, "summary_admin", t.Get("summary.admin.title", d.Name), p, len(errs) > 0)
}

// showSummaryPreview shows the consultant the summary as employees will
// see it, published or not.
func (s *Server) showSummaryPreview(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if d.EffectiveState(s.now()) != survey.StateClosed {
		return survey.Errorf(survey.CodeConflict, "the diagnostic is not closed")
	}
	sum, err := s.store.EmployeeSummary(ctx, d.ID)
	if err != nil {
		return err
	}
	rel, err := s.summaryRelease(ctx, d)
	if err != nil {
		return err
	}
	if rel == nil {
		return survey.Errorf(survey.CodeConflict, "the results cannot be shown")
	}
	t := s.texts.For(requestLang(c))
	view, err := s.summaryViewOf(ctx, d, rel, sum, t)
	if err != nil {
		return err
	}
	view.Preview, view.BackURL, view.PDFURL = true, summaryAdminPath(d.ID), summaryAdminPath(d.ID)+".pdf"
	return s.render(c, http.StatusOK, "summary", t.Get("summary.title", d.Organisation.Name), view, false)
}

func summaryAdminPath(id string) string { return "/diagnoses/" + id + "/samenvatting" }

// publishSummary publishes the employee summary (again) with the message
// of the form. Only a closed diagnostic whose results may be shown can
// publish one.
func (s *Server) publishSummary(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	var form summaryForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	sum, err := s.store.EmployeeSummary(ctx, d.ID)
	if err != nil {
		return err
	}
	if n := len([]rune(form.Message)); n > survey.MaxSummaryMessage {
		errs := formErrors{{Field: "message", Message: t.Get("summary.error.too_long", t.Number(survey.MaxSummaryMessage), t.Number(n))}}
		return s.renderSummaryAdmin(c, http.StatusUnprocessableEntity, d, sum, form, errs)
	}
	if d.PulseOf != "" {
		// A pulse's priorities would rank against its own question; its
		// results go back to employees with the next full measurement.
		return survey.Errorf(survey.CodeConflict, "a pulse has no employee summary")
	}
	if d.EffectiveState(s.now()) != survey.StateClosed {
		errs := formErrors{{Field: "message", Message: t.Get("summary.error.not_closed")}}
		return s.renderSummaryAdmin(c, http.StatusConflict, d, sum, form, errs)
	}
	rel, err := s.summaryRelease(ctx, d)
	if err != nil {
		return err
	}
	if rel == nil {
		errs := formErrors{{Field: "message", Message: t.Get("summary.error.no_results")}}
		return s.renderSummaryAdmin(c, http.StatusConflict, d, sum, form, errs)
	}
	if _, err := s.store.SetEmployeeSummary(ctx, d.ID, true, strings.TrimSpace(form.Message)); err != nil {
		return err
	}
	s.audit(c, actionSummaryPublish, targetDiagnostic, d.ID, fmt.Sprintf("%s (release %d)", d.Name, rel.Seq))
	s.setFlash(c, "summary.flash.published", d.Name)
	return c.Redirect(http.StatusSeeOther, summaryAdminPath(d.ID))
}

// withdrawSummary takes the employee summary off the respondent link; the
// message is kept for a later publication.
func (s *Server) withdrawSummary(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sum, err := s.store.EmployeeSummary(ctx, d.ID)
	if err != nil {
		return err
	}
	if _, err := s.store.SetEmployeeSummary(ctx, d.ID, false, sum.Message); err != nil {
		return err
	}
	s.audit(c, actionSummaryWithdraw, targetDiagnostic, d.ID, d.Name)
	s.setFlash(c, "summary.flash.withdrawn", d.Name)
	return c.Redirect(http.StatusSeeOther, summaryAdminPath(d.ID))
}

// summaryAdminPDF is the notice-board PDF for the consultant, published
// or not, in the interface language.
func (s *Server) summaryAdminPDF(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	if d.EffectiveState(s.now()) != survey.StateClosed {
		return survey.Errorf(survey.CodeConflict, "the diagnostic is not closed")
	}
	sum, err := s.store.EmployeeSummary(c.Request().Context(), d.ID)
	if err != nil {
		return err
	}
	return s.sendSummaryPDF(c, d, sum, requestLang(c))
}

// summaryActions are the actions of the diagnostic's action plan as
// employees read them: what, for which factor or route, who, when and how
// far. Progress notes stay with the plan: they name their authors.
func (s *Server) summaryActions(ctx context.Context, d *survey.Diagnostic, t Translator) ([]summaryActionView, error) {
	actions, err := s.store.ActionsForDiagnostic(ctx, d.Organisation.FirmID, d.ID)
	if err != nil {
		return nil, err
	}
	out := make([]summaryActionView, 0, len(actions))
	for _, a := range actions {
		v := summaryActionView{Title: a.Title, Owner: a.Owner, Serves: targetName(&d.Questionnaire, a.Target, t.Lang())}
		if a.Status.Valid() {
			v.Status = t.Get("summary.status." + string(a.Status))
		}
		v.When = actionWhen(&a, t)
		out = append(out, v)
	}
	return out, nil
}

// targetName names the factor or route an action serves; "" for the plan
// as a whole or an id the questionnaire does not know.
func targetName(q *survey.Questionnaire, id, lang string) string {
	name, _ := q.TargetName(id, lang)
	return name
}

// actionWhen is the period of an action in words: from its start to its
// due day (a sprint's end), or the one it has.
func actionWhen(a *survey.Action, t Translator) string {
	due := a.Due()
	switch {
	case a.StartDate != nil && due != nil:
		return t.Get("summary.when.both", formatDay(*a.StartDate, t), formatDay(*due, t))
	case due != nil:
		return t.Get("summary.when.due", formatDay(*due, t))
	case a.StartDate != nil:
		return t.Get("summary.when.from", formatDay(*a.StartDate, t))
	default:
		return "–"
	}
}
