package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Single sign-on: a firm's OpenID Connect provider, the e-mail domains that
// lead to it, and the sign-ins on their way through it (migration 0017).

type ssoProviderRow struct {
	bun.BaseModel `bun:"table:sso_providers,alias:sp"`

	FirmID          string    `bun:"firm_id,pk"`
	DisplayName     string    `bun:"display_name"`
	IssuerURL       string    `bun:"issuer_url"`
	ClientID        string    `bun:"client_id"`
	ClientSecret    string    `bun:"client_secret"`
	PasswordAllowed bool      `bun:"password_allowed"`
	JITAllowed      bool      `bun:"jit_allowed"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

type ssoDomainRow struct {
	bun.BaseModel `bun:"table:sso_domains,alias:sd"`

	Domain string `bun:"domain,pk"`
	FirmID string `bun:"firm_id"`
}

type ssoLoginRow struct {
	bun.BaseModel `bun:"table:sso_logins,alias:sl"`

	StateHash string    `bun:"state_hash,pk"`
	FirmID    string    `bun:"firm_id"`
	Nonce     string    `bun:"nonce"`
	NextPath  string    `bun:"next_path"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// ssoSecretAD binds a sealed client secret to its firm's row: copied to
// another firm's row it does not open.
func ssoSecretAD(firmID string) string { return "sso_providers/" + firmID + "/client_secret" }

// SSOProvider returns the firm's provider with its client secret opened;
// a firm without one gives CodeNotFound.
func (s *Store) SSOProvider(ctx context.Context, firmID string) (*survey.SSOProvider, error) {
	var row ssoProviderRow
	if err := s.read.NewSelect().Model(&row).Where("sp.firm_id = ?", firmID).Scan(ctx); err != nil {
		return nil, notFound(err, "no single sign-on provider", "load single sign-on provider")
	}
	return s.ssoProvider(ctx, &row)
}

// SSOProviderByDomain returns the provider of the firm that claimed the
// e-mail domain (lower case), or CodeNotFound.
func (s *Store) SSOProviderByDomain(ctx context.Context, domain string) (*survey.SSOProvider, error) {
	var d ssoDomainRow
	err := s.read.NewSelect().Model(&d).Where("sd.domain = ?", strings.ToLower(strings.TrimSpace(domain))).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "no single sign-on provider for this domain", "find single sign-on provider")
	}
	return s.SSOProvider(ctx, d.FirmID)
}

func (s *Store) ssoProvider(ctx context.Context, row *ssoProviderRow) (*survey.SSOProvider, error) {
	key, err := s.secretKey()
	if err != nil {
		return nil, err
	}
	plain, err := key.Open(row.ClientSecret, ssoSecretAD(row.FirmID))
	if err != nil {
		return nil, survey.Errorf(survey.CodeInternal, "the client secret of firm %s does not open with UK_SECRET_KEY", row.FirmID)
	}
	var domains []string
	err = s.read.NewSelect().Model((*ssoDomainRow)(nil)).Column("domain").Where("firm_id = ?", row.FirmID).OrderExpr("domain").Scan(ctx, &domains)
	if err != nil {
		return nil, dbError(err, "load single sign-on domains")
	}
	return &survey.SSOProvider{
		FirmID: row.FirmID, DisplayName: row.DisplayName, IssuerURL: row.IssuerURL, ClientID: row.ClientID,
		ClientSecret: plain, Domains: domains, PasswordAllowed: row.PasswordAllowed, JITAllowed: row.JITAllowed,
		UpdatedAt: row.UpdatedAt.UTC(),
	}, nil
}

