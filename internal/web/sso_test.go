package web

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso/ssotest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// ssoFixture is a server with an OpenID provider of its own in the test
// process, on the server's clock.
type ssoFixture struct {
	*authFixture
	iss     *ssotest.Issuer
	clients int
}

func newSSOFixture(t *testing.T, st *store.Store) *ssoFixture {
	t.Helper()
	clock := newTestClock()
	logs := &syncBuffer{}
	// The tests sign in more often than the per-client limit allows one
	// client: every browser gets an address of its own, which the server
	// believes from its loopback "proxy".
	s, err := New(Config{BaseURL: "http://uk.test", TrustedProxies: []string{"127.0.0.0/8"}}, Deps{
		Store: st, Accounts: st, Files: uitvoeringskracht.Templates, Now: clock.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.signIn = signInPolicy{hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &authFixture{fixture: &fixture{srv: srv, store: st, logs: logs}, clock: clock, srvr: s}
	iss := ssotest.New()
	t.Cleanup(iss.Close)
	iss.SetNow(clock.Now)
	return &ssoFixture{authFixture: f, iss: iss}
}

// browser returns a browser with a client address of its own.
func (f *ssoFixture) browser(t testing.TB) *browser {
	b := f.fixture.browser(t)
	f.clients++
	b.c.Transport = forwardedFor{addr: fmt.Sprintf("198.51.100.%d", f.clients%250+1)}
	return b
}

// forwardedFor sends X-Forwarded-For with every request.
type forwardedFor struct{ addr string }

func (x forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", x.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// configureSSO gives the firm the fixture's provider for the domains.
func (f *ssoFixture) configureSSO(t *testing.T, firmName string, passwordAllowed, jit bool, domains ...string) *survey.Firm {
	t.Helper()
	ctx := context.Background()
	firm, err := f.store.FirmByName(ctx, firmName)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		firm = &survey.Firm{Name: firmName}
		err = f.store.CreateFirm(ctx, firm)
	}
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.SaveSSOProvider(ctx, &survey.SSOProvider{
		FirmID: firm.ID, DisplayName: "Microsoft", IssuerURL: f.iss.URL, ClientID: f.iss.ClientID,
		ClientSecret: f.iss.ClientSecret, Domains: domains, PasswordAllowed: passwordAllowed, JITAllowed: jit,
	})
	if err != nil {
		t.Fatal(err)
	}
	return firm
}

// toProvider types the address on the login page (no password) and
// presses "Inloggen met ..." when the page offers it; it returns the
// redirect to the provider.
func toProvider(t *testing.T, b *browser, email string) page {
	t.Helper()
	p := b.post("/login", url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {email}})
	if p.status == http.StatusOK {
		if !strings.Contains(p.body, "Inloggen met Microsoft") {
			t.Fatalf("no single sign-on offered for %s: %s", email, snippet(p.body))
		}
		action, form := formOf(t, p.body)
		if action != "/login/sso" || form.Get("email") != email {
			t.Fatalf("first form is %s %v", action, form)
		}
		p = b.post(action, form)
	}
	if p.status != http.StatusSeeOther {
		t.Fatalf("not sent to the provider: %d %s", p.status, snippet(p.body))
	}
	return p
}

// atProvider follows the redirect to the provider, which signs its user
// in at once, and returns the callback path (with its query) the provider
// sends the browser back to.
func atProvider(t *testing.T, f *ssoFixture, p page) string {
	t.Helper()
	if !strings.HasPrefix(p.location, f.iss.URL+"/authorize?") {
		t.Fatalf("redirect to %q, not the provider", p.location)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(p.location)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || back.Host != "uk.test" || back.Path != ssoCallbackPath {
		t.Fatalf("provider answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.RequestURI()
}

// ssoSignIn runs the whole sign-in and returns the callback's answer.
func ssoSignIn(t *testing.T, f *ssoFixture, b *browser, email string) page {
	t.Helper()
	return b.get(atProvider(t, f, toProvider(t, b, email)))
}

// signedIn reports whether b has a full session.
func signedIn(t *testing.T, b *browser) bool {
	t.Helper()
	p := b.get("/organisaties")
	return p.status == http.StatusOK
}

func auditDetails(t *testing.T, st *store.Store, firmID string) []string {
	t.Helper()
	entries, err := st.ListAudit(context.Background(), firmID, 500, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action+"|"+e.Email+"|"+e.Detail)
	}
	return out
}

func hasEntry(entries []string, prefix string) bool {
	for _, e := range entries {
		if strings.HasPrefix(e, prefix) {
			return true
		}
	}
	return false
}

func TestSSOSignIn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		firm := f.configureSSO(t, "Adviesbureau Noord", true, false, "noord.example")
		if err := st.SetFirmRequireTOTP(context.Background(), firm.ID, true); err != nil {
			t.Fatal(err)
		}
		ann := ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", false)
		b := f.browser(t)

		// Typed in capitals: the domain still leads to the provider.
		p := ssoSignIn(t, f, b, "Ann@Noord.Example")
		if p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
			t.Fatalf("callback: %d %s %s", p.status, p.location, snippet(p.body))
		}
		// The firm requires TOTP, but the provider's MFA counts: no
		// detour to the set-up page.
		if w := b.get("/organisaties"); w.status != http.StatusOK {
			t.Fatalf("after single sign-on /organisaties answers %d %s", w.status, w.location)
		}
		if !hasEntry(auditDetails(t, st, firm.ID), "login|ann@noord.example|sso: Microsoft") {
			t.Fatalf("no audit entry of the sign-in: %v", auditDetails(t, st, firm.ID))
		}
		// The same person with a password session is still sent to set up TOTP.
		if err := st.SetPasswordHash(context.Background(), ann.ID, f.srvr.signIn.hasher.Hash(testPassword)); err != nil {
			t.Fatal(err)
		}
		pw := f.browser(t)
		if l := login(t, pw, "ann@noord.example", testPassword); l.status != http.StatusSeeOther {
			t.Fatalf("password sign-in: %d %s", l.status, snippet(l.body))
		}
		if w := pw.get("/organisaties"); w.status != http.StatusSeeOther || w.location != totpSetupPath {
			t.Fatalf("password session without TOTP: %d %s", w.status, w.location)
		}

		// A wrong password of a domain with single sign-on gets the
		// uniform message and no button whose redirect the page's CSP
		// would block.
		if w := login(t, f.browser(t), "ann@noord.example", "not the password at all"); w.status != http.StatusUnauthorized || strings.Contains(w.body, `action="/login/sso"`) {
			t.Fatalf("wrong password: %d %s", w.status, snippet(w.body))
		}

		// The provider rotates its signing key: the next sign-in works.
		f.iss.RotateKey()
		if p := ssoSignIn(t, f, f.browser(t), "ann@noord.example"); p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
			t.Fatalf("after key rotation: %d %s", p.status, snippet(p.body))
		}

		// Where the consultant was going survives the trip.
		b2 := f.browser(t)
		if p := b2.get("/diagnoses"); p.status != http.StatusSeeOther {
			t.Fatalf("signed out /diagnoses: %d", p.status)
		}
		start := b2.post("/login", url.Values{"csrf": {csrfFrom(t, b2, "/login?next=/diagnoses")}, "email": {"ann@noord.example"}, "next": {"/diagnoses"}})
		action, form := formOf(t, start.body)
		back := b2.get(atProvider(t, f, b2.post(action, form)))
		if back.location != "/diagnoses" {
			t.Fatalf("after sign-in to %q, want /diagnoses", back.location)
		}
	})
}

