package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// startFrom presses the landing page's start button, as the client with
// the forwarded address (none when empty), and returns the status.
func startFrom(t *testing.T, f *fixture, forwardedFor string) int {
	t.Helper()
	b := f.browser(t)
	landing := b.get("/d/" + f.diag.Token)
	action, form := formOf(t, landing.body)
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+action, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		t.Error("a refused start has no Retry-After")
	}
	return resp.StatusCode
}

func TestRespondentRateLimit(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)

	t.Run("a client gets the burst, then waits", func(t *testing.T) {
		// A limit of 2 a minute: starting and submitting share a budget
		// of 4.
		f := newFixtureWith(t, st, st, Config{BaseURL: "http://uk.test", RespondentRateLimit: 2})
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, nil) // start: 1
		action, form := formOf(t, review.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther { // submit: 2
			t.Fatalf("submit within the limit: %d", p.status)
		}
		for i := 3; i <= 4; i++ {
			if got := startFrom(t, f, ""); got != http.StatusSeeOther {
				t.Fatalf("start %d within the limit: %d", i, got)
			}
		}
		if got := startFrom(t, f, ""); got != http.StatusTooManyRequests {
			t.Errorf("start beyond the limit: %d, want 429", got)
		}
		// A forwarded address is not believed without a trusted proxy.
		if got := startFrom(t, f, "203.0.113.7"); got != http.StatusTooManyRequests {
			t.Errorf("start with an untrusted X-Forwarded-For: %d, want 429", got)
		}
	})

	t.Run("behind a trusted proxy clients are told apart", func(t *testing.T) {
		f := newFixtureWith(t, st, st, Config{BaseURL: "http://uk.test", RespondentRateLimit: 1, TrustedProxies: []string{"127.0.0.1/32"}})
		for i := 1; i <= 2; i++ {
			if got := startFrom(t, f, "203.0.113.7"); got != http.StatusSeeOther {
				t.Fatalf("start %d of the first client: %d", i, got)
			}
		}
		if got := startFrom(t, f, "203.0.113.7"); got != http.StatusTooManyRequests {
			t.Errorf("the first client beyond the limit: %d, want 429", got)
		}
		if got := startFrom(t, f, "198.51.100.9"); got != http.StatusSeeOther {
			t.Errorf("a second client behind the same proxy: %d, want 303", got)
		}
	})

	t.Run("zero turns the limit off", func(t *testing.T) {
		f := newFixtureWith(t, st, st, Config{BaseURL: "http://uk.test"})
		for i := range 20 {
			if got := startFrom(t, f, ""); got != http.StatusSeeOther {
				t.Fatalf("start %d without a limit: %d", i, got)
			}
		}
	})

	t.Run("a bad proxy range is refused at start-up", func(t *testing.T) {
		_, err := New(Config{BaseURL: "http://uk.test", TrustedProxies: []string{"10.0.0.0"}}, Deps{Store: st, Files: uitvoeringskracht.Templates})
		if err == nil || !strings.Contains(err.Error(), "trusted proxy") {
			t.Errorf("New with a trusted proxy without a prefix length: %v", err)
		}
	})
}
