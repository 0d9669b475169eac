package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// SetDiagnosticState opens or closes a diagnostic. A closed diagnostic
// accepts no answers.
func (s *Store) SetDiagnosticState(ctx context.Context, id string, state survey.State) error {
	switch state {
	case survey.StateDraft, survey.StateOpen, survey.StateClosed:
	default:
		return survey.Errorf(survey.CodeInvalid, "unknown state %q", state)
	}
	return s.write(ctx, "set diagnostic state", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*diagnosticRow)(nil)).
			Set("state = ?", string(state)).
			Where("id = ?", id).
			Exec(ctx)
		return notFoundIfNone(res, err, "diagnostic not found")
	})
}

// NonceUsed reports whether a submission with this nonce was stored. The
// respondent flow asks it when a retried submit finds its draft gone, to
// tell "already stored" from "expired".
func (s *Store) NonceUsed(ctx context.Context, nonce string) (bool, error) {
	exists, err := s.read.NewSelect().Model((*submissionNonceRow)(nil)).
		Where("nonce_hash = ?", hash(nonce)).
		Exists(ctx)
	if err != nil {
		return false, dbError(err, "check nonce")
	}
	return exists, nil
}
