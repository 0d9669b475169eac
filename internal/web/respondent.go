package web

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The respondent flow, top to bottom: the landing page (and its access
// code), the start, the steps shown and saved, the review, the submit and
// the thanks. The answers travel in the sealed state of the respondent's
// cookie (sealed.go) until the submit stores them; the step pages come
// from the pre-rendered parts at the end of this file.

// landingPage is the data of the landing page.
type landingPage struct {
	Organisation string
	Diagnostic   string
	// Firm is the consultancy that processes the answers, named before
	// anyone starts; empty when the organisation belongs to no firm.
	Firm      string
	Minutes   int
	Questions int
	StartURL  string
	// HasProgress is set when the respondent's browser holds a started
	// questionnaire: the button then says "continue".
	HasProgress bool
	// Expired is set when a state was sent that does not open (too old,
	// changed, of another questionnaire): the respondent starts again.
	Expired bool
	// Submitted is set when this browser has submitted already: no start
	// button, only the deliberate "once more on this device" of AgainURL
	// (empty for diagnostics with access codes).
	Submitted bool
	AgainURL  string
	// NeedsCode is set when the diagnostic admits respondents with an
	// access code only.
	NeedsCode bool
	CodeURL   string
	Code      string
	CodeError string
}

// closedPage is the data of the page shown when no answers are accepted.
type closedPage struct {
	Organisation string
	NotYetOpen   bool
}

// diagnosticForRespondent loads the diagnostic of the link. The second
// result is false when the diagnostic accepts no answers now; the closed
// page has then been rendered.
func (s *Server) diagnosticForRespondent(c echo.Context) (*survey.Diagnostic, bool, error) {
	d, err := s.diagnostics.byToken(c.Request().Context(), s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return nil, false, err
	}
	noStore(c)
	if d.AcceptsResponses(s.now()) {
		return d, true, nil
	}
	t := s.texts.For(requestLang(c))
	page := closedPage{Organisation: d.Organisation.Name}
	status := http.StatusGone
	if d.State == survey.StateDraft || (d.OpensAt != nil && s.now().Before(*d.OpensAt)) {
		page.NotYetOpen = true
		status = http.StatusForbidden
	}
	return nil, false, s.render(c, status, "closed", t.Get("closed.title"), page, false)
}

func respondentPath(d *survey.Diagnostic, rest string) string {
	return "/d/" + url.PathEscape(d.Token) + rest
}

// landing shows the organisation, the purpose, the time it takes and what
// is and is not stored.
func (s *Server) landing(c echo.Context) error {
	// After closing, the link shows the employee summary when the
	// consultant published one (summary.go).
	if done, err := s.respondentSummary(c); done {
		return err
	}
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	st, bad, err := s.stateOf(c, d)
	if err != nil {
		// The keys cannot be loaded (database away): the page still
		// says what it says to a new respondent.
		s.logStoreFailure(c, err)
	}
	t := s.texts.For(requestLang(c))
	page := s.landingFor(d)
	page.Firm = s.firmName(c, d)
	page.Expired = bad || c.QueryParam("verlopen") == "1"
	switch {
	case st != nil && st.Submitted:
		page.Submitted, page.Expired, page.NeedsCode = true, false, false
		if d.Access != survey.AccessCodes {
			page.AgainURL = respondentPath(d, "/start")
		}
	case st != nil:
		page.HasProgress, page.NeedsCode = true, false
	}
	title := t.Get("landing.title", d.Organisation.Name)
	same := func(func(int) string) any { return page }
	if ok, err := s.renderKept(c, d, shellKey{page: "landing", title: title, data: page}, nil, same, http.StatusOK); ok || err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "landing", title, page, false)
}

// firmName is the name of the consultancy of d's organisation. The landing
// page still opens when it cannot be read: the privacy notice names the
// firm too.
func (s *Server) firmName(c echo.Context, d *survey.Diagnostic) string {
	if d.Organisation.FirmID == "" {
		return ""
	}
	// Read once per loaded diagnostic: a renamed firm shows when the
	// diagnostic cache reloads, as a renamed organisation does.
	frags := s.fragments.of(d)
	if name := frags.firm.Load(); name != nil {
		return *name
	}
	firm, err := s.accounts.FirmByID(c.Request().Context(), d.Organisation.FirmID)
	switch survey.ErrorCode(err) {
	case "":
		frags.firm.Store(&firm.Name)
		return firm.Name
	case survey.CodeNotFound:
	default:
		s.logStoreFailure(c, err)
	}
	return ""
}

// landingFor is the landing page of d for a respondent without a state.
func (s *Server) landingFor(d *survey.Diagnostic) landingPage {
	return landingPage{
		Organisation: d.Organisation.Name,
		Diagnostic:   d.Name,
		Minutes:      d.Questionnaire.MinutesToComplete,
		Questions:    len(d.Questionnaire.AllItems()),
		StartURL:     respondentPath(d, "/start"),
		NeedsCode:    d.Access == survey.AccessCodes,
		CodeURL:      respondentPath(d, "/code"),
	}
}

// codeForm is the access-code form of the landing page. The code travels in
// the body of a POST, never in a URL, so it ends up in no history or log.
type codeForm struct {
	Code string `form:"code" validate:"required,max=32"`
}

