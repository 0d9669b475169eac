package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// diagnosticForm is what a consultant enters for a diagnostic. Units are
// one per line, optionally with a headcount after a semicolon
// ("Uitvoering; 120").
type diagnosticForm struct {
	Name          string   `form:"name" validate:"required,max=200"`
	Questionnaire string   `form:"questionnaire" validate:"required,max=100"`
	Languages     []string `form:"languages" validate:"dive,oneof=nl en"`
	Units         string   `form:"units" validate:"required,max=20000"`
	OpensOn       string   `form:"opens_on" validate:"omitempty,datetime=2006-01-02"`
	ClosesOn      string   `form:"closes_on" validate:"omitempty,datetime=2006-01-02"`
	MinGroupSize  string   `form:"min_group_size" validate:"required,oneof=5 6 7 8 9 10"`
	Access        string   `form:"access" validate:"required,oneof=link codes"`
	PreviousID    string   `form:"previous_id" validate:"omitempty,max=64"`
	// api is set for the JSON API, whose units are a list rather than
	// lines of text: it reports the first problem as before, without a
	// line number.
	api bool
}

// Limits on units keep pages and reports readable.
const (
	maxUnits        = 200
	maxUnitNameRune = 100
)

type diagnosticFormPage struct {
	Organisation   survey.Organisation
	Form           diagnosticForm
	Errors         formErrors
	Questionnaires []questionnaireOption
	Previous       []diagnosticRowView
	Action         string
	Editing        bool
	GroupSizes     []string
	// CopiedFrom names the earlier wave whose units a new diagnostic's
	// form was filled with.
	CopiedFrom string
	// Started is set once the diagnostic has been opened: the instrument,
	// the access mode and the units are fixed from then on, because
	// answers depend on them. Only the units' headcounts, which feed
	// nothing but response rates, can still be corrected.
	Started    bool
	Headcounts []headcountField
	// Mail is who hears about the diagnostic by mail, and when
	// (diagnostic_mail_form.go); nil when the store keeps no mail settings.
	Mail *mailSettingsForm
}

// headcountField is one unit's headcount on the edit form of an opened
// diagnostic, as typed.
type headcountField struct {
	ID, Name, Value, Error string
}

// headcountInput names the input of a unit's headcount.
func headcountInput(unitID string) string { return "headcount-" + unitID }

// startedHeadcounts reads the headcounts posted for an opened diagnostic
// into d's units and returns the fields to show again.
func startedHeadcounts(c echo.Context, d *survey.Diagnostic, t Translator) ([]headcountField, formErrors) {
	var fields []headcountField
	var errs formErrors
	for i, u := range d.Units {
		f := headcountField{ID: u.ID, Name: u.Name, Value: strings.TrimSpace(c.FormValue(headcountInput(u.ID)))}
		n := 0
		if f.Value != "" {
			var msg string
			if n, msg = parseHeadcount(f.Value, u.Name, t); msg != "" {
				f.Error = msg
				errs = append(errs, formError{Field: headcountInput(u.ID), Message: msg})
			}
		}
		if f.Error == "" {
			d.Units[i].Headcount = n
		}
		fields = append(fields, f)
	}
	return fields, errs
}

func headcountFields(units []survey.Unit) []headcountField {
	var fields []headcountField
	for _, u := range units {
		f := headcountField{ID: u.ID, Name: u.Name}
		if u.Headcount > 0 {
			f.Value = formatCount(u.Headcount, "nl")
		}
		fields = append(fields, f)
	}
	return fields
}

type questionnaireOption struct {
	Key   string
	Label string
}

// questionnaireKey identifies a questionnaire version in forms.
func questionnaireKey(q *survey.Questionnaire) string { return q.ID + "@" + q.Version }

func (s *Server) questionnaireOptions(t Translator) []questionnaireOption {
	var opts []questionnaireOption
	for _, q := range s.questionnaires {
		opts = append(opts, questionnaireOption{Key: questionnaireKey(q), Label: fmt.Sprintf("%s (%s %s)", q.Title.In(t.Lang()), t.Get("diag.version"), q.Version)})
	}
	return opts
}

