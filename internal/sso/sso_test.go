package sso_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso/ssotest"
)

const redirect = "http://uk.test/login/sso/callback"

// authorize follows the authorization URL the way a browser would, up to
// the redirect back to the service, and returns the code and state.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("sent back to %s, want %s", loc, redirect)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func provider(i *ssotest.Issuer) sso.Provider {
	return sso.Provider{IssuerURL: i.URL, ClientID: i.ClientID, ClientSecret: i.ClientSecret, RedirectURL: redirect}
}

// signIn runs one whole sign-in at the issuer and returns Finish's result.
func signIn(t *testing.T, c *sso.Client, p sso.Provider, hint string) (*sso.Identity, error) {
	t.Helper()
	ctx := context.Background()
	st, err := c.Begin(ctx, p, hint)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(st.URL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") != st.Nonce || q.Get("state") != st.State {
		t.Fatalf("authorization URL lacks PKCE S256, nonce or state: %s", st.URL)
	}
	if strings.Contains(st.URL, st.Verifier) {
		t.Fatal("the PKCE verifier left for the provider")
	}
	code, state := authorize(t, st.URL)
	if state != st.State {
		t.Fatalf("state came back as %q", state)
	}
	return c.Finish(ctx, p, code, st.Verifier, st.Nonce)
}

