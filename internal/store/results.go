package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// What the results of a diagnostic need from the database beyond its own
// responses: the response count at the last preview, the responses of other
// closed diagnostics for pooling, and per-diagnostic summaries for the
// sector benchmark.

type resultPreviewRow struct {
	bun.BaseModel `bun:"table:result_previews,alias:rp"`

	DiagnosticID string `bun:"diagnostic_id,pk"`
	Responses    int    `bun:"responses"`
}

type resultSummaryRow struct {
	bun.BaseModel `bun:"table:result_summaries,alias:rs"`

	DiagnosticID string    `bun:"diagnostic_id,pk"`
	IndexMean    *float64  `bun:"index_mean"`
	Respondents  int       `bun:"respondents"`
	ComputedAt   time.Time `bun:"computed_at"`
}

// closedAt is survey.Diagnostic.EffectiveState(now) == StateClosed written
// over the diagnostics alias d; it takes now three times. A diagnostic closes
// by hand or by its closing date, and a draft with an opening date opens
// (and may then close) by itself: the database must agree with the pages
// about which diagnostics are closed.
const closedAt = `(d.state = 'closed' OR (d.closes_at IS NOT NULL AND d.closes_at <= ? AND (` +
	`(d.state = 'open' AND (d.opens_at IS NULL OR d.opens_at <= ?)) OR ` +
	`(d.state = 'draft' AND d.opens_at IS NOT NULL AND d.opens_at <= ?))))`

// PreviewedAt returns the number of responses of the diagnostic at its
// last release (a preview, or the results before a reopen), or, for a
// preview recorded before releases were, at that preview; 0 when there was
// none.
func (s *Store) PreviewedAt(ctx context.Context, diagnosticID string) (int, error) {
	var n int
	err := s.read.NewSelect().Model((*releaseRow)(nil)).Column("responses").
		Where("diagnostic_id = ? AND kind <> ?", diagnosticID, string(survey.ReleaseSummary)).Order("seq DESC").Limit(1).Scan(ctx, &n)
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, dbError(err, "load preview")
	}
	err = s.read.NewSelect().Model((*resultPreviewRow)(nil)).Column("responses").
		Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, dbError(err, "load preview")
	}
	return n, nil
}

// RecordPreview records a preview of the diagnostic's results at its current
// number of responses and returns that number. allow receives the number at
// the previous preview (0 if none) and the current one; when it returns an
// error nothing is recorded and the error is returned. Reading, deciding and
// recording happen in one transaction that holds the diagnostic's row, so
// two consultants asking at once cannot both be allowed against the same
// earlier preview.
func (s *Store) RecordPreview(ctx context.Context, diagnosticID string, allow func(previewedAt, responses int) error) (int, error) {
	var responses int
	err := s.write(ctx, "record preview", func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockDiagnostic(ctx, tx, diagnosticID); err != nil {
			return err
		}
		previous := 0
		err := tx.NewSelect().Model((*resultPreviewRow)(nil)).Column("responses").
			Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &previous)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		count, err := tx.NewSelect().Model((*responseRow)(nil)).Where("diagnostic_id = ?", diagnosticID).Count(ctx)
		if err != nil {
			return err
		}
		n := int(count)
		responses = n
		if err := allow(previous, n); err != nil {
			return err
		}
		row := resultPreviewRow{DiagnosticID: diagnosticID, Responses: n}
		_, err = tx.NewInsert().Model(&row).
			On("CONFLICT (diagnostic_id) DO UPDATE").
			Set("responses = EXCLUDED.responses").
			Exec(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	return responses, nil
}

// SaveResultSummary keeps the organisation-level index (nil when it could
// not be shown) and the number of respondents of a closed diagnostic for the
// benchmark of other organisations. It writes only when the summary
// changed, so that showing the same results again costs no write.
func (s *Store) SaveResultSummary(ctx context.Context, diagnosticID string, indexMean *float64, respondents int) error {
	var old resultSummaryRow
	err := s.read.NewSelect().Model(&old).Where("diagnostic_id = ?", diagnosticID).Scan(ctx)
	switch {
	case err == nil && old.Respondents == respondents && equalPtr(old.IndexMean, indexMean):
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return dbError(err, "load result summary")
	}
	row := resultSummaryRow{DiagnosticID: diagnosticID, IndexMean: indexMean, Respondents: respondents, ComputedAt: s.timestamp()}
	return s.writeStatement(ctx, "save result summary", func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(&row).
			On("CONFLICT (diagnostic_id) DO UPDATE").
			Set("index_mean = EXCLUDED.index_mean").
			Set("respondents = EXCLUDED.respondents").
			Set("computed_at = EXCLUDED.computed_at").
			Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
		}
		return err
	})
}

func equalPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// BenchmarkPeers returns the comparison set of a reader of firm firmID
// (docs/methodology.md §9): one value per organisation of the sector that
// belongs to another firm, the index of its latest (by creation) closed
// diagnostic with the questionnaire id and version that reached its
// minimum group size and has a shown index. now decides which diagnostics
// are closed by their dates. The values are for scoring.Benchmark, which
// reports only a coarse position among them; they must never be shown one
// by one. An organisation without a firm counts as the firm "".
func (s *Store) BenchmarkPeers(ctx context.Context, firmID, questionnaireID, version string, sector survey.Sector, now time.Time) ([]survey.BenchmarkPeer, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var rows []struct {
		FirmID    string  `bun:"firm_id"`
		IndexMean float64 `bun:"index_mean"`
	}
	err := s.read.NewRaw(`SELECT x.firm_id, x.index_mean FROM (
		SELECT COALESCE(o.firm_id, '') AS firm_id, rs.index_mean,
		       ROW_NUMBER() OVER (PARTITION BY d.organisation_id ORDER BY d.created_at DESC, d.id DESC) AS rn
		FROM result_summaries AS rs
		JOIN diagnostics AS d ON d.id = rs.diagnostic_id
		JOIN organisations AS o ON o.id = d.organisation_id
		WHERE d.questionnaire_id = ? AND d.questionnaire_version = ? AND o.sector = ?
		  AND COALESCE(o.firm_id, '') <> ? AND rs.index_mean IS NOT NULL
		  AND rs.respondents >= (CASE WHEN d.min_group_size > 0 THEN d.min_group_size ELSE ? END)
		  AND `+closedAt+`
	) AS x WHERE x.rn = 1 ORDER BY x.index_mean, x.firm_id`,
		questionnaireID, version, string(sector), firmID, survey.DefaultMinGroupSize, now, now, now,
	).Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "benchmark")
	}
	out := make([]survey.BenchmarkPeer, len(rows))
	for i, r := range rows {
		out[i] = survey.BenchmarkPeer{FirmID: r.FirmID, Index: r.IndexMean}
	}
	return out, nil
}

// PooledResponses returns up to limit responses of the installation's
// closed diagnostics (any firm) with the questionnaire id and version, the
// most recently created diagnostics first, leaving out diagnosticID (whose
// own responses are scored anyway). now decides which diagnostics are closed
// by their dates. Only ID, DiagnosticID and Answers are set: pooling
// estimates correlations, and needs neither the background nor the open
// answers of other organisations.
//
// One indexed query per diagnostic, each limited to what is still missing,
// reads at most limit responses however many closed diagnostics there are;
// a single ordered query would have to read all of them to sort.
func (s *Store) PooledResponses(ctx context.Context, diagnosticID, questionnaireID, version string, now time.Time, limit int) ([]survey.Response, error) {
	if limit <= 0 {
		return nil, survey.Errorf(survey.CodeInvalid, "the pool needs a positive limit")
	}
	now = now.UTC().Truncate(time.Microsecond)
	var ids []string
	err := s.read.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").
		Where("d.questionnaire_id = ?", questionnaireID).
		Where("d.questionnaire_version = ?", version).
		Where("d.id <> ?", diagnosticID).
		Where(closedAt, now, now, now).
		OrderExpr("d.created_at DESC, d.id").
		Scan(ctx, &ids)
	if err != nil {
		return nil, dbError(err, "pooled responses")
	}
	var out []survey.Response
	for _, id := range ids {
		missing := limit - len(out)
		if missing <= 0 {
			break
		}
		var rows []struct {
			ID      string `bun:"id"`
			Answers string `bun:"answers"`
		}
		err := s.read.NewSelect().Model((*responseRow)(nil)).Column("id", "answers").
			Where("diagnostic_id = ?", id).Order("id").Limit(int64(missing)).
			Scan(ctx, &rows)
		if err != nil {
			return nil, dbError(err, "pooled responses")
		}
		for _, row := range rows {
			r := survey.Response{ID: row.ID, DiagnosticID: id}
			if err := unmarshalObject(row.Answers, &r.Answers); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// lockDiagnostic holds the diagnostic's row for the rest of tx, so that
// release and preview records are decided one at a time per diagnostic; on
// SQLite the single writer does that already. It fails with CodeNotFound
// when the diagnostic does not exist.
func (s *Store) lockDiagnostic(ctx context.Context, tx bun.Tx, diagnosticID string) error {
	lock := tx.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").Where("d.id = ?", diagnosticID)
	if s.dialect == DialectPostgres {
		// NO KEY UPDATE, unlike UPDATE, does not block the foreign-key
		// checks of respondents submitting meanwhile.
		lock = lock.For("NO KEY UPDATE")
	}
	var id string
	if err := lock.Scan(ctx, &id); errors.Is(err, sql.ErrNoRows) {
		return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	} else if err != nil {
		return err
	}
	return nil
}
