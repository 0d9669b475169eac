package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// AccountStore is what the web layer needs for consultant accounts.
// internal/store implements it. Functions that take a firm id treat records
// of other firms as not found.
type AccountStore interface {
	FirmByID(ctx context.Context, id string) (*survey.Firm, error)
	SetFirmRequireTOTP(ctx context.Context, firmID string, require bool) error

	ConsultantByID(ctx context.Context, firmID, id string) (*survey.Consultant, error)
	ConsultantByEmail(ctx context.Context, email string) (*survey.Consultant, error)
	ListConsultants(ctx context.Context, firmID string) ([]survey.Consultant, error)
	SetConsultantDisabled(ctx context.Context, firmID, id string, disabled bool) error

	Credentials(ctx context.Context, consultantID string) (*auth.Credentials, error)
	SetPasswordHash(ctx context.Context, consultantID, passwordHash string) error
	RecordLoginFailure(ctx context.Context, consultantID string, now time.Time) (locked bool, err error)
	RecordLoginSuccess(ctx context.Context, consultantID string, now time.Time) error

	SetPendingTOTP(ctx context.Context, consultantID, secret string) error
	EnableTOTP(ctx context.Context, consultantID, secret string, step int64, recoveryCodes []string) error
	DisableTOTP(ctx context.Context, consultantID string) error
	UseTOTPStep(ctx context.Context, consultantID string, step int64) error
	ReplaceRecoveryCodes(ctx context.Context, consultantID string, codes []string) error
	UseRecoveryCode(ctx context.Context, consultantID, code string) error
	CountRecoveryCodes(ctx context.Context, consultantID string) (int, error)

	RotateSession(ctx context.Context, oldID string, sess auth.Session) (string, error)
	SessionConsultant(ctx context.Context, id string) (*auth.Session, *survey.Consultant, error)
	TouchSession(ctx context.Context, id string, now time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	CreateInvitation(ctx context.Context, inv *auth.Invitation) (string, error)
	InvitationByToken(ctx context.Context, token string) (*auth.Invitation, error)
	AcceptInvitation(ctx context.Context, token, passwordHash string, now time.Time) (*survey.Consultant, error)
	ListInvitations(ctx context.Context, firmID string) ([]auth.Invitation, error)
	DeleteInvitation(ctx context.Context, firmID, id string) error

	CreateAPIToken(ctx context.Context, consultantID, name string) (*auth.APIToken, string, error)
	ListAPITokens(ctx context.Context, consultantID string) ([]auth.APIToken, error)
	RevokeAPIToken(ctx context.Context, consultantID, id string) error
	ConsultantByAPIToken(ctx context.Context, token string) (*survey.Consultant, *auth.APIToken, error)
	TouchAPIToken(ctx context.Context, id string, now time.Time) error

	AddAudit(ctx context.Context, e *survey.AuditEntry) error
	ListAudit(ctx context.Context, firmID string, limit, offset int) ([]survey.AuditEntry, error)
	FirstAudit(ctx context.Context, firmID, action, targetType, targetID string) (*survey.AuditEntry, error)
}

// signInPolicy holds the sign-in machinery of a server.
type signInPolicy struct {
	hasher *auth.Hasher
	// failureFloor is the least time a failed sign-in takes.
	failureFloor time.Duration
}

// defaultFailureFloor exceeds what a failed sign-in costs (an argon2id
// hash and two writes), so that every failure takes the same time.
const defaultFailureFloor = 300 * time.Millisecond

func newSignInPolicy() signInPolicy {
	return signInPolicy{hasher: auth.NewHasher(auth.DefaultParams()), failureFloor: defaultFailureFloor}
}

// sessionCookie holds the session id. It is a browser-session cookie; the
// server ends the session after auth.SessionIdle without requests and
// auth.SessionLifetime after sign-in, whatever the browser keeps.
const sessionCookie = "uk_session"

// Context keys of the session, for the handlers that rotate or end it.
const (
	ctxSession   = "session"
	ctxSessionID = "session_id"
)

// Audit actions of the account handlers. Other handlers log their own
// verbs (create, update, open, close, export, share, delete).
const (
	actionLogin         = "login"
	actionLoginFailed   = "login_failed"
	actionLoginLocked   = "login_locked"
	actionLogout        = "logout"
	actionInvite        = "invite"
	actionAcceptInvite  = "accept_invitation"
	actionRevokeInvite  = "revoke_invitation"
	actionDisable       = "disable"
	actionEnable        = "enable"
	actionRequireTOTP   = "require_totp"
	actionTOTPOn        = "totp_enable"
	actionTOTPOff       = "totp_disable"
	actionRecoveryCodes = "recovery_codes"
	actionTokenCreate   = "token_create"
	actionTokenRevoke   = "token_revoke"
)

// Target types of the account handlers' audit entries.
const (
	targetConsultant = "consultant"
	targetInvitation = "invitation"
	targetFirm       = "firm"
	targetAPIToken   = "api_token"
)

const (
	// defaultAfterLoginPath is where a sign-in without a page to return to
	// ends.
	defaultAfterLoginPath = "/organisaties"
	// totpSetupPath is the set-up page of two-factor sign-in, which a
	// consultant whose firm requires it is sent to.
	totpSetupPath = "/account/tweestapsverificatie"
)

// consultantFrom returns the consultant that requireConsultant or
// requireAPIToken found, or nil on a public route.
func consultantFrom(c echo.Context) *survey.Consultant {
	cons, _ := c.Get(ctxConsultant).(*survey.Consultant)
	return cons
}

// requireConsultant lets through only requests of a fully signed-in
// consultant and puts the consultant in the context. Without a session a
// page request is sent to the login page, which returns to it afterwards; a
// session waiting for its second factor is sent to the code page; a
// consultant whose firm requires two-factor sign-in and who has not set it
// up can open only the set-up pages until they have.
func (s *Server) requireConsultant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, cons, id, err := s.currentSession(c)
		if err != nil {
			return err
		}
		// Workspace pages are private to the consultant's browser.
		noStore(c)
		switch {
		case sess == nil:
			return s.redirectToLogin(c)
		case sess.Stage == auth.StageSecondFactor:
			return c.Redirect(http.StatusSeeOther, "/login/totp")
		case sess.Stage != auth.StageFull:
			return s.redirectToLogin(c)
		}
		c.Set(ctxConsultant, cons)
		c.Set(ctxSession, sess)
		c.Set(ctxSessionID, id)
		// After a single sign-on the provider's own multi-factor
		// authentication counts (docs/security.md): the firm's TOTP
		// requirement is for password sign-ins.
		if sess.FirmRequiresTOTP && sess.Method != auth.MethodSSO && !cons.TOTPEnabled && !allowedBeforeTOTPSetup(c) {
			return c.Redirect(http.StatusSeeOther, totpSetupPath)
		}
		return next(c)
	}
}

