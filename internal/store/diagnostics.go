package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// CreateOrganisation stores o, filling in its ID and CreatedAt.
func (s *Store) CreateOrganisation(ctx context.Context, o *survey.Organisation) error {
	row := organisationRow{
		ID:        newID(),
		FirmID:    o.FirmID,
		Name:      o.Name,
		Sector:    string(o.Sector),
		Headcount: o.Headcount,
		CreatedAt: s.timestamp(),
	}
	err := s.writeStatement(ctx, "create organisation", func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	o.ID, o.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// CreateDiagnostic stores d, filling in its ID, Token and CreatedAt, and
// the defaults for its languages (the questionnaire's) and access (the
// open link). The questionnaire is stored as a JSON snapshot: later edits
// of the questionnaire definition, or of d, do not change what was stored.
func (s *Store) CreateDiagnostic(ctx context.Context, d *survey.Diagnostic) error {
	d.Languages, d.Access = diagnosticDefaults(d)
	enc, err := encodeDiagnostic(d, d.Languages)
	if err != nil {
		return err
	}
	row := diagnosticRow{
		ID:                   newID(),
		OrganisationID:       d.OrganisationID,
		Name:                 d.Name,
		Token:                newSecret(),
		QuestionnaireID:      d.Questionnaire.ID,
		QuestionnaireVersion: d.Questionnaire.Version,
		Questionnaire:        enc.questionnaire,
		Units:                enc.units,
		Languages:            enc.languages,
		Access:               string(d.Access),
		PreviousID:           d.PreviousID,
		PulseOf:              d.PulseOf,
		State:                string(d.State),
		MinGroupSize:         d.MinGroupSize,
		OpensAt:              utcPtr(d.OpensAt),
		ClosesAt:             utcPtr(d.ClosesAt),
		CreatedAt:            s.timestamp(),
	}
	err = s.writeStatement(ctx, "create diagnostic", func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(&row).Exec(ctx)
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "organisation %q not found", d.OrganisationID)
		}
		return err
	})
	if err != nil {
		return err
	}
	d.ID, d.Token, d.CreatedAt = row.ID, row.Token, row.CreatedAt
	return nil
}

// Diagnostic returns the diagnostic with the given id, its Organisation
// filled in.
func (s *Store) Diagnostic(ctx context.Context, id string) (*survey.Diagnostic, error) {
	return s.diagnostic(ctx, "d.id = ?", id)
}

// DiagnosticByToken returns the diagnostic whose respondent link has the
// given token, its Organisation filled in.
func (s *Store) DiagnosticByToken(ctx context.Context, token string) (*survey.Diagnostic, error) {
	if s.dialect != DialectPostgres {
		return s.diagnostic(ctx, "d.token = ?", token)
	}
	// The token is the respondents' link: it goes as a bind parameter
	// (params.go), and only the id, which is no secret, into bun's query.
	var id string
	err := pgQueryRow(ctx, s.read.DB, "SELECT id FROM diagnostics WHERE token = $1", token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	}
	if err != nil {
		return nil, dbError(err, "load diagnostic")
	}
	return s.diagnostic(ctx, "d.id = ?", id)
}

func (s *Store) diagnostic(ctx context.Context, where string, arg string) (*survey.Diagnostic, error) {
	var row diagnosticRow
	err := s.read.NewSelect().Model(&row).Relation("Organisation").Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	}
	if err != nil {
		return nil, dbError(err, "load diagnostic")
	}
	d := &survey.Diagnostic{
		ID:             row.ID,
		OrganisationID: row.OrganisationID,
		Name:           row.Name,
		Token:          row.Token,
		Access:         survey.Access(row.Access),
		PreviousID:     row.PreviousID,
		PulseOf:        row.PulseOf,
		State:          survey.State(row.State),
		MinGroupSize:   row.MinGroupSize,
		OpensAt:        utcPtr(row.OpensAt),
		ClosesAt:       utcPtr(row.ClosesAt),
		ClosedAt:       utcPtr(row.ClosedAt),
		OpenedAt:       utcPtr(row.OpenedAt),
		CreatedAt:      row.CreatedAt.UTC(),
	}
	if o := row.Organisation; o != nil {
		d.Organisation = survey.Organisation{
			ID:        o.ID,
			FirmID:    o.FirmID,
			Name:      o.Name,
			Sector:    survey.Sector(o.Sector),
			Headcount: o.Headcount,
			CreatedAt: o.CreatedAt.UTC(),
		}
	}
	if err := json.Unmarshal([]byte(row.Questionnaire), &d.Questionnaire); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "load diagnostic: questionnaire")
	}
	if err := json.Unmarshal([]byte(row.Units), &d.Units); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "load diagnostic: units")
	}
	if err := json.Unmarshal([]byte(row.Languages), &d.Languages); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "load diagnostic: languages")
	}
	return d, nil
}

// diagnosticJSON holds the JSON columns of a diagnostic.
type diagnosticJSON struct {
	questionnaire, units, languages string
}

// encodeDiagnostic writes the JSON columns of d, with langs as its
// languages.
func encodeDiagnostic(d *survey.Diagnostic, langs []string) (diagnosticJSON, error) {
	questionnaire, err := json.Marshal(d.Questionnaire)
	if err != nil {
		return diagnosticJSON{}, survey.Wrap(survey.CodeInvalid, err, "the questionnaire cannot be stored")
	}
	units, err := json.Marshal(d.Units)
	if err != nil {
		return diagnosticJSON{}, survey.Wrap(survey.CodeInvalid, err, "the units cannot be stored")
	}
	languages, err := json.Marshal(langs)
	if err != nil {
		return diagnosticJSON{}, survey.Wrap(survey.CodeInvalid, err, "the languages cannot be stored")
	}
	return diagnosticJSON{questionnaire: string(questionnaire), units: string(units), languages: string(languages)}, nil
}

// diagnosticDefaults returns the languages and the access mode of d,
// defaulting to every language of the questionnaire and the open link.
func diagnosticDefaults(d *survey.Diagnostic) ([]string, survey.Access) {
	langs := d.Languages
	if len(langs) == 0 {
		langs = append([]string(nil), d.Questionnaire.Languages...)
	}
	if len(langs) == 0 {
		langs = []string{survey.DefaultLanguage}
	}
	access := d.Access
	if access == "" {
		access = survey.AccessLink
	}
	return langs, access
}

// utcPtr returns a copy of *t in UTC with the stored precision, so that the
// caller's pointer is never shared with the store.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