// SaveSSOProvider creates or replaces the firm's provider and its domains
// in one transaction. An empty ClientSecret keeps the stored one (the
// form never shows it). A domain another firm claimed gives CodeConflict
// naming that domain, and nothing changes.
func (s *Store) SaveSSOProvider(ctx context.Context, p *survey.SSOProvider) error {
	key, err := s.secretKey()
	if err != nil {
		return err
	}
	domains := make([]string, 0, len(p.Domains))
	for _, d := range p.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if p.FirmID == "" || p.IssuerURL == "" || p.ClientID == "" || p.DisplayName == "" || len(domains) == 0 {
		return survey.Errorf(survey.CodeInvalid, "a single sign-on provider needs a name, issuer, client id and a domain")
	}
	row := ssoProviderRow{
		FirmID: p.FirmID, DisplayName: p.DisplayName, IssuerURL: p.IssuerURL, ClientID: p.ClientID,
		ClientSecret:    key.Seal(p.ClientSecret, ssoSecretAD(p.FirmID)),
		PasswordAllowed: p.PasswordAllowed, JITAllowed: p.JITAllowed, UpdatedAt: s.timestamp(),
	}
	return s.write(ctx, "save single sign-on provider", func(ctx context.Context, tx bun.Tx) error {
		var taken []ssoDomainRow
		if err := tx.NewSelect().Model(&taken).Where("domain IN (?)", bun.List(domains)).Where("firm_id <> ?", p.FirmID).OrderExpr("domain").Scan(ctx); err != nil {
			return err
		}
		if len(taken) > 0 {
			return survey.Errorf(survey.CodeConflict, "%s", taken[0].Domain)
		}
		q := tx.NewInsert().Model(&row).On("CONFLICT (firm_id) DO UPDATE").
			Set("display_name = EXCLUDED.display_name").Set("issuer_url = EXCLUDED.issuer_url").
			Set("client_id = EXCLUDED.client_id").Set("password_allowed = EXCLUDED.password_allowed").
			Set("jit_allowed = EXCLUDED.jit_allowed").Set("updated_at = EXCLUDED.updated_at")
		if p.ClientSecret != "" {
			q = q.Set("client_secret = EXCLUDED.client_secret")
		}
		if _, err := q.Exec(ctx); err != nil {
			return firmMissing(err)
		}
		if _, err := tx.NewDelete().Model((*ssoDomainRow)(nil)).Where("firm_id = ?", p.FirmID).Exec(ctx); err != nil {
			return err
		}
		rows := make([]ssoDomainRow, len(domains))
		for i, d := range domains {
			rows[i] = ssoDomainRow{Domain: d, FirmID: p.FirmID}
		}
		_, err := tx.NewInsert().Model(&rows).Exec(ctx)
		if isUniqueViolation(err) {
			// Another firm claimed one at the same moment.
			return survey.Errorf(survey.CodeConflict, "%s", domains[0])
		}
		return err
	})
}

// DeleteSSOProvider removes the firm's provider and frees its domains; its
// consultants sign in with a password again (accounts made at a single
// sign-on have none until an administrator invites them anew).
func (s *Store) DeleteSSOProvider(ctx context.Context, firmID string) error {
	return s.write(ctx, "delete single sign-on provider", func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*ssoDomainRow)(nil)).Where("firm_id = ?", firmID).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*ssoProviderRow)(nil)).Where("firm_id = ?", firmID).Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "no single sign-on provider")
	})
}

// CreateSSOLogin records a sign-in that leaves for the provider under the
// SHA-256 of its state, and clears the ones that expired.
func (s *Store) CreateSSOLogin(ctx context.Context, state string, l survey.SSOLogin, now time.Time) error {
	if state == "" || l.Nonce == "" || l.FirmID == "" {
		return survey.Errorf(survey.CodeInvalid, "a single sign-on needs a state, a nonce and a firm")
	}
	row := ssoLoginRow{StateHash: hash(state), FirmID: l.FirmID, Nonce: l.Nonce, NextPath: l.Next, ExpiresAt: storedTime(l.ExpiresAt)}
	return s.write(ctx, "start single sign-on", func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*ssoLoginRow)(nil)).Where("expires_at <= ?", storedTime(now)).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
}

