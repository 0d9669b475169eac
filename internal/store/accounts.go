package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Consultant accounts: firms, consultants, sessions, invitations, two-factor
// state, API tokens and the audit log. Every secret is stored as its SHA-256
// (see hash) and handed to the caller only when it is made. Every function
// that reads or changes a firm's records takes the firm's id and treats a
// record of another firm as missing, so that a mistake in a handler cannot
// cross from one tenant to another.
//
// Functions whose outcome depends on the time (sessions, lock-outs,
// invitations, two-factor steps) take it from the caller, whose clock the
// tests control; creation times come from the store's clock.

type firmRow struct {
	bun.BaseModel `bun:"table:firms,alias:f"`

	ID          string    `bun:"id,pk"`
	Name        string    `bun:"name"`
	RequireTOTP bool      `bun:"require_totp"`
	CreatedAt   time.Time `bun:"created_at"`
}

func (r *firmRow) firm() *survey.Firm {
	return &survey.Firm{ID: r.ID, Name: r.Name, RequireTOTP: r.RequireTOTP, CreatedAt: r.CreatedAt.UTC()}
}

type consultantRow struct {
	bun.BaseModel `bun:"table:consultants,alias:c"`

	ID                string     `bun:"id,pk"`
	FirmID            string     `bun:"firm_id"`
	Email             string     `bun:"email"`
	PasswordHash      string     `bun:"password_hash"`
	IsAdmin           bool       `bun:"is_admin"`
	Disabled          bool       `bun:"disabled"`
	TOTPSecret        string     `bun:"totp_secret"`
	TOTPEnabled       bool       `bun:"totp_enabled"`
	TOTPPendingSecret string     `bun:"totp_pending_secret"`
	TOTPLastStep      int64      `bun:"totp_last_step"`
	FailedLogins      int        `bun:"failed_logins"`
	LockedUntil       *time.Time `bun:"locked_until"`
	CreatedAt         time.Time  `bun:"created_at"`
	LastLoginAt       *time.Time `bun:"last_login_at"`

	Firm *firmRow `bun:"rel:belongs-to,join:firm_id=id"`
}

func (r *consultantRow) consultant() *survey.Consultant {
	c := &survey.Consultant{
		ID:          r.ID,
		FirmID:      r.FirmID,
		Email:       r.Email,
		IsAdmin:     r.IsAdmin,
		Disabled:    r.Disabled,
		TOTPEnabled: r.TOTPEnabled,
		CreatedAt:   r.CreatedAt.UTC(),
		LastLoginAt: utcPtr(r.LastLoginAt),
	}
	if r.Firm != nil {
		c.FirmName = r.Firm.Name
	}
	return c
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	IDHash       string    `bun:"id_hash,pk"`
	ConsultantID string    `bun:"consultant_id"`
	Stage        string    `bun:"stage"`
	CreatedAt    time.Time `bun:"created_at"`
	LastSeenAt   time.Time `bun:"last_seen_at"`
	ExpiresAt    time.Time `bun:"expires_at"`
	Method       string    `bun:"method"`

	Consultant *consultantRow `bun:"rel:belongs-to,join:consultant_id=id"`
}

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations,alias:i"`

	ID        string    `bun:"id,pk"`
	TokenHash string    `bun:"token_hash"`
	FirmID    string    `bun:"firm_id"`
	Email     string    `bun:"email"`
	IsAdmin   bool      `bun:"is_admin"`
	InvitedBy *string   `bun:"invited_by"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`

	Firm *firmRow `bun:"rel:belongs-to,join:firm_id=id"`
}

func (r *invitationRow) invitation() *auth.Invitation {
	inv := &auth.Invitation{
		ID: r.ID, FirmID: r.FirmID, Email: r.Email, IsAdmin: r.IsAdmin,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
	}
	if r.InvitedBy != nil {
		inv.InvitedBy = *r.InvitedBy
	}
	if r.Firm != nil {
		inv.FirmName = r.Firm.Name
	}
	return inv
}