// enterCode starts a questionnaire for a respondent with a valid, unused
// access code, and spends the code at once, in a transaction of its own:
// the sealed state then says only "a code was accepted". The answers reach
// the database much later, so nothing there ties them to the code. A lost
// cookie costs the code; the code hint and the privacy notice say so.
func (s *Server) enterCode(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	t := s.texts.For(requestLang(c))
	var form codeForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	failWith := func(msg string, status int) error {
		page := s.landingFor(d)
		page.Firm = s.firmName(c, d)
		page.Code, page.CodeError = form.Code, msg
		return s.render(c, status, "landing", t.Get("error.title_prefix")+" "+t.Get("landing.title", d.Organisation.Name), page, true)
	}
	fail := func(key string, status int) error { return failWith(t.Get(key), status) }
	if err := s.validate.Struct(form); err != nil {
		if form.Code == "" {
			return fail("code.error.required", http.StatusUnprocessableEntity)
		}
		return failWith(accessCodeProblem(form.Code, t), http.StatusUnprocessableEntity)
	}
	code, valid := survey.NormalizeAccessCode(form.Code)
	if !valid {
		return failWith(accessCodeProblem(form.Code, t), http.StatusUnprocessableEntity)
	}
	ctx := c.Request().Context()
	// The keys first: a code spent without a state to carry "accepted"
	// would be lost.
	if _, _, err := s.sealer.keys(ctx, 0); err != nil {
		s.logStoreFailure(c, err)
		return fail("code.error.try_again", http.StatusServiceUnavailable)
	}
	switch err := s.store.SpendAccessCode(ctx, d.ID, code); survey.ErrorCode(err) {
	case "":
	case survey.CodeNotFound:
		return fail("code.error.unknown", http.StatusUnprocessableEntity)
	default:
		s.logStoreFailure(c, err)
		return fail("code.error.try_again", http.StatusServiceUnavailable)
	}
	st := newProgress(s.now())
	st.CodeAccepted = true
	if err := s.saveState(c, d, st); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/1"))
}

// startForm is the start button; Again is the deliberate "fill it in once
// more on this device" after a submission.
type startForm struct {
	Again string `form:"opnieuw" validate:"omitempty,eq=1"`
}

// start begins (or resumes) a questionnaire: it seals a new state into the
// respondent's cookie and sends them to the first open step.
func (s *Server) start(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	var form startForm
	if err := c.Bind(&form); err != nil || s.validate.Struct(form) != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	st, _, err := s.stateOf(c, d)
	if err != nil {
		return err
	}
	if st != nil && st.Submitted {
		if form.Again != "1" || d.Access == survey.AccessCodes {
			// Back on a page of before the submission: the landing page
			// says the answers arrived.
			return c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
		}
		st = nil
	}
	if st == nil {
		if d.Access == survey.AccessCodes {
			// No way in without a code.
			return c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
		}
		st = newProgress(s.now())
		if err := s.saveState(c, d, st); err != nil {
			return err
		}
	}
	next := min(st.Reached+1, len(stepsOf(&d.Questionnaire)))
	return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(next)))
}

// The questionnaire is split into steps: the background questions, one step
// per factor, and a last step with the outcome items and the open
// questions. The review page follows the last step.
type stepKind int

const (
	stepBackground stepKind = iota
	stepFactor
	stepFinal
)

type stepDef struct {
	Number int
	Kind   stepKind
	Factor *survey.Factor
}

func stepsOf(q *survey.Questionnaire) []stepDef {
	steps := []stepDef{{Number: 1, Kind: stepBackground}}
	for i := range q.Factors {
		steps = append(steps, stepDef{Number: len(steps) + 1, Kind: stepFactor, Factor: &q.Factors[i]})
	}
	return append(steps, stepDef{Number: len(steps) + 1, Kind: stepFinal})
}

// Form field names carry a prefix per kind, so ids of different kinds can
// never collide in a form.
const (
	prefixBackground = "bg-"
	prefixItem       = "item-"
	prefixOpen       = "open-"
)

// fieldKind tells the template how to render a field.
type fieldKind string

const (
	fieldRadios fieldKind = "radios"
	fieldText   fieldKind = "text"
)

// choice is one radio button.
type choice struct {
	Value   string
	Label   string
	Checked bool
	// Divider puts a visual "or" before the choice (the don't-know answer).
	Divider bool
}

// field is one question as rendered on a step.
type field struct {
	Name      string
	Kind      fieldKind
	Legend    string
	Hint      string
	Choices   []choice
	Value     string
	Error     string
	Required  bool
	MaxLength int
	// HTML is the question as rendered on the step page (fieldHTML).
	HTML template.HTML
	// rule is the validator tag the posted value must satisfy.
	rule string
}

// FirstInputID is the id the error summary links to.
func (f field) FirstInputID() string {
	if f.Kind == fieldRadios && len(f.Choices) > 0 {
		return f.Name + "-" + f.Choices[0].Value
	}
	return f.Name
}

// stepFields lists the questions of step n, without values.
func stepFields(d *survey.Diagnostic, n int, t Translator) []field {
	q := &d.Questionnaire
	step := stepsOf(q)[n-1]
	lang := t.Lang()
	var fields []field
	switch step.Kind {
	case stepBackground:
		for _, b := range q.Background {
			f := field{Name: prefixBackground + b.ID, Kind: fieldRadios, Legend: b.Text.In(lang), Hint: b.Hint.In(lang), Required: b.Required}
			var ids []string
			if b.Kind == survey.BackgroundUnit {
				for _, u := range d.Units {
					f.Choices = append(f.Choices, choice{Value: u.ID, Label: u.Name})
					ids = append(ids, u.ID)
				}
			} else {
				for _, o := range b.Options {
					f.Choices = append(f.Choices, choice{Value: o.ID, Label: o.Label.In(lang)})
					ids = append(ids, o.ID)
				}
			}
			f.rule = "oneof=" + strings.Join(ids, " ")
			if b.Required {
				f.rule = "required," + f.rule
			} else {
				f.rule = "omitempty," + f.rule
			}
			fields = append(fields, f)
		}
	case stepFactor:
		for _, it := range step.Factor.Items {
			fields = append(fields, itemField(q, it, lang))
		}
	case stepFinal:
		for _, it := range q.Outcomes {
			fields = append(fields, itemField(q, it, lang))
		}
		for _, o := range q.Open {
			fields = append(fields, field{
				Name: prefixOpen + o.ID, Kind: fieldText, Legend: o.Text.In(lang), Hint: o.Hint.In(lang),
				MaxLength: o.MaxLength, rule: "max=" + strconv.Itoa(o.MaxLength),
			})
		}
	}
	return fields
}

