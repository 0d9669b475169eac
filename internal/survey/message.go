package survey

import "time"

// MessageKind says why a message is sent. The workspace shows it and the
// rules for a message (may a colleague preview it, is it erased after
// sending) depend on it.
type MessageKind string

// The kinds of outgoing messages.
const (
	// MessageTest is sent by "uitvoeringskracht mail test".
	MessageTest MessageKind = "test"
	// MessagePasswordReset carries a password reset link. Its body is a
	// credential: no colleague may preview it and it is erased after
	// sending.
	MessagePasswordReset MessageKind = "password_reset"
	// MessageColleagueInvitation invites a colleague to the firm.
	MessageColleagueInvitation MessageKind = "colleague_invitation"
	// MessageContactInvitation sends the respondent link to the contact
	// person(s) of an organisation.
	MessageContactInvitation MessageKind = "contact_invitation"
	// MessageContactReminder reminds the contact person(s) during fieldwork.
	MessageContactReminder MessageKind = "contact_reminder"
	// MessagePersonalCode sends one employee a single-use access code; it
	// must be Ephemeral.
	MessagePersonalCode MessageKind = "personal_code"
	// MessageDirectorReport sends a director the link to the report.
	MessageDirectorReport MessageKind = "director_report"
)

// MessageState is where an outgoing message is in its delivery.
type MessageState string

// The states of an outgoing message.
const (
	// MessageQueued waits for the worker (first try or a retry at
	// NextAttemptAt).
	MessageQueued MessageState = "queued"
	// MessageSent was accepted by the mail server.
	MessageSent MessageState = "sent"
	// MessageFailed was refused for good (5xx) or ran out of attempts;
	// LastError holds the server's reason.
	MessageFailed MessageState = "failed"
	// MessageNotSent was written as an .eml file because no mail server is
	// configured: nothing left the machine.
	MessageNotSent MessageState = "not_sent"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
	// ContentID, when set, makes the file an inline part of the HTML
	// (the firm's logo), which refers to it as "cid:" + ContentID: mail
	// programs show it without loading anything from elsewhere.
	ContentID string `json:"content_id,omitempty"`
}

// Inline reports whether the attachment is shown inside the HTML part
// rather than offered as a file.
func (a *Attachment) Inline() bool { return a.ContentID != "" }

// OutgoingMessage is one mail in the outbox. It is queued in the same
// transaction as the action that causes it and sent by the outbox worker,
// at least once; MessageID stays the same over every attempt, so a
// receiving server or client can recognise a repeat.
type OutgoingMessage struct {
	ID string `json:"id"`
	// MessageID is the Message-ID header without angle brackets; the store
	// makes one when it is empty.
	MessageID string `json:"message_id"`
	// FirmID owns the message: only its consultants see it. Empty for
	// messages of no firm (the test message).
	FirmID string `json:"firm_id,omitempty"`
	// DiagnosticID, when set, lists the message with the diagnostic.
	DiagnosticID string      `json:"diagnostic_id,omitempty"`
	Kind         MessageKind `json:"kind"`
	// Lang is the language of the message ("nl" or "en"): the lang
	// attribute of its HTML part and its Content-Language.
	Lang string `json:"lang"`
	// To holds the recipients, each "address" or "Name <address>".
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	HTML        string       `json:"html"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Ephemeral messages lose their recipients, body and attachments as
	// soon as they are sent, written as .eml or failed for good: personal
	// code invitations (no address may stay next to a code) and password
	// resets (no working link may stay in the database).
	Ephemeral bool `json:"ephemeral"`

	State MessageState `json:"state"`
	// Attempts counts the deliveries tried so far.
	Attempts int `json:"attempts"`
	// NextAttemptAt is when the worker tries a queued message.
	NextAttemptAt time.Time `json:"next_attempt_at"`
	// LastError is the reason of the last failed attempt (the server's
	// reply when there was one), or for MessageNotSent where the .eml file
	// went.
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Erased reports whether an ephemeral message's content is gone.
func (m *OutgoingMessage) Erased() bool {
	return m.Ephemeral && m.State != MessageQueued
}

// Previewable reports whether a consultant of the message's firm may read
// its body: never a password reset, which would hand over the account.
func (m *OutgoingMessage) Previewable() bool {
	// Nor a personal invitation: its body pairs an employee's address with
	// a code, which nobody may read, also while it waits.
	return m.Kind != MessagePasswordReset && m.Kind != MessagePersonalCode && !m.Erased()
}
