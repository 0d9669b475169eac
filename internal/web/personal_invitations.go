package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Personal invitations: the consultant pastes or uploads a list of
// employees' addresses and each gets a mail with a new single-use access
// code. The list is never stored. The addresses exist only in memory while
// the request runs and in the queued messages, which lose recipient and
// body once sent (store.QueuePersonalInvitations); nothing, the logs
// included, keeps which code went to whom.

// maxPersonalInvitations bounds one upload; with the request body limit it
// keeps a request quick. Larger lists go in parts.
const maxPersonalInvitations = 2000

func personalPath(id string) string { return "/diagnoses/" + id + "/persoonlijke-uitnodigingen" }

type personalPage struct {
	Diagnostic survey.Diagnostic
	// Addresses is what was entered, kept when something is wrong.
	Addresses string
	Errors    formErrors
	// Blocked explains why no personal invitations can be sent.
	Blocked string
	Preview mailPreview
	Max     int
}

// personalBlocked says why d cannot have personal invitations now, or "".
func (s *Server) personalBlocked(d *survey.Diagnostic, t Translator) string {
	switch {
	case d.Access != survey.AccessCodes:
		return t.Get("dmail.personal.needs_codes")
	case d.EffectiveState(s.now()) == survey.StateClosed:
		return t.Get("dmail.personal.closed")
	case !s.cfg.SMTPConfigured:
		// Without a mail server each message would be written to disk
		// as an .eml file with the address and the code side by side.
		return t.Get("dmail.personal.no_server")
	}
	return ""
}

func (s *Server) showPersonalInvitations(c echo.Context) error {
	d, err := s.mailDiagnostic(c)
	if err != nil {
		return err
	}
	return s.renderPersonal(c, d, "", nil, http.StatusOK)
}

func (s *Server) renderPersonal(c echo.Context, d *survey.Diagnostic, addresses string, errs formErrors, status int) error {
	t := s.texts.For(requestLang(c))
	from, err := s.senderOf(c.Request().Context(), d, consultantFrom(c))
	if err != nil {
		return err
	}
	sample, err := s.personalInvitationMail(d, from, t.Get("dmail.personal.sample_address"), "ABCDEFGH")
	if err != nil {
		return err
	}
	page := personalPage{Diagnostic: *d, Addresses: addresses, Errors: errs, Blocked: s.personalBlocked(d, t), Max: maxPersonalInvitations}
	page.Preview = mailPreview{To: sample.ToEmail, Subject: sample.Subject, Text: strings.ReplaceAll(sample.Text, "ABCD-EFGH", t.Get("dmail.personal.sample_code"))}
	title := t.Get("dmail.personal.page_title", d.Name)
	if len(errs) > 0 {
		title = t.Get("error.title_prefix") + " " + title
	}
	return s.render(c, status, "personal_invitations", title, page, len(errs) > 0)
}

// sendPersonalInvitations issues one code per address and queues the
// mails. Codes come first, in a transaction of their own; the messages
// follow, shuffled, in another.
func (s *Server) sendPersonalInvitations(c echo.Context) error {
	d, err := s.mailDiagnostic(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	if blocked := s.personalBlocked(d, t); blocked != "" {
		return survey.Errorf(survey.CodeConflict, "%s", blocked)
	}
	typed := c.FormValue("addresses")
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return survey.Errorf(survey.CodeInvalid, "unreadable file")
		}
		data, err := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err != nil {
			return survey.Errorf(survey.CodeInvalid, "unreadable file")
		}
		// What the file held joins what was typed, so that a correction
		// starts from everything entered.
		if strings.TrimSpace(typed) != "" {
			typed = strings.TrimRight(typed, "\r\n") + "\n"
		}
		typed += strings.TrimPrefix(string(data), "\ufeff")
	}
	addrs, errs := parseAddressList(typed, t)
	if len(errs) > 0 {
		return s.renderPersonal(c, d, typed, errs, http.StatusUnprocessableEntity)
	}
	ctx := c.Request().Context()
	from, err := s.senderOf(ctx, d, consultantFrom(c))
	if err != nil {
		return err
	}
	codes, err := s.store.CreateAccessCodes(ctx, d.ID, len(addrs))
	if err != nil {
		return err
	}
	msgs := make([]*survey.OutgoingMessage, len(addrs))
	for i, a := range addrs {
		m, err := s.personalInvitationMail(d, from, a, codes[i])
		if err != nil {
			return err
		}
		msgs[i] = m.message(survey.MessagePersonalCode)
	}
	if err := s.mailStore().QueuePersonalInvitations(ctx, d.Organisation.FirmID, d.ID, msgs); err != nil {
		return err
	}
	s.queued()
	// The count only: no address, no code.
	s.audit(c, "mail_personal", targetDiagnostic, d.ID, d.Name+": "+strconv.Itoa(len(addrs)))
	s.setFlash(c, "dmail.flash.personal", t.Number(len(addrs)))
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#berichten")
}

// parseAddressList reads the addresses of a pasted list or an uploaded
// CSV or text file: every word with an @ is an address, whatever the
// separators (lines, commas, semicolons, tabs, quotes); other words, such
// as names and a header row, are passed over. Repeats count once.
func parseAddressList(text string, t Translator) ([]string, formErrors) {
	if hasControlChars(text) {
		return nil, formErrors{{Field: "addresses", Message: t.Get("form.control_characters")}}
	}
	var out []string
	var errs formErrors
	seen := map[string]bool{}
	words := strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ';' || r == '\t' || r == ' ' || r == '"' || r == '\'' || r == '<' || r == '>'
	})
	for _, w := range words {
		if !strings.Contains(w, "@") {
			continue
		}
		email, ok := survey.CheckEmail(w)
		if !ok {
			if len(errs) < 10 {
				errs = append(errs, formError{Field: "addresses", Message: t.Get("dmail.error.recipient_email", w)})
			}
			continue
		}
		key := strings.ToLower(email)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, email)
	}
	switch {
	case len(errs) > 0:
	case len(out) == 0:
		errs = append(errs, formError{Field: "addresses", Message: t.Get("dmail.error.no_addresses")})
	case len(out) > maxPersonalInvitations:
		errs = append(errs, formError{Field: "addresses", Message: t.Get("dmail.error.too_many_addresses", t.Number(maxPersonalInvitations), t.Number(len(out)))})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