func TestSSOCallbackStateAndReplay(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		f.configureSSO(t, "Adviesbureau Noord", true, false, "noord.example")
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", false)

		// A changed state.
		b := f.browser(t)
		cb := atProvider(t, f, toProvider(t, b, "ann@noord.example"))
		u, _ := url.Parse(cb)
		q := u.Query()
		q.Set("state", q.Get("state")+"x")
		u.RawQuery = q.Encode()
		if p := b.get(u.RequestURI()); p.status != http.StatusBadRequest || !strings.Contains(p.body, "hoort niet bij deze browser") {
			t.Fatalf("wrong state: %d %s", p.status, snippet(p.body))
		}
		if signedIn(t, b) {
			t.Fatal("signed in with a wrong state")
		}

		// The right callback URL in another browser (the attacker's link,
		// say): no cookie with the state, no sign-in.
		b = f.browser(t)
		cb = atProvider(t, f, toProvider(t, b, "ann@noord.example"))
		other := f.browser(t)
		if p := other.get(cb); p.status != http.StatusBadRequest {
			t.Fatalf("callback in another browser: %d %s", p.status, snippet(p.body))
		}
		if signedIn(t, other) {
			t.Fatal("another browser signed in with a stolen callback")
		}

		// Replaying a used callback, cookie and all: the state worked once.
		b = f.browser(t)
		start := toProvider(t, b, "ann@noord.example")
		var cookie string
		for _, c := range start.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, ssoCookie+"=") {
				cookie = strings.SplitN(c, ";", 2)[0]
			}
		}
		if cookie == "" || !strings.Contains(strings.Join(start.header.Values("Set-Cookie"), "\n"), "HttpOnly") {
			t.Fatalf("no HttpOnly state cookie: %v", start.header.Values("Set-Cookie"))
		}
		cb = atProvider(t, f, start)
		if p := b.get(cb); p.status != http.StatusSeeOther {
			t.Fatalf("first callback: %d %s", p.status, snippet(p.body))
		}
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+cb, nil)
		req.Header.Set("Cookie", cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("replayed callback: %d", resp.StatusCode)
		}

		// A used code under a fresh state: the provider refuses it.
		used, _ := url.Parse(cb)
		b = f.browser(t)
		fresh, _ := url.Parse(atProvider(t, f, toProvider(t, b, "ann@noord.example")))
		q = fresh.Query()
		q.Set("code", used.Query().Get("code"))
		fresh.RawQuery = q.Encode()
		if p := b.get(fresh.RequestURI()); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "kon niet worden gecontroleerd") {
			t.Fatalf("replayed code: %d %s", p.status, snippet(p.body))
		}
		if signedIn(t, b) {
			t.Fatal("signed in with a replayed code")
		}

		// The provider reports an error (the consultant cancelled).
		b = f.browser(t)
		cb = atProvider(t, f, toProvider(t, b, "ann@noord.example"))
		u, _ = url.Parse(cb)
		q = u.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		u.RawQuery = q.Encode()
		if p := b.get(u.RequestURI()); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "afgebroken of geweigerd") {
			t.Fatalf("provider error: %d %s", p.status, snippet(p.body))
		}

		// Too late: the sign-in expired at the server.
		b = f.browser(t)
		cb = atProvider(t, f, toProvider(t, b, "ann@noord.example"))
		f.clock.Advance(auth.SSOLoginLifetime + time.Second)
		if p := b.get(cb); p.status != http.StatusBadRequest || !strings.Contains(p.body, "verlopen of al gebruikt") {
			t.Fatalf("expired sign-in: %d %s", p.status, snippet(p.body))
		}
	})
}

