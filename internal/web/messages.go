package web

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// MailStore is the outbox and the account mail (internal/store). Every
// function that takes a firm id treats another firm's message as missing.
type MailStore interface {
	EnqueueMessages(ctx context.Context, msgs ...*survey.OutgoingMessage) error
	ListMessages(ctx context.Context, firmID, diagnosticID string) ([]survey.OutgoingMessage, error)
	Message(ctx context.Context, firmID, id string) (*survey.OutgoingMessage, error)
	ResendMessage(ctx context.Context, firmID, id string) error

	CreateInvitationWithMessage(ctx context.Context, inv *auth.Invitation, mail func(token string) (*survey.OutgoingMessage, error)) (string, error)
	RequestPasswordReset(ctx context.Context, email string, expires time.Time, mail func(c *survey.Consultant, token string) (*survey.OutgoingMessage, error)) error
	PasswordResetConsultant(ctx context.Context, token string, now time.Time) (*survey.Consultant, error)
	ResetPassword(ctx context.Context, token, passwordHash string, now time.Time) (*survey.Consultant, error)
	ChangePassword(ctx context.Context, consultantID, passwordHash, keepSessionID string, now time.Time) error
}

// mailParts is what the mail pages need.
type mailParts struct {
	store MailStore
	wake  func()
	// text and html render the account mails (templates/mail).
	text *texttemplate.Template
	html *htmltemplate.Template
	// resetsPerAddress limits reset mails to one address, whoever asks.
	resetsPerAddress *addressLimiter
}

// Audit actions of the mail handlers.
const (
	actionPasswordReset  = "password_reset"
	actionPasswordChange = "password_change"
	actionMessageResend  = "message_resend"
	targetMessage        = "message"
)

// Limits of the password reset.
const (
	// resetLifetime is how long a reset link works.
	resetLifetime = time.Hour
	// resetsPerAddressPerHour bounds the mails one address gets, so that
	// nobody can flood a consultant's inbox with reset mails.
	resetsPerAddressPerHour = 3
)

func (s *Server) setUpMail(deps Deps) error {
	store := deps.Mail
	if store == nil {
		store, _ = deps.Store.(MailStore)
	}
	if store == nil {
		return nil
	}
	text, err := texttemplate.ParseFS(deps.Files, "templates/mail/account.txt")
	if err != nil {
		return fmt.Errorf("templates: mail: %w", err)
	}
	html, err := htmltemplate.ParseFS(deps.Files, "templates/mail/account.html")
	if err != nil {
		return fmt.Errorf("templates: mail: %w", err)
	}
	s.mail = mailParts{store: store, wake: deps.MailWake, text: text, html: html,
		resetsPerAddress: newAddressLimiter(resetsPerAddressPerHour, time.Hour)}
	return nil
}

