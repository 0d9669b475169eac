package survey

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RecipientRole says why a person is named on a diagnostic.
type RecipientRole string

// The roles of the people named on a diagnostic.
const (
	// RoleContact is a contact person at the organisation: they get the
	// invitation to pass on and the reminders with the response rates.
	RoleContact RecipientRole = "contact"
	// RoleDirector gets the report, through a director link of their own.
	RoleDirector RecipientRole = "director"
)

// Recipient is a person named on a diagnostic who receives mail about it.
// They are the organisation's officials, never respondents: the addresses
// of employees invited personally are not kept (see PersonalInvitations).
type Recipient struct {
	Role  RecipientRole `json:"role"`
	Name  string        `json:"name"`
	Email string        `json:"email"`
	// Lang is "nl" or "en": the language of the mails this person gets.
	Lang string `json:"lang"`
}

// MaxRecipients bounds the contact persons and the directors of one
// diagnostic, each.
const MaxRecipients = 20

// CheckEmail returns the address in its plain form ("a@b.nl") when s is one
// address without a display name and without characters that could break a
// mail header; ok is false otherwise.
func CheckEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "\r\n\t <>,;\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, found := strings.Cut(s, "@")
	if !found || local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return s, true
}

// Reminder moments. A diagnostic's reminder setting is a list of these,
// comma-separated: "halfway" (halfway through the fieldwork), "before:N"
// (N days before closing) and "date:YYYY-MM-DD" (in the morning of that
// day, local time).
const (
	ReminderHalfway = "halfway"
	reminderBefore  = "before:"
	reminderDate    = "date:"
	// DefaultReminders is the setting of a new diagnostic.
	DefaultReminders = "halfway,before:2"
	// MaxReminders bounds the moments of one diagnostic.
	MaxReminders = 10
	// reminderHour is the local hour at which a reminder of a whole day
	// (a date, or N days before closing) becomes due: the start of the
	// working day, so that the contact person can pass it on at once.
	reminderHour = 8
)

// ReminderBefore is the setting "n days before closing".
func ReminderBefore(n int) string { return reminderBefore + strconv.Itoa(n) }

// ReminderOn is the setting "on the given day".
func ReminderOn(day time.Time) string { return reminderDate + day.Format(time.DateOnly) }

// ParseReminders splits a reminder setting into its moments, checking each;
// the error message names the first bad one.
func ParseReminders(setting string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(setting, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		switch {
		case part == ReminderHalfway:
		case strings.HasPrefix(part, reminderBefore):
			n, err := strconv.Atoi(strings.TrimPrefix(part, reminderBefore))
			if err != nil || n < 1 || n > 60 {
				return nil, Errorf(CodeInvalid, "reminder %q: days before closing must be 1 to 60", part)
			}
		case strings.HasPrefix(part, reminderDate):
			if _, err := time.Parse(time.DateOnly, strings.TrimPrefix(part, reminderDate)); err != nil {
				return nil, Errorf(CodeInvalid, "reminder %q: not a date", part)
			}
		default:
			return nil, Errorf(CodeInvalid, "unknown reminder %q", part)
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	if len(out) > MaxReminders {
		return nil, Errorf(CodeInvalid, "at most %d reminders", MaxReminders)
	}
	return out, nil
}

// ReminderMoment is one scheduled reminder of a diagnostic.
type ReminderMoment struct {
	// Setting is the moment as configured ("halfway", "before:2", ...).
	Setting string
	At      time.Time
	// Key names this reminder at this moment: a reminder is queued once
	// per key, and moving the dates gives a new key.
	Key string
}

// ReminderMoments returns the reminders of d in time order, computed with
// the fieldwork period: it starts at OpensAt (or, opened by hand, at
// OpenedAt) and ends at ClosesAt. A moment that needs a date the
// diagnostic lacks, or that falls outside the fieldwork, is left out:
// a reminder is only useful while answers can still come in.
func ReminderMoments(d *Diagnostic, setting string, loc *time.Location) []ReminderMoment {
	parts, err := ParseReminders(setting)
	if err != nil || d.ClosesAt == nil {
		return nil
	}
	start := d.OpensAt
	if start == nil {
		start = d.OpenedAt
	}
	end := *d.ClosesAt
	var out []ReminderMoment
	for _, p := range parts {
		var at time.Time
		switch {
		case p == ReminderHalfway:
			if start == nil {
				continue
			}
			at = start.Add(end.Sub(*start) / 2)
		case strings.HasPrefix(p, reminderBefore):
			n, _ := strconv.Atoi(strings.TrimPrefix(p, reminderBefore))
			// end is the start of the day after the last day.
			day := end.In(loc).AddDate(0, 0, -n)
			at = time.Date(day.Year(), day.Month(), day.Day(), reminderHour, 0, 0, 0, loc)
		default:
			day, _ := time.ParseInLocation(time.DateOnly, strings.TrimPrefix(p, reminderDate), loc)
			at = day.Add(reminderHour * time.Hour)
		}
		if !at.Before(end) || (start != nil && !at.After(*start)) {
			continue
		}
		out = append(out, ReminderMoment{Setting: p, At: at.UTC(), Key: fmt.Sprintf("reminder:%s@%s", p, at.UTC().Format(time.RFC3339))})
	}
	slices.SortStableFunc(out, func(a, b ReminderMoment) int { return a.At.Compare(b.At) })
	return out
}

// DueReminder returns the reminder to queue at now, if any: the latest
// moment that has come while the diagnostic is open and that was not
// queued before (queued reports that). Earlier moments that were missed
// (the service was down, or contact persons came later) are returned in
// skipped, to be marked done without a mail: one reminder with the
// current figures says everything the missed ones would have said.
func DueReminder(moments []ReminderMoment, now time.Time, queued func(key string) bool) (due *ReminderMoment, skipped []ReminderMoment) {
	for i := range moments {
		m := moments[i]
		if m.At.After(now) || queued(m.Key) {
			continue
		}
		if due != nil {
			skipped = append(skipped, *due)
		}
		due = &m
	}
	return due, skipped
}

// MailSettings are the mail settings of one diagnostic: who gets its
// invitation, reminders and report, and when the reminders go.
type MailSettings struct {
	Contacts  []Recipient `json:"contacts"`
	Directors []Recipient `json:"directors"`
	// Reminders is the reminder setting (ParseReminders).
	Reminders string `json:"reminders"`
	// AttachPDF adds the report as a PDF to the directors' mail, besides
	// their link.
	AttachPDF bool `json:"attach_pdf"`
}

// DiagnosticMail is what one action about a diagnostic queues, in one
// transaction with the action: messages, and director links made for the
// directors' mail, each message built from its link's token inside that
// transaction (the token exists nowhere else).
type DiagnosticMail struct {
	// Event, when set, queues the mail once: a second attempt with the
	// same event, by this instance or another, queues nothing.
	Event string
	// Skip are events recorded without a mail (reminders overtaken by a
	// later one).
	Skip     []string
	Messages []*OutgoingMessage
	Links    []DirectorLinkMail
}

// DirectorLinkMail is a director link to make and the message that
// carries it.
type DirectorLinkMail struct {
	Link DirectorLink
	// Build writes the message for the link's token.
	Build func(token string) (*OutgoingMessage, error)
}

// Empty reports whether m queues nothing.
func (m *DiagnosticMail) Empty() bool { return len(m.Messages) == 0 && len(m.Links) == 0 }

// DiagnosticRef names a diagnostic and its firm.
type DiagnosticRef struct {
	ID     string
	FirmID string
}
