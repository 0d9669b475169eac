package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// accountPage is the data of /account. NewToken and RecoveryCodes are set
// only on the response that made them: they are never shown again.
type accountPage struct {
	Consultant        *survey.Consultant
	FirmRequiresTOTP  bool
	RecoveryCodesLeft int
	Tokens            []tokenView
	TokenName         string
	NewToken          string
	NewTokenName      string
	RecoveryCodes     []string
	Notice            string
	Errors            formErrors
}

// tokenView is an API token in the list.
type tokenView struct {
	ID       string
	Name     string
	Created  string
	LastUsed string
}

// totpSetupPage is the data of the set-up page of two-factor sign-in.
type totpSetupPage struct {
	// Setup tells the shared template this is the set-up page.
	Setup bool
	// Pending is set once a secret was made; until then the page offers to
	// start.
	Pending bool
	Secret  string
	QRCode  template.URL
	// Required says the firm requires it: the consultant can do nothing
	// else first.
	Required bool
	Errors   formErrors
}

// accountNotices are the messages /account shows after a redirect.
func accountNotices() map[string]string {
	return map[string]string{
		"token_ingetrokken": "auth.account.notice_token_revoked",
		"totp_uit":          "auth.account.notice_totp_off",
	}
}

// formatTime shows a moment in the server's time zone, on one line and with
// the month as a word ("5 dec 2026 14:03").
func (s *Server) formatTime(tm time.Time, t Translator) string {
	return formatMoment(tm, s.location, t)
}

// accountView loads what /account shows for the signed-in consultant.
func (s *Server) accountView(c echo.Context) (*accountPage, error) {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	page := &accountPage{Consultant: cons}
	if sess, ok := c.Get(ctxSession).(*auth.Session); ok {
		page.FirmRequiresTOTP = sess.FirmRequiresTOTP
	}
	if cons.TOTPEnabled {
		n, err := s.accounts.CountRecoveryCodes(ctx, cons.ID)
		if err != nil {
			return nil, err
		}
		page.RecoveryCodesLeft = n
	}
	tokens, err := s.accounts.ListAPITokens(ctx, cons.ID)
	if err != nil {
		return nil, err
	}
	t := s.texts.For(requestLang(c))
	for _, tok := range tokens {
		v := tokenView{ID: tok.ID, Name: tok.Name, Created: s.formatTime(tok.CreatedAt, t), LastUsed: t.Get("auth.account.never")}
		if tok.LastUsedAt != nil {
			v.LastUsed = s.formatTime(*tok.LastUsedAt, t)
		}
		page.Tokens = append(page.Tokens, v)
	}
	return page, nil
}

func (s *Server) showAccount(c echo.Context) error {
	page, err := s.accountView(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	if key, ok := accountNotices()[c.QueryParam("melding")]; ok {
		page.Notice = t.Get(key)
	}
	return s.render(c, http.StatusOK, "account", t.Get("auth.account.title"), page, false)
}

// tokenForm names a new API token.
type tokenForm struct {
	Name string `form:"name"`
}

// createAPIToken makes a token and shows it on this one response.
func (s *Server) createAPIToken(c echo.Context) error {
	cons := consultantFrom(c)
	var form tokenForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	name := strings.TrimSpace(form.Name)
	var msg string
	switch {
	case name == "":
		msg = t.Get("auth.error.token_name_required")
	case hasControlChars(name):
		msg = t.Get("form.control_characters")
	case utf8.RuneCountInString(name) > 100:
		msg = t.Get("auth.error.token_name_long")
	}
	if msg != "" {
		page, err := s.accountView(c)
		if err != nil {
			return err
		}
		page.TokenName = form.Name
		page.Errors = formErrors{{Field: "token-name", Message: msg}}
		return s.render(c, http.StatusUnprocessableEntity, "account", t.Get("error.title_prefix")+" "+t.Get("auth.account.title"), page, true)
	}
	tok, secret, err := s.accounts.CreateAPIToken(c.Request().Context(), cons.ID, name)
	if err != nil {
		return err
	}
	s.audit(c, actionTokenCreate, targetAPIToken, tok.ID, tok.Name)
	page, err := s.accountView(c)
	if err != nil {
		return err
	}
	page.NewToken, page.NewTokenName = secret, tok.Name
	return s.render(c, http.StatusOK, "account", t.Get("auth.account.title"), page, false)
}

func (s *Server) revokeAPIToken(c echo.Context) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	tokens, err := s.accounts.ListAPITokens(ctx, cons.ID)
	if err != nil {
		return err
	}
	name := ""
	for _, tok := range tokens {
		if tok.ID == c.Param("id") {
			name = tok.Name
		}
	}
	if err := s.accounts.RevokeAPIToken(ctx, cons.ID, c.Param("id")); err != nil {
		return err
	}
	s.audit(c, actionTokenRevoke, targetAPIToken, c.Param("id"), name)
	return c.Redirect(http.StatusSeeOther, "/account?melding=token_ingetrokken")
}

