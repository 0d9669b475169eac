package store

import (
	"context"
	"database/sql"
)

// OpenWithoutGroupCommit opens a store whose SQLite writes each commit on
// their own, for the benchmark that shows why group commit exists.
func OpenWithoutGroupCommit(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	return open(ctx, databaseURL, opts, config{groupCommit: false})
}

// WriterDB returns the pool that writes (on PostgreSQL the only pool), for
// tests that inspect the database with raw SQL.
func WriterDB(s *Store) *sql.DB { return s.db.DB }

// ReaderDB returns the pool that reads.
func ReaderDB(s *Store) *sql.DB { return s.read.DB }

// SQLitePath returns the database file of an SQLite store.
func SQLitePath(s *Store) string { return s.path }

// Hash exposes the hash of nonces.
func Hash(v string) string { return hash(v) }

// CodeHash exposes the hash of an access code.
func CodeHash(diagnosticID, code string) string { return codeHash(diagnosticID, code) }
