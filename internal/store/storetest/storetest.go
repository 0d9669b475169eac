// Package storetest opens fresh, migrated stores for tests, on SQLite and on
// PostgreSQL, so that every package can test against both dialects.
//
// PostgreSQL is found at $UK_TEST_POSTGRES_URL, by default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Every store gets
// a schema of its own, dropped when the test ends, so that packages may test
// in parallel against one database. When PostgreSQL is unreachable the
// PostgreSQL tests are skipped, except when $CI is set: then they fail, so
// that CI never passes on SQLite alone.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
)

// DefaultPostgresURL is used when UK_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects returns the dialects to test: always "sqlite"; "postgres" when
// reachable (when it is not, it fails tb if $CI is set, and otherwise logs
// why PostgreSQL is left out).
func Dialects(tb testing.TB) []string {
	tb.Helper()
	dialects := []string{store.DialectSQLite}
	db, err := postgresAdmin(tb)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is required in CI (CI is set) but unreachable at %s: %v", redacted(postgresURL()), err)
		}
		tb.Logf("PostgreSQL left out: unreachable at %s: %v", redacted(postgresURL()), err)
		return dialects
	}
	_ = db.Close()
	return append(dialects, store.DialectPostgres)
}

// ForEachDialect runs fn as the subtests "sqlite" and "postgres", each on a
// fresh migrated database.
func ForEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a store on a fresh database of the dialect, migrated with
// the embedded migrations and closed when the test ends.
func Open(tb testing.TB, dialect string) *store.Store {
	tb.Helper()
	return OpenWith(tb, dialect, store.Options{})
}

// OpenWith is Open with options, for a test that sets the clock or the
// logger. Nil Migrations means the embedded migrations, and then the store
// gets a fresh secret key, as start-up gives it one.
func OpenWith(tb testing.TB, dialect string, opts store.Options) *store.Store {
	tb.Helper()
	embedded := opts.Migrations == nil
	if embedded {
		opts.Migrations = uitvoeringskracht.Migrations
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, DatabaseURL(tb, dialect), opts)
	if err != nil {
		tb.Fatalf("open %s store: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close %s store: %v", dialect, err)
		}
	})
	if _, err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s store: %v", dialect, err)
	}
	if embedded {
		UseSecretKey(tb, s)
	}
	return s
}

// SecretKey is the UK_SECRET_KEY of test stores: one fixed key, so that
// every store a test opens on one database agrees.
const SecretKey = "dWl0dm9lcmluZ3NrcmFjaHQtc3RvcmV0ZXN0LWtleTA="

// UseSecretKey gives a store the key SecretKey, as start-up gives it
// UK_SECRET_KEY, for a test that opens and migrates stores itself.
func UseSecretKey(tb testing.TB, s *store.Store) {
	tb.Helper()
	key, err := secret.Parse(SecretKey)
	if err == nil {
		_, err = s.UseSecretKey(context.Background(), key)
	}
	if err != nil {
		tb.Fatalf("secret key of the %s store: %v", s.Dialect(), err)
	}
}

// DatabaseURL returns the URL of a fresh, empty database of the dialect, for
// a test that opens (and migrates) stores itself. It is removed when the
// test ends; close the stores on it before, with tb.Cleanup registered after
// this call.
func DatabaseURL(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case store.DialectSQLite:
		return "sqlite:" + filepath.Join(tb.TempDir(), "uitvoeringskracht.db")
	case store.DialectPostgres:
		return postgresSchemaURL(tb)
	}
	tb.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}

func postgresURL() string {
	if u := os.Getenv("UK_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// postgresAdmin connects to the test database outside any test schema.
func postgresAdmin(tb testing.TB) (*sql.DB, error) {
	tb.Helper()
	u, err := url.Parse(postgresURL())
	if err != nil {
		return nil, err
	}
	// pool_max_conns is the store's, not a PostgreSQL setting.
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// postgresSchemaURL creates a schema for this test only and returns a URL
// whose connections use it: pgx sends unknown URL parameters, search_path
// among them, as session settings.
func postgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	admin, err := postgresAdmin(tb)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is required in CI (CI is set) but unreachable at %s: %v", redacted(postgresURL()), err)
		}
		tb.Skipf("PostgreSQL unreachable at %s (set UK_TEST_POSTGRES_URL): %v", redacted(postgresURL()), err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "uk_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(postgresURL())
	if err != nil {
		tb.Fatalf("UK_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// redacted returns u without its password, for messages.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}
