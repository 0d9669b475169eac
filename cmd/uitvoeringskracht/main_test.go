package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestQuestionnaireCheck(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "questionnaire", "check", "../../questionnaires/uitvoeringskracht-v1.yaml")
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("the shipped questionnaire: exit %d, %s %s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: x\nversion: \"1\"\nlanguages: [nl, en]\nbands: {amber: 70, green: 60}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, nil, "questionnaire", "check", bad)
	if code != 1 {
		t.Fatalf("a broken questionnaire: exit %d, want 1", code)
	}
	if !strings.Contains(errOut, bad+":4: ") {
		t.Errorf("want a FILE:LINE message for the bands on line 4, got:\n%s", errOut)
	}
	if code, _, _ := runCLI(t, nil, "questionnaire"); code != 2 {
		t.Errorf("usage error: exit %d, want 2", code)
	}
}

func TestConfigFromEnvironmentAndFlags(t *testing.T) {
	env := map[string]string{"UK_ADDR": "0.0.0.0:9000", "UK_DATABASE_URL": "postgres://u@h/db", "UK_BASE_URL": "https://uk.example.nl"}
	fs := newFlagSet("t", &bytes.Buffer{})
	build := configFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:9001"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" || cfg.DatabaseURL != "postgres://u@h/db" || cfg.BaseURL != "https://uk.example.nl" {
		t.Errorf("flags must win over the environment, and the environment over defaults: %+v", cfg)
	}
	if cfg.Migrate {
		t.Error("PostgreSQL must not migrate unless asked")
	}

	fs = newFlagSet("t", &bytes.Buffer{})
	build = configFlags(fs, func(string) string { return "" })
	_ = fs.Parse(nil)
	cfg, err = build()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != defaultAddr || cfg.DatabaseURL != defaultDatabaseURL || !cfg.Migrate || cfg.BaseURL != "http://"+defaultAddr {
		t.Errorf("defaults: %+v", cfg)
	}
	if cfg.RespondentRateLimit != 300 || len(cfg.TrustedProxies) != 0 {
		t.Errorf("rate limit and proxies by default: %d %v", cfg.RespondentRateLimit, cfg.TrustedProxies)
	}

	fs = newFlagSet("t", &bytes.Buffer{})
	env = map[string]string{"UK_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32", "UK_RESPONDENT_RATE_LIMIT": "0"}
	build = configFlags(fs, func(k string) string { return env[k] })
	_ = fs.Parse(nil)
	if cfg, err = build(); err != nil {
		t.Fatal(err)
	}
	if cfg.RespondentRateLimit != 0 || len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[1] != "2001:db8::/32" {
		t.Errorf("rate limit and proxies from the environment: %d %v", cfg.RespondentRateLimit, cfg.TrustedProxies)
	}

	for _, bad := range [][]string{{"--database", "mysql://x"}, {"--base-url", "uk.example.nl"}, {"--migrate", "maybe"}, {"--log-format", "xml"},
		{"--respondent-rate-limit", "-1"}, {"--respondent-rate-limit", "lots"}, {"--trusted-proxies", "10.0.0.1"}} {
		fs = newFlagSet("t", &bytes.Buffer{})
		build = configFlags(fs, func(string) string { return "" })
		_ = fs.Parse(bad)
		if _, err := build(); err == nil {
			t.Errorf("%v: want a configuration error", bad)
		}
	}
}

func TestDiagnosticCreateValidatesInput(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	for _, args := range [][]string{
		{"--units", "A,B"},
		{"--org", "X"},
		{"--org", "X", "--units", "A,a"},
		{"--org", "X", "--units", "A", "--min-group-size", "4"},
		{"--org", "X", "--units", "A", "--sector", "bank"},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"diagnostic", "create", "--database", db}, args...)...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d (%q), want 2 with a message", args, code, errOut)
		}
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	if code, out, _ := runCLI(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "uitvoeringskracht ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

func TestRedactDatabaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db": "postgres://u:xxxxx@h:5432/db",
		"postgres://u@h/db":             "postgres://u@h/db",
		"sqlite:data/x.db":              "sqlite:data/x.db",
	} {
		if got := redactDatabaseURL(in); got != want {
			t.Errorf("%s: got %s", in, got)
		}
	}
}
