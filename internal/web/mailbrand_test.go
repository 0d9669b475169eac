package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// mimePart is a leaf of a received message.
type mimePart struct {
	header textproto.MIMEHeader
	ctype  string
	body   []byte
}

// mimeParts walks a received message's MIME tree and decodes its leaves.
func mimeParts(t *testing.T, header textproto.MIMEHeader, body io.Reader) []mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", header.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		var out []mimePart
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, mimeParts(t, p.Header, p)...)
		}
	}
	switch strings.ToLower(header.Get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return []mimePart{{header: header, ctype: mt, body: b}}
}

// receivedParts returns the parts of a received message by content type
// (several of a type are joined) and the inline images.
func receivedParts(t *testing.T, r mailtest.Received) (text, html string, images []mimePart, files []mimePart) {
	t.Helper()
	h := textproto.MIMEHeader{}
	for k, v := range r.Header {
		h[textproto.CanonicalMIMEHeaderKey(k)] = v
	}
	for _, p := range mimeParts(t, h, bytes.NewReader(r.Body)) {
		disp, _, _ := mime.ParseMediaType(p.header.Get("Content-Disposition"))
		switch {
		case p.ctype == "text/plain" && disp == "":
			text += string(p.body)
		case p.ctype == "text/html" && disp == "":
			html += string(p.body)
		case disp == "inline":
			images = append(images, p)
		default:
			files = append(files, p)
		}
	}
	return text, html, images, files
}

