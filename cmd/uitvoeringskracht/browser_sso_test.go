package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// startAppWithBaseURL starts the service on a free port whose address is
// also its base URL: the provider sends the browser back to the base URL.
func startAppWithBaseURL(t *testing.T, databaseURL string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	runApp(t, Config{Addr: addr, DatabaseURL: databaseURL, BaseURL: "http://" + addr, LogFormat: "json", SecretKey: testSecretKeyFor(databaseURL)})
	return "http://" + addr
}

// An administrator sets up single sign-on on the team page with the
// mockoidc provider running in this process; then a consultant types only
// their address, chooses "Inloggen met Mock", passes the provider and is
// signed in. Every page on the way is checked for accessibility.
func TestBrowserSingleSignOn(t *testing.T) {
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = provider.Shutdown() })
	cfg := provider.Config()

	ctx := newBrowser(t)
	a := newA11y(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "sso.db")
	addConsultant(t, dbURL, journeyFirm, journeyEmail, journeyPassword)
	j := &journey{t: t, browser: ctx, base: startAppWithBaseURL(t, dbURL), a11y: a}

	admin := j.tab()
	j.login(admin, false)
	j.visit(admin, "/team", `a[href="/team/sso"]`, "team with single sign-on link")
	if err := chromedp.Do(admin, chromedp.Click(chromedp.CSS(`a[href="/team/sso"]`)), chromedp.WaitVisible(chromedp.CSS("#issuer_url"))); err != nil {
		t.Fatalf("to the settings: %v", err)
	}
	j.check(admin, "single sign-on settings")
	redirect, err := chromedp.Run(admin, chromedp.Text(chromedp.CSS("main .code-block")))
	if err != nil || strings.TrimSpace(redirect) != j.base+"/login/sso/callback" {
		t.Fatalf("the redirect URL to register is %q (%v)", redirect, err)
	}
	// First without domains: the error, with everything else kept.
	if err := chromedp.Do(admin,
		chromedp.SendKeys(chromedp.CSS("#display_name"), "Mock"),
		chromedp.SendKeys(chromedp.CSS("#issuer_url"), cfg.Issuer),
		chromedp.SendKeys(chromedp.CSS("#client_id"), cfg.ClientID),
		chromedp.SendKeys(chromedp.CSS("#client_secret"), cfg.ClientSecret),
		chromedp.Submit(chromedp.CSS("#display_name")),
	); err != nil {
		t.Fatal(err)
	}
	j.checkRefused(admin, "single sign-on settings with error")
	kept, err := chromedp.Run(admin, chromedp.Evaluate[string](`document.querySelector('#client_id').value`))
	if err != nil || kept != cfg.ClientID {
		t.Fatalf("the client id was not kept: %q %v", kept, err)
	}
	if err := chromedp.Do(admin,
		chromedp.SendKeys(chromedp.CSS("#client_secret"), cfg.ClientSecret),
		chromedp.SendKeys(chromedp.CSS("#domains"), "a11y.example"),
		chromedp.Submit(chromedp.CSS("#display_name")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(admin, `document.readyState === 'complete' && document.querySelector('.notice') !== null && document.querySelector('.error-summary') === null`); err != nil {
		t.Fatalf("not saved: %v", err)
	}
	j.check(admin, "single sign-on settings saved")

	// Signing in through the provider, in a browser of its own.
	provider.QueueUser(&mockoidc.MockUser{Subject: "c-1", Email: journeyEmail, EmailVerified: true})
	tab := j.tab()
	if err := chromedp.Do(tab,
		chromedp.Navigate(j.base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), journeyEmail),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS("#sso button")),
	); err != nil {
		t.Fatalf("the login page offers no single sign-on: %v", err)
	}
	j.check(tab, "login with single sign-on")
	label, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#sso button")))
	if err != nil || strings.TrimSpace(label) != "Inloggen met Mock" {
		t.Fatalf("button says %q (%v)", label, err)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#sso button")), chromedp.WaitVisible(chromedp.CSS("nav.workspace-nav"))); err != nil {
		t.Fatalf("not signed in after the provider: %v", err)
	}
	path, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || path != "/organisaties" {
		t.Fatalf("signed in at %q (%v)", path, err)
	}
	j.check(tab, "workspace after single sign-on")

	st, err := store.Open(context.Background(), dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	firm, err := st.FirmByName(context.Background(), journeyFirm)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.ListAudit(context.Background(), firm.ID, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, e := range entries {
		found[e.Action+"|"+e.Detail] = true
	}
	if !found["login|sso: Mock"] || !found["sso_configure|Mock ("+cfg.Issuer+"; a11y.example; client secret set)"] {
		t.Fatalf("audit log: %v", found)
	}
}

// `key rotate` re-encrypts a firm's single sign-on client secret with the
// two-factor secrets, and says so; the service then opens it with the new
// key only.
func TestKeyRotateIncludesSSOClientSecrets(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "uk.db")
	oldKey, newKey := secret.Generate(), secret.Generate()
	app, _, err := startKeyed(t, dbURL, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	firm := &survey.Firm{Name: "Noord"}
	if err := app.store.CreateFirm(ctx, firm); err != nil {
		t.Fatal(err)
	}
	err = app.store.SaveSSOProvider(ctx, &survey.SSOProvider{FirmID: firm.ID, DisplayName: "Microsoft", IssuerURL: "https://login.example/t/v2.0",
		ClientID: "c", ClientSecret: "the-client-secret", Domains: []string{"noord.example"}, PasswordAllowed: true})
	if err != nil {
		t.Fatal(err)
	}
	stopKeyed(t, app)

	code, out, errOut := rotate(t, dbURL, map[string]string{"UK_SECRET_KEY": oldKey, "UK_NEW_SECRET_KEY": newKey}, "")
	if code != 0 || !strings.Contains(out, "the client secrets of 1 single sign-on provider") {
		t.Fatalf("key rotate: exit %d, %q %s", code, out, errOut)
	}
	if _, _, err := startKeyed(t, dbURL, oldKey); err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
		t.Fatalf("the old key still starts the service: %v", err)
	}
	app, _, err = startKeyed(t, dbURL, newKey)
	if err != nil {
		t.Fatal(err)
	}
	defer stopKeyed(t, app)
	p, err := app.store.SSOProvider(ctx, firm.ID)
	if err != nil || p.ClientSecret != "the-client-secret" {
		t.Fatalf("after rotation: %+v %v", p, err)
	}
}
