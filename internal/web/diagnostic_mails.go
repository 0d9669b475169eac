package web

import (
	"context"
	"slices"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// mailSender is who a mail about a diagnostic comes from, as its text
// names them: the firm and, when known, the consultant to ask.
type mailSender struct {
	Firm    string
	Contact string
	// Brand is the firm's look, nil when it has none.
	Brand *mailBrand
}

// senderOf names the firm of d and the consultant cons (nil for mails the
// scheduler sends: then the consultant who created the diagnostic, while
// still an active member of the firm).
// The firm's look comes with it, for every mail a consultant causes.
func (s *Server) senderOf(ctx context.Context, d *survey.Diagnostic, cons *survey.Consultant) (mailSender, error) {
	out, err := s.senderNames(ctx, d, cons)
	if err != nil {
		return out, err
	}
	out.Brand, err = s.mailBrandOf(ctx, d.Organisation.FirmID, out.Firm)
	return out, err
}

func (s *Server) senderNames(ctx context.Context, d *survey.Diagnostic, cons *survey.Consultant) (mailSender, error) {
	out := mailSender{}
	if cons != nil {
		out.Firm, out.Contact = cons.FirmName, cons.Email
		return out, nil
	}
	if f, err := s.accounts.FirmByID(ctx, d.Organisation.FirmID); err == nil {
		out.Firm = f.Name
	} else if survey.ErrorCode(err) != survey.CodeNotFound {
		return out, err
	}
	e, err := s.accounts.FirstAudit(ctx, d.Organisation.FirmID, "create", targetDiagnostic, d.ID)
	if survey.ErrorCode(err) == survey.CodeNotFound || (err == nil && e.ConsultantID == "") {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	c, err := s.accounts.ConsultantByID(ctx, d.Organisation.FirmID, e.ConsultantID)
	if err == nil && !c.Disabled {
		out.Contact = c.Email
	} else if err != nil && survey.ErrorCode(err) != survey.CodeNotFound {
		return out, err
	}
	return out, nil
}

// contactBlock says whom to ask.
func (m mailSender) contactBlock(t Translator) mailBlock {
	switch {
	case m.Firm != "" && m.Contact != "":
		return para(t.Get("dmail.contact.both", m.Firm, m.Contact))
	case m.Firm != "":
		return para(t.Get("dmail.contact.firm", m.Firm))
	}
	return para(t.Get("dmail.contact.none"))
}

// periodSentence says when respondents can answer, for the invitation
// (docs/methodology.md, mail sentences).
func (s *Server) periodSentence(d *survey.Diagnostic, t Translator) string {
	start := d.OpensAt
	if start == nil {
		start = d.OpenedAt
	}
	switch {
	case start != nil && d.ClosesAt != nil:
		return t.Get("dmail.period.both", formatDate(*start, t), formatDate(lastDay(*d.ClosesAt, s.location), t))
	case d.ClosesAt != nil:
		return t.Get("dmail.period.until", formatDate(lastDay(*d.ClosesAt, s.location), t))
	case start != nil:
		return t.Get("dmail.period.from", formatDate(*start, t))
	}
	return t.Get("dmail.period.none")
}

// announcement is the ready-to-paste text for the intranet or a team
// mail, in language t: what the questionnaire is, that it is anonymous,
// how long it takes, until when, and where to read about privacy; with
// access codes, that each employee gets one.
func (s *Server) announcement(d *survey.Diagnostic, t Translator) mailBlock {
	lines := []string{
		t.Get("dmail.announce.title", d.Organisation.Name),
		t.Get("dmail.announce.why", d.Organisation.Name),
		t.Get("dmail.announce.anonymous"),
		s.periodSentence(d, t),
	}
	if d.Access == survey.AccessCodes {
		lines = append(lines, t.Get("dmail.announce.codes"))
	}
	lines = append(lines,
		t.Get("dmail.announce.link", s.absoluteURL(respondentPath(d, ""))),
		t.Get("dmail.announce.privacy", s.absoluteURL(respondentPath(d, "/privacy"))),
	)
	return mailBlock{Kind: "quote", Lang: t.Lang(), Lines: lines}
}

// announcementsFor returns the text that block makes (the announcement,
// the suggested reminder) in the languages the diagnostic offers, Dutch
// first, each under the heading key in the mail's language.
func (s *Server) announcementsFor(d *survey.Diagnostic, t Translator, key string, block func(d *survey.Diagnostic, t Translator) mailBlock) []mailBlock {
	var out []mailBlock
	for _, lang := range supportedLanguages() {
		if !slices.Contains(d.Languages, lang) && lang != "nl" {
			continue
		}
		lt := s.texts.For(lang)
		out = append(out, heading(t.Get(key, t.Get("dmail.lang."+lang))))
		out = append(out, block(d, lt))
	}
	return out
}

// contactInvitationMail is the mail to a contact person with everything needed
// to invite the employees. The poster is attached by the caller.
func (s *Server) contactInvitationMail(d *survey.Diagnostic, from mailSender, r survey.Recipient) (composedMail, error) {
	t := s.texts.For(r.Lang)
	subject := t.Get("dmail.invite.subject", d.Organisation.Name)
	blocks := []mailBlock{
		para(t.Get("dmail.greeting", r.Name)),
		para(t.Get("dmail.invite.intro", d.Organisation.Name)),
		para(t.Get("dmail.invite.ask")),
		linkBlock(t.Get("dmail.invite.link"), s.absoluteURL(respondentPath(d, ""))),
		para(s.periodSentence(d, t)),
	}
	if d.Access == survey.AccessCodes {
		blocks = append(blocks, para(t.Get("dmail.invite.codes")))
	}
	blocks = append(blocks,
		para(t.Get("dmail.invite.poster")),
		para(t.Get("dmail.invite.anonymous")),
	)
	blocks = append(blocks, s.announcementsFor(d, t, "dmail.invite.announcement", s.announcement)...)
	blocks = append(blocks,
		linkBlock(t.Get("dmail.invite.privacy"), s.absoluteURL(respondentPath(d, "/privacy"))),
		para(t.Get("dmail.invite.reminders")),
		from.contactBlock(t),
	)
	return s.mailTemplates.render(r, t, subject, blocks, from.Brand)
}

// reminderText is the suggested reminder for employees, in language t.
func (s *Server) reminderText(d *survey.Diagnostic, t Translator) mailBlock {
	lines := []string{
		t.Get("dmail.remind_text.title", d.Organisation.Name),
		t.Get("dmail.remind_text.body"),
		s.periodSentence(d, t),
		t.Get("dmail.announce.link", s.absoluteURL(respondentPath(d, ""))),
		t.Get("dmail.remind_text.done"),
	}
	return mailBlock{Kind: "quote", Lang: t.Lang(), Lines: lines}
}

// reminderMail is the mail to a contact person during the fieldwork: the
// response so far per unit, hidden exactly as the progress page hides it,
// and a text to remind the employees with.
func (s *Server) reminderMail(d *survey.Diagnostic, from mailSender, r survey.Recipient, pv progressView, now time.Time) (composedMail, error) {
	t := s.texts.For(r.Lang)
	subject := t.Get("dmail.reminder.subject", d.Organisation.Name)
	blocks := []mailBlock{
		para(t.Get("dmail.greeting", r.Name)),
		para(t.Get("dmail.reminder.intro", d.Organisation.Name, formatDate(now, t))),
		para(progressText(pv, t)),
	}
	if len(pv.Units) > 0 && pv.Total > 0 {
		tb := mailBlock{Kind: "table", Text: t.Get("diag.progress.units_caption"),
			Head: []string{t.Get("diag.progress.unit"), t.Get("diag.progress.headcount"), t.Get("diag.progress.responses"), t.Get("diag.progress.response_rate")}}
		for _, u := range pv.Units {
			row := []string{u.Name, dash(u.Headcount, t), t.Number(u.Count), orDash(u.Rate)}
			if u.Hidden {
				row[2], row[3] = t.Get("diag.progress.fewer_than", pv.MinGroup), "–"
			}
			tb.Rows = append(tb.Rows, row)
		}
		if o := pv.OtherUnits; o != nil {
			tb.Rows = append(tb.Rows, []string{t.Get("diag.progress.other_units"), dash(o.Headcount, t), t.Number(o.Count), orDash(o.Rate)})
		}
		blocks = append(blocks, tb, para(t.Get("diag.progress.suppression_note", pv.MinGroup)))
	}
	blocks = append(blocks, para(t.Get("dmail.reminder.why_you")))
	blocks = append(blocks, s.announcementsFor(d, t, "dmail.reminder.suggestion", s.reminderText)...)
	blocks = append(blocks, from.contactBlock(t))
	return s.mailTemplates.render(r, t, subject, blocks, from.Brand)
}

func dash(n int, t Translator) string {
	if n <= 0 {
		return "–"
	}
	return t.Number(n)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// directorHeadline holds the three figures of the directors' mail, each
// already a sentence; empty when the rule of docs/methodology.md leaves
// it out.
type directorHeadline struct {
	Index, Response, Priority string
}

// directorMail is the mail to a director: their own link, the headline
// figures when they may be shown, and whom to ask.
func (s *Server) directorMail(d *survey.Diagnostic, from mailSender, r survey.Recipient, head directorHeadline, link string, expires time.Time, attached bool) (composedMail, error) {
	t := s.texts.For(r.Lang)
	subject := t.Get("dmail.director.subject", d.Organisation.Name)
	blocks := []mailBlock{
		para(t.Get("dmail.greeting", r.Name)),
		para(t.Get("dmail.director.intro", d.Organisation.Name, d.Name)),
	}
	if head.Index != "" || head.Response != "" || head.Priority != "" {
		blocks = append(blocks, heading(t.Get("dmail.director.figures")))
		for _, line := range []string{head.Index, head.Response, head.Priority} {
			if line != "" {
				blocks = append(blocks, para(line))
			}
		}
	} else {
		blocks = append(blocks, para(t.Get("dmail.director.no_figures")))
	}
	blocks = append(blocks,
		linkBlock(t.Get("dmail.director.link"), link),
		para(t.Get("dmail.director.expires", formatDate(expires.Add(-time.Nanosecond), t))),
		para(t.Get("dmail.director.personal")),
	)
	if attached {
		blocks = append(blocks, para(t.Get("dmail.director.attached")))
	}
	blocks = append(blocks, from.contactBlock(t))
	return s.mailTemplates.render(r, t, subject, blocks, from.Brand)
}

// personalInvitationMail is the mail to one employee with one single-use
// code. The employee's language is not known: the mail is in Dutch and,
// when the diagnostic offers English, in English after it.
func (s *Server) personalInvitationMail(d *survey.Diagnostic, from mailSender, email, code string) (composedMail, error) {
	t := s.texts.For("nl")
	var blocks []mailBlock
	for _, lang := range supportedLanguages() {
		if lang != "nl" && !slices.Contains(d.Languages, lang) {
			continue
		}
		lt := s.texts.For(lang)
		mark := func(b mailBlock) mailBlock {
			if lang != "nl" {
				b.Lang = lang
			}
			return b
		}
		if lang != "nl" {
			blocks = append(blocks, mark(heading(lt.Get("dmail.lang_heading"))))
		}
		blocks = append(blocks,
			mark(para(lt.Get("dmail.personal.intro", d.Organisation.Name))),
			mark(para(lt.Get("dmail.announce.why", d.Organisation.Name))),
			mark(para(lt.Get("dmail.personal.code"))),
			mailBlock{Kind: "code", Text: survey.FormatAccessCode(code)},
			mark(linkBlock(lt.Get("dmail.invite.link"), s.absoluteURL(respondentPath(d, "")))),
			mark(para(s.periodSentence(d, lt))),
			mark(para(lt.Get("dmail.personal.anonymous"))),
			mark(linkBlock(lt.Get("dmail.invite.privacy"), s.absoluteURL(respondentPath(d, "/privacy")))),
		)
	}
	blocks = append(blocks, from.contactBlock(t))
	subject := t.Get("dmail.personal.subject", d.Organisation.Name)
	if slices.Contains(d.Languages, "en") {
		subject += " / " + s.texts.For("en").Get("dmail.personal.subject", d.Organisation.Name)
	}
	return s.mailTemplates.render(survey.Recipient{Email: email, Lang: "nl"}, t, subject, blocks, from.Brand)
}