func (s *Server) questionnaireByKey(key string) (*survey.Questionnaire, bool) {
	for _, q := range s.questionnaires {
		if questionnaireKey(q) == key {
			return q, true
		}
	}
	return nil, false
}

// diagnosticFormPageFor fills the parts of the form page that do not come
// from the form itself.
func (s *Server) diagnosticFormPageFor(c echo.Context, o *survey.Organisation, exclude string) (diagnosticFormPage, error) {
	t := s.texts.For(requestLang(c))
	page := diagnosticFormPage{Organisation: *o, Questionnaires: s.questionnaireOptions(t), GroupSizes: []string{"5", "6", "7", "8", "9", "10"}}
	ds, err := s.store.ListDiagnostics(c.Request().Context(), o.FirmID, o.ID)
	if err != nil {
		return page, err
	}
	for _, d := range ds {
		if d.ID != exclude {
			page.Previous = append(page.Previous, diagnosticRowView{ID: d.ID, Name: d.Name, Period: periodText(&d, t)})
		}
	}
	return page, nil
}

func (s *Server) newDiagnostic(c echo.Context) error {
	cons := consultantFrom(c)
	o, err := s.store.OrganisationForFirm(c.Request().Context(), cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	page, err := s.diagnosticFormPageFor(c, o, "")
	if err != nil {
		return err
	}
	page.Action = "/organisaties/" + o.ID + "/diagnoses"
	page.Form = diagnosticForm{
		Name:         fmt.Sprintf("%s %d", o.Name, s.now().Year()),
		Languages:    []string{"nl", "en"},
		MinGroupSize: strconv.Itoa(survey.DefaultMinGroupSize),
		Access:       string(survey.AccessLink),
	}
	if len(s.questionnaires) > 0 {
		page.Form.Questionnaire = questionnaireKey(s.questionnaires[len(s.questionnaires)-1])
	}
	if err := s.followPreviousWave(c, &page); err != nil {
		return err
	}
	if s.mailStore() != nil {
		m := defaultMailSettingsForm()
		page.Mail = &m
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "diagnostic_form", t.Get("diag.new.title"), page, false)
}

// organisationDiagnostics answers a reload or bookmark of the address the
// new-diagnostic form posts to: the diagnostics are listed on the
// organisation's page.
func (s *Server) organisationDiagnostics(c echo.Context) error {
	o, err := s.store.OrganisationForFirm(c.Request().Context(), consultantFrom(c).FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/organisaties/"+o.ID)
}

func (s *Server) createDiagnostic(c echo.Context) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	o, err := s.store.OrganisationForFirm(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	var form diagnosticForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	d := &survey.Diagnostic{OrganisationID: o.ID, State: survey.StateDraft}
	page, err := s.diagnosticFormPageFor(c, o, "")
	if err != nil {
		return err
	}
	page.Action = "/organisaties/" + o.ID + "/diagnoses"
	page.Form = form
	errs := s.applyDiagnosticForm(&form, d, page.Previous, false, t)
	settings, mailErrs := s.readMailSettings(c, &page, t)
	if errs = append(errs, mailErrs...); len(errs) > 0 {
		page.Form, page.Errors = form, errs
		return s.render(c, http.StatusUnprocessableEntity, "diagnostic_form", t.Get("error.title_prefix")+" "+t.Get("diag.new.title"), page, true)
	}
	if err := s.store.CreateDiagnostic(ctx, d); err != nil {
		return err
	}
	if err := s.saveMailSettings(ctx, d.ID, settings); err != nil {
		return err
	}
	s.audit(c, "create", "diagnostic", d.ID, d.Name)
	s.setFlash(c, "diag.flash.created", d.Name)
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID)
}

// applyDiagnosticForm validates the form and copies it into d. When started
// is set the fields that answers depend on are left as they are.
func (s *Server) applyDiagnosticForm(form *diagnosticForm, d *survey.Diagnostic, previous []diagnosticRowView, started bool, t Translator) formErrors {
	form.Name = cleanText(form.Name)
	errs := s.validateForm(form, t, map[string]string{
		"Name.required":  "diag.error.name_required",
		"Name.max":       "diag.error.name_long",
		"Questionnaire":  "diag.error.questionnaire",
		"Languages":      "diag.error.languages",
		"Units.required": "diag.error.units_required",
		"Units.max":      "diag.error.units_long",
		"OpensOn":        "diag.error.date",
		"ClosesOn":       "diag.error.date",
		"MinGroupSize":   "diag.error.min_group_size",
		"Access":         "diag.error.access",
		"PreviousID":     "diag.error.previous",
	})
	q, ok := s.questionnaireByKey(form.Questionnaire)
	if !ok && errs.For("questionnaire") == "" && !started {
		errs = append(errs, formError{Field: "questionnaire", Message: t.Get("diag.error.questionnaire")})
	}
	var units []survey.Unit
	if errs.For("units") == "" && !started {
		var problems []unitProblem
		units, problems = parseUnits(form.Units, t)
		for i, p := range problems {
			msg := p.Message
			if form.api {
				if i > 0 {
					break
				}
			} else if p.Line > 0 {
				msg = t.Get("diag.error.line", p.Line, msg)
			}
			errs = append(errs, formError{Field: "units", Message: msg})
		}
	}
	loc := time.Local
	var opens, closes *time.Time
	if form.OpensOn != "" && errs.For("opens_on") == "" {
		day, _ := time.ParseInLocation("2006-01-02", form.OpensOn, loc)
		opens = &day
	}
	if form.ClosesOn != "" && errs.For("closes_on") == "" {
		day, _ := time.ParseInLocation("2006-01-02", form.ClosesOn, loc)
		// Closing "on" a date means at the end of that day.
		end := day.AddDate(0, 0, 1)
		closes = &end
	}
	if opens != nil && closes != nil && !closes.After(*opens) {
		errs = append(errs, formError{Field: "closes_on", Message: t.Get("diag.error.closes_before_opens")})
	}
	if form.PreviousID != "" && errs.For("previous_id") == "" && !slices.ContainsFunc(previous, func(p diagnosticRowView) bool { return p.ID == form.PreviousID }) {
		errs = append(errs, formError{Field: "previous_id", Message: t.Get("diag.error.previous")})
	}
	if len(errs) > 0 {
		return errs
	}
	d.Name = form.Name
	d.OpensAt, d.ClosesAt = opens, closes
	d.MinGroupSize, _ = strconv.Atoi(form.MinGroupSize)
	d.PreviousID = form.PreviousID
	if !started {
		d.Questionnaire = *q
		d.Units = units
		d.Access = survey.Access(form.Access)
		d.Languages = []string{"nl"}
		if slices.Contains(form.Languages, "en") {
			d.Languages = append(d.Languages, "en")
		}
	}
	return nil
}

// parseUnits reads one unit per line, "Name" or "Name; headcount". It
// reports every line that is wrong, each with its line number, so that a
// long list needs one correction round, not one per mistake.
func parseUnits(text string, t Translator) ([]survey.Unit, []unitProblem) {
	var names []string
	var msgs []unitProblem
	headcounts := map[string]int{}
	seen := map[string]bool{}
	lineNo := 0
	for line := range strings.Lines(text) {
		lineNo++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, count, hasCount := strings.Cut(line, ";")
		name = cleanText(name)
		switch {
		case name == "":
			msgs = append(msgs, unitProblem{lineNo, t.Get("diag.error.unit_name_empty")})
			continue
		case len([]rune(name)) > maxUnitNameRune:
			msgs = append(msgs, unitProblem{lineNo, t.Get("diag.error.unit_name_long", maxUnitNameRune)})
			continue
		case seen[strings.ToLower(name)]:
			msgs = append(msgs, unitProblem{lineNo, t.Get("diag.error.unit_twice", name)})
			continue
		}
		seen[strings.ToLower(name)] = true
		if hasCount {
			n, msg := parseHeadcount(count, name, t)
			if msg != "" {
				msgs = append(msgs, unitProblem{lineNo, msg})
				continue
			}
			headcounts[name] = n
		}
		names = append(names, name)
	}
	if len(names) == 0 && len(msgs) == 0 {
		return nil, []unitProblem{{0, t.Get("diag.error.units_required")}}
	}
	if len(names) > maxUnits {
		msgs = append(msgs, unitProblem{0, t.Get("diag.error.units_many", maxUnits)})
	}
	if len(msgs) > 0 {
		return nil, msgs
	}
	units := survey.NewUnits(names)
	for i := range units {
		units[i].Headcount = headcounts[units[i].Name]
	}
	return units, nil
}

// unitProblem is what is wrong with one line of the unit list; Line is 0
// for the list as a whole.
type unitProblem struct {
	Line    int
	Message string
}

// maxHeadcount bounds a unit's headcount: larger is a typing error.
const maxHeadcount = 10_000_000

// parseHeadcount reads the headcount typed after a unit's name and says
// what is wrong with it, if anything.
func parseHeadcount(text, unit string, t Translator) (int, string) {
	typed := strings.TrimSpace(text)
	n, err := parseDutchCount(typed)
	switch {
	case errors.Is(err, errCountEmpty):
		return 0, t.Get("diag.error.headcount_empty", unit)
	case errors.Is(err, errCountDecimal):
		return 0, t.Get("diag.error.headcount_decimal", unit, typed)
	case errors.Is(err, errCountNegative):
		return 0, t.Get("diag.error.headcount_negative", unit, typed)
	case err != nil && !errors.Is(err, errCountTooLarge):
		return 0, t.Get("diag.error.headcount_nan", unit, typed)
	case err != nil || n > maxHeadcount:
		return 0, t.Get("diag.error.headcount_large", unit, t.Number(maxHeadcount))
	}
	return n, ""
}

// unitsText is the inverse of parseUnits, for the edit form.
func unitsText(units []survey.Unit) string {
	var b strings.Builder
	for _, u := range units {
		b.WriteString(u.Name)
		if u.Headcount > 0 {
			b.WriteString("; " + formatCount(u.Headcount, "nl"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (s *Server) diagnosticOfFirm(c echo.Context) (*survey.Diagnostic, error) {
	return s.store.DiagnosticForFirm(c.Request().Context(), consultantFrom(c).FirmID, c.Param("id"))
}

func (s *Server) editDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	page, err := s.diagnosticFormPageFor(c, &d.Organisation, d.ID)
	if err != nil {
		return err
	}
	page.Action = "/diagnoses/" + d.ID + "/bewerken"
	page.Editing = true
	page.Started = d.State != survey.StateDraft
	page.Form = diagnosticForm{
		Name: d.Name, Questionnaire: questionnaireKey(&d.Questionnaire), Languages: d.Languages,
		Units: unitsText(d.Units), MinGroupSize: strconv.Itoa(d.MinGroupSize), Access: string(d.Access), PreviousID: d.PreviousID,
	}
	if d.OpensAt != nil {
		page.Form.OpensOn = d.OpensAt.In(time.Local).Format("2006-01-02")
	}
	if d.ClosesAt != nil {
		page.Form.ClosesOn = d.ClosesAt.In(time.Local).AddDate(0, 0, -1).Format("2006-01-02")
	}
	if ms := s.mailStore(); ms != nil {
		settings, err := ms.MailSettings(c.Request().Context(), d.ID)
		if err != nil {
			return err
		}
		m := mailSettingsFormOf(settings, s.texts.For(requestLang(c)))
		page.Mail = &m
	}
	if page.Started {
		page.Headcounts = headcountFields(d.Units)
		// The questionnaire may no longer be offered for new diagnostics;
		// show the one this diagnostic uses.
		page.Questionnaires = []questionnaireOption{{Key: page.Form.Questionnaire, Label: d.Questionnaire.Title.In(requestLang(c)) + " " + d.Questionnaire.Version}}
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "diagnostic_form", t.Get("diag.edit.title"), page, false)
}

func (s *Server) updateDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var form diagnosticForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	page, err := s.diagnosticFormPageFor(c, &d.Organisation, d.ID)
	if err != nil {
		return err
	}
	page.Action, page.Editing, page.Started = "/diagnoses/"+d.ID+"/bewerken", true, d.State != survey.StateDraft
	if page.Started {
		// Fixed fields come from the diagnostic, whatever was posted.
		form.Questionnaire, form.Access, form.Units = questionnaireKey(&d.Questionnaire), string(d.Access), unitsText(d.Units)
		form.Languages = d.Languages
	}
	var countErrs formErrors
	if page.Started {
		page.Headcounts, countErrs = startedHeadcounts(c, d, t)
	}
	settings, mailErrs := s.readMailSettings(c, &page, t)
	if errs := append(append(s.applyDiagnosticForm(&form, d, page.Previous, page.Started, t), countErrs...), mailErrs...); len(errs) > 0 {
		page.Form, page.Errors = form, errs
		if page.Started {
			page.Questionnaires = []questionnaireOption{{Key: form.Questionnaire, Label: d.Questionnaire.Title.In(requestLang(c)) + " " + d.Questionnaire.Version}}
		}
		return s.render(c, http.StatusUnprocessableEntity, "diagnostic_form", t.Get("error.title_prefix")+" "+t.Get("diag.edit.title"), page, true)
	}
	if err := s.store.UpdateDiagnostic(c.Request().Context(), d); err != nil {
		return err
	}
	if err := s.saveMailSettings(c.Request().Context(), d.ID, settings); err != nil {
		return err
	}
	s.audit(c, "update", "diagnostic", d.ID, d.Name)
	s.setFlash(c, "diag.flash.updated", d.Name)
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID)
}

func (s *Server) openDiagnostic(c echo.Context) error {
	return s.changeState(c, survey.StateOpen, "open")
}

func (s *Server) closeDiagnostic(c echo.Context) error {
	return s.changeState(c, survey.StateClosed, "close")
}

func (s *Server) changeState(c echo.Context, state survey.State, action string) error {
	before, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	wasDraft := before.EffectiveState(s.now()) == survey.StateDraft
	if state == survey.StateClosed {
		// Closing may queue the directors' mail in the same transaction
		// (director_mail.go).
		mailed, blocked, err := s.closeWithDirectorMail(c, before, true)
		if err != nil {
			return err
		}
		s.audit(c, action, "diagnostic", before.ID, before.Name)
		switch {
		case mailed > 0:
			s.setFlash(c, "dmail.flash.closed_mailed", before.Name, strconv.Itoa(mailed))
		case blocked != "":
			s.setFlash(c, "dmail.flash.closed_not_mailed", before.Name, blocked)
		default:
			s.setFlash(c, "diag.flash.closed", before.Name)
		}
		return c.Redirect(http.StatusSeeOther, "/diagnoses/"+before.ID)
	}
	d, err := s.setDiagnosticState(c, state, action)
	if err != nil {
		return err
	}
	switch {
	case state == survey.StateClosed:
		s.setFlash(c, "diag.flash.closed", d.Name)
	case wasDraft:
		s.setFlash(c, "diag.flash.opened", d.Name)
	default:
		s.setFlash(c, "diag.flash.reopened", d.Name)
	}
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID)
}

// statePage asks a consultant to confirm closing or reopening, and says
// what follows from it, before a single click changes what respondents
// and readers of the results see.
type statePage struct {
	Diagnostic survey.Diagnostic
	// Closing is set on the page that closes; otherwise it (re)opens.
	Closing   bool
	Reopening bool
	Action    string
	// Mail offers to mail the directors when closing; nil when none are
	// named.
	Mail *directorMailForm
}

func (s *Server) confirmOpenDiagnostic(c echo.Context) error  { return s.confirmState(c, false) }
func (s *Server) confirmCloseDiagnostic(c echo.Context) error { return s.confirmState(c, true) }

func (s *Server) confirmState(c echo.Context, closing bool) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	page := statePage{Diagnostic: *d, Closing: closing, Reopening: !closing && d.EffectiveState(s.now()) != survey.StateDraft}
	key := "diag.open_confirm.title"
	page.Action = "/diagnoses/" + d.ID + "/openen"
	if closing {
		key = "diag.close_confirm.title"
		page.Action = "/diagnoses/" + d.ID + "/sluiten"
		if page.Mail, err = s.closingMailForm(c.Request().Context(), d); err != nil {
			return err
		}
	} else if page.Reopening {
		key = "diag.reopen_confirm.title"
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "diagnostic_state", t.Get(key), page, false)
}

// setDiagnosticState opens or closes the firm's diagnostic named by the
// route and audits it; the pages and the API share it so that both apply
// the dates the same way.
func (s *Server) setDiagnosticState(c echo.Context, state survey.State, action string) (*survey.Diagnostic, error) {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	if state == survey.StateOpen && d.ClosesAt != nil && !s.now().Before(*d.ClosesAt) {
		// Opening by hand past the closing date would close again at once.
		d.ClosesAt = nil
		if err := s.store.UpdateDiagnostic(ctx, d); err != nil {
			return nil, err
		}
	}
	if state == survey.StateOpen && d.OpensAt != nil && s.now().Before(*d.OpensAt) {
		d.OpensAt = nil
		if err := s.store.UpdateDiagnostic(ctx, d); err != nil {
			return nil, err
		}
	}
	if err := s.store.SetDiagnosticState(ctx, d.ID, state); err != nil {
		return nil, err
	}
	d.State = state
	s.audit(c, action, "diagnostic", d.ID, d.Name)
	return d, nil
}

type deletePage struct {
	Diagnostic survey.Diagnostic
	Responses  int
}

func (s *Server) confirmDeleteDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	n, err := s.store.CountResponses(c.Request().Context(), d.ID)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "diagnostic_delete", t.Get("diag.delete.title"), deletePage{Diagnostic: *d, Responses: n}, false)
}