type recoveryCodeRow struct {
	bun.BaseModel `bun:"table:recovery_codes,alias:rc"`

	CodeHash     string `bun:"code_hash,pk"`
	ConsultantID string `bun:"consultant_id"`
}

type apiTokenRow struct {
	bun.BaseModel `bun:"table:api_tokens,alias:t"`

	ID           string     `bun:"id,pk"`
	ConsultantID string     `bun:"consultant_id"`
	Name         string     `bun:"name"`
	TokenHash    string     `bun:"token_hash"`
	CreatedAt    time.Time  `bun:"created_at"`
	LastUsedAt   *time.Time `bun:"last_used_at"`

	Consultant *consultantRow `bun:"rel:belongs-to,join:consultant_id=id"`
}

func (r *apiTokenRow) token() *auth.APIToken {
	return &auth.APIToken{ID: r.ID, ConsultantID: r.ConsultantID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt)}
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log,alias:a"`

	Seq          int64     `bun:"seq,pk"`
	FirmID       string    `bun:"firm_id"`
	ConsultantID *string   `bun:"consultant_id"`
	Email        string    `bun:"email"`
	Action       string    `bun:"action"`
	TargetType   string    `bun:"target_type"`
	TargetID     string    `bun:"target_id"`
	Detail       string    `bun:"detail"`
	At           time.Time `bun:"at"`
}

// apiTokenPrefix marks the service's API tokens, so that secret scanners
// and people recognise one that leaked.
const apiTokenPrefix = "uk_"

// notFound turns "no rows" into a coded not-found error with message, and
// anything else into dbError.
func notFound(err error, message, op string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Errorf(survey.CodeNotFound, "%s", message)
	}
	return dbError(err, op)
}

// mustAffect returns a not-found error when res changed no row.
func mustAffect(res sql.Result, message string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return survey.Errorf(survey.CodeNotFound, "%s", message)
	}
	return nil
}

// --- Firms ---

// CreateFirm stores f, filling in its ID and CreatedAt. Names are unique.
func (s *Store) CreateFirm(ctx context.Context, f *survey.Firm) error {
	name := strings.TrimSpace(f.Name)
	if name == "" {
		return survey.Errorf(survey.CodeInvalid, "a firm needs a name")
	}
	row := firmRow{ID: newID(), Name: name, RequireTOTP: f.RequireTOTP, CreatedAt: s.timestamp()}
	err := s.write(ctx, "create firm", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		if isUniqueViolation(err) {
			return survey.Errorf(survey.CodeConflict, "a firm named %q exists already", name)
		}
		return err
	})
	if err != nil {
		return err
	}
	f.ID, f.Name, f.CreatedAt = row.ID, row.Name, row.CreatedAt
	return nil
}

// FirmByName returns the firm with exactly this name (surrounding spaces
// aside).
func (s *Store) FirmByName(ctx context.Context, name string) (*survey.Firm, error) {
	var row firmRow
	err := s.read.NewSelect().Model(&row).Where("f.name = ?", strings.TrimSpace(name)).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "firm not found", "load firm")
	}
	return row.firm(), nil
}

// FirmByID returns the firm with the given id.
func (s *Store) FirmByID(ctx context.Context, id string) (*survey.Firm, error) {
	var row firmRow
	err := s.read.NewSelect().Model(&row).Where("f.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "firm not found", "load firm")
	}
	return row.firm(), nil
}

// SetFirmRequireTOTP makes two-factor sign-in compulsory (or optional) for
// every consultant of the firm.
func (s *Store) SetFirmRequireTOTP(ctx context.Context, firmID string, require bool) error {
	return s.write(ctx, "set firm policy", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*firmRow)(nil)).Set("require_totp = ?", require).Where("id = ?", firmID).Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "firm not found")
	})
}

// --- Consultants ---

// CreateConsultant stores c in its firm with the given argon2id hash,
// filling in ID, FirmName, CreatedAt and the normalised Email. An address
// has one account in the whole service: it is what a consultant signs in
// with.
func (s *Store) CreateConsultant(ctx context.Context, c *survey.Consultant, passwordHash string) error {
	var row consultantRow
	err := s.write(ctx, "create consultant", func(ctx context.Context, tx bun.Tx) error {
		var err error
		row, err = s.insertConsultant(ctx, tx, c.FirmID, c.Email, c.IsAdmin, passwordHash)
		return err
	})
	if err != nil {
		return err
	}
	*c = *row.consultant()
	return nil
}