// newRecoveryCodes replaces the recovery codes, for a consultant who used
// or lost them, and shows the new ones once.
func (s *Server) newRecoveryCodes(c echo.Context) error {
	cons := consultantFrom(c)
	if !cons.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	codes := auth.NewRecoveryCodes()
	if err := s.accounts.ReplaceRecoveryCodes(c.Request().Context(), cons.ID, codes); err != nil {
		return err
	}
	s.audit(c, actionRecoveryCodes, targetConsultant, cons.ID, "")
	page, err := s.accountView(c)
	if err != nil {
		return err
	}
	page.RecoveryCodes = codes
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "account", t.Get("auth.account.title"), page, false)
}

// disableTOTPForm asks for the password: someone at an unlocked computer
// must not be able to weaken the account.
type disableTOTPForm struct {
	Password string `form:"password"`
}

func (s *Server) disableTOTP(c echo.Context) error {
	cons := consultantFrom(c)
	if !cons.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	var form disableTOTPForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	fail := func(status int, key string) error {
		page, err := s.accountView(c)
		if err != nil {
			return err
		}
		page.Errors = formErrors{{Field: "totp-password", Message: t.Get(key)}}
		return s.render(c, status, "account", t.Get("error.title_prefix")+" "+t.Get("auth.account.title"), page, true)
	}
	if sess, ok := c.Get(ctxSession).(*auth.Session); ok && sess.FirmRequiresTOTP {
		return fail(http.StatusConflict, "auth.error.totp_required_by_firm")
	}
	if form.Password == "" {
		return fail(http.StatusUnprocessableEntity, "auth.error.password_required")
	}
	creds, err := s.accounts.Credentials(ctx, cons.ID)
	if err != nil {
		return err
	}
	if len(form.Password) > 4*auth.MaxPasswordLength {
		return fail(http.StatusUnprocessableEntity, "auth.error.password_wrong")
	}
	if ok, _ := s.signIn.hasher.Verify(form.Password, creds.PasswordHash); !ok {
		s.recordFailure(c, cons, s.now())
		return fail(http.StatusUnprocessableEntity, "auth.error.password_wrong")
	}
	if err := s.accounts.DisableTOTP(ctx, cons.ID); err != nil {
		return err
	}
	s.audit(c, actionTOTPOff, targetConsultant, cons.ID, "")
	return c.Redirect(http.StatusSeeOther, "/account?melding=totp_uit")
}

// --- Setting up two-factor sign-in ---

func (s *Server) showTOTPSetup(c echo.Context) error {
	cons := consultantFrom(c)
	if cons.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	page, err := s.totpSetupView(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "totp", t.Get("auth.setup.title"), page, false)
}