func itemField(q *survey.Questionnaire, it survey.Item, lang string) field {
	f := field{Name: prefixItem + it.ID, Kind: fieldRadios, Legend: it.Text.In(lang), Required: true}
	values := make([]string, 0, len(q.Scale.Points)+1)
	for _, p := range q.Scale.Points {
		v := strconv.Itoa(p.Value)
		f.Choices = append(f.Choices, choice{Value: v, Label: p.Label.In(lang)})
		values = append(values, v)
	}
	dk := strconv.Itoa(survey.DontKnow)
	f.Choices = append(f.Choices, choice{Value: dk, Label: q.Scale.DontKnow.In(lang), Divider: true})
	values = append(values, dk)
	f.rule = "required,oneof=" + strings.Join(values, " ")
	return f
}

// progressValues returns the saved answers of step n as form values.
func progressValues(d *survey.Diagnostic, n int, st *progress) map[string]string {
	return fieldValues(stepFields(d, n, Translator{}), st)
}

// fieldValues returns the saved answers to fields as form values.
func fieldValues(fields []field, st *progress) map[string]string {
	values := make(map[string]string, len(fields))
	for _, f := range fields {
		id, kind := splitName(f.Name)
		switch kind {
		case prefixBackground:
			if v, ok := st.Background[id]; ok {
				values[f.Name] = v
			}
		case prefixItem:
			if v, ok := st.Answers[id]; ok {
				values[f.Name] = strconv.Itoa(v)
			}
		case prefixOpen:
			if v, ok := st.Open[id]; ok {
				values[f.Name] = v
			}
		}
	}
	return values
}

func splitName(name string) (id, prefix string) {
	for _, p := range []string{prefixBackground, prefixItem, prefixOpen} {
		if strings.HasPrefix(name, p) {
			return strings.TrimPrefix(name, p), p
		}
	}
	return name, ""
}

// stepNumber parses the :step parameter.
func stepNumber(c echo.Context, q *survey.Questionnaire) (int, error) {
	n, err := strconv.Atoi(c.Param("step"))
	if err != nil || n < 1 || n > len(stepsOf(q)) {
		return 0, survey.Errorf(survey.CodeNotFound, "no such step")
	}
	return n, nil
}

// progressOrRestart opens the respondent's state; without one the
// respondent is sent back to the landing page, which explains that the
// questionnaire starts again (or, after a submission, that it arrived).
func (s *Server) progressOrRestart(c echo.Context, d *survey.Diagnostic) (*progress, bool, error) {
	st, _, err := s.stateOf(c, d)
	switch {
	case err != nil:
		return nil, false, err
	case st == nil:
		return nil, false, c.Redirect(http.StatusSeeOther, respondentPath(d, "?verlopen=1"))
	case st.Submitted:
		return nil, false, c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
	}
	return st, true, nil
}

// stepRequest loads what every step page needs: the diagnostic, the step
// number and the state. When the second result is false the response has
// been written (closed page, redirect) or err says what went wrong. Steps
// are answered in order: a later step cannot be opened or posted by URL.
func (s *Server) stepRequest(c echo.Context) (*survey.Diagnostic, int, *progress, bool, error) {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return nil, 0, nil, false, err
	}
	n, err := stepNumber(c, &d.Questionnaire)
	if err != nil {
		return nil, 0, nil, false, err
	}
	st, ok, err := s.progressOrRestart(c, d)
	if !ok {
		// d and n stay known, so that saveStep can keep the answers on
		// the page when the state could not be opened.
		return d, n, nil, false, err
	}
	if n > st.Reached+1 {
		return nil, 0, nil, false, c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(st.Reached+1)))
	}
	return d, n, st, true, nil
}

func (s *Server) showStep(c echo.Context) error {
	d, n, st, ok, err := s.stepRequest(c)
	if !ok {
		return err
	}
	return s.renderStep(c, d, n, fieldValues(s.stepFields(d, n, Translator{}), st), nil, "", http.StatusOK)
}

