package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var sendT = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newMailer(t *testing.T, srv *mailtest.Server) *mail.Mailer {
	t.Helper()
	cfg := mail.Config{From: "Bureau Noord <noreply@bureau.example>", Dir: t.TempDir()}
	if srv != nil {
		cfg.SMTPURL, cfg.TLSConfig = srv.URL, srv.ClientTLS
	}
	m, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func message() *survey.OutgoingMessage {
	return &survey.OutgoingMessage{
		ID: "msg1", MessageID: "uk.abc-123", Kind: survey.MessageContactInvitation, Lang: "en",
		To: []string{"Jan de Vries <jan@gemeente.example>"}, Subject: "Invitation: employee survey",
		Text: "Dear Jan,\n\nThe link: https://uk.example/d/x\n", HTML: "<p>Dear Jan,</p><p><a href=\"https://uk.example/d/x\">The link</a></p>",
		Attachments: []survey.Attachment{{Name: "poster.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.4 poster\x00\x01")}},
	}
}

// parts walks the MIME tree of a message and returns its leaf parts by
// content type, with the file name for attachments.
type part struct {
	contentType, fileName string
	body                  []byte
}

func parts(t *testing.T, header map[string][]string, body io.Reader) []part {
	t.Helper()
	ct := ""
	if v := header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("content type %q: %v", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []part
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, parts(t, p.Header, decode(t, p.Header, p))...)
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	_, dparams, _ := mime.ParseMediaType(strings.Join(header["Content-Disposition"], ""))
	return []part{{contentType: mt, fileName: dparams["filename"], body: b}}
}

func decode(t *testing.T, header map[string][]string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.Join(header["Content-Transfer-Encoding"], "")) {
	case "base64":
		return base64Reader(r)
	case "quoted-printable":
		return qpReader(r)
	}
	return r
}

func TestDeliverOverSMTP(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, srv)
	res := m.Deliver(context.Background(), message(), sendT)
	if res.State != survey.MessageSent || !strings.HasPrefix(res.Reply, "250") {
		t.Fatalf("delivery: %+v", res)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	r := got[0]
	if !r.TLS {
		t.Error("the message came without TLS")
	}
	if r.From != "noreply@bureau.example" || len(r.To) != 1 || r.To[0] != "jan@gemeente.example" {
		t.Errorf("envelope %q -> %q", r.From, r.To)
	}
	h := r.Header
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	from, _ := netmail.ParseAddress(h.Get("From"))
	to, _ := netmail.ParseAddress(h.Get("To"))
	date, err := h.Date()
	switch {
	case subject != "Invitation: employee survey":
		t.Errorf("Subject %q", subject)
	case from == nil || from.Name != "Bureau Noord" || from.Address != "noreply@bureau.example":
		t.Errorf("From %q", h.Get("From"))
	case to == nil || to.Name != "Jan de Vries" || to.Address != "jan@gemeente.example":
		t.Errorf("To %q", h.Get("To"))
	case h.Get("Message-Id") != "<uk.abc-123@bureau.example>":
		t.Errorf("Message-ID %q", h.Get("Message-Id"))
	case err != nil || !date.Equal(sendT):
		t.Errorf("Date %q (%v)", h.Get("Date"), err)
	case h.Get("Content-Language") != "en":
		t.Errorf("Content-Language %q", h.Get("Content-Language"))
	case h.Get("Auto-Submitted") != "auto-generated":
		t.Errorf("Auto-Submitted %q", h.Get("Auto-Submitted"))
	}
	ps := parts(t, h, bytes.NewReader(r.Body))
	var text, html, pdf *part
	for i := range ps {
		switch ps[i].contentType {
		case "text/plain":
			text = &ps[i]
		case "text/html":
			html = &ps[i]
		case "application/pdf":
			pdf = &ps[i]
		}
	}
	if text == nil || !strings.Contains(string(text.body), "The link: https://uk.example/d/x") {
		t.Errorf("text part: %+v", text)
	}
	if html == nil || !strings.Contains(string(html.body), `<html lang="en">`) || !strings.Contains(string(html.body), `<a href="https://uk.example/d/x">`) {
		t.Errorf("html part: %+v", html)
	}
	if pdf == nil || pdf.fileName != "poster.pdf" || !bytes.Equal(pdf.body, message().Attachments[0].Content) {
		t.Errorf("attachment: %+v", pdf)
	}
}

