package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The password reset journey in Chromium: the consultant asks for a link,
// the mail arrives at a real SMTP server, the link leads to a new
// password, and the new password signs in. Every page is checked with axe.
func TestBrowserPasswordResetJourney(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	j := newJourneyWith(t, func(dbURL string) string {
		return startMailApp(t, Config{DatabaseURL: dbURL, SMTPURL: srv.URL, mailTLS: srv.ClientTLS, MailFrom: "Bureau Toegankelijk <noreply@a11y.example>"})
	})
	tab := j.tab()

	if err := chromedp.Do(tab,
		chromedp.Navigate(j.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/wachtwoord-vergeten"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/wachtwoord-vergeten"]`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	); err != nil {
		t.Fatalf("to the reset form: %v", err)
	}
	j.check(tab, "password forgotten")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#email"), journeyEmail),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	); err != nil {
		t.Fatalf("request the reset: %v", err)
	}
	j.check(tab, "password reset requested")

	got := srv.Wait(t, 1, 30*time.Second)
	if got[0].To[0] != journeyEmail || !got[0].TLS {
		t.Fatalf("the reset mail went to %v (TLS %v)", got[0].To, got[0].TLS)
	}
	path := reResetPath.FindString(textPart(t, got[0]))
	if path == "" {
		t.Fatalf("no reset link in the mail:\n%s", textPart(t, got[0]))
	}

	if err := chromedp.Do(tab, chromedp.Navigate(j.base+path), chromedp.WaitVisible(chromedp.CSS("#password"))); err != nil {
		t.Fatalf("open the link: %v", err)
	}
	j.check(tab, "choose a new password")
	const newPassword = "oranje-kameel-zingt-elf-liedjes"
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), newPassword+"?"),
		chromedp.Submit(chromedp.CSS("#password")),
	); err != nil {
		t.Fatalf("mismatched passwords: %v", err)
	}
	j.checkRefused(tab, "choose a new password with error")
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.CSS("#password"), newPassword),
		chromedp.SetValue(chromedp.CSS("#password_confirm"), newPassword),
		chromedp.Submit(chromedp.CSS("#password")),
	); err != nil {
		t.Fatalf("save the password: %v", err)
	}
	if err := waitFor(tab, `location.pathname === '/login' && document.querySelector('.notice') !== null`); err != nil {
		t.Fatalf("no sign-in page after the reset: %v", err)
	}
	if notice, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".notice"))); err != nil || !strings.Contains(notice, "wachtwoord is gewijzigd") {
		t.Errorf("notice %q, %v", notice, err)
	}
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#email"), journeyEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("nav.workspace-nav")),
	); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}

	// The messages page lists the reset mail as sent, without its
	// address' link to a preview.
	j.visit(tab, "/berichten", "table", "messages")
	if state, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("td .tag"))); err != nil || state != "Verstuurd" {
		t.Errorf("state %q, %v", state, err)
	}
	j.visit(tab, "/account/wachtwoord", "#current_password", "change password")

	// A message a colleague may read: its preview.
	m := &survey.OutgoingMessage{FirmID: j.firmID, Kind: survey.MessageContactInvitation, Lang: "nl", To: []string{"Contact <contact@gemeente.example>"},
		Subject: "Uitnodiging medewerkersonderzoek", Text: "Beste contactpersoon,\n\nDe link: https://uk.example/d/x", HTML: "<p>Beste contactpersoon</p>"}
	if err := j.st.EnqueueMessages(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	j.visit(tab, "/berichten/"+m.ID, ".message-text", "message preview")
}
