package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The action plan of a closed diagnostic (issue 14): the consultant builds
// it from the advice the results chose, or writes steps of their own, and
// the organisation's directors follow it on their page. A director link
// made with the right to update lets its holders change the status of an
// action and add notes; every change is audited, a director's under the
// link's label.

// Audit actions and target of the action plan.
const (
	targetAction         = "action"
	actionCreateAction   = "create_action"
	actionUpdateAction   = "update_action"
	actionDeleteAction   = "delete_action"
	actionDirectorUpdate = "director_update_action"
	actionDirectorCreate = "director_create_action"
)

func planPath(id string) string { return "/diagnoses/" + id + "/actieplan" }

// actionForm is the form of a new action. Dates are typed as the date
// input sends them (2026-03-01) or the Dutch way (1-3-2026).
type actionForm struct {
	Title       string `form:"title" validate:"required,max=200"`
	Target      string `form:"target" validate:"max=100"`
	Owner       string `form:"owner" validate:"required,max=100"`
	StartDate   string `form:"start_date" validate:"max=20"`
	DueDate     string `form:"due_date" validate:"max=20"`
	SprintWeeks string `form:"sprint_weeks" validate:"max=3"`
	Goal        string `form:"goal" validate:"max=400"`
	Source      string `form:"source" validate:"max=100"`
	// Horizon is the advice's suggested term, shown as a hint only.
	Horizon string `form:"horizon" validate:"max=100"`
}

// actionChangeForm is the form with which a status changes or a note is
// added, on the plan page and the director's page.
type actionChangeForm struct {
	Status string `form:"status" validate:"required,oneof=gepland bezig klaar gestopt"`
	Note   string `form:"note" validate:"max=1000"`
}

// option is an entry of a select.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// actionView is an action as the pages show it.
type actionView struct {
	// T, ChangeURL and CSRF serve the shared status form (plan.html);
	// ChangeURL is empty where the viewer may not change the action.
	T          Translator
	ChangeURL  string
	CSRF       string
	ID         string
	Title      string
	Target     string
	Owner      string
	Start      string
	Due        string
	Sprint     string
	Goal       string
	Status     survey.ActionStatus
	StatusWord string
	Overdue    bool
	Notes      []noteView
	// Change is the action's status form, with what was entered when it
	// was refused.
	Change       actionChangeForm
	ChangeError  string
	StatusOption []option
}

type noteView struct {
	Date   string
	Author string
	Text   string
	Change string
}

type actionGroupView struct {
	Heading string
	Actions []actionView
}

type changeView struct {
	Date string
	Text string
}

// planView is the dashboard part shared by the plan page and the director's
// page.
type planView struct {
	T       Translator
	Groups  []actionGroupView
	Overdue []actionView
	Changes []changeView
	Counts  string
	Total   int
}

// suggestionView is one step of the advice that can become an action.
type suggestionView struct {
	Key     string
	Text    string
	Owner   string
	Horizon string
	Chosen  bool
}

type suggestionGroup struct {
	Heading string
	Steps   []suggestionView
}

type actionPlanPage struct {
	Diagnostic *survey.Diagnostic
	Plan       planView
	New        newActionView
	PDFURL     string
}

// newActionView is the advice's suggestions and the form of a new action,
// shared by the plan page and the director's page (plan.html).
type newActionView struct {
	T    Translator
	CSRF string
	// URL is where the form posts; TakeURL the page a suggestion's "take
	// over" link fills in (with ?stap=).
	URL         string
	TakeURL     string
	Suggestions []suggestionGroup
	Form        actionForm
	Errors      formErrors
	Targets     []option
	Sprints     []option
	// Prefilled is set when the form holds a chosen suggestion; Editing
	// when it changes an action.
	Prefilled bool
	Editing   bool
}

// newActionFor is the suggestions and an empty form, or the form of the
// suggestion key when it names one.
func (s *Server) newActionFor(c echo.Context, p *planContext, t Translator, url, takeURL, key string) newActionView {
	v := newActionView{T: t, CSRF: csrfToken(c), URL: url, TakeURL: takeURL}
	var forms map[string]actionForm
	v.Suggestions, forms = s.suggestionsFor(p, t)
	if f, ok := forms[key]; ok && key != "" {
		v.Form = prefill(f, startOfDay(s.now(), s.location))
		v.Prefilled = true
	}
	v.Targets = targetOptions(&p.d.Questionnaire, v.Form.Target, t)
	v.Sprints = sprintOptions(v.Form.SprintWeeks, t)
	return v
}

// refused puts a refused form back, with its errors.
func (v *newActionView) refused(q *survey.Questionnaire, form actionForm, errs formErrors, t Translator) {
	v.Form, v.Errors, v.Prefilled = form, errs, form.Source != ""
	v.Targets = targetOptions(q, form.Target, t)
	v.Sprints = sprintOptions(form.SprintWeeks, t)
}

// planContext is what the plan pages need of a closed diagnostic.
type planContext struct {
	d       *survey.Diagnostic
	r       *results
	actions []survey.Action
}

