// Package sso signs consultants in at their firm's OpenID Connect provider
// (Microsoft Entra ID, Google Workspace, or any other): the authorization
// code flow with PKCE (S256), state and nonce, and an ID token verified by
// github.com/coreos/go-oidc (issuer, audience, expiry, and the signature
// against the provider's JWKS, fetched again when a token names a key it
// has not seen, so that the provider can rotate its keys). It is the only
// package that imports go-oidc and golang.org/x/oauth2; it stores nothing:
// the caller keeps state, nonce and verifier until the provider sends the
// browser back.
package sso

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The errors of Begin and Finish. The caller tells people apart only
// whether to try again later (ErrUnavailable) or not.
var (
	// ErrUnavailable: the provider did not answer, or answered with a
	// server error.
	ErrUnavailable = errors.New("sso: the provider is unavailable")
	// ErrRejected: the provider refused the code, or the ID token failed
	// verification (issuer, audience, expiry, signature, nonce).
	ErrRejected = errors.New("sso: sign-in rejected")
	// ErrEmailUnverified: the token has no e-mail address the provider
	// vouches for.
	ErrEmailUnverified = errors.New("sso: the provider did not verify the e-mail address")
)

// Provider is a firm's provider as configured on the team page.
type Provider struct {
	IssuerURL    string
	ClientID     string
	ClientSecret string
	// RedirectURL is the service's callback, registered at the provider.
	RedirectURL string
}

// Start is a sign-in leaving for the provider: the browser goes to URL;
// State, Nonce and Verifier must come back to Finish.
type Start struct {
	URL      string
	State    string
	Nonce    string
	Verifier string
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject string
	// Email is lower case and verified by the provider.
	Email string
}

// Options configure a Client.
type Options struct {
	// Timeout bounds each request to a provider; 0 means 10 seconds.
	Timeout time.Duration
	// Now is the clock the ID token's expiry is checked against.
	Now func() time.Time
}

// discoveryTTL is how long a provider's discovery document is reused. Its
// JWKS is fetched again on an unknown key id whatever the TTL.
const discoveryTTL = time.Hour

// Client runs sign-ins. It is safe for concurrent use.
type Client struct {
	http *http.Client
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedProvider
}

type cachedProvider struct {
	provider *oidc.Provider
	fetched  time.Time
}

// New returns a Client.
func New(o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Client{http: &http.Client{Timeout: o.Timeout}, now: o.Now, cache: map[string]cachedProvider{}}
}

// context returns ctx carrying the client's HTTP client, which go-oidc and
// oauth2 use for every request.
func (c *Client) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http)
}

// provider returns the discovered provider of the issuer, from the cache
// while it is fresh.
func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	cp, ok := c.cache[issuer]
	c.mu.Unlock()
	if ok && time.Since(cp.fetched) < discoveryTTL {
		return cp.provider, nil
	}
	p, err := oidc.NewProvider(c.context(ctx), issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %v", ErrUnavailable, issuer, err)
	}
	c.mu.Lock()
	c.cache[issuer] = cachedProvider{provider: p, fetched: time.Now()}
	c.mu.Unlock()
	return p, nil
}

// Check fetches the issuer's discovery document, as the team page does
// before saving a provider: a typing error in the issuer is found then,
// not at the first sign-in.
func (c *Client) Check(ctx context.Context, issuer string) error {
	_, err := c.provider(ctx, issuer)
	return err
}

// AuthorizationOrigin returns the origin (scheme, host and port) of the
// issuer's authorization endpoint: the page whose form leads there must
// allow it as a form action in its Content-Security-Policy, or the
// browser refuses to follow the redirect.
func (c *Client) AuthorizationOrigin(ctx context.Context, issuer string) (string, error) {
	p, err := c.provider(ctx, issuer)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(p.Endpoint().AuthURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(u.Host, " ;,'\"") {
		return "", fmt.Errorf("%w: the authorization endpoint %q is no URL", ErrUnavailable, p.Endpoint().AuthURL)
	}
	return u.Scheme + "://" + u.Host, nil
}

func (c *Client) config(p *oidc.Provider, cfg Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// Begin starts a sign-in: fresh random state, nonce and PKCE verifier, and
// the provider's authorization URL with the S256 challenge. loginHint (the
// address typed on the sign-in page) saves the consultant typing it again.
func (c *Client) Begin(ctx context.Context, cfg Provider, loginHint string) (*Start, error) {
	p, err := c.provider(ctx, cfg.IssuerURL)
	if err != nil {
		return nil, err
	}
	st := &Start{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	st.URL = c.config(p, cfg).AuthCodeURL(st.State, opts...)
	return st, nil
}

// Finish redeems the code with the verifier, verifies the ID token and
// its nonce, and returns the verified identity.
func (c *Client) Finish(ctx context.Context, cfg Provider, code, verifier, nonce string) (*Identity, error) {
	p, err := c.provider(ctx, cfg.IssuerURL)
	if err != nil {
		return nil, err
	}
	ctx = c.context(ctx)
	tok, err := c.config(p, cfg).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, fmt.Errorf("%w: the token endpoint refused the code: %v", ErrRejected, err)
		}
		return nil, fmt.Errorf("%w: token endpoint: %v", ErrUnavailable, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("%w: no ID token in the token response", ErrRejected)
	}
	idToken, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: c.now}).Verify(ctx, raw)
	if err != nil {
		if isUnreachable(err) {
			return nil, fmt.Errorf("%w: keys: %v", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	if idToken.Nonce == "" || idToken.Nonce != nonce {
		return nil, fmt.Errorf("%w: the nonce does not match", ErrRejected)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		// xms_edov is Microsoft Entra ID's optional claim "the e-mail
		// domain's owner verified it"; Entra sends no email_verified.
		EntraDomainVerified any `json:"xms_edov"`
	}
	if err := idToken.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrRejected, err)
	}
	email := strings.ToLower(strings.TrimSpace(claims.Email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, "@") {
		return nil, fmt.Errorf("%w: no usable e-mail address", ErrEmailUnverified)
	}
	if !isTrue(claims.EmailVerified) && !isTrue(claims.EntraDomainVerified) {
		return nil, ErrEmailUnverified
	}
	return &Identity{Subject: idToken.Subject, Email: email}, nil
}

// isTrue accepts JSON true and the string "true", which some providers
// send instead.
func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// isUnreachable tells a JWKS that could not be fetched from a token that
// fails verification.
func isUnreachable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "fetching keys") || strings.Contains(msg, "get keys")
}

// random returns 256 random bits in base64url.
func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Domain returns the lower-case domain of an e-mail address, or "".
func Domain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 || i == len(email)-1 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}