// requireMail answers 404 when the server has no outbox.
func (s *Server) requireMail(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.mail.store == nil {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// queued tells the worker that a message waits.
func (s *Server) queued() {
	if s.mail.wake != nil {
		s.mail.wake()
	}
}

// --- The messages page ---

// messageView is one message as the workspace lists it.
type messageView struct {
	ID           string
	DiagnosticID string
	Kind         string
	To           string
	Subject      string
	State        string
	// StateClass styles the state: queued, sent, failed, not-sent.
	StateClass string
	// Reason is the server's refusal, or where the .eml file went.
	Reason      string
	Attempts    int
	Created     string
	Sent        string
	NextAttempt string
	Previewable bool
	Resendable  bool
}

// messagesPage is the data of /berichten and of the "messagelist" partial
// (templates/html/messagelist.html), which a diagnostic's page can show
// with the messages of that diagnostic: build it with messageList.
type messagesPage struct {
	T        Translator
	CSRF     string
	Messages []messageView
	// Back is the page a resend returns to.
	Back string
}

// messageList loads the firm's messages (those of diagnosticID only when
// it is set) as the "messagelist" partial shows them, with back as the
// page a resend returns to.
func (s *Server) messageList(c echo.Context, diagnosticID, back string) (*messagesPage, error) {
	cons := consultantFrom(c)
	msgs, err := s.mail.store.ListMessages(c.Request().Context(), cons.FirmID, diagnosticID)
	if err != nil {
		return nil, err
	}
	t := s.texts.For(requestLang(c))
	page := &messagesPage{T: t, CSRF: csrfToken(c), Back: back}
	for i := range msgs {
		page.Messages = append(page.Messages, s.messageView(&msgs[i], t))
	}
	return page, nil
}

func (s *Server) messageView(m *survey.OutgoingMessage, t Translator) messageView {
	v := messageView{
		ID: m.ID, DiagnosticID: m.DiagnosticID, Kind: t.Get("outbox.kind." + string(m.Kind)), Subject: m.Subject,
		Attempts: m.Attempts, Created: s.formatTime(m.CreatedAt, t), Previewable: m.Previewable(), Resendable: !m.Erased(),
		To: strings.Join(m.To, ", "),
	}
	if m.Erased() {
		v.To = t.Get("outbox.erased")
	}
	if m.SentAt != nil {
		v.Sent = s.formatTime(*m.SentAt, t)
	}
	switch m.State {
	case survey.MessageQueued:
		v.State, v.StateClass = t.Get("outbox.state.queued"), "queued"
		if m.Attempts > 0 {
			v.Reason = m.LastError
			v.NextAttempt = s.formatTime(m.NextAttemptAt, t)
		}
	case survey.MessageSent:
		v.State, v.StateClass = t.Get("outbox.state.sent"), "sent"
	case survey.MessageFailed:
		v.State, v.StateClass, v.Reason = t.Get("outbox.state.failed"), "failed", m.LastError
	case survey.MessageNotSent:
		v.State, v.StateClass = t.Get("outbox.state.not_sent"), "not-sent"
		// The reason names the .eml file, which the operator can open.
		v.Reason = m.LastError
	}
	return v
}

// showMessages lists the firm's messages; ?diagnose=ID lists those of one
// diagnostic of the firm.
func (s *Server) showMessages(c echo.Context) error {
	diagnosticID, back := c.QueryParam("diagnose"), "/berichten"
	if diagnosticID != "" {
		if _, err := s.store.DiagnosticForFirm(c.Request().Context(), consultantFrom(c).FirmID, diagnosticID); err != nil {
			return err
		}
		back += "?diagnose=" + url.QueryEscape(diagnosticID)
	}
	page, err := s.messageList(c, diagnosticID, back)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "messages", t.Get("outbox.title"), page, false)
}

// messagePage is the data of a message's preview.
type messagePage struct {
	View messageView
	Text string
	// Attachments are the names of the attachments.
	Attachments []string
	HasHTML     bool
}

// message loads the firm's message for a preview; a message whose body no
// colleague may read (a password reset) or that was erased is not found.
func (s *Server) previewableMessage(c echo.Context) (*survey.OutgoingMessage, error) {
	cons := consultantFrom(c)
	m, err := s.mail.store.Message(c.Request().Context(), cons.FirmID, c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !m.Previewable() {
		return nil, survey.Errorf(survey.CodeNotFound, "message not found")
	}
	return m, nil
}

func (s *Server) showMessage(c echo.Context) error {
	m, err := s.previewableMessage(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := messagePage{View: s.messageView(m, t), Text: m.Text, HasHTML: m.HTML != "", Attachments: fileNames(m.Attachments)}
	return s.render(c, http.StatusOK, "message", t.Get("outbox.preview_title", m.Subject), page, false)
}

// messageHTML shows the HTML part as it was composed, in a sandbox: no
// script runs, nothing is loaded from elsewhere and no form is sent.
func (s *Server) messageHTML(c echo.Context) error {
	m, err := s.previewableMessage(c)
	if err != nil {
		return err
	}
	if m.HTML == "" {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	return c.HTMLBlob(http.StatusOK, []byte(previewHTML(m.HTML, m.Attachments)))
}

// resendMessage queues a message of the firm again and returns to the
// page it was sent from.
func (s *Server) resendMessage(c echo.Context) error {
	cons := consultantFrom(c)
	id := c.Param("id")
	back := localBack(c.FormValue("terug"))
	err := s.mail.store.ResendMessage(c.Request().Context(), cons.FirmID, id)
	if survey.ErrorCode(err) == survey.CodeConflict {
		s.setFlash(c, "outbox.flash_erased")
		return c.Redirect(http.StatusSeeOther, back)
	}
	if err != nil {
		return err
	}
	s.queued()
	s.audit(c, actionMessageResend, targetMessage, id, "")
	s.setFlash(c, "outbox.flash_resent")
	return c.Redirect(http.StatusSeeOther, back)
}

// localBack is the page to return to: a workspace path of this service,
// never another site.
func localBack(p string) string {
	if (strings.HasPrefix(p, "/berichten") || strings.HasPrefix(p, "/diagnoses/")) && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		if u, err := url.Parse(p); err == nil && u.Host == "" && u.Scheme == "" {
			return p
		}
	}
	return "/berichten"
}

// --- Account mail ---

// mailSection is one language's part of an account mail: Dutch first,
// English second.
type mailSection struct {
	Lang     string
	Before   []string
	LinkText string
	URL      string
	After    []string
}

// accountMail is the data of templates/mail/account.*.
type accountMail struct {
	Subject  string
	Sections []mailSection
	// Brand is the firm's look (colleague invitations); nil for the
	// service's own mail, the password reset.
	Brand  *mailBrand
	Accent string
}

// composeAccountMail renders an account mail in both languages; section
// makes one language's part.
func (s *Server) composeAccountMail(kind survey.MessageKind, firmID, to, subjectKey string, brand *mailBrand, section func(t Translator) mailSection) (*survey.OutgoingMessage, error) {
	nl, en := s.texts.For("nl"), s.texts.For("en")
	// The account mails' own link colour, unless the firm has one.
	data := accountMail{Subject: nl.Get(subjectKey) + " / " + en.Get(subjectKey), Sections: []mailSection{section(nl), section(en)}, Brand: brand, Accent: "#00528a"}
	if brand != nil && brand.Color != "" {
		data.Accent = brand.Color
	}
	var text, html bytes.Buffer
	if err := s.mail.text.Execute(&text, data); err != nil {
		return nil, err
	}
	if err := s.mail.html.Execute(&html, data); err != nil {
		return nil, err
	}
	return &survey.OutgoingMessage{
		FirmID: firmID, Kind: kind, Lang: "nl", To: []string{to}, Subject: data.Subject,
		Text: text.String(), HTML: html.String(), Attachments: brand.inline(),
		// A reset link is a credential: it leaves the database once sent.
		Ephemeral: kind == survey.MessagePasswordReset,
	}, nil
}

// invitationMail makes the mail of a colleague's invitation, in the firm's
// look brand.
func (s *Server) invitationMail(inviter *survey.Consultant, inv *auth.Invitation, brand *mailBrand) func(token string) (*survey.OutgoingMessage, error) {
	return func(token string) (*survey.OutgoingMessage, error) {
		link := s.absoluteURL("/uitnodiging/" + url.PathEscape(token))
		return s.composeAccountMail(survey.MessageColleagueInvitation, inv.FirmID, inv.Email, "outbox.invite.subject", brand, func(t Translator) mailSection {
			return mailSection{
				Lang:     t.Lang(),
				Before:   []string{t.Get("outbox.invite.intro", inviter.Email, inviter.FirmName), t.Get("outbox.invite.link_intro", s.formatTime(inv.ExpiresAt, t))},
				LinkText: t.Get("outbox.invite.link"), URL: link,
				After: []string{t.Get("outbox.invite.unexpected")},
			}
		})
	}
}

// resetMail makes the mail with a password reset link: the service's own
// mail, in its own look, whatever the consultant's firm.
func (s *Server) resetMail(c *survey.Consultant, token string) (*survey.OutgoingMessage, error) {
	link := s.absoluteURL("/wachtwoord-herstellen/" + url.PathEscape(token))
	return s.composeAccountMail(survey.MessagePasswordReset, c.FirmID, c.Email, "outbox.reset.subject", nil, func(t Translator) mailSection {
		return mailSection{
			Lang:     t.Lang(),
			Before:   []string{t.Get("outbox.reset.intro", c.Email), t.Get("outbox.reset.link_intro")},
			LinkText: t.Get("outbox.reset.link"), URL: link,
			After: []string{t.Get("outbox.reset.unexpected")},
		}
	})
}

// --- Password reset ---

// forgotPage is the data of /wachtwoord-vergeten.
type forgotPage struct {
	Email  string
	Sent   bool
	Errors formErrors
}

type forgotForm struct {
	Email string `form:"email"`
}

func (s *Server) showForgotPassword(c echo.Context) error {
	noStore(c)
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "password_forgot", t.Get("outbox.forgot.title"), forgotPage{Sent: c.QueryParam("verstuurd") == "1"}, false)
}

// forgotPassword queues a reset mail when the address belongs to an
// active consultant and answers the same whether or not it does, in about
// the same time: the page must not tell who has an account.
func (s *Server) forgotPassword(c echo.Context) error {
	noStore(c)
	start := time.Now()
	var form forgotForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	email := auth.NormaliseEmail(form.Email)
	fail := func(key string) error {
		page := forgotPage{Email: strings.TrimSpace(form.Email), Errors: formErrors{{Field: "email", Message: t.Get(key)}}}
		return s.render(c, http.StatusUnprocessableEntity, "password_forgot", t.Get("error.title_prefix")+" "+t.Get("outbox.forgot.title"), page, true)
	}
	switch {
	case email == "":
		return fail("auth.error.email_required")
	case hasControlChars(email):
		return fail("form.control_characters")
	case s.validate.Var(email, "email,max=254") != nil:
		return fail("auth.error.email_invalid")
	}
	now := s.now()
	// Over the limit the answer stays the same; only the mail stays out.
	if s.mail.resetsPerAddress.allow(email, now) {
		if err := s.mail.store.RequestPasswordReset(c.Request().Context(), email, now.Add(resetLifetime), s.resetMail); err != nil {
			return err
		}
		s.queued()
	}
	s.waitFailureFloor(start)
	return c.Redirect(http.StatusSeeOther, "/wachtwoord-vergeten?verstuurd=1")
}

// resetPage is the data of the page behind a reset link.
type resetPage struct {
	Email  string
	Action string
	// Invalid is set for an unknown, used or expired link.
	Invalid bool
	Errors  formErrors
}

type resetForm struct {
	Password        string `form:"password"`
	PasswordConfirm string `form:"password_confirm"`
}

// resetConsultant loads the consultant of the link; when the link does not
// work it renders the page that says so and returns nil.
func (s *Server) resetConsultant(c echo.Context) (*survey.Consultant, error) {
	noStore(c)
	cons, err := s.mail.store.PasswordResetConsultant(c.Request().Context(), c.Param("token"), s.now())
	if err == nil {
		return cons, nil
	}
	if survey.ErrorCode(err) != survey.CodeNotFound {
		return nil, err
	}
	return nil, s.renderInvalidReset(c)
}

// renderInvalidReset answers a reset link that is unknown, used or expired.
func (s *Server) renderInvalidReset(c echo.Context) error {
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusNotFound, "password_reset", t.Get("outbox.reset_page.invalid_title"), resetPage{Invalid: true}, false)
}

func (s *Server) showResetPassword(c echo.Context) error {
	cons, err := s.resetConsultant(c)
	if cons == nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "password_reset", t.Get("outbox.reset_page.title"), resetPage{Email: cons.Email, Action: c.Request().URL.Path}, false)
}

