package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

type brandingRow struct {
	bun.BaseModel `bun:"table:firm_branding,alias:fb"`

	FirmID            string    `bun:"firm_id,pk"`
	DisplayName       string    `bun:"display_name"`
	ContactLine       string    `bun:"contact_line"`
	PrimaryColor      string    `bun:"primary_color"`
	Logo              []byte    `bun:"logo"`
	LogoWidth         int       `bun:"logo_width"`
	LogoHeight        int       `bun:"logo_height"`
	LogoVersion       string    `bun:"logo_version"`
	OnRespondentPages bool      `bun:"on_respondent_pages"`
	UpdatedAt         time.Time `bun:"updated_at"`
}

func (r *brandingRow) branding() *survey.Branding {
	return &survey.Branding{
		FirmID: r.FirmID, Name: r.DisplayName, Contact: r.ContactLine, Color: r.PrimaryColor,
		Logo: r.Logo, LogoWidth: r.LogoWidth, LogoHeight: r.LogoHeight, LogoVersion: r.LogoVersion,
		OnRespondentPages: r.OnRespondentPages, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// Branding returns the firm's own look with its logo, for the report, the
// poster, the code sheets and the e-mails. A firm that never saved one
// gets the zero Branding (with FirmID set), not an error: everything then
// shows the service's own look.
func (s *Store) Branding(ctx context.Context, firmID string) (*survey.Branding, error) {
	return s.branding(ctx, firmID, true)
}

// BrandingLook is Branding without the logo's bytes (LogoVersion tells
// whether there is one), for pages that only link to the logo.
func (s *Store) BrandingLook(ctx context.Context, firmID string) (*survey.Branding, error) {
	return s.branding(ctx, firmID, false)
}

func (s *Store) branding(ctx context.Context, firmID string, withLogo bool) (*survey.Branding, error) {
	var row brandingRow
	q := s.read.NewSelect().Model(&row).Where("fb.firm_id = ?", firmID)
	if !withLogo {
		q = q.ExcludeColumn("logo")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &survey.Branding{FirmID: firmID}, nil
	}
	if err != nil {
		return nil, dbError(err, "load branding")
	}
	return row.branding(), nil
}

// SaveBranding stores the firm's name, contact line, colour and whether
// respondent pages show the look; the logo is kept. The values must pass
// survey.Branding.Valid (the web layer has said why to the user already).
func (s *Store) SaveBranding(ctx context.Context, b *survey.Branding) error {
	if err := b.Valid(); err != nil {
		return err
	}
	row := brandingRow{
		FirmID: b.FirmID, DisplayName: b.Name, ContactLine: b.Contact, PrimaryColor: b.Color,
		OnRespondentPages: b.OnRespondentPages, UpdatedAt: s.timestamp(),
	}
	return s.write(ctx, "save branding", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).ExcludeColumn("logo", "logo_width", "logo_height", "logo_version").
			On("CONFLICT (firm_id) DO UPDATE").
			Set("display_name = EXCLUDED.display_name").
			Set("contact_line = EXCLUDED.contact_line").
			Set("primary_color = EXCLUDED.primary_color").
			Set("on_respondent_pages = EXCLUDED.on_respondent_pages").
			Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		return firmMissing(err)
	})
}

// SetBrandingLogo stores a logo that internal/logo has normalised (a PNG
// of width × height pixels); nil removes the logo.
func (s *Store) SetBrandingLogo(ctx context.Context, firmID string, png []byte, width, height int) error {
	row := brandingRow{FirmID: firmID, UpdatedAt: s.timestamp()}
	if len(png) > 0 {
		sum := sha256.Sum256(png)
		row.Logo, row.LogoWidth, row.LogoHeight, row.LogoVersion = png, width, height, hex.EncodeToString(sum[:8])
	}
	return s.write(ctx, "save logo", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&row).
			On("CONFLICT (firm_id) DO UPDATE").
			Set("logo = EXCLUDED.logo").
			Set("logo_width = EXCLUDED.logo_width").
			Set("logo_height = EXCLUDED.logo_height").
			Set("logo_version = EXCLUDED.logo_version").
			Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		return firmMissing(err)
	})
}

// firmMissing turns the foreign key violation of an unknown firm into
// not found.
func firmMissing(err error) error {
	if err != nil && isForeignKeyViolation(err) {
		return survey.Errorf(survey.CodeNotFound, "firm not found")
	}
	return err
}
