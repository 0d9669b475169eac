package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var reInviteLink = regexp.MustCompile(`http://uk\.test(/uitnodiging/[A-Za-z0-9_-]{43})`)

// invite invites email from the signed-in administrator's team page and
// returns the path of the link.
func invite(t *testing.T, b *browser, email string) string {
	t.Helper()
	p := postWithCSRF(t, b, "/team", "/team/uitnodigingen", url.Values{"email": {email}})
	m := reInviteLink.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("invite %s: %d %s", email, p.status, snippet(p.body))
	}
	return m[1]
}

func TestTeamPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "bob@noord.example", false)
		ensureConsultant(t, st, "Bureau Zuid", "cor@zuid.example", true)
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		p := b.get("/team")
		if p.status != http.StatusOK {
			t.Fatalf("team: %d", p.status)
		}
		for _, want := range []string{"ann@noord.example (u)", "bob@noord.example", `<label class="label" for="invite-email">`, `<label for="invite-admin">`, `<label for="require-totp">`, `<caption>`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("team page lacks %s", want)
			}
		}
		if strings.Contains(p.body, "cor@zuid.example") {
			t.Error("the team page shows another firm's consultant")
		}
		// No disable button for oneself.
		if strings.Count(p.body, "/uitschakelen") != 1 {
			t.Errorf("%d disable buttons, want 1 (for bob)", strings.Count(p.body, "/uitschakelen"))
		}
		if en := b.get("/team?lang=en"); !strings.Contains(en.body, "Invite someone") {
			t.Error("English team page")
		}
	})
}

func TestInvitationFlow(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		ann := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)

		for email, want := range map[string]string{"": "Vul uw e-mailadres in.", "geen-adres": "Vul een geldig e-mailadres in", "ANN@noord.example": "Er is al een adviseur met dit e-mailadres in uw team."} {
			p := postWithCSRF(t, admin, "/team", "/team/uitnodigingen", url.Values{"email": {email}, "admin": {"1"}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, want) || !strings.Contains(p.body, `href="#invite-email"`) {
				t.Errorf("invite %q: %d, want %q", email, p.status, want)
			}
			if email != "" && !strings.Contains(p.body, `value="`+email+`"`) {
				t.Errorf("invite %q: the input is not kept", email)
			}
		}
		admin.get("/team?lang=en")
		if p := postWithCSRF(t, admin, "/team", "/team/uitnodigingen", url.Values{"email": {"x"}}); !strings.Contains(p.body, "Enter a valid email address") {
			t.Error("English message")
		}
		admin.get("/team?lang=nl")
		if p := admin.post("/team/uitnodigingen", url.Values{"email": {"dirk@noord.example"}}); p.status != http.StatusForbidden {
			t.Errorf("invite without CSRF token: %d", p.status)
		}

		link := invite(t, admin, "Dirk@Noord.example")
		if p := admin.get("/team"); !strings.Contains(p.body, "dirk@noord.example") || reInviteLink.MatchString(p.body) {
			t.Error("the invitation is not listed, or its link is shown again")
		}

		dirk := f.browser(t)
		p := dirk.get(link)
		for _, want := range []string{"Adviesbureau Noord", `value="dirk@noord.example"`, `autocomplete="username"`, `autocomplete="new-password"`, `<label class="label" for="password_confirm">`} {
			if p.status != http.StatusOK || !strings.Contains(p.body, want) {
				t.Errorf("invitation page lacks %s (%d)", want, p.status)
			}
		}
		for _, tc := range []struct{ password, confirm, want string }{
			{"kort", "kort", "Het wachtwoord is te kort."},
			{"welkom123456", "welkom123456", "te makkelijk te raden"},
			{"adviesbureaunoord", "adviesbureaunoord", "te makkelijk te raden"},
			{"Nieuwe zebra danst tango", "Nieuwe zebra danst tangO", "De twee wachtwoorden zijn niet gelijk."},
			{strings.Repeat("lang ", 60), strings.Repeat("lang ", 60), "Het wachtwoord is te lang."},
		} {
			p := postWithCSRF(t, dirk, link, link, url.Values{"password": {tc.password}, "password_confirm": {tc.confirm}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) || !strings.Contains(p.body, `class="error-summary"`) {
				t.Errorf("password %q: %d, want %q", tc.password, p.status, tc.want)
			}
		}
		dirk.get(link + "?lang=en")
		if p := postWithCSRF(t, dirk, link, link, url.Values{"password": {"short"}}); !strings.Contains(p.body, "The password is too short.") {
			t.Error("English password message")
		}
		dirk.get(link + "?lang=nl")
		p = postWithCSRF(t, dirk, link, link, url.Values{"password": {"Nieuwe zebra danst tango"}, "password_confirm": {"Nieuwe zebra danst tango"}})
		if p.status != http.StatusSeeOther || p.location != "/login?melding=account" {
			t.Fatalf("accept: %d %s %s", p.status, p.location, snippet(p.body))
		}
		if p := dirk.get(p.location); !strings.Contains(p.body, "De uitnodiging is verwerkt") {
			t.Error("no notice after accepting")
		}
		if p := login(t, dirk, "dirk@noord.example", "Nieuwe zebra danst tango"); p.status != http.StatusSeeOther {
			t.Fatalf("new consultant signs in: %d", p.status)
		}
		// The link works once.
		if p := f.browser(t).get(link); p.status != http.StatusNotFound || !strings.Contains(p.body, "Deze uitnodiging werkt niet") {
			t.Errorf("used link: %d", p.status)
		}
		got := strings.Join(auditActions(t, st, ann.FirmID), ",")
		if !strings.Contains(got, "login,accept_invitation,invite") {
			t.Errorf("audit %s", got)
		}
	})
}

