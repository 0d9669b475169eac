package web

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testMetricsToken is the metrics token of withMetrics.
const testMetricsToken = "test-metrics-token-3f9a7c1e5b2d4860aa17"

// withMetrics returns f served by a second server on the same store and
// diagnostic, with /metrics on.
func withMetrics(t *testing.T, f *fixture) *fixture {
	t.Helper()
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test", MetricsToken: testMetricsToken}, Deps{
		Store: f.store, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&f.diag.Questionnaire},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, store: f.store, diag: f.diag, logs: logs}
}

// scrape fetches /metrics with the test token and fails unless it answers
// 200.
func scrape(t *testing.T, f *fixture) string {
	t.Helper()
	status, h, body := apiGetFull(t, f, testMetricsToken, metricsPath)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %q %s", status, h.Get("Content-Type"), snippet(string(body)))
	}
	return string(body)
}

// metricsRequest GETs /metrics with the Authorization header auth (none
// when empty).
func metricsRequest(t *testing.T, f *fixture, auth string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+metricsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func metricsStatus(t *testing.T, f *fixture, auth string) int {
	t.Helper()
	resp, _ := metricsRequest(t, f, auth)
	return resp.StatusCode
}

// metricValue returns the value of one series of a scrape, written as in
// the text format (labels in alphabetical order), and whether it is there.
func metricValue(t *testing.T, body, series string) (float64, bool) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: value %q", series, v)
			}
			return f, true
		}
	}
	return 0, false
}

// wantMetric fails unless the series has the value.
func wantMetric(t *testing.T, body, series string, want float64) {
	t.Helper()
	got, ok := metricValue(t, body, series)
	if !ok {
		t.Errorf("the scrape lacks %s", series)
	} else if got != want {
		t.Errorf("%s = %v, want %v", series, got, want)
	}
}

func TestMetricsAreOffByDefault(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.DialectSQLite))
	for _, token := range []string{"", testMetricsToken} {
		status, _, body := apiGetFull(t, f, token, metricsPath)
		if status != http.StatusNotFound || !strings.Contains(string(body), "Pagina niet gevonden") {
			t.Errorf("token %q: /metrics answers %d: %s", token, status, snippet(string(body)))
		}
	}
	if _, err := New(Config{BaseURL: "http://uk.test", MetricsToken: "too-short"}, Deps{Store: f.store, Files: uitvoeringskracht.Templates}); err == nil || strings.Contains(err.Error(), "too-short") {
		t.Errorf("a short metrics token: %v", err)
	}
}

