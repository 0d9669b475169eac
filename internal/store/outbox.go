package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The outbox: every mail the service sends is a row of outgoing_messages
// first. The API, for the code that makes messages:
//
//   - EnqueueMessages queues stand-alone messages (a test mail, a resend of
//     an invitation) in a transaction of their own.
//   - A store method whose action causes mail takes the messages as
//     arguments and calls enqueueTx inside its own transaction, so that the
//     mail goes out if and only if the action commits:
//     SetDiagnosticStateWithMessages is the example (closing a diagnostic
//     queues the directors' mail). Add such a method next to the action;
//     never enqueue after the action in a second transaction.
//   - ListMessages, Message and ResendMessage serve the workspace; every
//     one takes the firm's id and treats another firm's message as missing.
//   - ClaimMessages and FinishMessage are the outbox worker's (package
//     mail): a claim is a lease, so that two instances on one PostgreSQL
//     never send one message at once, and a crashed instance's claim runs
//     out and the message is sent again, with the same Message-ID.
//
// Ephemeral messages (survey.OutgoingMessage.Ephemeral) lose recipients,
// body and attachments in the same statement that records their outcome.

type outgoingMessageRow struct {
	bun.BaseModel `bun:"table:outgoing_messages,alias:om"`

	ID            string     `bun:"id,pk"`
	MessageID     string     `bun:"message_id"`
	FirmID        *string    `bun:"firm_id"`
	DiagnosticID  *string    `bun:"diagnostic_id"`
	Kind          string     `bun:"kind"`
	Lang          string     `bun:"lang"`
	Recipients    string     `bun:"recipients"`
	Subject       string     `bun:"subject"`
	TextBody      string     `bun:"text_body"`
	HTMLBody      string     `bun:"html_body"`
	Attachments   string     `bun:"attachments"`
	Ephemeral     bool       `bun:"ephemeral"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	ClaimID       string     `bun:"claim_id"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	SentAt        *time.Time `bun:"sent_at"`
	// FinishedAt is when the message reached a final state; retention
	// counts from it (PurgeMessages).
	FinishedAt *time.Time `bun:"finished_at"`
}

func (r *outgoingMessageRow) message() (survey.OutgoingMessage, error) {
	m := survey.OutgoingMessage{
		ID: r.ID, MessageID: r.MessageID, FirmID: deref(r.FirmID), DiagnosticID: deref(r.DiagnosticID),
		Kind: survey.MessageKind(r.Kind), Lang: r.Lang, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody,
		Ephemeral: r.Ephemeral, State: survey.MessageState(r.State), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt),
	}
	if r.Recipients != "" {
		if err := json.Unmarshal([]byte(r.Recipients), &m.To); err != nil {
			return m, err
		}
	}
	if r.Attachments != "" {
		if err := json.Unmarshal([]byte(r.Attachments), &m.Attachments); err != nil {
			return m, err
		}
	}
	return m, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// EnqueueMessages queues msgs in one transaction: all or none. It fills in
// each message's ID, MessageID (when empty), State, Attempts,
// NextAttemptAt and CreatedAt. A message needs a kind, a language, at
// least one recipient, a subject and a text body; an unknown firm or
// diagnostic gives CodeNotFound.
func (s *Store) EnqueueMessages(ctx context.Context, msgs ...*survey.OutgoingMessage) error {
	rows, err := s.outgoingRows(msgs)
	if err != nil {
		return err
	}
	err = s.write(ctx, "enqueue messages", func(ctx context.Context, tx bun.Tx) error {
		return insertOutgoing(ctx, tx, rows)
	})
	if err != nil {
		return err
	}
	fillQueued(msgs, rows)
	return nil
}

// enqueueTx queues msgs inside the caller's transaction; see the outbox
// API above. The caller fills in the messages' queued fields with
// fillQueued after its transaction committed.
func (s *Store) enqueueTx(ctx context.Context, tx bun.IDB, msgs []*survey.OutgoingMessage) ([]outgoingMessageRow, error) {
	rows, err := s.outgoingRows(msgs)
	if err != nil {
		return nil, err
	}
	return rows, insertOutgoing(ctx, tx, rows)
}

func (s *Store) outgoingRows(msgs []*survey.OutgoingMessage) ([]outgoingMessageRow, error) {
	now := s.timestamp()
	rows := make([]outgoingMessageRow, len(msgs))
	for i, m := range msgs {
		if m.Kind == "" || m.Lang == "" || len(m.To) == 0 || m.Subject == "" || m.Text == "" {
			return nil, survey.Errorf(survey.CodeInvalid, "a message needs a kind, a language, a recipient, a subject and a text")
		}
		to, err := json.Marshal(m.To)
		if err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "encode recipients")
		}
		attachments := []survey.Attachment{}
		if m.Attachments != nil {
			attachments = m.Attachments
		}
		att, err := json.Marshal(attachments)
		if err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "encode attachments")
		}
		messageID := m.MessageID
		if messageID == "" {
			// The mail package adds "@" and the sending domain.
			messageID = "uk." + newID()
		}
		rows[i] = outgoingMessageRow{
			ID: newID(), MessageID: messageID, FirmID: optional(m.FirmID), DiagnosticID: optional(m.DiagnosticID),
			Kind: string(m.Kind), Lang: m.Lang, Recipients: string(to), Subject: m.Subject,
			TextBody: m.Text, HTMLBody: m.HTML, Attachments: string(att), Ephemeral: m.Ephemeral,
			State: string(survey.MessageQueued), NextAttemptAt: now, CreatedAt: now,
		}
	}
	return rows, nil
}

