package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The consultant names a contact person on the diagnostic, previews the
// invitation, sends it and sees it sent; the mail server receives it with
// both parts and the poster.
func TestBrowserJourneyContactInvitation(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	j := newJourneyWith(t, func(dbURL string) string {
		return startMailApp(t, Config{DatabaseURL: dbURL, SMTPURL: smtp.URL, mailTLS: smtp.ClientTLS, MailFrom: "Uitvoeringskracht <noreply@uk.test>", MailDir: filepath.Join(t.TempDir(), "mail")})
	})
	d := j.seedDiagnostic("Gemeente Post", survey.AccessLink)
	// The firm has its own look: the mails carry it, the logo inline.
	if err := j.st.SaveBranding(context.Background(), &survey.Branding{FirmID: j.firmID, Name: "Bureau Post", Contact: "Bel 030 000 00 00", Color: "#000000"}); err != nil {
		t.Fatal(err)
	}
	if err := j.st.SetBrandingLogo(context.Background(), j.firmID, journeyLogo(t), 32, 16); err != nil {
		t.Fatal(err)
	}

	consultant := j.tab()
	j.login(consultant, false)
	j.visit(consultant, "/diagnoses/"+d.ID+"/bewerken", "#contacts", "diagnostic form with contact persons")
	// A typing error first: the form says which line, and keeps the list.
	if err := chromedp.Do(consultant,
		chromedp.SetValue(chromedp.CSS("#contacts"), "Anna de Vries; anna@gemeente-post\n"),
		chromedp.Submit(chromedp.CSS("#contacts")),
	); err != nil {
		t.Fatal(err)
	}
	j.checkRefused(consultant, "diagnostic form with a wrong address")
	if err := chromedp.Do(consultant,
		chromedp.SetValue(chromedp.CSS("#directors"), "Carla Dijkstra; carla@gemeente-post.example"),
		chromedp.SetValue(chromedp.CSS("#contacts"), "Anna de Vries; anna@gemeente-post.example; nl\nBen Smith; ben@gemeente-post.example; en"),
		chromedp.Submit(chromedp.CSS("#contacts")),
		chromedp.WaitVisible(chromedp.CSS("#berichten")),
	); err != nil {
		t.Fatalf("save the contact persons: %v", err)
	}
	j.check(consultant, "diagnostic page with the mail section")

	if err := chromedp.Do(consultant, chromedp.Click(chromedp.CSS(`a[href$="/uitnodiging"]`)), chromedp.WaitVisible(chromedp.CSS(".mail-preview"))); err != nil {
		t.Fatalf("open the preview: %v", err)
	}
	j.check(consultant, "invitation preview")
	preview, err := chromedp.Run(consultant, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"anna@gemeente-post.example", "ben@gemeente-post.example", "poster-vragenlijst.pdf", "/d/" + d.Token} {
		if !strings.Contains(preview, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if err := chromedp.Do(consultant, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#berichten"))); err != nil {
		t.Fatalf("send: %v", err)
	}

	got := smtp.Wait(t, 2, 30*time.Second)
	// The page shows "Verstuurd" once the worker recorded the sending.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := chromedp.Do(consultant, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#berichten"))); err != nil {
			t.Fatal(err)
		}
		section, err := chromedp.Run(consultant, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(section, "Verstuurd") >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the diagnostic page never says Verstuurd twice:\n%s", section)
		}
		time.Sleep(300 * time.Millisecond)
	}
	j.check(consultant, "diagnostic page with sent messages")

	// The other pages of what is sent: the directors' mail (nothing to send
	// while open), the closing page with its box, and the personal
	// invitations of a diagnostic with codes, with a wrong address.
	j.visit(consultant, "/diagnoses/"+d.ID+"/directiemail", "main h1", "directors' mail while open")
	j.visit(consultant, "/diagnoses/"+d.ID+"/sluiten", "#mail_directors", "closing page with the directors' mail")
	codes := j.seedDiagnostic("Gemeente Code", survey.AccessCodes)
	j.visit(consultant, "/diagnoses/"+codes.ID+"/persoonlijke-uitnodigingen", "#addresses", "personal invitations")
	if err := chromedp.Do(consultant,
		chromedp.SetValue(chromedp.CSS("#addresses"), "jan@gemeente-code.example\npiet@@gemeente-code"),
		chromedp.Submit(chromedp.CSS("#addresses")),
	); err != nil {
		t.Fatal(err)
	}
	j.checkRefused(consultant, "personal invitations with a wrong address")

	for _, m := range got {
		to := m.Header.Get("To")
		lang := m.Header.Get("Content-Language")
		if !strings.Contains(to, "gemeente-post.example") || !m.TLS {
			t.Errorf("received for %q over TLS %v", to, m.TLS)
		}
		if strings.Contains(to, "ben@") != (lang == "en") {
			t.Errorf("%s got language %q", to, lang)
		}
		parts := mimeParts(t, m.Header.Get("Content-Type"), m.Body)
		for _, want := range []string{"text/plain", "text/html", "application/pdf", "image/png", "multipart/related"} {
			if !parts[want] {
				t.Errorf("the mail to %s has no %s part (%v)", to, want, parts)
			}
		}
	}
}

// mimeParts returns the media types of a message's parts, nested
// multiparts included.
func mimeParts(t *testing.T, contentType string, body []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	var walk func(ct string, r io.Reader)
	walk = func(ct string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		out[mt] = true
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(p.Header.Get("Content-Type"), p)
		}
	}
	walk(contentType, strings.NewReader(string(body)))
	return out
}

// journeyLogo is a 32 × 16 PNG.
func journeyLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 32, 16))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
