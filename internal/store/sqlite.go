package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// sqlitePragmas returns the pragmas of every connection, writer and reader
// alike. They are passed as DSN _pragma parameters rather than executed after
// Open because database/sql opens new connections whenever it likes, and a
// connection without them would silently lose durability or foreign keys.
func sqlitePragmas() []string {
	return []string{
		// The single writer never waits for itself; this only covers other
		// processes (a CLI migration, a backup) and WAL recovery by readers.
		"busy_timeout(10000)",
		"foreign_keys(1)",
		// FULL makes the commit fsync the WAL, so an acknowledged answer
		// survives a power loss; NORMAL (the usual WAL choice) does not.
		"synchronous(FULL)",
		// Overwrite deleted content with zeros: a submitted draft holds the
		// same answers as its response, plus a nonce and a time of day, and must
		// not linger in free space of the database file.
		"secure_delete(1)",
	}
}

// openSQLite opens two pools on one file. The writer has one connection and
// begins every transaction with BEGIN IMMEDIATE: a deferred transaction that
// reads first and then writes must upgrade its lock, and SQLite fails such an
// upgrade at once with SQLITE_BUSY when another connection wrote in between,
// whatever the busy timeout. With one writer connection and immediate
// transactions, writers queue in Go and never see "database is locked".
// Reads go to a second, query_only pool, which in WAL mode runs alongside the
// writer.
func (s *Store) openSQLite(ctx context.Context, path string, cfg config) error {
	switch {
	case path == "", path == ":memory:", strings.HasPrefix(path, "file:"), strings.HasPrefix(path, "//"):
		// An in-memory database would be a different one for each pool.
		return errInvalidURL()
	case strings.ContainsAny(path, "?#"):
		return survey.Errorf(survey.CodeInvalid, "the SQLite path must not contain '?' or '#'")
	}
	// The directory holds the answers: when we create it, only the service's
	// own user may list or enter it. An existing directory is left as the
	// operator made it.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "create database directory")
	}
	// SQLite creates a missing file with 0644 less the umask, and gives the
	// -wal and -shm files the mode of the main file: creating the main file
	// 0600 first keeps all three readable by the service's user only.
	if err := createPrivateFile(path); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "create database file")
	}
	s.dialect = DialectSQLite
	s.path = path

	writer, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return survey.Wrap(survey.CodeInternal, err, "open SQLite database")
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and switches it to WAL,
	// which the query_only readers cannot do.
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return survey.Wrap(survey.CodeInternal, err, "open SQLite database")
	}

	reader, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		_ = writer.Close()
		return survey.Wrap(survey.CodeInternal, err, "open SQLite database")
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	if err := reader.PingContext(ctx); err != nil {
		_ = reader.Close()
		_ = writer.Close()
		return survey.Wrap(survey.CodeInternal, err, "open SQLite database")
	}

	s.db = bun.NewDB(writer, sqlitedialect.New())
	s.read = bun.NewDB(reader, sqlitedialect.New())
	if cfg.groupCommit {
		s.committer = newCommitter(s.db, s.log)
	}
	return nil
}

// sqliteDSN returns the modernc.org/sqlite data source name for path.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	for _, p := range sqlitePragmas() {
		q.Add("_pragma", p)
	}
	if writer {
		// WAL is persistent in the file; only the writer may switch to it.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode()
}

// createPrivateFile creates path with mode 0600 when it does not exist yet;
// an existing file is left alone.
func createPrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