// insertConsultant inserts a consultant and returns the row with its firm.
func (s *Store) insertConsultant(ctx context.Context, tx bun.Tx, firmID, email string, admin bool, passwordHash string) (consultantRow, error) {
	email = auth.NormaliseEmail(email)
	if email == "" || passwordHash == "" {
		return consultantRow{}, survey.Errorf(survey.CodeInvalid, "a consultant needs an e-mail address and a password")
	}
	var firm firmRow
	if err := tx.NewSelect().Model(&firm).Where("f.id = ?", firmID).Scan(ctx); err != nil {
		return consultantRow{}, notFound(err, "firm not found", "create consultant")
	}
	row := consultantRow{
		ID: newID(), FirmID: firmID, Email: email, PasswordHash: passwordHash,
		IsAdmin: admin, CreatedAt: s.timestamp(), Firm: &firm,
	}
	_, err := tx.NewInsert().Model(&row).Exec(ctx)
	if isUniqueViolation(err) {
		return consultantRow{}, survey.Errorf(survey.CodeConflict, "an account with this e-mail address exists already")
	}
	return row, err
}

// ConsultantByID returns the consultant of the firm with the given id; a
// consultant of another firm is not found.
func (s *Store) ConsultantByID(ctx context.Context, firmID, id string) (*survey.Consultant, error) {
	var row consultantRow
	err := s.read.NewSelect().Model(&row).Relation("Firm").
		Where("c.id = ?", id).Where("c.firm_id = ?", firmID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "consultant not found", "load consultant")
	}
	return row.consultant(), nil
}

// ConsultantByEmail returns the consultant with the address, however its
// case is typed.
func (s *Store) ConsultantByEmail(ctx context.Context, email string) (*survey.Consultant, error) {
	var row consultantRow
	err := s.read.NewSelect().Model(&row).Relation("Firm").
		Where("c.email = ?", auth.NormaliseEmail(email)).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "consultant not found", "load consultant")
	}
	return row.consultant(), nil
}

// ListConsultants returns the consultants of the firm by e-mail address.
func (s *Store) ListConsultants(ctx context.Context, firmID string) ([]survey.Consultant, error) {
	var rows []consultantRow
	err := s.read.NewSelect().Model(&rows).Relation("Firm").
		Where("c.firm_id = ?", firmID).OrderExpr("c.email").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list consultants")
	}
	out := make([]survey.Consultant, len(rows))
	for i := range rows {
		out[i] = *rows[i].consultant()
	}
	return out, nil
}

// SetConsultantDisabled disables or enables a consultant of the firm.
// Disabling ends the consultant's sessions and deletes their API tokens in
// the same transaction, so no request is served for them after it returns.
func (s *Store) SetConsultantDisabled(ctx context.Context, firmID, id string, disabled bool) error {
	return s.write(ctx, "disable consultant", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*consultantRow)(nil)).Set("disabled = ?", disabled).
			Where("id = ?", id).Where("firm_id = ?", firmID).Exec(ctx)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "consultant not found"); err != nil || !disabled {
			return err
		}
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("consultant_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*apiTokenRow)(nil)).Where("consultant_id = ?", id).Exec(ctx)
		return err
	})
}

// Credentials returns the secrets and sign-in state of a consultant.
func (s *Store) Credentials(ctx context.Context, consultantID string) (*auth.Credentials, error) {
	key, err := s.secretKey()
	if err != nil {
		return nil, err
	}
	var row consultantRow
	err = s.read.NewSelect().Model(&row).Where("c.id = ?", consultantID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "consultant not found", "load credentials")
	}
	totpSecret, err := openTOTP(key, row.TOTPSecret, totpSecretAD(row.ID))
	if err != nil {
		return nil, err
	}
	pending, err := openTOTP(key, row.TOTPPendingSecret, totpPendingAD(row.ID))
	if err != nil {
		return nil, err
	}
	return &auth.Credentials{
		ConsultantID:      row.ID,
		PasswordHash:      row.PasswordHash,
		TOTPSecret:        totpSecret,
		TOTPPendingSecret: pending,
		TOTPLastStep:      row.TOTPLastStep,
		FailedLogins:      row.FailedLogins,
		LockedUntil:       utcPtr(row.LockedUntil),
	}, nil
}