// allowedBeforeTOTPSetup reports whether the route may be used by a
// consultant who still has to set up two-factor sign-in.
func allowedBeforeTOTPSetup(c echo.Context) bool {
	return strings.HasPrefix(c.Path(), totpSetupPath) || c.Path() == "/logout"
}

// requireAdmin lets through only firm administrators; it runs after
// requireConsultant. Others get "not found": the page does not exist for
// them.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if cons := consultantFrom(c); cons == nil || !cons.IsAdmin {
			return survey.Errorf(survey.CodeNotFound, "not found")
		}
		return next(c)
	}
}

// requireAPIToken authenticates an API request by its bearer token and puts
// the token's consultant in the context. Without a valid token it answers
// 401 with a JSON error.
func (s *Server) requireAPIToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
		if !ok {
			return s.apiUnauthorized(c)
		}
		ctx := c.Request().Context()
		cons, tok, err := s.accounts.ConsultantByAPIToken(ctx, token)
		if survey.ErrorCode(err) == survey.CodeNotFound {
			return s.apiUnauthorized(c)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= auth.TouchInterval {
			if err := s.accounts.TouchAPIToken(ctx, tok.ID, now); err != nil {
				s.logger.Warn("record API token use", "error", err.Error())
			}
		}
		c.Set(ctxConsultant, cons)
		return next(c)
	}
}