func (s *Server) saveStep(c echo.Context) error {
	d, n, st, ok, err := s.stepRequest(c)
	if !ok {
		if d != nil && survey.ErrorCode(err) == survey.CodeInternal {
			// The state could not be opened (the keys not loaded, the
			// database down): show the page again with what the
			// respondent just entered.
			s.logStoreFailure(c, err)
			return s.keepStepAnswers(c, d, n)
		}
		return err
	}
	form, err := stepForm(c)
	if err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	action := form.Get(fieldAction)
	form.Del(fieldAction)
	lang, switching, err := switchTo(action)
	if err != nil {
		return err
	}
	values, fieldErrs, formErr := s.parseStep(d, n, form, t)
	if action == actionBack || switching {
		// "Previous step" and the language switch keep what was ticked,
		// without asking for the rest: saving costs nothing now that it
		// goes into the cookie.
		keepValid(d, n, values, fieldErrs, st)
		if err := s.saveState(c, d, st); err != nil {
			s.logStoreFailure(c, err)
			return s.saveFailed(c, d, n, values)
		}
		if switching {
			return c.Redirect(http.StatusSeeOther, stepLangURL(c, d, n, lang))
		}
		return c.Redirect(http.StatusSeeOther, stepBackURL(d, n))
	}
	if len(fieldErrs) > 0 || formErr != "" {
		return s.renderStep(c, d, n, values, fieldErrs, formErr, http.StatusUnprocessableEntity)
	}
	applyStep(d, n, values, st)
	if err := s.saveState(c, d, st); err != nil {
		s.logStoreFailure(c, err)
		return s.saveFailed(c, d, n, values)
	}
	next := respondentPath(d, "/stap/"+strconv.Itoa(n+1))
	if n == len(stepsOf(&d.Questionnaire)) || (c.QueryParam("vanaf") == "controle" && st.Reached == len(stepsOf(&d.Questionnaire))) {
		next = respondentPath(d, "/controle")
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// stepForm returns the answers posted to a step: the fields of the request
// body only. The step's URL may carry a query (?vanaf=controle when the
// respondent edits a step from the review page); c.FormParams would merge it
// into the answers, where parseStep rejects it as an unknown field.
func stepForm(c echo.Context) (url.Values, error) {
	if _, err := c.FormParams(); err != nil {
		return nil, err
	}
	return c.Request().PostForm, nil
}

// keepStepAnswers renders step n with the posted answers and a "could not
// be saved, try again" message.
func (s *Server) keepStepAnswers(c echo.Context, d *survey.Diagnostic, n int) error {
	form, err := stepForm(c)
	if err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	values, _, _ := s.parseStep(d, n, form, s.texts.For(requestLang(c)))
	return s.saveFailed(c, d, n, values)
}

// saveFailed shows step n again with the respondent's answers and asks to
// retry: nothing they entered is lost while the database is away.
func (s *Server) saveFailed(c echo.Context, d *survey.Diagnostic, n int, values map[string]string) error {
	c.Response().Header().Set("Retry-After", "30")
	return s.renderStep(c, d, n, values, nil, s.texts.For(requestLang(c)).Get("error.save_failed"), http.StatusServiceUnavailable)
}

// parseStep validates a posted step with the validator. It returns the
// posted values (always, so the page can be shown again as the respondent
// left it), the errors per field, and an error about the form as a whole.
func (s *Server) parseStep(d *survey.Diagnostic, n int, form url.Values, t Translator) (map[string]string, map[string]string, string) {
	fields := s.stepFields(d, n, t)
	known := map[string]bool{"csrf": true}
	values := map[string]string{}
	errs := map[string]string{}
	for _, f := range fields {
		known[f.Name] = true
		posted := form[f.Name]
		if len(posted) > 1 {
			errs[f.Name] = t.Get("error.invalid_choice")
			continue
		}
		v := ""
		if len(posted) == 1 {
			v = cleanText(posted[0])
		}
		values[f.Name] = v
		if msg := controlCharsProblem(v, t); msg != "" {
			errs[f.Name] = msg
		} else if err := s.validate.Var(v, f.rule); err != nil {
			errs[f.Name] = fieldMessage(err, f, t)
		}
	}
	formErr := ""
	for name := range form {
		if !known[name] {
			formErr = t.Get("error.unknown_field")
			break
		}
	}
	return values, errs, formErr
}

// fieldMessage turns a validator error into a message in the user's language.
func fieldMessage(err error, f field, t Translator) string {
	tag := ""
	if ves, ok := err.(validator.ValidationErrors); ok && len(ves) > 0 {
		tag = ves[0].Tag()
	}
	switch tag {
	case "required":
		if strings.HasPrefix(f.Name, prefixItem) {
			return t.Get("error.choose_answer")
		}
		return t.Get("error.choose_option")
	case "max":
		return t.Get("error.too_long", f.MaxLength)
	default:
		return t.Get("error.invalid_choice")
	}
}

// applyStep copies valid values of step n into the state.
func applyStep(d *survey.Diagnostic, n int, values map[string]string, st *progress) {
	if st.Background == nil {
		st.Background = map[string]string{}
	}
	if st.Answers == nil {
		st.Answers = map[string]int{}
	}
	if st.Open == nil {
		st.Open = map[string]string{}
	}
	for name, v := range values {
		id, kind := splitName(name)
		switch kind {
		case prefixBackground:
			if v == "" {
				delete(st.Background, id)
			} else {
				st.Background[id] = v
			}
		case prefixItem:
			if x, err := strconv.Atoi(v); err == nil {
				st.Answers[id] = x
			}
		case prefixOpen:
			if v == "" {
				delete(st.Open, id)
			} else {
				st.Open[id] = v
			}
		}
	}
	st.Reached = max(st.Reached, n)
}

// The step form's second button, "Previous step", posts the page as it is.
const (
	fieldAction = "actie"
	actionBack  = "terug"
	// actionLanguage followed by a language code is a language button of
	// a step: the step is saved and shown again in that language.
	actionLanguage = "taal-"
)

// switchTo reads a step's action: the language to switch to, if the
// respondent pressed a language button. An unknown language is refused.
func switchTo(action string) (string, bool, error) {
	lang, ok := strings.CutPrefix(action, actionLanguage)
	if !ok {
		return "", false, nil
	}
	if !isSupportedLanguage(lang) {
		return "", false, survey.Errorf(survey.CodeInvalid, "unknown language")
	}
	return lang, true, nil
}

// stepLangURL is step n in another language; ?lang= makes the choice stick
// (chooseLanguage), and a step edited from the review page stays so.
func stepLangURL(c echo.Context, d *survey.Diagnostic, n int, lang string) string {
	q := url.Values{}
	if c.QueryParam("vanaf") == "controle" {
		q.Set("vanaf", "controle")
	}
	q.Set("lang", lang)
	return respondentPath(d, "/stap/"+strconv.Itoa(n)) + "?" + q.Encode()
}

// keepValid copies the valid values of step n into the state without
// counting the step as done, for a respondent who goes back.
func keepValid(d *survey.Diagnostic, n int, values, errs map[string]string, st *progress) {
	valid := map[string]string{}
	for name, v := range values {
		if _, bad := errs[name]; !bad {
			valid[name] = v
		}
	}
	reached := st.Reached
	applyStep(d, n, valid, st)
	st.Reached = reached
}

// stepBackURL is where "Previous step" leads from step n.
func stepBackURL(d *survey.Diagnostic, n int) string {
	if n > 1 {
		return respondentPath(d, "/stap/"+strconv.Itoa(n-1))
	}
	return respondentPath(d, "")
}

// factorHeading is what respondents read above a factor's items: its
// neutral step title, never its name, which names the problem and could
// steer the answers. Questionnaires copied into a diagnostic before step
// titles existed get a numbered heading instead.
func factorHeading(step stepDef, t Translator) string {
	if title := step.Factor.StepTitle.In(t.Lang()); title != "" {
		return title
	}
	return t.Get("step.factor.heading", step.Number-1)
}

// stepPage is the data of a questionnaire step.
type stepPage struct {
	Organisation string
	Number       int
	Total        int
	Heading      string
	Intro        string
	Fields       []field
	Errors       []field
	FormError    string
	Action       string
}

func (s *Server) renderStep(c echo.Context, d *survey.Diagnostic, n int, values, errs map[string]string, formErr string, status int) error {
	t := s.texts.For(requestLang(c))
	q := &d.Questionnaire
	steps := stepsOf(q)
	step := steps[n-1]
	page := stepPage{
		Organisation: d.Organisation.Name,
		Number:       n,
		Total:        len(steps) + 1,
		FormError:    formErr,
		Action:       respondentPath(d, "/stap/"+strconv.Itoa(n)),
	}
	if c.QueryParam("vanaf") == "controle" {
		page.Action += "?vanaf=controle"
	}
	switch step.Kind {
	case stepBackground:
		page.Heading = t.Get("step.background.heading")
		page.Intro = t.Get("step.background.intro")
	case stepFactor:
		page.Heading = factorHeading(step, t)
		page.Intro = t.Get("step.factor.intro")
	case stepFinal:
		page.Heading = t.Get("step.final.heading")
		page.Intro = t.Get("step.final.intro")
	}
	for _, f := range s.stepFields(d, n, t) {
		f.Value = values[f.Name]
		if msg, ok := errs[f.Name]; ok {
			f.Error = msg
			page.Errors = append(page.Errors, f)
		}
		h, err := s.fieldHTML(d, f, t)
		if err != nil {
			return err
		}
		f.HTML = h
		page.Fields = append(page.Fields, f)
	}
	hasErrors := len(page.Errors) > 0 || formErr != ""
	title := t.Get("step.title", n, page.Total, page.Heading)
	if hasErrors {
		title = t.Get("error.title_prefix") + " " + title
		return s.render(c, status, "step", title, page, hasErrors)
	}
	questions := make([]string, len(page.Fields))
	for i, f := range page.Fields {
		questions[i] = string(f.HTML)
	}
	shell := func(marker func(int) string) any {
		sp := page
		sp.Fields = make([]field, len(page.Fields))
		for i := range sp.Fields {
			sp.Fields[i].HTML = template.HTML(marker(i + 1))
		}
		return sp
	}
	if ok, err := s.renderKept(c, d, shellKey{page: "step", title: title, action: page.Action}, questions, shell, status); ok || err != nil {
		return err
	}
	return s.render(c, status, "step", title, page, false)
}

func (s *Server) review(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	st, ok, err := s.progressOrRestart(c, d)
	if !ok {
		return err
	}
	if first := s.firstIncompleteStep(d, st); first > 0 {
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(first)))
	}
	return s.renderReview(c, d, st, "", http.StatusOK)
}

