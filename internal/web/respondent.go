package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// draftCookie holds the random id of the respondent's draft. It is a
// session cookie scoped to the diagnostic's path: it disappears when the
// browser closes, so the next user of a shared device cannot resume it.
const draftCookie = "uk_draft"

// landingPage is the data of the landing page.
type landingPage struct {
	Organisation string
	Diagnostic   string
	Minutes      int
	Questions    int
	StartURL     string
	HasDraft     bool
	Expired      bool
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

// loadDraft returns the respondent's draft for d, or a not-found error when
// there is none (no cookie, expired, or already submitted).
func (s *Server) loadDraft(c echo.Context, d *survey.Diagnostic) (*survey.Draft, error) {
	ck, err := c.Cookie(draftCookie)
	if err != nil || ck.Value == "" {
		return nil, survey.Errorf(survey.CodeNotFound, "no draft")
	}
	return s.store.Draft(c.Request().Context(), d.ID, ck.Value)
}

func (s *Server) setDraftCookie(c echo.Context, d *survey.Diagnostic, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: draftCookie, Value: value, Path: respondentPath(d, ""), MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// landing shows the organisation, the purpose, the time it takes and what
// is and is not stored.
func (s *Server) landing(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	_, derr := s.loadDraft(c, d)
	t := s.texts.For(requestLang(c))
	page := landingPage{
		Organisation: d.Organisation.Name,
		Diagnostic:   d.Name,
		Minutes:      d.Questionnaire.MinutesToComplete,
		Questions:    len(d.Questionnaire.AllItems()),
		StartURL:     respondentPath(d, "/start"),
		HasDraft:     derr == nil,
		Expired:      c.QueryParam("verlopen") == "1",
		NeedsCode:    d.Access == survey.AccessCodes && derr != nil,
		CodeURL:      respondentPath(d, "/code"),
	}
	return s.render(c, http.StatusOK, "landing", t.Get("landing.title", d.Organisation.Name), page, false)
}

// codeForm is the access-code form of the landing page. The code travels in
// the body of a POST, never in a URL, so it ends up in no history or log.
type codeForm struct {
	Code string `form:"code" validate:"required,max=32"`
}

// enterCode starts a questionnaire for a respondent with a valid, unused
// access code. The code is spent only when the answers are submitted.
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
	fail := func(key string) error {
		page := landingPage{
			Organisation: d.Organisation.Name, Diagnostic: d.Name, Minutes: d.Questionnaire.MinutesToComplete,
			Questions: len(d.Questionnaire.AllItems()), StartURL: respondentPath(d, "/start"),
			NeedsCode: true, CodeURL: respondentPath(d, "/code"), Code: form.Code, CodeError: t.Get(key),
		}
		return s.render(c, http.StatusUnprocessableEntity, "landing", t.Get("error.title_prefix")+" "+t.Get("landing.title", d.Organisation.Name), page, true)
	}
	if err := s.validate.Struct(form); err != nil {
		if form.Code == "" {
			return fail("code.error.required")
		}
		return fail("code.error.format")
	}
	code, valid := survey.NormalizeAccessCode(form.Code)
	if !valid {
		return fail("code.error.format")
	}
	draft, err := s.store.CreateDraftWithCode(c.Request().Context(), d.ID, code)
	switch survey.ErrorCode(err) {
	case "":
	case survey.CodeNotFound:
		return fail("code.error.unknown")
	default:
		return err
	}
	s.setDraftCookie(c, d, draft.ID, 0)
	return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/1"))
}

// start begins (or resumes) a questionnaire: it creates a draft, remembers
// its id in a cookie and sends the respondent to the first open step.
func (s *Server) start(c echo.Context) error {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return err
	}
	draft, err := s.loadDraft(c, d)
	if survey.ErrorCode(err) == survey.CodeNotFound && d.Access == survey.AccessCodes {
		// No way in without a code.
		return c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
	}
	if survey.ErrorCode(err) == survey.CodeNotFound {
		draft, err = s.store.CreateDraft(c.Request().Context(), d.ID)
		if err != nil {
			return err
		}
		s.setDraftCookie(c, d, draft.ID, 0)
	} else if err != nil {
		return err
	}
	next := min(draft.Reached+1, len(stepsOf(&d.Questionnaire)))
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

// draftOrRestart loads the draft; without one the respondent is sent back to
// the landing page, which explains that the questionnaire starts again.
func (s *Server) draftOrRestart(c echo.Context, d *survey.Diagnostic) (*survey.Draft, bool, error) {
	draft, err := s.loadDraft(c, d)
	switch {
	case err == nil:
		return draft, true, nil
	case survey.ErrorCode(err) == survey.CodeNotFound:
		return nil, false, c.Redirect(http.StatusSeeOther, respondentPath(d, "?verlopen=1"))
	default:
		return nil, false, err
	}
}

// stepRequest loads what every step page needs: the diagnostic, the step
// number and the draft. When the second result is false the response has
// been written (closed page, redirect) or err says what went wrong. Steps
// are answered in order: a later step cannot be opened or posted by URL.
func (s *Server) stepRequest(c echo.Context) (*survey.Diagnostic, int, *survey.Draft, bool, error) {
	d, ok, err := s.diagnosticForRespondent(c)
	if !ok {
		return nil, 0, nil, false, err
	}
	n, err := stepNumber(c, &d.Questionnaire)
	if err != nil {
		return nil, 0, nil, false, err
	}
	draft, ok, err := s.draftOrRestart(c, d)
	if !ok {
		// d and n stay known, so that saveStep can keep the answers on
		// the page when the draft could not be loaded.
		return d, n, nil, false, err
	}
	if n > draft.Reached+1 {
		return nil, 0, nil, false, c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(draft.Reached+1)))
	}
	return d, n, draft, true, nil
}

