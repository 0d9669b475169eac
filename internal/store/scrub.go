package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DefaultScrubInterval is how long, at most, the storage keeps anything
// that orders the responses or ties a spent code to the moment it was
// spent: see Scrub and docs/benchmarks.md for why this value.
const DefaultScrubInterval = 5 * time.Minute

// scrubRetries bounds the attempts of an SQLite TRUNCATE checkpoint that
// readers keep from finishing.
const scrubRetries = 20

// scrubLockTimeout bounds how long VACUUM FULL waits for its lock, and so
// how long submissions can queue behind a VACUUM FULL that waits.
const scrubLockTimeout = "'1s'"

// scrubLockKey names the PostgreSQL advisory lock that keeps two instances
// from scrubbing one schema at the same time; the schema is part of the key
// so that separate installations (and parallel tests) in one database do
// not wait for each other.
const scrubLockKey = `hashtextextended('uitvoeringskracht.scrub.' || current_schema(), 0)`

// scrubber runs Scrub in the background, at most once per interval and only
// after a respondent wrote something.
type scrubber struct {
	interval time.Duration
	quit     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// markDirty records that a respondent wrote something the next scrub must
// reorder or erase.
func (s *Store) markDirty() {
	s.dirty.Store(true)
}

// StartScrubbing scrubs the storage now (a crash may have left a WAL or dead
// tuples behind) and then every interval in which a respondent wrote
// something; Close scrubs once more when something was written since. A
// non-positive interval means DefaultScrubInterval. Call it once, after the
// migrations.
func (s *Store) StartScrubbing(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultScrubInterval
	}
	if err := s.Scrub(ctx); err != nil {
		return err
	}
	sc := &scrubber{interval: interval, quit: make(chan struct{}), done: make(chan struct{})}
	s.scrubber = sc
	go s.scrubLoop(sc)
	return nil
}

func (s *Store) scrubLoop(sc *scrubber) {
	defer close(sc.done)
	t := time.NewTicker(sc.interval)
	defer t.Stop()
	for {
		select {
		case <-sc.quit:
			return
		case <-t.C:
		}
		if !s.dirty.Swap(false) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), sc.interval)
		if err := s.Scrub(ctx); err != nil {
			// Try again at the next tick rather than forget the writes.
			s.dirty.Store(true)
			s.log.Error("scrub failed", "error", err)
		}
		cancel()
	}
}

// stopScrubbing ends the background loop and, when a respondent wrote
// something since the last scrub, scrubs a last time so that a clean
// shutdown leaves nothing ordered behind.
func (s *Store) stopScrubbing() {
	sc := s.scrubber
	if sc == nil {
		return
	}
	sc.once.Do(func() {
		close(sc.quit)
		<-sc.done
		if s.dirty.Swap(false) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := s.Scrub(ctx); err != nil {
				s.log.Error("scrub at shutdown failed", "error", err)
			}
		}
	})
}

// Scrub removes from the storage what could order the responses or tie a
// spent code to a response, beyond what the tables themselves say.
//
// SQLite: VACUUM rebuilds every page in key order (the keys are random), so
// neither the place of a row in the file nor free space inside pages follows
// the order of the writes any more, and secure_delete has zeroed what was
// deleted; then a TRUNCATE checkpoint copies the rebuilt pages into the
// database file and empties the -wal file, which until then holds old page
// images in write order.
//
// PostgreSQL: every response is deleted and written again in random order
// by one statement, so all responses share one xmin and their ctid order is
// random; then VACUUM FULL rewrites responses, submission_nonces,
// access_codes and outgoing_messages without the dead tuples, whose
// xmin, xmax and contents would otherwise show who did what after whom.
// An advisory lock lets one instance at a time do this.
func (s *Store) Scrub(ctx context.Context) error {
	var err error
	if s.dialect == DialectPostgres {
		err = s.scrubPostgres(ctx)
	} else {
		err = s.scrubSQLite(ctx)
	}
	return survey.Wrap(survey.CodeInternal, err, "scrub")
}

