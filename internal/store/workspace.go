package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The consultants' workspace. Every lookup is scoped to a firm: a record of
// another firm is "not found", so its existence is never confirmed.

// ListOrganisations returns the firm's organisations by name.
func (s *Store) ListOrganisations(ctx context.Context, firmID string) ([]survey.Organisation, error) {
	var rows []organisationRow
	err := s.read.NewSelect().Model(&rows).Where("firm_id = ?", firmID).Scan(ctx)
	if err != nil {
		return nil, dbError(err, "list organisations")
	}
	out := make([]survey.Organisation, 0, len(rows))
	for _, r := range rows {
		out = append(out, organisationFromRow(&r))
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// OrganisationForFirm returns the organisation when it belongs to the firm.
func (s *Store) OrganisationForFirm(ctx context.Context, firmID, id string) (*survey.Organisation, error) {
	var row organisationRow
	err := s.read.NewSelect().Model(&row).Where("id = ?", id).Where("firm_id = ?", firmID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.CodeNotFound, "organisation not found")
	}
	if err != nil {
		return nil, dbError(err, "load organisation")
	}
	o := organisationFromRow(&row)
	return &o, nil
}

// UpdateOrganisation changes the name, sector and headcount of o, which
// must belong to o.FirmID.
func (s *Store) UpdateOrganisation(ctx context.Context, o *survey.Organisation) error {
	return s.writeStatement(ctx, "update organisation", func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewUpdate().Model((*organisationRow)(nil)).
			Set("name = ?", o.Name).Set("sector = ?", string(o.Sector)).Set("headcount = ?", o.Headcount).
			Where("id = ?", o.ID).Where("firm_id = ?", o.FirmID).
			Exec(ctx)
		return notFoundIfNone(res, err, "organisation not found")
	})
}

// ListDiagnostics returns the diagnostics of the firm's organisation, newest
// first.
func (s *Store) ListDiagnostics(ctx context.Context, firmID, organisationID string) ([]survey.Diagnostic, error) {
	return s.listDiagnostics(ctx, firmID, organisationID)
}

// DiagnosticForFirm returns the diagnostic when its organisation belongs to
// the firm.
func (s *Store) DiagnosticForFirm(ctx context.Context, firmID, id string) (*survey.Diagnostic, error) {
	d, err := s.Diagnostic(ctx, id)
	if err != nil {
		return nil, err
	}
	if firmID == "" || d.Organisation.FirmID != firmID {
		return nil, survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	}
	return d, nil
}

// UpdateDiagnostic stores the settings of d: name, dates, minimum group
// size, previous wave, and, while the diagnostic is a draft, its
// questionnaire, units, languages and access mode. The state changes only
// through SetDiagnosticState.
func (s *Store) UpdateDiagnostic(ctx context.Context, d *survey.Diagnostic) error {
	langs, access := diagnosticDefaults(d)
	enc, err := encodeDiagnostic(d, langs)
	if err != nil {
		return err
	}
	var previous any
	if d.PreviousID != "" {
		previous = d.PreviousID
	}
	return s.write(ctx, "update diagnostic", func(ctx context.Context, tx bun.Tx) error {
		var state, storedUnits string
		if err := tx.NewSelect().Model((*diagnosticRow)(nil)).Column("state", "units").Where("id = ?", d.ID).Scan(ctx, &state, &storedUnits); err != nil {
			return err
		}
		q := tx.NewUpdate().Model((*diagnosticRow)(nil)).
			Set("name = ?", d.Name).
			Set("opens_at = ?", utcPtr(d.OpensAt)).
			Set("closes_at = ?", utcPtr(d.ClosesAt)).
			Set("min_group_size = ?", d.MinGroupSize).
			Set("previous_id = ?", previous).
			Where("id = ?", d.ID)
		if state == string(survey.StateDraft) {
			// Answers depend on these, so they are fixed once opened.
			q = q.Set("questionnaire = ?", enc.questionnaire).
				Set("questionnaire_id = ?", d.Questionnaire.ID).
				Set("questionnaire_version = ?", d.Questionnaire.Version).
				Set("units = ?", enc.units).
				Set("languages = ?", enc.languages).
				Set("access = ?", string(access))
		} else {
			// Once opened, the units' ids and names stay as they are;
			// only headcounts, which feed nothing but response rates,
			// may be corrected.
			units, err := withHeadcounts(storedUnits, d.Units)
			if err != nil {
				return err
			}
			q = q.Set("units = ?", units)
		}
		res, err := q.Exec(ctx)
		return notFoundIfNone(res, err, "diagnostic not found")
	})
}

