package web

import (
	"context"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// targetDiagnostic is the target type of the actions on a diagnostic.
const targetDiagnostic = "diagnostic"

// auditNames resolves the ids an audit log page names to what people
// recognise: consultants by e-mail address, diagnostics by name. Records
// deleted since keep the name the entry itself recorded.
type auditNames struct {
	consultants map[string]string
	diagnostics map[string]string
}

func (s *Server) auditNamesFor(ctx context.Context, firmID string, entries []survey.AuditEntry) (auditNames, error) {
	n := auditNames{consultants: map[string]string{}, diagnostics: map[string]string{}}
	members, err := s.accounts.ListConsultants(ctx, firmID)
	if err != nil {
		return n, err
	}
	for _, m := range members {
		n.consultants[m.ID] = m.Email
	}
	for _, e := range entries {
		// A director link's id is not its diagnostic's: its detail names it.
		if e.TargetType != targetDiagnostic || e.TargetID == "" {
			continue
		}
		id := e.TargetID
		if _, done := n.diagnostics[id]; done {
			continue
		}
		d, err := s.store.DiagnosticForFirm(ctx, firmID, id)
		switch {
		case err == nil:
			n.diagnostics[id] = d.Name
		case survey.ErrorCode(err) == survey.CodeNotFound:
			n.diagnostics[id] = ""
		default:
			return n, err
		}
	}
	return n, nil
}

// describeAudit writes an entry as a sentence ("Diagnose ‘Meting 2026’
// gesloten"), names who did it by e-mail address, and keeps of the detail
// only what the sentence does not already say.
func describeAudit(e survey.AuditEntry, names auditNames, t Translator) auditView {
	v := auditView{Who: e.Email}
	if (e.Action == actionDirectorUpdate || e.Action == actionDirectorCreate) && e.ConsultantID == "" {
		// A director has no account: the entry names the link's label.
		label := e.Email
		if label == "" {
			label = t.Get("actions.director_author")
		}
		v.Who = t.Get("audit.director_link", label)
	}
	if v.Who == "" {
		v.Who = names.consultants[e.ConsultantID]
	}
	if v.Who == "" {
		v.Who = t.Get("audit.system")
	}
	subject := e.Detail
	switch e.TargetType {
	case targetConsultant:
		if email := names.consultants[e.TargetID]; email != "" {
			subject = email
		}
	case targetDiagnostic, targetDirectorLink:
		subject = names.diagnostics[e.TargetID]
		if subject == "" {
			// A link, or a diagnostic deleted since: the detail starts with
			// the diagnostic's name.
			subject = e.Detail
			if i := strings.LastIndex(subject, " ("); i > 0 {
				subject = subject[:i]
			}
			if i := strings.Index(subject, ": "); i > 0 {
				subject = subject[:i]
			}
		}
	}
	v.Detail = e.Detail
	switch {
	case subject == "":
		subject = t.Get("audit.unknown_subject")
	case e.Detail == subject:
		v.Detail = ""
	case strings.HasPrefix(e.Detail, subject+": "):
		v.Detail = strings.TrimPrefix(e.Detail, subject+": ")
	case strings.HasPrefix(e.Detail, subject+" (") && strings.HasSuffix(e.Detail, ")"):
		v.Detail = strings.TrimSuffix(strings.TrimPrefix(e.Detail, subject+" ("), ")")
	}
	key := "audit.describe." + e.Action + "." + e.TargetType
	if msg, ok := t.messages[key]; ok {
		v.Action = msg
		if strings.Contains(msg, "%s") {
			v.Action = t.Get(key, subject)
		}
		return v
	}
	// An action this page has no sentence for: its name and its subject.
	v.Action = translated(t, "audit.action."+e.Action, e.Action)
	if e.TargetType != "" {
		v.Action += ": " + translated(t, "audit.target."+e.TargetType, e.TargetType) + " " + subject
	}
	return v
}
