package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var (
	reSecret        = regexp.MustCompile(`<p class="code-block">([A-Z2-7 ]+)</p>`)
	reRecoveryCode  = regexp.MustCompile(`<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>`)
	reAPIToken      = regexp.MustCompile(`uk_[A-Za-z0-9_-]{43}`)
	reRevokeTokenID = regexp.MustCompile(`action="/account/tokens/([^/"]+)/intrekken"`)
)

// setUpTOTP turns on two-factor sign-in for the signed-in browser through
// the pages and returns the secret and the recovery codes.
func setUpTOTP(t *testing.T, f *authFixture, b *browser) (string, []string) {
	t.Helper()
	p := postWithCSRF(t, b, "/account/tweestapsverificatie", "/account/tweestapsverificatie", nil)
	if p.status != http.StatusSeeOther || p.location != totpSetupPath {
		t.Fatalf("start set-up: %d %s", p.status, p.location)
	}
	setup := b.get(totpSetupPath)
	m := reSecret.FindStringSubmatch(setup.body)
	if m == nil {
		t.Fatalf("no secret on the set-up page: %s", snippet(setup.body))
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, err := auth.TOTPCode(secret, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p = postWithCSRF(t, b, totpSetupPath, totpSetupPath+"/bevestigen", url.Values{"code": {code}})
	if p.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", p.status, snippet(p.body))
	}
	var codes []string
	for _, m := range reRecoveryCode.FindAllStringSubmatch(p.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	return secret, codes
}

func TestTOTPSetUpAndSignIn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		cons := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)

		if p := b.get("/account"); !strings.Contains(p.body, "Tweestapsverificatie staat uit") {
			t.Fatal("account page does not say two-factor sign-in is off")
		}
		start := b.get(totpSetupPath)
		if start.status != http.StatusOK || strings.Contains(start.body, "<img") || !strings.Contains(start.body, `action="/account/tweestapsverificatie"`) {
			t.Fatalf("set-up start page: %d", start.status)
		}
		// Showing the page changes nothing.
		if creds, _ := st.Credentials(context.Background(), cons.ID); creds.TOTPPendingSecret != "" {
			t.Fatal("GET made a secret")
		}
		postWithCSRF(t, b, totpSetupPath, totpSetupPath, nil)
		setup := b.get(totpSetupPath)
		for _, want := range []string{`<img src="data:image/png;base64,`, `alt="QR-code voor uw authenticator-app.`, `inputmode="numeric"`, `autocomplete="one-time-code"`, `<label class="label" for="code">`} {
			if !strings.Contains(setup.body, want) {
				t.Errorf("set-up page lacks %s", want)
			}
		}
		secret := strings.ReplaceAll(reSecret.FindStringSubmatch(setup.body)[1], " ", "")

		// A wrong code is refused, in the user's language.
		p := postWithCSRF(t, b, totpSetupPath, totpSetupPath+"/bevestigen", url.Values{"code": {"000000"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "De code is onjuist of al gebruikt") || !strings.Contains(p.body, `href="#code"`) {
			t.Fatalf("wrong code: %d %s", p.status, snippet(p.body))
		}
		b.get("/account?lang=en")
		p = postWithCSRF(t, b, totpSetupPath, totpSetupPath+"/bevestigen", url.Values{"code": {""}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Enter the six-digit code from your app.") {
			t.Fatalf("empty code in English: %d %s", p.status, snippet(p.body))
		}
		b.get("/account?lang=nl")
		if p := b.post(totpSetupPath+"/bevestigen", url.Values{"code": {"123456"}}); p.status != http.StatusForbidden {
			t.Errorf("confirm without CSRF token: %d", p.status)
		}

		before := sessionID(t, f.fixture, b)
		code, _ := auth.TOTPCode(secret, f.clock.Now())
		p = postWithCSRF(t, b, totpSetupPath, totpSetupPath+"/bevestigen", url.Values{"code": {code}})
		codes := reRecoveryCode.FindAllStringSubmatch(p.body, -1)
		if p.status != http.StatusOK || len(codes) != auth.RecoveryCodeCount || !strings.Contains(p.body, "Tweestapsverificatie staat aan") {
			t.Fatalf("confirm: %d, %d codes", p.status, len(codes))
		}
		if after := sessionID(t, f.fixture, b); after == before || after == "" {
			t.Error("the session id was not renewed after turning on two-factor sign-in")
		}
		if p := b.get("/account"); reRecoveryCode.MatchString(p.body) || !strings.Contains(p.body, "nog 10 ongebruikte herstelcodes") {
			t.Error("recovery codes shown again, or their count missing")
		}
		postWithCSRF(t, b, "/account", "/logout", nil)

		// Signing in now takes the password and then a code.
		p = login(t, b, "ann@noord.example", testPassword)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login/totp") {
			t.Fatalf("password step: %d %s", p.status, p.location)
		}
		pending := sessionID(t, f.fixture, b)
		// The pending session opens nothing else.
		for _, path := range []string{"/account", "/organisaties", "/team"} {
			if p := b.get(path); p.status != http.StatusSeeOther || p.location != "/login/totp" {
				t.Errorf("GET %s half signed in: %d %s", path, p.status, p.location)
			}
		}
		form := b.get(p.location)
		for _, want := range []string{`inputmode="numeric"`, `autocomplete="one-time-code"`, `<label class="label" for="code">Code uit de app</label>`} {
			if !strings.Contains(form.body, want) {
				t.Errorf("code page lacks %s", want)
			}
		}
		// The code that confirmed the set-up cannot be used again.
		p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {code}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "De code is onjuist of al gebruikt") {
			t.Fatalf("replayed code: %d %s", p.status, snippet(p.body))
		}
		f.clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(secret, f.clock.Now())
		p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {code[:3] + " " + code[3:]}, "next": {"/account"}})
		if p.status != http.StatusSeeOther || p.location != "/account" {
			t.Fatalf("code step: %d %s %s", p.status, p.location, snippet(p.body))
		}
		if after := sessionID(t, f.fixture, b); after == pending || after == "" {
			t.Error("the session id was not renewed after the second factor")
		}
		if _, _, err := st.SessionConsultant(context.Background(), pending); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Error("the pending session survives")
		}
		if p := b.get("/account"); p.status != http.StatusOK {
			t.Fatalf("account: %d", p.status)
		}
		postWithCSRF(t, b, "/account", "/logout", nil)

		// The same code, in a new sign-in within its window: refused.
		login(t, b, "ann@noord.example", testPassword)
		if p := postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {code}}); p.status != http.StatusUnauthorized {
			t.Fatalf("code replayed in a new sign-in: %d", p.status)
		}
		// A recovery code works, once.
		recovery := codes[0][1]
		rec := b.get("/login/totp?herstelcode=1")
		if !strings.Contains(rec.body, `name="mode" value="recovery"`) || !strings.Contains(rec.body, `<label class="label" for="recovery">Herstelcode</label>`) {
			t.Fatalf("recovery form: %s", snippet(rec.body))
		}
		p = postWithCSRF(t, b, "/login/totp?herstelcode=1", "/login/totp", url.Values{"mode": {"recovery"}, "recovery": {strings.ToUpper(recovery)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("recovery code: %d %s", p.status, snippet(p.body))
		}
		postWithCSRF(t, b, "/account", "/logout", nil)
		login(t, b, "ann@noord.example", testPassword)
		p = postWithCSRF(t, b, "/login/totp?herstelcode=1", "/login/totp", url.Values{"mode": {"recovery"}, "recovery": {recovery}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Deze herstelcode is onjuist of al gebruikt.") {
			t.Fatalf("used recovery code: %d", p.status)
		}
		got := strings.Join(auditActions(t, st, cons.FirmID), ",")
		for _, want := range []string{"totp_enable", "login_failed", "logout"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit %s lacks %s", got, want)
			}
		}
		entries, _ := st.ListAudit(context.Background(), cons.FirmID, 100, 0)
		var details []string
		for _, e := range entries {
			if e.Action == actionLogin {
				details = append(details, e.Detail)
			}
		}
		if strings.Join(details, ",") != "recovery_code,totp," {
			t.Errorf("login details %v", details)
		}
	})
}

