package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testSecretKey is UK_SECRET_KEY of the tests that run the service on
// PostgreSQL, where a key must be given.
const testSecretKey = "dWl0dm9lcmluZ3NrcmFjaHQtdGVzdC1rZXktMDAwMDA="

// testSecretKeyFor returns the key to start the service on databaseURL
// with: none on SQLite, whose key file start-up makes.
func testSecretKeyFor(databaseURL string) string {
	if strings.HasPrefix(databaseURL, "sqlite:") {
		return ""
	}
	return testSecretKey
}

const (
	plainTOTPSecret  = "JBSWY3DPEHPK3PXPCMDTOTPSECRETONE"
	plainTOTPPending = "GEZDGNBVGY3TQOJQCMDPENDINGSECRET"
)

// startKeyed builds the App as serve does, with key as UK_SECRET_KEY, and
// returns it with its log; the caller closes it with stopKeyed.
func startKeyed(t *testing.T, dbURL, key string) (*App, string, error) {
	t.Helper()
	var log bytes.Buffer
	app, err := NewApp(context.Background(), Config{Addr: "127.0.0.1:0", DatabaseURL: dbURL, BaseURL: "http://127.0.0.1", LogFormat: "json", Migrate: true, SecretKey: key},
		slog.New(slog.NewJSONHandler(&log, nil)))
	return app, log.String(), err
}

func stopKeyed(t *testing.T, app *App) {
	t.Helper()
	app.listener.Close()
	if err := app.store.Close(); err != nil {
		t.Fatal(err)
	}
}

// seedPlainTOTP makes a database of schema 0011 with a consultant whose
// TOTP secrets are in plain text, as every database was before 0012, and
// migrates it to the current schema without a key, as `migrate` does.
func seedPlainTOTP(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &survey.Firm{Name: "Noord"}
	if err := st.CreateFirm(ctx, f); err != nil {
		t.Fatal(err)
	}
	c := &survey.Consultant{FirmID: f.ID, Email: "ann@noord.nl"}
	if err := st.CreateConsultant(ctx, c, "$argon2id$hash"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	execRaw(t, dbURL, "UPDATE consultants SET totp_enabled = TRUE, totp_secret = '"+plainTOTPSecret+"', totp_pending_secret = '"+plainTOTPPending+"' WHERE id = '"+c.ID+"'")
	return c.ID
}

// execRaw runs query on the database past the store, as a pre-0012
// version of the service would have written.
func execRaw(t *testing.T, dbURL, query string) {
	t.Helper()
	driver, dsn := "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	if !strings.HasPrefix(dbURL, "sqlite:") {
		driver, dsn = "pgx", dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteKeyFileIsMadeOnceAndReused(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "data", "uk.db")
	dbURL := "sqlite:" + dbPath
	keyFile := dbPath + ".key"
	app, log, err := startKeyed(t, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	stopKeyed(t, app)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no key file next to the database: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %v, want 0600", perm)
	}
	first, _ := os.ReadFile(keyFile)
	if _, err := secret.Parse(string(first)); err != nil {
		t.Fatalf("key file holds no key: %v", err)
	}
	if !strings.Contains(log, "generated the secret key") || !strings.Contains(log, keyFile) {
		t.Errorf("the log does not say a key was generated into %s:\n%s", keyFile, log)
	}

	app, log, err = startKeyed(t, dbURL, "")
	if err != nil {
		t.Fatalf("restart with the key file: %v", err)
	}
	stopKeyed(t, app)
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(again, first) {
		t.Error("a restart replaced the key file")
	}
	if strings.Contains(log, "generated the secret key") {
		t.Error("a restart generated another key")
	}

	// A key file lost after the first start (a restore without it) is not
	// silently replaced by a new key.
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	_, _, err = startKeyed(t, dbURL, "")
	if err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") || !strings.Contains(err.Error(), keyFile) {
		t.Fatalf("start without the key file = %v; want an error naming UK_SECRET_KEY and the file", err)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Error("start-up made a new key file for a database that has a key")
	}
	// The key given as UK_SECRET_KEY is the same key and works.
	app, _, err = startKeyed(t, dbURL, string(first))
	if err != nil {
		t.Fatalf("start with the key as UK_SECRET_KEY: %v", err)
	}
	stopKeyed(t, app)
}

func TestPostgresStartUpNeedsTheSecretKey(t *testing.T) {
	dbURL := storetest.DatabaseURL(t, store.DialectPostgres)
	_, _, err := startKeyed(t, dbURL, "")
	if err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
		t.Fatalf("start on PostgreSQL without a key = %v; want an error naming UK_SECRET_KEY", err)
	}
	_, _, err = startKeyed(t, dbURL, "not a key")
	if err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
		t.Fatalf("start with a malformed key = %v; want an error naming UK_SECRET_KEY", err)
	}
	app, _, err := startKeyed(t, dbURL, testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	stopKeyed(t, app)
}

func TestWrongSecretKeyStopsStartUp(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			app, _, err := startKeyed(t, dbURL, testSecretKey)
			if err != nil {
				t.Fatal(err)
			}
			stopKeyed(t, app)
			app, _, err = startKeyed(t, dbURL, secret.Generate())
			if err == nil {
				stopKeyed(t, app)
				t.Fatal("the service started with another key than the database's")
			}
			if !strings.Contains(err.Error(), "UK_SECRET_KEY") {
				t.Errorf("the refusal does not name UK_SECRET_KEY: %v", err)
			}
		})
	}
}

