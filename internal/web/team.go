package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// teamPage is the data of /team. InviteLink is set only on the response
// to the invitation that made it.
type teamPage struct {
	Self          string
	Members       []memberView
	Invitations   []invitationView
	RequireTOTP   bool
	InviteEmail   string
	InviteAdmin   bool
	InviteLink    string
	InvitedEmail  string
	InviteExpires string
	// InviteMailed says the invitation went to the outbox too.
	InviteMailed bool
	Notice       string
	Errors       formErrors
}

// memberView is a consultant in the team list.
type memberView struct {
	ID          string
	Email       string
	IsAdmin     bool
	Disabled    bool
	TOTPEnabled bool
	IsSelf      bool
	LastLogin   string
}

// invitationView is an open invitation in the team list.
type invitationView struct {
	ID      string
	Email   string
	IsAdmin bool
	Expired bool
	Expires string
}

// teamNotices are the messages /team shows after a redirect.
func teamNotices() map[string]string {
	return map[string]string{
		"uitgeschakeld":  "auth.team.notice_disabled",
		"ingeschakeld":   "auth.team.notice_enabled",
		"ingetrokken":    "auth.team.notice_invitation_revoked",
		"beleid":         "auth.team.notice_policy",
		"beleid_verplic": "auth.team.notice_policy_required",
	}
}

// teamView loads the firm's consultants, invitations and policy.
func (s *Server) teamView(c echo.Context) (*teamPage, error) {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	firm, err := s.accounts.FirmByID(ctx, cons.FirmID)
	if err != nil {
		return nil, err
	}
	members, err := s.accounts.ListConsultants(ctx, cons.FirmID)
	if err != nil {
		return nil, err
	}
	invitations, err := s.accounts.ListInvitations(ctx, cons.FirmID)
	if err != nil {
		return nil, err
	}
	t := s.texts.For(requestLang(c))
	page := &teamPage{Self: cons.ID, RequireTOTP: firm.RequireTOTP}
	for _, m := range members {
		v := memberView{ID: m.ID, Email: m.Email, IsAdmin: m.IsAdmin, Disabled: m.Disabled, TOTPEnabled: m.TOTPEnabled,
			IsSelf: m.ID == cons.ID, LastLogin: t.Get("auth.account.never")}
		if m.LastLoginAt != nil {
			v.LastLogin = s.formatTime(*m.LastLoginAt, t)
		}
		page.Members = append(page.Members, v)
	}
	now := s.now()
	for _, inv := range invitations {
		page.Invitations = append(page.Invitations, invitationView{
			ID: inv.ID, Email: inv.Email, IsAdmin: inv.IsAdmin, Expired: inv.Expired(now), Expires: s.formatTime(inv.ExpiresAt, t),
		})
	}
	return page, nil
}