// loadPlan loads the firm's diagnostic and its plan; the plan exists only
// once the results of a closed diagnostic may be shown.
func (s *Server) loadPlan(c echo.Context) (*planContext, error) {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	r, err := s.loadResults(ctx, d)
	if err != nil {
		return nil, err
	}
	if !r.Availability.Available || r.Availability.Preview {
		return &planContext{d: d, r: r}, nil
	}
	actions, err := s.store.ActionsForDiagnostic(ctx, d.Organisation.FirmID, d.ID)
	if err != nil {
		return nil, err
	}
	return &planContext{d: d, r: r, actions: actions}, nil
}

func (p *planContext) open() bool { return p.r.Availability.Available && !p.r.Availability.Preview }

// planClosedOnly answers a plan request on a diagnostic whose results are
// not (yet) final.
func (s *Server) planClosedOnly(c echo.Context) error {
	t := s.texts.For(requestLang(c))
	page := errorPage{Status: http.StatusConflict, Heading: t.Get("actions.unavailable.heading"), Message: t.Get("actions.unavailable")}
	return s.render(c, http.StatusConflict, "error", page.Heading, page, false)
}

// openPlan loads the plan of a request; done reports that the plan is not
// open yet and the refusal has been answered already.
func (s *Server) openPlan(c echo.Context) (p *planContext, done bool, err error) {
	if p, err = s.loadPlan(c); err != nil {
		return nil, false, err
	}
	if !p.open() {
		return nil, true, s.planClosedOnly(c)
	}
	return p, false, nil
}

// renderPlanAgain shows the plan page again after a refused form.
func (s *Server) renderPlanAgain(c echo.Context, p *planContext, t Translator, page actionPlanPage) error {
	return s.render(c, http.StatusUnprocessableEntity, "actions", t.Get("error.title_prefix")+" "+t.Get("actions.title", p.d.Name), page, true)
}

// suggestionsFor lists the advice steps the results chose, keyed so that a
// chosen one can be looked up again: routes first, then the priorities,
// then the gap, as the report orders them.
func (s *Server) suggestionsFor(p *planContext, t Translator) ([]suggestionGroup, map[string]actionForm) {
	q := &p.d.Questionnaire
	lang := t.Lang()
	sel := report.SelectAdvice(p.r.Result, q, s.advice, lang)
	chosen := map[string]bool{}
	for _, a := range p.actions {
		chosen[a.Source] = true
	}
	forms := map[string]actionForm{}
	var groups []suggestionGroup
	add := func(heading, prefix, target string, steps []report.Step) {
		g := suggestionGroup{Heading: heading}
		for i, st := range steps {
			key := prefix + ":" + strconv.Itoa(i)
			g.Steps = append(g.Steps, suggestionView{Key: key, Text: st.Text, Owner: st.Owner, Horizon: st.Horizon, Chosen: chosen[key]})
			forms[key] = actionForm{Title: st.Text, Owner: st.Owner, Target: target, Source: key, Horizon: st.Horizon}
		}
		if len(g.Steps) > 0 {
			groups = append(groups, g)
		}
	}
	for _, ra := range sel.Routes {
		add(t.Get("actions.suggest.route", targetLabel(q, ra.Route, lang)), "route:"+ra.Route, ra.Route, ra.Steps)
	}
	for _, fa := range sel.Factors {
		add(t.Get("actions.suggest.factor", fa.Rank, targetLabel(q, fa.Factor, lang)), "factor:"+fa.Factor, fa.Factor, fa.Steps)
	}
	if sel.Gap != nil {
		target := ""
		if sel.Gap.Measure != survey.MeasureIndex {
			target = sel.Gap.Measure
		}
		add(t.Get("actions.suggest.gap"), "gap", target, sel.Gap.Steps)
	}
	return groups, forms
}

// targetLabel names the factor or route an action serves; an id the
// questionnaire does not know is shown as it is.
func targetLabel(q *survey.Questionnaire, id, lang string) string {
	if name, ok := q.TargetName(id, lang); ok {
		return name
	}
	return id
}

// targetOptions lists the routes, then the factors, then "the plan as a
// whole", for the select of a new action.
func targetOptions(q *survey.Questionnaire, selected string, t Translator) []option {
	lang := t.Lang()
	var out []option
	for _, r := range q.Routes {
		out = append(out, option{Value: r.ID, Label: t.Get("actions.target.route", r.Name.In(lang)), Selected: r.ID == selected})
	}
	for _, f := range q.Factors {
		out = append(out, option{Value: f.ID, Label: t.Get("actions.target.factor", f.Name.In(lang)), Selected: f.ID == selected})
	}
	out = append(out, option{Value: "", Label: t.Get("actions.target.none"), Selected: selected == ""})
	return out
}

func sprintOptions(selected string, t Translator) []option {
	out := []option{{Value: "", Label: t.Get("actions.form.no_sprint"), Selected: selected == ""}}
	for w := survey.MinSprintWeeks; w <= survey.MaxSprintWeeks; w++ {
		v := strconv.Itoa(w)
		out = append(out, option{Value: v, Label: t.Get("actions.form.sprint_weeks_n", w), Selected: v == selected})
	}
	return out
}

