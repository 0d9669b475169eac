package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

func runLoadtest(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"loadtest"}, args...), nil, &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

// TestLoadtestSpreadsOverInstances runs the load command through two
// instances on one PostgreSQL database: both get respondents, and the
// stored count matches what both acknowledged.
func TestLoadtestSpreadsOverInstances(t *testing.T) {
	dbURL := storetest.DatabaseURL(t, store.DialectPostgres)
	token := createDiagnostic(t, dbURL)
	a, b := startApp(t, dbURL), startApp(t, dbURL)
	code, out, errOut := runLoadtest(t, "--url", a+"/d/"+token, "--url", b+"/d/"+token,
		"--concurrency", "4", "--duration", "2s", "--database", dbURL)
	if code != 0 {
		t.Fatalf("loadtest exited %d:\n%s\n%s", code, out, errOut)
	}
	for _, base := range []string{a, b} {
		host := strings.TrimPrefix(base, "http://")
		m := regexp.MustCompile(`instance ` + regexp.QuoteMeta(host) + `: (\d+) respondents completed, 0 errors`).FindStringSubmatch(out)
		if m == nil || m[1] == "0" {
			t.Errorf("no respondents through %s:\n%s", host, out)
		}
	}
	m := regexp.MustCompile(`stored: (\d+), acknowledged: (\d+)`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("stored and acknowledged do not match:\n%s", out)
	}
}

func TestLoadtestRefusesMismatchedLinks(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--url", "http://127.0.0.1:1/elders"},
		{"--url", "http://127.0.0.1:1/d/AAA", "--url", "http://127.0.0.1:2/d/BBB"},
		{"--url", "http://127.0.0.1:1/d/AAA", "--url", "http://127.0.0.1:2/d/AAA", "--mode", "submit"},
		{"--url", "http://127.0.0.1:1/d/AAA", "--url", "http://127.0.0.1:2/d/AAA", "--concurrency", "1"},
		{"--mode", "results"},
		{"--mode", "results", "--results", "http://127.0.0.1:1/api/v1/diagnostics/X/report.pdf"},
		// No API token in UK_API_TOKEN.
		{"--mode", "results", "--results", "http://127.0.0.1:1/api/v1/diagnostics/X/results"},
	} {
		if code, out, errOut := runLoadtest(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s%s", args, code, out, errOut)
		}
	}
}

// With the server's metrics token the load command reports the server's
// own CPU time per completed respondent, from its /metrics.
func TestLoadtestReportsServerCPUPerRespondent(t *testing.T) {
	dbURL := storetest.DatabaseURL(t, store.DialectSQLite)
	token := createDiagnostic(t, dbURL)
	const metricsToken = "metrics-token-of-at-least-32-characters"
	app := runApp(t, Config{Addr: "127.0.0.1:0", DatabaseURL: dbURL, BaseURL: "http://127.0.0.1", LogFormat: "json", MetricsToken: metricsToken})
	base := "http://" + app.Addr()
	code, out, errOut := runLoadtest(t, "--url", base+"/d/"+token, "--concurrency", "2", "--duration", "1s", "--metrics-token", metricsToken)
	if code != 0 {
		t.Fatalf("loadtest exited %d:\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`server CPU: ([0-9.]+) s, ([0-9.]+) ms per completed respondent`).FindStringSubmatch(out)
	if m == nil || m[1] == "0.00" {
		t.Errorf("no server CPU figure:\n%s", out)
	}
	// A wrong token is an error, not a figure of nothing.
	if code, out, _ := runLoadtest(t, "--url", base+"/d/"+token, "--concurrency", "1", "--duration", "100ms", "--metrics-token", "wrong"); code == 0 || strings.Contains(out, "server CPU") {
		t.Errorf("a wrong metrics token gave exit %d:\n%s", code, out)
	}
}

func TestMetricValue(t *testing.T) {
	text := "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n" +
		"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\nprocess_cpu_seconds_total_other 3\n"
	if v, ok := metricValue(text, "process_cpu_seconds_total"); !ok || v != 12.5 {
		t.Errorf("got %v %v, want 12.5", v, ok)
	}
	if _, ok := metricValue("process_cpu_seconds_total_other 3\n", "process_cpu_seconds_total"); ok {
		t.Error("found a sample of another metric")
	}
}
