package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Single sign-on (issue 16): a firm's administrator configures one OpenID
// Connect provider on /team/sso; the sign-in page sends an address of one
// of its domains there; the provider sends the browser back to
// /login/sso/callback. State and nonce are kept server-side (sso_logins,
// single use) and the PKCE verifier in a sealed cookie of this browser, so
// that neither a copy of the database nor a callback URL alone finishes a
// sign-in.

// SSOStore is what single sign-on needs from persistence; internal/store
// implements it. An AccountStore without it leaves single sign-on off.
type SSOStore interface {
	SSOProvider(ctx context.Context, firmID string) (*survey.SSOProvider, error)
	SSOProviderByDomain(ctx context.Context, domain string) (*survey.SSOProvider, error)
	SaveSSOProvider(ctx context.Context, p *survey.SSOProvider) error
	DeleteSSOProvider(ctx context.Context, firmID string) error
	CreateSSOLogin(ctx context.Context, state string, l survey.SSOLogin, now time.Time) error
	TakeSSOLogin(ctx context.Context, state string, now time.Time) (*survey.SSOLogin, error)
	SSOConsultant(ctx context.Context, firmID, email string, jit bool, now time.Time) (*survey.Consultant, string, error)
}

const (
	// ssoCookie carries the state and PKCE verifier of a sign-in at the
	// provider, sealed; only the callback path sees it.
	ssoCookie     = "uk_sso"
	ssoCookiePath = "/login/sso"
	// ssoCallbackPath is the redirect URL to register at the provider,
	// after the base URL.
	ssoCallbackPath = "/login/sso/callback"
)

// Audit actions of single sign-on.
const (
	actionSSOConfigure = "sso_configure"
	actionSSORemove    = "sso_remove"
	actionSSOJoin      = "sso_join"
	// A refused single sign-on, by reason: the audit page words each.
	actionSSORefusedUnverified = "sso_refused_unverified"
	actionSSORefusedRejected   = "sso_refused_rejected"
	actionSSORefusedDomain     = "sso_refused_domain"
	actionSSORefusedOtherFirm  = "sso_refused_other_firm"
	actionSSORefusedNoAccount  = "sso_refused_no_account"
)

func ssoCookieAD() []byte { return []byte("uk-sso-v1") }

// ssoEnabled reports whether single sign-on can work at all.
func (s *Server) ssoEnabled() bool { return s.ssoStore != nil && s.sso != nil }

func (s *Server) ssoConfig(p *survey.SSOProvider) sso.Provider {
	return sso.Provider{IssuerURL: p.IssuerURL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: s.absoluteURL(ssoCallbackPath)}
}

// offerSSO runs when an address was typed on the sign-in page. When its
// domain belongs to a firm's provider, an address without a password gets
// the "Inloggen met <naam>" button (with the password form only when the
// firm allows passwords), and a password of such an address is refused
// when the firm allows none. done reports that it answered. The button is
// a page of its own rather than an immediate redirect because the page
// that posts to /login/sso must allow the provider as a form action
// (allowFormActionTo), which the plain sign-in page cannot know.
func (s *Server) offerSSO(c echo.Context, page *loginPage, hasPassword bool) (done bool, err error) {
	if !s.ssoEnabled() {
		return false, nil
	}
	domain := sso.Domain(auth.NormaliseEmail(page.Email))
	if domain == "" {
		return false, nil
	}
	p, err := s.ssoStore.SSOProviderByDomain(c.Request().Context(), domain)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if hasPassword && p.PasswordAllowed {
		// A failed password shows the plain page: its CSP does not
		// allow the provider, so it offers no button that leads there.
		return false, nil
	}
	page.SSOName, page.SSOOnly = p.DisplayName, !p.PasswordAllowed
	// The page's button leads to the provider: its form may go there.
	if unavailable, err := s.allowFormActionTo(c, p, page); unavailable || err != nil {
		return true, err
	}
	t := s.texts.For(requestLang(c))
	if hasPassword {
		page.Errors = formErrors{{Field: "sso", Message: t.Get("auth.sso.error_password_off", p.DisplayName)}}
		return true, s.render(c, http.StatusForbidden, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
	}
	return true, s.render(c, http.StatusOK, "login", t.Get("auth.login.title"), page, false)
}

// allowFormActionTo widens this response's form-action to the provider's
// authorization endpoint: a browser follows a form's redirect only to
// origins the form's page allows. A provider whose discovery document
// cannot be fetched gets the "not reachable" page instead (unavailable).
func (s *Server) allowFormActionTo(c echo.Context, p *survey.SSOProvider, page *loginPage) (unavailable bool, err error) {
	origin, err := s.sso.AuthorizationOrigin(c.Request().Context(), p.IssuerURL)
	if errors.Is(err, sso.ErrUnavailable) {
		return true, s.renderSSOUnavailable(c, p, page, err)
	}
	if err != nil {
		return true, err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "form-action 'self'", "form-action 'self' "+origin, 1))
	return false, nil
}