func (s *Server) showStep(c echo.Context) error {
	d, n, draft, ok, err := s.stepRequest(c)
	if !ok {
		return err
	}
	return s.renderStep(c, d, n, draftValues(d, n, draft), nil, "", http.StatusOK)
}

func (s *Server) saveStep(c echo.Context) error {
	d, n, draft, ok, err := s.stepRequest(c)
	if !ok {
		if d != nil && survey.ErrorCode(err) == survey.CodeInternal {
			// The draft could not be loaded (database down): show the
			// page again with what the respondent just entered.
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
	values, fieldErrs, formErr := s.parseStep(d, n, form, t)
	if len(fieldErrs) > 0 || formErr != "" {
		return s.renderStep(c, d, n, values, fieldErrs, formErr, http.StatusUnprocessableEntity)
	}
	applyStep(d, n, values, draft)
	if err := s.store.SaveDraft(c.Request().Context(), draft); err != nil {
		if survey.ErrorCode(err) == survey.CodeNotFound {
			return c.Redirect(http.StatusSeeOther, respondentPath(d, "?verlopen=1"))
		}
		s.logStoreFailure(c, err)
		return s.saveFailed(c, d, n, values)
	}
	next := respondentPath(d, "/stap/"+strconv.Itoa(n+1))
	if n == len(stepsOf(&d.Questionnaire)) || (c.QueryParam("vanaf") == "controle" && draft.Reached == len(stepsOf(&d.Questionnaire))) {
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
	draft, ok, err := s.draftOrRestart(c, d)
	if !ok {
		return err
	}
	if first := firstIncompleteStep(d, draft); first > 0 {
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(first)))
	}
	return s.renderReview(c, d, draft, "", http.StatusOK)
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
	draft, err := s.loadDraft(c, d)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		// The draft is gone: either this very submission was stored
		// already (a retry whose first answer never arrived) or the
		// draft expired.
		used, uerr := s.store.NonceUsed(ctx, form.Nonce)
		if uerr != nil {
			return uerr
		}
		if used {
			return c.Redirect(http.StatusSeeOther, thanks)
		}
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "?verlopen=1"))
	} else if err != nil {
		return err
	}
	if form.Nonce != draft.Nonce {
		return survey.Errorf(survey.CodeInvalid, "nonce does not belong to this draft")
	}
	if first := firstIncompleteStep(d, draft); first > 0 {
		return c.Redirect(http.StatusSeeOther, respondentPath(d, "/stap/"+strconv.Itoa(first)))
	}
	if d.Access == survey.AccessCodes {
		if !draft.WithCode {
			return c.Redirect(http.StatusSeeOther, respondentPath(d, ""))
		}
		// Spend the code in a transaction of its own, before and apart
		// from storing the answers: nothing may tie the two together.
		if err := s.store.UseDraftCode(ctx, d.ID, draft.ID); err != nil {
			t := s.texts.For(requestLang(c))
			if survey.ErrorCode(err) == survey.CodeConflict {
				return s.renderReview(c, d, draft, t.Get("code.error.used_meanwhile"), http.StatusConflict)
			}
			s.logStoreFailure(c, err)
			return s.renderReview(c, d, draft, t.Get("error.submit_failed"), http.StatusServiceUnavailable)
		}
	}
	resp := responseFromDraft(d, draft, s.now().In(s.location).Format("2006-01-02"))
	err = s.store.Submit(ctx, draft.ID, form.Nonce, resp)
	switch survey.ErrorCode(err) {
	case "", survey.CodeConflict:
		// Conflict: the same nonce was stored a moment ago (double
		// click). Either way the answers are in, exactly once.
		s.metrics.countSubmission(err)
		s.setDraftCookie(c, d, "", -1)
		// The browser's back button must not bring the answers back from
		// its back/forward cache on a shared computer.
		c.Response().Header().Set("Clear-Site-Data", `"cache"`)
		return c.Redirect(http.StatusSeeOther, thanks)
	default:
		s.logStoreFailure(c, err)
		t := s.texts.For(requestLang(c))
		return s.renderReview(c, d, draft, t.Get("error.submit_failed"), http.StatusServiceUnavailable)
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
