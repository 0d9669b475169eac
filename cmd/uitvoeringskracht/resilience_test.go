package main

// Reliability under failure and scale-out: the real binary is killed
// (SIGKILL) or stopped (SIGTERM) while simulated respondents submit, and
// two instances share one PostgreSQL database. docs/operations.md ("Crash
// safety and graceful shutdown") says what these tests prove.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// resilienceWorkers is how many simulated respondents play at once against
// the subprocess.
const resilienceWorkers = 32

// buildServer builds the real binary (without -race: the server's speed
// matters here, not its own data races, which the other tests cover).
func buildServer(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the package directory: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "uk")
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/uitvoeringskracht")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the server binary in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// freeAddr returns a local address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// ukProcess is one `uk serve` subprocess; its output goes to a file that is
// printed when the test fails.
type ukProcess struct {
	cmd     *exec.Cmd
	addr    string
	logPath string
	done    chan struct{}
	waitErr error     // valid once done is closed
	exited  time.Time // valid once done is closed
}

func startServerProcess(t *testing.T, bin, addr, dbURL, logPath string) *ukProcess {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database", dbURL, "--migrate", "1", "--log-format", "json")
	cmd.Stdout, cmd.Stderr = f, f
	// The per-address respondent rate limit would count every simulated
	// respondent (all from 127.0.0.1) against one budget.
	cmd.Env = append(os.Environ(), "UK_RESPONDENT_RATE_LIMIT=0", "UK_SECRET_KEY="+testSecretKeyFor(dbURL))
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatal(err)
	}
	p := &ukProcess{cmd: cmd, addr: addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		p.exited = time.Now()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("server output (%s):\n%s", filepath.Base(logPath), tailOfFile(logPath, 16<<10))
		}
	})
	p.waitReady(t)
	return p
}

// waitReady polls /readyz until it answers 200.
func (p *ukProcess) waitReady(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get("http://" + p.addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				client.CloseIdleConnections()
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("the server exited before it was ready (%v):\n%s", p.waitErr, tailOfFile(p.logPath, 16<<10))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server was not ready within 20 s (last: %v):\n%s", err, tailOfFile(p.logPath, 16<<10))
		}
	}
}

// stop ends the process if it still runs: SIGTERM, then SIGKILL.
func (p *ukProcess) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func tailOfFile(path string, n int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if int64(len(data)) > n {
		return "…" + string(data[int64(len(data))-n:])
	}
	return string(data)
}

// requestRecord is what the client saw of one HTTP request (one hop: a
// redirect's target is a record of its own).
type requestRecord struct {
	mu           sync.Mutex
	method, path string
	start        time.Time
	connectStart time.Time // the last dial, zero when a pooled connection was used
	reused       bool      // the last attempt went over a kept-alive connection
	wrote        time.Time // the request was written completely
	firstByte    time.Time // the first byte of the response arrived
	end          time.Time // the body was read to the end, or the request failed
	status       int       // 0 when no response arrived
	complete     bool      // the body was read to its end without error
	err          error     // the transport's error, or the body's read error
	// waiting: in requestRecorder.waiting
	waiting bool
}

// requestRecorder wraps a transport and records every request.
type requestRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	all  []*requestRecord
	// waiting holds the GET requests written and not yet answered.
	waiting map[*requestRecord]bool
}

func (rr *requestRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := &requestRecord{method: req.Method, path: req.URL.Path, start: time.Now()}
	rr.mu.Lock()
	rr.all = append(rr.all, rec)
	rr.mu.Unlock()
	set := func(f func()) {
		rec.mu.Lock()
		f()
		rec.mu.Unlock()
	}
	trace := &httptrace.ClientTrace{
		ConnectStart: func(string, string) { set(func() { rec.connectStart = time.Now() }) },
		GotConn:      func(info httptrace.GotConnInfo) { set(func() { rec.reused = info.Reused }) },
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				set(func() {
					rec.wrote = time.Now()
					if rec.method == http.MethodGet && rec.firstByte.IsZero() && !rec.waiting {
						rec.waiting = true
						rr.mu.Lock()
						rr.waiting[rec] = true
						rr.mu.Unlock()
					}
				})
			}
		},
		GotFirstResponseByte: func() {
			set(func() {
				rec.firstByte = time.Now()
				rr.stopWaiting(rec)
			})
		},
	}
	resp, err := rr.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rr.stopWaiting(rec)
	if err != nil {
		rec.err, rec.end = err, time.Now()
		return nil, err
	}
	rec.status = resp.StatusCode
	resp.Body = &recordedBody{ReadCloser: resp.Body, rec: rec}
	return resp, nil
}