func TestWrongCodesLockTheAccount(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		setUpTOTP(t, f, b)
		postWithCSRF(t, b, "/account", "/logout", nil)
		login(t, b, "ann@noord.example", testPassword)
		var p page
		for range auth.MaxFailedLogins {
			p = postWithCSRF(t, b, "/login/totp", "/login/totp", url.Values{"code": {"999999"}})
		}
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "tijdelijk geblokkeerd") || !strings.Contains(p.body, `action="/login"`) {
			t.Fatalf("fifth wrong code: %d %s", p.status, snippet(p.body))
		}
		if p := b.get("/login/totp"); p.status != http.StatusSeeOther {
			t.Errorf("the pending session survives the lock: %d", p.status)
		}
		if p := login(t, b, "ann@noord.example", testPassword); p.status != http.StatusUnauthorized {
			t.Errorf("password while locked: %d", p.status)
		}
	})
}

func TestFirmCanRequireTOTP(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		p := postWithCSRF(t, admin, "/team", "/team/tweestapsverificatie", url.Values{"require": {"1"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("policy: %d", p.status)
		}
		// The administrator too must set it up before doing anything else.
		if p := admin.get("/team"); p.status != http.StatusSeeOther || p.location != totpSetupPath {
			t.Fatalf("admin after the policy: %d %s", p.status, p.location)
		}

		bob := f.browser(t)
		cons := signIn(t, f.fixture, bob, "Adviesbureau Noord", "bob@noord.example", false)
		for _, path := range []string{"/organisaties", "/account", "/account/tokens"} {
			method := bob.get
			if path == "/account/tokens" {
				method = func(p string) page { return postWithCSRF(t, bob, totpSetupPath, p, url.Values{"name": {"x"}}) }
			}
			if p := method(path); p.status != http.StatusSeeOther || p.location != totpSetupPath {
				t.Errorf("%s before set-up: %d %s", path, p.status, p.location)
			}
		}
		setup := bob.get(totpSetupPath)
		if setup.status != http.StatusOK || !strings.Contains(setup.body, "Uw bureau verplicht tweestapsverificatie") {
			t.Fatalf("set-up page: %d", setup.status)
		}
		setUpTOTP(t, f, bob)
		if p := bob.get("/organisaties"); p.status != http.StatusOK {
			t.Fatalf("after set-up: %d", p.status)
		}
		// It cannot be turned off while the firm requires it.
		p = postWithCSRF(t, bob, "/account", "/account/tweestapsverificatie/uitzetten", url.Values{"password": {testPassword}})
		if p.status != http.StatusConflict || !strings.Contains(p.body, "kunt het niet uitzetten") {
			t.Fatalf("turning off: %d", p.status)
		}
		if got, _ := st.ConsultantByID(context.Background(), cons.FirmID, cons.ID); !got.TOTPEnabled {
			t.Fatal("turned off anyway")
		}
		if !strings.Contains(strings.Join(auditActions(t, st, cons.FirmID), ","), "require_totp") {
			t.Error("policy change not audited")
		}
	})
}