func testLogo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: 11, G: 83, B: 148, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sendOutbox delivers everything queued to srv and returns what it got.
func sendOutbox(t *testing.T, st *store.Store, srv *mailtest.Server) []mailtest.Received {
	t.Helper()
	m, err := mail.New(mail.Config{SMTPURL: srv.URL, TLSConfig: srv.ClientTLS, From: "Uitvoeringskracht <noreply@uk.test>", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	before := len(srv.Messages())
	w := &mail.Worker{Queue: st, Mailer: m}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv.Messages()[before:]
}

func TestMailsCarryTheFirmsLook(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t, mailtest.Options{})
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateDraft, seed: 3})
		mf.name(t, d, survey.MailSettings{Contacts: testContacts[:1]})
		path := invitationPath(d.ID)
		const color = "#0b5394"

		// A firm without a look: the service's mail, no logo, no colour.
		if p := postForm(t, mf.b, path, path, nil); p.status != 303 {
			t.Fatalf("send: %d", p.status)
		}
		got := sendOutbox(t, st, srv)
		if len(got) != 1 {
			t.Fatalf("received %d messages, want 1", len(got))
		}
		text, html, images, files := receivedParts(t, got[0])
		if len(images) != 0 || strings.Contains(html, "<img") || strings.Contains(html, "cid:") || strings.Contains(html, color) ||
			strings.Contains(text, "Noord") || len(files) != 1 {
			t.Errorf("an unbranded firm's mail carries a look: %d inline parts, %d files\n%s", len(images), len(files), html)
		}

		// The firm's look: name, contact line, colour and logo.
		logoPNG := testLogo(t, 200, 100)
		b := &survey.Branding{FirmID: mf.cons.FirmID, Name: "Bureau Noord & Partners", Contact: "Bel 030 123 45 67 · info@noord.example", Color: color}
		if err := st.SaveBranding(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := st.SetBrandingLogo(ctx, mf.cons.FirmID, logoPNG, 200, 100); err != nil {
			t.Fatal(err)
		}
		if p := postForm(t, mf.b, path, path, nil); p.status != 303 {
			t.Fatalf("send: %d", p.status)
		}
		got = sendOutbox(t, st, srv)
		if len(got) != 1 {
			t.Fatalf("received %d messages, want 1", len(got))
		}
		text, html, images, files = receivedParts(t, got[0])
		if len(images) != 1 {
			t.Fatalf("%d inline parts, want the logo", len(images))
		}
		logo := images[0]
		cid := strings.Trim(logo.header.Get("Content-Id"), "<>")
		if logo.ctype != "image/png" || !bytes.Equal(logo.body, logoPNG) || cid == "" {
			t.Errorf("inline logo: %s, Content-ID %q, %d bytes", logo.ctype, cid, len(logo.body))
		}
		for _, want := range []string{
			`src="cid:` + cid + `"`, `alt="Bureau Noord &amp; Partners"`, `width="96"`, `height="48"`,
			"background:" + color, "color:" + color, "Bureau Noord &amp; Partners", "Bel 030 123 45 67 · info@noord.example",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("the HTML part lacks %q", want)
			}
		}
		if strings.Contains(html, "ZgotmplZ") || strings.Contains(html, "http://uk.test/team") {
			t.Error("the HTML part has a filtered value or a remote image")
		}
		for _, want := range []string{"Bureau Noord & Partners\nBel 030 123 45 67 · info@noord.example\n"} {
			if !strings.Contains(strings.ReplaceAll(text, "\r\n", "\n"), want) {
				t.Errorf("the text part lacks %q:\n%s", want, text)
			}
		}
		if len(files) != 1 || files[0].ctype != "application/pdf" {
			t.Errorf("the poster is no longer attached: %d files", len(files))
		}
		// The report's band colours stay out.
		for _, band := range []string{"#b2182b", "#f4c542", "#5aae61"} {
			if strings.Contains(html, band) {
				t.Errorf("the mail holds the band colour %s", band)
			}
		}

		// The previews show the same, the logo as a data: URL under a
		// policy that loads nothing else.
		pv := mf.b.get(path + "/html/1")
		dataURL := `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(logoPNG) + `"`
		if pv.status != 200 || !strings.Contains(pv.body, dataURL) || strings.Contains(pv.body, "cid:") || !strings.Contains(pv.body, "background:"+color) {
			t.Errorf("invitation preview: %d", pv.status)
		}
		if csp := pv.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "img-src data:;") || !strings.Contains(csp, "sandbox") {
			t.Errorf("preview policy %q", csp)
		}
		msgs := mf.messages(t, d)
		var queued survey.OutgoingMessage
		for _, m := range msgs {
			if len(m.Attachments) == 2 {
				queued = m
			}
		}
		op := mf.b.get("/berichten/" + queued.ID + "/html")
		if op.status != 200 || !strings.Contains(op.body, dataURL) || !strings.Contains(op.header.Get("Content-Security-Policy"), "img-src data:") {
			t.Errorf("outbox preview: %d", op.status)
		}
		// The preview lists the poster as an attachment, not the logo.
		if p := mf.b.get("/berichten/" + queued.ID); !strings.Contains(p.body, posterFileName) || strings.Contains(p.body, "logo.png") {
			t.Errorf("the message page lists the logo as an attachment")
		}

		// The colleague invitation carries the look; the password reset,
		// the service's own mail, does not.
		admin := mf.browser(t)
		signIn(t, mf.fixture, admin, "Adviesbureau A", "baas@a.example", true)
		if p := postForm(t, admin, "/team", "/team/uitnodigingen", map[string][]string{"email": {"nieuw@a.example"}}); p.status >= 400 {
			t.Fatalf("invite: %d", p.status)
		}
		got = sendOutbox(t, st, srv)
		if len(got) != 1 {
			t.Fatalf("received %d invitations", len(got))
		}
		text, html, images, _ = receivedParts(t, got[0])
		if len(images) != 1 || !bytes.Equal(images[0].body, logoPNG) || !strings.Contains(html, `src="cid:`+strings.Trim(images[0].header.Get("Content-Id"), "<>")+`"`) ||
			!strings.Contains(html, "background: "+color) || !strings.Contains(text, "Bel 030 123 45 67 · info@noord.example") || !strings.Contains(text, "Bureau Noord & Partners") {
			t.Errorf("colleague invitation without the look:\n%s\n%s", text, html)
		}
		anon := mf.browser(t)
		if p := postForm(t, anon, "/wachtwoord-vergeten", "/wachtwoord-vergeten", map[string][]string{"email": {"anna@a.example"}}); p.status != 303 {
			t.Fatalf("reset: %d", p.status)
		}
		got = sendOutbox(t, st, srv)
		if len(got) != 1 {
			t.Fatalf("received %d reset mails", len(got))
		}
		text, html, images, _ = receivedParts(t, got[0])
		if len(images) != 0 || strings.Contains(html, color) || strings.Contains(text, "Noord") {
			t.Errorf("the password reset carries the firm's look")
		}
	})
}

