// Package ssotest is an OpenID Connect provider for tests: discovery,
// authorization (which signs in the queued user at once), token and JWKS
// endpoints, with RSA keys the test controls. It produces what a
// well-behaved provider like mockoidc cannot: a token for a foreign
// audience, an expired or badly signed token, an unverified address, a key
// rotation, and an outage. Only tests import it.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is who the next authorization signs in.
type User struct {
	Subject string
	Email   string
	// EmailVerified is sent as the email_verified claim unless Omit is set.
	EmailVerified bool
	// OmitVerified leaves email_verified out (as Microsoft Entra ID does).
	OmitVerified bool
}

// Issuer is the provider. Its fields may be changed between requests
// through the methods, which lock.
type Issuer struct {
	URL          string
	ClientID     string
	ClientSecret string

	server *httptest.Server

	mu        sync.Mutex
	signing   *rsa.PrivateKey
	kid       string
	published []jose.JSONWebKey
	user      User
	grants    map[string]grant
	tamper    func(claims map[string]any)
	badKey    bool
	down      bool
	now       func() time.Time
	// JWKSFetches counts the requests for the key set.
	jwksFetches int
	tokenCalls  int
}

type grant struct {
	nonce, challenge, redirect string
	user                       User
}

// New starts an issuer; Close stops it.
func New() *Issuer {
	i := &Issuer{ClientID: "uitvoeringskracht-test", ClientSecret: randomText(), grants: map[string]grant{}, now: time.Now}
	i.RotateKey()
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("/authorize", i.authorize)
	mux.HandleFunc("/token", i.token)
	mux.HandleFunc("/keys", i.keys)
	i.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i.mu.Lock()
		down := i.down
		i.mu.Unlock()
		if down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	i.URL = i.server.URL
	return i
}

// Close stops the server.
func (i *Issuer) Close() { i.server.Close() }

// SetUser sets who the following authorizations sign in.
func (i *Issuer) SetUser(u User) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.user = u
}

// SetDown makes every endpoint answer 503 (true) or work again.
func (i *Issuer) SetDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.down = down
}

// SetNow sets the clock of the token's iat and exp.
func (i *Issuer) SetNow(now func() time.Time) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.now = now
}

// TamperNext changes the claims of the next ID token before it is signed.
func (i *Issuer) TamperNext(f func(claims map[string]any)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.tamper = f
}

// SignNextWithUnpublishedKey signs the next ID token with a key that is
// not in the JWKS but carries the current key's id: a forged signature.
func (i *Issuer) SignNextWithUnpublishedKey() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.badKey = true
}

// RotateKey makes a new signing key with a new key id and publishes only
// it, as a provider does when it retires its old key.
func (i *Issuer) RotateKey() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.signing, i.kid = key, "key-"+randomText()[:8]
	i.published = []jose.JSONWebKey{{Key: key.Public(), KeyID: i.kid, Algorithm: string(jose.RS256), Use: "sig"}}
}

// KeyID returns the id of the current signing key.
func (i *Issuer) KeyID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.kid
}

// JWKSFetches returns how many times the key set was fetched.
func (i *Issuer) JWKSFetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.jwksFetches
}

// TokenCalls returns how many token requests arrived.
func (i *Issuer) TokenCalls() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.tokenCalls
}

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.URL,
		"authorization_endpoint":                i.URL + "/authorize",
		"token_endpoint":                        i.URL + "/token",
		"jwks_uri":                              i.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// authorize signs the current user in at once and sends the browser back
// with a code. Only PKCE with S256 is accepted.
func (i *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != i.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := randomText()
	i.mu.Lock()
	user := i.user
	if user.Email == "" {
		user = User{Subject: "sub-" + q.Get("login_hint"), Email: q.Get("login_hint"), EmailVerified: true}
	}
	i.grants[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), user: user}
	i.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, checking the client and the PKCE verifier.
func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		secret = u
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.tokenCalls++
	if id != i.ClientID || secret != i.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	g, ok := i.grants[code]
	delete(i.grants, code) // a code works once, whatever happens next
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !ok || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != g.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := i.now()
	claims := map[string]any{
		"iss": i.URL, "sub": g.user.Subject, "aud": i.ClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": g.nonce, "email": g.user.Email,
	}
	if !g.user.OmitVerified {
		claims["email_verified"] = g.user.EmailVerified
	}
	if i.tamper != nil {
		i.tamper(claims)
		i.tamper = nil
	}
	key := i.signing
	if i.badKey {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		i.badKey = false
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: i.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	idToken, _ := jws.CompactSerialize()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": randomText(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

func (i *Issuer) keys(w http.ResponseWriter, _ *http.Request) {
	i.mu.Lock()
	i.jwksFetches++
	set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), i.published...)}
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func randomText() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
