package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// mailSettingsForm is the part of the diagnostic form that says who hears
// about the diagnostic by mail and when: the contact persons and the
// directors, one per line as "Name; address; language", and the reminder
// moments. It is read apart from diagnosticForm, which the JSON API shares.
type mailSettingsForm struct {
	Contacts      string
	Directors     string
	RemindHalfway bool
	RemindBefore  string
	RemindDates   string
	AttachPDF     bool
}

// The longest list of recipients a form may hold, in bytes.
const maxRecipientText = 20000

// readMailSettingsForm reads the mail part of a posted diagnostic form.
func readMailSettingsForm(c echo.Context) mailSettingsForm {
	return mailSettingsForm{
		Contacts:      c.FormValue("contacts"),
		Directors:     c.FormValue("directors"),
		RemindHalfway: c.FormValue("remind_halfway") != "",
		RemindBefore:  strings.TrimSpace(c.FormValue("remind_before")),
		RemindDates:   strings.TrimSpace(c.FormValue("remind_dates")),
		AttachPDF:     c.FormValue("attach_pdf") != "",
	}
}

// mailSettingsFormOf fills the form from stored settings.
func mailSettingsFormOf(m *survey.MailSettings, t Translator) mailSettingsForm {
	f := mailSettingsForm{Contacts: recipientsText(m.Contacts), Directors: recipientsText(m.Directors), AttachPDF: m.AttachPDF}
	parts, _ := survey.ParseReminders(m.Reminders)
	var dates []string
	for _, p := range parts {
		switch {
		case p == survey.ReminderHalfway:
			f.RemindHalfway = true
		case strings.HasPrefix(p, "before:"):
			f.RemindBefore = strings.TrimPrefix(p, "before:")
		case strings.HasPrefix(p, "date:"):
			day, _ := time.Parse(time.DateOnly, strings.TrimPrefix(p, "date:"))
			dates = append(dates, day.Format("2-1-2006"))
		}
	}
	f.RemindDates = strings.Join(dates, ", ")
	return f
}

// defaultMailSettingsForm is the form of a new diagnostic.
func defaultMailSettingsForm() mailSettingsForm {
	return mailSettingsForm{RemindHalfway: true, RemindBefore: "2"}
}

// apply checks the form and returns the settings it describes. Every
// wrong line of a list is reported with its number, as the units are.
func (f *mailSettingsForm) apply(t Translator, loc *time.Location) (*survey.MailSettings, formErrors) {
	var errs formErrors
	m := &survey.MailSettings{AttachPDF: f.AttachPDF}
	for _, list := range []struct {
		field string
		text  string
		role  survey.RecipientRole
		out   *[]survey.Recipient
	}{
		{"contacts", f.Contacts, survey.RoleContact, &m.Contacts},
		{"directors", f.Directors, survey.RoleDirector, &m.Directors},
	} {
		if hasControlChars(list.text) {
			errs = append(errs, formError{Field: list.field, Message: t.Get("form.control_characters")})
			continue
		}
		if len(list.text) > maxRecipientText {
			errs = append(errs, formError{Field: list.field, Message: t.Get("dmail.error.list_long", survey.MaxRecipients)})
			continue
		}
		rs, problems := parseRecipients(list.text, list.role, t)
		for _, p := range problems {
			msg := p.Message
			if p.Line > 0 {
				msg = t.Get("diag.error.line", p.Line, msg)
			}
			errs = append(errs, formError{Field: list.field, Message: msg})
		}
		*list.out = rs
	}
	var parts []string
	if f.RemindHalfway {
		parts = append(parts, survey.ReminderHalfway)
	}
	if f.RemindBefore != "" {
		n, err := strconv.Atoi(f.RemindBefore)
		if err != nil || n < 1 || n > 60 {
			errs = append(errs, formError{Field: "remind_before", Message: t.Get("dmail.error.remind_before", f.RemindBefore)})
		} else {
			parts = append(parts, survey.ReminderBefore(n))
		}
	}
	if f.RemindDates != "" {
		for _, typed := range strings.FieldsFunc(f.RemindDates, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
			day, err := time.ParseInLocation("2-1-2006", typed, loc)
			if err != nil {
				day, err = time.ParseInLocation(time.DateOnly, typed, loc)
			}
			if err != nil {
				errs = append(errs, formError{Field: "remind_dates", Message: t.Get("dmail.error.remind_date", typed)})
				continue
			}
			parts = append(parts, survey.ReminderOn(day))
		}
	}
	m.Reminders = strings.Join(parts, ",")
	if _, err := survey.ParseReminders(m.Reminders); err != nil && errs.For("remind_dates") == "" {
		errs = append(errs, formError{Field: "remind_dates", Message: t.Get("dmail.error.remind_many", survey.MaxReminders)})
	}
	return m, errs
}

// recipientProblem is what is wrong with one line of a recipient list.
type recipientProblem = unitProblem

// parseRecipients reads one person per line: "Name; address" or
// "Name; address; en". The language is Dutch unless the line says en.
func parseRecipients(text string, role survey.RecipientRole, t Translator) ([]survey.Recipient, []recipientProblem) {
	var out []survey.Recipient
	var problems []recipientProblem
	seen := map[string]bool{}
	lineNo := 0
	for line := range strings.Lines(text) {
		lineNo++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fields := strings.Split(line, ";")
		for i := range fields {
			fields[i] = cleanText(fields[i])
		}
		if len(fields) < 2 || len(fields) > 3 {
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_form")})
			continue
		}
		name, addr := fields[0], fields[1]
		lang := "nl"
		if len(fields) == 3 && fields[2] != "" {
			lang = strings.ToLower(fields[2])
		}
		email, ok := survey.CheckEmail(addr)
		switch {
		case name == "":
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_name")})
		case len([]rune(name)) > 200:
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_name_long")})
		case !ok:
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_email", addr)})
		case lang != "nl" && lang != "en":
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_lang", fields[2])})
		case seen[strings.ToLower(email)]:
			problems = append(problems, recipientProblem{Line: lineNo, Message: t.Get("dmail.error.recipient_twice", email)})
		default:
			seen[strings.ToLower(email)] = true
			out = append(out, survey.Recipient{Role: role, Name: name, Email: email, Lang: lang})
		}
	}
	if len(out) > survey.MaxRecipients {
		problems = append(problems, recipientProblem{Message: t.Get("dmail.error.list_long", survey.MaxRecipients)})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return out, nil
}

// recipientsText is the inverse of parseRecipients, for the edit form.
func recipientsText(rs []survey.Recipient) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Name + "; " + r.Email + "; " + r.Lang + "\n")
	}
	return b.String()
}

// readMailSettings reads and checks the mail part of a posted diagnostic
// form into the page, when the store keeps mail settings.
func (s *Server) readMailSettings(c echo.Context, page *diagnosticFormPage, t Translator) (*survey.MailSettings, formErrors) {
	if s.mailStore() == nil {
		return nil, nil
	}
	f := readMailSettingsForm(c)
	page.Mail = &f
	return f.apply(t, s.location)
}

func (s *Server) saveMailSettings(ctx context.Context, diagnosticID string, m *survey.MailSettings) error {
	if m == nil {
		return nil
	}
	return s.mailStore().SaveMailSettings(ctx, diagnosticID, m)
}