func TestHostileBrandNamesStayText(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t, mailtest.Options{})
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateDraft, seed: 4})
		mf.name(t, d, survey.MailSettings{Contacts: testContacts[:1]})
		b := &survey.Branding{FirmID: mf.cons.FirmID,
			Name:    "E\r\nBcc: v@evil.example\r\n\r\n<script>alert(1)</script>\"><img src=//evil.example/t>",
			Contact: "<a href=\"https://evil.example\">klik</a>\nX-Injected: ja",
		}
		if err := st.SaveBranding(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := st.SetBrandingLogo(ctx, mf.cons.FirmID, testLogo(t, 64, 64), 64, 64); err != nil {
			t.Fatal(err)
		}
		path := invitationPath(d.ID)
		if p := postForm(t, mf.b, path, path, nil); p.status != 303 {
			t.Fatalf("send: %d", p.status)
		}
		got := sendOutbox(t, st, srv)
		if len(got) != 1 {
			t.Fatalf("received %d messages", len(got))
		}
		r := got[0]
		if len(r.To) != 1 || r.To[0] != testContacts[0].Email {
			t.Errorf("recipients %v: the name added one", r.To)
		}
		for k := range r.Header {
			if strings.EqualFold(k, "Bcc") || strings.EqualFold(k, "X-Injected") {
				t.Errorf("the name added the header %s", k)
			}
		}
		text, html, _, _ := receivedParts(t, r)
		for _, bad := range []string{"<script", "<img src=//evil", `<a href="https://evil`} {
			if strings.Contains(html, bad) {
				t.Errorf("the HTML part holds %q", bad)
			}
		}
		for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;a href=&#34;https://evil.example&#34;&gt;klik&lt;/a&gt; X-Injected: ja"} {
			if !strings.Contains(html, want) {
				t.Errorf("the HTML part lacks the escaped %q", want)
			}
		}
		// In the text part the name stays on one line.
		if !strings.Contains(text, "E Bcc: v@evil.example <script>") || strings.Contains(text, "\nBcc:") || strings.Contains(text, "\nX-Injected") {
			t.Errorf("the text part:\n%s", text)
		}
		// The preview page and the outbox preview escape it too.
		if p := mf.b.get(path); strings.Contains(p.body, "<script>alert") {
			t.Error("the preview page runs the name")
		}
	})
}

// Every mail about a diagnostic is made with the sender's look: the
// reminders (also those the scheduler sends, without a consultant), the
// directors' mail and the personal invitations, as the invitation above.
func TestEveryDiagnosticMailCarriesTheLook(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateDraft, seed: 5})
		if err := st.SaveBranding(ctx, &survey.Branding{FirmID: mf.cons.FirmID, Color: "#767676"}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetBrandingLogo(ctx, mf.cons.FirmID, testLogo(t, 40, 20), 40, 20); err != nil {
			t.Fatal(err)
		}
		s := mf.srvr
		from, err := s.senderOf(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if from.Brand == nil || from.Brand.LogoAlt != "Adviesbureau A" {
			t.Fatalf("the scheduler's sender has no look or no alternative text: %+v", from.Brand)
		}
		r := testContacts[1]
		mails := map[string]func() (composedMail, error){
			"reminder": func() (composedMail, error) { return s.reminderMail(d, from, r, progressView{}, mf.clock.Now()) },
			"director": func() (composedMail, error) {
				return s.directorMail(d, from, r, directorHeadline{}, "http://uk.test/r/x", mf.clock.Now(), false)
			},
			"personal": func() (composedMail, error) {
				return s.personalInvitationMail(d, from, "jan@gemeente.example", "ABCDEFGH")
			},
			"invitation": func() (composedMail, error) { return s.contactInvitationMail(d, from, r) },
		}
		for name, build := range mails {
			m, err := build()
			if err != nil {
				t.Fatal(err)
			}
			msg := m.message(survey.MessageContactReminder)
			if len(msg.Attachments) != 1 || msg.Attachments[0].ContentID == "" || !strings.Contains(msg.HTML, `src="cid:`+msg.Attachments[0].ContentID+`"`) ||
				!strings.Contains(msg.HTML, "background:#767676") || !strings.Contains(msg.HTML, `alt="Adviesbureau A"`) {
				t.Errorf("the %s mail lacks the look: %d attachments", name, len(msg.Attachments))
			}
		}
	})
}
