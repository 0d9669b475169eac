// Package mail composes and delivers the outbox's messages. It is the only
// package that imports the mail library (github.com/wneessen/go-mail).
//
// A Mailer delivers one message: over SMTP when a server is configured,
// otherwise as an .eml file in a private directory, which the outbox then
// records as "not sent" (survey.MessageNotSent) rather than pretending it
// went out. The Worker drains the outbox with a Mailer.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Config configures a Mailer.
type Config struct {
	// SMTPURL is smtp://user:pass@host:587 (STARTTLS required unless
	// ?tls=none) or smtps://user:pass@host:465 (implicit TLS); empty means
	// no mail server: messages are written to Dir.
	SMTPURL string
	// Password, when set, replaces the password of SMTPURL, so that the
	// URL in a flag or file need not hold it.
	Password string
	// From is the sender, "Name <address>".
	From string
	// Dir receives the .eml files when no mail server is configured.
	Dir string
	// Timeout bounds one SMTP delivery; 0 means 30 seconds.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS configuration (tests
	// trust their own certificate with it).
	TLSConfig *tls.Config
}

// Mailer delivers messages. It is safe for concurrent use.
type Mailer struct {
	from    *netmail.Address
	domain  string
	dir     string
	server  *server
	timeout time.Duration
	tls     *tls.Config
}

// server is a parsed SMTP URL.
type server struct {
	host     string
	port     int
	implicit bool
	noTLS    bool
	user     string
	password string
	// redacted is the URL without its password, for logs and errors.
	redacted string
}

// New checks cfg and returns a Mailer. Errors never contain the password.
func New(cfg Config) (*Mailer, error) {
	from, err := ParseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	m := &Mailer{from: from, domain: from.Address[strings.LastIndex(from.Address, "@")+1:], dir: cfg.Dir, timeout: cfg.Timeout, tls: cfg.TLSConfig}
	if m.timeout <= 0 {
		m.timeout = 30 * time.Second
	}
	if cfg.SMTPURL != "" {
		if m.server, err = parseSMTPURL(cfg.SMTPURL, cfg.Password); err != nil {
			return nil, err
		}
	} else if cfg.Dir == "" {
		return nil, errors.New("mail: without an SMTP URL a directory for .eml files is needed")
	}
	return m, nil
}

// ParseFrom parses a sender "Name <address>" or "address".
func ParseFrom(from string) (*netmail.Address, error) {
	if strings.ContainsAny(from, "\r\n") {
		return nil, errors.New("mail: the sender may not contain line breaks")
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: the sender %q is not an address such as \"Uitvoeringskracht <noreply@example.nl>\"", from)
	}
	return a, nil
}

// RedactURL returns the SMTP URL with its password replaced, for logs.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable SMTP URL)"
	}
	return u.Redacted()
}

func parseSMTPURL(raw, password string) (*server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's error repeats the URL, password and all.
		return nil, errors.New("mail: the SMTP URL cannot be parsed; use smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	s := &server{host: u.Hostname(), redacted: u.Redacted()}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("mail: the SMTP URL %s must start with smtp:// or smtps://", s.redacted)
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: the SMTP URL %s names no host", s.redacted)
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("mail: the SMTP URL %s has a bad port", s.redacted)
		}
	}
	switch t := u.Query().Get("tls"); t {
	case "":
	case "none":
		if s.implicit {
			return nil, fmt.Errorf("mail: smtps:// always uses TLS; use smtp://…?tls=none for a server without TLS")
		}
		s.noTLS = true
	default:
		return nil, fmt.Errorf("mail: the SMTP URL %s: tls may only be \"none\"", s.redacted)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if password != "" {
		s.password = password
	}
	return s, nil
}

// Configured reports whether a mail server is configured.
func (m *Mailer) Configured() bool { return m.server != nil }

// Server returns the SMTP URL without its password, or "" when none is
// configured.
func (m *Mailer) Server() string {
	if m.server == nil {
		return ""
	}
	return m.server.redacted
}