// DeleteDiagnostic deletes the diagnostic and, through the foreign keys,
// every answer, draft and nonce of it. It returns how many responses went.
func (s *Store) DeleteDiagnostic(ctx context.Context, id string) (int, error) {
	var n int
	err := s.write(ctx, "delete diagnostic", func(ctx context.Context, tx bun.Tx) error {
		count, err := tx.NewSelect().Model((*responseRow)(nil)).Where("diagnostic_id = ?", id).Count(ctx)
		if err != nil {
			return err
		}
		n = int(count)
		// A later wave keeps existing; it just no longer follows this one.
		if _, err := tx.NewUpdate().Model((*diagnosticRow)(nil)).Set("previous_id = NULL").Where("previous_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*diagnosticRow)(nil)).Where("id = ?", id).Exec(ctx)
		return notFoundIfNone(res, err, "diagnostic not found")
	})
	return n, err
}

// Progress counts the responses of a diagnostic in total, per unit and per
// day. It reads only the background answers and the date.
func (s *Store) Progress(ctx context.Context, diagnosticID string) (*survey.Progress, error) {
	var rows []struct {
		Background  string `bun:"background"`
		SubmittedOn string `bun:"submitted_on"`
	}
	err := s.read.NewSelect().Model((*responseRow)(nil)).Column("background", "submitted_on").
		Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "progress")
	}
	p := &survey.Progress{Total: len(rows), ByUnit: map[string]int{}}
	perDay := map[string]int{}
	for _, r := range rows {
		var bg map[string]string
		if err := json.Unmarshal([]byte(r.Background), &bg); err != nil {
			return nil, survey.Wrap(survey.CodeInternal, err, "progress: background")
		}
		if u := bg[survey.BackgroundUnitID]; u != "" {
			p.ByUnit[u]++
		}
		perDay[r.SubmittedOn]++
	}
	for day, n := range perDay {
		p.ByDay = append(p.ByDay, survey.DayCount{Date: day, Count: n})
	}
	sort.Slice(p.ByDay, func(i, j int) bool { return p.ByDay[i].Date < p.ByDay[j].Date })
	return p, nil
}

func organisationFromRow(r *organisationRow) survey.Organisation {
	return survey.Organisation{ID: r.ID, FirmID: r.FirmID, Name: r.Name, Sector: survey.Sector(r.Sector), Headcount: r.Headcount, CreatedAt: r.CreatedAt.UTC()}
}

// notFoundIfNone turns an update or delete that touched no row into a
// not-found error.
func notFoundIfNone(res sql.Result, err error, msg string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return survey.Errorf(survey.CodeNotFound, "%s", msg)
	}
	return nil
}

// ListFirmDiagnostics returns every diagnostic of the firm's organisations,
// newest first, for the overview across organisations.
func (s *Store) ListFirmDiagnostics(ctx context.Context, firmID string) ([]survey.Diagnostic, error) {
	return s.listDiagnostics(ctx, firmID, "")
}

// listDiagnostics returns the firm's diagnostics, of one organisation or
// (organisationID "") of all, newest first.
func (s *Store) listDiagnostics(ctx context.Context, firmID, organisationID string) ([]survey.Diagnostic, error) {
	var ids []string
	q := s.read.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").
		Join("JOIN organisations AS o ON o.id = d.organisation_id").
		Where("o.firm_id = ?", firmID)
	if organisationID != "" {
		q = q.Where("d.organisation_id = ?", organisationID)
	}
	if err := q.OrderExpr("d.created_at DESC, d.id").Scan(ctx, &ids); err != nil {
		return nil, dbError(err, "list diagnostics")
	}
	out := make([]survey.Diagnostic, 0, len(ids))
	for _, id := range ids {
		d, err := s.Diagnostic(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// ResponseCounts returns how many responses each diagnostic of the firm
// has; diagnostics without responses are absent. It counts rows only.
func (s *Store) ResponseCounts(ctx context.Context, firmID string) (map[string]int, error) {
	var rows []struct {
		DiagnosticID string `bun:"diagnostic_id"`
		N            int    `bun:"n"`
	}
	err := s.read.NewSelect().Model((*responseRow)(nil)).
		ColumnExpr("r.diagnostic_id AS diagnostic_id").ColumnExpr("count(*) AS n").
		Join("JOIN diagnostics AS d ON d.id = r.diagnostic_id").
		Join("JOIN organisations AS o ON o.id = d.organisation_id").
		Where("o.firm_id = ?", firmID).
		GroupExpr("r.diagnostic_id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "count responses")
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.DiagnosticID] = r.N
	}
	return out, nil
}

// withHeadcounts returns the stored units (JSON) with the headcounts of
// the units of the same id in from; everything else stays as stored.
func withHeadcounts(stored string, from []survey.Unit) (string, error) {
	var units []survey.Unit
	if err := json.Unmarshal([]byte(stored), &units); err != nil {
		return "", survey.Wrap(survey.CodeInternal, err, "update diagnostic: units")
	}
	counts := make(map[string]int, len(from))
	for _, u := range from {
		counts[u.ID] = u.Headcount
	}
	for i, u := range units {
		if n, ok := counts[u.ID]; ok && n >= 0 {
			units[i].Headcount = n
		}
	}
	out, err := json.Marshal(units)
	if err != nil {
		return "", survey.Wrap(survey.CodeInternal, err, "update diagnostic: units")
	}
	return string(out), nil
}
