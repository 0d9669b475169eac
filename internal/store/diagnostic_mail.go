package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The people who hear about a diagnostic by mail (contact persons,
// directors) and the mails the scheduler queued by itself (migration 0014).

type recipientRow struct {
	bun.BaseModel `bun:"table:diagnostic_recipients,alias:dr"`

	DiagnosticID string `bun:"diagnostic_id,pk"`
	Role         string `bun:"role,pk"`
	Position     int    `bun:"position,pk"`
	Name         string `bun:"name"`
	Email        string `bun:"email"`
	Lang         string `bun:"lang"`
}

type mailEventRow struct {
	bun.BaseModel `bun:"table:diagnostic_mail_events,alias:dme"`

	DiagnosticID string    `bun:"diagnostic_id,pk"`
	Event        string    `bun:"event,pk"`
	CreatedAt    time.Time `bun:"created_at"`
}

// MailSettings returns the mail settings of a diagnostic.
func (s *Store) MailSettings(ctx context.Context, diagnosticID string) (*survey.MailSettings, error) {
	return mailSettings(ctx, s.read, diagnosticID)
}

func mailSettings(ctx context.Context, db bun.IDB, diagnosticID string) (*survey.MailSettings, error) {
	out := &survey.MailSettings{}
	err := db.NewSelect().Model((*diagnosticRow)(nil)).Column("reminders", "director_attach_pdf").
		Where("id = ?", diagnosticID).Scan(ctx, &out.Reminders, &out.AttachPDF)
	if err != nil {
		return nil, notFound(err, "diagnostic not found", "load mail settings")
	}
	var rows []recipientRow
	if err := db.NewSelect().Model(&rows).Where("diagnostic_id = ?", diagnosticID).OrderExpr("role, position").Scan(ctx); err != nil {
		return nil, dbError(err, "load mail settings")
	}
	for _, r := range rows {
		rc := survey.Recipient{Role: survey.RecipientRole(r.Role), Name: r.Name, Email: r.Email, Lang: r.Lang}
		if rc.Role == survey.RoleDirector {
			out.Directors = append(out.Directors, rc)
		} else {
			out.Contacts = append(out.Contacts, rc)
		}
	}
	return out, nil
}

// SaveMailSettings replaces the mail settings of a diagnostic. It checks
// what it stores: the web layer says what is wrong in the user's words
// first, this is the last line.
func (s *Store) SaveMailSettings(ctx context.Context, diagnosticID string, m *survey.MailSettings) error {
	if _, err := survey.ParseReminders(m.Reminders); err != nil {
		return err
	}
	var rows []recipientRow
	for role, list := range map[survey.RecipientRole][]survey.Recipient{survey.RoleContact: m.Contacts, survey.RoleDirector: m.Directors} {
		if len(list) > survey.MaxRecipients {
			return survey.Errorf(survey.CodeInvalid, "at most %d %s recipients", survey.MaxRecipients, role)
		}
		for i, r := range list {
			email, ok := survey.CheckEmail(r.Email)
			if !ok || (r.Lang != "nl" && r.Lang != "en") || r.Name == "" || len(r.Name) > 200 {
				return survey.Errorf(survey.CodeInvalid, "recipient %d: a name, one e-mail address and nl or en are needed", i+1)
			}
			rows = append(rows, recipientRow{DiagnosticID: diagnosticID, Role: string(role), Position: i, Name: r.Name, Email: email, Lang: r.Lang})
		}
	}
	return s.write(ctx, "save mail settings", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*diagnosticRow)(nil)).
			Set("reminders = ?", m.Reminders).Set("director_attach_pdf = ?", m.AttachPDF).
			Where("id = ?", diagnosticID).Exec(ctx)
		if err := notFoundIfNone(res, err, "diagnostic not found"); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*recipientRow)(nil)).Where("diagnostic_id = ?", diagnosticID).Exec(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		_, err = tx.NewInsert().Model(&rows).Exec(ctx)
		return err
	})
}

// MailEvents returns the events already recorded for the diagnostic.
func (s *Store) MailEvents(ctx context.Context, diagnosticID string) (map[string]bool, error) {
	var events []string
	err := s.read.NewSelect().Model((*mailEventRow)(nil)).Column("event").Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &events)
	if err != nil {
		return nil, dbError(err, "load mail events")
	}
	out := make(map[string]bool, len(events))
	for _, e := range events {
		out[e] = true
	}
	return out, nil
}

// recordMailEvent records event for the diagnostic inside tx and reports
// whether this transaction recorded it (false: it was there already). On
// PostgreSQL a second instance that inserts the same key at the same time
// waits for the first one's transaction and then finds the conflict.
func recordMailEvent(ctx context.Context, tx bun.Tx, diagnosticID, event string, now time.Time) (bool, error) {
	row := mailEventRow{DiagnosticID: diagnosticID, Event: event, CreatedAt: now}
	res, err := tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// errEventDone stops a transaction whose event another caller recorded.
var errEventDone = errors.New("mail event recorded already")

var _ = sql.ErrNoRows