// apiUnauthorized answers a request without a valid token. API messages
// are English whatever the language cookie says (see docs/openapi.yaml).
func (s *Server) apiUnauthorized(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="uitvoeringskracht"`)
	return c.JSON(http.StatusUnauthorized, apiError{
		Code:    "unauthorized",
		Message: "A valid API token is required: send it as Authorization: Bearer uk_... (tokens are made on the account page).",
	})
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// apiMe answers who the token belongs to, so that a script can check its
// token before it does anything.
func (s *Server) apiMe(c echo.Context) error {
	return c.JSON(http.StatusOK, consultantFrom(c))
}

// currentSession returns the valid session of the request with its
// consultant and id, or nils. An ended or idle session is deleted and its
// cookie cleared. last_seen is written at most once per auth.TouchInterval.
func (s *Server) currentSession(c echo.Context) (*auth.Session, *survey.Consultant, string, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil, "", nil
	}
	ctx := c.Request().Context()
	sess, cons, err := s.accounts.SessionConsultant(ctx, ck.Value)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		s.clearSessionCookie(c)
		return nil, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", err
	}
	now := s.now()
	if !sess.Valid(now) || cons.Disabled {
		if err := s.accounts.DeleteSession(ctx, ck.Value); err != nil {
			s.logger.Warn("delete ended session", "error", err.Error())
		}
		s.clearSessionCookie(c)
		return nil, nil, "", nil
	}
	if now.Sub(sess.LastSeenAt) >= auth.TouchInterval {
		if err := s.accounts.TouchSession(ctx, ck.Value, now); err != nil {
			// The session stays usable; it merely ends a minute early.
			s.logger.Warn("touch session", "error", err.Error())
		}
	}
	return sess, cons, ck.Value, nil
}

func (s *Server) setSessionCookie(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// redirectToLogin sends a page request to the login page, which returns to
// it after sign-in. A form post is not repeated after sign-in: it goes to
// the login page without a way back.
func (s *Server) redirectToLogin(c echo.Context) error {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
}

// localPath returns next when it is a path on this site, and the default
// page otherwise: a login link must not send anyone to another site
// (//evil.example, /\evil.example and https://... are all refused).
func localPath(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return defaultAfterLoginPath
	}
	for _, r := range next {
		if unicode.IsControl(r) || r == '\\' {
			return defaultAfterLoginPath
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return defaultAfterLoginPath
	}
	if p := u.Path; p == "/login" || strings.HasPrefix(p, "/login/") || p == "/logout" {
		return defaultAfterLoginPath
	}
	return next
}

// audit records an action of the signed-in consultant in the firm's audit
// log. A failure is logged and does not fail the request: the action itself
// has happened.
func (s *Server) audit(c echo.Context, action, targetType, targetID, detail string) {
	cons := consultantFrom(c)
	if cons == nil {
		s.logger.Error("audit without a signed-in consultant", "action", action, "route", c.Path())
		return
	}
	s.auditAs(c, cons, action, targetType, targetID, detail)
}

// auditAs records an action of cons, for the sign-in handlers that run
// before the consultant is in the context.
func (s *Server) auditAs(c echo.Context, cons *survey.Consultant, action, targetType, targetID, detail string) {
	e := &survey.AuditEntry{
		FirmID: cons.FirmID, ConsultantID: cons.ID, Email: cons.Email,
		Action: action, TargetType: targetType, TargetID: targetID, Detail: detail,
		At: s.now(),
	}
	if err := s.accounts.AddAudit(c.Request().Context(), e); err != nil {
		s.logger.Error("audit entry not stored",
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"action", action, "target_type", targetType, "error", err.Error())
	}
}

// loginRateLimit limits sign-in attempts per client address in this
// process (a burst of 10, then one every 6 seconds), in front of the
// per-account lock-out in the database. The address is a key in memory
// only: it is never stored or logged.
func (s *Server) loginRateLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: 1.0 / 6, Burst: 10, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: clientAddress,
		ErrorHandler: func(echo.Context, error) error {
			return echo.NewHTTPError(http.StatusBadRequest)
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return echo.NewHTTPError(http.StatusTooManyRequests)
		},
	})
}

// clientAddress is the key of a client for the per-client limits: the
// address of the connection's peer. Forwarding headers are believed only
// when the server is configured with an IP extractor for its proxy;
// otherwise anyone could pick a new key per request. An IPv6 client is
// keyed on its /64: one subscriber or one office network gets a whole /64
// and could otherwise take a fresh address for every request.
func clientAddress(c echo.Context) (string, error) {
	host := c.Request().RemoteAddr
	if c.Echo().IPExtractor != nil {
		host = c.RealIP()
	} else if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return clientKey(host), nil
}

// clientKey is an IPv4 address as it is and an IPv6 address as its /64
// prefix. Anything that is not an address stays as it is.
func clientKey(host string) string {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.WithZone("").Prefix(64)
	return prefix.String()
}

// --- Login ---

// loginPage is the data of the login page.
type loginPage struct {
	Email  string
	Next   string
	Notice string
	Errors formErrors
	// SSOName is set when the address's domain signs in at a firm's
	// provider: the page offers "Inloggen met <SSOName>".
	SSOName string
	// SSOOnly hides the password form: the firm allows no password.
	SSOOnly bool
	// SSORetry sends the button back to the sign-in page: the provider
	// did not answer, so its address is not known to be allowed.
	SSORetry bool
}

// loginForm is the login page's form. Lengths are checked by hand: a
// validator message would tell which part was wrong.
type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// loginNotices are the messages the login page shows after a redirect.
func loginNotices() map[string]string {
	return map[string]string{
		"uitgelogd":  "auth.login.notice_logged_out",
		"account":    "auth.login.notice_account_created",
		"verlopen":   "auth.login.notice_expired",
		"wachtwoord": "outbox.reset_page.notice_done",
	}
}

func (s *Server) showLogin(c echo.Context) error {
	noStore(c)
	sess, _, _, err := s.currentSession(c)
	if err != nil {
		return err
	}
	next := localPath(c.QueryParam("next"))
	if sess != nil && sess.Stage == auth.StageFull {
		return c.Redirect(http.StatusSeeOther, next)
	}
	t := s.texts.For(requestLang(c))
	page := loginPage{Next: next}
	if key, ok := loginNotices()[c.QueryParam("melding")]; ok {
		page.Notice = t.Get(key)
	}
	return s.render(c, http.StatusOK, "login", t.Get("auth.login.title"), page, false)
}

// login checks e-mail address and password. Every failure (unknown
// address, wrong password, disabled or locked account) gives the same
// message after the same work, so that neither the page nor its timing
// tells whether an address has an account.
func (s *Server) login(c echo.Context) error {
	noStore(c)
	var form loginForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	form.Email = strings.TrimSpace(form.Email)
	page := loginPage{Email: form.Email, Next: localPath(form.Next)}
	if form.Email == "" {
		page.Errors = append(page.Errors, formError{Field: "email", Message: t.Get("auth.error.email_required")})
	} else if hasControlChars(form.Email) {
		page.Errors = append(page.Errors, formError{Field: "email", Message: t.Get("form.control_characters")})
	}
	if len(page.Errors) == 0 {
		// The e-mail address comes first: its domain may lead to the
		// firm's single sign-on (sso.go).
		done, err := s.offerSSO(c, &page, form.Password != "")
		if done || err != nil {
			return err
		}
	}
	if form.Password == "" {
		page.Errors = append(page.Errors, formError{Field: "password", Message: t.Get("auth.error.password_required")})
	}
	if len(page.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
	}
	start := time.Now()
	fail := func() error {
		s.waitFailureFloor(start)
		page.Errors = formErrors{{Field: "email", Message: t.Get("auth.error.login_failed")}}
		return s.render(c, http.StatusUnauthorized, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
	}
	ctx := c.Request().Context()
	now := s.now()
	if len(form.Password) > 4*auth.MaxPasswordLength || len(form.Email) > 254 {
		// No account has such a password; hashing megabytes is a gift to
		// an attacker.
		return fail()
	}
	cons, err := s.accounts.ConsultantByEmail(ctx, form.Email)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		s.signIn.hasher.VerifyDummy(form.Password)
		return fail()
	}
	if err != nil {
		return err
	}
	creds, err := s.accounts.Credentials(ctx, cons.ID)
	if err != nil {
		return err
	}
	if cons.Disabled || creds.Locked(now) {
		s.signIn.hasher.VerifyDummy(form.Password)
		s.auditAs(c, cons, actionLoginFailed, targetConsultant, cons.ID, "")
		return fail()
	}
	ok, rehash := s.signIn.hasher.Verify(form.Password, creds.PasswordHash)
	if !ok {
		s.recordFailure(c, cons, now)
		return fail()
	}
	if refused, err := s.refusePasswordOfFirm(c, cons, &page); refused || err != nil {
		return err
	}
	if rehash {
		if err := s.accounts.SetPasswordHash(ctx, cons.ID, s.signIn.hasher.Hash(form.Password)); err != nil {
			s.logger.Warn("rehash password", "error", err.Error())
		}
	}
	oldID := sessionCookieValue(c)
	if cons.TOTPEnabled {
		id, err := s.accounts.RotateSession(ctx, oldID, auth.Session{
			ConsultantID: cons.ID, Stage: auth.StageSecondFactor,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(auth.SecondFactorTimeout),
		})
		if err != nil {
			return err
		}
		s.setSessionCookie(c, id)
		return c.Redirect(http.StatusSeeOther, "/login/totp?next="+url.QueryEscape(page.Next))
	}
	return s.completeLogin(c, cons, oldID, page.Next, "")
}

// recordFailure counts a wrong password or code and audits it, and the
// lock-out it may cause; it reports whether the account is now locked.
func (s *Server) recordFailure(c echo.Context, cons *survey.Consultant, now time.Time) bool {
	locked, err := s.accounts.RecordLoginFailure(c.Request().Context(), cons.ID, now)
	if err != nil {
		s.logger.Error("record login failure", "error", err.Error())
	}
	s.auditAs(c, cons, actionLoginFailed, targetConsultant, cons.ID, "")
	if locked {
		s.auditAs(c, cons, actionLoginLocked, targetConsultant, cons.ID, "")
	}
	return locked
}

// waitFailureFloor makes a failed sign-in last at least
// signIn.failureFloor since start. Failures for existing accounts write to
// the database and failures for unknown addresses do not; without the
// floor, the difference would tell which addresses have an account.
func (s *Server) waitFailureFloor(start time.Time) {
	if d := s.signIn.failureFloor - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}

// sessionCookieValue is the id in the request's session cookie, or "":
// a sign-in replaces that session.
func sessionCookieValue(c echo.Context) string {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// completeLogin ends a successful sign-in: it clears the failure count,
// replaces the session by a fully signed-in one with a new id, and returns
// to next.
func (s *Server) completeLogin(c echo.Context, cons *survey.Consultant, oldID, next, detail string) error {
	return s.startSession(c, cons, oldID, next, detail, auth.MethodPassword)
}

// startSession is completeLogin for a sign-in by method.
func (s *Server) startSession(c echo.Context, cons *survey.Consultant, oldID, next, detail string, method auth.Method) error {
	ctx := c.Request().Context()
	now := s.now()
	if err := s.accounts.RecordLoginSuccess(ctx, cons.ID, now); err != nil {
		return err
	}
	id, err := s.accounts.RotateSession(ctx, oldID, auth.Session{
		ConsultantID: cons.ID, Stage: auth.StageFull, Method: method,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(auth.SessionLifetime),
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(c, id)
	s.auditAs(c, cons, actionLogin, targetConsultant, cons.ID, detail)
	// Sign-ins are rare enough to carry the clean-up of ended sessions.
	if _, err := s.accounts.DeleteExpiredSessions(ctx, now); err != nil {
		s.logger.Warn("delete expired sessions", "error", err.Error())
	}
	return c.Redirect(http.StatusSeeOther, localPath(next))
}

// totpLoginPage is the data of the second-factor page.
type totpLoginPage struct {
	// Setup is false: the template is shared with the set-up page.
	Setup    bool
	Next     string
	Recovery bool
	Errors   formErrors
}

type totpLoginForm struct {
	// Mode is "recovery" on the recovery-code form.
	Mode     string `form:"mode"`
	Code     string `form:"code"`
	Recovery string `form:"recovery"`
	Next     string `form:"next"`
}

// pendingSession returns the session that waits for its second factor, or
// nil.
func (s *Server) pendingSession(c echo.Context) (*auth.Session, *survey.Consultant, string, error) {
	sess, cons, id, err := s.currentSession(c)
	if err != nil || sess == nil || sess.Stage != auth.StageSecondFactor {
		return nil, nil, "", err
	}
	return sess, cons, id, nil
}

func (s *Server) showLoginTOTP(c echo.Context) error {
	noStore(c)
	sess, _, _, err := s.pendingSession(c)
	if err != nil {
		return err
	}
	if sess == nil {
		return c.Redirect(http.StatusSeeOther, "/login?melding=verlopen")
	}
	t := s.texts.For(requestLang(c))
	page := totpLoginPage{Next: localPath(c.QueryParam("next")), Recovery: c.QueryParam("herstelcode") == "1"}
	return s.render(c, http.StatusOK, "totp", t.Get("auth.totp.title"), page, false)
}

// loginTOTP checks the second factor: a code from the app or a recovery
// code. Wrong codes count towards the same lock-out as wrong passwords.
func (s *Server) loginTOTP(c echo.Context) error {
	noStore(c)
	start := time.Now()
	_, cons, id, err := s.pendingSession(c)
	if err != nil {
		return err
	}
	if cons == nil {
		return c.Redirect(http.StatusSeeOther, "/login?melding=verlopen")
	}
	var form totpLoginForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	page := totpLoginPage{Next: localPath(form.Next), Recovery: form.Mode == "recovery"}
	title := t.Get("error.title_prefix") + " " + t.Get("auth.totp.title")
	field, value := "code", strings.TrimSpace(form.Code)
	if page.Recovery {
		field, value = "recovery", strings.TrimSpace(form.Recovery)
	}
	if value == "" {
		key := "auth.error.code_required"
		if page.Recovery {
			key = "auth.error.recovery_required"
		}
		page.Errors = formErrors{{Field: field, Message: t.Get(key)}}
		return s.render(c, http.StatusUnprocessableEntity, "totp", title, page, true)
	}
	ctx := c.Request().Context()
	now := s.now()
	creds, err := s.accounts.Credentials(ctx, cons.ID)
	if err != nil {
		return err
	}
	if creds.Locked(now) {
		s.waitFailureFloor(start)
		return s.abandonSecondFactor(c, id, page.Next)
	}
	accepted, detail := false, "totp"
	if page.Recovery {
		detail = "recovery_code"
		err := s.accounts.UseRecoveryCode(ctx, cons.ID, value)
		switch survey.ErrorCode(err) {
		case "":
			accepted = true
		case survey.CodeNotFound:
		default:
			return err
		}
	} else if step, ok := auth.VerifyTOTP(creds.TOTPSecret, value, now, creds.TOTPLastStep); ok {
		// Recording the step refuses the code when another request used
		// it a moment ago.
		err := s.accounts.UseTOTPStep(ctx, cons.ID, step)
		switch survey.ErrorCode(err) {
		case "":
			accepted = true
		case survey.CodeConflict:
		default:
			return err
		}
	}
	if !accepted {
		locked := s.recordFailure(c, cons, now)
		s.waitFailureFloor(start)
		if locked {
			return s.abandonSecondFactor(c, id, page.Next)
		}
		key := "auth.error.code_wrong"
		if page.Recovery {
			key = "auth.error.recovery_wrong"
		}
		page.Errors = formErrors{{Field: field, Message: t.Get(key)}}
		return s.render(c, http.StatusUnauthorized, "totp", title, page, true)
	}
	return s.completeLogin(c, cons, id, page.Next, detail)
}

// abandonSecondFactor ends a pending session of a locked account and shows
// the login page with the uniform message.
func (s *Server) abandonSecondFactor(c echo.Context, id, next string) error {
	if err := s.accounts.DeleteSession(c.Request().Context(), id); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	t := s.texts.For(requestLang(c))
	page := loginPage{Next: next, Errors: formErrors{{Field: "email", Message: t.Get("auth.error.login_failed")}}}
	return s.render(c, http.StatusUnauthorized, "login", t.Get("error.title_prefix")+" "+t.Get("auth.login.title"), page, true)
}

// logout ends the session, whatever its stage.
func (s *Server) logout(c echo.Context) error {
	noStore(c)
	ck, err := c.Cookie(sessionCookie)
	if err == nil && ck.Value != "" {
		ctx := c.Request().Context()
		sess, cons, lerr := s.accounts.SessionConsultant(ctx, ck.Value)
		if err := s.accounts.DeleteSession(ctx, ck.Value); err != nil {
			return err
		}
		if lerr == nil && sess.Stage == auth.StageFull {
			s.auditAs(c, cons, actionLogout, targetConsultant, cons.ID, "")
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/login?melding=uitgelogd")
}