func TestSSOTokenProblemsAreRefused(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		firm := f.configureSSO(t, "Adviesbureau Noord", true, false, "noord.example")
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", false)
		cases := []struct {
			name   string
			setup  func()
			status int
			says   string
		}{
			{"expired", func() {
				f.iss.TamperNext(func(c map[string]any) { c["exp"] = f.clock.Now().Add(-time.Minute).Unix() })
			}, http.StatusUnauthorized, "kon niet worden gecontroleerd"},
			{"foreign audience", func() {
				f.iss.TamperNext(func(c map[string]any) { c["aud"] = "someone-elses-client" })
			}, http.StatusUnauthorized, "kon niet worden gecontroleerd"},
			{"badly signed", f.iss.SignNextWithUnpublishedKey, http.StatusUnauthorized, "kon niet worden gecontroleerd"},
			{"unverified e-mail", func() {
				f.iss.SetUser(ssotest.User{Subject: "s", Email: "ann@noord.example", EmailVerified: false})
			}, http.StatusForbidden, "niet bevestigd"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f.iss.SetUser(ssotest.User{})
				tc.setup()
				b := f.browser(t)
				p := ssoSignIn(t, f, b, "ann@noord.example")
				if p.status != tc.status || !strings.Contains(html.UnescapeString(p.body), tc.says) {
					t.Fatalf("%d %s", p.status, snippet(p.body))
				}
				if signedIn(t, b) {
					t.Fatal("signed in")
				}
			})
		}
		entries := auditDetails(t, st, firm.ID)
		if !hasEntry(entries, "sso_refused_unverified||") || !hasEntry(entries, "sso_refused_rejected||oidc: expected audience") {
			t.Fatalf("refusals not in the audit log: %v", entries)
		}
		// The audit page says why, in words.
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "root@noord.example", true)
		page := html.UnescapeString(admin.get("/audit").body)
		for _, want := range []string{"de inlogdienst bevestigde het e-mailadres niet", "het antwoord van de inlogdienst klopte niet (oidc: expected audience"} {
			if !strings.Contains(page, want) {
				t.Errorf("the audit page does not say %q: %s", want, snippet(page))
			}
		}
	})
}