func TestStartUpLeavesNoPlainTOTPSecret(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			id := seedPlainTOTP(t, dbURL)
			app, log, err := startKeyed(t, dbURL, testSecretKeyFor(dbURL))
			if err != nil {
				t.Fatal(err)
			}
			creds, err := app.store.Credentials(context.Background(), id)
			stopKeyed(t, app)
			if err != nil || creds.TOTPSecret != plainTOTPSecret || creds.TOTPPendingSecret != plainTOTPPending {
				t.Fatalf("credentials after start-up = %+v, %v", creds, err)
			}
			if !strings.Contains(log, "encrypted the two-factor secrets") {
				t.Errorf("the log does not tell that plain secrets were encrypted:\n%s", log)
			}
			assertDatabaseHoldsNoTraces(t, dialect, dbURL, []string{plainTOTPSecret, plainTOTPPending})
			if dialect != store.DialectSQLite {
				return
			}
			dbPath := strings.TrimPrefix(dbURL, "sqlite:")
			files, _ := filepath.Glob(dbPath + "*")
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(plainTOTPSecret)) || bytes.Contains(b, []byte(plainTOTPPending)) {
					t.Errorf("%s holds a plain TOTP secret", f)
				}
			}
			if len(files) == 0 {
				t.Fatal("no database file to read")
			}
		})
	}
}

func TestKeyGenerate(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "key", "generate")
	if code != 0 {
		t.Fatalf("key generate: exit %d: %s", code, errOut)
	}
	if _, err := secret.Parse(out); err != nil || len(strings.TrimSpace(out)) != 44 {
		t.Fatalf("key generate printed %q: %v", out, err)
	}
	if _, again, _ := runCLI(t, nil, "key", "generate"); again == out {
		t.Error("two generated keys are equal")
	}
}

func rotate(t *testing.T, dbURL string, env map[string]string, stdin string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"key", "rotate", "--database", dbURL}, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestKeyRotateSQLiteKeyFile(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "uk.db")
	dbURL := "sqlite:" + dbPath
	id := seedPlainTOTP(t, dbURL)
	app, _, err := startKeyed(t, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	stopKeyed(t, app)
	oldKey, _ := os.ReadFile(dbPath + ".key")
	newKey := secret.Generate()
	// The old key comes from the key file, the new one from stdin.
	code, out, errOut := rotate(t, dbURL, nil, newKey+"\n")
	if code != 0 {
		t.Fatalf("key rotate: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "1 consultant") {
		t.Errorf("key rotate output %q does not count the consultant", out)
	}
	got, _ := os.ReadFile(dbPath + ".key")
	if strings.TrimSpace(string(got)) != newKey {
		t.Fatalf("the key file holds %q after rotation, want the new key", got)
	}
	if info, _ := os.Stat(dbPath + ".key"); info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v after rotation, want 0600", info.Mode().Perm())
	}
	if _, err := os.Stat(dbPath + ".key.new"); err == nil {
		t.Error("the staged key file was left behind")
	}
	if _, _, err := startKeyed(t, dbURL, string(oldKey)); err == nil {
		t.Fatal("the old key still starts the service after rotation")
	}
	app, _, err = startKeyed(t, dbURL, "")
	if err != nil {
		t.Fatalf("start after rotation: %v", err)
	}
	creds, err := app.store.Credentials(context.Background(), id)
	stopKeyed(t, app)
	if err != nil || creds.TOTPSecret != plainTOTPSecret || creds.TOTPPendingSecret != plainTOTPPending {
		t.Fatalf("credentials after rotation = %+v, %v", creds, err)
	}
}

func TestKeyRotateFromEnvironmentAndStdin(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dbURL := storetest.DatabaseURL(t, dialect)
			id := seedPlainTOTP(t, dbURL)
			app, _, err := startKeyed(t, dbURL, testSecretKey)
			if err != nil {
				t.Fatal(err)
			}
			stopKeyed(t, app)
			newKey := secret.Generate()
			// A wrong old key changes nothing and names the setting.
			if code, _, errOut := rotate(t, dbURL, map[string]string{"UK_SECRET_KEY": secret.Generate(), "UK_NEW_SECRET_KEY": newKey}, ""); code == 0 || !strings.Contains(errOut, "UK_SECRET_KEY") {
				t.Fatalf("rotation from a wrong key: exit %d: %s", code, errOut)
			}
			// Without keys in the environment or on stdin it refuses.
			if code, _, errOut := rotate(t, dbURL, map[string]string{"UK_SECRET_KEY": testSecretKey}, ""); code != 2 || !strings.Contains(errOut, "UK_NEW_SECRET_KEY") {
				t.Fatalf("rotation without a new key: exit %d: %s", code, errOut)
			}
			code, _, errOut := rotate(t, dbURL, map[string]string{"UK_SECRET_KEY": testSecretKey}, newKey+"\n")
			if code != 0 {
				t.Fatalf("key rotate: exit %d: %s", code, errOut)
			}
			if _, _, err := startKeyed(t, dbURL, testSecretKey); err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
				t.Fatalf("start with the old key after rotation = %v", err)
			}
			app, _, err = startKeyed(t, dbURL, newKey)
			if err != nil {
				t.Fatal(err)
			}
			creds, err := app.store.Credentials(context.Background(), id)
			stopKeyed(t, app)
			if err != nil || creds.TOTPSecret != plainTOTPSecret {
				t.Fatalf("credentials after rotation = %+v, %v", creds, err)
			}
			// And back, both keys from stdin, old first.
			code, _, errOut = rotate(t, dbURL, nil, newKey+"\n"+testSecretKey+"\n")
			if code != 0 {
				t.Fatalf("key rotate from stdin: exit %d: %s", code, errOut)
			}
			app, _, err = startKeyed(t, dbURL, testSecretKey)
			if err != nil {
				t.Fatalf("start after rotating back: %v", err)
			}
			stopKeyed(t, app)
		})
	}
}
