package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// sessionID returns the session cookie b holds, or "".
func sessionID(t *testing.T, f *fixture, b *browser) string {
	t.Helper()
	u, _ := url.Parse(f.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

func TestLoginPageIsAccessible(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		p := f.browser(t).get("/login?next=/account")
		if p.status != http.StatusOK || p.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("login page: %d %v", p.status, p.header)
		}
		for _, want := range []string{
			`<label class="label" for="email">E-mailadres</label>`, `autocomplete="username"`, `type="email"`,
			`<label class="label" for="password">Wachtwoord</label>`, `autocomplete="current-password"`,
			`name="next" value="/account"`, `name="csrf"`, `lang="nl"`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("login page lacks %s", want)
			}
		}
		if en := f.browser(t).get("/login?lang=en"); !strings.Contains(en.body, "Email address") || !strings.Contains(en.body, `lang="en"`) {
			t.Error("English login page")
		}
	})
}

func TestLoginAndLogout(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		cons := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)

		// Without a session, pages send to the login page and back.
		p := b.get("/account?x=1")
		if p.status != http.StatusSeeOther || p.location != "/login?next=%2Faccount%3Fx%3D1" {
			t.Fatalf("anonymous /account: %d %s", p.status, p.location)
		}
		form := url.Values{"csrf": {csrfFrom(t, b, p.location)}, "email": {"ANN@noord.example "}, "password": {testPassword}, "next": {"/account?x=1"}}
		p = b.post("/login", form)
		if p.status != http.StatusSeeOther || p.location != "/account?x=1" {
			t.Fatalf("login: %d %s %s", p.status, p.location, snippet(p.body))
		}
		var ck *http.Cookie
		for _, c := range (&http.Response{Header: p.header}).Cookies() {
			if c.Name == sessionCookie {
				ck = c
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || len(ck.Value) < 40 {
			t.Fatalf("session cookie %+v", ck)
		}
		// Only the hash of the id is stored.
		if _, _, err := st.SessionConsultant(context.Background(), ck.Value); err != nil {
			t.Fatal(err)
		}
		page := b.get("/account?x=1")
		if page.status != http.StatusOK || !strings.Contains(page.body, "ann@noord.example") || page.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("account after login: %d", page.status)
		}
		// Signed in, the login page sends on.
		if p := b.get("/login"); p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
			t.Errorf("login page while signed in: %d %s", p.status, p.location)
		}

		p = postWithCSRF(t, b, "/account", "/logout", nil)
		if p.status != http.StatusSeeOther || p.location != "/login?melding=uitgelogd" {
			t.Fatalf("logout: %d %s", p.status, p.location)
		}
		if _, _, err := st.SessionConsultant(context.Background(), ck.Value); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Error("the session survives logout")
		}
		if p := b.get("/account"); p.status != http.StatusSeeOther {
			t.Errorf("account after logout: %d", p.status)
		}
		if p := b.get("/login?melding=uitgelogd"); !strings.Contains(p.body, "U bent uitgelogd.") {
			t.Error("no logout notice")
		}
		if got := auditActions(t, st, cons.FirmID); strings.Join(got, ",") != "logout,login" {
			t.Errorf("audit %v", got)
		}
	})
}

func TestLoginValidationAndUniformFailure(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		cons := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)

		p := login(t, b, "", "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul uw e-mailadres in.") ||
			!strings.Contains(p.body, "Vul uw wachtwoord in.") || !strings.Contains(p.body, `class="error-summary"`) ||
			!strings.Contains(p.body, `href="#email"`) || !strings.Contains(p.body, "<title>Fout:") {
			t.Fatalf("empty form: %d %s", p.status, snippet(p.body))
		}

		wrong := login(t, b, "ann@noord.example", "niet het wachtwoord van ann")
		unknown := login(t, b, "niemand@noord.example", "niet het wachtwoord van ann")
		for _, p := range []page{wrong, unknown} {
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Het e-mailadres of het wachtwoord is onjuist") {
				t.Fatalf("failed login: %d %s", p.status, snippet(p.body))
			}
		}
		// The two failures look the same apart from the address typed.
		strip := func(body string) string {
			body = regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(body, "")
			return body
		}
		if strip(wrong.body) != strip(unknown.body) {
			t.Error("a wrong password and an unknown address give different pages")
		}
		if !strings.Contains(wrong.body, `value="ann@noord.example"`) {
			t.Error("the address typed is not kept")
		}

		b.get("/login?lang=en")
		p = login(t, b, "", "x")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Enter your email address.") {
			t.Fatalf("English validation: %s", snippet(p.body))
		}
		p = login(t, b, "ann@noord.example", "wrong")
		if !strings.Contains(p.body, "The email address or password is wrong") {
			t.Fatalf("English failure: %s", snippet(p.body))
		}
		// Only failures of existing accounts are audited.
		if got := auditActions(t, st, cons.FirmID); strings.Join(got, ",") != "login_failed,login_failed" {
			t.Errorf("audit %v", got)
		}
	})
}