// totpSetupView loads the set-up page: the pending secret as text and as a
// QR code, when there is one.
func (s *Server) totpSetupView(c echo.Context) (*totpSetupPage, error) {
	cons := consultantFrom(c)
	page := &totpSetupPage{Setup: true}
	if sess, ok := c.Get(ctxSession).(*auth.Session); ok {
		page.Required = sess.FirmRequiresTOTP
	}
	creds, err := s.accounts.Credentials(c.Request().Context(), cons.ID)
	if err != nil {
		return nil, err
	}
	if creds.TOTPPendingSecret == "" {
		return page, nil
	}
	key, err := auth.TOTPKey(cons.Email, creds.TOTPPendingSecret)
	if err != nil {
		return nil, err
	}
	qr, err := auth.TOTPQRCode(key, 240)
	if err != nil {
		return nil, err
	}
	page.Pending = true
	page.Secret = auth.FormatSecret(creds.TOTPPendingSecret)
	// The data: URL is made here from a PNG, never from input.
	page.QRCode = template.URL(qr)
	return page, nil
}

// startTOTPSetup makes a new secret. It is a POST: showing the page must
// not change what an app that scanned an earlier code expects.
func (s *Server) startTOTPSetup(c echo.Context) error {
	cons := consultantFrom(c)
	if cons.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	if err := s.accounts.SetPendingTOTP(c.Request().Context(), cons.ID, auth.NewTOTPSecret()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, totpSetupPath)
}

type confirmTOTPForm struct {
	Code string `form:"code"`
}

// confirmTOTPSetup turns two-factor sign-in on once a code from the app
// matches, shows the recovery codes once, and gives the session a new id:
// it now stands for a stronger sign-in.
func (s *Server) confirmTOTPSetup(c echo.Context) error {
	cons := consultantFrom(c)
	if cons.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	var form confirmTOTPForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	creds, err := s.accounts.Credentials(ctx, cons.ID)
	if err != nil {
		return err
	}
	if creds.TOTPPendingSecret == "" {
		return c.Redirect(http.StatusSeeOther, totpSetupPath)
	}
	now := s.now()
	code := strings.TrimSpace(form.Code)
	step, ok := auth.VerifyTOTP(creds.TOTPPendingSecret, code, now, 0)
	if !ok {
		page, err := s.totpSetupView(c)
		if err != nil {
			return err
		}
		key := "auth.error.code_wrong"
		if code == "" {
			key = "auth.error.code_required"
		}
		page.Errors = formErrors{{Field: "code", Message: t.Get(key)}}
		return s.render(c, http.StatusUnprocessableEntity, "totp", t.Get("error.title_prefix")+" "+t.Get("auth.setup.title"), page, true)
	}
	codes := auth.NewRecoveryCodes()
	err = s.accounts.EnableTOTP(ctx, cons.ID, creds.TOTPPendingSecret, step, codes)
	if survey.ErrorCode(err) == survey.CodeConflict {
		// Another tab started over: that secret is the one to confirm.
		return c.Redirect(http.StatusSeeOther, totpSetupPath)
	}
	if err != nil {
		return err
	}
	s.audit(c, actionTOTPOn, targetConsultant, cons.ID, "")
	sess, ok := c.Get(ctxSession).(*auth.Session)
	oldID, _ := c.Get(ctxSessionID).(string)
	if ok && oldID != "" {
		id, err := s.accounts.RotateSession(ctx, oldID, auth.Session{
			ConsultantID: cons.ID, Stage: auth.StageFull,
			CreatedAt: sess.CreatedAt, LastSeenAt: now, ExpiresAt: sess.ExpiresAt,
		})
		if err != nil {
			return err
		}
		s.setSessionCookie(c, id)
	}
	updated := *cons
	updated.TOTPEnabled = true
	c.Set(ctxConsultant, &updated)
	page, err := s.accountView(c)
	if err != nil {
		return err
	}
	page.RecoveryCodes = codes
	page.Notice = t.Get("auth.account.notice_totp_on")
	return s.render(c, http.StatusOK, "account", t.Get("auth.account.title"), page, false)
}