// TakeSSOLogin returns the sign-in of the state and deletes it, so that a
// state works once, however many instances see it come back. An unknown,
// used or (at now) expired state gives CodeNotFound.
func (s *Store) TakeSSOLogin(ctx context.Context, state string, now time.Time) (*survey.SSOLogin, error) {
	var row ssoLoginRow
	err := s.write(ctx, "finish single sign-on", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model(&row).Where("state_hash = ?", hash(state)).Returning("*").Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "single sign-on not found")
	})
	if err != nil {
		return nil, err
	}
	if !now.Before(row.ExpiresAt) {
		return nil, survey.Errorf(survey.CodeNotFound, "single sign-on expired")
	}
	return &survey.SSOLogin{FirmID: row.FirmID, Nonce: row.Nonce, Next: row.NextPath, ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// SSOConsultant finds or makes the account of a verified address that
// signed in at the firm's provider, in one transaction: the firm's own
// account; else an open invitation of the firm to the address, which is
// accepted (the account gets the invitation's role and no password); else,
// when jit, a new consultant. An account of another firm gives
// CodeForbidden; an address without account, invitation or jit gives
// CodeNotFound. The second result says how the account joined
// (survey.SSOJoined*).
func (s *Store) SSOConsultant(ctx context.Context, firmID, email string, jit bool, now time.Time) (*survey.Consultant, string, error) {
	email = auth.NormaliseEmail(email)
	var (
		out    consultantRow
		joined string
	)
	err := s.write(ctx, "single sign-on account", func(ctx context.Context, tx bun.Tx) error {
		joined = survey.SSOJoinedExisting
		err := tx.NewSelect().Model(&out).Relation("Firm").Where("c.email = ?", email).Scan(ctx)
		switch {
		case err == nil && out.FirmID != firmID:
			return survey.Errorf(survey.CodeForbidden, "the account belongs to another firm")
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var invs []invitationRow
		if err := tx.NewSelect().Model(&invs).Where("i.firm_id = ?", firmID).Where("i.email = ?", email).Scan(ctx); err != nil {
			return err
		}
		admin, invited := false, false
		for _, inv := range invs {
			if !inv.invitation().Expired(now) {
				invited, admin = true, admin || inv.IsAdmin
			}
		}
		if !invited && !jit {
			return survey.Errorf(survey.CodeNotFound, "no account or invitation for this address")
		}
		if out, err = s.insertConsultant(ctx, tx, firmID, email, admin, auth.NoPasswordHash); err != nil {
			return err
		}
		joined = survey.SSOJoinedJIT
		if invited {
			joined = survey.SSOJoinedInvitation
			_, err = tx.NewDelete().Model((*invitationRow)(nil)).Where("email = ?", email).Exec(ctx)
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out.consultant(), joined, nil
}

// SSOProviderCount returns how many firms have a single sign-on provider,
// that is how many client secrets `key rotate` re-encrypts.
func (s *Store) SSOProviderCount(ctx context.Context) (int, error) {
	n, err := s.read.NewSelect().Model((*ssoProviderRow)(nil)).Count(ctx)
	return int(n), dbError(err, "count single sign-on providers")
}

// rotateSSOSecrets re-encrypts the client secrets from oldKey to newKey
// inside RotateSecretKey's transaction.
func rotateSSOSecrets(ctx context.Context, tx bun.Tx, oldKey, newKey *secret.Key) error {
	var rows []ssoProviderRow
	if err := tx.NewSelect().Model(&rows).Column("firm_id", "client_secret").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		plain, err := oldKey.Open(r.ClientSecret, ssoSecretAD(r.FirmID))
		if err != nil {
			return survey.Errorf(survey.CodeInternal, "the single sign-on client secret of firm %s does not open with the old UK_SECRET_KEY; nothing was changed", r.FirmID)
		}
		if plain == "" {
			continue
		}
		_, err = tx.NewUpdate().Model((*ssoProviderRow)(nil)).Where("firm_id = ?", r.FirmID).
			Set("client_secret = ?", newKey.Seal(plain, ssoSecretAD(r.FirmID))).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}