// firstIncompleteStep returns the first step with a required question left
// open, or 0 when the state is complete.
func firstIncompleteStep(d *survey.Diagnostic, p *progress) int {
	return firstIncomplete(d, p, func(n int) []field { return stepFields(d, n, Translator{}) })
}

// firstIncomplete is firstIncompleteStep with the fields of step n from
// fieldsOf.
func firstIncomplete(d *survey.Diagnostic, p *progress, fieldsOf func(n int) []field) int {
	steps := stepsOf(&d.Questionnaire)
	if p.Reached < len(steps) {
		return p.Reached + 1
	}
	for _, st := range steps {
		for _, f := range fieldsOf(st.Number) {
			if !f.Required {
				continue
			}
			id, kind := splitName(f.Name)
			_, okB := p.Background[id]
			_, okA := p.Answers[id]
			if (kind == prefixBackground && !okB) || (kind == prefixItem && !okA) {
				return st.Number
			}
		}
	}
	return 0
}

// reviewSection is one step as shown on the review page.
type reviewSection struct {
	Heading string
	EditURL string
	// Rows are the answers as rendered (reviewRowHTML).
	Rows []template.HTML
}

type reviewRow struct {
	Question string
	Answer   string
}

type reviewPage struct {
	Organisation string
	Number       int
	Total        int
	Sections     []reviewSection
	Action       string
	Nonce        string
	FormError    string
}