func (s *Server) resetPassword(c echo.Context) error {
	cons, err := s.resetConsultant(c)
	if cons == nil {
		return err
	}
	var form resetForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	page := resetPage{Email: cons.Email, Action: c.Request().URL.Path}
	if problem := auth.CheckPassword(form.Password, cons.Email, cons.FirmName); problem != "" {
		page.Errors = append(page.Errors, formError{Field: "password", Message: t.Get(passwordProblemKey(problem))})
	} else if form.PasswordConfirm != form.Password {
		page.Errors = append(page.Errors, formError{Field: "password_confirm", Message: t.Get("auth.error.password_mismatch")})
	}
	if len(page.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "password_reset", t.Get("error.title_prefix")+" "+t.Get("outbox.reset_page.title"), page, true)
	}
	cons, err = s.mail.store.ResetPassword(c.Request().Context(), c.Param("token"), s.signIn.hasher.Hash(form.Password), s.now())
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return s.renderInvalidReset(c)
	}
	if err != nil {
		return err
	}
	s.auditAs(c, cons, actionPasswordReset, targetConsultant, cons.ID, "")
	// Every session ended in the store; the browser's cookie goes too.
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/login?melding=wachtwoord")
}

// --- Password change ---

// passwordPage is the data of /account/wachtwoord.
type passwordPage struct {
	Email  string
	Errors formErrors
}