// Dir is the directory of the .eml files.
func (m *Mailer) Dir() string { return m.dir }

// Result is the outcome of one delivery.
type Result struct {
	// State is MessageSent, MessageNotSent (written to File), or for an
	// error MessageFailed (permanent) or MessageQueued (temporary: retry).
	State survey.MessageState
	// Reply is the server's answer: its acceptance, or its refusal.
	Reply string
	// File is the .eml file when no server is configured.
	File string
}

// Deliver sends msg, or writes it to the .eml directory when no server is
// configured. A refusal with a 5xx code is permanent; any other failure
// (4xx, network, TLS) is temporary.
func (m *Mailer) Deliver(ctx context.Context, msg *survey.OutgoingMessage, now time.Time) Result {
	composed, err := m.compose(msg, now)
	if err != nil {
		// A message that cannot be composed never will be.
		return Result{State: survey.MessageFailed, Reply: err.Error()}
	}
	if m.server == nil {
		if msg.Kind == survey.MessagePersonalCode {
			// A file would keep an employee's address next to their code:
			// exactly what personal invitations must never leave behind.
			return Result{State: survey.MessageNotSent, Reply: "niet verstuurd: geen mailserver ingesteld; persoonlijke codes worden niet als bestand bewaard"}
		}
		file, err := m.writeEML(msg, composed)
		if err != nil {
			return Result{State: survey.MessageQueued, Reply: err.Error()}
		}
		return Result{State: survey.MessageNotSent, Reply: "niet verstuurd: geen mailserver ingesteld; " + file, File: file}
	}
	client, err := m.client()
	if err != nil {
		return Result{State: survey.MessageFailed, Reply: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, composed); err != nil {
		return m.failure(err)
	}
	reply := strings.TrimSpace(composed.ServerResponse())
	// go-mail gives the text of the reply to DATA without its code, which
	// is 250 whenever the message was accepted.
	if !strings.HasPrefix(reply, "250") {
		reply = strings.TrimSpace("250 " + reply)
	}
	return Result{State: survey.MessageSent, Reply: reply}
}

// failure classifies a send error: only a 5xx answer to the message is
// permanent. The text never holds the password: go-mail does not repeat
// it, and the server URL is the redacted one.
func (m *Mailer) failure(err error) Result {
	reason := err.Error()
	if m.server.password != "" {
		reason = strings.ReplaceAll(reason, m.server.password, "xxxxx")
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return Result{State: survey.MessageFailed, Reply: reason}
	}
	return Result{State: survey.MessageQueued, Reply: m.server.redacted + ": " + reason}
}

func (m *Mailer) client() (*gomail.Client, error) {
	s := m.server
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(m.timeout), gomail.WithHELO(m.domain)}
	tlsConfig := m.tls
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConfig))
	switch {
	case s.implicit:
		opts = append(opts, gomail.WithSSL())
	case s.noTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.user != "" {
		auth := gomail.SMTPAuthPlain
		if s.noTLS {
			// PLAIN over a connection without TLS is the operator's
			// explicit choice (?tls=none), for a relay on localhost.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %s: %v", s.redacted, err)
	}
	return c, nil
}

// cleanHeader neutralises a value bound for a header: every control
// character (CR and LF above all, which would start a new header) becomes a
// space, so that a name or subject can never add a header of its own.
func cleanHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// ParseRecipient parses "address" or "Name <address>" after neutralising
// control characters.
func ParseRecipient(s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(cleanHeader(s))
	if err != nil {
		return nil, fmt.Errorf("mail: %q is not an e-mail address", cleanHeader(s))
	}
	a.Name = cleanHeader(a.Name)
	return a, nil
}

// messageID returns the Message-ID (without brackets) of msg: the stored
// one, with the sender's domain when it has none.
func (m *Mailer) messageID(msg *survey.OutgoingMessage) (string, error) {
	id := msg.MessageID
	if id == "" {
		return "", errors.New("mail: the message has no Message-ID")
	}
	if !strings.Contains(id, "@") {
		id += "@" + m.domain
	}
	if !safeID(id) {
		return "", fmt.Errorf("mail: the Message-ID %q has a character that is not allowed", id)
	}
	return id, nil
}

// safeID reports whether id may stand between angle brackets in a header
// (Message-ID, Content-ID): letters, digits and ._-@+ only.
func safeID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@+", r)) {
			return false
		}
	}
	return true
}