func (s *Server) renderReview(c echo.Context, d *survey.Diagnostic, p *progress, formErr string, status int) error {
	t := s.texts.For(requestLang(c))
	steps := stepsOf(&d.Questionnaire)
	page := reviewPage{
		Organisation: d.Organisation.Name,
		Number:       len(steps) + 1,
		Total:        len(steps) + 1,
		Action:       respondentPath(d, "/verzenden"),
		Nonce:        p.Nonce,
		FormError:    formErr,
	}
	for _, st := range steps {
		sec := reviewSection{EditURL: respondentPath(d, "/stap/"+strconv.Itoa(st.Number)+"?vanaf=controle")}
		switch st.Kind {
		case stepBackground:
			sec.Heading = t.Get("step.background.heading")
		case stepFactor:
			sec.Heading = factorHeading(st, t)
		case stepFinal:
			sec.Heading = t.Get("step.final.heading")
		}
		values := fieldValues(s.stepFields(d, st.Number, Translator{}), p)
		for _, f := range s.stepFields(d, st.Number, t) {
			h, err := s.reviewRowHTML(d, f, values[f.Name], t)
			if err != nil {
				return err
			}
			sec.Rows = append(sec.Rows, h)
		}
		page.Sections = append(page.Sections, sec)
	}
	title := t.Get("review.title")
	if formErr != "" || !plainToken(p.Nonce) {
		if formErr != "" {
			title = t.Get("error.title_prefix") + " " + title
		}
		return s.render(c, status, "review", title, page, formErr != "")
	}
	// Slot 1 is the nonce, then one slot per answer row.
	values := []string{p.Nonce}
	for _, sec := range page.Sections {
		for _, row := range sec.Rows {
			values = append(values, string(row))
		}
	}
	shell := func(marker func(int) string) any {
		sp := page
		sp.Nonce = marker(1)
		sp.Sections = slices.Clone(page.Sections)
		slot := 2
		for i := range sp.Sections {
			sp.Sections[i].Rows = make([]template.HTML, len(page.Sections[i].Rows))
			for j := range sp.Sections[i].Rows {
				sp.Sections[i].Rows[j] = template.HTML(marker(slot))
				slot++
			}
		}
		return sp
	}
	if ok, err := s.renderKept(c, d, shellKey{page: "review", title: title, action: page.Action}, values, shell, status); ok || err != nil {
		return err
	}
	return s.render(c, status, "review", title, page, false)
}

// submitForm is the review page's form. The nonce makes submitting
// idempotent: a refresh, a double click or a retry stores one response.
type submitForm struct {
	Nonce string `form:"nonce" validate:"required,printascii,max=128"`
}

func (s *Server) submit(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	var form submitForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	if err := s.validate.Struct(form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "missing nonce")
	}
	ctx := c.Request().Context()
	thanks := respondentPath(d, "/bedankt")
	st, _, err := s.stateOf(c, d)
	switch {
	case err != nil:
		return err
	case st == nil:
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "?verlopen=1"))
	case st.Submitted:
		// A replay from before the submission's answer arrived (a retry
		// or a second click): the answers are in.
		return c.Redirect(http.StatusSeeOther, thanks)
	}
	if form.Nonce != st.Nonce {
		return survey.Errorf(survey.CodeInvalid, "nonce does not belong to this questionnaire")
	}
	if first := s.firstIncompleteStep(d, st); first > 0 {
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(first)))
	}
	if d.Access == survey.AccessCodes && !st.CodeAccepted {
		return c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
	}
	resp := responseFromProgress(d, st, s.now().In(s.location).Format("2006-01-02"))
	err = s.store.Submit(ctx, st.Nonce, resp)
	switch survey.ErrorCode(err) {
	case "", survey.CodeConflict:
		// Conflict: the same nonce was stored a moment ago (double
		// click). Either way the answers are in, exactly once.
		s.metrics.countSubmission(err)
		// The progress gives way to a marker that says only "submitted",
		// so that Back to the landing page does not invite a second
		// response.
		if err := s.saveState(c, d, &progress{Submitted: true, Day: epochDay(s.now())}); err != nil {
			s.logStoreFailure(c, err)
		}
		// The browser's back button must not bring the answers back from
		// its back/forward cache on a shared computer.
		c.Response().Header().Set("Clear-Site-Data", `"cache"`)
		return c.Redirect(http.StatusSeeOther, thanks)
	default:
		s.logStoreFailure(c, err)
		t := s.texts.For(requestLang(c))
		c.Response().Header().Set("Retry-After", "30")
		return s.renderReview(c, d, st, t.Get("error.submit_failed"), http.StatusServiceUnavailable)
	}
}

// responseFromProgress builds the response to store. It copies only answers
// to questions of this questionnaire, and no date finer than the day.
func responseFromProgress(d *survey.Diagnostic, st *progress, day string) *survey.Response {
	r := &survey.Response{
		DiagnosticID: d.ID,
		SubmittedOn:  day,
		Background:   map[string]string{},
		Answers:      map[string]int{},
		Open:         map[string]string{},
	}
	for _, b := range d.Questionnaire.Background {
		if v, ok := st.Background[b.ID]; ok {
			r.Background[b.ID] = v
		}
	}
	for _, it := range d.Questionnaire.AllItems() {
		if v, ok := st.Answers[it.ID]; ok {
			r.Answers[it.ID] = v
		}
	}
	for _, o := range d.Questionnaire.Open {
		if v := st.Open[o.ID]; v != "" {
			r.Open[o.ID] = v
		}
	}
	return r
}

