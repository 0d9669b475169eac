package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// tcpProxy stands between the service and PostgreSQL so that a test can
// take the database away (as a network failure or a database restart
// would) and bring it back on the same address.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
}

// cut closes the listener and every connection: the database is gone.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens on the same address again.
func (p *tcpProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// TestPostgresOutage takes PostgreSQL away from a running service while a
// respondent is half-way, and brings it back: the respondent gets a "try
// again" page with their answers still filled in (never an error dump),
// readyz reports not ready, and after the outage the same form goes
// through and the questionnaire is stored once.
func TestPostgresOutage(t *testing.T) {
	dbURL := storetest.DatabaseURL(t, store.DialectPostgres)
	token := createDiagnostic(t, dbURL)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	base := startApp(t, u.String())

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	do := func(method, path string, form url.Values) (int, string, http.Header) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data), resp.Header
	}
	r := &respondent{rng: rand.New(rand.NewPCG(1, 2)), forms: newFormReader()}
	next := func(page string) (string, url.Values) {
		t.Helper()
		action, form, err := r.fillForm(page)
		if err != nil {
			t.Fatalf("%v: %s", err, page)
		}
		return action, form
	}

	_, page, _ := do(http.MethodGet, "/d/"+token, nil)
	action, form := next(page) // start
	_, page, _ = do(http.MethodPost, action, form)
	action, form = next(page) // step 1
	status, page, _ := do(http.MethodPost, action, form)
	if status != http.StatusOK || !strings.Contains(page, "/stap/2") {
		t.Fatalf("step 2 not reached: %d", status)
	}
	action, form = next(page)

	// The database goes away. The respondent's progress lives sealed in
	// their cookie, so the steps are saved all the same: step 2 is kept
	// and the questionnaire goes on to the review page.
	proxy.cut()
	step2, step2Form := action, form
	status, page, _ = do(http.MethodPost, action, form)
	if status != http.StatusOK || !strings.Contains(page, "/stap/3") {
		t.Fatalf("posting step 2 with the database away: %d, want step 3", status)
	}
	_, kept, _ := do(http.MethodGet, step2, nil)
	checked := 0
	for name, values := range step2Form {
		if strings.HasPrefix(name, "item-") || name == "role" || name == "unit" || name == "tenure" {
			checked++
			if want := `name="` + name + `" value="` + values[0] + `" checked`; !strings.Contains(kept, want) {
				t.Errorf("answer %s=%s not kept", name, values[0])
			}
		}
	}
	if checked == 0 {
		t.Fatalf("step 2's form has no answers to check: %v", step2Form)
	}
	for i := 0; i < 12 && status == http.StatusOK && !strings.Contains(page, `name="nonce"`); i++ {
		action, form = next(page)
		status, page, _ = do(http.MethodPost, action, form)
	}
	if !strings.Contains(page, `name="nonce"`) {
		t.Fatalf("the review page was not reached with the database away: %d", status)
	}
	// Only the submit needs the database: it says to try again, and keeps
	// nothing of the cause on the page.
	action, form = next(page)
	status, failed, header := do(http.MethodPost, action, form)
	if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
		t.Errorf("submitting with the database away: %d, Retry-After %q; want 503 with Retry-After", status, header.Get("Retry-After"))
	}
	if !strings.Contains(failed, "konden nog niet worden verstuurd") {
		t.Errorf("no 'try again' message: %s", failed)
	}
	for _, leak := range []string{"connect", "5432", proxy.addr, "goroutine", "pgx", "SQLSTATE"} {
		if strings.Contains(failed, leak) {
			t.Errorf("the page shows %q", leak)
		}
	}
	if status, _, _ := do(http.MethodGet, "/readyz", nil); status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database away: %d", status)
	}

	// The database comes back; the respondent sends the same form again
	// until it arrives (readiness stays off until a write succeeds again
	// or 30 seconds pass, so it is no signal to wait for here).
	proxy.restore()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, page, _ = do(http.MethodPost, action, form)
		if status == http.StatusOK && strings.Contains(page, `class="panel"`) && strings.Contains(page, "Bedankt") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the submit did not arrive 20 s after the database came back: %d", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if status, _, _ := do(http.MethodGet, "/readyz", nil); status != http.StatusOK {
		t.Errorf("readyz after a successful submit: %d", status)
	}

	st, err := store.Open(context.Background(), dbURL, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := countFor(context.Background(), st, token); err != nil || n != 1 {
		t.Errorf("stored responses: %d, %v; want exactly 1", n, err)
	}
}
