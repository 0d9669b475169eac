package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a running server with one open diagnostic.
type fixture struct {
	srv   *httptest.Server
	store *store.Store
	diag  *survey.Diagnostic
	logs  *syncBuffer
}

func newFixture(t testing.TB, st *store.Store) *fixture {
	t.Helper()
	return newFixtureOn(t, st, st)
}

// newFixtureOn is newFixture with the server on web (st wrapped, say, to
// make it fail on demand) while the fixture's data is made through st.
func newFixtureOn(t testing.TB, st *store.Store, web Store) *fixture {
	t.Helper()
	return newFixtureWith(t, st, web, Config{BaseURL: "http://uk.test"})
}

// newFixtureWith is newFixtureOn with the server's configuration.
func newFixtureWith(t testing.TB, st *store.Store, web Store, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	org := &survey.Organisation{Name: "Gemeente Voorbeeld", Sector: survey.SectorMunicipality}
	if err := st.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	d := &survey.Diagnostic{
		OrganisationID: org.ID, Name: "Meting 2026", Questionnaire: *q,
		Units: survey.NewUnits([]string{"Beleid", "Uitvoering", "Staf"}), State: survey.StateOpen, MinGroupSize: 5,
	}
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s, err := New(cfg, Deps{
		Store: web, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, store: st, diag: d, logs: logs}
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see every 303.
type browser struct {
	t    testing.TB
	c    *http.Client
	base string
}

func (f *fixture) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.srv.URL, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(data), header: resp.Header}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

func (b *browser) post(path string, form url.Values) page { return b.do(http.MethodPost, path, form) }

// follow GETs the page a redirect points to.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("want 303, got %d: %s", p.status, snippet(p.body))
	}
	return b.get(p.location)
}

var (
	reHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	reRadio  = regexp.MustCompile(`<input class="radio-input" type="radio" id="[^"]+" name="([^"]+)" value="([^"]*)"`)
	reAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// formOf returns the action and the hidden fields of the page's form.
func formOf(t testing.TB, body string) (string, url.Values) {
	t.Helper()
	m := reAction.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form on page: %s", snippet(body))
	}
	v := url.Values{}
	for _, h := range reHidden.FindAllStringSubmatch(body, -1) {
		v.Set(h[1], html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), v
}

// radioNames lists the radio groups on a page, in order.
func radioNames(body string) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range reRadio.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}

// answerAll fills every radio group with its first choice (a background
// option, or "strongly disagree") unless over says otherwise.
func answerAll(t testing.TB, body string, over map[string]string) (string, url.Values) {
	t.Helper()
	action, form := formOf(t, body)
	for _, m := range reRadio.FindAllStringSubmatch(body, -1) {
		if form.Get(m[1]) == "" {
			form.Set(m[1], m[2])
		}
	}
	for k, v := range over {
		if strings.Contains(body, `name="`+k+`"`) {
			form.Set(k, v)
		}
	}
	return action, form
}

func snippet(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// start opens the landing page and presses the start button; it returns
// the landing page and the first step.
func (f *fixture) start(t testing.TB, b *browser) (page, page) {
	t.Helper()
	landing := b.get("/d/" + f.diag.Token)
	if landing.status != http.StatusOK {
		t.Fatalf("landing: %d", landing.status)
	}
	action, form := formOf(t, landing.body)
	return landing, b.follow(b.post(action, form))
}

// completeQuestionnaire walks a fresh respondent from the landing page to
// the review page, answering with over where given, and returns the review
// page.
func (f *fixture) completeQuestionnaire(t testing.TB, b *browser, over map[string]string) page {
	t.Helper()
	_, p := f.start(t, b)
	for i := 0; i < 10; i++ {
		if strings.Contains(p.body, `name="nonce"`) {
			return p
		}
		if p.status != http.StatusOK {
			t.Fatalf("step page: %d %s", p.status, snippet(p.body))
		}
		action, form := answerAll(t, p.body, over)
		p = b.follow(b.post(action, form))
	}
	t.Fatal("review page not reached")
	return page{}
}

// freshNonce is a submission nonce as a respondent's sealed state carries
// one, for tests that store responses directly.
func freshNonce() string { return rand.Text() }
