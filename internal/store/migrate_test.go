package store_test

import (
	"context"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Both dialects must have the same migrations, or a database could not move
// from SQLite to PostgreSQL at a known version.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	names := func(dialect string) []string {
		entries, err := fs.ReadDir(uitvoeringskracht.Migrations, "migrations/"+dialect)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, e := range entries {
			n = append(n, e.Name())
		}
		return n
	}
	sqlite, postgres := names(store.DialectSQLite), names(store.DialectPostgres)
	if len(sqlite) == 0 || !reflect.DeepEqual(sqlite, postgres) {
		t.Errorf("migrations differ: sqlite %v, postgres %v", sqlite, postgres)
	}
}

// openStore opens a store on url with the given migrations, closed at the
// end of the test.
func openStore(t *testing.T, url string, migrations fs.FS) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, store.Options{Migrations: migrations})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// withMigrations returns the real migrations of the dialect plus extra
// files, keyed by version name.
// openMigrated opens a store on url and applies the embedded migrations.
func openMigrated(t *testing.T, url string) *store.Store {
	t.Helper()
	s := openStore(t, url, uitvoeringskracht.Migrations)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// realVersions returns the versions of the embedded migrations, in order.
func realVersions(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := fs.ReadDir(uitvoeringskracht.Migrations, "migrations/"+dialect)
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, e := range entries {
		versions = append(versions, strings.TrimSuffix(e.Name(), ".sql"))
	}
	// ReadDir sorts by name, which is the numeric order for the real,
	// zero-padded files.
	return versions
}

func withMigrations(t *testing.T, dialect string, extra map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	dir := "migrations/" + dialect + "/"
	entries, err := fs.ReadDir(uitvoeringskracht.Migrations, strings.TrimSuffix(dir, "/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(uitvoeringskracht.Migrations, dir+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[dir+e.Name()] = &fstest.MapFile{Data: b}
	}
	for name, body := range extra {
		m[dir+name+".sql"] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func tableExists(t *testing.T, s *store.Store, table string) bool {
	t.Helper()
	query := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if s.Dialect() == store.DialectPostgres {
		query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	if err := store.ReaderDB(s).QueryRow(query, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestMigrate(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.DatabaseURL(t, dialect)
			// 10000 after 9990 although "10000" < "9990" as text: the index
			// would fail without the table.
			fsys := withMigrations(t, dialect, map[string]string{
				"10000_index": "CREATE INDEX extra_note ON extra (note);",
				"9990_extra":  "CREATE TABLE extra (id TEXT PRIMARY KEY, note TEXT); -- a comment with a question mark?",
			})
			s := openStore(t, url, fsys)

			pending, err := s.PendingMigrations(ctx)
			if err != nil {
				t.Fatalf("PendingMigrations: %v", err)
			}
			want := append(realVersions(t, dialect), "9990_extra", "10000_index")
			if !reflect.DeepEqual(pending, want) {
				t.Fatalf("PendingMigrations = %v, want %v", pending, want)
			}
			wantCode(t, s.Ready(ctx), survey.CodeInternal)

			applied, err := s.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if !reflect.DeepEqual(applied, want) {
				t.Fatalf("Migrate applied %v, want %v", applied, want)
			}
			if err := s.Ready(ctx); err != nil {
				t.Fatalf("Ready: %v", err)
			}
			applied, err = s.Migrate(ctx)
			if err != nil || len(applied) != 0 {
				t.Fatalf("second Migrate = %v, %v; want nothing to do", applied, err)
			}
			// Another process, with the same migrations, finds nothing to do.
			applied, err = openStore(t, url, fsys).Migrate(ctx)
			if err != nil || len(applied) != 0 {
				t.Fatalf("Migrate from a second store = %v, %v; want nothing to do", applied, err)
			}
		})
	}
}

// A broken migration fails loudly, naming its file, is not recorded, and
// leaves nothing of what it did before the failing statement. It fails at
// run time (a duplicate key), not when compiled, so the statements before
// it have really run.
func TestBrokenMigration(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.DatabaseURL(t, dialect)
			broken := withMigrations(t, dialect, map[string]string{
				"9990_broken": `CREATE TABLE partial (id TEXT PRIMARY KEY);
INSERT INTO partial (id) VALUES ('x');
INSERT INTO organisations (id, name, sector, headcount, created_at) VALUES ('o', 'n', 's', 0, CURRENT_TIMESTAMP);
INSERT INTO partial (id) VALUES ('x');`,
				"9991_after": "CREATE TABLE after_broken (id TEXT PRIMARY KEY);",
			})
			s := openStore(t, url, broken)
			applied, err := s.Migrate(ctx)
			if err == nil {
				t.Fatal("Migrate succeeded with a broken migration")
			}
			t.Logf("Migrate: %v", err)
			wantCode(t, err, survey.CodeInternal)
			if file := "migrations/" + dialect + "/9990_broken.sql"; !strings.Contains(err.Error(), file) {
				t.Errorf("error %q does not name %s", err, file)
			}
			if want := realVersions(t, dialect); !reflect.DeepEqual(applied, want) {
				t.Errorf("applied = %v, want only the real migrations %v", applied, want)
			}
			pending, err := s.PendingMigrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pending, []string{"9990_broken", "9991_after"}) {
				t.Errorf("pending = %v: the broken migration was recorded, or a later one ran", pending)
			}
			for _, table := range []string{"partial", "after_broken"} {
				if tableExists(t, s, table) {
					t.Errorf("table %s exists: the broken migration was not rolled back, or a later one ran", table)
				}
			}
			var n int
			if err := store.ReaderDB(s).QueryRow("SELECT count(*) FROM organisations").Scan(&n); err != nil || n != 0 {
				t.Errorf("organisations has %d rows (%v): the broken migration's insert survived", n, err)
			}
			if err := s.Ready(ctx); err == nil {
				t.Error("Ready with a pending migration")
			}

			// Once fixed, the migration applies.
			fixed := withMigrations(t, dialect, map[string]string{
				"9990_broken": "CREATE TABLE partial (id TEXT PRIMARY KEY);",
				"9991_after":  "CREATE TABLE after_broken (id TEXT PRIMARY KEY);",
			})
			s2 := openStore(t, url, fixed)
			applied, err = s2.Migrate(ctx)
			if err != nil || !reflect.DeepEqual(applied, []string{"9990_broken", "9991_after"}) {
				t.Fatalf("Migrate after the fix = %v, %v", applied, err)
			}
			if err := s2.Ready(ctx); err != nil {
				t.Fatalf("Ready: %v", err)
			}
		})
	}
}

