package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// FirstAudit returns the firm's oldest audit entry of action on the target,
// say who made a director link; CodeNotFound when there is none.
func (s *Store) FirstAudit(ctx context.Context, firmID, action, targetType, targetID string) (*survey.AuditEntry, error) {
	var r auditRow
	err := s.read.NewSelect().Model(&r).
		Where("a.firm_id = ?", firmID).Where("a.action = ?", action).
		Where("a.target_type = ?", targetType).Where("a.target_id = ?", targetID).
		OrderExpr("a.seq").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.CodeNotFound, "no such audit entry")
	}
	if err != nil {
		return nil, dbError(err, "find audit entry")
	}
	e := &survey.AuditEntry{FirmID: r.FirmID, Email: r.Email, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID, Detail: r.Detail, At: r.At.UTC()}
	if r.ConsultantID != nil {
		e.ConsultantID = *r.ConsultantID
	}
	return e, nil
}
