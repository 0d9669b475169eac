package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	rtmetrics "runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// apiResultOf fetches the results through the API and returns the status
// and the result's JSON.
func apiResultOf(t *testing.T, f *fixture, token, id string) (int, json.RawMessage) {
	t.Helper()
	code, body := apiGet(t, f, token, "/api/v1/diagnostics/"+id+"/results")
	if code != http.StatusOK {
		return code, nil
	}
	var got struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	return code, got.Result
}

// freshResult scores the diagnostic from its stored responses the way the
// first request did: with the releases before the last one and the pool.
func freshResult(t *testing.T, st *store.Store, d *survey.Diagnostic, earlier []survey.Release) json.RawMessage {
	t.Helper()
	ctx := context.Background()
	rs, err := st.Responses(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := scoring.Input{Questionnaire: &d.Questionnaire, Responses: rs, MinGroupSize: d.MinGroupSize, Units: d.Units, Earlier: earlier}
	if len(rs) < scoring.PoolingThreshold {
		if in.Pooled, err = st.PooledResponses(ctx, d.ID, d.Questionnaire.ID, d.Questionnaire.Version, time.Now(), poolLimit); err != nil {
			t.Fatal(err)
		}
	}
	res, err := scoring.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(res)
}

// sameJSON compares two JSON documents after a round trip through any, so
// that only their content counts.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return bytes.Equal(mustJSON(x), mustJSON(y))
}

// The results served from the kept release equal a fresh computation
// exactly, over random diagnostics: sizes around the minimum group size and
// the pooling threshold, one to four units of random sizes.
func TestKeptResultsEqualAFreshComputation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		token := apiToken(t, rf)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(15, 15))
		for i := range 8 {
			units := []string{"Beleid", "Uitvoering", "Staf", "Toezicht"}[:1+rng.IntN(4)]
			perUnit := make([]int, len(units))
			for u := range perUnit {
				perUnit[u] = 2 + rng.IntN(25)
			}
			d := rf.create(t, wave{units: units, perUnit: perUnit, seed: uint64(100 + i), shift: rng.IntN(3) - 1})
			first, computed := apiResultOf(t, rf.fixture, token, d.ID)
			again, kept := apiResultOf(t, rf.fixture, token, d.ID)
			rels, err := st.Releases(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if first != again {
				t.Fatalf("diagnostic %d %v: status %d, then %d", i, perUnit, first, again)
			}
			if first != http.StatusOK {
				// Too few complete enough to score: nothing kept.
				if len(rels) != 0 {
					t.Errorf("diagnostic %d %v: %d releases of results that were not shown", i, perUnit, len(rels))
				}
				continue
			}
			if len(rels) != 1 {
				t.Fatalf("diagnostic %d %v: %d releases after two requests, want the one kept", i, perUnit, len(rels))
			}
			if !bytes.Equal(computed, kept) {
				t.Errorf("diagnostic %d %v: the kept result differs from the computed one", i, perUnit)
			}
			if fresh := freshResult(t, st, d, nil); !sameJSON(kept, fresh) {
				t.Errorf("diagnostic %d %v: kept result differs from a fresh computation:\n kept %s\nfresh %s", i, perUnit, snippet(string(kept)), snippet(string(fresh)))
			}
		}
	})
}

// Reopening a diagnostic and closing it again with more responses gives
// new results, never the kept ones.
func TestReopeningInvalidatesTheKeptResults(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		token := apiToken(t, rf)
		ctx := context.Background()
		d := rf.create(t, wave{perUnit: []int{12, 12}, seed: 3})
		_, before := apiResultOf(t, rf.fixture, token, d.ID)
		if err := st.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		// While open, no final result is served: only a recorded preview
		// at the current count, and after new responses not even that.
		for _, r := range fakeResponses(&rf.q, []string{d.Units[0].ID, d.Units[1].ID, d.Units[0].ID, d.Units[1].ID, d.Units[0].ID, d.Units[1].ID}, 9, 0) {
			rf.submit(t, d.ID, r)
		}
		if code, _ := apiResultOf(t, rf.fixture, token, d.ID); code != http.StatusConflict {
			t.Errorf("reopened with new responses: status %d, want 409", code)
		}
		if err := st.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		code, after := apiResultOf(t, rf.fixture, token, d.ID)
		if code != http.StatusOK {
			t.Fatalf("closed again: status %d", code)
		}
		var res survey.Result
		if err := json.Unmarshal(after, &res); err != nil {
			t.Fatal(err)
		}
		if res.Responses != 30 || bytes.Equal(before, after) {
			t.Errorf("closed again with 30 responses: the result counts %d (stale: %t)", res.Responses, bytes.Equal(before, after))
		}
		rels, err := st.Releases(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rels) != 2 {
			t.Fatalf("%d releases, want 2", len(rels))
		}
		if fresh := freshResult(t, st, d, rels[:1]); !sameJSON(after, fresh) {
			t.Errorf("the new result differs from a fresh computation with the first release")
		}
	})
}

