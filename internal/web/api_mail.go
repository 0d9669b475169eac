package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The API of what is sent about a diagnostic (docs/openapi.yaml).

// apiMessage is a message as the API lists it: its state, never its body.
type apiMessage struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	To        []string   `json:"to"`
	Subject   string     `json:"subject"`
	State     string     `json:"state"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	Erased    bool       `json:"erased"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func apiMessageOf(m survey.OutgoingMessage) apiMessage {
	out := apiMessage{
		ID: m.ID, Kind: string(m.Kind), To: m.To, Subject: m.Subject, State: string(m.State),
		Attempts: m.Attempts, LastError: m.LastError, Erased: m.Erased(), CreatedAt: m.CreatedAt, SentAt: m.SentAt,
	}
	if out.To == nil || out.Erased {
		out.To = []string{}
	}
	return out
}

type apiQueued struct {
	DiagnosticID string `json:"diagnostic_id"`
	Queued       int    `json:"queued"`
}

type apiDirectorMailRequest struct {
	AttachPDF bool `json:"attach_pdf"`
}

// apiMailOf is mailOf for the API: another firm's diagnostic is not found.
func (s *Server) apiMailOf(c echo.Context) (*survey.Diagnostic, *survey.MailSettings, error) {
	return s.mailOf(c)
}

// apiSendInvitations queues the invitation to the contact persons.
func (s *Server) apiSendInvitations(c echo.Context) error {
	d, settings, err := s.apiMailOf(c)
	if err != nil {
		return err
	}
	if len(settings.Contacts) == 0 {
		return survey.Errorf(survey.CodeConflict, "The diagnostic has no contact persons; enter them on the diagnostic first.")
	}
	msgs, err := s.queueContactInvitation(c, d, settings)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiQueued{DiagnosticID: d.ID, Queued: len(msgs)})
}

// apiSendDirectorMail queues the directors' mail, each with a new link.
func (s *Server) apiSendDirectorMail(c echo.Context) error {
	d, settings, err := s.apiMailOf(c)
	if err != nil {
		return err
	}
	var req apiDirectorMailRequest
	if c.Request().ContentLength != 0 {
		if err := readJSON(c, &req); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	batch, _, blocked, err := s.directorBatch(ctx, d, settings, consultantFrom(c), req.AttachPDF, s.texts.For(apiLang))
	if err != nil {
		return err
	}
	if blocked != "" {
		return survey.Errorf(survey.CodeConflict, "%s", blocked)
	}
	if _, err := s.mailStore().QueueDiagnosticMail(ctx, d.Organisation.FirmID, d.ID, batch); err != nil {
		return err
	}
	s.queued()
	s.auditLinks(c, d, batch)
	return c.JSON(http.StatusCreated, apiQueued{DiagnosticID: d.ID, Queued: len(batch.Links)})
}

// apiMessages lists the diagnostic's messages and their states.
func (s *Server) apiMessages(c echo.Context) error {
	d, _, err := s.apiMailOf(c)
	if err != nil {
		return err
	}
	list, err := s.mailStore().ListMessages(c.Request().Context(), d.Organisation.FirmID, d.ID)
	if err != nil {
		return err
	}
	out := make([]apiMessage, 0, len(list))
	for _, m := range list {
		out = append(out, apiMessageOf(m))
	}
	return c.JSON(http.StatusOK, out)
}