// stopWaiting takes rec out of getsWaiting; rec.mu is held.
func (rr *requestRecorder) stopWaiting(rec *requestRecord) {
	if rec.waiting {
		rec.waiting = false
		rr.mu.Lock()
		delete(rr.waiting, rec)
		rr.mu.Unlock()
	}
}

// getsWaitingSince counts the GET requests written before t and not yet
// answered.
func (rr *requestRecorder) getsWaitingSince(t time.Time) int {
	rr.mu.Lock()
	recs := make([]*requestRecord, 0, len(rr.waiting))
	for rec := range rr.waiting {
		recs = append(recs, rec)
	}
	rr.mu.Unlock()
	n := 0
	for _, rec := range recs {
		rec.mu.Lock()
		if rec.waiting && rec.wrote.Before(t) {
			n++
		}
		rec.mu.Unlock()
	}
	return n
}

func (rr *requestRecorder) records() []*requestRecord {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]*requestRecord(nil), rr.all...)
}

// recordedBody notes whether a response's body arrived whole.
type recordedBody struct {
	io.ReadCloser
	rec *requestRecord
}

func (b *recordedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.rec.mu.Lock()
		if b.rec.end.IsZero() {
			b.rec.end = time.Now()
			if errors.Is(err, io.EOF) {
				b.rec.complete = true
			} else {
				b.rec.err = err
			}
		}
		b.rec.mu.Unlock()
	}
	return n, err
}

func (b *recordedBody) Close() error {
	b.rec.mu.Lock()
	if b.rec.end.IsZero() {
		b.rec.end = time.Now()
		b.rec.err = errors.New("body closed before its end")
	}
	b.rec.mu.Unlock()
	return b.ReadCloser.Close()
}

// submission is one respondent that reached the review page: its form
// (with the nonce that makes the submit idempotent), its cookie jar (in
// r.client) and what became of its submit. Times are Unix nanoseconds,
// zero when it did not happen.
type submission struct {
	r         *respondent
	action    string
	form      url.Values
	nonce     string
	attempted atomic.Int64 // the submit was started
	wrote     atomic.Int64 // its POST was written completely
	answered  atomic.Int64 // the first byte of the POST's answer arrived
	acked     atomic.Int64 // the thank-you page arrived
	done      atomic.Int64 // the submit returned
	errText   atomic.Value // string: why the submit failed
}

// resilienceLoad plays respondents continuously, as runLoad does, but
// keeps every respondent that reached its review page so that the test can
// check and retry its submission afterwards.
type resilienceLoad struct {
	target    *url.URL
	transport *http.Transport
	rec       *requestRecorder
	forms     *formReader
	stop      chan struct{}
	wg        sync.WaitGroup
	mu        sync.Mutex
	subs      []*submission
	prepErrs  int
}

func startResilienceLoad(ctx context.Context, target *url.URL, workers int) *resilienceLoad {
	tr := &http.Transport{MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2, IdleConnTimeout: 30 * time.Second}
	l := &resilienceLoad{target: target, transport: tr, rec: &requestRecorder{base: tr, waiting: map[*requestRecord]bool{}}, forms: newFormReader(), stop: make(chan struct{})}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				select {
				case <-l.stop:
					return
				default:
				}
				r := &respondent{target: l.target, rng: rng, transport: l.rec, forms: l.forms}
				action, form, err := r.prepare(ctx)
				if err != nil {
					l.mu.Lock()
					l.prepErrs++
					l.mu.Unlock()
					// The server is down or stopping: back off a little
					// instead of spinning on refused connections.
					select {
					case <-l.stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					continue
				}
				s := &submission{r: r, action: action, form: form, nonce: form.Get("nonce")}
				l.mu.Lock()
				l.subs = append(l.subs, s)
				l.mu.Unlock()
				trace := &httptrace.ClientTrace{
					// The POST comes first, then the thank-you page it
					// redirects to: the first event of each kind is the
					// POST's.
					WroteRequest: func(info httptrace.WroteRequestInfo) {
						if info.Err == nil {
							s.wrote.CompareAndSwap(0, time.Now().UnixNano())
						}
					},
					GotFirstResponseByte: func() { s.answered.CompareAndSwap(0, time.Now().UnixNano()) },
				}
				s.attempted.Store(time.Now().UnixNano())
				err = r.submit(httptrace.WithClientTrace(ctx, trace), action, form)
				if err == nil {
					s.acked.Store(time.Now().UnixNano())
				} else {
					s.errText.Store(err.Error())
				}
				s.done.Store(time.Now().UnixNano())
			}
		}()
	}
	return l
}

