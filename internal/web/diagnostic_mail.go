package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DiagnosticMailStore keeps who hears about a diagnostic by mail and
// queues what is sent about it (internal/store implements it). A store
// without it serves no mail pages.
type DiagnosticMailStore interface {
	MailSettings(ctx context.Context, diagnosticID string) (*survey.MailSettings, error)
	SaveMailSettings(ctx context.Context, diagnosticID string, m *survey.MailSettings) error
	MailEvents(ctx context.Context, diagnosticID string) (map[string]bool, error)
	QueueDiagnosticMail(ctx context.Context, firmID, diagnosticID string, m survey.DiagnosticMail) (bool, error)
	CloseDiagnosticWithMail(ctx context.Context, firmID, diagnosticID string, m survey.DiagnosticMail) error
	QueuePersonalInvitations(ctx context.Context, firmID, diagnosticID string, msgs []*survey.OutgoingMessage) error
	ListMessages(ctx context.Context, firmID, diagnosticID string) ([]survey.OutgoingMessage, error)
	MailScheduleCandidates(ctx context.Context) ([]survey.DiagnosticRef, error)
}

// mailStore returns the store's mail side, nil when it has none.
func (s *Server) mailStore() DiagnosticMailStore {
	m, _ := s.store.(DiagnosticMailStore)
	return m
}

// mailOf is the diagnostic named by the route with its mail settings; it
// answers 404 when the store keeps no mail.
func (s *Server) mailOf(c echo.Context) (*survey.Diagnostic, *survey.MailSettings, error) {
	d, err := s.mailDiagnostic(c)
	if err != nil {
		return nil, nil, err
	}
	settings, err := s.mailStore().MailSettings(c.Request().Context(), d.ID)
	if err != nil {
		return nil, nil, err
	}
	return d, settings, nil
}

// mailDiagnostic is the diagnostic named by the route, for a page that
// needs the mail side but not the mail settings; it answers 404 when the
// store keeps no mail.
func (s *Server) mailDiagnostic(c echo.Context) (*survey.Diagnostic, error) {
	if s.mailStore() == nil {
		return nil, echo.ErrNotFound
	}
	return s.diagnosticOfFirm(c)
}

// --- The invitation to the contact persons ---

// mailPreview is one message as the preview page shows it.
type mailPreview struct {
	To          string
	Subject     string
	Text        string
	HTMLURL     string
	Attachments []string
}

type invitationPage struct {
	Diagnostic survey.Diagnostic
	Previews   []mailPreview
	// Action is where "Versturen" posts; empty when there is nothing to
	// send (no contact persons).
	Action string
	// Heading and Intro say what the page sends.
	Heading, Intro string
	// Extra holds the form fields of the directors' mail.
	Directors *directorMailForm
	// Blocked explains why nothing can be sent now.
	Blocked string
	Errors  formErrors
}

// invitationMails composes the invitation for every contact person, with
// the poster attached when withPoster is set.
func (s *Server) invitationMails(ctx context.Context, d *survey.Diagnostic, settings *survey.MailSettings, cons *survey.Consultant, withPoster bool) ([]composedMail, error) {
	from, err := s.senderOf(ctx, d, cons)
	if err != nil {
		return nil, err
	}
	var poster []byte
	if withPoster {
		if poster, err = s.posterOf(ctx, d); err != nil {
			return nil, err
		}
	}
	var out []composedMail
	for _, r := range settings.Contacts {
		m, err := s.contactInvitationMail(d, from, r)
		if err != nil {
			return nil, err
		}
		m.Attachments = []survey.Attachment{{Name: posterFileName, ContentType: "application/pdf", Content: poster}}
		out = append(out, m)
	}
	return out, nil
}

func previewsOf(mails []composedMail, htmlBase string) []mailPreview {
	var out []mailPreview
	for i, m := range mails {
		p := mailPreview{To: m.to(), Subject: m.Subject, Text: m.Text, HTMLURL: htmlBase + strconv.Itoa(i+1), Attachments: fileNames(m.Attachments)}
		out = append(out, p)
	}
	return out
}

func invitationPath(id string) string { return "/diagnoses/" + id + "/uitnodiging" }

