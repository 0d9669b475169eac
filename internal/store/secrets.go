package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

type secretKeyCheckRow struct {
	bun.BaseModel `bun:"table:secret_key_check,alias:skc"`

	ID         int    `bun:"id,pk"`
	CheckValue string `bun:"check_value"`
}

// errWrongSecretKey names the setting, because the operator who sees it at
// start-up has to find the right key, not debug the database.
func errWrongSecretKey() error {
	return survey.Errorf(survey.CodeInvalid, "UK_SECRET_KEY does not match the key this database's secrets were encrypted with: start with the key in use before (see docs/operations.md, \"Secret key\"), or restore it from where it was kept")
}

// The associated data of a sealed column value: a sealed secret copied to
// another consultant or column does not open.
func totpSecretAD(consultantID string) string { return "consultants/" + consultantID + "/totp_secret" }
func totpPendingAD(consultantID string) string {
	return "consultants/" + consultantID + "/totp_pending_secret"
}

// SecretKeyRecorded reports whether the database holds the check value of
// a secret key, that is whether its secrets are encrypted under some key.
func (s *Store) SecretKeyRecorded(ctx context.Context) (bool, error) {
	n, err := s.db.NewSelect().Model((*secretKeyCheckRow)(nil)).Count(ctx)
	if err != nil {
		return false, dbError(err, "read the secret key check")
	}
	return n > 0, nil
}