func TestLoginNeedsCSRFToken(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)
		b.get("/login")
		for _, path := range []string{"/login", "/login/totp", "/logout", "/uitnodiging/x"} {
			if p := b.post(path, url.Values{"email": {"ann@noord.example"}, "password": {testPassword}}); p.status != http.StatusForbidden {
				t.Errorf("POST %s without CSRF token: %d, want 403", path, p.status)
			}
		}
		// A signed-in browser's logout needs the token too.
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		if p := b.post("/logout", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("logout without token: %d", p.status)
		}
		if p := b.get("/account"); p.status != http.StatusOK {
			t.Error("the failed logout ended the session")
		}
	})
}

func TestLoginRedirectsOnlyWithinTheSite(t *testing.T) {
	for next, want := range map[string]string{
		"/account":                      "/account",
		"/organisaties/x?lang=en":       "/organisaties/x?lang=en",
		"":                              defaultAfterLoginPath,
		"//evil.example/x":              defaultAfterLoginPath,
		"/\\evil.example":               defaultAfterLoginPath,
		"https://evil.example/":         defaultAfterLoginPath,
		"account":                       defaultAfterLoginPath,
		"/login":                        defaultAfterLoginPath,
		"/login/totp":                   defaultAfterLoginPath,
		"/logout":                       defaultAfterLoginPath,
		"/x\r\nSet-Cookie: a=b":         defaultAfterLoginPath,
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example",
		"javascript:alert(1)":           defaultAfterLoginPath,
		"/" + strings.Repeat("a", 3000): defaultAfterLoginPath,
	} {
		if got := localPath(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)
		form := url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {"ann@noord.example"}, "password": {testPassword}, "next": {"//evil.example"}}
		if p := b.post("/login", form); p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
			t.Errorf("login with a foreign next: %d %s", p.status, p.location)
		}
	})
}

func TestRepeatedFailuresLockTheAccount(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		cons := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)
		for i := range auth.MaxFailedLogins {
			if p := login(t, b, "ann@noord.example", "geraden wachtwoord"); p.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, p.status)
			}
		}
		// Locked: even the right password gets the uniform message.
		p := login(t, b, "ann@noord.example", testPassword)
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "tijdelijk geblokkeerd") {
			t.Fatalf("locked account: %d %s", p.status, snippet(p.body))
		}
		f.clock.Advance(auth.Lockout)
		if p := login(t, b, "ann@noord.example", testPassword); p.status != http.StatusSeeOther {
			t.Fatalf("after the lock-out: %d", p.status)
		}
		got := auditActions(t, st, cons.FirmID)
		want := "login,login_failed,login_locked,login_failed,login_failed,login_failed,login_failed,login_failed"
		if strings.Join(got, ",") != want {
			t.Errorf("audit %v, want %s", got, want)
		}
	})
}

func TestLoginIsRateLimitedPerClient(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		token := csrfFrom(t, b, "/login")
		limited := 0
		for range 14 {
			p := b.post("/login", url.Values{"csrf": {token}, "email": {"x@y.example"}, "password": {"abc"}})
			if p.status == http.StatusTooManyRequests {
				limited++
				if p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "te veel pogingen") {
					t.Errorf("429 page: %v %s", p.header, snippet(p.body))
				}
			}
		}
		if limited == 0 {
			t.Fatal("14 quick attempts were all let through")
		}
		// Reading pages is not limited.
		if p := b.get("/login"); p.status != http.StatusOK {
			t.Errorf("GET /login: %d", p.status)
		}
		if strings.Contains(f.logs.String(), "127.0.0.1") {
			t.Error("the client address was logged")
		}
	})
}