func statusOptions(selected survey.ActionStatus, t Translator) []option {
	var out []option
	for _, st := range survey.ActionStatuses() {
		out = append(out, option{Value: string(st), Label: t.Get("actions.status." + string(st)), Selected: st == selected})
	}
	return out
}

// planDay is the day of now in the service's time zone as a calendar day
// (UTC midnight), the way action dates are stored and compared.
func (s *Server) planDay(now time.Time) time.Time {
	today := startOfDay(now, s.location)
	return time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
}

// planViewFor builds the dashboard: the actions per route, the overdue
// ones, and the changes of the past week.
func (s *Server) planViewFor(q *survey.Questionnaire, actions []survey.Action, t Translator, changeURL func(id string) string, csrf string) planView {
	lang := t.Lang()
	now := s.now()
	day := s.planDay(now)
	view := func(a survey.Action) actionView {
		v := actionView{
			T: t, CSRF: csrf, ID: a.ID, Title: a.Title, Owner: a.Owner, Goal: a.Goal, Status: a.Status,
			StatusWord: t.Get("actions.status." + string(a.Status)), Overdue: a.Overdue(day),
			Change: actionChangeForm{Status: string(a.Status)}, StatusOption: statusOptions(a.Status, t),
		}
		if changeURL != nil {
			v.ChangeURL = changeURL(a.ID)
		}
		if a.Target != "" {
			v.Target = targetLabel(q, a.Target, lang)
		}
		if a.StartDate != nil {
			v.Start = formatDay(*a.StartDate, t)
		}
		if due := a.Due(); due != nil {
			v.Due = formatDay(*due, t)
		}
		if a.SprintWeeks > 0 {
			v.Sprint = t.Get("actions.sprint", a.SprintWeeks)
		}
		for i := len(a.Notes) - 1; i >= 0; i-- {
			n := a.Notes[i]
			nv := noteView{Date: formatDate(n.At, t), Author: n.Author, Text: n.Text}
			if n.To != "" {
				nv.Change = t.Get("actions.note.change", t.Get("actions.status."+string(n.From)), t.Get("actions.status."+string(n.To)))
			}
			v.Notes = append(v.Notes, nv)
		}
		return v
	}
	p := planView{T: t}
	p.Total = len(actions)
	counts := map[survey.ActionStatus]int{}
	for _, a := range actions {
		counts[a.Status]++
	}
	for _, g := range survey.GroupActions(q, actions) {
		gv := actionGroupView{Heading: t.Get("actions.group.none")}
		if g.Route != "" {
			gv.Heading = targetLabel(q, g.Route, lang)
		}
		for _, a := range g.Actions {
			gv.Actions = append(gv.Actions, view(a))
		}
		p.Groups = append(p.Groups, gv)
	}
	overdue := survey.Overdue(actions, day)
	for _, a := range overdue {
		p.Overdue = append(p.Overdue, view(a))
	}
	for _, ch := range survey.ChangesSince(actions, now.Add(-survey.ChangeWindow)) {
		p.Changes = append(p.Changes, changeView{Date: formatDate(ch.At, t), Text: report.ChangeText(ch, lang)})
	}
	p.Counts = t.Get("actions.counts", len(actions), counts[survey.ActionPlanned], counts[survey.ActionDoing],
		counts[survey.ActionDone], counts[survey.ActionStopped], len(overdue))
	return p
}

// formatDay prints a calendar day stored as UTC midnight.
func formatDay(d time.Time, t Translator) string {
	return fmt.Sprintf("%d %s %d", d.Day(), t.Get("month."+strconv.Itoa(int(d.Month()))), d.Year())
}

// showActionPlan is the plan page: the dashboard, the actions with their
// status forms, the advice's suggestions and the form of a new action. A
// suggestion's "take over" link fills in that form (?stap=...).
func (s *Server) showActionPlan(c echo.Context) error {
	p, done, err := s.openPlan(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := s.actionPlanPageFor(c, p, t, c.QueryParam("stap"))
	return s.render(c, http.StatusOK, "actions", t.Get("actions.title", p.d.Name), page, false)
}

func (s *Server) actionPlanPageFor(c echo.Context, p *planContext, t Translator, key string) actionPlanPage {
	change := func(id string) string { return planPath(p.d.ID) + "/" + id }
	return actionPlanPage{
		Diagnostic: p.d,
		Plan:       s.planViewFor(&p.d.Questionnaire, p.actions, t, change, csrfToken(c)),
		New:        s.newActionFor(c, p, t, planPath(p.d.ID), planPath(p.d.ID), key),
		PDFURL:     planPath(p.d.ID) + ".pdf",
	}
}

// reHorizon finds the last number in an advice horizon and its unit:
// "binnen 3 maanden", "3 to 6 months", "within 1 month".
var reHorizon = regexp.MustCompile(`(?i)(\d+)\s*(maand|maanden|month|months|week|weken|weeks|jaar|year|years)\b`)

// prefill turns a suggestion's horizon into dates where it names a term:
// from today to the end of the term. A horizon without a term ("doorlopend",
// "every quarter") leaves the planning to the consultant.
func prefill(f actionForm, today time.Time) actionForm {
	ms := reHorizon.FindAllStringSubmatch(f.Horizon, -1)
	if len(ms) == 0 {
		return f
	}
	m := ms[len(ms)-1]
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 || n > 36 {
		return f
	}
	due := today
	switch unit := strings.ToLower(m[2]); {
	case strings.HasPrefix(unit, "maand"), strings.HasPrefix(unit, "month"):
		due = today.AddDate(0, n, 0)
	case strings.HasPrefix(unit, "week"):
		if n >= survey.MinSprintWeeks && n <= survey.MaxSprintWeeks {
			f.StartDate = today.Format(time.DateOnly)
			f.SprintWeeks = strconv.Itoa(n)
			return f
		}
		due = today.AddDate(0, 0, 7*n)
	default:
		due = today.AddDate(n, 0, 0)
	}
	f.StartDate = today.Format(time.DateOnly)
	f.DueDate = due.Format(time.DateOnly)
	return f
}

// parseDay reads a day as the date input sends it or typed the Dutch way.
func parseDay(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{time.DateOnly, "2-1-2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return &d, true
		}
	}
	return nil, false
}

