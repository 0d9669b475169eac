package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// A wildcard listen address is no address to sign in at: the printed links
// use localhost with the port, and --base-url wins when given.
func TestDefaultBaseURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{":9090", "http://localhost:9090"},
		{"0.0.0.0:9090", "http://localhost:9090"},
		{"[::]:9090", "http://localhost:9090"},
		{"[2001:db8::1]:80", "http://[2001:db8::1]:80"},
		{"uk.intern:8443", "http://uk.intern:8443"},
	} {
		if got := defaultBaseURL(tc.addr); got != tc.want {
			t.Errorf("defaultBaseURL(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// user add prints the sign-in address that serve, given the same
// environment, serves links under.
func TestUserAddPrintsTheAddressServeUses(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.DatabaseURL(t, dialect)
			for i, env := range []map[string]string{
				{"UK_ADDR": "0.0.0.0:9191"},
				{"UK_ADDR": "127.0.0.1:9191", "UK_BASE_URL": "https://uk.example.nl/"},
			} {
				env["UK_DATABASE_URL"], env["UK_MIGRATE"] = db, "1"
				getenv := func(k string) string { return env[k] }
				fs := newFlagSet("serve", &bytes.Buffer{})
				build := configFlags(fs, getenv)
				_ = fs.Parse(nil)
				serveCfg, err := build()
				if err != nil {
					t.Fatal(err)
				}
				var out, errOut bytes.Buffer
				email := []string{"a@noord.example", "b@noord.example"}[i]
				code := run(context.Background(), []string{"user", "add", "--firm", "Noord", "--email", email}, strings.NewReader(cliPassword+"\n"), &out, &errOut, getenv)
				want := strings.TrimRight(serveCfg.BaseURL, "/") + "/login"
				if code != 0 || !strings.Contains(out.String(), "Sign in at "+want+"\n") {
					t.Fatalf("user add with %v: %d %q %s, want the sign-in address %s", env, code, out.String(), errOut.String(), want)
				}
				if strings.Contains(out.String(), "0.0.0.0") || strings.Contains(out.String(), "127.0.0.1:8080") {
					t.Errorf("user add prints an address nobody can open: %q", out.String())
				}
			}
		})
	}
}