// SetPasswordHash replaces a consultant's password hash, after a change of
// password or of the hashing parameters.
func (s *Store) SetPasswordHash(ctx context.Context, consultantID, passwordHash string) error {
	if passwordHash == "" {
		return survey.Errorf(survey.CodeInvalid, "empty password hash")
	}
	return s.updateConsultant(ctx, "set password", consultantID, map[string]any{"password_hash": passwordHash})
}

// updateConsultant sets columns of one consultant.
func (s *Store) updateConsultant(ctx context.Context, op, consultantID string, set map[string]any) error {
	return s.write(ctx, op, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*consultantRow)(nil)).Where("id = ?", consultantID)
		for col, v := range set {
			q = q.Set("? = ?", bun.Ident(col), v)
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "consultant not found")
	})
}

// RecordLoginFailure counts a wrong password or code. The failure that
// reaches auth.MaxFailedLogins locks the account until now+auth.Lockout and
// starts the count again; it reports whether it locked. The count is
// increased in the database, so concurrent guesses on several instances are
// all counted.
func (s *Store) RecordLoginFailure(ctx context.Context, consultantID string, now time.Time) (locked bool, err error) {
	err = s.write(ctx, "record login failure", func(ctx context.Context, tx bun.Tx) error {
		locked = false
		var n int
		err := tx.QueryRowContext(ctx, "UPDATE consultants SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", consultantID).Scan(&n)
		if err != nil {
			return notFound(err, "consultant not found", "record login failure")
		}
		if n < auth.MaxFailedLogins {
			return nil
		}
		until := now.Add(auth.Lockout).UTC().Truncate(time.Microsecond)
		_, err = tx.NewUpdate().Model((*consultantRow)(nil)).
			Set("failed_logins = 0").Set("locked_until = ?", until).
			Where("id = ?", consultantID).Exec(ctx)
		locked = err == nil
		return err
	})
	return locked, err
}

// RecordLoginSuccess clears the failure count and any lock, and records
// the time of the sign-in.
func (s *Store) RecordLoginSuccess(ctx context.Context, consultantID string, now time.Time) error {
	return s.updateConsultant(ctx, "record login", consultantID, map[string]any{
		"failed_logins": 0, "locked_until": nil, "last_login_at": now.UTC().Truncate(time.Microsecond),
	})
}

// --- Two-factor sign-in ---

// SetPendingTOTP keeps a new secret until the consultant confirms it with a
// code; two-factor sign-in stays as it was until then.
func (s *Store) SetPendingTOTP(ctx context.Context, consultantID, secret string) error {
	key, err := s.secretKey()
	if err != nil {
		return err
	}
	return s.updateConsultant(ctx, "set up two-factor sign-in", consultantID, map[string]any{"totp_pending_secret": key.Seal(secret, totpPendingAD(consultantID))})
}

