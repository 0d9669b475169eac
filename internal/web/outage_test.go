package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// outageStore is the real store with a switch that makes every call a
// respondent's page needs fail the way an unreachable or full database
// makes the real store fail: with an internal error.
type outageStore struct {
	*store.Store
	down atomic.Bool
}

func (o *outageStore) fail(op string) error {
	return survey.Wrap(survey.CodeInternal, errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), op)
}

func (o *outageStore) Ready(ctx context.Context) error {
	if o.down.Load() {
		return o.fail("ping")
	}
	return o.Store.Ready(ctx)
}

func (o *outageStore) DiagnosticByToken(ctx context.Context, token string) (*survey.Diagnostic, error) {
	if o.down.Load() {
		return nil, o.fail("diagnostic by token")
	}
	return o.Store.DiagnosticByToken(ctx, token)
}

func (o *outageStore) SealingKeys(ctx context.Context) (map[byte][]byte, byte, error) {
	if o.down.Load() {
		return nil, 0, o.fail("load sealing keys")
	}
	return o.Store.SealingKeys(ctx)
}

func (o *outageStore) SpendAccessCode(ctx context.Context, diagnosticID, code string) error {
	if o.down.Load() {
		return o.fail("spend access code")
	}
	return o.Store.SpendAccessCode(ctx, diagnosticID, code)
}

func (o *outageStore) Submit(ctx context.Context, nonce string, r *survey.Response) error {
	if o.down.Load() {
		return o.fail("submit response")
	}
	return o.Store.Submit(ctx, nonce, r)
}

// assertTryAgain checks a respondent's page during an outage: 503, a
// Retry-After, the message in the respondent's language and nothing of the
// cause.
func assertTryAgain(t *testing.T, what string, p page, message string) {
	t.Helper()
	if p.status != http.StatusServiceUnavailable {
		t.Errorf("%s during an outage: status %d, want 503", what, p.status)
	}
	if p.header.Get("Retry-After") == "" {
		t.Errorf("%s during an outage: no Retry-After", what)
	}
	if !strings.Contains(p.body, message) {
		t.Errorf("%s during an outage: the page lacks %q: %s", what, message, snippet(p.body))
	}
	for _, leak := range []string{"connection refused", "5432", "goroutine", "panic", "internal error"} {
		if strings.Contains(p.body, leak) {
			t.Errorf("%s during an outage shows %q", what, leak)
		}
	}
}

// TestDatabaseOutageKeepsTheRespondentsAnswers takes the database away in
// the middle of a questionnaire and at the submit, then brings it back.
func TestDatabaseOutageKeepsTheRespondentsAnswers(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		o := &outageStore{Store: st}
		f := newFixtureOn(t, st, o)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		action, form := answerAll(t, step1.body, nil)
		step2 := b.follow(b.post(action, form))

		// Step 2 is posted while the database is down. The progress lives
		// in the respondent's sealed cookie, not in the database, so the
		// step is saved all the same and the questionnaire goes on.
		o.down.Store(true)
		action, form = answerAll(t, step2.body, nil)
		names := radioNames(step2.body)
		if len(names) < 2 {
			t.Fatalf("step 2 has %d questions", len(names))
		}
		// Not the first choice everywhere: the kept answer must be the one given.
		choice := form.Get(names[1])
		for _, m := range reRadio.FindAllStringSubmatch(step2.body, -1) {
			if m[1] == names[1] && m[2] != choice {
				choice = m[2]
			}
		}
		form.Set(names[1], choice)
		p := b.follow(b.post(action, form))
		if p.status != http.StatusOK || !strings.Contains(p.body, "3 van") {
			t.Fatalf("step 3 during an outage: %d %s", p.status, snippet(p.body))
		}
		kept := b.get(action)
		for _, name := range names {
			want := `name="` + name + `" value="` + form.Get(name) + `" checked`
			if !strings.Contains(kept.body, want) {
				t.Errorf("the answer to %s is not kept (%s)", name, want)
			}
		}
		if p := b.get("/readyz"); p.status != http.StatusServiceUnavailable {
			t.Errorf("readyz during an outage: %d", p.status)
		}

		// The database is back: the questionnaire goes on.
		o.down.Store(false)
		if p := b.get("/readyz"); p.status != http.StatusOK {
			t.Errorf("readyz after the outage: %d", p.status)
		}
		for i := 0; i < 10 && !strings.Contains(p.body, `name="nonce"`); i++ {
			a, v := answerAll(t, p.body, nil)
			p = b.follow(b.post(a, v))
		}
		if !strings.Contains(p.body, `name="nonce"`) {
			t.Fatalf("review page not reached after the outage: %s", snippet(p.body))
		}

		// The submit fails during a second outage and is retried after it.
		o.down.Store(true)
		action, form = formOf(t, p.body)
		assertTryAgain(t, "submitting", b.post(action, form), "konden nog niet worden verstuurd")
		o.down.Store(false)
		thanks := b.post(action, form)
		if thanks.status != http.StatusSeeOther || !strings.HasSuffix(thanks.location, "/bedankt") {
			t.Fatalf("submit after the outage: %d %s", thanks.status, thanks.location)
		}
		if n, err := st.CountResponses(context.Background(), f.diag.ID); err != nil || n != 1 {
			t.Errorf("stored responses: %d, %v; want exactly 1", n, err)
		}
		// A second retry of the same form stores nothing more.
		if again := b.post(action, form); again.status != http.StatusSeeOther {
			t.Errorf("repeated submit: %d", again.status)
		}
		if n, err := st.CountResponses(context.Background(), f.diag.ID); err != nil || n != 1 {
			t.Errorf("stored responses after a repeat: %d, %v; want exactly 1", n, err)
		}
	})
}
