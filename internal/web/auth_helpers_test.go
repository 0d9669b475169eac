package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testPassword is the password of every account signIn creates.
const testPassword = "Blauwe olifant eet spruitjes op dinsdag"

// signIn makes sure the firm and the consultant exist (created through the
// store, with testPassword) and signs in through the real login form, so
// that b carries the session cookie. It returns the consultant.
func signIn(t *testing.T, f *fixture, b *browser, firmName, email string, admin bool) *survey.Consultant {
	t.Helper()
	cons := ensureConsultant(t, f.store, firmName, email, admin)
	p := login(t, b, email, testPassword)
	if p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
		t.Fatalf("sign in as %s: %d %s %s", email, p.status, p.location, snippet(p.body))
	}
	return cons
}

// ensureConsultant creates the firm and the consultant when missing.
func ensureConsultant(t *testing.T, st *store.Store, firmName, email string, admin bool) *survey.Consultant {
	t.Helper()
	ctx := context.Background()
	firm, err := st.FirmByName(ctx, firmName)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		firm = &survey.Firm{Name: firmName}
		err = st.CreateFirm(ctx, firm)
	}
	if err != nil {
		t.Fatal(err)
	}
	cons, err := st.ConsultantByEmail(ctx, email)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		cons = &survey.Consultant{FirmID: firm.ID, Email: email, IsAdmin: admin}
		err = st.CreateConsultant(ctx, cons, auth.NewHasher(auth.DefaultParams()).Hash(testPassword))
	}
	if err != nil {
		t.Fatal(err)
	}
	return cons
}

// login posts the login form and returns the answer.
func login(t *testing.T, b *browser, email, password string) page {
	t.Helper()
	form := url.Values{"csrf": {csrfFrom(t, b, "/login")}, "email": {email}, "password": {password}}
	return b.post("/login", form)
}

// csrfFrom fetches path and returns the CSRF token of its first form.
func csrfFrom(t *testing.T, b *browser, path string) string {
	t.Helper()
	p := b.get(path)
	_, form := formOf(t, p.body)
	token := form.Get("csrf")
	if token == "" {
		t.Fatalf("no CSRF token on %s (%d)", path, p.status)
	}
	return token
}

// postWithCSRF posts form to action with a fresh CSRF token from page.
func postWithCSRF(t *testing.T, b *browser, page, action string, form url.Values) page {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", csrfFrom(t, b, page))
	return b.post(action, form)
}

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// authFixture is a server without respondent data, on a clock the test
// controls, with cheap password hashing and no wait after failures.
type authFixture struct {
	*fixture
	clock *testClock
	srvr  *Server
}

func newAuthFixture(t *testing.T, st *store.Store) *authFixture {
	t.Helper()
	clock := newTestClock()
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Accounts: st, Files: uitvoeringskracht.Templates, Now: clock.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.signIn = signInPolicy{hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &authFixture{fixture: &fixture{srv: srv, store: st, logs: logs}, clock: clock, srvr: s}
}

// auditActions returns the actions of the firm's audit log, newest first.
func auditActions(t *testing.T, st *store.Store, firmID string) []string {
	t.Helper()
	entries, err := st.ListAudit(context.Background(), firmID, 500, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}
