package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodMetricsToken = "cfg-metrics-token-5d2b9e0a7c41f36880be"

func TestConfigMetricsToken(t *testing.T) {
	build := func(env map[string]string, args ...string) (Config, string, error) {
		t.Helper()
		var out bytes.Buffer
		fs := newFlagSet("t", &out)
		config := configFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			return Config{}, out.String(), err
		}
		cfg, err := config()
		return cfg, out.String(), err
	}

	if cfg, _, err := build(nil); err != nil || cfg.MetricsToken != "" {
		t.Errorf("default: metrics token %q, %v; want off", cfg.MetricsToken, err)
	}
	if cfg, _, err := build(map[string]string{"UK_METRICS_TOKEN": goodMetricsToken}); err != nil || cfg.MetricsToken != goodMetricsToken {
		t.Errorf("from the environment: %q, %v", cfg.MetricsToken, err)
	}
	other := strings.ToUpper(goodMetricsToken)
	if cfg, _, err := build(map[string]string{"UK_METRICS_TOKEN": goodMetricsToken}, "--metrics-token", other); err != nil || cfg.MetricsToken != other {
		t.Errorf("the flag must win over the environment: %q, %v", cfg.MetricsToken, err)
	}
	if cfg, _, err := build(map[string]string{"UK_METRICS_TOKEN": goodMetricsToken}, "--metrics-token="); err != nil || cfg.MetricsToken != "" {
		t.Errorf("an empty flag turns the metrics off: %q, %v", cfg.MetricsToken, err)
	}

	for _, bad := range []string{
		goodMetricsToken[:31],
		"short-secret",
		"cfg metrics token with spaces 0123456789",
		"cfg-metrics-token\t5d2b9e0a7c41f36880be",
	} {
		for _, src := range []string{"env", "flag"} {
			env, args := map[string]string{"UK_METRICS_TOKEN": bad}, []string(nil)
			if src == "flag" {
				env, args = nil, []string{"--metrics-token", bad}
			}
			_, _, err := build(env, args...)
			if err == nil || !strings.Contains(err.Error(), "--metrics-token") {
				t.Errorf("%s %q: want a configuration error about --metrics-token, got %v", src, bad, err)
			} else if strings.Contains(err.Error(), bad) {
				t.Errorf("%s: the error repeats the token: %v", src, err)
			}
		}
	}

	// -help prints the flags' defaults: never the token from the
	// environment.
	_, out, err := build(map[string]string{"UK_METRICS_TOKEN": goodMetricsToken}, "-help")
	if err == nil || !strings.Contains(out, "-metrics-token") || strings.Contains(out, goodMetricsToken) {
		t.Errorf("-help: %v\n%s", err, out)
	}
}

func TestServeExposesMetricsWithToken(t *testing.T) {
	for _, token := range []string{"", goodMetricsToken} {
		ctx, cancel := context.WithCancel(context.Background())
		db := "sqlite:" + filepath.Join(t.TempDir(), "uk.db")
		app, err := NewApp(ctx, Config{Addr: "127.0.0.1:0", DatabaseURL: db, BaseURL: "http://127.0.0.1", LogFormat: "json", Migrate: true, MetricsToken: token},
			slog.New(slog.NewJSONHandler(io.Discard, nil)))
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- app.Run(ctx) }()

		req, _ := http.NewRequest(http.MethodGet, "http://"+app.Addr()+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+goodMetricsToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case token == "" && resp.StatusCode != http.StatusNotFound:
			t.Errorf("without --metrics-token: %d", resp.StatusCode)
		case token != "" && (resp.StatusCode != http.StatusOK ||
			!strings.Contains(string(body), `uitvoeringskracht_db_pool_open_connections{pool="writer"}`) ||
			!strings.Contains(string(body), `uitvoeringskracht_db_pool_open_connections{pool="reader"}`)):
			t.Errorf("with --metrics-token: %d %.400s", resp.StatusCode, body)
		}

		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the app did not stop within 15 s")
		}
	}
}

func TestConfigScrubInterval(t *testing.T) {
	build := func(env map[string]string, args ...string) (Config, error) {
		t.Helper()
		fs := newFlagSet("t", io.Discard)
		config := configFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			return Config{}, err
		}
		return config()
	}
	for _, c := range []struct {
		env  map[string]string
		args []string
		want time.Duration
	}{
		{nil, nil, 5 * time.Minute},
		{map[string]string{"UK_SCRUB_INTERVAL": "30s"}, nil, 30 * time.Second},
		{map[string]string{"UK_SCRUB_INTERVAL": "30s"}, []string{"--scrub-interval", "2m"}, 2 * time.Minute},
		{nil, []string{"--scrub-interval", "10s"}, 10 * time.Second},
		{nil, []string{"--scrub-interval", "24h"}, 24 * time.Hour},
	} {
		cfg, err := build(c.env, c.args...)
		if err != nil || cfg.ScrubInterval != c.want {
			t.Errorf("env %v args %v: %v, %v; want %v", c.env, c.args, cfg.ScrubInterval, err, c.want)
		}
	}
	for _, bad := range []string{"9s", "25h", "5", "soon", "-1m"} {
		if _, err := build(nil, "--scrub-interval", bad); err == nil || !strings.Contains(err.Error(), "--scrub-interval") {
			t.Errorf("--scrub-interval %q: want an error naming the flag, got %v", bad, err)
		}
	}
}