func (s *Server) showTeam(c echo.Context) error {
	page, err := s.teamView(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	if key, ok := teamNotices()[c.QueryParam("melding")]; ok {
		page.Notice = t.Get(key)
	}
	return s.render(c, http.StatusOK, "team", t.Get("auth.team.title"), page, false)
}

// renderTeamError shows the team page with one message.
func (s *Server) renderTeamError(c echo.Context, status int, field, key string, fill func(*teamPage)) error {
	page, err := s.teamView(c)
	if err != nil {
		return err
	}
	if fill != nil {
		fill(page)
	}
	t := s.texts.For(requestLang(c))
	page.Errors = formErrors{{Field: field, Message: t.Get(key)}}
	return s.render(c, status, "team", t.Get("error.title_prefix")+" "+t.Get("auth.team.title"), page, true)
}

type inviteForm struct {
	Email string `form:"email"`
	Admin string `form:"admin"`
}

// invite makes an invitation link for the address and shows it once; the
// administrator sends it. An address with an account in another firm is
// invited like any other, and accepting answers as if it had none (see
// acceptInvitation): telling the administrator would reveal another firm's
// consultant.
func (s *Server) invite(c echo.Context) error {
	cons := consultantFrom(c)
	var form inviteForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	email := auth.NormaliseEmail(form.Email)
	admin := form.Admin == "1"
	keep := func(p *teamPage) { p.InviteEmail, p.InviteAdmin = strings.TrimSpace(form.Email), admin }
	switch {
	case email == "":
		return s.renderTeamError(c, http.StatusUnprocessableEntity, "invite-email", "auth.error.email_required", keep)
	case hasControlChars(email):
		return s.renderTeamError(c, http.StatusUnprocessableEntity, "invite-email", "form.control_characters", keep)
	case s.validate.Var(email, "email,max=254") != nil:
		return s.renderTeamError(c, http.StatusUnprocessableEntity, "invite-email", "auth.error.email_invalid", keep)
	}
	inv := &auth.Invitation{FirmID: cons.FirmID, Email: email, IsAdmin: admin, InvitedBy: cons.ID, ExpiresAt: s.now().Add(auth.InvitationLifetime)}
	var token string
	var err error
	if s.mail.store != nil {
		// The invitation is mailed as well; the link stays on the page to
		// copy, for a colleague whose mail is slow or filtered.
		// The look is loaded first: the mail is made inside the store's
		// transaction, which must not wait for another query.
		var brand *mailBrand
		if brand, err = s.mailBrandOf(c.Request().Context(), cons.FirmID, cons.FirmName); err != nil {
			return err
		}
		token, err = s.mail.store.CreateInvitationWithMessage(c.Request().Context(), inv, s.invitationMail(cons, inv, brand))
	} else {
		token, err = s.accounts.CreateInvitation(c.Request().Context(), inv)
	}
	if survey.ErrorCode(err) == survey.CodeConflict {
		return s.renderTeamError(c, http.StatusUnprocessableEntity, "invite-email", "auth.error.email_in_team", keep)
	}
	if err != nil {
		return err
	}
	detail := inv.Email
	if admin {
		detail += " (admin)"
	}
	s.audit(c, actionInvite, targetInvitation, inv.ID, detail)
	page, err := s.teamView(c)
	if err != nil {
		return err
	}
	if s.mail.store != nil {
		s.queued()
		page.InviteMailed = true
	}
	page.InviteLink = s.absoluteURL("/uitnodiging/" + url.PathEscape(token))
	page.InvitedEmail = inv.Email
	t := s.texts.For(requestLang(c))
	page.InviteExpires = s.formatTime(inv.ExpiresAt, t)
	return s.render(c, http.StatusOK, "team", t.Get("auth.team.title"), page, false)
}

func (s *Server) revokeInvitation(c echo.Context) error {
	cons := consultantFrom(c)
	if err := s.accounts.DeleteInvitation(c.Request().Context(), cons.FirmID, c.Param("id")); err != nil {
		return err
	}
	s.audit(c, actionRevokeInvite, targetInvitation, c.Param("id"), "")
	return c.Redirect(http.StatusSeeOther, "/team?melding=ingetrokken")
}

// setFirmTOTP makes two-factor sign-in compulsory (or optional) for the
// whole firm.
func (s *Server) setFirmTOTP(c echo.Context) error {
	cons := consultantFrom(c)
	require := c.FormValue("require") == "1"
	if err := s.accounts.SetFirmRequireTOTP(c.Request().Context(), cons.FirmID, require); err != nil {
		return err
	}
	detail, notice := "off", "beleid"
	if require {
		detail, notice = "on", "beleid_verplic"
	}
	s.audit(c, actionRequireTOTP, targetFirm, cons.FirmID, detail)
	return c.Redirect(http.StatusSeeOther, "/team?melding="+notice)
}

func (s *Server) disableConsultant(c echo.Context) error { return s.setDisabled(c, true) }

func (s *Server) enableConsultant(c echo.Context) error { return s.setDisabled(c, false) }

// setDisabled disables or enables a consultant of the administrator's own
// firm; another firm's consultant is not found. Administrators cannot
// disable themselves, so a firm always keeps one.
func (s *Server) setDisabled(c echo.Context, disabled bool) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	target, err := s.accounts.ConsultantByID(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	if disabled && target.ID == cons.ID {
		return s.renderTeamError(c, http.StatusUnprocessableEntity, "", "auth.error.disable_self", nil)
	}
	if err := s.accounts.SetConsultantDisabled(ctx, cons.FirmID, target.ID, disabled); err != nil {
		return err
	}
	action, notice := actionEnable, "ingeschakeld"
	if disabled {
		action, notice = actionDisable, "uitgeschakeld"
	}
	s.audit(c, action, targetConsultant, target.ID, target.Email)
	return c.Redirect(http.StatusSeeOther, "/team?melding="+notice)
}

// --- Accepting an invitation ---

// invitePage is the data of the invitation page.
type invitePage struct {
	Email    string
	FirmName string
	Action   string
	// Invalid is set for an unknown, used or expired link.
	Invalid bool
	Errors  formErrors
}

type acceptForm struct {
	Password        string `form:"password"`
	PasswordConfirm string `form:"password_confirm"`
}

// invitation loads the invitation of the link; the second result is false
// (and the page says the link does not work) when it is unknown or expired.
func (s *Server) invitation(c echo.Context) (*auth.Invitation, bool, error) {
	noStore(c)
	inv, err := s.accounts.InvitationByToken(c.Request().Context(), c.Param("token"))
	if err == nil && !inv.Expired(s.now()) {
		return inv, true, nil
	}
	if err != nil && survey.ErrorCode(err) != survey.CodeNotFound {
		return nil, false, err
	}
	t := s.texts.For(requestLang(c))
	return nil, false, s.render(c, http.StatusNotFound, "invite", t.Get("auth.invite.invalid_title"), invitePage{Invalid: true}, false)
}

func (s *Server) showInvitation(c echo.Context) error {
	inv, ok, err := s.invitation(c)
	if !ok {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := invitePage{Email: inv.Email, FirmName: inv.FirmName, Action: c.Request().URL.Path}
	return s.render(c, http.StatusOK, "invite", t.Get("auth.invite.title"), page, false)
}

// acceptInvitation creates the account with the chosen password and sends
// the new consultant to the login page.
func (s *Server) acceptInvitation(c echo.Context) error {
	inv, ok, err := s.invitation(c)
	if !ok {
		return err
	}
	var form acceptForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	t := s.texts.For(requestLang(c))
	page := invitePage{Email: inv.Email, FirmName: inv.FirmName, Action: c.Request().URL.Path}
	if problem := auth.CheckPassword(form.Password, inv.Email, inv.FirmName); problem != "" {
		page.Errors = append(page.Errors, formError{Field: "password", Message: t.Get(passwordProblemKey(problem))})
	} else if form.PasswordConfirm != form.Password {
		page.Errors = append(page.Errors, formError{Field: "password_confirm", Message: t.Get("auth.error.password_mismatch")})
	}
	if len(page.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "invite", t.Get("error.title_prefix")+" "+t.Get("auth.invite.title"), page, true)
	}
	cons, err := s.accounts.AcceptInvitation(c.Request().Context(), c.Param("token"), s.signIn.hasher.Hash(form.Password), s.now())
	switch survey.ErrorCode(err) {
	case "":
	case survey.CodeConflict:
		// The address has an account, in this firm or another. Saying so
		// would let an administrator of any firm learn who works for
		// another by inviting and accepting: the link is used up and the
		// answer is the one of an accepted invitation. The holder of the
		// address signs in to the account they already have.
		if err := s.accounts.DeleteInvitation(c.Request().Context(), inv.FirmID, inv.ID); err != nil && survey.ErrorCode(err) != survey.CodeNotFound {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login?melding=account")
	case survey.CodeNotFound:
		return s.render(c, http.StatusNotFound, "invite", t.Get("auth.invite.invalid_title"), invitePage{Invalid: true}, false)
	default:
		return err
	}
	s.auditAs(c, cons, actionAcceptInvite, targetInvitation, inv.ID, "")
	return c.Redirect(http.StatusSeeOther, "/login?melding=account")
}

// passwordProblemKey returns the translation key of a password problem.
func passwordProblemKey(p auth.PasswordProblem) string {
	switch p {
	case auth.PasswordTooShort:
		return "auth.error.password_too_short"
	case auth.PasswordTooLong:
		return "auth.error.password_too_long"
	default:
		return "auth.error.password_too_common"
	}
}

// --- Audit log ---

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditPage is the data of /audit.
type auditPage struct {
	Entries []auditView
	Number  int
	PrevURL string
	NextURL string
}

// auditView is one entry as shown.
type auditView struct {
	At     string
	Who    string
	Action string
	Detail string
}

// showAudit shows the firm's audit log, newest first, 50 entries a page.
func (s *Server) showAudit(c echo.Context) error {
	cons := consultantFrom(c)
	number, err := strconv.Atoi(c.QueryParam("pagina"))
	if c.QueryParam("pagina") == "" {
		number, err = 1, nil
	}
	if err != nil || number < 1 || number > 1_000_000 {
		return survey.Errorf(survey.CodeNotFound, "no such page")
	}
	// One entry more than a page tells whether there is a next page.
	entries, err := s.accounts.ListAudit(c.Request().Context(), cons.FirmID, auditPageSize+1, (number-1)*auditPageSize)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := auditPage{Number: number}
	if number > 1 {
		page.PrevURL = "/audit?pagina=" + strconv.Itoa(number-1)
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		page.NextURL = "/audit?pagina=" + strconv.Itoa(number+1)
	}
	names, err := s.auditNamesFor(c.Request().Context(), cons.FirmID, entries)
	if err != nil {
		return err
	}
	for _, e := range entries {
		v := describeAudit(e, names, t)
		v.At = s.formatTime(e.At, t)
		page.Entries = append(page.Entries, v)
	}
	return s.render(c, http.StatusOK, "audit", t.Get("audit.title"), page, false)
}

// translated returns the text of key, or fallback when there is none: other
// parts of the service log actions this page need not know.
func translated(t Translator, key, fallback string) string {
	if msg, ok := t.messages[key]; ok {
		return msg
	}
	return fallback
}