// inFlight counts the submits whose POST was written and not yet answered.
func (l *resilienceLoad) inFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.subs {
		if s.wrote.Load() != 0 && s.answered.Load() == 0 && s.done.Load() == 0 {
			n++
		}
	}
	return n
}

func (l *resilienceLoad) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.subs {
		if s.acked.Load() != 0 {
			n++
		}
	}
	return n
}

// waitForLoad polls until the load has run for 1.5 s, at least acked
// submissions are acknowledged, at least inFlight submit POSTs are written
// and unanswered, and at least gets GET requests have been written 5 ms or
// more ago and are unanswered (so that the server has most likely begun
// them), or for at most 12 s (the caller's assertions then fail with the
// numbers).
func waitForLoad(l *resilienceLoad, start time.Time, acked, inFlight, gets int) {
	for time.Since(start) < 12*time.Second {
		if time.Since(start) >= 1500*time.Millisecond && l.acked() >= acked && l.inFlight() >= inFlight &&
			(gets == 0 || l.rec.getsWaitingSince(time.Now().Add(-5*time.Millisecond)) >= gets) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// halt stops starting respondents and waits for the ones playing.
func (l *resilienceLoad) halt() []*submission {
	close(l.stop)
	l.wg.Wait()
	l.transport.CloseIdleConnections()
	return l.subs
}

// processFixture is one database with an open diagnostic, served by the
// binary on a fixed address so that it can be restarted in place.
type processFixture struct {
	bin, dbURL, token, addr, dir string
	target                       *url.URL
}

func newProcessFixture(t *testing.T, bin, dialect string) *processFixture {
	t.Helper()
	dbURL := storetest.DatabaseURL(t, dialect)
	token := createDiagnostic(t, dbURL)
	addr := freeAddr(t)
	target, err := url.Parse("http://" + addr + "/d/" + token)
	if err != nil {
		t.Fatal(err)
	}
	return &processFixture{bin: bin, dbURL: dbURL, token: token, addr: addr, dir: t.TempDir(), target: target}
}

func (f *processFixture) start(t *testing.T, name string) *ukProcess {
	t.Helper()
	return startServerProcess(t, f.bin, f.addr, f.dbURL, filepath.Join(f.dir, name+".log"))
}

// retryOutcome is what checkAfterRestart found.
type retryOutcome struct {
	retried       int // submits started but not acknowledged, retried
	storedUnacked int // of those, already stored before the retry
	stored        int // responses stored for the diagnostic at the end
}

// checkAfterRestart checks, on the restarted server and its database, that
// every acknowledged submission is stored, that every submit that was
// started but not acknowledged lands on the thank-you page when retried with
// the same cookies and form, and that the stored count is exactly the
// number of distinct acknowledged nonces: none twice, none lost.
func checkAfterRestart(t *testing.T, f *processFixture, subs []*submission) retryOutcome {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, f.dbURL)
	d, err := st.DiagnosticByToken(ctx, f.token)
	if err != nil {
		t.Fatal(err)
	}
	var out retryOutcome
	nonces := map[string]bool{}
	var retry []*submission
	for _, s := range subs {
		if s.nonce == "" {
			t.Fatal("a review form without a nonce")
		}
		if nonces[s.nonce] {
			t.Fatalf("two respondents got the nonce %q", s.nonce)
		}
		nonces[s.nonce] = true
		switch {
		case s.acked.Load() != 0:
			used, err := st.NonceUsed(ctx, s.nonce)
			if err != nil {
				t.Fatal(err)
			}
			if !used {
				t.Errorf("an acknowledged submission (nonce %.8s…) is not stored after the restart", s.nonce)
			}
		case s.attempted.Load() != 0:
			retry = append(retry, s)
		}
	}
	acked := map[string]bool{}
	for _, s := range subs {
		if s.acked.Load() != 0 {
			acked[s.nonce] = true
		}
	}
	fresh := &http.Transport{}
	defer fresh.CloseIdleConnections()
	for _, s := range retry {
		out.retried++
		used, err := st.NonceUsed(ctx, s.nonce)
		if err != nil {
			t.Fatal(err)
		}
		if used {
			out.storedUnacked++
		}
		// The same cookies (sealed state, CSRF) and the same form; a new
		// connection pool, since the old one's connections died with the
		// server.
		s.r.client = &http.Client{Transport: fresh, Jar: s.r.client.Jar, Timeout: 30 * time.Second}
		if err := s.r.submit(ctx, s.action, s.form); err != nil {
			t.Errorf("retrying a submit that was not acknowledged (first: %v; stored before the retry: %v): %v", s.errText.Load(), used, err)
			continue
		}
		acked[s.nonce] = true
	}
	if out.stored, err = st.CountResponses(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if out.stored != len(acked) {
		t.Errorf("stored %d responses, acknowledged %d distinct submissions (before the stop and on retry): some were lost or stored twice", out.stored, len(acked))
	}
	return out
}

// TestCrashSafety kills the server with SIGKILL while submissions are in
// flight, restarts it on the same database and checks that no acknowledged
// answer is lost and that retrying the unacknowledged ones stores each
// exactly once.
func TestCrashSafety(t *testing.T) {
	dialects := storetest.Dialects(t)
	bin := buildServer(t)
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			began := time.Now()
			f := newProcessFixture(t, bin, dialect)
			first := f.start(t, "before-kill")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			load := startResilienceLoad(ctx, f.target, resilienceWorkers)
			loadStart := time.Now()

			// Kill after at least 1.5 s of load, once some submissions
			// are acknowledged, at a moment when several submit POSTs are
			// written and unanswered (polled; at most 12 s).
			waitForLoad(load, loadStart, 3, 2, 0)
			killAt := time.Now()
			if err := first.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-first.done
			subs := load.halt()

			inFlight, unanswered, attempted := 0, 0, 0
			for _, s := range subs {
				if s.attempted.Load() != 0 {
					attempted++
				}
				// In flight: the POST was written before the kill and
				// its answer had not arrived. Unanswered: no answer ever
				// came; the server had it, or had it on its socket, when
				// it died.
				w, a := s.wrote.Load(), s.answered.Load()
				if w != 0 && w < killAt.UnixNano() && (a == 0 || a > killAt.UnixNano()) {
					inFlight++
					if a == 0 {
						unanswered++
					}
				}
			}
			ackedBeforeKill := load.acked()
			if ackedBeforeKill == 0 {
				t.Fatalf("no submission was acknowledged in %s of load", killAt.Sub(loadStart).Round(time.Millisecond))
			}
			if inFlight == 0 {
				t.Errorf("the kill found no submit POST in flight (%d submits started)", attempted)
			}

			f.start(t, "after-kill")
			out := checkAfterRestart(t, f, subs)
			t.Logf("%s: load %s before SIGKILL; %d respondents reached the review page, %d submits started; acknowledged before the kill: %d; POSTs in flight at the kill: %d (never answered: %d); retried (started, unacknowledged): %d, of which stored before the retry: %d; stored at the end: %d; wall time %s",
				dialect, killAt.Sub(loadStart).Round(time.Millisecond), len(subs), attempted, ackedBeforeKill, inFlight, unanswered, out.retried, out.storedUnacked, out.stored, time.Since(began).Round(time.Millisecond))
		})
	}
}