type passwordForm struct {
	Current         string `form:"current_password"`
	Password        string `form:"password"`
	PasswordConfirm string `form:"password_confirm"`
}

func (s *Server) showChangePassword(c echo.Context) error {
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "password_change", t.Get("outbox.change.title"), passwordPage{Email: consultantFrom(c).Email}, false)
}

// changePassword sets a new password after checking the current one, and
// ends the consultant's other sessions: whoever else was signed in with the
// old password is out.
func (s *Server) changePassword(c echo.Context) error {
	cons := consultantFrom(c)
	var form passwordForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	ctx := c.Request().Context()
	now := s.now()
	page := passwordPage{Email: cons.Email}
	render := func() error {
		return s.render(c, http.StatusUnprocessableEntity, "password_change", t.Get("error.title_prefix")+" "+t.Get("outbox.change.title"), page, true)
	}
	creds, err := s.accounts.Credentials(ctx, cons.ID)
	if err != nil {
		return err
	}
	if len(form.Current) > 4*auth.MaxPasswordLength {
		page.Errors = formErrors{{Field: "current_password", Message: t.Get("outbox.change.current_wrong")}}
		return render()
	}
	if ok, _ := s.signIn.hasher.Verify(form.Current, creds.PasswordHash); !ok {
		// A wrong current password counts like a wrong sign-in: whoever
		// took over a session cannot guess it at leisure.
		if s.recordFailure(c, cons, now) {
			return c.Redirect(http.StatusSeeOther, "/login?melding=verlopen")
		}
		page.Errors = formErrors{{Field: "current_password", Message: t.Get("outbox.change.current_wrong")}}
		return render()
	}
	if problem := auth.CheckPassword(form.Password, cons.Email, cons.FirmName); problem != "" {
		page.Errors = formErrors{{Field: "password", Message: t.Get(passwordProblemKey(problem))}}
		return render()
	}
	if form.PasswordConfirm != form.Password {
		page.Errors = formErrors{{Field: "password_confirm", Message: t.Get("auth.error.password_mismatch")}}
		return render()
	}
	sessionID, _ := c.Get(ctxSessionID).(string)
	if err := s.mail.store.ChangePassword(ctx, cons.ID, s.signIn.hasher.Hash(form.Password), sessionID, now); err != nil {
		return err
	}
	s.audit(c, actionPasswordChange, targetConsultant, cons.ID, "")
	s.setFlash(c, "outbox.change.flash")
	return c.Redirect(http.StatusSeeOther, "/account")
}