// EnableTOTP turns two-factor sign-in on with the pending secret, which must
// still be secret (a second set-up in another tab replaces it: then this
// fails with CodeConflict). step is the step of the confirming code, which
// can therefore not be used to sign in. recoveryCodes replace any earlier
// ones.
func (s *Store) EnableTOTP(ctx context.Context, consultantID, secret string, step int64, recoveryCodes []string) error {
	if secret == "" {
		return survey.Errorf(survey.CodeInvalid, "empty two-factor secret")
	}
	key, err := s.secretKey()
	if err != nil {
		return err
	}
	errReplaced := survey.Errorf(survey.CodeConflict, "the two-factor set-up was replaced or finished elsewhere")
	return s.write(ctx, "enable two-factor sign-in", func(ctx context.Context, tx bun.Tx) error {
		// A sealed value differs at every seal, so the pending secret is
		// compared after opening it, and the update is conditional on the
		// very sealed value read: a set-up replaced in between changes it.
		var sealed string
		err := tx.NewSelect().Model((*consultantRow)(nil)).Column("totp_pending_secret").Where("id = ?", consultantID).Scan(ctx, &sealed)
		if err != nil {
			return notFound(err, "consultant not found", "enable two-factor sign-in")
		}
		pending, err := openTOTP(key, sealed, totpPendingAD(consultantID))
		if err != nil {
			return err
		}
		if pending != secret {
			return errReplaced
		}
		res, err := tx.NewUpdate().Model((*consultantRow)(nil)).
			Set("totp_secret = ?", key.Seal(secret, totpSecretAD(consultantID))).Set("totp_enabled = ?", true).
			Set("totp_pending_secret = ''").Set("totp_last_step = ?", step).
			Where("id = ?", consultantID).Where("totp_pending_secret = ?", sealed).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return survey.Errorf(survey.CodeConflict, "the two-factor set-up was replaced or finished elsewhere")
		}
		return replaceRecoveryCodes(ctx, tx, consultantID, recoveryCodes)
	})
}

// DisableTOTP turns two-factor sign-in off and deletes the recovery codes.
func (s *Store) DisableTOTP(ctx context.Context, consultantID string) error {
	return s.write(ctx, "disable two-factor sign-in", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*consultantRow)(nil)).
			Set("totp_secret = ''").Set("totp_enabled = ?", false).Set("totp_pending_secret = ''").
			Where("id = ?", consultantID).Exec(ctx)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "consultant not found"); err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, tx, consultantID, nil)
	})
}

// UseTOTPStep records that the code of step was used. It fails with
// CodeConflict when that step or a later one was used already: checking and
// recording in one statement keeps two requests (on two instances, say)
// from both accepting one code.
func (s *Store) UseTOTPStep(ctx context.Context, consultantID string, step int64) error {
	return s.write(ctx, "use two-factor code", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*consultantRow)(nil)).Set("totp_last_step = ?", step).
			Where("id = ?", consultantID).Where("totp_last_step < ?", step).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return survey.Errorf(survey.CodeConflict, "this code was used already")
		}
		return nil
	})
}

// ReplaceRecoveryCodes replaces a consultant's recovery codes.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, consultantID string, codes []string) error {
	return s.write(ctx, "replace recovery codes", func(ctx context.Context, tx bun.Tx) error {
		return replaceRecoveryCodes(ctx, tx, consultantID, codes)
	})
}

func replaceRecoveryCodes(ctx context.Context, tx bun.Tx, consultantID string, codes []string) error {
	if _, err := tx.NewDelete().Model((*recoveryCodeRow)(nil)).Where("consultant_id = ?", consultantID).Exec(ctx); err != nil {
		return err
	}
	if len(codes) == 0 {
		return nil
	}
	rows := make([]recoveryCodeRow, len(codes))
	for i, c := range codes {
		rows[i] = recoveryCodeRow{CodeHash: hash(auth.NormaliseRecoveryCode(c)), ConsultantID: consultantID}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// UseRecoveryCode consumes one of the consultant's recovery codes; a code
// that is wrong, of someone else or used before is not found.
func (s *Store) UseRecoveryCode(ctx context.Context, consultantID, code string) error {
	return s.write(ctx, "use recovery code", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*recoveryCodeRow)(nil)).
			Where("code_hash = ?", hash(auth.NormaliseRecoveryCode(code))).
			Where("consultant_id = ?", consultantID).Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "recovery code not found")
	})
}

// CountRecoveryCodes returns how many unused recovery codes a consultant has.
func (s *Store) CountRecoveryCodes(ctx context.Context, consultantID string) (int, error) {
	n, err := s.read.NewSelect().Model((*recoveryCodeRow)(nil)).Where("consultant_id = ?", consultantID).Count(ctx)
	return int(n), dbError(err, "count recovery codes")
}

// --- Sessions ---