func TestSessionsExpire(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		ctx := context.Background()

		// Idle expiry.
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		f.clock.Advance(auth.SessionIdle - time.Minute)
		if p := b.get("/account"); p.status != http.StatusOK {
			t.Fatalf("within the idle time: %d", p.status)
		}
		id := sessionID(t, f.fixture, b)
		sess, _, _ := st.SessionConsultant(ctx, id)
		if !sess.LastSeenAt.Equal(f.clock.Now()) {
			t.Error("last seen not recorded")
		}
		// Within a minute nothing is written.
		f.clock.Advance(30 * time.Second)
		b.get("/account")
		if s2, _, _ := st.SessionConsultant(ctx, id); !s2.LastSeenAt.Equal(sess.LastSeenAt) {
			t.Error("last seen written twice within a minute")
		}
		f.clock.Advance(auth.SessionIdle)
		if p := b.get("/account"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Fatalf("after the idle time: %d", p.status)
		}
		if _, _, err := st.SessionConsultant(ctx, id); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Error("the idle session was not deleted")
		}

		// Absolute expiry, however active.
		b = f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		for range 11 {
			f.clock.Advance(time.Hour)
			if p := b.get("/account"); p.status != http.StatusOK {
				t.Fatalf("active session ended early: %d", p.status)
			}
		}
		f.clock.Advance(time.Hour)
		if p := b.get("/account"); p.status != http.StatusSeeOther {
			t.Fatalf("session older than %v: %d", auth.SessionLifetime, p.status)
		}
	})
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
	s, err := New(Config{BaseURL: "https://uk.example"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, store: st}
	b := f.browser(t)
	// The jar keeps Secure cookies away from this http test server, so the
	// CSRF cookie is sent by hand.
	first := b.get("/login")
	_, form := formOf(t, first.body)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/login", strings.NewReader(url.Values{
		"csrf": {form.Get("csrf")}, "email": {"ann@noord.example"}, "password": {testPassword},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "uk_csrf", Value: form.Get("csrf")})
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	found := false
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			found = true
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie on https: %+v", c)
			}
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !found {
		t.Fatalf("login on https: %d, cookie %v", resp.StatusCode, found)
	}
}

func TestDisabledAccountCannotSignIn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		cons := ensureConsultant(t, st, "Adviesbureau Noord", "bob@noord.example", false)
		if err := st.SetConsultantDisabled(context.Background(), cons.FirmID, cons.ID, true); err != nil {
			t.Fatal(err)
		}
		if p := login(t, f.browser(t), "bob@noord.example", testPassword); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Het e-mailadres of het wachtwoord is onjuist") {
			t.Fatalf("disabled account: %d", p.status)
		}
	})
}

func TestPasswordIsRehashedWhenParametersChange(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		// ensureConsultant hashes with the default parameters; the fixture's
		// hasher uses cheaper ones, so it rehashes.
		cons := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		signIn(t, f.fixture, f.browser(t), "Adviesbureau Noord", "ann@noord.example", true)
		creds, err := st.Credentials(context.Background(), cons.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(creds.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("not rehashed: %s", creds.PasswordHash)
		}
		signIn(t, f.fixture, f.browser(t), "Adviesbureau Noord", "ann@noord.example", true)
	})
}

// The password reaches neither the logs, nor the audit log, nor a page.
func TestPasswordIsNeverLoggedOrAudited(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		b := f.browser(t)
		secrets := []string{"Geheime-Kastanje-Wals-7731", testPassword, "Nieuwe zebra danst tango in Zwolle"}
		p := login(t, b, "ann@noord.example", secrets[0])
		pages := []string{p.body}
		pages = append(pages, login(t, b, "ann@noord.example", secrets[0]+"x").body)
		pages = append(pages, login(t, b, "onbekend@noord.example", secrets[0]).body)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		link := invite(t, b, "dirk@noord.example")
		anon := f.browser(t)
		pages = append(pages, postWithCSRF(t, anon, link, link, url.Values{"password": {secrets[2]}, "password_confirm": {secrets[2] + "!"}}).body)
		if p := postWithCSRF(t, anon, link, link, url.Values{"password": {secrets[2]}, "password_confirm": {secrets[2]}}); p.status != http.StatusSeeOther {
			t.Fatalf("accept: %d", p.status)
		}
		pages = append(pages, login(t, anon, "dirk@noord.example", secrets[2]+"?").body)
		pages = append(pages, postWithCSRF(t, b, "/account", "/account/tweestapsverificatie/uitzetten", url.Values{"password": {secrets[1]}}).body)

		entries, err := st.ListAudit(context.Background(), admin.FirmID, 500, 0)
		if err != nil || len(entries) < 5 {
			t.Fatalf("audit: %d entries, %v", len(entries), err)
		}
		for _, secret := range secrets {
			if strings.Contains(f.logs.String(), secret) {
				t.Errorf("the log holds a password")
			}
			for _, e := range entries {
				if strings.Contains(e.Detail+e.TargetID+e.Email+e.Action, secret) {
					t.Errorf("audit entry %+v holds a password", e)
				}
			}
			for _, body := range pages {
				if strings.Contains(body, secret) {
					t.Errorf("a page shows a password")
				}
			}
		}
		if f.logs.String() == "" {
			t.Fatal("nothing was logged: the test proves nothing")
		}
	})
}

