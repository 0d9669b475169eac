package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Director links hand a closed diagnostic's report to a director who has no
// account. Like every other secret, the token is stored as its SHA-256 and
// handed out once, by CreateDirectorLink. Every function a consultant's
// request reaches takes the firm's id and treats another firm's diagnostic
// as missing. Whether a link is still usable depends on the time, which the
// caller decides (survey.DirectorLink.Usable).

type directorLinkRow struct {
	bun.BaseModel `bun:"table:director_links,alias:dl"`

	ID           string     `bun:"id,pk"`
	DiagnosticID string     `bun:"diagnostic_id"`
	TokenHash    string     `bun:"token_hash"`
	Lang         string     `bun:"lang"`
	Label        string     `bun:"label"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	RevokedAt    *time.Time `bun:"revoked_at"`
	Downloads    int        `bun:"downloads"`
	CanUpdate    bool       `bun:"can_update"`
}

func (r *directorLinkRow) link(firmID string) survey.DirectorLink {
	return survey.DirectorLink{
		ID: r.ID, DiagnosticID: r.DiagnosticID, FirmID: firmID, Lang: r.Lang, Label: r.Label,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utcPtr(r.RevokedAt),
		Downloads: r.Downloads, CanUpdate: r.CanUpdate,
	}
}

type reportDateRow struct {
	bun.BaseModel `bun:"table:report_dates,alias:rd"`

	DiagnosticID string    `bun:"diagnostic_id,pk"`
	Responses    int       `bun:"responses"`
	GeneratedOn  time.Time `bun:"generated_on"`
}

// firmDiagnostic selects the id of the diagnostic when it belongs to the
// firm; an organisation without a firm belongs to no one's workspace.
func firmDiagnostic(db bun.IDB, firmID, diagnosticID string) *bun.SelectQuery {
	return db.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").
		Join("JOIN organisations AS o ON o.id = d.organisation_id").
		Where("d.id = ?", diagnosticID).
		Where("o.firm_id = ?", firmID)
}

// diagnosticExists runs q, a selection of one diagnostic's id, and makes
// "no row" the domain's not found.
func diagnosticExists(ctx context.Context, q *bun.SelectQuery) error {
	var id string
	err := q.Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	}
	return err
}

// CreateDirectorLink stores a new link to the firm's diagnostic, filling in
// l's ID, FirmID and CreatedAt, and returns its token: the only time it can
// be shown. DiagnosticID, Lang and ExpiresAt come from the caller.
func (s *Store) CreateDirectorLink(ctx context.Context, firmID string, l *survey.DirectorLink) (string, error) {
	if firmID == "" || l.DiagnosticID == "" || l.Lang == "" || l.ExpiresAt.IsZero() {
		return "", survey.Errorf(survey.CodeInvalid, "a director link needs a firm, a diagnostic, a language and an expiry")
	}
	// newSecret gives 256 random bits: far beyond guessing, however many
	// links exist.
	token := newSecret()
	row := directorLinkRow{
		ID: newID(), DiagnosticID: l.DiagnosticID, TokenHash: hash(token), Lang: l.Lang, Label: l.Label,
		CanUpdate: l.CanUpdate, CreatedAt: s.timestamp(), ExpiresAt: storedTime(l.ExpiresAt),
	}
	err := s.write(ctx, "create director link", func(ctx context.Context, tx bun.Tx) error {
		if err := diagnosticExists(ctx, firmDiagnostic(tx, firmID, l.DiagnosticID)); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return "", err
	}
	*l = row.link(firmID)
	return token, nil
}

// ListDirectorLinks returns the links of the firm's diagnostic, newest
// first, revoked and expired ones included: the consultant sees what was
// handed out.
func (s *Store) ListDirectorLinks(ctx context.Context, firmID, diagnosticID string) ([]survey.DirectorLink, error) {
	var rows []directorLinkRow
	err := s.read.NewSelect().Model(&rows).
		Where("dl.diagnostic_id IN (?)", firmDiagnostic(s.read, firmID, diagnosticID)).
		OrderExpr("dl.created_at DESC, dl.id").
		Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list director links")
	}
	out := make([]survey.DirectorLink, len(rows))
	for i := range rows {
		out[i] = rows[i].link(firmID)
	}
	return out, nil
}

// RevokeDirectorLink ends a link of the firm's diagnostic at now. Revoking
// a revoked link keeps the first moment; a link of another diagnostic or
// firm is not found.
func (s *Store) RevokeDirectorLink(ctx context.Context, firmID, diagnosticID, id string, now time.Time) error {
	return s.write(ctx, "revoke director link", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*directorLinkRow)(nil)).
			Set("revoked_at = COALESCE(revoked_at, ?)", storedTime(now)).
			Where("id = ?", id).
			Where("diagnostic_id IN (?)", firmDiagnostic(tx, firmID, diagnosticID)).
			Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "director link not found")
	})
}

// DirectorLinkByToken returns the link whose token this is, with the firm
// of its diagnostic, whether or not it is still usable: the caller tells an
// ended link (gone) from one that never existed (not found).
func (s *Store) DirectorLinkByToken(ctx context.Context, token string) (*survey.DirectorLink, error) {
	if token == "" {
		return nil, survey.Errorf(survey.CodeNotFound, "director link not found")
	}
	var row struct {
		directorLinkRow
		FirmID *string `bun:"firm_id"`
	}
	err := s.read.NewSelect().Model((*directorLinkRow)(nil)).
		ColumnExpr("dl.*").ColumnExpr("o.firm_id").
		Join("JOIN diagnostics AS d ON d.id = dl.diagnostic_id").
		Join("JOIN organisations AS o ON o.id = d.organisation_id").
		Where("dl.token_hash = ?", hash(token)).
		Scan(ctx, &row)
	if err != nil {
		return nil, notFound(err, "director link not found", "load director link")
	}
	firmID := ""
	if row.FirmID != nil {
		firmID = *row.FirmID
	}
	l := row.link(firmID)
	return &l, nil
}

// CountDirectorDownload adds one to the link's downloads. It counts in the
// database, so that downloads on several instances at once are all
// counted.
func (s *Store) CountDirectorDownload(ctx context.Context, id string) error {
	return s.writeStatement(ctx, "count director download", func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewUpdate().Model((*directorLinkRow)(nil)).
			Set("downloads = downloads + 1").
			Where("id = ?", id).
			Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "director link not found")
	})
}

// PinReportDate returns the date the report of the diagnostic carries at
// this number of responses: the date pinned earlier for the same number, or
// else date, which is pinned from now on. A report made again from the same
// responses then carries the same date and has the same bytes.
func (s *Store) PinReportDate(ctx context.Context, diagnosticID string, responses int, date time.Time) (time.Time, error) {
	var pinned reportDateRow
	err := s.write(ctx, "pin report date", func(ctx context.Context, tx bun.Tx) error {
		row := reportDateRow{DiagnosticID: diagnosticID, Responses: responses, GeneratedOn: storedTime(date)}
		// Only a different number of responses moves the date: two first
		// downloads at once both end up with the date of whichever wrote
		// first.
		_, err := tx.NewInsert().Model(&row).
			On("CONFLICT (diagnostic_id) DO UPDATE").
			Set("responses = EXCLUDED.responses").
			Set("generated_on = EXCLUDED.generated_on").
			Where("rd.responses <> EXCLUDED.responses").
			Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
		}
		if err != nil {
			return err
		}
		return tx.NewSelect().Model(&pinned).Where("diagnostic_id = ?", diagnosticID).Scan(ctx)
	})
	if err != nil {
		return time.Time{}, err
	}
	return pinned.GeneratedOn.UTC(), nil
}
