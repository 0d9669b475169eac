package store

import "database/sql"

// The names of the connection pools in PoolStats.
const (
	// PoolWriter is SQLite's single write connection.
	PoolWriter = "writer"
	// PoolReader is SQLite's pool of query_only read connections.
	PoolReader = "reader"
	// PoolPrimary is PostgreSQL's one pool, which serves reads and writes.
	PoolPrimary = "primary"
)

// PoolStats returns the statistics of the database connection pools, for
// monitoring: "writer" and "reader" on SQLite, "primary" on PostgreSQL,
// where reads and writes share one pool. It holds counts and durations
// only, never a query or the database URL.
func (s *Store) PoolStats() map[string]sql.DBStats {
	if s.read == s.db {
		return map[string]sql.DBStats{PoolPrimary: s.db.Stats()}
	}
	return map[string]sql.DBStats{PoolWriter: s.db.Stats(), PoolReader: s.read.Stats()}
}