func TestHeaderInjectionNeutralised(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, srv)
	msg := message()
	msg.Subject = "Uitnodiging\r\nBcc: evil@attacker.example\r\n\r\nbody"
	msg.To = []string{"\"Jan\r\nBcc: evil@attacker.example\" <jan@gemeente.example>"}
	msg.Lang = "nl\r\nX-Evil: 1"
	if res := m.Deliver(context.Background(), msg, sendT); res.State != survey.MessageSent {
		t.Fatalf("delivery: %+v", res)
	}
	r := srv.Messages()[0]
	if len(r.To) != 1 || r.To[0] != "jan@gemeente.example" {
		t.Errorf("envelope recipients %q", r.To)
	}
	if r.Header.Get("Bcc") != "" || r.Header.Get("X-Evil") != "" {
		t.Errorf("an injected header arrived: %v", r.Header)
	}
	head := string(r.Data[:bytes.Index(r.Data, []byte("\r\n\r\n"))])
	for line := range strings.SplitSeq(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.HasPrefix(strings.ToLower(line), "x-evil") {
			t.Errorf("injected header line %q", line)
		}
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Subject"))
	if subject != "Uitnodiging Bcc: evil@attacker.example body" {
		t.Errorf("Subject %q", subject)
	}
}

func TestNoServerWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	m, err := mail.New(mail.Config{From: "noreply@bureau.example", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if m.Configured() {
		t.Fatal("configured without a server")
	}
	res := m.Deliver(context.Background(), message(), sendT)
	if res.State != survey.MessageNotSent || res.File != filepath.Join(dir, "msg1.eml") || !strings.Contains(res.Reply, "geen mailserver ingesteld") {
		t.Fatalf("result %+v", res)
	}
	fi, err := os.Stat(res.File)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode().Perm())
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", di.Mode().Perm())
	}
	// A personal code is never written to a file.
	code := message()
	code.ID, code.Kind, code.Ephemeral = "code1", survey.MessagePersonalCode, true
	if res := m.Deliver(context.Background(), code, sendT); res.State != survey.MessageNotSent || res.File != "" {
		t.Errorf("personal code: %+v", res)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 1 {
		t.Errorf("files in the mail directory: %v", files)
	}
	data, _ := os.ReadFile(res.File)
	parsed, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil || parsed.Header.Get("Message-Id") != "<uk.abc-123@bureau.example>" {
		t.Errorf("eml: %v %v", err, parsed)
	}
}

