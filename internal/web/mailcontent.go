package web

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The mails about a diagnostic are built as a list of blocks (paragraphs,
// links, tables, texts to paste), which one template writes as HTML and
// another as plain text: both parts of a message say the same thing, and
// the preview page shows exactly what will go out.

// mailBlock is one part of a mail's body.
type mailBlock struct {
	// Kind is "para", "heading", "link", "code", "quote" or "table".
	Kind string
	Text string
	URL  string
	// Lang marks a block in another language than the mail's.
	Lang  string
	Lines []string
	Head  []string
	Rows  [][]string
}

func para(text string) mailBlock            { return mailBlock{Kind: "para", Text: text} }
func heading(text string) mailBlock         { return mailBlock{Kind: "heading", Text: text} }
func linkBlock(label, url string) mailBlock { return mailBlock{Kind: "link", Text: label, URL: url} }

// composedMail is one message ready to queue: one recipient, a subject,
// the plain text and HTML parts, and attachments.
type composedMail struct {
	ToName, ToEmail string
	Lang            string
	Subject         string
	Text            string
	HTML            string
	Attachments     []survey.Attachment
	// Inline holds the parts the HTML shows (the firm's logo); they stay
	// when a caller sets Attachments.
	Inline []survey.Attachment
}

// mailTemplates write the blocks of a mail as HTML and as text.
type mailTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

func parseMailTemplates(fsys fs.FS) (*mailTemplates, error) {
	h, err := htmltemplate.ParseFS(fsys, "templates/diagnosticmail/mail.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("templates: diagnostic mail: %w", err)
	}
	t, err := texttemplate.New("mail.txt.tmpl").Funcs(texttemplate.FuncMap{
		"join":      strings.Join,
		"underline": func(s string) string { return strings.Repeat("=", utf8.RuneCountInString(s)) },
	}).ParseFS(fsys, "templates/diagnosticmail/mail.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("templates: diagnostic mail: %w", err)
	}
	return &mailTemplates{html: h, text: t}, nil
}

// mailView is what the templates receive.
type mailView struct {
	Lang    string
	Subject string
	Blocks  []mailBlock
	Footer  string
	// Brand is the firm's look; nil shows the service's.
	Brand  *mailBrand
	Accent string
}

// render writes the mail to r in language t with the given blocks, in the
// firm's look brand (nil: the service's own).
func (m *mailTemplates) render(r survey.Recipient, t Translator, subject string, blocks []mailBlock, brand *mailBrand) (composedMail, error) {
	v := mailView{Lang: t.Lang(), Subject: subject, Blocks: blocks, Footer: t.Get("dmail.footer"), Brand: brand, Accent: brand.Accent()}
	var h, x bytes.Buffer
	if err := m.html.Execute(&h, v); err != nil {
		return composedMail{}, err
	}
	if err := m.text.Execute(&x, v); err != nil {
		return composedMail{}, err
	}
	return composedMail{
		ToName: r.Name, ToEmail: r.Email, Lang: t.Lang(),
		Subject: oneLine(subject), Text: x.String(), HTML: h.String(), Inline: brand.inline(),
	}, nil
}

// oneLine keeps a header value on one line: a name typed with a line
// break must not become a header of its own.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)), " ")
}

// message turns the mail into an outgoing message of kind.
func (m composedMail) message(kind survey.MessageKind) *survey.OutgoingMessage {
	var atts []survey.Attachment
	if len(m.Attachments)+len(m.Inline) > 0 {
		atts = append(append(atts, m.Attachments...), m.Inline...)
	}
	return &survey.OutgoingMessage{
		Kind: kind, Lang: m.Lang, To: []string{m.to()}, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Attachments: atts,
	}
}

// to is the recipient as the message names it, written by net/mail,
// which quotes or encodes the name: a name cannot add an address or a
// header.
func (m composedMail) to() string {
	if name := oneLine(m.ToName); name != "" {
		return (&netmail.Address{Name: name, Address: m.ToEmail}).String()
	}
	return m.ToEmail
}
