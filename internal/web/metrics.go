package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Prometheus metrics at /metrics. They are off unless Config.MetricsToken
// is set: then /metrics answers a scraper that sends the token as a bearer
// token, and everything else gets 401. Labels hold route patterns
// (/d/:token/verzenden), methods, status codes, report formats and pool
// names only: never a URL, a token, an access code or anything a respondent
// answered.

// metricsPath is the address of the metrics.
const metricsPath = "/metrics"

// minMetricsToken is the shortest metrics token New accepts.
const minMetricsToken = 32

// unmatchedRoute is the route label of a request that matched no route.
const unmatchedRoute = "unmatched"

// PoolStatser reports the database connection pools by name;
// internal/store's Store implements it.
type PoolStatser interface {
	PoolStats() map[string]sql.DBStats
}

// metrics holds the server's own registry and collectors. A nil *metrics
// (metrics off) records nothing.
type metrics struct {
	registry  *prometheus.Registry
	handler   http.Handler
	tokenHash [sha256.Size]byte

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	submissions     prometheus.Counter
	renders         *prometheus.CounterVec
	renderDuration  *prometheus.HistogramVec

	// routes holds "METHOD pattern" of every route with a handler of its
	// own; it is filled from the router on the first request.
	routesOnce sync.Once
	routes     map[string]bool
}

// CheckMetricsToken says what is wrong with a metrics token, if anything.
// The token itself is never repeated in the message.
func CheckMetricsToken(token string) error {
	if len(token) < minMetricsToken {
		return errors.New("the metrics token must have at least 32 characters")
	}
	if strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return errors.New("the metrics token must not contain spaces or control characters")
	}
	return nil
}

// newMetrics returns the metrics of a server, or nil when token is empty.
// pools may be nil: then no pool metrics are exported.
func newMetrics(token string, pools PoolStatser) (*metrics, error) {
	if token == "" {
		return nil, nil
	}
	if err := CheckMetricsToken(token); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	const ns = "uitvoeringskracht"
	m := &metrics{
		registry:  prometheus.NewRegistry(),
		tokenHash: sha256.Sum256([]byte(token)),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "http_requests_total",
			Help: "HTTP requests by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by method and route pattern.",
			// 5 ms to 10 s.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		submissions: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "submissions_total",
			Help: "Questionnaires whose answers were stored.",
		}),
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "report_renders_total",
			Help: "Advice reports written, by format (pdf, html).",
		}, []string{"format"}),
		renderDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "report_render_duration_seconds",
			Help: "Time to write an advice report from its results, by format (pdf, html).",
			// 10 ms to 30 s.
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"format"}),
	}
	cs := []prometheus.Collector{
		m.requests, m.requestDuration, m.submissions, m.renders, m.renderDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	if pools != nil {
		cs = append(cs, newPoolCollector(ns, pools))
	}
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	// Both formats start at zero, so that a dashboard shows a line before
	// the first report.
	for _, f := range []reportFormat{reportPDF, reportHTML} {
		m.renders.WithLabelValues(string(f))
		m.renderDuration.WithLabelValues(string(f))
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m, nil
}

// serveMetrics answers the scraper that sends the metrics token; any other
// request gets a bare 401.
func (s *Server) serveMetrics(c echo.Context) error {
	token, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	// Comparing hashes takes the same time whatever the token's length.
	got := sha256.Sum256([]byte(token))
	if !ok || subtle.ConstantTimeCompare(got[:], s.metrics.tokenHash[:]) != 1 {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, "Bearer")
		return c.NoContent(http.StatusUnauthorized)
	}
	s.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}

// requestMetrics counts every request and times it, labelled with the route
// pattern the router matched: never the URL, whose tokens are secrets. Like
// requestLogger it lets the error handler answer first, so that it records
// the status the client receives.
func (s *Server) requestMetrics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		method := methodLabel(c.Request().Method)
		route := s.metrics.routeLabel(c)
		s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
		s.metrics.requestDuration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}

// methodLabel is the request's method, or "other" for a method HTTP does
// not define: clients choose the method, and every label value is a series
// kept in memory.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// routeLabel is the route pattern of the request, or "unmatched" when it
// matched no route of its method: echo then names the nearest pattern or a
// group's catch-all, neither of which was asked for.
func (m *metrics) routeLabel(c echo.Context) string {
	m.routesOnce.Do(func() {
		m.routes = map[string]bool{}
		for _, r := range c.Echo().Routes() {
			if r.Method != echo.RouteNotFound {
				m.routes[r.Method+" "+r.Path] = true
			}
		}
	})
	if path := c.Path(); m.routes[c.Request().Method+" "+path] {
		return path
	}
	return unmatchedRoute
}

// countSubmission counts a questionnaire whose answers this request stored.
// err is the store's answer to Submit: a conflict means an earlier request
// stored the same answers, and counted them.
func (m *metrics) countSubmission(err error) {
	if m != nil && err == nil {
		m.submissions.Inc()
	}
}

// countRender counts a report written in format and how long it took.
func (m *metrics) countRender(format reportFormat, took time.Duration) {
	if m == nil {
		return
	}
	m.renders.WithLabelValues(string(format)).Inc()
	m.renderDuration.WithLabelValues(string(format)).Observe(took.Seconds())
}

// poolCollector exports the database connection pools, read at each scrape.
type poolCollector struct {
	pools                                   PoolStatser
	maxOpen, open, inUse, idle, waits, wait *prometheus.Desc
}

func newPoolCollector(ns string, pools PoolStatser) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(ns, "db_pool", name), help, []string{"pool"}, nil)
	}
	return &poolCollector{
		pools:   pools,
		maxOpen: desc("max_open_connections", "Most connections the pool may open."),
		open:    desc("open_connections", "Connections open, in use or idle."),
		inUse:   desc("in_use_connections", "Connections in use."),
		idle:    desc("idle_connections", "Idle connections."),
		waits:   desc("wait_count_total", "Times a caller waited for a connection."),
		wait:    desc("wait_duration_seconds_total", "Time callers waited for a connection."),
	}
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.maxOpen, p.open, p.inUse, p.idle, p.waits, p.wait} {
		ch <- d
	}
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, st := range p.pools.PoolStats() {
		ch <- prometheus.MustNewConstMetric(p.maxOpen, prometheus.GaugeValue, float64(st.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.open, prometheus.GaugeValue, float64(st.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.inUse, prometheus.GaugeValue, float64(st.InUse), name)
		ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(st.Idle), name)
		ch <- prometheus.MustNewConstMetric(p.waits, prometheus.CounterValue, float64(st.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(p.wait, prometheus.CounterValue, st.WaitDuration.Seconds(), name)
	}
}
