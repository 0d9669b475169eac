package store

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// defaultPostgresConns is the pool size unless the URL sets pool_max_conns.
// Submissions mostly wait for the WAL flush of their commit; a pool a few
// times the core count lets PostgreSQL flush many commits at once without
// the context switching of one backend per caller.
const defaultPostgresConns = 16

// openPostgres opens a pool through pgx's database/sql driver. The URL may
// set pool_max_conns (as for pgxpool); every other parameter goes to pgx,
// and unknown ones (search_path, say) become session settings.
func (s *Store) openPostgres(ctx context.Context, databaseURL string) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		// url.Error repeats the URL, password included.
		return survey.Errorf(survey.CodeInvalid, "the PostgreSQL URL cannot be parsed")
	}
	conns := defaultPostgresConns
	q := u.Query()
	if v := q.Get("pool_max_conns"); v != "" {
		conns, err = strconv.Atoi(v)
		if err != nil || conns < 1 {
			return survey.Errorf(survey.CodeInvalid, "pool_max_conns in the PostgreSQL URL must be a positive number")
		}
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		// pgconn's parse error hides the password.
		return survey.Wrap(survey.CodeInvalid, err, "invalid PostgreSQL URL")
	}
	// bun writes its arguments into the SQL text, so every statement is new
	// to PostgreSQL and pgx's default (prepare, cache, then execute) would
	// cost an extra round trip per statement and fill the cache with
	// statements that never come back.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	// An acknowledged answer must survive a crash, whatever the server's
	// default; an operator can still override it in the URL.
	if _, ok := cfg.RuntimeParams["synchronous_commit"]; !ok {
		cfg.RuntimeParams["synchronous_commit"] = "on"
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "uitvoeringskracht"
	}

	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(conns)
	// database/sql keeps only two idle connections by default, so a burst of
	// submissions would open and close connections all the time.
	sqldb.SetMaxIdleConns(conns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	sqldb.SetConnMaxLifetime(time.Hour)
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return survey.Wrap(survey.CodeInternal, err, "connect to PostgreSQL")
	}
	s.dialect = DialectPostgres
	s.db = bun.NewDB(sqldb, pgdialect.New())
	s.read = s.db
	return nil
}