// showContactInvitation previews the invitation exactly as it will be sent.
func (s *Server) showContactInvitation(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	mails, err := s.invitationMails(c.Request().Context(), d, settings, consultantFrom(c), false)
	if err != nil {
		return err
	}
	page := invitationPage{
		Diagnostic: *d, Previews: previewsOf(mails, invitationPath(d.ID)+"/html/"),
		Heading: t.Get("dmail.invite.page_heading"), Intro: t.Get("dmail.invite.page_intro"),
	}
	if len(mails) == 0 {
		page.Blocked = t.Get("dmail.invite.no_contacts")
	} else {
		page.Action = invitationPath(d.ID)
	}
	return s.render(c, http.StatusOK, "diagnostic_mail", t.Get("dmail.invite.page_title", d.Name), page, false)
}

// sendContactInvitation queues the invitation to every contact person.
func (s *Server) sendContactInvitation(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	if len(settings.Contacts) == 0 {
		return survey.Errorf(survey.CodeInvalid, "no contact persons")
	}
	msgs, err := s.queueContactInvitation(c, d, settings)
	if err != nil {
		return err
	}
	s.setFlash(c, "dmail.flash.invitation", strconv.Itoa(len(msgs)))
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#berichten")
}

// queueContactInvitation queues the invitation to every contact person of
// d, for the page and the API.
func (s *Server) queueContactInvitation(c echo.Context, d *survey.Diagnostic, settings *survey.MailSettings) ([]*survey.OutgoingMessage, error) {
	ctx := c.Request().Context()
	mails, err := s.invitationMails(ctx, d, settings, consultantFrom(c), true)
	if err != nil {
		return nil, err
	}
	var batch survey.DiagnosticMail
	for _, m := range mails {
		batch.Messages = append(batch.Messages, m.message(survey.MessageContactInvitation))
	}
	if _, err := s.mailStore().QueueDiagnosticMail(ctx, d.Organisation.FirmID, d.ID, batch); err != nil {
		return nil, err
	}
	s.queued()
	s.audit(c, "mail_invitation", targetDiagnostic, d.ID, fmt.Sprintf("%s: %d", d.Name, len(mails)))
	return batch.Messages, nil
}

// contactInvitationHTML serves the HTML part of one previewed invitation as the
// document it is, under a policy that runs nothing and loads nothing.
func (s *Server) contactInvitationHTML(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(settings.Contacts) {
		return echo.ErrNotFound
	}
	mails, err := s.invitationMails(c.Request().Context(), d, &survey.MailSettings{Contacts: settings.Contacts[n-1 : n]}, consultantFrom(c), false)
	if err != nil {
		return err
	}
	return serveMailHTML(c, mails[0])
}

// serveMailHTML serves a composed mail's HTML part, its inline logo as a
// data: URL (previewHTML).
func serveMailHTML(c echo.Context, m composedMail) error {
	h := c.Response().Header()
	// The mail's inline styles are what a mail program shows, and its
	// inline images; nothing else may load or run.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, []byte(previewHTML(m.HTML, m.Inline)))
}

// diagnosticMailSection is the diagnostic page's part on mail: who is
// named, what can be sent, and every message with its state.
type diagnosticMailSection struct {
	Contacts, Directors int
	CodesAccess         bool
	// List is the outbox's list of the diagnostic's messages, with their
	// states and a resend button (messages.go).
	List *messagesPage
}

func (s *Server) mailSectionOf(c echo.Context, d *survey.Diagnostic) (*diagnosticMailSection, error) {
	ms := s.mailStore()
	if ms == nil || s.mail.store == nil {
		return nil, nil
	}
	settings, err := ms.MailSettings(c.Request().Context(), d.ID)
	if err != nil {
		return nil, err
	}
	sec := &diagnosticMailSection{Contacts: len(settings.Contacts), Directors: len(settings.Directors), CodesAccess: d.Access == survey.AccessCodes}
	if sec.List, err = s.messageList(c, d.ID, "/diagnoses/"+d.ID+"#berichten"); err != nil {
		return nil, err
	}
	return sec, nil
}
