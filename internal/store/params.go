package store

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL shows the text of every statement in pg_stat_activity and, when
// an operator turns statement logging on, in its log. bun writes argument
// values into that text (bun.DB.ExecContext formats them in as well, and
// pgx's simple protocol, our default, interpolates them too), so the few
// statements that carry answers, access codes or their hashes, nonces or a
// diagnostic's respondent token go through database/sql directly with $n
// placeholders and pgx's extended protocol: the text PostgreSQL sees holds
// placeholders only, and the values travel in the Bind message.
// docs/security.md lists the server settings that would log them anyway.

// bindMode makes pgx send the arguments that follow it as bind parameters,
// in one round trip (an unnamed statement, parameter types from the Go
// types), whatever the connection's default mode.
const bindMode = pgx.QueryExecModeExec

// sqlExecer is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type sqlExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pgExec runs query on PostgreSQL with args as bind parameters.
func pgExec(ctx context.Context, db sqlExecer, query string, args ...any) (sql.Result, error) {
	return db.ExecContext(ctx, query, append([]any{bindMode}, args...)...)
}

// pgQueryRow runs query on PostgreSQL with args as bind parameters.
func pgQueryRow(ctx context.Context, db sqlExecer, query string, args ...any) *sql.Row {
	return db.QueryRowContext(ctx, query, append([]any{bindMode}, args...)...)
}