func TestSignInAtMockOIDC(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown()
	cfg := m.Config()
	p := sso.Provider{IssuerURL: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: redirect}
	c := sso.New(sso.Options{})
	ctx := context.Background()

	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "Ann@Noord.Example", EmailVerified: true})
	st, err := c.Begin(ctx, p, "ann@noord.example")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := authorize(t, st.URL)
	id, err := c.Finish(ctx, p, code, st.Verifier, st.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	if id.Email != "ann@noord.example" || id.Subject != "s-1" {
		t.Fatalf("identity %+v", id)
	}
	// The same code again: the provider refuses it.
	if _, err := c.Finish(ctx, p, code, st.Verifier, st.Nonce); !errors.Is(err, sso.ErrRejected) {
		t.Fatalf("replayed code: %v, want ErrRejected", err)
	}

	// A verifier other than the one whose challenge was sent.
	st, err = c.Begin(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	code, _ = authorize(t, st.URL)
	if _, err := c.Finish(ctx, p, code, "not-the-verifier-"+strings.Repeat("x", 40), st.Nonce); !errors.Is(err, sso.ErrRejected) {
		t.Fatalf("wrong PKCE verifier: %v, want ErrRejected", err)
	}

	// An address the provider did not verify.
	m.QueueUser(&mockoidc.MockUser{Subject: "s-2", Email: "bob@noord.example", EmailVerified: false})
	st, err = c.Begin(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	code, _ = authorize(t, st.URL)
	if _, err := c.Finish(ctx, p, code, st.Verifier, st.Nonce); !errors.Is(err, sso.ErrEmailUnverified) {
		t.Fatalf("unverified address: %v, want ErrEmailUnverified", err)
	}
}

func TestIDTokenVerification(t *testing.T) {
	iss := ssotest.New()
	defer iss.Close()
	c := sso.New(sso.Options{})
	p := provider(iss)

	cases := []struct {
		name  string
		setup func()
		want  error
	}{
		{"valid", func() {}, nil},
		{"expired", func() {
			iss.TamperNext(func(c map[string]any) {
				c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
				c["exp"] = time.Now().Add(-time.Hour).Unix()
			})
		}, sso.ErrRejected},
		{"foreign audience", func() { iss.TamperNext(func(c map[string]any) { c["aud"] = "another-client" }) }, sso.ErrRejected},
		{"other issuer", func() { iss.TamperNext(func(c map[string]any) { c["iss"] = "https://evil.example" }) }, sso.ErrRejected},
		{"bad signature", iss.SignNextWithUnpublishedKey, sso.ErrRejected},
		{"other nonce", func() { iss.TamperNext(func(c map[string]any) { c["nonce"] = "replayed-nonce" }) }, sso.ErrRejected},
		{"no nonce", func() { iss.TamperNext(func(c map[string]any) { delete(c, "nonce") }) }, sso.ErrRejected},
		{"unverified e-mail", func() {
			iss.SetUser(ssotest.User{Subject: "u", Email: "ann@noord.example", EmailVerified: false})
		}, sso.ErrEmailUnverified},
		{"no email_verified claim", func() {
			iss.SetUser(ssotest.User{Subject: "u", Email: "ann@noord.example", OmitVerified: true})
		}, sso.ErrEmailUnverified},
		{"email_verified as the string true", func() {
			iss.TamperNext(func(c map[string]any) { c["email_verified"] = "true" })
		}, nil},
		{"Entra's xms_edov instead of email_verified", func() {
			iss.SetUser(ssotest.User{Subject: "u", Email: "ann@noord.example", OmitVerified: true})
			iss.TamperNext(func(c map[string]any) { c["xms_edov"] = true })
		}, nil},
		{"no e-mail at all", func() { iss.TamperNext(func(c map[string]any) { delete(c, "email") }) }, sso.ErrEmailUnverified},
		{"e-mail with a display name", func() {
			iss.TamperNext(func(c map[string]any) { c["email"] = "Ann <ann@noord.example>" })
		}, sso.ErrEmailUnverified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iss.SetUser(ssotest.User{})
			tc.setup()
			id, err := signIn(t, c, p, "ann@noord.example")
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil && id.Email != "ann@noord.example" {
				t.Fatalf("identity %+v", id)
			}
		})
	}
}

func TestKeyRotationIsFollowed(t *testing.T) {
	iss := ssotest.New()
	defer iss.Close()
	c := sso.New(sso.Options{})
	p := provider(iss)
	if _, err := signIn(t, c, p, "ann@noord.example"); err != nil {
		t.Fatal(err)
	}
	before := iss.JWKSFetches()
	old := iss.KeyID()
	iss.RotateKey()
	if iss.KeyID() == old {
		t.Fatal("the key id did not change")
	}
	// The token names a key id the client has not seen: it fetches the
	// JWKS again and accepts the token.
	if _, err := signIn(t, c, p, "ann@noord.example"); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if iss.JWKSFetches() <= before {
		t.Fatal("the JWKS was not fetched again after the key changed")
	}
}

func TestProviderDown(t *testing.T) {
	iss := ssotest.New()
	c := sso.New(sso.Options{Timeout: 2 * time.Second})
	p := provider(iss)
	ctx := context.Background()

	iss.SetDown(true)
	if _, err := c.Begin(ctx, p, ""); !errors.Is(err, sso.ErrUnavailable) {
		t.Fatalf("discovery answering 503: %v, want ErrUnavailable", err)
	}
	if err := c.Check(ctx, p.IssuerURL); !errors.Is(err, sso.ErrUnavailable) {
		t.Fatalf("Check: %v, want ErrUnavailable", err)
	}
	iss.SetDown(false)

	// Down between the authorization and the token request.
	st, err := c.Begin(ctx, p, "ann@noord.example")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := authorize(t, st.URL)
	iss.SetDown(true)
	if _, err := c.Finish(ctx, p, code, st.Verifier, st.Nonce); !errors.Is(err, sso.ErrUnavailable) {
		t.Fatalf("token endpoint answering 503: %v, want ErrUnavailable", err)
	}

	// Gone altogether (connection refused).
	iss.Close()
	if _, err := sso.New(sso.Options{Timeout: 2 * time.Second}).Begin(ctx, p, ""); !errors.Is(err, sso.ErrUnavailable) {
		t.Fatalf("no server: %v, want ErrUnavailable", err)
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"ann@Noord.Example": "noord.example", "a@b@c.nl": "c.nl", "ann": "", "ann@": "", "": "",
	} {
		if got := sso.Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}
