// Package store is the data layer of Uitvoeringskracht and the only package
// that talks to the database. It runs the same schema and behaviour on SQLite
// (one file, no server: the default for small installations) and PostgreSQL.
//
// Every error it returns is a coded survey error: CodeNotFound for a missing
// row, CodeConflict for a unique violation (a second submission of the same
// questionnaire), CodeInvalid for a caller mistake and CodeInternal, wrapping
// the cause, for everything else.
//
// Anonymity is a property of this package as much as of the web layer: a
// stored response holds no IP address, user agent, cookie, access code or
// time finer than the calendar date, and its id is random. Respondents'
// progress is never stored here (it is sealed in their cookie with a key
// from SealingKeys); an access code is spent when entered. See Submit,
// SpendAccessCode, and the migrations for the table layout.
package store

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The dialects the store speaks, as returned by Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Options configures Open.
type Options struct {
	// Migrations holds the schema as "migrations/<dialect>/NNNN_name.sql";
	// normally the embedded uitvoeringskracht.Migrations.
	Migrations fs.FS
	Logger     *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MinFreeDisk is the free space (bytes) an SQLite store needs next to
	// its database file to report itself ready; 0 means
	// DefaultMinFreeDisk, a negative value turns the check off.
	MinFreeDisk int64
}

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	dialect string
	// db runs every write. On SQLite it holds exactly one connection: SQLite
	// allows one writer at a time, and queueing writers in Go instead of in
	// SQLite's busy handler is what rules out "database is locked".
	db *bun.DB
	// read runs every read. On SQLite it is a separate pool of query_only
	// connections (in WAL mode readers never block the writer nor wait for
	// it); on PostgreSQL it is the same pool as db.
	read *bun.DB
	// committer batches SQLite writes into shared transactions (group
	// commit); nil on PostgreSQL, which groups WAL flushes itself.
	committer *committer

	migrations fs.FS
	log        *slog.Logger
	now        func() time.Time
	// path is the SQLite database file.
	path string
	// minFreeDisk and health feed Ready: see health.go.
	minFreeDisk int64
	health      writeHealth

	// dirty is set by every respondent write (response stored, code
	// spent, draft saved) and cleared when a scrub starts; scrubber is nil
	// until StartScrubbing.
	dirty    atomic.Bool
	scrubber *scrubber

	// secrets encrypts the TOTP secrets; nil until UseSecretKey.
	secrets atomic.Pointer[secret.Key]

	closeOnce sync.Once
	closeErr  error
}

// config holds what tests may vary beyond Options.
type config struct {
	groupCommit bool
}

// Open connects to the database named by databaseURL: "sqlite:PATH" for an
// SQLite file (its directory is created when missing) or
// "postgres://..." / "postgresql://..." for PostgreSQL. It does not migrate:
// call Migrate, or check Ready.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	return open(ctx, databaseURL, opts, config{groupCommit: true})
}

func open(ctx context.Context, databaseURL string, opts Options, cfg config) (*Store, error) {
	s := &Store{
		migrations: opts.Migrations,
		log:        opts.Logger,
		now:        opts.Now,
	}
	switch {
	case opts.MinFreeDisk == 0:
		s.minFreeDisk = DefaultMinFreeDisk
	case opts.MinFreeDisk > 0:
		s.minFreeDisk = opts.MinFreeDisk
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		err = s.openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite:"), cfg)
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		err = s.openPostgres(ctx, databaseURL)
	default:
		// The URL is not repeated: it may hold a password.
		return nil, errInvalidURL()
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func errInvalidURL() error {
	return survey.Errorf(survey.CodeInvalid,
		`unsupported database URL: use "sqlite:PATH" (for example sqlite:data/uitvoeringskracht.db) or "postgres://USER@HOST:PORT/DATABASE"`)
}

// Close stops the group committer, after it has committed and acknowledged
// the batch it is working on, scrubs when StartScrubbing was called and a
// respondent wrote since the last scrub, and closes the database. Writes that arrive
// later fail. Close may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.committer != nil {
			s.committer.stop()
		}
		s.stopScrubbing()
		var errs []error
		if s.read != s.db {
			errs = append(errs, s.read.Close())
		}
		errs = append(errs, s.db.Close())
		s.closeErr = survey.Wrap(survey.CodeInternal, errors.Join(errs...), "close database")
	})
	return s.closeErr
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ready reports whether the database is reachable, fully migrated and able
// to store answers (enough free disk for SQLite; no write failing for a
// reason of the database itself since the last one that succeeded), as a
// readiness probe wants to know.
func (s *Store) Ready(ctx context.Context) error {
	if cause := s.health.failing(s.now()); cause != "" {
		return survey.Errorf(survey.CodeInternal, "writes are failing: %s", cause)
	}
	if err := s.checkDiskSpace(); err != nil {
		return err
	}
	if err := s.read.PingContext(ctx); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "database unreachable")
	}
	if s.read != s.db {
		if err := s.db.PingContext(ctx); err != nil {
			return survey.Wrap(survey.CodeInternal, err, "database unreachable")
		}
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return survey.Errorf(survey.CodeInternal,
			"database schema is not up to date: %d pending migration(s) (%s); run the migrations",
			len(pending), strings.Join(pending, ", "))
	}
	return nil
}

// write runs fn in a write transaction and returns its error. On SQLite fn
// runs inside its own savepoint of a transaction shared with other callers'
// writes (group commit): it must neither commit nor roll back, and an error
// it returns undoes its own statements only.
func (s *Store) write(ctx context.Context, op string, fn func(ctx context.Context, tx bun.Tx) error) error {
	var err error
	if s.committer != nil {
		err = s.committer.do(ctx, fn)
	} else {
		err = s.db.RunInTx(ctx, nil, fn)
	}
	err = dbError(err, op)
	s.health.record(err, s.now())
	return err
}

// writeStatement runs fn, which must issue exactly one statement. On
// PostgreSQL a single statement is a transaction of its own, so this saves
// the round trips of BEGIN and COMMIT; on SQLite it is a write like any
// other and joins a group commit.
func (s *Store) writeStatement(ctx context.Context, op string, fn func(ctx context.Context, db bun.IDB) error) error {
	if s.dialect == DialectPostgres {
		err := dbError(fn(ctx, s.db), op)
		s.health.record(err, s.now())
		return err
	}
	return s.write(ctx, op, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
}

// timestamp returns the current time as stored: UTC with the microsecond
// precision of PostgreSQL, so that both dialects give back what they got.
func (s *Store) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
