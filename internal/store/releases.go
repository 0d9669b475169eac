package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

type releaseRow struct {
	bun.BaseModel `bun:"table:result_releases,alias:rr"`

	DiagnosticID string    `bun:"diagnostic_id,pk"`
	Seq          int       `bun:"seq,pk"`
	Kind         string    `bun:"kind"`
	CreatedAt    time.Time `bun:"created_at"`
	Responses    int       `bun:"responses"`
	Base         int       `bun:"base"`
	TotalShown   bool      `bun:"total_shown"`
	Cells        string    `bun:"cells"`
	Shown        string    `bun:"shown"`
	Result       string    `bun:"result"`
}

type releaseShown struct {
	Units []string             `json:"units"`
	Roles []string             `json:"roles"`
	Items []survey.ReleaseItem `json:"items"`
}

// Releases returns the recorded releases of a diagnostic's results (its
// previews and final releases), oldest first (none: an empty slice). The
// employee summaries are left out: each shows a subset of the final
// release before it, so they add nothing the results must take into
// account; AllReleases has them too.
func (s *Store) Releases(ctx context.Context, diagnosticID string) ([]survey.Release, error) {
	return s.releases(ctx, diagnosticID, false)
}

// AllReleases returns every recorded release of a diagnostic, employee
// summaries included, oldest first: everything that left the service, for
// the privacy audit.
func (s *Store) AllReleases(ctx context.Context, diagnosticID string) ([]survey.Release, error) {
	return s.releases(ctx, diagnosticID, true)
}

func (s *Store) releases(ctx context.Context, diagnosticID string, summaries bool) ([]survey.Release, error) {
	var rows []releaseRow
	q := s.read.NewSelect().Model(&rows).Where("diagnostic_id = ?", diagnosticID)
	if !summaries {
		q = q.Where("kind <> ?", string(survey.ReleaseSummary))
	}
	err := q.Order("seq").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "load releases")
	}
	out := make([]survey.Release, 0, len(rows))
	for _, row := range rows {
		r, err := row.release()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (row releaseRow) release() (survey.Release, error) {
	r := survey.Release{
		Seq: row.Seq, Kind: survey.ReleaseKind(row.Kind), CreatedAt: row.CreatedAt.UTC(),
		Responses: row.Responses, Base: row.Base, TotalShown: row.TotalShown,
	}
	var shown releaseShown
	r.Result = &survey.Result{}
	for _, p := range []struct {
		data string
		into any
	}{{row.Cells, &r.Cells}, {row.Shown, &shown}, {row.Result, r.Result}} {
		if err := json.Unmarshal([]byte(p.data), p.into); err != nil {
			return survey.Release{}, survey.Wrap(survey.CodeInternal, err, fmt.Sprintf("release %d of %s is unreadable", row.Seq, row.DiagnosticID))
		}
	}
	r.Units, r.Roles, r.Items = shown.Units, shown.Roles, shown.Items
	return r, nil
}

// RecordRelease appends rel to the diagnostic's releases and returns it
// with Seq and CreatedAt set. after is the number of the last results
// release (preview or final, see Releases) the caller computed rel
// against (0: none); when another one was recorded meanwhile, nothing is
// written and a CodeConflict error is returned, since rel did not take
// that release into account. An employee summary (ReleaseSummary) must
// follow the final release after, and is refused with CodeConflict when a
// later results release exists. Reading and writing happen in one
// transaction that holds the diagnostic's row.
func (s *Store) RecordRelease(ctx context.Context, diagnosticID string, after int, rel survey.Release) (survey.Release, error) {
	if rel.Result == nil || (rel.Kind != survey.ReleasePreview && rel.Kind != survey.ReleaseFinal && rel.Kind != survey.ReleaseSummary) {
		return survey.Release{}, survey.Errorf(survey.CodeInvalid, "a release needs a kind and a result")
	}
	if rel.Kind == survey.ReleaseSummary && after == 0 {
		return survey.Release{}, survey.Errorf(survey.CodeInvalid, "an employee summary follows a final release")
	}
	cells, err := json.Marshal(nonNil(rel.Cells))
	if err != nil {
		return survey.Release{}, survey.Wrap(survey.CodeInternal, err, "encode release")
	}
	shown, err := json.Marshal(releaseShown{Units: nonNil(rel.Units), Roles: nonNil(rel.Roles), Items: nonNil(rel.Items)})
	if err != nil {
		return survey.Release{}, survey.Wrap(survey.CodeInternal, err, "encode release")
	}
	result, err := json.Marshal(rel.Result)
	if err != nil {
		return survey.Release{}, survey.Wrap(survey.CodeInternal, err, "encode release")
	}
	row := releaseRow{
		DiagnosticID: diagnosticID, Seq: after + 1, Kind: string(rel.Kind), CreatedAt: s.timestamp(),
		Responses: rel.Responses, Base: rel.Base, TotalShown: rel.TotalShown,
		Cells: string(cells), Shown: string(shown), Result: string(result),
	}
	err = s.write(ctx, "record release", func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockDiagnostic(ctx, tx, diagnosticID); err != nil {
			return err
		}
		var last, top sql.NullInt64
		if err := tx.NewSelect().Model((*releaseRow)(nil)).ColumnExpr("MAX(seq)").Where("diagnostic_id = ?", diagnosticID).
			Where("kind <> ?", string(survey.ReleaseSummary)).Scan(ctx, &last); err != nil {
			return err
		}
		if int(last.Int64) != after {
			return survey.Errorf(survey.CodeConflict, "release %d was recorded meanwhile", last.Int64)
		}
		if rel.Kind == survey.ReleaseSummary {
			var kind string
			if err := tx.NewSelect().Model((*releaseRow)(nil)).Column("kind").Where("diagnostic_id = ? AND seq = ?", diagnosticID, after).Scan(ctx, &kind); err != nil {
				return err
			}
			if kind != string(survey.ReleaseFinal) {
				return survey.Errorf(survey.CodeConflict, "release %d is not a final release", after)
			}
			// One summary per final release: two requests recording at
			// once would otherwise both write it.
			n, err := tx.NewSelect().Model((*releaseRow)(nil)).
				Where("diagnostic_id = ? AND kind = ? AND seq > ?", diagnosticID, string(survey.ReleaseSummary), after).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return survey.Errorf(survey.CodeConflict, "the summary of release %d was recorded meanwhile", after)
			}
		}
		// Summaries take numbers too: the sequence is every release in
		// the order it left the service.
		if err := tx.NewSelect().Model((*releaseRow)(nil)).ColumnExpr("MAX(seq)").Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &top); err != nil {
			return err
		}
		row.Seq = int(top.Int64) + 1
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return survey.Release{}, err
	}
	rel.Seq, rel.CreatedAt = row.Seq, row.CreatedAt
	return rel, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