// actionFromForm checks the form of a new action and returns the action,
// or the form's errors in the user's language.
func (s *Server) actionFromForm(form *actionForm, q *survey.Questionnaire, t Translator) (*survey.Action, formErrors) {
	form.Title, form.Owner, form.Goal = cleanText(form.Title), cleanText(form.Owner), cleanText(form.Goal)
	form.Target, form.Source, form.Horizon = strings.TrimSpace(form.Target), strings.TrimSpace(form.Source), cleanText(form.Horizon)
	errs := s.validateForm(form, t, map[string]string{
		"Title.required": "actions.error.title", "Title.max": "actions.error.title_long",
		"Owner.required": "actions.error.owner", "Owner.max": "actions.error.owner_long",
		"Goal.max": "actions.error.goal_long", "Target": "actions.error.target",
		"StartDate": "actions.error.date", "DueDate": "actions.error.date", "SprintWeeks": "actions.error.sprint",
		"Source": "error.bad_request", "Horizon": "error.bad_request",
	})
	if len(errs) > 0 {
		return nil, errs
	}
	a := &survey.Action{Title: form.Title, Owner: form.Owner, Goal: form.Goal, Target: form.Target, Source: form.Source}
	if a.Target != "" && q.RouteOf(a.Target) == "" {
		if _, ok := q.Factor(a.Target); !ok {
			errs = append(errs, formError{Field: "target", Message: t.Get("actions.error.target")})
		}
	}
	var ok bool
	if a.StartDate, ok = parseDay(form.StartDate); !ok {
		errs = append(errs, formError{Field: "start_date", Message: t.Get("actions.error.date", form.StartDate)})
	}
	if a.DueDate, ok = parseDay(form.DueDate); !ok {
		errs = append(errs, formError{Field: "due_date", Message: t.Get("actions.error.date", form.DueDate)})
	}
	if form.SprintWeeks != "" {
		w, err := strconv.Atoi(form.SprintWeeks)
		if err != nil || w < survey.MinSprintWeeks || w > survey.MaxSprintWeeks {
			errs = append(errs, formError{Field: "sprint_weeks", Message: t.Get("actions.error.sprint")})
		}
		a.SprintWeeks = w
	}
	if len(errs) > 0 {
		return nil, errs
	}
	switch {
	case a.DueDate == nil && a.SprintWeeks == 0:
		errs = append(errs, formError{Field: "due_date", Message: t.Get("actions.error.when")})
	case a.DueDate != nil && a.SprintWeeks != 0:
		errs = append(errs, formError{Field: "sprint_weeks", Message: t.Get("actions.error.both")})
	case a.SprintWeeks != 0 && a.StartDate == nil:
		errs = append(errs, formError{Field: "start_date", Message: t.Get("actions.error.sprint_start")})
	case a.StartDate != nil && a.DueDate != nil && a.DueDate.Before(*a.StartDate):
		errs = append(errs, formError{Field: "due_date", Message: t.Get("actions.error.order")})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return a, nil
}

// boundAction reads the form of a new action and checks it: the action,
// or the form as entered with its errors.
func (s *Server) boundAction(c echo.Context, q *survey.Questionnaire, t Translator) (actionForm, *survey.Action, formErrors, error) {
	var form actionForm
	if err := c.Bind(&form); err != nil {
		return form, nil, nil, survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	a, errs := s.actionFromForm(&form, q, t)
	return form, a, errs, nil
}

// createAction adds an action to the plan.
func (s *Server) createAction(c echo.Context) error {
	p, done, err := s.openPlan(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	form, a, errs, err := s.boundAction(c, &p.d.Questionnaire, t)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		page := s.actionPlanPageFor(c, p, t, "")
		page.New.refused(&p.d.Questionnaire, form, errs, t)
		return s.renderPlanAgain(c, p, t, page)
	}
	a.DiagnosticID, a.CreatedAt = p.d.ID, s.now()
	if err := s.store.CreateAction(c.Request().Context(), p.d.Organisation.FirmID, a); err != nil {
		return err
	}
	s.audit(c, actionCreateAction, targetAction, a.ID, p.d.Name+": "+a.Title)
	s.setFlash(c, "actions.flash.created", a.Title)
	return c.Redirect(http.StatusSeeOther, planPath(p.d.ID)+"#actie-"+a.ID)
}

// changeActionStatus changes the status of an action and/or adds a note,
// from the plan page.
func (s *Server) changeActionStatus(c echo.Context) error {
	p, done, err := s.openPlan(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	cons := consultantFrom(c)
	id := c.Param("action")
	a, errMsg, err := s.applyChange(c, p.d.Organisation.FirmID, p.d.ID, id, cons.Email, t)
	if err != nil {
		return err
	}
	if errMsg != nil {
		page := s.actionPlanPageFor(c, p, t, "")
		markChangeError(page.Plan.Groups, id, errMsg)
		return s.renderPlanAgain(c, p, t, page)
	}
	s.audit(c, actionUpdateAction, targetAction, a.ID, p.d.Name+": "+a.Title+" ("+string(a.Status)+")")
	s.setFlash(c, "actions.flash.changed", a.Title)
	return c.Redirect(http.StatusSeeOther, planPath(p.d.ID)+"#actie-"+a.ID)
}

// changeError is a refused status form: the message and what was entered.
type changeError struct {
	form    actionChangeForm
	message string
}

// applyChange reads and applies the status form of action id. A refused
// form comes back as a changeError, with nothing stored.
func (s *Server) applyChange(c echo.Context, firmID, diagnosticID, id, author string, t Translator) (*survey.Action, *changeError, error) {
	var form actionChangeForm
	if err := c.Bind(&form); err != nil {
		return nil, nil, survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	form.Note = cleanText(form.Note)
	if errs := s.validateForm(&form, t, map[string]string{
		"Status": "actions.error.status", "Note.max": "actions.error.note_long",
	}); len(errs) > 0 {
		return nil, &changeError{form: form, message: errs[0].Message}, nil
	}
	status := survey.ActionStatus(form.Status)
	a, err := s.store.ChangeAction(c.Request().Context(), firmID, diagnosticID, id, survey.ActionChange{Status: &status, Note: form.Note, Author: author, At: s.now()})
	if survey.ErrorCode(err) == survey.CodeInvalid {
		// The form checked the status and the note as the store does, so
		// what the store refuses is a change that changes nothing: the
		// same status without a note.
		return nil, &changeError{form: form, message: t.Get("actions.error.nothing")}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return a, nil, nil
}

func markChangeError(groups []actionGroupView, id string, e *changeError) {
	for gi := range groups {
		for ai := range groups[gi].Actions {
			v := &groups[gi].Actions[ai]
			if v.ID == id {
				v.Change, v.ChangeError = e.form, e.message
				for i := range v.StatusOption {
					v.StatusOption[i].Selected = v.StatusOption[i].Value == e.form.Status
				}
			}
		}
	}
}

// deleteAction removes an action from the plan.
func (s *Server) deleteAction(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.store.Action(ctx, d.Organisation.FirmID, c.Param("action"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteAction(ctx, d.Organisation.FirmID, d.ID, a.ID); err != nil {
		return err
	}
	s.audit(c, actionDeleteAction, targetAction, a.ID, d.Name+": "+a.Title)
	s.setFlash(c, "actions.flash.deleted", a.Title)
	return c.Redirect(http.StatusSeeOther, planPath(d.ID))
}

// actionPlanPDF is the one-page printable plan.
func (s *Server) actionPlanPDF(c echo.Context) error {
	p, done, err := s.openPlan(c)
	if done || err != nil {
		return err
	}
	return s.sendPlanPDF(c, p, requestLang(c))
}

func (s *Server) sendPlanPDF(c echo.Context, p *planContext, lang string) error {
	body, err := report.ActionPlanPDF(report.ActionPlan{
		Organisation: p.d.Organisation.Name, Diagnostic: p.d.Name, Questionnaire: &p.d.Questionnaire,
		Actions: p.actions, Lang: lang, Today: s.planDay(s.now()),
	})
	if err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+report.ActionPlanFileName(lang)+`"`)
	return c.Blob(http.StatusOK, "application/pdf", body)
}

// --- The director's part ---

// directorPlan is the action plan on the director's page.
type directorPlan struct {
	Plan      planView
	CanUpdate bool
	// New is the suggestions and the form of a new action, for a link
	// with the right to update.
	New *newActionView
	// Updated names the action a director just changed.
	Updated string
}

// addDirectorPlan adds the plan to the director's page.
func (s *Server) addDirectorPlan(c echo.Context, page *directorPage, link *survey.DirectorLink, r *results, t Translator) error {
	actions, err := s.store.ActionsForDiagnostic(c.Request().Context(), link.FirmID, link.DiagnosticID)
	if err != nil {
		return err
	}
	var change func(string) string
	if link.CanUpdate {
		token := c.Param("token")
		change = func(id string) string { return directorPath(token) + "/acties/" + id }
	}
	page.Plan = &directorPlan{Plan: s.planViewFor(&r.Diagnostic.Questionnaire, actions, t, change, csrfToken(c)), CanUpdate: link.CanUpdate}
	if link.CanUpdate {
		token := c.Param("token")
		p := &planContext{d: r.Diagnostic, r: r, actions: actions}
		v := s.newActionFor(c, p, t, directorPath(token)+"/acties", directorPath(token), c.QueryParam("stap"))
		page.Plan.New = &v
	}
	return nil
}

// directorAuthor is how a director's change is signed: the link's label.
func directorAuthor(link *survey.DirectorLink, t Translator) string {
	if link.Label != "" {
		return link.Label
	}
	return t.Get("actions.director_author")
}

// auditDirector records a director's change under the link's label; a
// director has no account.
func (s *Server) auditDirector(c echo.Context, link *survey.DirectorLink, action string, a *survey.Action, diagnostic string) {
	e := &survey.AuditEntry{
		FirmID: link.FirmID, Email: link.Label, Action: action, TargetType: targetAction, TargetID: a.ID,
		Detail: fmt.Sprintf("%s: %s (%s; link %s)", diagnostic, a.Title, a.Status, link.ID), At: s.now(),
	}
	if err := s.accounts.AddAudit(c.Request().Context(), e); err != nil {
		s.logger.Error("audit entry not stored", "action", action, "error", err.Error())
	}
}

// renderDirectorAgain shows the director's page again after a refused
// form; edit puts the refused input back.
func (s *Server) renderDirectorAgain(c echo.Context, link *survey.DirectorLink, r *results, t Translator, edit func(*directorPlan)) error {
	page := directorPageFor(r, t, c.Param("token"))
	if err := s.addDirectorContext(c.Request().Context(), &page, r, link, t); err != nil {
		return err
	}
	if err := s.addDirectorPlan(c, &page, link, r, t); err != nil {
		return err
	}
	edit(page.Plan)
	page.Expires = t.Get("reports.director.expires", formatDate(link.ExpiresAt.Add(-time.Nanosecond), t))
	return s.render(c, http.StatusUnprocessableEntity, "director", t.Get("error.title_prefix")+" "+t.Get("reports.director.title", r.Diagnostic.Organisation.Name), page, true)
}

// directorUpdater is directorAccess for a change: a link without the right
// to update is refused (403).
func (s *Server) directorUpdater(c echo.Context) (*survey.DirectorLink, *results, bool, error) {
	link, r, done, err := s.directorAccess(c)
	if done || err != nil {
		return link, r, done, err
	}
	if !link.CanUpdate {
		return nil, nil, false, survey.Errorf(survey.CodeForbidden, "this director link may only read")
	}
	return link, r, false, nil
}

// directorUpdated sends the director back to the changed action.
func directorUpdated(c echo.Context, a *survey.Action) error {
	return c.Redirect(http.StatusSeeOther, directorPath(c.Param("token"))+"?bijgewerkt="+a.ID+"#actie-"+a.ID)
}

// directorCreateAction lets a director whose link has the right add an
// action, from the advice or written from scratch.
func (s *Server) directorCreateAction(c echo.Context) error {
	link, r, done, err := s.directorUpdater(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	form, a, errs, err := s.boundAction(c, &r.Diagnostic.Questionnaire, t)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderDirectorAgain(c, link, r, t, func(p *directorPlan) {
			p.New.refused(&r.Diagnostic.Questionnaire, form, errs, t)
		})
	}
	a.DiagnosticID, a.CreatedAt = link.DiagnosticID, s.now()
	if err := s.store.CreateAction(c.Request().Context(), link.FirmID, a); err != nil {
		return err
	}
	s.auditDirector(c, link, actionDirectorCreate, a, r.Diagnostic.Name)
	return directorUpdated(c, a)
}

// directorChangeAction lets a director whose link has the right change the
// status of an action or add a note. A link without it is refused (403).
func (s *Server) directorChangeAction(c echo.Context) error {
	link, r, done, err := s.directorUpdater(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	id := c.Param("action")
	a, errMsg, err := s.applyChange(c, link.FirmID, link.DiagnosticID, id, directorAuthor(link, t), t)
	if err != nil {
		return err
	}
	if errMsg != nil {
		return s.renderDirectorAgain(c, link, r, t, func(p *directorPlan) { markChangeError(p.Plan.Groups, id, errMsg) })
	}
	s.auditDirector(c, link, actionDirectorUpdate, a, r.Diagnostic.Name)
	return directorUpdated(c, a)
}

// --- API ---

// apiActionRequest is the body of POST /api/v1/diagnostics/{id}/actions
// and, with every field optional, of PATCH /api/v1/actions/{id}.
type apiActionRequest struct {
	Title       *string `json:"title"`
	Target      *string `json:"target"`
	Owner       *string `json:"owner"`
	StartDate   *string `json:"start_date"`
	DueDate     *string `json:"due_date"`
	SprintWeeks *int    `json:"sprint_weeks"`
	Goal        *string `json:"goal"`
	Status      *string `json:"status"`
	Source      *string `json:"source"`
	// Note is added as a dated progress note (PATCH only).
	Note *string `json:"note"`
}

type apiActionList struct {
	Actions []apiAction `json:"actions"`
}

// apiAction is an action as the API gives it: days as 2026-03-01.
type apiAction struct {
	ID           string              `json:"id"`
	DiagnosticID string              `json:"diagnostic_id"`
	Title        string              `json:"title"`
	Target       string              `json:"target"`
	Owner        string              `json:"owner"`
	StartDate    string              `json:"start_date,omitempty"`
	DueDate      string              `json:"due_date,omitempty"`
	SprintWeeks  int                 `json:"sprint_weeks"`
	Due          string              `json:"due,omitempty"`
	Goal         string              `json:"goal"`
	Status       survey.ActionStatus `json:"status"`
	Source       string              `json:"source"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	Notes        []survey.ActionNote `json:"notes"`
}

func apiActionOf(a *survey.Action) apiAction {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	out := apiAction{
		ID: a.ID, DiagnosticID: a.DiagnosticID, Title: a.Title, Target: a.Target, Owner: a.Owner,
		StartDate: day(a.StartDate), DueDate: day(a.DueDate), SprintWeeks: a.SprintWeeks, Due: day(a.Due()),
		Goal: a.Goal, Status: a.Status, Source: a.Source, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Notes: a.Notes,
	}
	if out.Notes == nil {
		out.Notes = []survey.ActionNote{}
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// apiListActions returns the plan of the firm's diagnostic.
func (s *Server) apiListActions(c echo.Context) error {
	ctx := c.Request().Context()
	actions, err := s.store.ActionsForDiagnostic(ctx, consultantFrom(c).FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	out := apiActionList{Actions: make([]apiAction, 0, len(actions))}
	for i := range actions {
		out.Actions = append(out.Actions, apiActionOf(&actions[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// apiCreateAction adds an action; the rules are the plan page's.
func (s *Server) apiCreateAction(c echo.Context) error {
	// The diagnostic first: another firm's id is not found, whatever the
	// body holds.
	d, err := s.store.DiagnosticForFirm(c.Request().Context(), consultantFrom(c).FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	var req apiActionRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.Note != nil {
		return invalidRequest("A new action has no notes yet; add one with PATCH.", map[string]string{"note": "not allowed here"})
	}
	form := actionForm{Title: str(req.Title), Target: str(req.Target), Owner: str(req.Owner), StartDate: str(req.StartDate),
		DueDate: str(req.DueDate), Goal: str(req.Goal), Source: str(req.Source)}
	if req.SprintWeeks != nil {
		form.SprintWeeks = strconv.Itoa(*req.SprintWeeks)
	}
	a, errs := s.actionFromForm(&form, &d.Questionnaire, s.texts.For(apiLang))
	if len(errs) > 0 {
		return invalidFields(errs, nil)
	}
	if req.Status != nil {
		a.Status = survey.ActionStatus(*req.Status)
		if !a.Status.Valid() {
			return invalidRequest("Unknown status.", map[string]string{"status": "Use one of " + quotedList(statusNames()) + "."})
		}
	}
	a.DiagnosticID, a.CreatedAt = d.ID, s.now()
	if err := s.store.CreateAction(c.Request().Context(), d.Organisation.FirmID, a); err != nil {
		return err
	}
	s.audit(c, actionCreateAction, targetAction, a.ID, d.Name+": "+a.Title+" (API)")
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/actions/"+a.ID)
	return c.JSON(http.StatusCreated, apiActionOf(a))
}

func statusNames() []string {
	var out []string
	for _, st := range survey.ActionStatuses() {
		out = append(out, string(st))
	}
	return out
}

// apiPatchAction changes the fields given and adds the note, if any.
func (s *Server) apiPatchAction(c echo.Context) error {
	ctx := c.Request().Context()
	cons := consultantFrom(c)
	a, err := s.store.Action(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	var req apiActionRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	d, err := s.store.DiagnosticForFirm(ctx, cons.FirmID, a.DiagnosticID)
	if err != nil {
		return err
	}
	if req.Status != nil && !survey.ActionStatus(*req.Status).Valid() {
		return invalidRequest("Unknown status.", map[string]string{"status": "Use one of " + quotedList(statusNames()) + "."})
	}
	form := formOfAction(a)
	fields := false
	set := func(dst *string, v *string) {
		if v != nil {
			*dst, fields = *v, true
		}
	}
	set(&form.Title, req.Title)
	set(&form.Target, req.Target)
	set(&form.Owner, req.Owner)
	set(&form.StartDate, req.StartDate)
	set(&form.DueDate, req.DueDate)
	set(&form.Goal, req.Goal)
	if req.SprintWeeks != nil {
		fields = true
		form.SprintWeeks = ""
		if *req.SprintWeeks != 0 {
			form.SprintWeeks = strconv.Itoa(*req.SprintWeeks)
		}
	}
	if req.Source != nil {
		return invalidRequest("The source of an action cannot change.", map[string]string{"source": "read-only"})
	}
	if !fields && req.Status == nil && req.Note == nil {
		return invalidRequest("Nothing to change: give at least one field, a status or a note.", nil)
	}
	if fields {
		edited, errs := s.actionFromForm(&form, &d.Questionnaire, s.texts.For(apiLang))
		if len(errs) > 0 {
			return invalidFields(errs, nil)
		}
		edited.ID, edited.DiagnosticID, edited.Status = a.ID, a.DiagnosticID, a.Status
		if req.Status != nil {
			edited.Status = survey.ActionStatus(*req.Status)
		}
		if err := s.store.UpdateAction(ctx, cons.FirmID, edited, cons.Email, s.now()); err != nil {
			return err
		}
		a = edited
	}
	if req.Note != nil || (!fields && req.Status != nil) {
		ch := survey.ActionChange{Note: str(req.Note), Author: cons.Email, At: s.now()}
		if !fields && req.Status != nil {
			st := survey.ActionStatus(*req.Status)
			ch.Status = &st
		}
		if a, err = s.store.ChangeAction(ctx, cons.FirmID, d.ID, a.ID, ch); err != nil {
			return err
		}
	}
	s.audit(c, actionUpdateAction, targetAction, a.ID, d.Name+": "+a.Title+" ("+string(a.Status)+", API)")
	return c.JSON(http.StatusOK, apiActionOf(a))
}

// actionEditPage changes the title, target, owner, dates and goal of an
// action; its status changes on the plan page, with a note.
type actionEditPage struct {
	Diagnostic *survey.Diagnostic
	Action     *survey.Action
	Errors     formErrors
	Form       newActionView
}

func actionEditPath(diagnosticID, actionID string) string {
	return planPath(diagnosticID) + "/" + actionID + "/bewerken"
}

// formOfAction is the form holding an action as stored.
func formOfAction(a *survey.Action) actionForm {
	f := actionForm{Title: a.Title, Target: a.Target, Owner: a.Owner, Goal: a.Goal, Source: a.Source}
	if a.StartDate != nil {
		f.StartDate = a.StartDate.Format(time.DateOnly)
	}
	if a.DueDate != nil {
		f.DueDate = a.DueDate.Format(time.DateOnly)
	}
	if a.SprintWeeks > 0 {
		f.SprintWeeks = strconv.Itoa(a.SprintWeeks)
	}
	return f
}

// planAction loads the plan and one of its actions.
func (s *Server) planAction(c echo.Context) (*planContext, *survey.Action, error) {
	p, err := s.loadPlan(c)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.Action(c.Request().Context(), p.d.Organisation.FirmID, c.Param("action"))
	if err != nil {
		return nil, nil, err
	}
	if a.DiagnosticID != p.d.ID {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "action not found")
	}
	return p, a, nil
}

// openPlanAction is planAction on an open plan; done as in openPlan.
func (s *Server) openPlanAction(c echo.Context) (p *planContext, a *survey.Action, done bool, err error) {
	if p, a, err = s.planAction(c); err != nil {
		return nil, nil, false, err
	}
	if !p.open() {
		return nil, nil, true, s.planClosedOnly(c)
	}
	return p, a, false, nil
}

func (s *Server) renderActionEdit(c echo.Context, status int, p *planContext, a *survey.Action, form actionForm, errs formErrors) error {
	t := s.texts.For(requestLang(c))
	page := actionEditPage{Diagnostic: p.d, Action: a, Errors: errs, Form: newActionView{
		T: t, CSRF: csrfToken(c), URL: actionEditPath(p.d.ID, a.ID), Editing: true,
	}}
	page.Form.refused(&p.d.Questionnaire, form, errs, t)
	page.Form.Prefilled = false
	title := t.Get("actions.edit.title", a.Title)
	if len(errs) > 0 {
		title = t.Get("error.title_prefix") + " " + title
	}
	return s.render(c, status, "action_edit", title, page, len(errs) > 0)
}

// editAction shows the form of an action.
func (s *Server) editAction(c echo.Context) error {
	p, a, done, err := s.openPlanAction(c)
	if done || err != nil {
		return err
	}
	return s.renderActionEdit(c, http.StatusOK, p, a, formOfAction(a), nil)
}

// updateAction stores the edited action; its status stays.
func (s *Server) updateAction(c echo.Context) error {
	p, a, done, err := s.openPlanAction(c)
	if done || err != nil {
		return err
	}
	var form actionForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	// The source is where the action came from; an edit keeps it.
	form.Source = a.Source
	t := s.texts.For(requestLang(c))
	edited, errs := s.actionFromForm(&form, &p.d.Questionnaire, t)
	if len(errs) > 0 {
		return s.renderActionEdit(c, http.StatusUnprocessableEntity, p, a, form, errs)
	}
	edited.ID, edited.DiagnosticID, edited.Status = a.ID, a.DiagnosticID, a.Status
	cons := consultantFrom(c)
	if err := s.store.UpdateAction(c.Request().Context(), p.d.Organisation.FirmID, edited, cons.Email, s.now()); err != nil {
		return err
	}
	s.audit(c, actionUpdateAction, targetAction, a.ID, p.d.Name+": "+edited.Title)
	s.setFlash(c, "actions.flash.changed", edited.Title)
	return c.Redirect(http.StatusSeeOther, planPath(p.d.ID)+"#actie-"+a.ID)
}