// CreateSession stores a new session and returns its id, which only the
// consultant's cookie will hold.
func (s *Store) CreateSession(ctx context.Context, sess auth.Session) (string, error) {
	return s.RotateSession(ctx, "", sess)
}

// RotateSession replaces the session oldID (if any) by a new one in one
// transaction and returns the new id: a session id known before sign-in
// (planted by an attacker, say) is worth nothing after it.
func (s *Store) RotateSession(ctx context.Context, oldID string, sess auth.Session) (string, error) {
	id := newSecret()
	created := sess.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	lastSeen := sess.LastSeenAt
	if lastSeen.IsZero() {
		lastSeen = created
	}
	method := sess.Method
	if method == "" {
		method = auth.MethodPassword
	}
	row := sessionRow{
		IDHash: hash(id), ConsultantID: sess.ConsultantID, Stage: string(sess.Stage),
		CreatedAt: storedTime(created), LastSeenAt: storedTime(lastSeen), ExpiresAt: storedTime(sess.ExpiresAt),
		Method: string(method),
	}
	err := s.write(ctx, "create session", func(ctx context.Context, tx bun.Tx) error {
		if oldID != "" {
			if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("id_hash = ?", hash(oldID)).Exec(ctx); err != nil {
				return err
			}
		}
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "consultant not found")
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// SessionConsultant returns the session with the given id and its
// consultant, in one query: every signed-in request asks for it. Expiry is
// the caller's to check (auth.Session.Valid).
func (s *Store) SessionConsultant(ctx context.Context, id string) (*auth.Session, *survey.Consultant, error) {
	if id == "" {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "session not found")
	}
	var row sessionRow
	err := s.read.NewSelect().Model(&row).Relation("Consultant").Relation("Consultant.Firm").
		Where("s.id_hash = ?", hash(id)).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err, "session not found", "load session")
	}
	if row.Consultant == nil {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "session not found")
	}
	sess := &auth.Session{
		ConsultantID: row.ConsultantID, Stage: auth.Stage(row.Stage),
		CreatedAt: row.CreatedAt.UTC(), LastSeenAt: row.LastSeenAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(),
		Method: auth.Method(row.Method),
	}
	if f := row.Consultant.Firm; f != nil {
		sess.FirmRequiresTOTP = f.RequireTOTP
	}
	return sess, row.Consultant.consultant(), nil
}

// TouchSession records that the session was used at now.
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "touch session", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", storedTime(now)).
			Where("id_hash = ?", hash(id)).Exec(ctx)
		return err
	})
}

// DeleteSession ends a session; ending one that does not exist is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.write(ctx, "delete session", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("id_hash = ?", hash(id)).Exec(ctx)
		return err
	})
}

// DeleteExpiredSessions deletes the sessions that ended or idled out by
// now and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "delete expired sessions", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*sessionRow)(nil)).
			Where("expires_at <= ?", storedTime(now)).
			WhereOr("last_seen_at <= ?", storedTime(now.Add(-auth.SessionIdle))).Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// --- Invitations ---

// CreateInvitation stores an invitation to inv.Email for inv.FirmID, which
// works until inv.ExpiresAt, and returns its token. An earlier invitation of
// the firm to the same address stops working. An address with an account
// in the same firm gives CodeConflict; one with an account in another firm
// is invited all the same, and AcceptInvitation refuses it: refusing here
// would tell one firm who works for another.
func (s *Store) CreateInvitation(ctx context.Context, inv *auth.Invitation) (string, error) {
	return s.createInvitation(ctx, inv, nil)
}