func (m *Mailer) compose(msg *survey.OutgoingMessage, now time.Time) (*gomail.Msg, error) {
	if len(msg.To) == 0 {
		return nil, errors.New("mail: the message has no recipient")
	}
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	g.FromMailAddress(&netmail.Address{Name: cleanHeader(m.from.Name), Address: m.from.Address})
	to := make([]*netmail.Address, 0, len(msg.To))
	for _, r := range msg.To {
		a, err := ParseRecipient(r)
		if err != nil {
			return nil, err
		}
		to = append(to, a)
	}
	g.ToMailAddress(to...)
	g.Subject(cleanHeader(msg.Subject))
	id, err := m.messageID(msg)
	if err != nil {
		return nil, err
	}
	g.SetMessageIDWithValue(id)
	g.SetDateWithValue(now)
	lang := cleanHeader(msg.Lang)
	g.SetGenHeader(gomail.HeaderContentLang, lang)
	// Automatic mail: no out-of-office replies to the sender.
	g.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	g.SetGenHeaderPreformatted("Auto-Submitted", "auto-generated")
	g.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, htmlDocument(msg.HTML, lang, msg.Subject))
	}
	for _, a := range msg.Attachments {
		name := cleanHeader(filepath.Base(a.Name))
		ct := cleanHeader(a.ContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		if a.Inline() {
			// An inline part only beside an HTML part that can show it;
			// its Content-ID is checked like the Message-ID, since it
			// goes into a header.
			if msg.HTML == "" || !safeID(a.ContentID) {
				return nil, fmt.Errorf("mail: the inline part %q has no HTML part or a Content-ID that is not allowed", name)
			}
			if err := g.EmbedReader(name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(ct)), gomail.WithFileContentID("<"+a.ContentID+">")); err != nil {
				return nil, fmt.Errorf("mail: inline part %q: %v", name, err)
			}
			continue
		}
		if err := g.AttachReader(name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("mail: attachment %q: %v", name, err)
		}
	}
	return g, nil
}

// htmlDocument makes sure the HTML part is a whole document whose html
// element carries the language, for screen readers.
func htmlDocument(body, lang, subject string) string {
	if strings.Contains(strings.ToLower(body), "<html") {
		return body
	}
	return "<!DOCTYPE html>\n<html lang=\"" + html.EscapeString(lang) + "\">\n<head><meta charset=\"utf-8\"><title>" +
		html.EscapeString(cleanHeader(subject)) + "</title></head>\n<body>\n" + body + "\n</body>\n</html>\n"
}

// Compose returns the message as it would be sent, for previews and tests.
func (m *Mailer) Compose(msg *survey.OutgoingMessage, now time.Time) ([]byte, error) {
	g, err := m.compose(msg, now)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeEML writes the message to Dir as ID.eml: the directory only for the
// service's user (0700), the file too (0600), since it may hold a link
// that works.
func (m *Mailer) writeEML(msg *survey.OutgoingMessage, g *gomail.Msg) (string, error) {
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return "", fmt.Errorf("mail: create %s: %v", m.dir, err)
	}
	if err := os.Chmod(m.dir, 0o700); err != nil {
		return "", fmt.Errorf("mail: %v", err)
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("mail: %v", err)
	}
	name := filepath.Join(m.dir, safeFileName(msg.ID)+".eml")
	tmp, err := os.CreateTemp(m.dir, ".eml-*")
	if err != nil {
		return "", fmt.Errorf("mail: %v", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("mail: %v", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return "", fmt.Errorf("mail: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("mail: %v", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return "", fmt.Errorf("mail: %v", err)
	}
	return name, nil
}

func safeFileName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, id)
}