func TestSSOAccountsByDomainInvitationAndJIT(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		noord := f.configureSSO(t, "Adviesbureau Noord", true, false, "noord.example")
		f.configureSSO(t, "Bureau Zuid", true, true, "zuid.example")
		ensureConsultant(t, st, "Bureau Zuid", "mole@noord.example", false)
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)

		// The provider says the person is of another firm's domain.
		f.iss.SetUser(ssotest.User{Subject: "z", Email: "zoe@zuid.example", EmailVerified: true})
		b := f.browser(t)
		if p := ssoSignIn(t, f, b, "ann@noord.example"); p.status != http.StatusForbidden || !strings.Contains(p.body, "zuid.example") {
			t.Fatalf("domain of another firm: %d %s", p.status, snippet(p.body))
		}
		if signedIn(t, b) {
			t.Fatal("signed in with another firm's domain")
		}
		// An address of Noord's domain whose account is another firm's.
		f.iss.SetUser(ssotest.User{})
		if p := ssoSignIn(t, f, f.browser(t), "mole@noord.example"); p.status != http.StatusForbidden || !strings.Contains(p.body, "hoort niet bij dit bureau") {
			t.Fatalf("account of another firm: %d %s", p.status, snippet(p.body))
		}

		// Uninvited, and the firm makes no accounts just in time.
		if p := ssoSignIn(t, f, f.browser(t), "new@noord.example"); p.status != http.StatusForbidden || !strings.Contains(p.body, "uitnodiging") {
			t.Fatalf("uninvited: %d %s", p.status, snippet(p.body))
		}
		if _, err := st.ConsultantByEmail(context.Background(), "new@noord.example"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("an uninvited address got an account: %v", err)
		}

		// Invited: the first sign-in accepts the invitation.
		link := invite(t, admin, "bea@noord.example")
		b = f.browser(t)
		if p := ssoSignIn(t, f, b, "bea@noord.example"); p.status != http.StatusSeeOther {
			t.Fatalf("invited: %d %s", p.status, snippet(p.body))
		}
		if !signedIn(t, b) {
			t.Fatal("the invited consultant is not signed in")
		}
		bea, err := st.ConsultantByEmail(context.Background(), "bea@noord.example")
		if err != nil || bea.FirmID != noord.ID {
			t.Fatalf("bea: %+v %v", bea, err)
		}
		if p := f.browser(t).get(link); p.status != http.StatusNotFound {
			t.Fatalf("the invitation still works after the single sign-on: %d", p.status)
		}
		if !hasEntry(auditDetails(t, st, noord.ID), "accept_invitation|bea@noord.example|sso") {
			t.Fatalf("no audit entry of the accepted invitation: %v", auditDetails(t, st, noord.ID))
		}

		// Just in time, where the firm allows it.
		b = f.browser(t)
		if p := ssoSignIn(t, f, b, "yves@zuid.example"); p.status != http.StatusSeeOther {
			t.Fatalf("just in time: %d %s", p.status, snippet(p.body))
		}
		yves, err := st.ConsultantByEmail(context.Background(), "yves@zuid.example")
		if err != nil || yves.IsAdmin {
			t.Fatalf("yves: %+v %v", yves, err)
		}
		if !hasEntry(auditDetails(t, st, yves.FirmID), "sso_join|yves@zuid.example") {
			t.Fatalf("no audit entry of the new account: %v", auditDetails(t, st, yves.FirmID))
		}
		// No password opens an account made at a single sign-on.
		if p := login(t, f.browser(t), "yves@zuid.example", ""); p.status == http.StatusSeeOther {
			t.Fatal("empty password accepted")
		}

		// A disabled account stays out.
		if err := st.SetConsultantDisabled(context.Background(), noord.ID, bea.ID, true); err != nil {
			t.Fatal(err)
		}
		if p := ssoSignIn(t, f, f.browser(t), "bea@noord.example"); p.status != http.StatusForbidden || !strings.Contains(p.body, "uitgeschakeld") {
			t.Fatalf("disabled: %d %s", p.status, snippet(p.body))
		}
	})
}