// Two instances of the service on one database serve the same results:
// the second serves the release the first recorded, without a release of
// its own.
func TestTwoInstancesServeTheSameResults(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			url := storetest.DatabaseURL(t, dialect)
			ctx := context.Background()
			open := func() *store.Store {
				st, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				if _, err := st.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				storetest.UseSecretKey(t, st)
				return st
			}
			one, two := open(), open()
			rf := newResultsFixture(t, one)
			token := apiToken(t, rf)
			other := newFixtureOn(t, two, two)
			d := rf.create(t, wave{perUnit: []int{20, 20}, seed: 8})
			c1, r1 := apiResultOf(t, rf.fixture, token, d.ID)
			c2, r2 := apiResultOf(t, other, token, d.ID)
			if c1 != http.StatusOK || c2 != http.StatusOK || !bytes.Equal(r1, r2) {
				t.Fatalf("instances disagree: %d and %d", c1, c2)
			}
			if rels, err := two.Releases(ctx, d.ID); err != nil || len(rels) != 1 {
				t.Errorf("%d releases (%v), want the one of the first instance", len(rels), err)
			}
		})
	}
}

// bigStore serves a diagnostic of n synthetic respondents from a table,
// counting the loads, on top of a real store that holds the diagnostic.
type bigStore struct {
	Store
	id    string
	table *survey.AnswerTable
	loads atomic.Int32
	// gate, when set, holds every load until it is closed.
	gate chan struct{}
}

func (b *bigStore) CountResponses(ctx context.Context, id string) (int, error) {
	if id == b.id {
		return b.table.Len(), nil
	}
	return b.Store.CountResponses(ctx, id)
}

func (b *bigStore) ResponseTable(ctx context.Context, id string, items, background []string) (*survey.AnswerTable, error) {
	if id != b.id {
		return b.Store.ResponseTable(ctx, id, items, background)
	}
	b.loads.Add(1)
	if b.gate != nil {
		<-b.gate
	}
	return b.table, nil
}

// syntheticTable answers q for n respondents over the diagnostic's units.
func syntheticTable(q *survey.Questionnaire, units []survey.Unit, n int) *survey.AnswerTable {
	items, background := scoring.TableColumns(q)
	t := survey.NewAnswerTable(items, background, n)
	rng := rand.New(rand.NewPCG(50, 50))
	roles := []string{survey.RolePolicy, survey.RoleExecution, survey.RoleManagement}
	for i := range n {
		t.StartRow(fmt.Sprintf("r%07d", i))
		t.SetBackground([]byte(survey.BackgroundUnitID), []byte(units[i%len(units)].ID))
		t.SetBackground([]byte(survey.BackgroundRole), []byte(roles[i%len(roles)]))
		latent := rng.NormFloat64()
		for _, it := range q.AllItems() {
			v := max(1, min(5, int(3.5+latent+0.8*rng.NormFloat64())))
			t.SetAnswer([]byte(it.ID), v)
		}
	}
	return t
}