func TestMetricsNeedTheToken(t *testing.T) {
	f := withMetrics(t, newFixture(t, storetest.Open(t, store.DialectSQLite)))
	for name, auth := range map[string]string{
		"none":          "",
		"wrong":         "Bearer " + strings.Repeat("x", len(testMetricsToken)),
		"prefix":        "Bearer " + testMetricsToken[:len(testMetricsToken)-1],
		"longer":        "Bearer " + testMetricsToken + "x",
		"no scheme":     testMetricsToken,
		"other scheme":  "Basic " + testMetricsToken,
		"empty bearer":  "Bearer ",
		"double bearer": "Bearer Bearer " + testMetricsToken,
	} {
		resp, body := metricsRequest(t, f, auth)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" || len(body) != 0 {
			t.Errorf("%s: %d %q %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}

	body := scrape(t, f)
	for _, want := range []string{
		"# TYPE uitvoeringskracht_http_requests_total counter",
		"# TYPE uitvoeringskracht_http_request_duration_seconds histogram",
		"# TYPE uitvoeringskracht_submissions_total counter",
		"# TYPE uitvoeringskracht_report_render_duration_seconds histogram",
		"# TYPE go_goroutines gauge",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %q", want)
		}
	}
	if runtime.GOOS == "linux" && !strings.Contains(body, "process_resident_memory_bytes") {
		t.Error("the scrape lacks the process metrics")
	}
	wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="GET",route="/metrics",status="401"}`, 8)
	wantMetric(t, body, "uitvoeringskracht_submissions_total", 0)
	wantMetric(t, body, `uitvoeringskracht_report_renders_total{format="pdf"}`, 0)
	// The scheme is case-insensitive, as for the API.
	if status := metricsStatus(t, f, "bearer "+testMetricsToken); status != http.StatusOK {
		t.Errorf("bearer in lower case: %d", status)
	}
	if strings.Contains(f.logs.String(), testMetricsToken) {
		t.Error("the metrics token is in the logs")
	}
}

func TestMetricsCountSubmissionsByRoutePattern(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := withMetrics(t, newFixture(t, st))
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, nil)
		action, form := formOf(t, review.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", p.status, snippet(p.body))
		}
		// A retry stores nothing and counts nothing.
		if p := b.post(action, form); p.status != http.StatusSeeOther {
			t.Fatalf("retry: %d", p.status)
		}
		// An error's status is the one the client got; a URL without a
		// route is "unmatched", whatever echo's router made of it.
		if p := b.post(action, nil); p.status != http.StatusForbidden {
			t.Fatalf("submit without a CSRF token: %d", p.status)
		}
		if p := b.get("/d/" + f.diag.Token + "/onbekend"); p.status != http.StatusNotFound {
			t.Fatalf("unknown respondent page: %d", p.status)
		}
		if p := b.do(http.MethodDelete, "/healthz", nil); p.status != http.StatusMethodNotAllowed {
			t.Fatalf("DELETE /healthz: %d", p.status)
		}
		// Clients choose the method: one HTTP does not define is "other".
		if p := b.do("PROPFIND-"+f.diag.Token, "/healthz", nil); p.status != http.StatusMethodNotAllowed {
			t.Fatalf("PROPFIND /healthz: %d", p.status)
		}

		body := scrape(t, f)
		wantMetric(t, body, "uitvoeringskracht_submissions_total", 1)
		wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="POST",route="/d/:token/verzenden",status="303"}`, 2)
		wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="POST",route="/d/:token/verzenden",status="403"}`, 1)
		wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="GET",route="/d/:token",status="200"}`, 1)
		wantMetric(t, body, `uitvoeringskracht_http_request_duration_seconds_count{method="POST",route="/d/:token/verzenden"}`, 3)
		if n, _ := metricValue(t, body, `uitvoeringskracht_http_requests_total{method="GET",route="unmatched",status="404"}`); n != 1 {
			t.Errorf("unmatched GET: %v, want 1", n)
		}
		wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="DELETE",route="unmatched",status="405"}`, 1)
		wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="other",route="unmatched",status="405"}`, 1)
		if strings.Contains(body, f.diag.Token) {
			t.Error("the scrape holds the respondent token")
		}
		for line := range strings.Lines(body) {
			if strings.HasPrefix(line, "uitvoeringskracht_http_") && strings.Contains(line, `route="/d/`) && !strings.Contains(line, `route="/d/:token`) {
				t.Errorf("a route label is not a pattern: %s", line)
			}
		}

		pools := []string{store.PoolPrimary}
		if st.Dialect() == store.DialectSQLite {
			pools = []string{store.PoolWriter, store.PoolReader}
		}
		for _, pool := range pools {
			for _, name := range []string{"open_connections", "in_use_connections", "idle_connections", "wait_count_total", "wait_duration_seconds_total"} {
				if _, ok := metricValue(t, body, "uitvoeringskracht_db_pool_"+name+`{pool="`+pool+`"}`); !ok {
					t.Errorf("the scrape lacks %s of the %s pool", name, pool)
				}
			}
			if n, _ := metricValue(t, body, `uitvoeringskracht_db_pool_max_open_connections{pool="`+pool+`"}`); n < 1 {
				t.Errorf("the %s pool allows %v connections", pool, n)
			}
		}
	})
}

func TestMetricsCountReports(t *testing.T) {
	f := withMetrics(t, newFixture(t, storetest.Open(t, store.DialectSQLite)))
	b := f.browser(t)
	cons := signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
	rf := &reportsFixture{resultsFixture: &resultsFixture{fixture: f, b: b, cons: cons, q: f.diag.Questionnaire}}
	d := rf.create(t, wave{perUnit: []int{8, 8}, seed: 21})

	if p := b.get(reportPath(d.ID, reportFilePDF)); p.status != http.StatusOK || !strings.HasPrefix(p.body, "%PDF-") {
		t.Fatalf("PDF: %d %s", p.status, snippet(p.body))
	}
	body := scrape(t, f)
	wantMetric(t, body, `uitvoeringskracht_report_renders_total{format="pdf"}`, 1)
	wantMetric(t, body, `uitvoeringskracht_report_renders_total{format="html"}`, 0)
	wantMetric(t, body, `uitvoeringskracht_report_render_duration_seconds_count{format="pdf"}`, 1)
	wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="GET",route="/diagnoses/:id/rapport.pdf",status="200"}`, 1)
	if strings.Contains(body, d.ID) {
		t.Error("the scrape holds a diagnostic id")
	}

	// A director's downloads count too; their token stays out.
	token := rf.createLink(t, d.ID, time.Now().AddDate(0, 0, 10).Format(time.DateOnly), "nl")
	director := f.browser(t)
	for _, file := range []string{reportFilePDF, reportFileHTML} {
		if p := director.get("/r/" + token + "/" + file); p.status != http.StatusOK {
			t.Fatalf("director %s: %d %s", file, p.status, snippet(p.body))
		}
	}
	body = scrape(t, f)
	wantMetric(t, body, `uitvoeringskracht_report_renders_total{format="pdf"}`, 2)
	wantMetric(t, body, `uitvoeringskracht_report_renders_total{format="html"}`, 1)
	wantMetric(t, body, `uitvoeringskracht_http_requests_total{method="GET",route="/r/:token/rapport.pdf",status="200"}`, 1)
	if strings.Contains(body, token) {
		t.Error("the scrape holds the director's token")
	}
}