func TestPasswordSignInOffForTheFirm(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)
		ensureConsultant(t, st, "Adviesbureau Noord", "extern@elders.example", false)
		f.configureSSO(t, "Adviesbureau Noord", false, false, "noord.example")

		// An address of the domain gets only the button, and the page
		// lets its form lead to the provider.
		b := f.browser(t)
		p := b.post("/login", url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {"ann@noord.example"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "Inloggen met Microsoft") || strings.Contains(p.body, `id="password"`) {
			t.Fatalf("email only: %d %s", p.status, snippet(p.body))
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+f.iss.URL+";") {
			t.Fatalf("the button's page does not allow the provider as a form action: %s", csp)
		}
		if p := toProvider(t, f.browser(t), "ann@noord.example"); !strings.HasPrefix(p.location, f.iss.URL+"/authorize?") {
			t.Fatalf("not sent to the provider: %s", p.location)
		}
		// Its right password is refused with the reason.
		p = login(t, f.browser(t), "ann@noord.example", testPassword)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "inloggen met een wachtwoord uitgezet") || strings.Contains(p.body, `id="password"`) {
			t.Fatalf("password of a domain address: %d %s", p.status, snippet(p.body))
		}
		// An account of the firm outside the domains: refused after the
		// right password, and a wrong one gets the usual message.
		p = login(t, f.browser(t), "extern@elders.example", testPassword)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "inloggen met een wachtwoord uitgezet") {
			t.Fatalf("password of another address of the firm: %d %s", p.status, snippet(p.body))
		}
		p = login(t, f.browser(t), "extern@elders.example", "wrong password altogether")
		if p.status != http.StatusUnauthorized || strings.Contains(p.body, "uitgezet") {
			t.Fatalf("wrong password: %d %s", p.status, snippet(p.body))
		}
		// Other firms sign in with passwords as before.
		signIn(t, f.fixture, f.browser(t), "Bureau Zuid", "cor@zuid.example", false)
	})
}

func TestSSOProviderDown(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", false)
		f.iss.SetDown(true)

		// Passwords off: the message, without a password form.
		f.configureSSO(t, "Adviesbureau Noord", false, false, "noord.example")
		b := f.browser(t)
		p := b.post("/login", url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {"ann@noord.example"}})
		if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "niet bereikbaar") || strings.Contains(p.body, `id="password"`) {
			t.Fatalf("provider down, passwords off: %d %s", p.status, snippet(p.body))
		}

		f.configureSSO(t, "Adviesbureau Noord", true, false, "noord.example")
		b = f.browser(t)
		p = b.post("/login", url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {"ann@noord.example"}})
		if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "niet bereikbaar") ||
			!strings.Contains(p.body, "met uw wachtwoord") || !strings.Contains(p.body, `id="password"`) {
			t.Fatalf("provider down, passwords allowed: %d %s", p.status, snippet(p.body))
		}
		// The password still works.
		if p := login(t, b, "ann@noord.example", testPassword); p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
			t.Fatalf("password while the provider is down: %d %s", p.status, snippet(p.body))
		}

		// Down between leaving and coming back.
		f.iss.SetDown(false)
		b = f.browser(t)
		cb := atProvider(t, f, toProvider(t, b, "ann@noord.example"))
		f.iss.SetDown(true)
		if p := b.get(cb); p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "niet bereikbaar") {
			t.Fatalf("provider down at the token request: %d %s", p.status, snippet(p.body))
		}

	})
}

func TestSSOSettingsPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		f.configureSSO(t, "Bureau Zuid", true, false, "zuid.example")
		admin := f.browser(t)
		cons := signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		if p := admin.get("/team"); !strings.Contains(p.body, `href="/team/sso"`) {
			t.Fatalf("the team page does not lead to the settings: %s", snippet(p.body))
		}
		p := admin.get("/team/sso")
		if p.status != http.StatusOK || !strings.Contains(p.body, "http://uk.test/login/sso/callback") {
			t.Fatalf("settings page: %d %s", p.status, snippet(p.body))
		}

		valid := func() url.Values {
			return url.Values{
				"display_name": {"Microsoft"}, "issuer_url": {f.iss.URL}, "client_id": {f.iss.ClientID},
				"client_secret": {f.iss.ClientSecret}, "domains": {"noord.example, noord.eu"}, "password_allowed": {"1"},
			}
		}
		cases := []struct {
			name   string
			change func(url.Values)
			says   string
		}{
			{"no name", func(v url.Values) { v.Set("display_name", " ") }, "Vul de naam op de knop in"},
			{"plain http", func(v url.Values) { v.Set("issuer_url", "http://login.example.com") }, "https://"},
			{"not a URL", func(v url.Values) { v.Set("issuer_url", "login example") }, "volledige issuer-URL"},
			{"no client id", func(v url.Values) { v.Set("client_id", "") }, "client-ID"},
			{"no secret", func(v url.Values) { v.Del("client_secret") }, "clientgeheim"},
			{"bad domain", func(v url.Values) { v.Set("domains", "noord.example, not a domain") }, "‘not’ is geen e-maildomein"},
			{"another firm's domain", func(v url.Values) { v.Set("domains", "noord.example, zuid.example") }, "zuid.example hoort al bij een ander bureau"},
			{"lock-out", func(v url.Values) { v.Set("domains", "noord.eu"); v.Del("password_allowed") }, "sluit u uzelf buiten"},
			{"control character", func(v url.Values) { v.Set("display_name", "Micro\x1bsoft") }, "teken"},
			{"no discovery", func(v url.Values) { v.Set("issuer_url", f.iss.URL+"/nothing-here") }, "OpenID Connect-configuratie"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				form := valid()
				tc.change(form)
				p := postWithCSRF(t, admin, "/team/sso", "/team/sso", form)
				body := html.UnescapeString(p.body)
				if p.status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.says) {
					t.Fatalf("%d, want 422 saying %q: %s", p.status, tc.says, snippet(body))
				}
				// What was typed stays, except the secret.
				if form.Get("client_id") != "" && !strings.Contains(body, `value="`+form.Get("client_id")+`"`) {
					t.Fatal("the client id typed was lost")
				}
				if strings.Contains(body, f.iss.ClientSecret) {
					t.Fatal("the page shows the client secret")
				}
			})
		}
		if _, err := st.SSOProvider(context.Background(), cons.FirmID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("a refused form saved a provider: %v", err)
		}

		p = postWithCSRF(t, admin, "/team/sso", "/team/sso", valid())
		if p.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.status, snippet(p.body))
		}
		p = admin.follow(p)
		if !strings.Contains(p.body, "zijn opgeslagen") || strings.Contains(p.body, f.iss.ClientSecret) || !strings.Contains(p.body, "noord.eu, noord.example") {
			t.Fatalf("after saving: %s", snippet(p.body))
		}
		// Saving again without a secret keeps it.
		form := valid()
		form.Del("client_secret")
		form.Set("jit_allowed", "1")
		if p := postWithCSRF(t, admin, "/team/sso", "/team/sso", form); p.status != http.StatusSeeOther {
			t.Fatalf("save without secret: %d %s", p.status, snippet(p.body))
		}
		prov, err := st.SSOProvider(context.Background(), cons.FirmID)
		if err != nil || prov.ClientSecret != f.iss.ClientSecret || !prov.JITAllowed {
			t.Fatalf("stored: %+v %v", prov, err)
		}
		entries := auditDetails(t, st, cons.FirmID)
		if !hasEntry(entries, "sso_configure|ann@noord.example|Microsoft ("+f.iss.URL+"; noord.example, noord.eu; client secret set)") ||
			!hasEntry(entries, "sso_configure|ann@noord.example|Microsoft ("+f.iss.URL+"; noord.example, noord.eu; just-in-time accounts)") {
			t.Fatalf("audit: %v", entries)
		}
		for _, e := range entries {
			if strings.Contains(e, f.iss.ClientSecret) {
				t.Fatal("the audit log holds the client secret")
			}
		}
		// The audit page says it in words.
		if p := admin.get("/audit"); !strings.Contains(p.body, "Instellingen voor single sign-on opgeslagen") {
			t.Fatalf("audit page: %s", snippet(p.body))
		}

		// A consultant who is no administrator cannot open or change it.
		plain := f.browser(t)
		signIn(t, f.fixture, plain, "Adviesbureau Noord", "bob@noord.example", false)
		if p := plain.get("/team/sso"); p.status == http.StatusOK {
			t.Fatal("a consultant opened the settings")
		}

		p = postWithCSRF(t, admin, "/team/sso", "/team/sso/verwijderen", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", p.status)
		}
		if _, err := st.SSOProvider(context.Background(), cons.FirmID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("after removing: %v", err)
		}
		if !hasEntry(auditDetails(t, st, cons.FirmID), "sso_remove|ann@noord.example") {
			t.Fatal("the removal is not audited")
		}
	})
}