func TestInvitationsExpireAndCanBeWithdrawn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		expiring := invite(t, admin, "eva@noord.example")
		f.clock.Advance(auth.InvitationLifetime)
		if p := f.browser(t).get(expiring); p.status != http.StatusNotFound {
			t.Errorf("expired link: %d", p.status)
		}
		// A week later the administrator signs in afresh.
		admin = f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		if p := admin.get("/team"); !strings.Contains(p.body, "Verlopen") {
			t.Error("expired invitation not marked")
		}
		withdrawn := invite(t, admin, "fien@noord.example")

		invs, err := st.ListInvitations(context.Background(), consultantFirmID(t, st, "ann@noord.example"))
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, inv := range invs {
			if inv.Email == "fien@noord.example" {
				id = inv.ID
			}
		}
		// Another firm's administrator cannot withdraw it.
		other := f.browser(t)
		signIn(t, f.fixture, other, "Bureau Zuid", "cor@zuid.example", true)
		if p := postWithCSRF(t, other, "/team", "/team/uitnodigingen/"+id+"/intrekken", nil); p.status != http.StatusNotFound {
			t.Errorf("cross-firm withdraw: %d, want 404", p.status)
		}
		if p := admin.post("/team/uitnodigingen/"+id+"/intrekken", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("withdraw without CSRF token: %d", p.status)
		}
		p := postWithCSRF(t, admin, "/team", "/team/uitnodigingen/"+id+"/intrekken", nil)
		if p.status != http.StatusSeeOther || p.location != "/team?melding=ingetrokken" {
			t.Fatalf("withdraw: %d %s", p.status, p.location)
		}
		if p := f.browser(t).get(withdrawn); p.status != http.StatusNotFound {
			t.Errorf("withdrawn link: %d", p.status)
		}
		if p := f.browser(t).get("/uitnodiging/onzin"); p.status != http.StatusNotFound {
			t.Errorf("unknown link: %d", p.status)
		}
	})
}

func consultantFirmID(t *testing.T, st *store.Store, email string) string {
	t.Helper()
	c, err := st.ConsultantByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return c.FirmID
}

func TestDisablingAConsultant(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		ann := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		bobB := f.browser(t)
		bob := signIn(t, f.fixture, bobB, "Adviesbureau Noord", "bob@noord.example", false)
		corB := f.browser(t)
		cor := signIn(t, f.fixture, corB, "Bureau Zuid", "cor@zuid.example", true)

		// Another firm's consultant: not found, not forbidden.
		for _, path := range []string{"/team/" + bob.ID + "/uitschakelen", "/team/" + bob.ID + "/inschakelen"} {
			if p := postWithCSRF(t, corB, "/team", path, nil); p.status != http.StatusNotFound {
				t.Errorf("cross-firm %s: %d, want 404", path, p.status)
			}
		}
		if p := bobB.get("/organisaties"); p.status != http.StatusOK {
			t.Fatal("another firm's attempt affected bob")
		}
		if p := admin.post("/team/"+bob.ID+"/uitschakelen", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("disable without CSRF token: %d", p.status)
		}
		// Not oneself.
		p := postWithCSRF(t, admin, "/team", "/team/"+ann.ID+"/uitschakelen", nil)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "U kunt uw eigen account niet uitschakelen.") {
			t.Fatalf("disable self: %d", p.status)
		}
		admin.get("/team?lang=en")
		if p := postWithCSRF(t, admin, "/team", "/team/"+ann.ID+"/uitschakelen", nil); !strings.Contains(p.body, "You cannot disable your own account.") {
			t.Error("English message")
		}
		admin.get("/team?lang=nl")

		p = postWithCSRF(t, admin, "/team", "/team/"+bob.ID+"/uitschakelen", nil)
		if p.status != http.StatusSeeOther || p.location != "/team?melding=uitgeschakeld" {
			t.Fatalf("disable: %d %s", p.status, p.location)
		}
		// Bob's session ended at once.
		if p := bobB.get("/organisaties"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("disabled consultant's session: %d", p.status)
		}
		if p := login(t, f.browser(t), "bob@noord.example", testPassword); p.status != http.StatusUnauthorized {
			t.Errorf("disabled consultant signs in: %d", p.status)
		}
		if p := admin.get("/team"); !strings.Contains(p.body, "Uitgeschakeld") || !strings.Contains(p.body, "/team/"+bob.ID+"/inschakelen") {
			t.Error("team page does not show bob as disabled")
		}

		if p := postWithCSRF(t, admin, "/team", "/team/"+bob.ID+"/inschakelen", nil); p.status != http.StatusSeeOther {
			t.Fatalf("enable: %d", p.status)
		}
		signIn(t, f.fixture, bobB, "Adviesbureau Noord", "bob@noord.example", false)
		if p := postWithCSRF(t, admin, "/team", "/team/nope/uitschakelen", nil); p.status != http.StatusNotFound {
			t.Errorf("unknown id: %d", p.status)
		}
		got := strings.Join(auditActions(t, st, ann.FirmID), ",")
		if !strings.Contains(got, "enable,") || !strings.Contains(got, "disable,") {
			t.Errorf("audit %s", got)
		}
		if got := strings.Join(auditActions(t, st, cor.FirmID), ","); strings.Contains(got, "disable") {
			t.Errorf("other firm's audit %s", got)
		}
	})
}

func TestAuditPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		ann := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		cor := ensureConsultant(t, st, "Bureau Zuid", "cor@zuid.example", true)
		ctx := context.Background()
		for i := range 120 {
			e := &survey.AuditEntry{FirmID: ann.FirmID, ConsultantID: ann.ID, Email: ann.Email, Action: "create", TargetType: "organisation", TargetID: fmt.Sprintf("org-%03d", i), Detail: fmt.Sprintf("Gemeente %03d <b>X</b>", i)}
			if err := st.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.AddAudit(ctx, &survey.AuditEntry{FirmID: cor.FirmID, Action: "create", TargetID: "zuid-geheim"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddAudit(ctx, &survey.AuditEntry{FirmID: ann.FirmID, Action: "user_create", TargetType: "consultant", TargetID: "x"}); err != nil {
			t.Fatal(err)
		}
		p := admin.get("/audit")
		if p.status != http.StatusOK {
			t.Fatalf("audit: %d", p.status)
		}
		rows := strings.Count(p.body, `<tr><td class="nowrap">`)
		if rows != auditPageSize {
			t.Errorf("page 1 has %d rows, want %d", rows, auditPageSize)
		}
		first := strings.Index(p.body, "Systeem (opdrachtregel)")
		if first < 0 || first > strings.Index(p.body, "Gemeente 119") || !strings.Contains(p.body, "<td>Organisatie ‘Gemeente 119 &lt;b&gt;X&lt;/b&gt;’ aangemaakt</td>") || !strings.Contains(p.body, "Account (onbekend) aangemaakt via de opdrachtregel") {
			t.Error("page 1 does not start with the newest entries")
		}
		// An unknown consultant's id is not shown in its place.
		if strings.Contains(p.body, "<td>x</td>") || strings.Contains(p.body, " x<") || strings.Contains(p.body, "org-119") {
			t.Error("the audit log shows ids")
		}
		if strings.Contains(p.body, "<b>X</b>") || !strings.Contains(p.body, "&lt;b&gt;X&lt;/b&gt;") {
			t.Error("details are not escaped")
		}
		if !strings.Contains(p.body, `href="/audit?pagina=2"`) || strings.Contains(p.body, `rel="prev"`) {
			t.Error("page 1 links")
		}
		p = admin.get("/audit?pagina=3")
		if rows := strings.Count(p.body, `<tr><td class="nowrap">`); rows != 122-2*auditPageSize {
			t.Errorf("page 3 has %d rows", rows)
		}
		if !strings.Contains(p.body, "Ingelogd") || strings.Contains(p.body, `rel="next"`) || !strings.Contains(p.body, `href="/audit?pagina=2"`) {
			t.Error("page 3: the oldest entry (the login) or the links are wrong")
		}
		if strings.Contains(p.body, "zuid-geheim") || strings.Contains(admin.get("/audit?pagina=2").body, "zuid-geheim") {
			t.Error("another firm's entry is shown")
		}
		for _, bad := range []string{"0", "-1", "x"} {
			if p := admin.get("/audit?pagina=" + bad); p.status != http.StatusNotFound {
				t.Errorf("page %q: %d", bad, p.status)
			}
		}
		if en := admin.get("/audit?lang=en"); !strings.Contains(en.body, "Audit log") || !strings.Contains(en.body, "Created organisation ‘Gemeente 119") {
			t.Error("English audit page")
		}
	})
}