// Eight concurrent first requests for a diagnostic of 50,000 respondents
// compute its results once, and the heap stays far below what eight
// computations side by side would take.
func TestConcurrentFirstRequestsComputeOnceWithinTheHeapBound(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 50,000 respondents")
	}
	st := storetest.Open(t, store.DialectSQLite)
	rf := newResultsFixture(t, st)
	token := apiToken(t, rf)
	d := rf.create(t, wave{perUnit: []int{0, 0}, seed: 1})
	n := 50_000
	if v := os.Getenv("UK_BENCH_RESPONDENTS"); v != "" {
		// For the figure at other sizes (docs/benchmarks.md).
		if _, err := fmt.Sscan(v, &n); err != nil {
			t.Fatal(err)
		}
	}
	big := &bigStore{Store: st, id: d.ID, table: syntheticTable(&rf.q, d.Units, n), gate: make(chan struct{})}
	_, srv := newServerOn(t, big, st, rf.q)

	// The heap bound: what the service holds before, plus 150 MB for one
	// computation (a computation of 50,000 allocates about 45 MB).
	const bound = 150 << 20
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	codes := make([]int, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], bodies[i] = apiGetOn(t, srv, token, "/api/v1/diagnostics/"+d.ID+"/results")
		}()
	}
	// Let every request arrive before the load returns.
	time.Sleep(300 * time.Millisecond)
	close(big.gate)
	wg.Wait()
	close(stop)
	sampler.Wait()
	for i := range 8 {
		if codes[i] != http.StatusOK || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("request %d: %d %s", i, codes[i], snippet(string(bodies[i])))
		}
	}
	if n := big.loads.Load(); n != 1 {
		t.Errorf("the answers were loaded %d times for 8 concurrent requests, want once", n)
	}
	if growth := int64(peak.Load()) - int64(base); growth > bound {
		t.Errorf("the heap grew by %d MB, above the bound of %d MB", growth>>20, bound>>20)
	}
	t.Logf("%d respondents: heap %d MB before, peak %d MB", n, base>>20, peak.Load()>>20)
}

// heapBytes is the memory of live and not yet swept heap objects.
func heapBytes() uint64 {
	s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}

// newServerOn starts a server on web, with the questionnaire of q.
func newServerOn(t *testing.T, web Store, accounts AccountStore, q survey.Questionnaire) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: web, Accounts: accounts, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&q}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

func apiGetOn(t *testing.T, srv *httptest.Server, token, path string) (int, []byte) {
	t.Helper()
	return apiGet(t, &fixture{srv: srv}, token, path)
}

// While every computation slot is taken, a request for results that must
// be computed gets a progress answer at once: the API 503 with Retry-After,
// the page a "being computed" page that reloads itself. Results kept from
// a release are still served, and once a slot is free the results come.
func TestBusyComputationsGiveAProgressAnswer(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	rf := newResultsFixture(t, st)
	token := apiToken(t, rf)
	s, srv := newServerOn(t, st, st, rf.q)
	s.compute = newComputeGate(1)
	warm := rf.create(t, wave{perUnit: []int{10, 10}, seed: 4})
	if code, _ := apiGetOn(t, srv, token, "/api/v1/diagnostics/"+warm.ID+"/results"); code != http.StatusOK {
		t.Fatalf("warm-up: %d", code)
	}
	cold := rf.create(t, wave{perUnit: []int{10, 10}, seed: 5})
	s.compute.slots <- struct{}{} // another diagnostic's computation

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/diagnostics/"+cold.ID+"/results", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var body apiError
	_ = json.Unmarshal(raw, &body)
	checkAgainstOpenAPI(t, loadOpenAPI(t), http.MethodGet, "/api/v1/diagnostics/"+cold.ID+"/results", resp.StatusCode, raw)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != fmt.Sprint(computeRetrySeconds) || body.Code != "computing" {
		t.Errorf("API while busy: %d, Retry-After %q, %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	f := &fixture{srv: srv, store: st}
	b := f.browser(t)
	signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
	p := b.get(resultsPath(cold.ID))
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "De resultaten worden berekend") ||
		!strings.Contains(p.body, fmt.Sprintf(`<meta http-equiv="refresh" content="%d">`, computeRetrySeconds)) {
		t.Errorf("page while busy: %d %s", p.status, snippet(p.body))
	}
	if code, _ := apiGetOn(t, srv, token, "/api/v1/diagnostics/"+warm.ID+"/results"); code != http.StatusOK {
		t.Errorf("kept results while busy: %d, want 200", code)
	}
	if p := b.get(resultsPath(warm.ID)); p.status != http.StatusOK || strings.Contains(p.body, `http-equiv="refresh"`) {
		t.Errorf("kept results page while busy: %d", p.status)
	}
	<-s.compute.slots
	if code, _ := apiGetOn(t, srv, token, "/api/v1/diagnostics/"+cold.ID+"/results"); code != http.StatusOK {
		t.Errorf("after the slot is free: %d, want 200", code)
	}
}
