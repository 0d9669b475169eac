package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

const cliPassword = "Kastanjeboom naast het gemeentehuis"

// runWithInput runs a command with stdin.
func runWithInput(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

func openTestStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestUserAddAndTokenCreate(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.DatabaseURL(t, dialect)
			common := []string{"--database", db, "--migrate", "1", "--base-url", "https://uk.example.nl"}

			code, out, errOut := runWithInput(t, cliPassword+"\n", append([]string{"user", "add", "--firm", "Adviesbureau Noord", "--email", "Ann@Noord.example", "--admin"}, common...)...)
			if code != 0 || !strings.Contains(out, `Created firm "Adviesbureau Noord"`) || !strings.Contains(out, "Created administrator ann@noord.example") || !strings.Contains(out, "https://uk.example.nl/login") {
				t.Fatalf("user add: %d %s %s", code, out, errOut)
			}
			// A second consultant joins the existing firm; the password may
			// end without a newline.
			code, out, errOut = runWithInput(t, "Zonnebloem op de Dam in juli", append([]string{"user", "add", "--firm", "Adviesbureau Noord", "--email", "bob@noord.example"}, common...)...)
			if code != 0 || strings.Contains(out, "Created firm") || !strings.Contains(out, "Created consultant bob@noord.example") {
				t.Fatalf("second user: %d %s %s", code, out, errOut)
			}
			for _, s := range []string{out, errOut} {
				if strings.Contains(s, cliPassword) || strings.Contains(s, "Zonnebloem") {
					t.Error("the password was printed")
				}
			}

			st := openTestStore(t, db)
			storetest.UseSecretKey(t, st) // Credentials opens the TOTP secrets
			ctx := context.Background()
			ann, err := st.ConsultantByEmail(ctx, "ann@noord.example")
			if err != nil || !ann.IsAdmin || ann.FirmName != "Adviesbureau Noord" {
				t.Fatalf("stored: %+v %v", ann, err)
			}
			creds, _ := st.Credentials(ctx, ann.ID)
			if ok, rehash := auth.NewHasher(auth.DefaultParams()).Verify(cliPassword, creds.PasswordHash); !ok || rehash {
				t.Errorf("stored hash: ok=%v rehash=%v", ok, rehash)
			}
			bob, _ := st.ConsultantByEmail(ctx, "bob@noord.example")
			if bob.IsAdmin || bob.FirmID != ann.FirmID {
				t.Errorf("bob: %+v", bob)
			}

			code, out, errOut = runWithInput(t, "", append([]string{"token", "create", "--email", "ANN@noord.example", "--name", "export"}, common...)...)
			token := strings.TrimSpace(out)
			if code != 0 || !regexp.MustCompile(`^uk_[A-Za-z0-9_-]{43}$`).MatchString(token) || !strings.Contains(errOut, "shown only this once") {
				t.Fatalf("token create: %d %q %s", code, out, errOut)
			}
			got, tok, err := st.ConsultantByAPIToken(ctx, token)
			if err != nil || got.ID != ann.ID || tok.Name != "export" {
				t.Fatalf("token lookup: %v", err)
			}
			entries, err := st.ListAudit(ctx, ann.FirmID, 10, 0)
			if err != nil || len(entries) != 3 || entries[0].Action != auditTokenCreate || entries[2].Action != auditUserCreate {
				t.Errorf("audit: %+v %v", entries, err)
			}
			for _, e := range entries {
				if strings.Contains(e.Detail, cliPassword) {
					t.Error("the audit log holds the password")
				}
			}

			// Failures.
			for _, tc := range []struct {
				stdin string
				args  []string
				code  int
				want  string
			}{
				{cliPassword, []string{"user", "add", "--firm", "Adviesbureau Noord", "--email", "ann@noord.example"}, 1, "exists already"},
				{"kort", []string{"user", "add", "--firm", "X", "--email", "x@x.example"}, 1, "at least 12 characters"},
				{"password1234", []string{"user", "add", "--firm", "X", "--email", "x@x.example"}, 1, "too common"},
				{"adviesbureaunoord", []string{"user", "add", "--firm", "Adviesbureau Noord", "--email", "x@x.example"}, 1, "too common"},
				{"", []string{"user", "add", "--firm", "X", "--email", "x@x.example"}, 1, "no password"},
				{cliPassword, []string{"user", "add", "--email", "x@x.example"}, 2, "--firm is required"},
				{cliPassword, []string{"user", "add", "--firm", "X"}, 2, "--email is required"},
				{cliPassword, []string{"user", "add", "--firm", "X", "--email", "geen adres"}, 2, "not an e-mail address"},
				{"", []string{"user", "add", "--firm", "X", "--email", "x@x.example", "--password", cliPassword}, 2, "flag provided but not defined"},
				{"", []string{"user"}, 2, "user add"},
				{"", []string{"token", "create", "--email", "niemand@noord.example"}, 1, "no consultant"},
				{"", []string{"token", "create"}, 2, "--email is required"},
				{"", []string{"token"}, 2, "token create"},
			} {
				code, _, errOut := runWithInput(t, tc.stdin, append(tc.args, common...)...)
				if code != tc.code || !strings.Contains(errOut, tc.want) {
					t.Errorf("%v: exit %d (%s), want %d with %q", tc.args, code, errOut, tc.code, tc.want)
				}
			}
		})
	}
}

func TestReadPasswordFromAPipe(t *testing.T) {
	for in, want := range map[string]string{
		"geheim wachtwoord\n":         "geheim wachtwoord",
		"geheim wachtwoord\r\nrest\n": "geheim wachtwoord",
		" spaties tellen mee ":        " spaties tellen mee ",
	} {
		got, err := readPassword(strings.NewReader(in), io.Discard)
		if err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	if _, err := readPassword(nil, io.Discard); err == nil {
		t.Error("no stdin accepted")
	}
}

// The first account signs in on the running service.
func TestFirstAccountSignsIn(t *testing.T) {
	db := storetest.DatabaseURL(t, store.DialectSQLite)
	if code, _, errOut := runWithInput(t, cliPassword+"\n", "user", "add", "--database", db, "--firm", "Adviesbureau Noord", "--email", "ann@noord.example", "--admin"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	base := startApp(t, db)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	resp, err = client.PostForm(base+"/login", url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "email": {"ann@noord.example"}, "password": {cliPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/organisaties" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = client.Get(base + "/team")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ann@noord.example") {
		t.Fatalf("team page: %d", resp.StatusCode)
	}
}
