package web

import (
	"context"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DiagnosticMailStore keeps who hears about a diagnostic by mail
// (internal/store implements it). A store without it serves no mail pages.
type DiagnosticMailStore interface {
	MailSettings(ctx context.Context, diagnosticID string) (*survey.MailSettings, error)
	SaveMailSettings(ctx context.Context, diagnosticID string, m *survey.MailSettings) error
	MailEvents(ctx context.Context, diagnosticID string) (map[string]bool, error)
}

// mailStore returns the store's mail side, nil when it has none.
func (s *Server) mailStore() DiagnosticMailStore {
	m, _ := s.store.(DiagnosticMailStore)
	return m
}