func insertOutgoing(ctx context.Context, db bun.IDB, rows []outgoingMessageRow) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&rows).Exec(ctx)
	if isForeignKeyViolation(err) {
		return survey.Errorf(survey.CodeNotFound, "firm or diagnostic of the message not found")
	}
	return err
}

func fillQueued(msgs []*survey.OutgoingMessage, rows []outgoingMessageRow) {
	for i, m := range msgs {
		r := rows[i]
		m.ID, m.MessageID, m.State, m.Attempts = r.ID, r.MessageID, survey.MessageQueued, 0
		m.NextAttemptAt, m.CreatedAt, m.SentAt, m.LastError = r.NextAttemptAt, r.CreatedAt, nil, ""
	}
}

// SetDiagnosticStateWithMessages is SetDiagnosticState that queues msgs in
// the same transaction: closing a diagnostic queues the directors' mail,
// and a state change that fails queues nothing.
func (s *Store) SetDiagnosticStateWithMessages(ctx context.Context, id string, state survey.State, msgs ...*survey.OutgoingMessage) error {
	var rows []outgoingMessageRow
	err := s.setDiagnosticState(ctx, id, state, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rows, err = s.enqueueTx(ctx, tx, msgs)
		return err
	})
	if err != nil {
		return err
	}
	fillQueued(msgs, rows)
	return nil
}

// firmMessages selects the firm's messages.
func firmMessages(db bun.IDB, model any, firmID string) *bun.SelectQuery {
	return db.NewSelect().Model(model).Where("om.firm_id = ?", firmID)
}

// MaxListedMessages bounds ListMessages: the newest ones are what a
// consultant looks for, and a page of thousands helps nobody.
const MaxListedMessages = 500

// ListMessages returns the firm's messages, newest first and at most
// MaxListedMessages, without their bodies and attachments (Message has
// them). A non-empty diagnosticID lists only that diagnostic's messages.
func (s *Store) ListMessages(ctx context.Context, firmID, diagnosticID string) ([]survey.OutgoingMessage, error) {
	if firmID == "" {
		return nil, nil
	}
	var rows []outgoingMessageRow
	q := firmMessages(s.read, &rows, firmID).
		ExcludeColumn("text_body", "html_body", "attachments").
		OrderExpr("om.created_at DESC, om.id").
		Limit(MaxListedMessages)
	if diagnosticID != "" {
		q = q.Where("om.diagnostic_id = ?", diagnosticID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbError(err, "list messages")
	}
	out := make([]survey.OutgoingMessage, len(rows))
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return nil, dbError(err, "decode message")
		}
		out[i] = m
	}
	return out, nil
}

// Message returns one message of the firm, with body and attachments.
func (s *Store) Message(ctx context.Context, firmID, id string) (*survey.OutgoingMessage, error) {
	var row outgoingMessageRow
	err := firmMessages(s.read, &row, firmID).Where("om.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "message not found", "load message")
	}
	m, err := row.message()
	if err != nil {
		return nil, dbError(err, "decode message")
	}
	return &m, nil
}

// ResendMessage queues the firm's message again, due now, with its
// attempts reset and a new Message-ID: a resend is a new delivery that the
// recipient's mail program must not drop as a duplicate of the first. An
// erased ephemeral message cannot be resent (CodeConflict): its recipients
// are gone.
func (s *Store) ResendMessage(ctx context.Context, firmID, id string) error {
	return s.write(ctx, "resend message", func(ctx context.Context, tx bun.Tx) error {
		var row outgoingMessageRow
		err := firmMessages(tx, &row, firmID).Column("om.id", "om.ephemeral", "om.state").Where("om.id = ?", id).Scan(ctx)
		if err != nil {
			return notFound(err, "message not found", "resend message")
		}
		if row.Ephemeral && row.State != string(survey.MessageQueued) {
			return survey.Errorf(survey.CodeConflict, "this message was erased after sending and cannot be sent again")
		}
		_, err = tx.NewUpdate().Model((*outgoingMessageRow)(nil)).
			Set("message_id = ?", "uk."+newID()).
			Set("state = ?", string(survey.MessageQueued)).
			Set("attempts = 0").
			Set("next_attempt_at = ?", s.timestamp()).
			Set("lease_until = NULL").
			Set("claim_id = ''").
			Set("last_error = ''").
			Set("sent_at = NULL").
			Set("finished_at = NULL").
			Where("id = ?", id).
			Exec(ctx)
		return err
	})
}