func TestTurningTOTPOffNeedsThePassword(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		cons := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		setUpTOTP(t, f, b)
		p := postWithCSRF(t, b, "/account", "/account/tweestapsverificatie/uitzetten", url.Values{"password": {"fout wachtwoord"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Het wachtwoord is onjuist.") || !strings.Contains(p.body, `href="#totp-password"`) {
			t.Fatalf("wrong password: %d %s", p.status, snippet(p.body))
		}
		p = postWithCSRF(t, b, "/account", "/account/tweestapsverificatie/uitzetten", url.Values{"password": {""}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Vul uw wachtwoord in.") {
			t.Fatalf("no password: %d", p.status)
		}
		if p := b.post("/account/tweestapsverificatie/uitzetten", url.Values{"password": {testPassword}}); p.status != http.StatusForbidden {
			t.Errorf("without CSRF token: %d", p.status)
		}
		p = postWithCSRF(t, b, "/account", "/account/tweestapsverificatie/uitzetten", url.Values{"password": {testPassword}})
		if p.status != http.StatusSeeOther || p.location != "/account?melding=totp_uit" {
			t.Fatalf("turn off: %d %s", p.status, p.location)
		}
		if p := b.get(p.location); !strings.Contains(p.body, "Tweestapsverificatie staat uit.") {
			t.Error("no notice")
		}
		if n, _ := st.CountRecoveryCodes(context.Background(), cons.ID); n != 0 {
			t.Errorf("%d recovery codes left", n)
		}
		if !strings.Contains(strings.Join(auditActions(t, st, cons.FirmID), ","), "totp_disable") {
			t.Error("not audited")
		}
	})
}

func TestNewRecoveryCodes(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		cons := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		_, old := setUpTOTP(t, f, b)
		p := postWithCSRF(t, b, "/account", "/account/herstelcodes", nil)
		fresh := reRecoveryCode.FindAllStringSubmatch(p.body, -1)
		if p.status != http.StatusOK || len(fresh) != auth.RecoveryCodeCount {
			t.Fatalf("new codes: %d, %d codes", p.status, len(fresh))
		}
		if err := st.UseRecoveryCode(context.Background(), cons.ID, old[0]); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Error("an old code still works")
		}
		if err := st.UseRecoveryCode(context.Background(), cons.ID, fresh[0][1]); err != nil {
			t.Error("a new code does not work")
		}
		if p := b.post("/account/herstelcodes", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("without CSRF token: %d", p.status)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		cons := signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)

		p := postWithCSRF(t, b, "/account", "/account/tokens", url.Values{"name": {"  "}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Geef het token een naam.") || !strings.Contains(p.body, `href="#token-name"`) {
			t.Fatalf("empty name: %d %s", p.status, snippet(p.body))
		}
		b.get("/account?lang=en")
		p = postWithCSRF(t, b, "/account", "/account/tokens", url.Values{"name": {strings.Repeat("x", 101)}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "The name is too long.") {
			t.Fatalf("long name in English: %d", p.status)
		}
		b.get("/account?lang=nl")
		if p := b.post("/account/tokens", url.Values{"name": {"x"}}); p.status != http.StatusForbidden {
			t.Errorf("without CSRF token: %d", p.status)
		}

		p = postWithCSRF(t, b, "/account", "/account/tokens", url.Values{"name": {"rapportage-export"}})
		token := reAPIToken.FindString(p.body)
		if p.status != http.StatusOK || token == "" || p.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create: %d %s", p.status, snippet(p.body))
		}
		account := b.get("/account")
		if strings.Contains(account.body, token) || !strings.Contains(account.body, "rapportage-export") || !strings.Contains(account.body, "Nooit") {
			t.Fatal("the token is shown again, or not listed")
		}

		api := func(header string) (int, map[string]any) {
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/v1/me", nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			var body map[string]any
			if err := json.Unmarshal(data, &body); err != nil {
				t.Fatalf("not JSON: %s", data)
			}
			if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			return resp.StatusCode, body
		}
		status, body := api("Bearer " + token)
		if status != http.StatusOK || body["email"] != "ann@noord.example" || body["firm_id"] != cons.FirmID || body["firm_name"] != "Adviesbureau Noord" {
			t.Fatalf("API with token: %d %v", status, body)
		}
		for _, bad := range []string{"", "Bearer", "Bearer " + token + "x", "Basic " + token, "bearer uk_nope"} {
			status, body := api(bad)
			if status != http.StatusUnauthorized || body["code"] != "unauthorized" || body["message"] == "" {
				t.Errorf("API with %q: %d %v", bad, status, body)
			}
		}
		if status, _ := api("bearer " + token); status != http.StatusOK {
			t.Error("the scheme is case-insensitive")
		}
		if p := b.get("/account"); strings.Contains(p.body, "Nooit") {
			t.Error("last use not shown")
		}

		// Another firm's consultant cannot revoke it: not found.
		other := f.browser(t)
		signIn(t, f.fixture, other, "Bureau Zuid", "cor@zuid.example", true)
		id := reRevokeTokenID.FindStringSubmatch(account.body)[1]
		if p := postWithCSRF(t, other, "/account", "/account/tokens/"+id+"/intrekken", nil); p.status != http.StatusNotFound {
			t.Errorf("cross-firm revoke: %d, want 404", p.status)
		}
		if status, _ := api("Bearer " + token); status != http.StatusOK {
			t.Fatal("the token stopped working")
		}
		if p := b.post("/account/tokens/"+id+"/intrekken", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("revoke without CSRF token: %d", p.status)
		}
		p = postWithCSRF(t, b, "/account", "/account/tokens/"+id+"/intrekken", nil)
		if p.status != http.StatusSeeOther || p.location != "/account?melding=token_ingetrokken" {
			t.Fatalf("revoke: %d %s", p.status, p.location)
		}
		if status, _ := api("Bearer " + token); status != http.StatusUnauthorized {
			t.Error("a revoked token works")
		}
		got := strings.Join(auditActions(t, st, cons.FirmID), ",")
		if !strings.HasPrefix(got, "token_revoke,token_create,login") {
			t.Errorf("audit %s", got)
		}
	})
}