// deleteForm makes the consultant confirm how many answers go, so a stale
// confirmation page cannot delete answers that arrived after it was shown.
type deleteForm struct {
	Responses string `form:"responses" validate:"required,number"`
}

func (s *Server) deleteDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var form deleteForm
	if err := c.Bind(&form); err != nil || s.validate.Struct(form) != nil {
		return survey.Errorf(survey.CodeInvalid, "missing confirmation")
	}
	ctx := c.Request().Context()
	n, err := s.store.CountResponses(ctx, d.ID)
	if err != nil {
		return err
	}
	if strconv.Itoa(n) != form.Responses {
		// Answers arrived since the page was shown: ask again.
		return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"/verwijderen")
	}
	deleted, err := s.store.DeleteDiagnostic(ctx, d.ID)
	if err != nil {
		return err
	}
	s.audit(c, "delete", "diagnostic", d.ID, fmt.Sprintf("%s (%d responses)", d.Name, deleted))
	s.setFlash(c, "diag.flash.deleted", d.Name, strconv.Itoa(deleted))
	return c.Redirect(http.StatusSeeOther, "/organisaties/"+d.OrganisationID)
}

// periodText describes when a diagnostic runs or ran, in the user's
// language: the dates set, or the days it was opened and closed by hand.
func periodText(d *survey.Diagnostic, t Translator) string {
	start, end := fieldwork(d)
	switch {
	case start != nil && end != nil:
		return t.Get("diag.period.both", formatDate(*start, t), formatDate(*end, t))
	case start != nil:
		return t.Get("diag.period.from", formatDate(*start, t))
	case end != nil:
		return t.Get("diag.period.until", formatDate(*end, t))
	default:
		return t.Get("diag.period.none")
	}
}

// formatDate writes a date as people read it: "3 maart 2026" or "3 March 2026".
func formatDate(tm time.Time, t Translator) string {
	return formatDay(tm.In(time.Local), t)
}
