package store

import (
	"context"
	"os"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// SetDiagnosticState opens or closes a diagnostic. A closed diagnostic
// accepts no answers.
func (s *Store) SetDiagnosticState(ctx context.Context, id string, state survey.State) error {
	return s.setDiagnosticState(ctx, id, state, nil)
}

// setDiagnosticState runs also, when set, in the same transaction after the
// state changed.
func (s *Store) setDiagnosticState(ctx context.Context, id string, state survey.State, also func(ctx context.Context, tx bun.Tx) error) error {
	switch state {
	case survey.StateDraft, survey.StateOpen, survey.StateClosed:
	default:
		return survey.Errorf(survey.CodeInvalid, "unknown state %q", state)
	}
	return s.write(ctx, "set diagnostic state", func(ctx context.Context, tx bun.Tx) error {
		var closedAt *time.Time
		if state == survey.StateClosed {
			now := s.timestamp()
			closedAt = &now
		}
		q := tx.NewUpdate().Model((*diagnosticRow)(nil)).
			Set("state = ?", string(state)).
			Set("closed_at = ?", closedAt).
			Where("id = ?", id)
		if state == survey.StateOpen {
			// The first opening starts the fieldwork; a reopen continues it.
			q = q.Set("opened_at = COALESCE(opened_at, ?)", s.timestamp())
		}
		res, err := q.Exec(ctx)
		if err := notFoundIfNone(res, err, "diagnostic not found"); err != nil || also == nil {
			return err
		}
		return also(ctx, tx)
	})
}

// NonceUsed reports whether a submission with this nonce was stored, for
// checks from outside the respondent flow (the resilience tests).
func (s *Store) NonceUsed(ctx context.Context, nonce string) (bool, error) {
	var exists bool
	var err error
	if s.dialect == DialectPostgres {
		err = pgQueryRow(ctx, s.read.DB, "SELECT EXISTS (SELECT 1 FROM submission_nonces WHERE nonce_hash = $1)", hash(nonce)).Scan(&exists)
	} else {
		exists, err = s.read.NewSelect().Model((*submissionNonceRow)(nil)).
			Where("nonce_hash = ?", hash(nonce)).
			Exists(ctx)
	}
	if err != nil {
		return false, dbError(err, "check nonce")
	}
	return exists, nil
}

// PurgeResult says what Purge deleted.
type PurgeResult struct {
	Diagnostics int
	Responses   int
}

// Purge deletes the answers of every diagnostic that closed before cutoff:
// closed by hand before it, or past its closing date before it. The
// diagnostics themselves, their settings and their anonymous result
// summaries stay, so earlier waves and benchmarks keep their figures.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) (PurgeResult, error) {
	var out PurgeResult
	cutoff = cutoff.UTC()
	err := s.write(ctx, "purge answers", func(ctx context.Context, tx bun.Tx) error {
		var ids []string
		err := tx.NewSelect().Model((*diagnosticRow)(nil)).Column("id").
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("state = ? AND closed_at < ?", string(survey.StateClosed), cutoff).
					WhereOr("state <> ? AND closes_at < ?", string(survey.StateClosed), cutoff).
					WhereOr("state = ? AND closed_at IS NULL AND closes_at < ?", string(survey.StateClosed), cutoff)
			}).Scan(ctx, &ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			res, err := tx.NewDelete().Model((*responseRow)(nil)).Where("diagnostic_id = ?", id).Exec(ctx)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			if n > 0 {
				out.Diagnostics++
				out.Responses += int(n)
			}
			for _, model := range []any{(*submissionNonceRow)(nil), (*accessCodeRow)(nil)} {
				if _, err := tx.NewDelete().Model(model).Where("diagnostic_id = ?", id).Exec(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// Backup writes a consistent copy of an SQLite database to path while the
// service keeps running (VACUUM INTO reads one snapshot). PostgreSQL has its
// own tool for this, pg_dump, and gets an error saying so.
//
// VACUUM INTO copies rows, not pages, into a new file built in key order,
// as Scrub's VACUUM does: the copy holds no free space with deleted rows,
// no cell layout that follows the order of insertion and no WAL. It is
// created 0600; path must not exist or be an empty file.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != DialectSQLite {
		return survey.Errorf(survey.CodeInvalid, "back up PostgreSQL with pg_dump (see docs/operations.md)")
	}
	if err := createPrivateFile(path); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "backup")
	}
	if fi, err := os.Stat(path); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "backup")
	} else if fi.Size() > 0 {
		return survey.Errorf(survey.CodeInvalid, "%s exists already: back up into a new file", path)
	}
	// An empty file that was there already gets the mode of a new one.
	if err := os.Chmod(path, 0o600); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "backup")
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "backup")
	}
	return nil
}
