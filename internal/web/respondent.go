package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

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
	return s.render(c, http.StatusOK, "landing", t.Get("landing.title", d.Organisation.Name), page, false)
}

// firmName is the name of the consultancy of d's organisation. The landing
// page still opens when it cannot be read: the privacy notice names the
// firm too.
func (s *Server) firmName(c echo.Context, d *survey.Diagnostic) string {
	if d.Organisation.FirmID == "" {
		return ""
	}
	firm, err := s.accounts.FirmByID(c.Request().Context(), d.Organisation.FirmID)
	switch survey.ErrorCode(err) {
	case "":
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

func (s *Server) thanks(c echo.Context) error {
	d, err := s.diagnostics.byToken(c.Request().Context(), s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return err
	}
	noStore(c)
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "thanks", t.Get("thanks.title"), closedPage{Organisation: d.Organisation.Name}, false)
}

// logStoreFailure logs a storage error that the respondent sees as a
// "please try again" page; it names the route, never the answers.
func (s *Server) logStoreFailure(c echo.Context, err error) {
	s.logger.Error("store failed on respondent route",
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
		"route", c.Path(), "error", err.Error())
}
