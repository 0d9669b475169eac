package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Account mail: invitations to colleagues and password resets, each queued
// in the transaction that makes its token. The caller composes the
// message from the token, which the store makes and stores only as its
// SHA-256.

type passwordResetRow struct {
	bun.BaseModel `bun:"table:password_resets,alias:pr"`

	TokenHash    string     `bun:"token_hash,pk"`
	ConsultantID string     `bun:"consultant_id"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	UsedAt       *time.Time `bun:"used_at"`
}

// enqueueMade queues the message that build returns, in tx.
func (s *Store) enqueueMade(ctx context.Context, tx bun.IDB, build func() (*survey.OutgoingMessage, error)) error {
	m, err := build()
	if err != nil {
		return err
	}
	rows, err := s.enqueueTx(ctx, tx, []*survey.OutgoingMessage{m})
	if err != nil {
		return err
	}
	fillQueued([]*survey.OutgoingMessage{m}, rows)
	return nil
}

// CreateInvitationWithMessage is CreateInvitation that also queues the
// invitation's mail, which mail makes from the token, in the same
// transaction. The token is returned as well: the team page keeps showing
// the link to copy.
func (s *Store) CreateInvitationWithMessage(ctx context.Context, inv *auth.Invitation, mail func(token string) (*survey.OutgoingMessage, error)) (string, error) {
	return s.createInvitation(ctx, inv, mail)
}

// RequestPasswordReset makes a reset token for the active consultant with
// the address, valid until expires, and queues the message mail makes
// from it, in one transaction. An unknown or disabled address does
// nothing and is no error: the caller answers the same either way.
func (s *Store) RequestPasswordReset(ctx context.Context, email string, expires time.Time, mail func(c *survey.Consultant, token string) (*survey.OutgoingMessage, error)) error {
	email = auth.NormaliseEmail(email)
	if email == "" {
		return nil
	}
	return s.write(ctx, "request password reset", func(ctx context.Context, tx bun.Tx) error {
		var row consultantRow
		err := tx.NewSelect().Model(&row).Relation("Firm").Where("c.email = ?", email).Where("c.disabled = ?", false).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		// 256 random bits, kept as the SHA-256: the database gives nobody
		// a working link.
		token := newSecret()
		reset := passwordResetRow{TokenHash: hash(token), ConsultantID: row.ID, CreatedAt: s.timestamp(), ExpiresAt: storedTime(expires)}
		if _, err := tx.NewInsert().Model(&reset).Exec(ctx); err != nil {
			return err
		}
		return s.enqueueMade(ctx, tx, func() (*survey.OutgoingMessage, error) { return mail(row.consultant(), token) })
	})
}

// PasswordResetConsultant returns the consultant of a reset token that is
// unused and not expired at now; any other token is not found.
func (s *Store) PasswordResetConsultant(ctx context.Context, token string, now time.Time) (*survey.Consultant, error) {
	if token == "" {
		return nil, survey.Errorf(survey.CodeNotFound, "reset link not found")
	}
	var row consultantRow
	err := s.read.NewSelect().Model(&row).Relation("Firm").
		Join("JOIN password_resets AS pr ON pr.consultant_id = c.id").
		Where("pr.token_hash = ?", hash(token)).
		Where("pr.used_at IS NULL").
		Where("pr.expires_at > ?", storedTime(now)).
		Where("c.disabled = ?", false).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "reset link not found", "load reset link")
	}
	return row.consultant(), nil
}

// ResetPassword spends the token (unused, not expired at now) and sets the
// consultant's password, in one transaction: every other reset token of
// the consultant stops working, a lock-out ends, and every session ends,
// an attacker's included.
func (s *Store) ResetPassword(ctx context.Context, token, passwordHash string, now time.Time) (*survey.Consultant, error) {
	var consultantID string
	err := s.write(ctx, "reset password", func(ctx context.Context, tx bun.Tx) error {
		var reset passwordResetRow
		err := tx.NewSelect().Model(&reset).
			Join("JOIN consultants AS c ON c.id = pr.consultant_id").
			Where("pr.token_hash = ?", hash(token)).
			Where("pr.used_at IS NULL").
			Where("pr.expires_at > ?", storedTime(now)).
			Where("c.disabled = ?", false).
			Scan(ctx)
		if err != nil {
			return notFound(err, "reset link not found", "reset password")
		}
		consultantID = reset.ConsultantID
		res, err := tx.NewUpdate().Model((*passwordResetRow)(nil)).
			Set("used_at = ?", storedTime(now)).
			Where("consultant_id = ?", consultantID).
			Where("used_at IS NULL").
			Exec(ctx)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "reset link not found"); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*consultantRow)(nil)).
			Set("password_hash = ?", passwordHash).
			Set("failed_logins = 0").
			Set("locked_until = NULL").
			Where("id = ?", consultantID).
			Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*sessionRow)(nil)).Where("consultant_id = ?", consultantID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	var row consultantRow
	if err := s.read.NewSelect().Model(&row).Relation("Firm").Where("c.id = ?", consultantID).Scan(ctx); err != nil {
		return nil, notFound(err, "consultant not found", "load consultant")
	}
	return row.consultant(), nil
}

// ChangePassword sets the consultant's password and ends every other
// session: the one with keepSessionID goes on. Open reset links stop
// working too.
func (s *Store) ChangePassword(ctx context.Context, consultantID, passwordHash, keepSessionID string, now time.Time) error {
	return s.write(ctx, "change password", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*consultantRow)(nil)).Set("password_hash = ?", passwordHash).Where("id = ?", consultantID).Exec(ctx)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "consultant not found"); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*passwordResetRow)(nil)).Set("used_at = ?", storedTime(now)).
			Where("consultant_id = ?", consultantID).Where("used_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*sessionRow)(nil)).
			Where("consultant_id = ?", consultantID).
			Where("id_hash <> ?", hash(keepSessionID)).
			Exec(ctx)
		return err
	})
}
