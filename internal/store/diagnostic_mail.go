package store

import (
	"context"
	"errors"
	"math/rand/v2"
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

// QueueDiagnosticMail queues m for the firm's diagnostic in one
// transaction. With m.Event set it queues only when no instance did so
// before, and reports whether this call queued.
func (s *Store) QueueDiagnosticMail(ctx context.Context, firmID, diagnosticID string, m survey.DiagnosticMail) (bool, error) {
	var rows []outgoingMessageRow
	var msgs []*survey.OutgoingMessage
	err := s.write(ctx, "queue diagnostic mail", func(ctx context.Context, tx bun.Tx) error {
		if err := diagnosticExists(ctx, firmDiagnostic(tx, firmID, diagnosticID)); err != nil {
			return err
		}
		var err error
		rows, msgs, err = s.queueMailTx(ctx, tx, firmID, diagnosticID, m)
		return err
	})
	if errors.Is(err, errEventDone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	fillQueued(msgs, rows)
	return true, nil
}

// CloseDiagnosticWithMail closes the firm's diagnostic and queues m (the
// directors' mail) in the same transaction: if closing fails, nothing is
// queued and no link is made.
func (s *Store) CloseDiagnosticWithMail(ctx context.Context, firmID, diagnosticID string, m survey.DiagnosticMail) error {
	if _, err := s.DiagnosticForFirm(ctx, firmID, diagnosticID); err != nil {
		return err
	}
	var rows []outgoingMessageRow
	var msgs []*survey.OutgoingMessage
	err := s.setDiagnosticState(ctx, diagnosticID, survey.StateClosed, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rows, msgs, err = s.queueMailTx(ctx, tx, firmID, diagnosticID, m)
		return err
	})
	if err != nil {
		return err
	}
	fillQueued(msgs, rows)
	return nil
}

// queueMailTx records m's events, makes its director links and queues its
// messages inside tx. It returns errEventDone when m.Event was recorded
// before.
func (s *Store) queueMailTx(ctx context.Context, tx bun.Tx, firmID, diagnosticID string, m survey.DiagnosticMail) ([]outgoingMessageRow, []*survey.OutgoingMessage, error) {
	now := s.timestamp()
	if m.Event != "" {
		fresh, err := recordMailEvent(ctx, tx, diagnosticID, m.Event, now)
		if err != nil {
			return nil, nil, err
		}
		if !fresh {
			return nil, nil, errEventDone
		}
	}
	for _, e := range m.Skip {
		if _, err := recordMailEvent(ctx, tx, diagnosticID, e, now); err != nil {
			return nil, nil, err
		}
	}
	msgs := append([]*survey.OutgoingMessage(nil), m.Messages...)
	for i, lm := range m.Links {
		l := lm.Link
		if l.Lang == "" || l.ExpiresAt.IsZero() {
			return nil, nil, survey.Errorf(survey.CodeInvalid, "a director link needs a language and an expiry")
		}
		token := newSecret()
		row := directorLinkRow{
			ID: newID(), DiagnosticID: diagnosticID, TokenHash: hash(token), Lang: l.Lang, Label: l.Label,
			CreatedAt: now, ExpiresAt: storedTime(l.ExpiresAt),
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return nil, nil, err
		}
		// The caller audits the link by its id once the transaction
		// committed.
		m.Links[i].Link.ID = row.ID
		msg, err := lm.Build(token)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, msg)
	}
	for _, msg := range msgs {
		msg.FirmID, msg.DiagnosticID = firmID, diagnosticID
	}
	rows, err := s.enqueueTx(ctx, tx, msgs)
	return rows, msgs, err
}

// QueuePersonalInvitations queues one ephemeral message per employee of a
// personal invitation (survey.MessagePersonalCode). The codes they carry
// were issued before, by CreateAccessCodes in a transaction of its own; the
// messages go in here in random order, so that neither a transaction nor
// the order of rows pairs a message with a code. Each message loses its
// recipient and body when it leaves the queue (FinishMessage) and the scrub
// then removes the old row versions (scrub.go).
func (s *Store) QueuePersonalInvitations(ctx context.Context, firmID, diagnosticID string, msgs []*survey.OutgoingMessage) error {
	if len(msgs) == 0 {
		return survey.Errorf(survey.CodeInvalid, "no invitations to queue")
	}
	shuffled := append([]*survey.OutgoingMessage(nil), msgs...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, m := range shuffled {
		if m.Kind != survey.MessagePersonalCode {
			return survey.Errorf(survey.CodeInvalid, "a personal invitation has kind %q", survey.MessagePersonalCode)
		}
		m.Ephemeral = true
	}
	_, err := s.QueueDiagnosticMail(ctx, firmID, diagnosticID, survey.DiagnosticMail{Messages: shuffled})
	return err
}

// MailScheduleCandidates returns the diagnostics the mail scheduler looks
// at: those of a firm, not closed by hand, with a contact person or a
// director. Whether a reminder or the directors' mail is due depends on
// the dates, which the scheduler applies.
func (s *Store) MailScheduleCandidates(ctx context.Context) ([]survey.DiagnosticRef, error) {
	var rows []struct {
		ID     string `bun:"id"`
		FirmID string `bun:"firm_id"`
	}
	err := s.read.NewSelect().Model((*diagnosticRow)(nil)).
		ColumnExpr("d.id AS id").ColumnExpr("o.firm_id AS firm_id").
		Join("JOIN organisations AS o ON o.id = d.organisation_id").
		Where("o.firm_id IS NOT NULL").
		Where("d.state <> ?", string(survey.StateClosed)).
		Where("EXISTS (SELECT 1 FROM diagnostic_recipients AS dr WHERE dr.diagnostic_id = d.id)").
		OrderExpr("d.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "list diagnostics for mail")
	}
	out := make([]survey.DiagnosticRef, len(rows))
	for i, r := range rows {
		out[i] = survey.DiagnosticRef{ID: r.ID, FirmID: r.FirmID}
	}
	return out, nil
}