// createInvitation is CreateInvitation; mail, when set, makes the
// invitation's message from its token, queued in the same transaction.
func (s *Store) createInvitation(ctx context.Context, inv *auth.Invitation, mail func(token string) (*survey.OutgoingMessage, error)) (string, error) {
	email := auth.NormaliseEmail(inv.Email)
	if email == "" || inv.ExpiresAt.IsZero() {
		return "", survey.Errorf(survey.CodeInvalid, "an invitation needs an address and an expiry")
	}
	token := newSecret()
	row := invitationRow{
		ID: newID(), TokenHash: hash(token), FirmID: inv.FirmID, Email: email, IsAdmin: inv.IsAdmin,
		CreatedAt: s.timestamp(), ExpiresAt: storedTime(inv.ExpiresAt),
	}
	if inv.InvitedBy != "" {
		row.InvitedBy = &inv.InvitedBy
	}
	err := s.write(ctx, "create invitation", func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().Model((*consultantRow)(nil)).Where("email = ?", email).Where("firm_id = ?", inv.FirmID).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return survey.Errorf(survey.CodeConflict, "this address has an account in the firm already")
		}
		if _, err := tx.NewDelete().Model((*invitationRow)(nil)).Where("firm_id = ?", inv.FirmID).Where("email = ?", email).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewInsert().Model(&row).Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "firm not found")
		}
		if err != nil || mail == nil {
			return err
		}
		return s.enqueueMade(ctx, tx, func() (*survey.OutgoingMessage, error) { return mail(token) })
	})
	if err != nil {
		return "", err
	}
	inv.ID, inv.Email, inv.CreatedAt, inv.ExpiresAt = row.ID, row.Email, row.CreatedAt, row.ExpiresAt
	return token, nil
}

// InvitationByToken returns the invitation with the token, its FirmName
// filled in. Whether it expired is the caller's to check.
func (s *Store) InvitationByToken(ctx context.Context, token string) (*auth.Invitation, error) {
	var row invitationRow
	err := s.read.NewSelect().Model(&row).Relation("Firm").Where("i.token_hash = ?", hash(token)).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "invitation not found", "load invitation")
	}
	return row.invitation(), nil
}

// AcceptInvitation creates the invited account with the given password hash
// and deletes every invitation to its address, in one transaction: a link
// works once. An unknown or (at now) expired token is not found; an address
// that got an account meanwhile gives CodeConflict.
func (s *Store) AcceptInvitation(ctx context.Context, token, passwordHash string, now time.Time) (*survey.Consultant, error) {
	var created consultantRow
	err := s.write(ctx, "accept invitation", func(ctx context.Context, tx bun.Tx) error {
		var inv invitationRow
		if err := tx.NewSelect().Model(&inv).Where("i.token_hash = ?", hash(token)).Scan(ctx); err != nil {
			return notFound(err, "invitation not found", "accept invitation")
		}
		if inv.invitation().Expired(now) {
			return survey.Errorf(survey.CodeNotFound, "invitation not found")
		}
		var err error
		if created, err = s.insertConsultant(ctx, tx, inv.FirmID, inv.Email, inv.IsAdmin, passwordHash); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*invitationRow)(nil)).Where("email = ?", inv.Email).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return created.consultant(), nil
}

// ListInvitations returns the firm's open invitations, newest first,
// expired ones included (the caller shows them as such).
func (s *Store) ListInvitations(ctx context.Context, firmID string) ([]auth.Invitation, error) {
	var rows []invitationRow
	err := s.read.NewSelect().Model(&rows).Relation("Firm").Where("i.firm_id = ?", firmID).
		OrderExpr("i.created_at DESC").OrderExpr("i.email").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list invitations")
	}
	out := make([]auth.Invitation, len(rows))
	for i := range rows {
		out[i] = *rows[i].invitation()
	}
	return out, nil
}

// DeleteInvitation withdraws an invitation of the firm.
func (s *Store) DeleteInvitation(ctx context.Context, firmID, id string) error {
	return s.write(ctx, "delete invitation", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*invitationRow)(nil)).Where("id = ?", id).Where("firm_id = ?", firmID).Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "invitation not found")
	})
}

// --- API tokens ---

// CreateAPIToken makes a token for the consultant and returns its record
// and the token itself, which is not stored and cannot be shown again.
func (s *Store) CreateAPIToken(ctx context.Context, consultantID, name string) (*auth.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", survey.Errorf(survey.CodeInvalid, "a token needs a name")
	}
	token := apiTokenPrefix + newSecret()
	row := apiTokenRow{ID: newID(), ConsultantID: consultantID, Name: name, TokenHash: hash(token), CreatedAt: s.timestamp()}
	err := s.write(ctx, "create API token", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "consultant not found")
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return row.token(), token, nil
}