func TestMigrationFileNames(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dir := "migrations/" + dialect + "/"
			table := &fstest.MapFile{Data: []byte("CREATE TABLE a (id TEXT);")}
			for name, fsys := range map[string]fstest.MapFS{
				"none":             {dir + "README": {Data: []byte("no SQL here")}},
				"other dialect":    {"migrations/mysql/0001_initial.sql": table},
				"unnumbered":       {dir + "0001_initial.sql": table, dir + "add_index.sql": table},
				"duplicate number": {dir + "0001_initial.sql": table, dir + "1_other.sql": table},
			} {
				t.Run(name, func(t *testing.T) {
					s := openStore(t, storetest.DatabaseURL(t, dialect), fsys)
					if _, err := s.Migrate(ctx); err == nil {
						t.Error("Migrate accepted the migrations")
					}
					if _, err := s.PendingMigrations(ctx); err == nil {
						t.Error("PendingMigrations accepted the migrations")
					}
					if tableExists(t, s, "a") {
						t.Error("a migration ran although the set is invalid")
					}
				})
			}
			s := openStore(t, storetest.DatabaseURL(t, dialect), nil)
			if _, err := s.Migrate(ctx); err == nil {
				t.Error("Migrate without migrations succeeded")
			}
		})
	}
}

// Several processes starting at once (replicas, or the CLI next to the
// server) all migrate without error, and every migration runs once.
func TestConcurrentMigrate(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			url := storetest.DatabaseURL(t, dialect)
			stores := make([]*store.Store, 4)
			for i := range stores {
				stores[i] = openStore(t, url, uitvoeringskracht.Migrations)
			}
			applied := make([][]string, len(stores))
			errs := make([]error, len(stores))
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() { applied[i], errs[i] = s.Migrate(context.Background()) })
			}
			wg.Wait()
			count := map[string]int{}
			for i := range stores {
				if errs[i] != nil {
					t.Errorf("store %d: Migrate: %v", i, errs[i])
				}
				for _, v := range applied[i] {
					count[v]++
				}
			}
			for _, v := range realVersions(t, dialect) {
				if count[v] != 1 {
					t.Errorf("migration %s applied %d times", v, count[v])
				}
			}
		})
	}
}