func (s *Server) thanks(c echo.Context) error {
	d, err := s.diagnostics.byToken(c.Request().Context(), s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return err
	}
	noStore(c)
	t := s.texts.For(requestLang(c))
	page := closedPage{Organisation: d.Organisation.Name}
	same := func(func(int) string) any { return page }
	if ok, err := s.renderKept(c, d, shellKey{page: "thanks", title: t.Get("thanks.title"), data: page}, nil, same, http.StatusOK); ok || err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "thanks", t.Get("thanks.title"), page, false)
}

// logStoreFailure logs a storage error that the respondent sees as a
// "please try again" page; it names the route, never the answers.
func (s *Server) logStoreFailure(c echo.Context, err error) {
	s.logger.Error("store failed on respondent route",
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
		"route", c.Path(), "error", err.Error())
}

// stepFragments keeps what the respondent pages share. A question reads the
// same for every respondent: only which choice is ticked differs, and a
// question has a handful of choices. Executing the template for the radio
// buttons of every question was two thirds of a step page's cost; each
// question (and each answer row of the review page) is now executed once,
// by html/template with the same data and the same escaping as before, and
// kept. Around them, a page without errors comes from a kept shell
// (renderKept).
//
// The fragments belong to one loaded diagnostic: they are kept per
// *survey.Diagnostic that the diagnostic cache hands out, so that a
// reload (after its time to live) starts afresh and a consultant's change
// of the units reaches the page as it did before. Nothing typed by a
// respondent is kept: questions with an error message or a typed answer,
// and typed answers on the review page, are executed each time.
type stepFragments struct {
	max int
	// slotBase starts every slot marker. It is random per process, so no
	// name a consultant gives (an organisation, a unit) can contain one.
	slotBase string
	mu       sync.Mutex
	entries  map[string]*diagnosticFragments
}

// diagnosticFragments are the kept parts of one loaded diagnostic.
type diagnosticFragments struct {
	d *survey.Diagnostic
	// html holds questions (fragmentKey) and review rows (reviewRowKey).
	html sync.Map
	// fields holds the []field of each step per language (fieldsKey).
	fields sync.Map
	// shells holds the *pageShell of pages without errors (shellKey).
	shells sync.Map
	// firm is the name of the organisation's firm, read once per load.
	firm atomic.Pointer[string]
}

type fieldsKey struct {
	lang string
	step int
}

type fragmentKey struct {
	lang, name, value string
}

type reviewRowKey struct {
	lang, name, value string
}

// shellKey is everything a page without errors depends on besides its
// slots. data is the page's own data when the page has no slots for it;
// it must be comparable, and never holds anything a respondent typed.
type shellKey struct {
	page, lang, title, action, privacy, path string
	data                                     any
}

// pageShell is a page cut at its slots: parts[i] is followed by the value
// of slot at[i].
type pageShell struct {
	parts []string
	at    []int
}

// fieldView is the data of the "stepfield" template.
type fieldView struct {
	F field
	T Translator
}

func newStepFragments(max int) *stepFragments {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return &stepFragments{max: max, slotBase: "uk" + string(b), entries: map[string]*diagnosticFragments{}}
}

// marker is the text a shell is executed with in place of slot i: letters
// and digits, which html/template writes unchanged in every context.
func (sf *stepFragments) marker(i int) string {
	return sf.slotBase + strconv.Itoa(i) + "x"
}

// cut cuts an executed shell at its markers. It returns nil when a marker
// is malformed or names no slot below n.
func (sf *stepFragments) cut(out string, n int) *pageShell {
	sh := &pageShell{}
	for {
		i := strings.Index(out, sf.slotBase)
		if i < 0 {
			break
		}
		rest := out[i+len(sf.slotBase):]
		digits, after, ok := strings.Cut(rest, "x")
		slot, err := strconv.Atoi(digits)
		if !ok || err != nil || slot < 0 || slot >= n || strconv.Itoa(slot) != digits {
			return nil
		}
		sh.parts = append(sh.parts, out[:i])
		sh.at = append(sh.at, slot)
		out = after
	}
	sh.parts = append(sh.parts, out)
	return sh
}

// of returns the kept fragments of d, replacing those of an earlier load
// of the same diagnostic. Without a store (a Server made by hand in a
// test, or one that must render afresh) nothing is kept.
func (sf *stepFragments) of(d *survey.Diagnostic) *diagnosticFragments {
	if sf == nil {
		return &diagnosticFragments{d: d}
	}
	sf.mu.Lock()
	defer sf.mu.Unlock()
	e, ok := sf.entries[d.ID]
	if ok && e.d == d {
		return e
	}
	if !ok && len(sf.entries) >= sf.max {
		// One entry per open diagnostic: starting afresh keeps the map
		// bounded without bookkeeping, as the diagnostic cache does.
		clear(sf.entries)
	}
	e = &diagnosticFragments{d: d}
	sf.entries[d.ID] = e
	return e
}

// stepFields is stepFields of d, built once per loaded diagnostic, step and
// language. The result is shared: callers must not change it.
func (s *Server) stepFields(d *survey.Diagnostic, n int, t Translator) []field {
	frags := s.fragments.of(d)
	key := fieldsKey{lang: t.Lang(), step: n}
	if f, ok := frags.fields.Load(key); ok {
		return f.([]field)
	}
	f := stepFields(d, n, t)
	frags.fields.Store(key, f)
	return f
}

