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

// CreateDraft starts a draft for the diagnostic, with a new random ID (for
// the respondent's cookie) and Nonce (which Submit consumes).
func (s *Store) CreateDraft(ctx context.Context, diagnosticID string) (*survey.Draft, error) {
	return s.createDraft(ctx, diagnosticID, "")
}

// createDraft starts a draft; codeHash is the hash of the access code the
// respondent entered, or empty.
func (s *Store) createDraft(ctx context.Context, diagnosticID, codeHash string) (*survey.Draft, error) {
	d := &survey.Draft{
		WithCode:     codeHash != "",
		ID:           newSecret(),
		DiagnosticID: diagnosticID,
		Nonce:        newSecret(),
		Background:   map[string]string{},
		Answers:      map[string]int{},
		Open:         map[string]string{},
	}
	data, err := json.Marshal(d)
	if err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "create draft")
	}
	row := draftRow{
		IDHash:       hash(d.ID),
		DiagnosticID: diagnosticID,
		Nonce:        d.Nonce,
		Data:         string(data),
		UpdatedAt:    s.timestamp(),
		CodeHash:     codeHash,
	}
	err = s.writeStatement(ctx, "create draft", func(ctx context.Context, db bun.IDB) error {
		var err error
		if s.dialect == DialectPostgres {
			// The row holds the nonce and a code hash (params.go).
			_, err = pgExec(ctx, s.db.DB, `INSERT INTO drafts (id, diagnostic_id, nonce, data, updated_at, code_hash, code_used)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				row.IDHash, row.DiagnosticID, row.Nonce, row.Data, row.UpdatedAt, row.CodeHash, row.CodeUsed)
		} else {
			_, err = db.NewInsert().Model(&row).Exec(ctx)
		}
		if isForeignKeyViolation(err) {
			return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.markDirty()
	return d, nil
}

// Draft returns the draft with the given id, which must belong to the
// diagnostic: a cookie of one diagnostic opens nothing in another.
func (s *Store) Draft(ctx context.Context, diagnosticID, draftID string) (*survey.Draft, error) {
	var row draftRow
	err := s.read.NewSelect().Model(&row).
		Where("id = ?", hash(draftID)).
		Where("diagnostic_id = ?", diagnosticID).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.CodeNotFound, "draft not found")
	}
	if err != nil {
		return nil, dbError(err, "load draft")
	}
	var d survey.Draft
	if err := json.Unmarshal([]byte(row.Data), &d); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "load draft")
	}
	d.ID, d.DiagnosticID, d.Nonce = draftID, row.DiagnosticID, row.Nonce
	d.WithCode, d.CodeUsed = row.CodeHash != "", row.CodeUsed
	if d.Background == nil {
		d.Background = map[string]string{}
	}
	if d.Answers == nil {
		d.Answers = map[string]int{}
	}
	if d.Open == nil {
		d.Open = map[string]string{}
	}
	return &d, nil
}

// SaveDraft stores the answers of d. It fails with CodeNotFound when the
// draft is gone: submitted, expired, or of another diagnostic.
func (s *Store) SaveDraft(ctx context.Context, d *survey.Draft) error {
	data, err := json.Marshal(d)
	if err != nil {
		return survey.Wrap(survey.CodeInvalid, err, "the draft cannot be stored")
	}
	updatedAt := s.timestamp()
	return s.writeStatement(ctx, "save draft", func(ctx context.Context, db bun.IDB) error {
		var res sql.Result
		var err error
		if s.dialect == DialectPostgres {
			// The statement carries the answers (params.go).
			res, err = pgExec(ctx, s.db.DB, "UPDATE drafts SET data = $1, updated_at = $2 WHERE id = $3 AND diagnostic_id = $4",
				string(data), updatedAt, hash(d.ID), d.DiagnosticID)
		} else {
			res, err = db.NewUpdate().Model((*draftRow)(nil)).
				Set("data = ?", string(data)).
				Set("updated_at = ?", updatedAt).
				Where("id = ?", hash(d.ID)).
				Where("diagnostic_id = ?", d.DiagnosticID).
				Exec(ctx)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return survey.Errorf(survey.CodeNotFound, "draft not found")
		}
		s.markDirty()
		return nil
	})
}

// Submit stores r as a response to r.DiagnosticID and deletes the draft, in
// one transaction. The nonce makes a submission happen once: a second
// submission with the same nonce (a double click, a replayed form) fails with
// CodeConflict and stores nothing. r.ID is set to a new random id.
//
// Only the nonce's hash is kept, in a table of its own that does not point
// at the response, and the response gets nothing of the draft: no id, no
// time of day. The caller sets r.SubmittedOn to the calendar date.
func (s *Store) Submit(ctx context.Context, draftID, nonce string, r *survey.Response) error {
	switch {
	case nonce == "":
		return survey.Errorf(survey.CodeInvalid, "the submission has no nonce")
	case r.DiagnosticID == "":
		return survey.Errorf(survey.CodeInvalid, "the response has no diagnostic")
	}
	if _, err := time.Parse(time.DateOnly, r.SubmittedOn); err != nil {
		// A finer time would record when the respondent answered.
		return survey.Errorf(survey.CodeInvalid, "the submission date must be a calendar date (YYYY-MM-DD)")
	}
	row, err := newResponseRow(r)
	if err != nil {
		return err
	}
	nonceRow := submissionNonceRow{NonceHash: hash(nonce), DiagnosticID: r.DiagnosticID}
	if s.dialect == DialectPostgres {
		err = s.submitPostgres(ctx, &nonceRow, &row, hash(draftID))
	} else {
		err = s.submitSQLite(ctx, &nonceRow, &row, hash(draftID))
	}
	if err != nil {
		return err
	}
	r.ID = row.ID
	s.markDirty()
	return nil
}

// submitPostgres runs the submission as one statement, which PostgreSQL
// runs as one transaction: one round trip instead of five (BEGIN, three
// statements, COMMIT), which is what lets it keep up with 64 callers on two
// cores. Every part of the statement happens, or none does.
func (s *Store) submitPostgres(ctx context.Context, nonceRow *submissionNonceRow, row *responseRow, draftHash string) error {
	// Bind parameters: the statement carries the answers and the nonce's
	// hash (params.go).
	_, err := pgExec(ctx, s.db.DB, `WITH nonce AS (
			INSERT INTO submission_nonces (nonce_hash, diagnostic_id) VALUES ($1, $2)
		), response AS (
			INSERT INTO responses (id, diagnostic_id, submitted_on, background, answers, open_answers)
			VALUES ($3, $2, $4, $5, $6, $7)
		)
		DELETE FROM drafts WHERE id = $8 AND diagnostic_id = $2`,
		nonceRow.NonceHash, row.DiagnosticID, row.ID, row.SubmittedOn, row.Background, row.Answers, row.OpenAnswers, draftHash)
	switch {
	case isUniqueViolation(err):
		// The response id is random (128 bits): only the nonce can clash.
		return survey.Errorf(survey.CodeConflict, "this questionnaire has already been submitted")
	case isForeignKeyViolation(err):
		return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
	}
	err = dbError(err, "submit response")
	s.health.record(err, s.now())
	return err
}

// submitSQLite runs the submission as a write: it joins a group commit.
func (s *Store) submitSQLite(ctx context.Context, nonceRow *submissionNonceRow, row *responseRow, draftHash string) error {
	return s.write(ctx, "submit response", func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(nonceRow).Exec(ctx); err != nil {
			switch {
			case isUniqueViolation(err):
				return survey.Errorf(survey.CodeConflict, "this questionnaire has already been submitted")
			case isForeignKeyViolation(err):
				return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
			}
			return err
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*draftRow)(nil)).
			Where("id = ?", draftHash).
			Where("diagnostic_id = ?", row.DiagnosticID).
			Exec(ctx)
		return err
	})
}

func newResponseRow(r *survey.Response) (responseRow, error) {
	background, err := jsonObject(r.Background)
	if err != nil {
		return responseRow{}, err
	}
	answers, err := jsonObject(r.Answers)
	if err != nil {
		return responseRow{}, err
	}
	open, err := jsonObject(r.Open)
	if err != nil {
		return responseRow{}, err
	}
	return responseRow{
		ID:           newID(),
		DiagnosticID: r.DiagnosticID,
		SubmittedOn:  r.SubmittedOn,
		Background:   background,
		Answers:      answers,
		OpenAnswers:  open,
	}, nil
}

// jsonObject encodes a map, a nil map as {} so that every row reads back
// the same way.
func jsonObject[V any](m map[string]V) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", survey.Wrap(survey.CodeInvalid, err, "the response cannot be stored")
	}
	return string(b), nil
}

// CountResponses returns the number of responses to the diagnostic.
func (s *Store) CountResponses(ctx context.Context, diagnosticID string) (int, error) {
	n, err := s.read.NewSelect().Model((*responseRow)(nil)).
		Where("diagnostic_id = ?", diagnosticID).
		Count(ctx)
	if err != nil {
		return 0, dbError(err, "count responses")
	}
	return int(n), nil
}

// Responses returns every response to the diagnostic, ordered by their
// random id: an order that says nothing about who answered when.
func (s *Store) Responses(ctx context.Context, diagnosticID string) ([]survey.Response, error) {
	var rows []responseRow
	err := s.read.NewSelect().Model(&rows).
		Where("diagnostic_id = ?", diagnosticID).
		Order("id").
		Scan(ctx)
	if err != nil {
		return nil, dbError(err, "load responses")
	}
	responses := make([]survey.Response, len(rows))
	for i, row := range rows {
		r := survey.Response{
			ID:           row.ID,
			DiagnosticID: row.DiagnosticID,
			SubmittedOn:  row.SubmittedOn,
		}
		if err := unmarshalObject(row.Background, &r.Background); err != nil {
			return nil, err
		}
		if err := unmarshalObject(row.Answers, &r.Answers); err != nil {
			return nil, err
		}
		if err := unmarshalObject(row.OpenAnswers, &r.Open); err != nil {
			return nil, err
		}
		responses[i] = r
	}
	return responses, nil
}

// unmarshalObject decodes a JSON object into *m, leaving an empty map
// rather than nil so that callers can range and look up without checks.
func unmarshalObject[V any](data string, m *map[string]V) error {
	if err := json.Unmarshal([]byte(data), m); err != nil {
		return survey.Wrap(survey.CodeInternal, err, "load responses")
	}
	if *m == nil {
		*m = map[string]V{}
	}
	return nil
}

// DeleteDraftsBefore deletes the drafts last saved before t and returns how
// many it deleted.
func (s *Store) DeleteDraftsBefore(ctx context.Context, t time.Time) (int, error) {
	var n int64
	err := s.writeStatement(ctx, "delete drafts", func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewDelete().Model((*draftRow)(nil)).
			Where("updated_at < ?", t.UTC().Truncate(time.Microsecond)).
			Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