func TestFailures(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, srv)
	srv.Answer(func(n int) error {
		if n == 1 {
			return mailtest.Refuse(451, "try again later")
		}
		return mailtest.Refuse(550, "mailbox unavailable")
	})
	if res := m.Deliver(context.Background(), message(), sendT); res.State != survey.MessageQueued || !strings.Contains(res.Reply, "451") {
		t.Errorf("4xx: %+v", res)
	}
	if res := m.Deliver(context.Background(), message(), sendT); res.State != survey.MessageFailed || !strings.Contains(res.Reply, "550") || !strings.Contains(res.Reply, "mailbox unavailable") {
		t.Errorf("5xx: %+v", res)
	}

	// A server that is not there is temporary, and the password is not
	// in the reason.
	down, err := mail.New(mail.Config{SMTPURL: "smtp://user:Geheim123@127.0.0.1:1", From: "noreply@bureau.example", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := down.Deliver(context.Background(), message(), sendT)
	if res.State != survey.MessageQueued || strings.Contains(res.Reply, "Geheim123") || !strings.Contains(res.Reply, "127.0.0.1") {
		t.Errorf("unreachable: %+v", res)
	}

	// Plain text without TLS is refused unless asked for.
	plain := mailtest.Start(t, mailtest.Options{Insecure: true})
	strict, err := mail.New(mail.Config{SMTPURL: strings.TrimSuffix(plain.URL, "?tls=none"), From: "noreply@bureau.example", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res := strict.Deliver(context.Background(), message(), sendT); res.State == survey.MessageSent || len(plain.Messages()) != 0 {
		t.Errorf("sent without STARTTLS: %+v", res)
	}
	relaxed, err := mail.New(mail.Config{SMTPURL: plain.URL, From: "noreply@bureau.example"})
	if err != nil {
		t.Fatal(err)
	}
	if res := relaxed.Deliver(context.Background(), message(), sendT); res.State != survey.MessageSent {
		t.Errorf("tls=none: %+v", res)
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		url, from, want string
	}{
		{"ftp://h", "a@b.example", "smtp://"},
		{"smtp://user:Geheim123@", "a@b.example", "no host"},
		{"smtp://user:Geheim123@h:99999", "a@b.example", "bad port"},
		{"smtp://user:Geheim123@h?tls=maybe", "a@b.example", "tls may only"},
		{"smtps://h?tls=none", "a@b.example", "always uses TLS"},
		{"smtp://h", "not an address", "not an address"},
		{"smtp://h", "A\r\nBcc: x@y <a@b.example>", "line breaks"},
		{"", "a@b.example", "directory"},
	} {
		_, err := mail.New(mail.Config{SMTPURL: tc.url, From: tc.from})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "Geheim123") {
			t.Errorf("%q %q: %v", tc.url, tc.from, err)
		}
	}
	if got := mail.RedactURL("smtp://user:Geheim123@h:587"); strings.Contains(got, "Geheim123") {
		t.Errorf("redacted %q", got)
	}
}

func TestInlinePartHasItsContentID(t *testing.T) {
	m := newMailer(t, nil)
	msg := message()
	msg.HTML = `<p><img src="cid:logo.ab12@uitvoeringskracht" alt="Bureau Noord"></p>`
	logo := []byte("\x89PNG\r\n\x1a\nnot really")
	msg.Attachments = append(msg.Attachments, survey.Attachment{Name: "logo.png", ContentType: "image/png", Content: logo, ContentID: "logo.ab12@uitvoeringskracht"})
	raw, err := m.Compose(msg, sendT)
	if err != nil {
		t.Fatal(err)
	}
	r, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "Content-Id: <logo.ab12@uitvoeringskracht>") || !strings.Contains(string(raw), "multipart/related") {
		t.Errorf("no inline part with the Content-ID:\n%s", raw)
	}
	var png, pdf int
	for _, p := range parts(t, r.Header, r.Body) {
		switch p.contentType {
		case "image/png":
			png++
			if !bytes.Equal(p.body, logo) {
				t.Error("the logo's bytes changed")
			}
		case "application/pdf":
			pdf++
		}
	}
	if png != 1 || pdf != 1 {
		t.Errorf("%d logos and %d posters", png, pdf)
	}

	// A Content-ID that would break out of its header, or an inline part
	// without an HTML part to show it, is refused.
	for _, bad := range []func(*survey.OutgoingMessage){
		func(m *survey.OutgoingMessage) { m.Attachments[1].ContentID = "x>\r\nBcc: a@b.example" },
		func(m *survey.OutgoingMessage) { m.HTML = "" },
	} {
		msg := message()
		msg.HTML = "<p>x</p>"
		msg.Attachments = append(msg.Attachments, survey.Attachment{Name: "logo.png", ContentType: "image/png", Content: logo, ContentID: "logo@uk"})
		bad(msg)
		if res := m.Deliver(context.Background(), msg, sendT); res.State != survey.MessageFailed {
			t.Errorf("delivered: %+v", res)
		}
	}
}
