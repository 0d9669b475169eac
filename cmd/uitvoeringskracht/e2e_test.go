package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

const e2eUserAgent = "UK-E2E-Agent/1.0 (anonymity probe)"

// startApp runs the real service on a free port until the test ends.
func startApp(t *testing.T, databaseURL string) string {
	t.Helper()
	app := runApp(t, Config{Addr: "127.0.0.1:0", DatabaseURL: databaseURL, BaseURL: "http://127.0.0.1", LogFormat: "json", SecretKey: testSecretKeyFor(databaseURL)})
	return "http://" + app.Addr()
}

// runApp runs the service with cfg until the test ends; the test fails when
// it does not stop cleanly within 15 s.
func runApp(t *testing.T, cfg Config) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("the app did not stop within 15 s")
		}
	})
	return app
}

func createDiagnostic(t *testing.T, databaseURL string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"diagnostic", "create", "--database", databaseURL, "--migrate", "1",
		"--org", "Provincie Testland", "--sector", "provincie", "--units", "Beleid, Uitvoering,Staf"}, nil, &out, &errOut, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("diagnostic create exited %d: %s", code, errOut.String())
	}
	m := regexp.MustCompile(`/d/([A-Za-z0-9_-]{22,})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no respondent link in %q", out.String())
	}
	return m[1]
}

// e2eClient plays a respondent with a browser's cookies and a recognisable
// user agent, so the test can look for it in the database afterwards.
type e2eClient struct {
	t    *testing.T
	c    *http.Client
	base string
}

func (e *e2eClient) do(method, path string, form url.Values) string {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.base+path, body)
	req.Header.Set("User-Agent", e2eUserAgent)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return string(data)
}

func TestEndToEndRespondentSubmission(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			token := createDiagnostic(t, dbURL)
			base := startApp(t, dbURL)
			jar, _ := cookiejar.New(nil)
			client := &e2eClient{t: t, base: base, c: &http.Client{Jar: jar}}

			landing := client.do(http.MethodGet, "/d/"+token, nil)
			if !strings.Contains(landing, "Provincie Testland") {
				t.Fatal("landing page does not name the organisation")
			}
			forms := newFormReader()
			page := landing
			given := map[string]string{}
			for range 12 {
				m := forms.action.FindStringSubmatch(page)
				if m == nil {
					t.Fatalf("no form: %s", page)
				}
				action := html.UnescapeString(m[1])
				form := url.Values{}
				i := 0
				for _, tag := range forms.input.FindAllString(page, -1) {
					attrs := map[string]string{}
					for _, a := range forms.attr.FindAllStringSubmatch(tag, -1) {
						attrs[a[1]] = html.UnescapeString(a[2])
					}
					switch {
					case attrs["type"] == "hidden":
						form.Set(attrs["name"], attrs["value"])
					case attrs["type"] == "radio" && form.Get(attrs["name"]) == "":
						// Deterministic answers: the options in turn.
						form.Set(attrs["name"], attrs["value"])
						i++
					}
				}
				for _, ta := range forms.textarea.FindAllStringSubmatch(page, -1) {
					form.Set(ta[1], "Minder overleg, meer mandaat")
				}
				for k, v := range form {
					if k != "csrf" && k != "nonce" {
						given[k] = v[0]
					}
				}
				page = client.do(http.MethodPost, action, form)
				if strings.Contains(page, "Bedankt voor het invullen") {
					break
				}
			}
			if !strings.Contains(page, "Bedankt voor het invullen") {
				t.Fatal("the thank-you page was not reached")
			}

			st, err := store.Open(context.Background(), dbURL, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			d, err := st.DiagnosticByToken(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := st.Responses(context.Background(), d.ID)
			if err != nil || len(rs) != 1 {
				t.Fatalf("stored responses: %d, %v", len(rs), err)
			}
			r := rs[0]
			for name, v := range given {
				switch {
				case strings.HasPrefix(name, "item-"):
					if got := fmt.Sprint(r.Answers[strings.TrimPrefix(name, "item-")]); got != v {
						t.Errorf("%s stored as %s, given %s", name, got, v)
					}
				case strings.HasPrefix(name, "bg-"):
					if got := r.Background[strings.TrimPrefix(name, "bg-")]; got != v {
						t.Errorf("%s stored as %s, given %s", name, got, v)
					}
				case strings.HasPrefix(name, "open-"):
					if got := r.Open[strings.TrimPrefix(name, "open-")]; got != v {
						t.Errorf("%s stored as %q, given %q", name, got, v)
					}
				}
			}
			if r.SubmittedOn != time.Now().Format("2006-01-02") {
				t.Errorf("submitted_on %q is not today's date", r.SubmittedOn)
			}

			var secrets []string
			for _, ck := range jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(base, "http://"), Path: "/d/" + token}) {
				secrets = append(secrets, ck.Value)
			}
			secrets = append(secrets, e2eUserAgent, "127.0.0.1", "UK-E2E-Agent")
			assertDatabaseHoldsNoTraces(t, dialect, dbURL, secrets)
		})
	}
}

// assertDatabaseHoldsNoTraces reads every text value of every table and
// fails when one contains a secret of the respondent's device or
// connection, or when a response holds a time finer than a date.
func assertDatabaseHoldsNoTraces(t *testing.T, dialect, dbURL string, secrets []string) {
	t.Helper()
	driver, dsn, listTables := "sqlite", strings.TrimPrefix(dbURL, "sqlite:"), "SELECT name FROM sqlite_master WHERE type = 'table'"
	if dialect == store.DialectPostgres {
		driver, dsn, listTables = "pgx", dbURL, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := queryStrings(t, db, listTables)
	if len(tables) < 4 {
		t.Fatalf("found only tables %v", tables)
	}
	for _, table := range tables {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		if table == "responses" {
			want := "id,diagnostic_id,submitted_on,background,answers,open_answers"
			if got := strings.Join(cols, ","); got != want {
				t.Errorf("responses has columns %s; every column added there is an anonymity decision (want %s)", got, want)
			}
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, secret := range secrets {
					if secret != "" && strings.Contains(s, secret) {
						t.Errorf("%s.%s holds %q", table, cols[i], secret)
					}
				}
				if table == "responses" && cols[i] == "submitted_on" && !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(s) {
					t.Errorf("responses.submitted_on holds %q, finer than a date", s)
				}
			}
		}
		rows.Close()
	}
}

func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestServeRefusesOutdatedSchemaUnlessMigrating(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			ctx := context.Background()
			_, err := NewApp(ctx, Config{Addr: "127.0.0.1:0", DatabaseURL: dbURL, BaseURL: "http://x.test", Migrate: false}, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), "out of date") {
				t.Fatalf("want a refusal naming the out-of-date schema, got %v", err)
			}
			var out, errOut bytes.Buffer
			if code := run(ctx, []string{"migrate", "--database", dbURL}, nil, &out, &errOut, func(string) string { return "" }); code != 0 {
				t.Fatalf("migrate exited %d: %s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "applied 0001") {
				t.Errorf("migrate did not report the applied migration: %q", out.String())
			}
			base := startApp(t, dbURL)
			resp, err := http.Get(base + "/readyz")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("readyz after migrate: %v %v", resp, err)
			}
			resp.Body.Close()
		})
	}
}