// refusePasswordOfFirm refuses a right password when the consultant's
// firm has turned password sign-in off (an address outside the provider's
// domains gets here; one inside was refused before its password was
// checked).
func (s *Server) refusePasswordOfFirm(c echo.Context, cons *survey.Consultant, page *loginPage) (bool, error) {
	if !s.ssoEnabled() {
		return false, nil
	}
	p, err := s.ssoStore.SSOProvider(c.Request().Context(), cons.FirmID)
	if survey.ErrorCode(err) == survey.CodeNotFound || (err == nil && p.PasswordAllowed) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	s.auditAs(c, cons, actionLoginFailed, targetConsultant, cons.ID, "password sign-in is off")
	t := s.texts.For(requestLang(c))
	page.Errors = formErrors{{Field: "email", Message: t.Get("auth.sso.error_password_off", p.DisplayName)}}
	return true, s.render(c, http.StatusForbidden, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
}

type ssoStartForm struct {
	Email string `form:"email"`
	Next  string `form:"next"`
}

// startSSO is the "Inloggen met <naam>" button.
func (s *Server) startSSO(c echo.Context) error {
	noStore(c)
	var form ssoStartForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	page := loginPage{Email: strings.TrimSpace(form.Email), Next: localPath(form.Next)}
	email := auth.NormaliseEmail(form.Email)
	var p *survey.SSOProvider
	if s.ssoEnabled() && !hasControlChars(email) && len(email) <= 254 {
		var err error
		p, err = s.ssoStore.SSOProviderByDomain(c.Request().Context(), sso.Domain(email))
		if err != nil && survey.ErrorCode(err) != survey.CodeNotFound {
			return err
		}
	}
	if p == nil {
		page.Errors = formErrors{{Field: "email", Message: t.Get("auth.sso.error_no_provider")}}
		return s.render(c, http.StatusUnprocessableEntity, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
	}
	page.SSOName, page.SSOOnly = p.DisplayName, !p.PasswordAllowed
	return s.beginSSO(c, p, &page)
}

// beginSSO records the sign-in and sends the browser to the provider. A
// provider that does not answer gets a message, with the password form
// where the firm allows it.
func (s *Server) beginSSO(c echo.Context, p *survey.SSOProvider, page *loginPage) error {
	ctx := c.Request().Context()
	start, err := s.sso.Begin(ctx, s.ssoConfig(p), auth.NormaliseEmail(page.Email))
	if errors.Is(err, sso.ErrUnavailable) {
		return s.renderSSOUnavailable(c, p, page, err)
	}
	if err != nil {
		return err
	}
	now := s.now()
	login := survey.SSOLogin{FirmID: p.FirmID, Nonce: start.Nonce, Next: page.Next, ExpiresAt: now.Add(auth.SSOLoginLifetime)}
	if err := s.ssoStore.CreateSSOLogin(ctx, start.State, login, now); err != nil {
		return err
	}
	sealed, err := s.sealBytes(ctx, ssoCookieAD(), []byte(start.State+"\x00"+start.Verifier))
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: ssoCookie, Value: sealed, Path: ssoCookiePath, MaxAge: int(auth.SSOLoginLifetime / time.Second),
		// Lax: the provider's redirect back is a top-level GET from
		// another site, which must carry it.
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return c.Redirect(http.StatusSeeOther, start.URL)
}

// renderSSOUnavailable logs cause, the provider's failure, and answers
// with the "not reachable" page.
func (s *Server) renderSSOUnavailable(c echo.Context, p *survey.SSOProvider, page *loginPage, cause error) error {
	s.logger.Warn("single sign-on provider unavailable", "firm_id", p.FirmID, "error", cause.Error())
	t := s.texts.For(requestLang(c))
	key := "auth.sso.error_unavailable"
	if p.PasswordAllowed {
		key = "auth.sso.error_unavailable_password"
	}
	// The button tries again through the sign-in page, whose answer
	// allows the provider as a form action once it answers again.
	page.SSOName, page.SSOOnly, page.SSORetry = p.DisplayName, !p.PasswordAllowed, true
	field := "sso"
	if page.Email == "" {
		// Back from the provider: no address to try again with.
		page.SSOName, page.SSOOnly, field = "", false, "email"
	}
	page.Errors = formErrors{{Field: field, Message: t.Get(key, p.DisplayName)}}
	return s.render(c, http.StatusServiceUnavailable, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
}

// ssoCallback is where the provider sends the browser back. The state
// must be the one this browser left with (the sealed cookie) and one the
// server still holds (sso_logins, deleted here, so it works once); the
// code is redeemed with the PKCE verifier, and the ID token verified with
// its nonce. Then the verified address decides: the firm's own account, an
// open invitation of the firm, or (if allowed) a new account.
func (s *Server) ssoCallback(c echo.Context) error {
	noStore(c)
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	fail := func(status int, message string) error {
		page := loginPage{Next: defaultAfterLoginPath, Errors: formErrors{{Field: "email", Message: message}}}
		return s.render(c, status, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
	}
	if !s.ssoEnabled() {
		return survey.Errorf(survey.CodeNotFound, "single sign-on is off")
	}
	state := c.QueryParam("state")
	ck, err := c.Cookie(ssoCookie)
	c.SetCookie(&http.Cookie{Name: ssoCookie, Value: "", Path: ssoCookiePath, MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	if err != nil || state == "" || len(state) > 200 {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_state"))
	}
	plain, err := s.openBytes(ctx, ssoCookieAD(), ck.Value)
	if err != nil {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_state"))
	}
	cookieState, verifier, ok := strings.Cut(string(plain), "\x00")
	if !ok || subtle.ConstantTimeCompare([]byte(cookieState), []byte(state)) != 1 {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_state"))
	}
	now := s.now()
	login, err := s.ssoStore.TakeSSOLogin(ctx, state, now)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_expired"))
	}
	if err != nil {
		return err
	}
	p, err := s.ssoStore.SSOProvider(ctx, login.FirmID)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_expired"))
	}
	if err != nil {
		return err
	}
	if c.QueryParam("error") != "" {
		// The consultant cancelled, or the provider refused them.
		return fail(http.StatusUnauthorized, t.Get("auth.sso.error_provider", p.DisplayName))
	}
	code := c.QueryParam("code")
	if code == "" || len(code) > 4096 {
		return fail(http.StatusBadRequest, t.Get("auth.sso.error_state"))
	}
	id, err := s.sso.Finish(ctx, s.ssoConfig(p), code, verifier, login.Nonce)
	switch {
	case errors.Is(err, sso.ErrUnavailable):
		return s.renderSSOUnavailable(c, p, &loginPage{Next: localPath(login.Next)}, err)
	case errors.Is(err, sso.ErrEmailUnverified):
		s.auditSSORefused(c, p.FirmID, "", actionSSORefusedUnverified, "")
		return fail(http.StatusForbidden, t.Get("auth.sso.error_unverified", p.DisplayName))
	case errors.Is(err, sso.ErrRejected):
		s.logger.Warn("single sign-on rejected", "firm_id", p.FirmID, "error", err.Error())
		reason := []rune(strings.TrimPrefix(err.Error(), sso.ErrRejected.Error()+": "))
		if len(reason) > 300 {
			// A provider's error body can be long; the log keeps it whole.
			reason = append(reason[:300], '…')
		}
		s.auditSSORefused(c, p.FirmID, "", actionSSORefusedRejected, string(reason))
		return fail(http.StatusUnauthorized, t.Get("auth.sso.error_rejected", p.DisplayName))
	case err != nil:
		return err
	}
	domain := sso.Domain(id.Email)
	if !slices.Contains(p.Domains, domain) {
		s.auditSSORefused(c, p.FirmID, id.Email, actionSSORefusedDomain, domain)
		return fail(http.StatusForbidden, t.Get("auth.sso.error_domain", domain))
	}
	cons, joined, err := s.ssoStore.SSOConsultant(ctx, p.FirmID, id.Email, p.JITAllowed, now)
	switch survey.ErrorCode(err) {
	case "":
	case survey.CodeForbidden:
		s.auditSSORefused(c, p.FirmID, id.Email, actionSSORefusedOtherFirm, "")
		return fail(http.StatusForbidden, t.Get("auth.sso.error_other_firm"))
	case survey.CodeNotFound:
		s.auditSSORefused(c, p.FirmID, id.Email, actionSSORefusedNoAccount, "")
		return fail(http.StatusForbidden, t.Get("auth.sso.error_no_account"))
	default:
		return err
	}
	if cons.Disabled {
		s.auditAs(c, cons, actionLoginFailed, targetConsultant, cons.ID, "sso: account disabled")
		return fail(http.StatusForbidden, t.Get("auth.sso.error_disabled"))
	}
	switch joined {
	case survey.SSOJoinedInvitation:
		s.auditAs(c, cons, actionAcceptInvite, targetInvitation, "", "sso")
	case survey.SSOJoinedJIT:
		s.auditAs(c, cons, actionSSOJoin, targetConsultant, cons.ID, cons.Email)
	}
	return s.startSession(c, cons, sessionCookieValue(c), login.Next, "sso: "+p.DisplayName, auth.MethodSSO)
}

// auditSSORefused records a refused single sign-on in the firm's log; no
// account may exist, so the address stands for who tried.
func (s *Server) auditSSORefused(c echo.Context, firmID, email, action, detail string) {
	e := &survey.AuditEntry{FirmID: firmID, Email: email, Action: action, TargetType: targetFirm, TargetID: firmID, Detail: detail, At: s.now()}
	if err := s.accounts.AddAudit(c.Request().Context(), e); err != nil {
		s.logger.Error("audit entry not stored", "action", action, "error", err.Error())
	}
}

// --- Configuration on the team page ---

// ssoPage is the data of /team/sso.
type ssoPage struct {
	Configured      bool
	DisplayName     string
	IssuerURL       string
	ClientID        string
	HasSecret       bool
	Domains         string
	PasswordAllowed bool
	JITAllowed      bool
	RedirectURL     string
	Notice          string
	Errors          formErrors
}

type ssoForm struct {
	DisplayName     string `form:"display_name"`
	IssuerURL       string `form:"issuer_url"`
	ClientID        string `form:"client_id"`
	ClientSecret    string `form:"client_secret"`
	Domains         string `form:"domains"`
	PasswordAllowed string `form:"password_allowed"`
	JITAllowed      string `form:"jit_allowed"`
}

// ssoNotices are the messages /team/sso shows after a redirect.
func ssoNotices() map[string]string {
	return map[string]string{
		"opgeslagen": "auth.sso.notice_saved",
		"verwijderd": "auth.sso.notice_removed",
	}
}

// ssoView loads the firm's provider for /team/sso; a firm without one gets
// an empty form with password sign-in allowed.
func (s *Server) ssoView(c echo.Context) (*ssoPage, *survey.SSOProvider, error) {
	page := &ssoPage{PasswordAllowed: true, RedirectURL: s.absoluteURL(ssoCallbackPath)}
	if !s.ssoEnabled() {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "single sign-on is off")
	}
	p, err := s.ssoStore.SSOProvider(c.Request().Context(), consultantFrom(c).FirmID)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return page, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	page.Configured, page.DisplayName, page.IssuerURL, page.ClientID = true, p.DisplayName, p.IssuerURL, p.ClientID
	page.HasSecret, page.Domains = p.ClientSecret != "", strings.Join(p.Domains, ", ")
	page.PasswordAllowed, page.JITAllowed = p.PasswordAllowed, p.JITAllowed
	return page, p, nil
}

func (s *Server) showSSO(c echo.Context) error {
	page, _, err := s.ssoView(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	if key, ok := ssoNotices()[c.QueryParam("melding")]; ok {
		page.Notice = t.Get(key)
	}
	return s.render(c, http.StatusOK, "team_sso", t.Get("auth.sso.title"), page, false)
}

// domainPattern is a host name with at least one dot, as an e-mail
// domain is.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// maxSSODomains bounds the domains of one firm.
const maxSSODomains = 20

// saveSSO stores the firm's provider after checking every field and
// fetching the issuer's discovery document. The client secret is never
// shown; an empty one keeps the stored secret.
func (s *Server) saveSSO(c echo.Context) error {
	cons := consultantFrom(c)
	page, old, err := s.ssoView(c)
	if err != nil {
		return err
	}
	var form ssoForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	p := &survey.SSOProvider{
		FirmID:      cons.FirmID,
		DisplayName: strings.TrimSpace(form.DisplayName), IssuerURL: strings.TrimRight(strings.TrimSpace(form.IssuerURL), "/"),
		ClientID: strings.TrimSpace(form.ClientID), ClientSecret: strings.TrimSpace(form.ClientSecret),
		PasswordAllowed: form.PasswordAllowed == "1", JITAllowed: form.JITAllowed == "1",
	}
	page.DisplayName, page.IssuerURL, page.ClientID, page.Domains = p.DisplayName, strings.TrimSpace(form.IssuerURL), p.ClientID, strings.TrimSpace(form.Domains)
	page.PasswordAllowed, page.JITAllowed = p.PasswordAllowed, p.JITAllowed
	var errs formErrors
	add := func(field, key string, args ...any) {
		errs = append(errs, formError{Field: field, Message: t.Get(key, args...)})
	}
	for _, f := range []struct{ field, value string }{
		{"display_name", form.DisplayName}, {"issuer_url", form.IssuerURL}, {"client_id", form.ClientID},
		{"client_secret", form.ClientSecret}, {"domains", form.Domains},
	} {
		if hasControlChars(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(f.value)) {
			add(f.field, "form.control_characters")
		}
	}
	if len(errs) == 0 {
		switch {
		case p.DisplayName == "":
			add("display_name", "auth.sso.error_name_required")
		case len([]rune(p.DisplayName)) > 100:
			add("display_name", "auth.sso.error_name_long")
		}
		if problem := checkIssuer(p.IssuerURL); problem != "" {
			add("issuer_url", problem)
		}
		switch {
		case p.ClientID == "":
			add("client_id", "auth.sso.error_client_id_required")
		case len(p.ClientID) > 500:
			add("client_id", "auth.sso.error_too_long")
		}
		switch {
		case p.ClientSecret == "" && (old == nil || old.ClientSecret == ""):
			add("client_secret", "auth.sso.error_secret_required")
		case len(p.ClientSecret) > 2000:
			add("client_secret", "auth.sso.error_too_long")
		}
		domains, bad := parseDomains(form.Domains)
		switch {
		case bad != "":
			add("domains", "auth.sso.error_domain_invalid", bad)
		case len(domains) == 0:
			add("domains", "auth.sso.error_domains_required")
		case len(domains) > maxSSODomains:
			add("domains", "auth.sso.error_domains_many", maxSSODomains)
		case !p.PasswordAllowed && !slices.Contains(domains, sso.Domain(cons.Email)):
			// The administrator would lock themselves out.
			add("password_allowed", "auth.sso.error_lockout", cons.Email)
		}
		p.Domains = domains
	}
	if len(errs) == 0 {
		if err := s.sso.Check(c.Request().Context(), p.IssuerURL); err != nil {
			s.logger.Warn("single sign-on discovery failed", "error", err.Error())
			add("issuer_url", "auth.sso.error_discovery")
		}
	}
	if len(errs) == 0 {
		err := s.ssoStore.SaveSSOProvider(c.Request().Context(), p)
		switch survey.ErrorCode(err) {
		case "":
		case survey.CodeConflict:
			add("domains", "auth.sso.error_domain_taken", survey.ErrorMessage(err))
		default:
			return err
		}
	}
	if len(errs) > 0 {
		page.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "team_sso", t.Get("error.title_prefix")+" "+t.Get("auth.sso.title"), page, true)
	}
	detail := p.DisplayName + " (" + p.IssuerURL + "; " + strings.Join(p.Domains, ", ")
	if !p.PasswordAllowed {
		detail += "; password sign-in off"
	}
	if p.JITAllowed {
		detail += "; just-in-time accounts"
	}
	if p.ClientSecret != "" {
		detail += "; client secret set"
	}
	s.audit(c, actionSSOConfigure, targetFirm, cons.FirmID, detail+")")
	return c.Redirect(http.StatusSeeOther, "/team/sso?melding=opgeslagen")
}

// deleteSSO removes the firm's provider.
func (s *Server) deleteSSO(c echo.Context) error {
	cons := consultantFrom(c)
	if !s.ssoEnabled() {
		return survey.Errorf(survey.CodeNotFound, "single sign-on is off")
	}
	if err := s.ssoStore.DeleteSSOProvider(c.Request().Context(), cons.FirmID); err != nil {
		return err
	}
	s.audit(c, actionSSORemove, targetFirm, cons.FirmID, "")
	return c.Redirect(http.StatusSeeOther, "/team/sso?melding=verwijderd")
}

// checkIssuer returns the translation key of what is wrong with an issuer
// URL, or "". Providers publish https issuers; plain http is accepted for
// this machine only (a provider under test).
func checkIssuer(issuer string) string {
	if issuer == "" {
		return "auth.sso.error_issuer_required"
	}
	if len(issuer) > 500 {
		return "auth.sso.error_too_long"
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "auth.sso.error_issuer_invalid"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if h := u.Hostname(); h == "localhost" || h == "127.0.0.1" || h == "::1" {
			return ""
		}
	}
	return "auth.sso.error_issuer_https"
}

// parseDomains splits the domains field on commas, spaces and line breaks;
// bad is the first entry that is no domain.
func parseDomains(text string) (domains []string, bad string) {
	for _, d := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}) {
		d = strings.TrimPrefix(d, "@")
		if len(d) > 253 || !domainPattern.MatchString(d) {
			return nil, d
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	return domains, ""
}