// firstIncompleteStep is firstIncompleteStep with the kept fields.
func (s *Server) firstIncompleteStep(d *survey.Diagnostic, p *progress) int {
	return firstIncomplete(d, p, func(n int) []field { return s.stepFields(d, n, Translator{}) })
}

// fieldHTML is the HTML of question f of a step page, with f's Value
// ticked and its Error shown. f may be shared (stepFields): the ticks go
// into a copy.
func (s *Server) fieldHTML(d *survey.Diagnostic, f field, t Translator) (template.HTML, error) {
	keep := s.fragments != nil && f.Error == "" && (f.Kind == fieldRadios && (f.Value == "" || hasChoice(f, f.Value)) || f.Kind == fieldText && f.Value == "")
	var frags *diagnosticFragments
	key := fragmentKey{lang: t.Lang(), name: f.Name, value: f.Value}
	if keep {
		frags = s.fragments.of(d)
		if h, ok := frags.html.Load(key); ok {
			return h.(template.HTML), nil
		}
	}
	f.Choices = slices.Clone(f.Choices)
	for i := range f.Choices {
		f.Choices[i].Checked = f.Choices[i].Value == f.Value
	}
	var buf bytes.Buffer
	if err := s.pages.byName["step"].ExecuteTemplate(&buf, "stepfield", fieldView{F: f, T: t}); err != nil {
		return "", fmt.Errorf("render step field %s: %w", f.Name, err)
	}
	// The output of html/template, escaped in the context where the step
	// page places it (the body of the form).
	h := template.HTML(buf.String())
	if keep {
		frags.html.Store(key, h)
	}
	return h, nil
}

func hasChoice(f field, value string) bool {
	for _, c := range f.Choices {
		if c.Value == value {
			return true
		}
	}
	return false
}

// reviewRowHTML is the row of the review page that shows answer value
// (a form value) to question f. Rows of a choice or of no answer are kept;
// a typed answer is executed each time.
func (s *Server) reviewRowHTML(d *survey.Diagnostic, f field, value string, t Translator) (template.HTML, error) {
	row := reviewRow{Question: f.Legend, Answer: value}
	chosen := false
	for _, ch := range f.Choices {
		if ch.Value == value {
			row.Answer, chosen = ch.Label, true
		}
	}
	if value == "" {
		row.Answer = t.Get("review.unanswered")
	}
	keep := s.fragments != nil && (chosen || value == "")
	var frags *diagnosticFragments
	key := reviewRowKey{lang: t.Lang(), name: f.Name, value: value}
	if keep {
		frags = s.fragments.of(d)
		if h, ok := frags.html.Load(key); ok {
			return h.(template.HTML), nil
		}
	}
	var buf bytes.Buffer
	if err := s.pages.byName["review"].ExecuteTemplate(&buf, "reviewrow", row); err != nil {
		return "", fmt.Errorf("render review row %s: %w", f.Name, err)
	}
	h := template.HTML(buf.String())
	if keep {
		frags.html.Store(key, h)
	}
	return h, nil
}

// renderKept writes a page without errors from its kept shell: the page
// executed once per loaded diagnostic and key, with markers in place of
// the CSRF token (slot 0) and of values (slots 1, 2, ...), and cut there.
// Each value must be what html/template writes where the page places it:
// a plain token (plainToken) in an attribute, or HTML that html/template
// produced in the body. shellPage builds the page's data with marker(i)
// in place of values[i-1]. The first result is false when the page must
// be executed as a whole instead.
func (s *Server) renderKept(c echo.Context, d *survey.Diagnostic, key shellKey, values []string, shellPage func(marker func(int) string) any, status int) (bool, error) {
	csrf := csrfToken(c)
	if s.fragments == nil || !plainToken(csrf) || c.Get(ctxConsultant) != nil || c.Get(ctxRefresh) != nil {
		return false, nil
	}
	key.lang, key.privacy = requestLang(c), respondentPrivacyURL(c, key.page)
	if key.page != "step" {
		// The header's language links repeat the address: a shell is
		// kept for the address alone, or with only ?lang=, so odd
		// queries cannot grow the kept shells.
		if q := c.Request().URL.Query(); len(q) > 1 || len(q) == 1 && len(q["lang"]) != 1 {
			return false, nil
		}
		key.path = c.Request().URL.Path
	}
	frags := s.fragments.of(d)
	var sh *pageShell
	if v, ok := frags.shells.Load(key); ok {
		sh = v.(*pageShell)
	} else {
		var buf bytes.Buffer
		c.Set(ctxCSRF, s.fragments.marker(0))
		err := s.renderInto(&buf, c, key.page, key.title, shellPage(s.fragments.marker), false)
		c.Set(ctxCSRF, csrf)
		if err != nil {
			return false, err
		}
		if sh = s.fragments.cut(buf.String(), len(values)+1); sh == nil {
			return false, nil
		}
		frags.shells.Store(key, sh)
	}
	buf := s.pages.buffer()
	defer s.pages.release(buf)
	for i, part := range sh.parts {
		buf.WriteString(part)
		switch {
		case i == len(sh.at):
		case sh.at[i] == 0:
			buf.WriteString(csrf)
		default:
			buf.WriteString(values[sh.at[i]-1])
		}
	}
	return true, c.HTMLBlob(status, buf.Bytes())
}

// plainToken reports whether a value consists of characters that
// html/template writes into an attribute unchanged, so that it can be
// filled into a shell as it is.
func plainToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