func TestRequireConsultantAndAdmin(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		anon := f.browser(t)
		for _, path := range []string{"/account", "/team", "/audit", "/account/tweestapsverificatie"} {
			p := anon.get(path)
			if p.status != http.StatusSeeOther || p.location != "/login?next="+url.QueryEscape(path) {
				t.Errorf("anonymous GET %s: %d %s", path, p.status, p.location)
			}
		}
		// A form posted without a session goes to the login page, not back.
		anon.get("/login")
		token := csrfFrom(t, anon, "/login")
		if p := anon.post("/account/tokens", url.Values{"csrf": {token}, "name": {"x"}}); p.status != http.StatusSeeOther || p.location != "/login" {
			t.Errorf("anonymous POST: %d %s", p.status, p.location)
		}
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "bob@noord.example", false)
		for _, path := range []string{"/team", "/audit"} {
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("non-admin GET %s: %d, want 404", path, p.status)
			}
		}
		for _, path := range []string{"/team/uitnodigingen", "/team/tweestapsverificatie", "/team/x/uitschakelen"} {
			if p := postWithCSRF(t, b, "/account", path, url.Values{"email": {"x@y.example"}, "require": {"1"}}); p.status != http.StatusNotFound {
				t.Errorf("non-admin POST %s: %d, want 404", path, p.status)
			}
		}
		if p := b.get("/account"); strings.Contains(p.body, `href="/team"`) {
			t.Error("a non-admin sees the team link")
		}
	})
}

// Every state-changing route of the account pages refuses a post without
// the CSRF token, before it changes anything.
func TestAccountRoutesNeedCSRFToken(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		cons := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		for _, path := range []string{
			"/logout", "/account/tweestapsverificatie", "/account/tweestapsverificatie/bevestigen",
			"/account/tweestapsverificatie/uitzetten", "/account/herstelcodes", "/account/tokens",
			"/account/tokens/x/intrekken", "/team/uitnodigingen", "/team/uitnodigingen/x/intrekken",
			"/team/tweestapsverificatie", "/team/" + cons.ID + "/uitschakelen", "/team/" + cons.ID + "/inschakelen",
		} {
			if p := b.post(path, url.Values{"require": {"1"}, "name": {"x"}, "email": {"x@y.example"}}); p.status != http.StatusForbidden {
				t.Errorf("POST %s without CSRF token: %d, want 403", path, p.status)
			}
		}
		if firm, _ := st.FirmByID(context.Background(), cons.FirmID); firm.RequireTOTP {
			t.Error("a refused post changed the firm")
		}
		if creds, _ := st.Credentials(context.Background(), cons.ID); creds.TOTPPendingSecret != "" {
			t.Error("a refused post started a set-up")
		}
		if got := auditActions(t, st, cons.FirmID); len(got) != 1 {
			t.Errorf("audit after refused posts: %v", got)
		}
	})
}

func TestCodePageValidation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		setUpTOTP(t, f, b)
		postWithCSRF(t, b, "/account", "/logout", nil)
		// Without a pending session the code page sends to the login page.
		if p := b.get("/login/totp"); p.status != http.StatusSeeOther || p.location != "/login?melding=verlopen" {
			t.Errorf("code page without a session: %d %s", p.status, p.location)
		}
		login(t, b, "ann@noord.example", testPassword)
		p := postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {" "}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul de code van zes cijfers uit uw app in.") || !strings.Contains(p.body, `href="#code"`) {
			t.Fatalf("empty code: %d %s", p.status, snippet(p.body))
		}
		p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"mode": {"recovery"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul een herstelcode in.") || !strings.Contains(p.body, `href="#recovery"`) {
			t.Fatalf("empty recovery code: %d", p.status)
		}
		b.get("/login/totp?lang=en")
		p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {"12"}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "The code is wrong or has been used.") {
			t.Fatalf("English wrong code: %d", p.status)
		}
		p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"mode": {"recovery"}, "recovery": {""}})
		if !strings.Contains(p.body, "Enter a recovery code.") {
			t.Error("English empty recovery code")
		}
		// After the second factor times out, the code page is gone.
		f.clock.Advance(auth.SecondFactorTimeout)
		if p := b.get("/login/totp"); p.status != http.StatusSeeOther {
			t.Errorf("code page after the timeout: %d", p.status)
		}
	})
}
