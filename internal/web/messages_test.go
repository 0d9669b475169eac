package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var reResetLink = regexp.MustCompile(`http://uk\.test(/wachtwoord-herstellen/[A-Za-z0-9_-]+)`)

// queuedResetLinks returns the reset links in the firm's queued messages,
// newest first, read from the store as the worker would.
func queuedResetLinks(t *testing.T, st *store.Store, firmID string) []string {
	t.Helper()
	ctx := context.Background()
	list, err := st.ListMessages(ctx, firmID, "")
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, m := range list {
		if m.Kind != survey.MessagePasswordReset {
			continue
		}
		full, err := st.Message(ctx, firmID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !full.Ephemeral {
			t.Error("a reset mail is not ephemeral")
		}
		got := reResetLink.FindStringSubmatch(full.Text)
		if got == nil || !strings.Contains(full.HTML, got[0]) || !strings.Contains(full.HTML, `<div lang="en">`) {
			t.Fatalf("reset mail without its link in both parts: %q", full.Text)
		}
		links = append(links, got[1])
	}
	return links
}

func requestReset(t *testing.T, b *browser, email string) page {
	t.Helper()
	return postWithCSRF(t, b, "/wachtwoord-vergeten", "/wachtwoord-vergeten", url.Values{"email": {email}})
}

func TestPasswordResetByMail(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		f.srvr.signIn.failureFloor = 0
		other := f.browser(t)
		ann := signIn(t, f.fixture, other, "Adviesbureau Noord", "ann@noord.example", false)

		// The login page links to the form.
		anon := f.browser(t)
		if p := anon.get("/login"); !strings.Contains(p.body, `href="/wachtwoord-vergeten"`) {
			t.Error("the login page does not link to the reset form")
		}
		// Bad input is named and kept.
		if p := requestReset(t, anon, "geen adres"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul een geldig e-mailadres in") || !strings.Contains(p.body, `value="geen adres"`) {
			t.Errorf("bad address: %d %s", p.status, snippet(p.body))
		}
		if p := anon.post("/wachtwoord-vergeten", url.Values{"email": {"ann@noord.example"}}); p.status != http.StatusForbidden {
			t.Errorf("without CSRF token: %d", p.status)
		}

		// Known and unknown addresses get the same answer.
		known := requestReset(t, anon, "Ann@Noord.example")
		unknown := requestReset(t, anon, "niemand@noord.example")
		if known.status != http.StatusSeeOther || known.status != unknown.status || known.location != unknown.location {
			t.Fatalf("known %d %s, unknown %d %s", known.status, known.location, unknown.status, unknown.location)
		}
		if a, b := anon.follow(known).body, anon.follow(unknown).body; a != b || !strings.Contains(a, "Als er een account bij dit e-mailadres hoort") {
			t.Errorf("the answers differ or say nothing:\n%s\n%s", snippet(a), snippet(b))
		}
		links := queuedResetLinks(t, st, ann.FirmID)
		if len(links) != 1 {
			t.Fatalf("%d reset mails queued, want 1", len(links))
		}
		link := links[0]

		// A colleague cannot read the reset mail.
		list, _ := st.ListMessages(context.Background(), ann.FirmID, "")
		if p := other.get("/berichten/" + list[0].ID); p.status != http.StatusNotFound {
			t.Errorf("preview of a reset mail: %d", p.status)
		}

		// The link shows the form; a weak password is refused.
		p := anon.get(link)
		if p.status != http.StatusOK || !strings.Contains(p.body, `value="ann@noord.example"`) || !strings.Contains(p.body, `autocomplete="new-password"`) {
			t.Fatalf("reset page: %d %s", p.status, snippet(p.body))
		}
		if p := postWithCSRF(t, anon, link, link, url.Values{"password": {"kort"}, "password_confirm": {"kort"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Het wachtwoord is te kort.") {
			t.Errorf("weak password: %d %s", p.status, snippet(p.body))
		}
		const newPassword = "Groene giraffe leest kranten in Zwolle"
		p = postWithCSRF(t, anon, link, link, url.Values{"password": {newPassword}, "password_confirm": {newPassword}})
		if p.status != http.StatusSeeOther || p.location != "/login?melding=wachtwoord" {
			t.Fatalf("reset: %d %s %s", p.status, p.location, snippet(p.body))
		}
		if p := anon.get(p.location); !strings.Contains(p.body, "Uw wachtwoord is gewijzigd") {
			t.Error("no confirmation on the login page")
		}

		// Every session ended; the new password works, the old does not.
		if p := other.get("/organisaties"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("the old session survived the reset: %d %s", p.status, p.location)
		}
		if p := login(t, f.browser(t), "ann@noord.example", testPassword); p.status != http.StatusUnauthorized {
			t.Errorf("old password: %d", p.status)
		}
		if p := login(t, f.browser(t), "ann@noord.example", newPassword); p.status != http.StatusSeeOther {
			t.Errorf("new password: %d", p.status)
		}
		if actions := auditActions(t, st, ann.FirmID); !contains(actions, actionPasswordReset) {
			t.Errorf("audit: %v", actions)
		}

		// The link works once.
		if p := anon.get(link); p.status != http.StatusNotFound || !strings.Contains(p.body, "Deze link werkt niet meer") {
			t.Errorf("used link: %d", p.status)
		}
		if p := anon.post(link, url.Values{"csrf": {csrfFrom(t, anon, "/wachtwoord-vergeten")}, "password": {newPassword + "!"}, "password_confirm": {newPassword + "!"}}); p.status != http.StatusNotFound {
			t.Errorf("reused link: %d", p.status)
		}

		// A link expires after an hour.
		requestReset(t, anon, "ann@noord.example")
		links = queuedResetLinks(t, st, ann.FirmID)
		if len(links) != 2 {
			t.Fatalf("%d reset mails, want 2", len(links))
		}
		f.clock.Advance(time.Hour + time.Second)
		if p := anon.get(links[0]); p.status != http.StatusNotFound {
			t.Errorf("expired link: %d", p.status)
		}

		// Per address, a few mails an hour; the answer stays the same.
		for range resetsPerAddressPerHour + 1 {
			if p := requestReset(t, anon, "ann@noord.example"); p.status != http.StatusSeeOther || p.location != known.location {
				t.Errorf("limited request: %d %s", p.status, p.location)
			}
		}
		if n := len(queuedResetLinks(t, st, ann.FirmID)); n != 2+resetsPerAddressPerHour {
			t.Errorf("%d reset mails after the flood, want %d", n, 2+resetsPerAddressPerHour)
		}
		// Per client: a burst of ten requests, then 429.
		limited := false
		for range 3 {
			if p := requestReset(t, anon, "iemand@noord.example"); p.status == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Error("a client is not limited")
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestChangePassword(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		here, there := f.browser(t), f.browser(t)
		ann := signIn(t, f.fixture, here, "Adviesbureau Noord", "ann@noord.example", false)
		signIn(t, f.fixture, there, "Adviesbureau Noord", "ann@noord.example", false)
		if p := here.get("/account"); !strings.Contains(p.body, `href="/account/wachtwoord"`) {
			t.Error("the account page does not link to the password change")
		}
		const newPassword = "Paarse pinguin fietst naar Deventer"
		p := postWithCSRF(t, here, "/account/wachtwoord", "/account/wachtwoord", url.Values{"current_password": {"fout wachtwoord"}, "password": {newPassword}, "password_confirm": {newPassword}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Het huidige wachtwoord klopt niet.") {
			t.Errorf("wrong current password: %d %s", p.status, snippet(p.body))
		}
		p = postWithCSRF(t, here, "/account/wachtwoord", "/account/wachtwoord", url.Values{"current_password": {testPassword}, "password": {newPassword}, "password_confirm": {newPassword + "x"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "niet gelijk") {
			t.Errorf("mismatch: %d", p.status)
		}
		p = postWithCSRF(t, here, "/account/wachtwoord", "/account/wachtwoord", url.Values{"current_password": {testPassword}, "password": {newPassword}, "password_confirm": {newPassword}})
		if p.status != http.StatusSeeOther || p.location != "/account" {
			t.Fatalf("change: %d %s %s", p.status, p.location, snippet(p.body))
		}
		if p := here.get("/account"); p.status != http.StatusOK || !strings.Contains(p.body, "Uw wachtwoord is gewijzigd") {
			t.Errorf("this session after the change: %d", p.status)
		}
		if p := there.get("/organisaties"); p.status != http.StatusSeeOther {
			t.Errorf("the other session survived: %d", p.status)
		}
		if p := login(t, f.browser(t), ann.Email, newPassword); p.status != http.StatusSeeOther {
			t.Errorf("new password: %d", p.status)
		}
		if actions := auditActions(t, st, ann.FirmID); !contains(actions, actionPasswordChange) {
			t.Errorf("audit: %v", actions)
		}
	})
}

// finish claims every due message and records outcome for it.
func finish(t *testing.T, st *store.Store, outcome func(m survey.OutgoingMessage) store.Outcome) {
	t.Helper()
	ctx := context.Background()
	claim, msgs, err := st.ClaimMessages(ctx, time.Now(), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := st.FinishMessage(ctx, claim, m.ID, outcome(m)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMessagesPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ctx := context.Background()
		b := f.browser(t)
		ann := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", false)
		stranger := f.browser(t)
		signIn(t, f.fixture, stranger, "Adviesbureau Zuid", "zed@zuid.example", false)

		if p := b.get("/berichten"); p.status != http.StatusOK || !strings.Contains(p.body, "Er zijn nog geen berichten.") || !strings.Contains(p.body, `href="/berichten"`) {
			t.Errorf("empty page: %d", p.status)
		}
		mk := func(subject string) *survey.OutgoingMessage {
			return &survey.OutgoingMessage{FirmID: ann.FirmID, Kind: survey.MessageContactInvitation, Lang: "nl", To: []string{"Piet <piet@gemeente.example>"},
				Subject: subject, Text: "Beste Piet,\n<script>alert(1)</script>", HTML: "<p>Beste Piet</p>"}
		}
		failed, notSent, queued := mk("Geweigerd"), mk("Lokaal"), mk("Wachtend")
		if err := st.EnqueueMessages(ctx, failed, notSent); err != nil {
			t.Fatal(err)
		}
		finish(t, st, func(m survey.OutgoingMessage) store.Outcome {
			if m.ID == failed.ID {
				return store.Outcome{State: survey.MessageFailed, Reason: "550 5.1.1 mailbox unavailable", At: time.Now()}
			}
			return store.Outcome{State: survey.MessageNotSent, Reason: "niet verstuurd: geen mailserver ingesteld; data/mail/x.eml", At: time.Now()}
		})
		if err := st.EnqueueMessages(ctx, queued); err != nil {
			t.Fatal(err)
		}

		p := b.get("/berichten")
		for _, want := range []string{"Mislukt", "550 5.1.1 mailbox unavailable", "Niet verstuurd: geen mailserver ingesteld", "data/mail/x.eml", "In wachtrij", "Piet &lt;piet@gemeente.example&gt;", "Uitnodiging aan contactpersoon", `action="/berichten/` + failed.ID + `/opnieuw"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("messages page lacks %q", want)
			}
		}
		// Per diagnostic: only its messages, and only for its firm.
		d := &survey.Diagnostic{OrganisationID: f.diagOrg(t, ann.FirmID), Name: "Meting", Questionnaire: testQuestionnaire(t), Units: survey.NewUnits([]string{"A"}), State: survey.StateOpen, MinGroupSize: 5}
		if err := st.CreateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		ofDiag := mk("Bij de meting")
		ofDiag.DiagnosticID = d.ID
		if err := st.EnqueueMessages(ctx, ofDiag); err != nil {
			t.Fatal(err)
		}
		if p := b.get("/berichten?diagnose=" + d.ID); !strings.Contains(p.body, "Bij de meting") || strings.Contains(p.body, "Geweigerd") || !strings.Contains(p.body, `name="terug" value="/berichten?diagnose=`+d.ID+`"`) {
			t.Errorf("per diagnostic: %s", snippet(p.body))
		}
		if p := stranger.get("/berichten?diagnose=" + d.ID); p.status != http.StatusNotFound {
			t.Errorf("another firm's diagnostic: %d", p.status)
		}
		if p := stranger.get("/berichten"); strings.Contains(p.body, "Geweigerd") {
			t.Error("another firm sees the messages")
		}

		// Preview: the same firm only; the text is escaped; the HTML part
		// is sandboxed.
		p = b.get("/berichten/" + failed.ID)
		if p.status != http.StatusOK || !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(p.body, "<script>alert") {
			t.Errorf("preview: %d %s", p.status, snippet(p.body))
		}
		h := b.get("/berichten/" + failed.ID + "/html")
		if h.status != http.StatusOK || !strings.Contains(h.header.Get("Content-Security-Policy"), "sandbox") || h.body != "<p>Beste Piet</p>" {
			t.Errorf("HTML preview: %d %q %q", h.status, h.header.Get("Content-Security-Policy"), h.body)
		}
		for _, path := range []string{"/berichten/" + failed.ID, "/berichten/" + failed.ID + "/html"} {
			if p := stranger.get(path); p.status != http.StatusNotFound {
				t.Errorf("another firm opens %s: %d", path, p.status)
			}
		}
		if p := f.browser(t).get("/berichten"); p.status != http.StatusSeeOther {
			t.Errorf("signed out: %d", p.status)
		}

		// Resend: CSRF, same firm, back to the page it came from.
		if p := b.post("/berichten/"+failed.ID+"/opnieuw", url.Values{"terug": {"/berichten"}}); p.status != http.StatusForbidden {
			t.Errorf("resend without CSRF: %d", p.status)
		}
		if p := postWithCSRF(t, stranger, "/berichten", "/berichten/"+failed.ID+"/opnieuw", url.Values{"terug": {"/berichten"}}); p.status != http.StatusNotFound {
			t.Errorf("resend by another firm: %d", p.status)
		}
		p = postWithCSRF(t, b, "/berichten", "/berichten/"+failed.ID+"/opnieuw", url.Values{"terug": {"https://evil.example/"}})
		if p.status != http.StatusSeeOther || p.location != "/berichten" {
			t.Fatalf("resend: %d %s", p.status, p.location)
		}
		if p := b.get(p.location); !strings.Contains(p.body, "Het bericht staat weer in de wachtrij") {
			t.Error("no flash after the resend")
		}
		got, _ := st.Message(ctx, ann.FirmID, failed.ID)
		if got.State != survey.MessageQueued || got.LastError != "" {
			t.Errorf("resent message: %+v", got)
		}
		if actions := auditActions(t, st, ann.FirmID); !contains(actions, actionMessageResend) {
			t.Errorf("audit: %v", actions)
		}
	})
}

func TestInvitationIsMailed(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newAuthFixture(t, st)
	admin := f.browser(t)
	ann := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
	p := postWithCSRF(t, admin, "/team", "/team/uitnodigingen", url.Values{"email": {"dirk@noord.example"}})
	link := reInviteLink.FindString(p.body)
	if p.status != http.StatusOK || link == "" || !strings.Contains(p.body, "ook per e-mail naar dirk@noord.example") {
		t.Fatalf("invite: %d %s", p.status, snippet(p.body))
	}
	ctx := context.Background()
	list, err := st.ListMessages(ctx, ann.FirmID, "")
	if err != nil || len(list) != 1 || list[0].Kind != survey.MessageColleagueInvitation || list[0].To[0] != "dirk@noord.example" {
		t.Fatalf("queued: %+v %v", list, err)
	}
	m, _ := st.Message(ctx, ann.FirmID, list[0].ID)
	if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) || !strings.Contains(m.Text, "ann@noord.example nodigt u uit") || !strings.Contains(m.Text, "ann@noord.example invites you") {
		t.Errorf("invitation mail: %q", m.Text)
	}
	if strings.Index(m.Text, "nodigt u uit") > strings.Index(m.Text, "invites you") {
		t.Error("the mail is not Dutch first")
	}
}

// diagOrg stores an organisation of the firm and returns its id.
func (f *fixture) diagOrg(t *testing.T, firmID string) string {
	t.Helper()
	o := &survey.Organisation{FirmID: firmID, Name: "Gemeente Berichten", Sector: survey.SectorMunicipality}
	if err := f.store.CreateOrganisation(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func testQuestionnaire(t *testing.T) survey.Questionnaire {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return *q
}