func (s *Store) scrubSQLite(ctx context.Context) error {
	// The writer pool has one connection: taking it waits for the group
	// committer's transaction and keeps every other write out meanwhile.
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		var busy, logFrames, checkpointed int
		err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		// A reader is still inside the WAL (busy_timeout has already
		// waited for it); wait a little more and try again.
		if attempt == scrubRetries {
			return fmt.Errorf("the WAL could not be emptied: readers kept it in use (%d frames)", logFrames)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
}

func (s *Store) scrubPostgres(ctx context.Context) (err error) {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Blocking, not try: an instance that finds another one scrubbing
	// waits and scrubs again, so that its own latest writes are covered.
	// It polls with pg_try_advisory_lock rather than block in
	// pg_advisory_lock: a statement blocked there holds a snapshot from
	// before the other instance's rewrite, and VACUUM FULL would keep the
	// old rows for it (awaitScrubHorizon would wait for it in vain).
	for {
		var locked bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+scrubLockKey+")").Scan(&locked); err != nil {
			return err
		}
		if locked {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	defer func() {
		// A lock left behind on an error goes with the session, which
		// database/sql closes when the connection is broken.
		_, unlockErr := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+scrubLockKey+")")
		err = errors.Join(err, unlockErr)
	}()
	// outgoing_messages: an ephemeral message (a personal invitation)
	// erased after sending leaves its old version, address and code
	// together, as a dead tuple until VACUUM FULL. sealing_keys: the
	// upgrade that sealed plain keys leaves them in dead tuples when an
	// older transaction kept VACUUM FULL from dropping them (a few rows).
	tables := []string{"responses", "submission_nonces", "access_codes", "outgoing_messages", "sealing_keys"}
	// VACUUM FULL by a user who does not own the table only warns and
	// skips it: say so instead of leaving the dead tuples in silence.
	var notOwned []string
	rows, err := conn.QueryContext(ctx, `SELECT c.relname FROM pg_class c
		WHERE c.oid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t)
		AND NOT pg_has_role(current_user, c.relowner, 'MEMBER') ORDER BY 1`, bindMode, tables)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		notOwned = append(notOwned, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if len(notOwned) > 0 {
		return fmt.Errorf("the database user does not own %s and so cannot VACUUM FULL it: let the service's user own its tables (docs/operations.md)", strings.Join(notOwned, ", "))
	}
	// One statement is one transaction with one snapshot: exactly the rows
	// it deletes are inserted again, and a response submitted meanwhile is
	// neither lost nor copied twice. ORDER BY random() makes the inserts
	// (and so the ctids) follow no order of the past.
	if _, err := conn.ExecContext(ctx, `WITH moved AS (DELETE FROM responses RETURNING *)
		INSERT INTO responses SELECT * FROM moved ORDER BY random()`); err != nil {
		return err
	}
	// VACUUM FULL keeps a dead tuple that a transaction older than the
	// rewrite may still see (a report query, a pg_dump, another instance's
	// request): the old rows, with their xmin and ctid order, would stay
	// in the file. So wait, a bounded time, until no session of this
	// database holds a snapshot or transaction from before the rewrite; if
	// one still does, scrub again at the next interval. Sessions of other
	// roles are only visible with pg_read_all_stats (docs/operations.md).
	if err := s.awaitScrubHorizon(ctx, conn); err != nil {
		return err
	}
	// VACUUM FULL queues for ACCESS EXCLUSIVE, and every submission and
	// result page queues behind it: a long report query would stop the
	// respondents for its whole length. So it waits a short time only and
	// tries again a few times before the scrub gives up until the next
	// interval.
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = "+scrubLockTimeout); err != nil {
		return err
	}
	defer func() {
		_, resetErr := conn.ExecContext(context.WithoutCancel(ctx), "RESET lock_timeout")
		err = errors.Join(err, resetErr)
	}()
	for _, table := range tables {
		// ACCESS EXCLUSIVE for the time of the rewrite: submissions wait
		// (docs/benchmarks.md has the figures).
		for attempt := 1; ; attempt++ {
			_, err := conn.ExecContext(ctx, "VACUUM FULL "+table)
			if err == nil {
				break
			}
			if !isLockTimeout(err) || attempt == scrubRetries {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
	}
	// VACUUM FULL leaves the visibility map of the new file empty, so
	// counting a diagnostic's responses (every results request does)
	// would visit all its rows in the heap until autovacuum comes: at
	// 150,000 responses 120-450 ms instead of 10-20. A plain VACUUM sets
	// the map; it takes no lock that submissions wait for. ANALYZE of the
	// diagnostic column alone tells the planner how many rows a diagnostic
	// has, and keeps samples of the answers out of pg_statistic. A failure
	// costs only speed until autovacuum runs.
	if _, err := conn.ExecContext(ctx, "VACUUM (ANALYZE) responses (diagnostic_id)"); err != nil && !isLockTimeout(err) {
		return err
	}
	return nil
}

// isLockTimeout reports a PostgreSQL lock_timeout (lock_not_available).
func isLockTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// scrubHorizonWait bounds how long the scrub waits for older snapshots to
// end before its VACUUM FULL.
const scrubHorizonWait = 15 * time.Second

// awaitScrubHorizon waits until no other session of this database holds a
// snapshot or a transaction id from before now. When the wait runs out the
// scrub goes on (removing what it can) and marks the store dirty, so that
// the next interval repeats it.
func (s *Store) awaitScrubHorizon(ctx context.Context, conn *sql.Conn) error {
	// The first transaction id not yet handed out: every transaction that
	// could still see the rows before the rewrite has an id or a snapshot
	// horizon below it. age() compares ids modulo wraparound.
	var marker string
	if err := conn.QueryRowContext(ctx, `SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::numeric % 4294967296)::text`).Scan(&marker); err != nil {
		return err
	}
	deadline := time.Now().Add(scrubHorizonWait)
	for {
		var older int
		err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE pid <> pg_backend_pid() AND datname = current_database()
			AND ((backend_xmin IS NOT NULL AND age(backend_xmin) > age($1::text::xid))
			  OR (backend_xid IS NOT NULL AND age(backend_xid) > age($1::text::xid)))`, marker).Scan(&older)
		if err != nil {
			return err
		}
		if older == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			s.dirty.Store(true)
			s.log.Warn("scrub: older transactions are still open; the next scrub repeats the clean-up", "sessions", older)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