// UseSecretKey makes key the key of the store's secrets, as start-up must
// before serving. It fails, naming UK_SECRET_KEY, when the database's
// secrets were encrypted under another key. On the first use it records
// the key's check value and encrypts the TOTP secrets stored in plain text
// before version 0012 and the respondents' sealing keys stored in plain
// text before version 0019, in one transaction: a crash leaves all of them plain
// and no check value, and the next start does it again. It returns how
// many secrets it encrypted.
func (s *Store) UseSecretKey(ctx context.Context, key *secret.Key) (encrypted int, err error) {
	if key == nil {
		return 0, survey.Errorf(survey.CodeInvalid, "no secret key")
	}
	sealedKeys := 0
	err = s.write(ctx, "use the secret key", func(ctx context.Context, tx bun.Tx) error {
		encrypted = 0
		// Instances starting together race to record the value; the loser
		// inserts nothing and is checked against the winner's key below.
		if _, err := tx.NewInsert().Model(&secretKeyCheckRow{ID: 1, CheckValue: key.CheckValue()}).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		var row secretKeyCheckRow
		if err := tx.NewSelect().Model(&row).Where("id = 1").Scan(ctx); err != nil {
			return err
		}
		if !key.Matches(row.CheckValue) {
			return errWrongSecretKey()
		}
		// The respondents' sealing keys, plain before version 0019.
		n, err := sealPlainSealingKeys(ctx, tx, key)
		if err != nil {
			return err
		}
		sealedKeys = n
		rows, err := consultantsWithTOTP(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			plainSecret := r.TOTPSecret != "" && !secret.IsSealed(r.TOTPSecret)
			plainPending := r.TOTPPendingSecret != "" && !secret.IsSealed(r.TOTPPendingSecret)
			if !plainSecret && !plainPending {
				continue
			}
			q := tx.NewUpdate().Model((*consultantRow)(nil)).Where("id = ?", r.ID)
			if plainSecret {
				q = q.Set("totp_secret = ?", key.Seal(r.TOTPSecret, totpSecretAD(r.ID)))
				encrypted++
			}
			if plainPending {
				q = q.Set("totp_pending_secret = ?", key.Seal(r.TOTPPendingSecret, totpPendingAD(r.ID)))
				encrypted++
			}
			if _, err := q.Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.secrets.Store(key)
	if encrypted > 0 {
		s.log.Info("encrypted the two-factor secrets stored in plain text", "count", encrypted)
	}
	if sealedKeys > 0 {
		if err := s.vacuumSealingKeys(ctx); err != nil {
			return encrypted, err
		}
		s.log.Info("encrypted the respondents' sealing keys stored in plain text", "count", sealedKeys)
	}
	return encrypted, nil
}

// RotateSecretKey re-encrypts every secret (the TOTP secrets, the
// respondents' sealing keys and the firms' single sign-on client secrets)
// from oldKey to newKey and records newKey's check value, in one
// transaction. It fails, naming UK_SECRET_KEY, when oldKey is not the
// database's key. Instances still running with oldKey fail two-factor
// sign-ins until restarted with newKey.
// It returns how many consultants' two-factor secrets it re-encrypted
// (SSOProviderCount tells how many client secrets there are).
func (s *Store) RotateSecretKey(ctx context.Context, oldKey, newKey *secret.Key) (rotated int, err error) {
	if oldKey == nil || newKey == nil {
		return 0, survey.Errorf(survey.CodeInvalid, "no secret key")
	}
	err = s.write(ctx, "rotate the secret key", func(ctx context.Context, tx bun.Tx) error {
		rotated = 0
		var check secretKeyCheckRow
		if err := tx.NewSelect().Model(&check).Where("id = 1").Scan(ctx); err != nil {
			return notFound(err, "this database has no secret key yet: start the service once with UK_SECRET_KEY", "read the secret key check")
		}
		if !oldKey.Matches(check.CheckValue) {
			return errWrongSecretKey()
		}
		rows, err := consultantsWithTOTP(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			plainSecret, err := oldKey.Open(r.TOTPSecret, totpSecretAD(r.ID))
			if err != nil {
				return survey.Errorf(survey.CodeInternal, "the two-factor secret of consultant %s does not open with the old UK_SECRET_KEY; nothing was changed", r.ID)
			}
			plainPending, err := oldKey.Open(r.TOTPPendingSecret, totpPendingAD(r.ID))
			if err != nil {
				return survey.Errorf(survey.CodeInternal, "the pending two-factor secret of consultant %s does not open with the old UK_SECRET_KEY; nothing was changed", r.ID)
			}
			_, err = tx.NewUpdate().Model((*consultantRow)(nil)).Where("id = ?", r.ID).
				Set("totp_secret = ?", newKey.Seal(plainSecret, totpSecretAD(r.ID))).
				Set("totp_pending_secret = ?", newKey.Seal(plainPending, totpPendingAD(r.ID))).
				Exec(ctx)
			if err != nil {
				return err
			}
			rotated++
		}
		if err := resealSealingKeys(ctx, tx, oldKey, newKey); err != nil {
			return err
		}
		if err := rotateSSOSecrets(ctx, tx, oldKey, newKey); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model((*secretKeyCheckRow)(nil)).Set("check_value = ?", newKey.CheckValue()).Where("id = 1").Exec(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.secrets.Store(newKey)
	return rotated, nil
}

// secretKey returns the key UseSecretKey set.
func (s *Store) secretKey() (*secret.Key, error) {
	k := s.secrets.Load()
	if k == nil {
		return nil, survey.Errorf(survey.CodeInternal, "no secret key: the store was opened without UseSecretKey")
	}
	return k, nil
}

// openTOTP decrypts a stored TOTP secret.
func openTOTP(key *secret.Key, sealed, ad string) (string, error) {
	plain, err := key.Open(sealed, ad)
	if err != nil {
		return "", survey.Errorf(survey.CodeInternal, "a two-factor secret does not open with UK_SECRET_KEY (%s)", ad)
	}
	return plain, nil
}

// consultantsWithTOTP returns the id and both two-factor secrets of every
// consultant who has one, active or pending.
func consultantsWithTOTP(ctx context.Context, tx bun.Tx) ([]consultantRow, error) {
	var rows []consultantRow
	err := tx.NewSelect().Model(&rows).Column("id", "totp_secret", "totp_pending_secret").
		Where("totp_secret <> '' OR totp_pending_secret <> ''").Scan(ctx)
	return rows, err
}
