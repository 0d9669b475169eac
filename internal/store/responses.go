package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Submit stores r as a response to r.DiagnosticID, with the hash of the
// submission's nonce, in one transaction that writes nothing else. The
// nonce makes a submission happen once: a second submission with the same
// nonce (a double click, a replayed form) fails with CodeConflict and
// stores nothing. r.ID is set to a new random id.
//
// Only the nonce's hash is kept, in a table of its own that does not point
// at the response, and the response gets no time of day: the caller sets
// r.SubmittedOn to the calendar date. The respondent's progress never
// reached the database (it is sealed in their cookie), so there is nothing
// else to delete or to link.
func (s *Store) Submit(ctx context.Context, nonce string, r *survey.Response) error {
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
		err = s.submitPostgres(ctx, &nonceRow, &row)
	} else {
		err = s.submitSQLite(ctx, &nonceRow, &row)
	}
	if err != nil {
		return err
	}
	r.ID = row.ID
	s.markDirty()
	return nil
}

// submitPostgres runs the submission as one statement, which PostgreSQL
// runs as one transaction: one round trip instead of four (BEGIN, two
// statements, COMMIT), which is what lets it keep up with 64 callers on two
// cores. Both inserts happen, or neither does.
func (s *Store) submitPostgres(ctx context.Context, nonceRow *submissionNonceRow, row *responseRow) error {
	// Bind parameters: the statement carries the answers and the nonce's
	// hash (params.go).
	_, err := pgExec(ctx, s.db.DB, `WITH nonce AS (
			INSERT INTO submission_nonces (nonce_hash, diagnostic_id) VALUES ($1, $2)
		)
		INSERT INTO responses (id, diagnostic_id, submitted_on, background, answers, open_answers)
		VALUES ($3, $2, $4, $5, $6, $7)`,
		nonceRow.NonceHash, row.DiagnosticID, row.ID, row.SubmittedOn, row.Background, row.Answers, row.OpenAnswers)
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
func (s *Store) submitSQLite(ctx context.Context, nonceRow *submissionNonceRow, row *responseRow) error {
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
		_, err := tx.NewInsert().Model(row).Exec(ctx)
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

// OpenAnswers returns one response per response to the diagnostic with
// only its open answers set: those who answered an open question first,
// then empty ones. The results page lists the answers in a random order,
// and needs the rest of neither.
func (s *Store) OpenAnswers(ctx context.Context, diagnosticID string) ([]survey.Response, error) {
	// Most people leave the open questions empty: the rows that did not
	// are read, the others only counted.
	n, err := s.CountResponses(ctx, diagnosticID)
	if err != nil {
		return nil, err
	}
	var rows []string
	err = s.read.NewSelect().Model((*responseRow)(nil)).Column("open_answers").
		Where("diagnostic_id = ?", diagnosticID).Where("open_answers <> '{}'").Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "load open answers")
	}
	out := make([]survey.Response, max(n, len(rows)))
	for i, row := range rows {
		if err := unmarshalObject(row, &out[i].Open); err != nil {
			return nil, err
		}
	}
	return out, nil
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
