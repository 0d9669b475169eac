package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

type employeeSummaryRow struct {
	bun.BaseModel `bun:"table:employee_summaries,alias:es"`

	DiagnosticID string     `bun:"diagnostic_id,pk"`
	Published    bool       `bun:"published"`
	Message      string     `bun:"message"`
	PublishedAt  *time.Time `bun:"published_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

// EmployeeSummary returns the employee summary settings of a diagnostic;
// one that was never published is returned unpublished, without error.
func (s *Store) EmployeeSummary(ctx context.Context, diagnosticID string) (survey.EmployeeSummary, error) {
	var row employeeSummaryRow
	err := s.read.NewSelect().Model(&row).Where("diagnostic_id = ?", diagnosticID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.EmployeeSummary{DiagnosticID: diagnosticID}, nil
	}
	if err != nil {
		return survey.EmployeeSummary{}, dbError(err, "load employee summary")
	}
	return survey.EmployeeSummary{
		DiagnosticID: row.DiagnosticID, Published: row.Published, Message: row.Message,
		PublishedAt: utcPtr(row.PublishedAt), UpdatedAt: row.UpdatedAt.UTC(),
	}, nil
}

// SetEmployeeSummary publishes (published true) or withdraws the employee
// summary of a diagnostic with the directors' message. PublishedAt keeps
// the moment it was first published since it was last withdrawn.
func (s *Store) SetEmployeeSummary(ctx context.Context, diagnosticID string, published bool, message string) (survey.EmployeeSummary, error) {
	if len([]rune(message)) > survey.MaxSummaryMessage {
		return survey.EmployeeSummary{}, survey.Errorf(survey.CodeInvalid, "the message is longer than %d characters", survey.MaxSummaryMessage)
	}
	now := s.timestamp()
	var out employeeSummaryRow
	err := s.write(ctx, "set employee summary", func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockDiagnostic(ctx, tx, diagnosticID); err != nil {
			return err
		}
		var old employeeSummaryRow
		err := tx.NewSelect().Model(&old).Where("diagnostic_id = ?", diagnosticID).Scan(ctx)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		out = employeeSummaryRow{DiagnosticID: diagnosticID, Published: published, Message: message, UpdatedAt: now}
		switch {
		case published && old.Published && old.PublishedAt != nil:
			out.PublishedAt = old.PublishedAt
		case published:
			out.PublishedAt = &now
		}
		_, err = tx.NewInsert().Model(&out).
			On("CONFLICT (diagnostic_id) DO UPDATE").
			Set("published = EXCLUDED.published").
			Set("message = EXCLUDED.message").
			Set("published_at = EXCLUDED.published_at").
			Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		return err
	})
	if err != nil {
		return survey.EmployeeSummary{}, err
	}
	return survey.EmployeeSummary{
		DiagnosticID: diagnosticID, Published: out.Published, Message: out.Message,
		PublishedAt: utcPtr(out.PublishedAt), UpdatedAt: out.UpdatedAt.UTC(),
	}, nil
}

// Pulses returns the pulses that follow the full measurement fullID,
// oldest first.
func (s *Store) Pulses(ctx context.Context, fullID string) ([]*survey.Diagnostic, error) {
	var ids []string
	err := s.read.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").
		Where("d.pulse_of = ?", fullID).Order("d.created_at", "d.id").Scan(ctx, &ids)
	if err != nil {
		return nil, dbError(err, "load pulses")
	}
	out := make([]*survey.Diagnostic, 0, len(ids))
	for _, id := range ids {
		d, err := s.Diagnostic(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