// ListAPITokens returns the consultant's tokens, newest first.
func (s *Store) ListAPITokens(ctx context.Context, consultantID string) ([]auth.APIToken, error) {
	var rows []apiTokenRow
	err := s.read.NewSelect().Model(&rows).Where("t.consultant_id = ?", consultantID).
		OrderExpr("t.created_at DESC").OrderExpr("t.name").Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list API tokens")
	}
	out := make([]auth.APIToken, len(rows))
	for i := range rows {
		out[i] = *rows[i].token()
	}
	return out, nil
}

// RevokeAPIToken deletes one of the consultant's tokens; a token of anyone
// else is not found.
func (s *Store) RevokeAPIToken(ctx context.Context, consultantID, id string) error {
	return s.write(ctx, "revoke API token", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*apiTokenRow)(nil)).Where("id = ?", id).Where("consultant_id = ?", consultantID).Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "API token not found")
	})
}

// ConsultantByAPIToken returns the token's record and its consultant. The
// token of a disabled consultant is not found.
func (s *Store) ConsultantByAPIToken(ctx context.Context, token string) (*survey.Consultant, *auth.APIToken, error) {
	if !strings.HasPrefix(token, apiTokenPrefix) {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "API token not found")
	}
	var row apiTokenRow
	err := s.read.NewSelect().Model(&row).Relation("Consultant").Relation("Consultant.Firm").
		Where("t.token_hash = ?", hash(token)).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err, "API token not found", "load API token")
	}
	if row.Consultant == nil || row.Consultant.Disabled {
		return nil, nil, survey.Errorf(survey.CodeNotFound, "API token not found")
	}
	return row.Consultant.consultant(), row.token(), nil
}

// TouchAPIToken records that the token was used at now.
func (s *Store) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "touch API token", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*apiTokenRow)(nil)).Set("last_used_at = ?", storedTime(now)).Where("id = ?", id).Exec(ctx)
		return err
	})
}

// --- Audit log ---

// AddAudit appends e to its firm's audit log, filling in ID (a number that
// orders the log) and, when zero, At.
func (s *Store) AddAudit(ctx context.Context, e *survey.AuditEntry) error {
	if e.FirmID == "" || e.Action == "" {
		return survey.Errorf(survey.CodeInvalid, "an audit entry needs a firm and an action")
	}
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	at = storedTime(at)
	var consultantID *string
	if e.ConsultantID != "" {
		consultantID = &e.ConsultantID
	}
	var seq int64
	err := s.write(ctx, "add audit entry", func(ctx context.Context, tx bun.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO audit_log (firm_id, consultant_id, email, action, target_type, target_id, detail, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			e.FirmID, consultantID, e.Email, e.Action, e.TargetType, e.TargetID, e.Detail, at).Scan(&seq)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "firm or consultant not found")
		}
		return err
	})
	if err != nil {
		return err
	}
	e.ID, e.At = strconv.FormatInt(seq, 10), at
	return nil
}

// ListAudit returns up to limit entries of the firm's log, newest first,
// skipping the newest offset.
func (s *Store) ListAudit(ctx context.Context, firmID string, limit, offset int) ([]survey.AuditEntry, error) {
	if limit <= 0 || offset < 0 {
		return nil, survey.Errorf(survey.CodeInvalid, "invalid page of the audit log")
	}
	var rows []auditRow
	err := s.read.NewSelect().Model(&rows).Where("a.firm_id = ?", firmID).
		OrderExpr("a.seq DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list audit log")
	}
	out := make([]survey.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = survey.AuditEntry{
			ID: strconv.FormatInt(r.Seq, 10), FirmID: r.FirmID, Email: r.Email, Action: r.Action,
			TargetType: r.TargetType, TargetID: r.TargetID, Detail: r.Detail, At: r.At.UTC(),
		}
		if r.ConsultantID != nil {
			out[i].ConsultantID = *r.ConsultantID
		}
	}
	return out, nil
}

// storedTime returns t as the store keeps times: UTC, whole microseconds.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