// ClaimMessages claims up to limit queued messages due at now for lease
// and returns them with the claim's id, which FinishMessage needs. Each
// claim counts as an attempt. A message claimed by another worker whose
// lease has not run out is skipped: on PostgreSQL the rows are picked with
// FOR UPDATE SKIP LOCKED, so concurrent claims never block each other or
// take the same row; SQLite has one writer.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) (string, []survey.OutgoingMessage, error) {
	claim := newID()
	var rows []outgoingMessageRow
	err := s.write(ctx, "claim messages", func(ctx context.Context, tx bun.Tx) error {
		var ids []string
		q := tx.NewSelect().Model((*outgoingMessageRow)(nil)).Column("om.id").
			Where("om.state = ?", string(survey.MessageQueued)).
			Where("om.next_attempt_at <= ?", storedTime(now)).
			Where("(om.lease_until IS NULL OR om.lease_until <= ?)", storedTime(now)).
			OrderExpr("om.next_attempt_at, om.id").
			Limit(int64(limit))
		if s.dialect == DialectPostgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.NewUpdate().Model((*outgoingMessageRow)(nil)).
			Set("lease_until = ?", storedTime(now.Add(lease))).
			Set("claim_id = ?", claim).
			Set("attempts = attempts + 1").
			Where("id IN (?)", bun.List(ids)).
			Exec(ctx)
		if err != nil {
			return err
		}
		return tx.NewSelect().Model(&rows).Where("om.claim_id = ?", claim).OrderExpr("om.next_attempt_at, om.id").Scan(ctx)
	})
	if err != nil {
		return "", nil, err
	}
	out := make([]survey.OutgoingMessage, 0, len(rows))
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return "", nil, dbError(err, "decode message")
		}
		out = append(out, m)
	}
	return claim, out, nil
}

// Outcome is the result of one delivery attempt, for FinishMessage.
type Outcome struct {
	// State is MessageSent, MessageFailed, MessageNotSent, or MessageQueued
	// for a temporary failure to retry at RetryAt.
	State   survey.MessageState
	Reason  string
	At      time.Time
	RetryAt time.Time
}

// FinishMessage records the outcome of the claimed message's attempt and
// ends the claim. When the claim is no longer this worker's (its lease
// ran out and another worker took the message) nothing changes and the
// error has CodeConflict.
func (s *Store) FinishMessage(ctx context.Context, claim, id string, o Outcome) error {
	return s.writeStatement(ctx, "finish message", func(ctx context.Context, db bun.IDB) error {
		q := db.NewUpdate().Model((*outgoingMessageRow)(nil)).
			Set("state = ?", string(o.State)).
			Set("last_error = ?", o.Reason).
			Set("lease_until = NULL").
			Set("claim_id = ''").
			Where("id = ?", id).
			Where("claim_id = ?", claim)
		switch o.State {
		case survey.MessageQueued:
			q = q.Set("next_attempt_at = ?", storedTime(o.RetryAt))
		case survey.MessageSent, survey.MessageFailed, survey.MessageNotSent:
			if o.State == survey.MessageSent {
				q = q.Set("sent_at = ?", storedTime(o.At))
			}
			q = q.Set("finished_at = ?", storedTime(o.At))
			q = q.Set("recipients = CASE WHEN ephemeral THEN '[]' ELSE recipients END").
				Set("text_body = CASE WHEN ephemeral THEN '' ELSE text_body END").
				Set("html_body = CASE WHEN ephemeral THEN '' ELSE html_body END").
				Set("attachments = CASE WHEN ephemeral THEN '[]' ELSE attachments END")
		default:
			return survey.Errorf(survey.CodeInvalid, "unknown message state %q", o.State)
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return survey.Errorf(survey.CodeConflict, "the claim on the message ended")
		}
		if o.State != survey.MessageQueued {
			// An ephemeral message's address and code may survive in
			// old row versions (dead tuples, WAL frames) until the
			// next scrub; the scrub runs only when marked.
			s.markDirty()
		}
		return nil
	})
}

// Bounds of the outbox's retention period, in days.
const (
	DefaultMailRetentionDays = 90
	MaxMailRetentionDays     = 3650
)

// PurgeMessages deletes the messages that reached a final state (sent,
// failed, not sent) before cutoff, of every firm and diagnostic, and
// returns how many went. Queued messages stay whatever their age: they
// are still to be sent. Deleting twice deletes nothing more, so every
// instance may run it.
func (s *Store) PurgeMessages(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.writeStatement(ctx, "purge messages", func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewDelete().Model((*outgoingMessageRow)(nil)).
			Where("state IN (?)", bun.List([]string{string(survey.MessageSent), string(survey.MessageFailed), string(survey.MessageNotSent)})).
			Where("finished_at < ?", storedTime(cutoff)).
			Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		// Deleted bodies and addresses may survive in old row versions
		// (dead tuples, WAL frames) until the next scrub.
		s.markDirty()
	}
	return int(n), nil
}