// serverRequestLines returns the number of respondent requests the server
// answered, from the total it logs when it stops (respondent requests have
// no line of their own), and says whether it logged that it stopped.
func serverRequestLines(t *testing.T, path string) (int, bool) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	n, stopped := 0, false
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg                string `json:"msg"`
			Route              string `json:"route"`
			RespondentRequests int    `json:"respondent_requests"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch {
		case line.Msg == "request" && strings.HasPrefix(line.Route, "/d/"):
			t.Errorf("a request line for a respondent route: %s", sc.Bytes())
		case line.Msg == "stopped":
			n, stopped = line.RespondentRequests, true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n, stopped
}

// shutdownFailureClass names an expected way for a request to fail while
// the server stops, or returns "" when the failure is not one.
//
//   - refused: the connection was dialled after the signal, when the
//     listener was closed (a GET is redialled by Go's transport after the
//     server closed its kept-alive connection, so its start may be earlier);
//   - closed unread: the server closed the connection before any byte of an
//     answer (an idle kept-alive connection at shutdown, or a new one still
//     in the listen backlog): Go's "server closed idle connection", EOF or
//     a reset. The request was never handled: the count of logged requests
//     proves that separately.
func shutdownFailureClass(rec *requestRecord, signalled time.Time) string {
	if rec.status != 0 || rec.err == nil || rec.end.Before(signalled) {
		return ""
	}
	switch {
	case errors.Is(rec.err, syscall.ECONNREFUSED):
		if !rec.connectStart.IsZero() && !rec.connectStart.Before(signalled) {
			return "refused"
		}
	case rec.firstByte.IsZero() && (errors.Is(rec.err, io.EOF) || errors.Is(rec.err, io.ErrUnexpectedEOF) ||
		errors.Is(rec.err, syscall.ECONNRESET) || errors.Is(rec.err, syscall.EPIPE) ||
		strings.Contains(rec.err.Error(), "server closed idle connection")):
		if rec.reused {
			return "closed unread (kept-alive connection)"
		}
		return "closed unread (new connection)"
	}
	return ""
}

// heldRequest is a respondent's POST of step 1 that the server has begun:
// it asked for the body ("100 Continue"), which the test holds back until
// the server is shutting down.
type heldRequest struct {
	rec     *requestRecorder
	jar     http.CookieJar
	body    *io.PipeWriter
	form    string
	started time.Time // the server asked for the body
	result  chan heldResult
}

type heldResult struct {
	status   int
	location string
	err      error
	at       time.Time
}

// prepareHeldStep plays a respondent up to step 1 and returns that page's
// form action and values.
func prepareHeldStep(t *testing.T, ctx context.Context, target *url.URL) (*respondent, string, url.Values) {
	t.Helper()
	tr := &http.Transport{ExpectContinueTimeout: time.Minute}
	t.Cleanup(tr.CloseIdleConnections)
	jar, _ := cookiejar.New(nil)
	rec := &requestRecorder{base: tr, waiting: map[*requestRecord]bool{}}
	r := &respondent{target: target, rng: rand.New(rand.NewPCG(3, 4)), transport: rec, forms: newFormReader(),
		client: &http.Client{Transport: rec, Jar: jar, Timeout: 30 * time.Second}}
	page, err := r.do(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the landing page's start form, then step 1
		action, form, err := r.fillForm(page)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(action, "/stap/1") {
			return r, action, form
		}
		if page, err = r.do(ctx, http.MethodPost, target.ResolveReference(&url.URL{Path: action}).String(), form); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("step 1 not reached")
	return nil, "", nil
}

// hold sends the step's POST with "Expect: 100-continue" and returns once
// the server has asked for the body: its handlers are then running.
func hold(t *testing.T, ctx context.Context, r *respondent, action string, form url.Values) *heldRequest {
	t.Helper()
	pr, pw := io.Pipe()
	h := &heldRequest{rec: r.transport.(*requestRecorder), jar: r.client.Jar, body: pw, form: form.Encode(), result: make(chan heldResult, 1)}
	asked := make(chan struct{})
	var once sync.Once
	trace := &httptrace.ClientTrace{Got100Continue: func() { once.Do(func() { h.started = time.Now(); close(asked) }) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, r.target.ResolveReference(&url.URL{Path: action}).String(), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(h.form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: r.transport, Jar: r.client.Jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			h.result <- heldResult{err: err, at: time.Now()}
			return
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		h.result <- heldResult{status: resp.StatusCode, location: resp.Header.Get("Location"), err: err, at: time.Now()}
	}()
	select {
	case <-asked:
	case res := <-h.result:
		t.Fatalf("the held request was answered before it sent its body: %d %v", res.status, res.err)
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not ask for the held request's body within 15 s")
	}
	return h
}

// waitListenerClosed polls until the address refuses connections: the
// server has begun its shutdown.
func waitListenerClosed(t *testing.T, addr string) time.Time {
	t.Helper()
	deadline := time.Now().Add(shutdownGrace)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			// Refused, or reset: the connection was in the listen
			// backlog when the listener closed.
			if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
				return time.Now()
			}
			t.Fatalf("dialling %s: %v", addr, err)
		}
		conn.Close()
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%s still accepted connections %s after SIGTERM", addr, shutdownGrace)
	return time.Time{}
}

// TestGracefulShutdownUnderLoad stops the server with SIGTERM under load:
// it must finish what it is handling, answer it completely, exit 0 within
// the grace period, and lose no acknowledged answer.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	dialects := storetest.Dialects(t)
	bin := buildServer(t)
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			began := time.Now()
			f := newProcessFixture(t, bin, dialect)
			first := f.start(t, "before-term")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			heldResp, heldAction, heldForm := prepareHeldStep(t, ctx, f.target)
			load := startResilienceLoad(ctx, f.target, resilienceWorkers)
			loadStart := time.Now()
			// Signal when, besides a submit, several pages are being
			// fetched, and while one request is certainly in the
			// server's hands: it asked for the held request's body.
			waitForLoad(load, loadStart, 3, 1, 3)
			held := hold(t, ctx, heldResp, heldAction, heldForm)
			signalled := time.Now()
			if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// Only once the server has stopped accepting connections is
			// the held body sent: the request must still be finished.
			listenerClosed := waitListenerClosed(t, f.addr)
			if _, err := io.WriteString(held.body, held.form); err != nil {
				t.Fatalf("sending the held body: %v", err)
			}
			held.body.Close()
			var heldRes heldResult
			select {
			case heldRes = <-held.result:
			case <-time.After(shutdownGrace + 5*time.Second):
				t.Fatal("the held request got no answer")
			}
			if heldRes.err != nil || heldRes.status != http.StatusSeeOther || !strings.HasSuffix(heldRes.location, "/stap/2") {
				t.Errorf("the request in the server's hands at SIGTERM, finished after the listener closed: %d %q %v; want 303 to step 2", heldRes.status, heldRes.location, heldRes.err)
			}
			select {
			case <-first.done:
			case <-time.After(shutdownGrace + 5*time.Second):
				t.Fatalf("the server did not exit within %s of SIGTERM", shutdownGrace+5*time.Second)
			}
			// The load keeps going until the process is gone, so that
			// requests sent during the shutdown are seen too.
			subs := load.halt()
			exitAfter := first.exited.Sub(signalled)
			if first.waitErr != nil {
				t.Errorf("the server exited with %v after SIGTERM, want status 0", first.waitErr)
			}
			if exitAfter >= shutdownGrace {
				t.Errorf("the server took %s to exit, more than the grace period %s", exitAfter, shutdownGrace)
			}

			// Every request: answered completely with 200 or 303, or
			// failed in one of the expected ways after the signal.
			var answered, straddling, straddling200 int
			var lastAnswer time.Time
			classes := map[string]int{}
			unexpected := 0
			for _, rec := range append(load.rec.records(), held.rec.records()...) {
				rec.mu.Lock()
				if rec.status != 0 {
					answered++
					if !rec.complete || (rec.status != http.StatusOK && rec.status != http.StatusSeeOther) {
						unexpected++
						if unexpected <= 5 {
							t.Errorf("%s %s: status %d, complete body %v (%v)", rec.method, rec.path, rec.status, rec.complete, rec.err)
						}
					}
					// In flight when the signal was sent: written
					// before it, answered after it.
					if !rec.wrote.IsZero() && rec.wrote.Before(signalled) && rec.firstByte.After(signalled) {
						straddling++
						if rec.status == http.StatusOK && rec.complete {
							straddling200++
						}
						if rec.end.After(lastAnswer) {
							lastAnswer = rec.end
						}
					}
				} else if class := shutdownFailureClass(rec, signalled); class != "" {
					if !rec.wrote.IsZero() && rec.wrote.Before(signalled) {
						class += ", written before SIGTERM"
					}
					classes[class]++
				} else {
					unexpected++
					if unexpected <= 5 {
						t.Errorf("%s %s failed unexpectedly (started %s, ended %s relative to SIGTERM, reused connection %v): %v",
							rec.method, rec.path, rec.start.Sub(signalled), rec.end.Sub(signalled), rec.reused, rec.err)
					}
				}
				rec.mu.Unlock()
			}
			if unexpected > 5 {
				t.Errorf("%d unexpected outcomes in all", unexpected)
			}
			// Every request the server handled reached the client whole:
			// what it logged equals what the client received.
			logged, stopped := serverRequestLines(t, first.logPath)
			if logged != answered {
				t.Errorf("the server logged %d respondent requests, the client received %d answers", logged, answered)
			}
			if !stopped {
				t.Error(`the server did not log "stopped"`)
			}

			ackedBefore := load.acked()
			if ackedBefore == 0 {
				t.Fatal("no submission was acknowledged before the restart")
			}
			f.start(t, "after-term")
			// The held step was saved: its sealed state, opened by the
			// restarted server with the key kept in the database, now
			// opens step 2.
			stepClient := &http.Client{Jar: held.jar, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if resp, err := stepClient.Get(f.target.String() + "/stap/2"); err != nil {
				t.Error(err)
			} else {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("after the restart step 2 of the held respondent answers %d (%s): step 1 was not saved", resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			stepClient.CloseIdleConnections()
			out := checkAfterRestart(t, f, subs)
			last := "-"
			if !lastAnswer.IsZero() {
				last = lastAnswer.Sub(signalled).Round(time.Millisecond).String()
			}
			t.Logf("%s: SIGTERM after %s of load; listener closed %s after it; exit 0 %s after it; held request (body asked for %s before SIGTERM, sent after the listener closed) answered %d %s after SIGTERM; %d requests answered completely (the server logged %d), %d more written before SIGTERM and answered after it (%d with 200, the last %s after SIGTERM); failures after the signal: %v; acknowledged: %d, retried: %d (stored before the retry: %d), stored at the end: %d; wall time %s",
				dialect, signalled.Sub(loadStart).Round(time.Millisecond), listenerClosed.Sub(signalled).Round(time.Millisecond), exitAfter.Round(time.Millisecond),
				signalled.Sub(held.started).Round(time.Millisecond), heldRes.status, heldRes.at.Sub(signalled).Round(time.Millisecond),
				answered, logged, straddling, straddling200, last, classes, ackedBefore, out.retried, out.storedUnacked, out.stored, time.Since(began).Round(time.Millisecond))
		})
	}
}

// consultantBrowser signs in and follows no redirects, so that each
// answer can be checked.
type consultantBrowser struct {
	t      *testing.T
	client *http.Client
	jar    *cookiejar.Jar
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *consultantBrowser) do(method, target string, form url.Values) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(data)
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF field on the page")
	}
	return m[1]
}

var progressTotal = regexp.MustCompile(`(\d{1,3}(?:\.\d{3})*) ingevulde vragenlijsten`)

// TestScaleOutTwoInstancesOnePostgres runs two instances, each with its own
// pools and caches, against one PostgreSQL schema: respondents and a
// consultant may use either, and both show the same counts.
func TestScaleOutTwoInstancesOnePostgres(t *testing.T) {
	began := time.Now()
	db := storetest.DatabaseURL(t, store.DialectPostgres)
	ctx := context.Background()
	const email = "ann@schaal.example"
	if code, out, errOut := runWithInput(t, cliPassword+"\n", "user", "add", "--database", db, "--migrate", "1", "--firm", "Adviesbureau Schaal", "--email", email, "--admin"); code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	st := openTestStore(t, db)
	cons, err := st.ConsultantByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	d, o, err := newDiagnostic("Gemeente Schaalstad", "gemeente", "", "Beleid, Uitvoering, Staf", 5, "")
	if err != nil {
		t.Fatal(err)
	}
	o.FirmID = cons.FirmID
	if err := st.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	d.OrganisationID = o.ID
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}

	// Two instances: two App values, each with its own store, pools,
	// rate limiters and diagnostic cache.
	baseA, baseB := startApp(t, db), startApp(t, db)
	if baseA == baseB {
		t.Fatal("both instances on one address")
	}
	linkA, _ := url.Parse(baseA + "/d/" + d.Token)
	linkB, _ := url.Parse(baseB + "/d/" + d.Token)

	// Respondents through both at once.
	var resA, resB loadResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); resA = runLoad(ctx, linkA, 8, 3*time.Second) }()
	go func() { defer wg.Done(); resB = runLoad(ctx, linkB, 8, 3*time.Second) }()
	wg.Wait()
	for name, res := range map[string]loadResult{"A": resA, "B": resB} {
		if res.errors > 0 || res.completed == 0 {
			t.Errorf("load through %s: %d completed, %d errors (first: %s)", name, res.completed, res.errors, res.firstError)
		}
	}

	// A questionnaire started on A is continued and submitted on B: B
	// opens the state A sealed, with the key both read from the database.
	nonce := playAcrossInstances(t, ctx, linkA, linkB)
	if used, err := st.NonceUsed(ctx, nonce); err != nil || !used {
		t.Fatalf("the submission made on B is not stored: %v %v", used, err)
	}
	acknowledged := resA.completed + resB.completed + 1

	// A consultant signs in on A and works on B with A's cookies.
	jar, _ := cookiejar.New(nil)
	b := &consultantBrowser{t: t, jar: jar, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, _, page := b.do(http.MethodGet, baseA+"/login", nil)
	status, loc, _ := b.do(http.MethodPost, baseA+"/login", url.Values{"csrf": {csrfOf(t, page)}, "email": {email}, "password": {cliPassword}})
	if status != http.StatusSeeOther || loc != "/organisaties" {
		t.Fatalf("login on A: %d %s", status, loc)
	}
	// Cookies are per host, not per port: the jar sends A's session and
	// CSRF cookies to B, as a browser does behind one public address.
	names := map[string]bool{}
	for _, ck := range jar.Cookies(linkB) {
		names[ck.Name] = true
	}
	if !names["uk_session"] || !names["uk_csrf"] {
		t.Fatalf("cookies for B: %v", names)
	}

	// The counts on both consultant pages come from the database, at once:
	// no cache stands between a submission and the progress shown.
	diagPath := "/diagnoses/" + d.ID
	var csrfA string
	for _, base := range []string{baseA, baseB} {
		status, loc, page := b.do(http.MethodGet, base+diagPath, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s%s: %d %s", base, diagPath, status, loc)
		}
		m := progressTotal.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no total on the diagnostic page of %s", base)
		}
		if got, _ := strconv.Atoi(strings.ReplaceAll(m[1], ".", "")); got != acknowledged {
			t.Errorf("%s shows %d completed questionnaires, %d were acknowledged (A %d + B %d + 1 across)", base, got, acknowledged, resA.completed, resB.completed)
		}
		if base == baseA {
			csrfA = csrfOf(t, page)
		}
	}
	if n, err := st.CountResponses(ctx, d.ID); err != nil || n != acknowledged {
		t.Errorf("stored %d responses (%v), acknowledged %d", n, err, acknowledged)
	}

	// A state-changing POST on B with the CSRF token of A's page: the
	// token is the cookie's (double submit), so any instance accepts it,
	// and a wrong one is refused on B too.
	if status, _, _ := b.do(http.MethodPost, baseB+diagPath+"/sluiten", url.Values{"csrf": {"not-the-token"}}); status != http.StatusForbidden {
		t.Errorf("closing on B with a wrong CSRF token: %d, want 403", status)
	}
	status, loc, _ = b.do(http.MethodPost, baseB+diagPath+"/sluiten", url.Values{"csrf": {csrfA}})
	if status != http.StatusSeeOther || loc != diagPath {
		t.Fatalf("closing on B with A's CSRF token: %d %s", status, loc)
	}
	for _, base := range []string{baseA, baseB} {
		if _, _, page := b.do(http.MethodGet, base+diagPath, nil); !strings.Contains(page, "tag-closed") {
			t.Errorf("%s does not show the diagnostic closed", base)
		}
	}
	// Respondents: each instance caches the diagnostic behind a link for
	// 2 s, so both refuse answers within that time.
	closedAt := time.Now()
	for _, link := range []*url.URL{linkA, linkB} {
		for {
			resp, err := http.Get(link.String())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusGone {
				break
			}
			if time.Since(closedAt) > 5*time.Second {
				t.Fatalf("%s still answers %d 5 s after closing", link.Host, resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("acknowledged through A: %d, through B: %d, across A→B: 1; shown on A and B and stored: %d; closed on B with A's token, refused on both within %s; wall time %s",
		resA.completed, resB.completed, acknowledged, time.Since(closedAt).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// playAcrossInstances starts a questionnaire on one instance, answers the
// first step there and the rest on the other, and submits there. It returns
// the submission's nonce.
func playAcrossInstances(t *testing.T, ctx context.Context, from, to *url.URL) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	r := &respondent{target: from, rng: rand.New(rand.NewPCG(1, 2)), forms: newFormReader(),
		client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	page, err := r.do(ctx, http.MethodGet, from.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		action, form, err := r.fillForm(page)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(action, "/verzenden") {
			r.target = to
			if err := r.submit(ctx, action, form); err != nil {
				t.Fatalf("submitting on the second instance: %v", err)
			}
			return form.Get("nonce")
		}
		// The start form and step 1 on the first instance; from step 2
		// on, the second.
		base := from
		if i >= 2 {
			base = to
		}
		if page, err = r.do(ctx, http.MethodPost, base.ResolveReference(&url.URL{Path: action}).String(), form); err != nil {
			t.Fatalf("POST %s on %s: %v", action, base.Host, err)
		}
		if i == 2 {
			// The second instance opened the state: it moved on to
			// step 3 instead of sending the respondent back to start.
			next, _, err := r.fillForm(page)
			if err != nil || !strings.HasSuffix(next, "/stap/3") {
				t.Fatalf("after step 2 on the second instance the form goes to %q (%v), want step 3", next, err)
			}
		}
	}
	t.Fatal("no submit form after 20 pages")
	return ""
}
