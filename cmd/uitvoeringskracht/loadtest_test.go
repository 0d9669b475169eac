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
	} {
		if code, out, errOut := runLoadtest(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s%s", args, code, out, errOut)
		}
	}
}
