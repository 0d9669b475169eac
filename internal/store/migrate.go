package store

import (
	"cmp"
	"context"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// A migration is one SQL file, "migrations/<dialect>/NNNN_name.sql". Its
// version, recorded in schema_migrations, is the file name without ".sql".
type migration struct {
	number  int
	version string
	path    string
}

// migrations lists the migration files of the store's dialect in order.
func (s *Store) migrationFiles() ([]migration, error) {
	if s.migrations == nil {
		return nil, survey.Errorf(survey.CodeInternal, "no migrations configured")
	}
	dir := "migrations/" + s.dialect
	entries, err := fs.ReadDir(s.migrations, dir)
	if err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "read migrations")
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		version := strings.TrimSuffix(e.Name(), ".sql")
		digits, _, _ := strings.Cut(version, "_")
		// Numbers, not names, give the order, so that 10_x never runs
		// before 9_x.
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 {
			return nil, survey.Errorf(survey.CodeInternal, "migration %s: the name must start with a version number, as in 0002_add_index.sql", path.Join(dir, e.Name()))
		}
		ms = append(ms, migration{number: n, version: version, path: path.Join(dir, e.Name())})
	}
	if len(ms) == 0 {
		return nil, survey.Errorf(survey.CodeInternal, "no migrations in %s", dir)
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.number, b.number) })
	for i := 1; i < len(ms); i++ {
		if ms[i].number == ms[i-1].number {
			return nil, survey.Errorf(survey.CodeInternal, "migrations %s and %s have the same version number", ms[i-1].path, ms[i].path)
		}
	}
	return ms, nil
}

// Migrate applies the pending migrations in order and returns the versions
// it applied. Each runs in a transaction of its own together with its
// record in schema_migrations, so a migration that fails leaves no trace;
// the error names the file, and the migrations before it stay applied.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := s.migrationFiles()
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		done, err := s.apply(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			s.log.Info("applied migration", "version", m.version)
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// apply runs one migration unless it was applied already, possibly by
// another process that migrated at the same time.
func (s *Store) apply(ctx context.Context, m migration) (bool, error) {
	body, err := fs.ReadFile(s.migrations, m.path)
	if err != nil {
		return false, survey.Wrap(survey.CodeInternal, err, "read migration "+m.path)
	}
	fail := func(err error) (bool, error) {
		return false, survey.Wrap(survey.CodeInternal, err, "migration "+m.path+" failed")
	}
	// On SQLite the writer begins with BEGIN IMMEDIATE, which also
	// serialises the migrations of concurrent processes.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = tx.Rollback() }()

	if s.dialect == DialectPostgres {
		// PostgreSQL lets two transactions create the same table at once and
		// fails one of them; a lock per schema serialises migrating
		// processes without serialising unrelated schemas.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('uitvoeringskracht.migrate.' || current_schema()))`); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.createMigrationsTable()); err != nil {
		return fail(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fail(err)
	}
	if n > 0 {
		return false, nil
	}
	// The file goes to database/sql unformatted: bun would take its
	// question marks for placeholders.
	if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, s.timestamp()); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return true, nil
}

func (s *Store) createMigrationsTable() string {
	timestamp := "TIMESTAMP"
	if s.dialect == DialectPostgres {
		timestamp = "TIMESTAMPTZ"
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    TEXT PRIMARY KEY,
		applied_at ` + timestamp + ` NOT NULL
	)`
}

// PendingMigrations returns the versions of the migrations not yet applied,
// in the order Migrate would apply them.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	ms, err := s.migrationFiles()
	if err != nil {
		return nil, err
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, m := range ms {
		if !applied[m.version] {
			pending = append(pending, m.version)
		}
	}
	return pending, nil
}

func (s *Store) appliedVersions(ctx context.Context) (map[string]bool, error) {
	db := s.read.DB
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if s.dialect == DialectPostgres {
		exists = `SELECT count(*) FROM (SELECT to_regclass('schema_migrations') AS t) x WHERE t IS NOT NULL`
	}
	var n int
	if err := db.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "read applied migrations")
	}
	applied := map[string]bool{}
	if n == 0 {
		return applied, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "read applied migrations")
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "read applied migrations")
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "read applied migrations")
	}
	return applied, nil
}
