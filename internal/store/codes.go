package store

import (
	"context"
	"crypto/rand"
	"database/sql"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// MaxCodesPerBatch bounds one request for codes.
const MaxCodesPerBatch = 50000

// codeHash binds a code to its diagnostic, so the same code in two
// diagnostics gives two different hashes.
func codeHash(diagnosticID, code string) string { return hash(diagnosticID + ":" + code) }

func newCode() string {
	alphabet := survey.AccessCodeAlphabet
	out := make([]byte, survey.AccessCodeLength)
	b := make([]byte, 1)
	for i := range out {
		// Rejection sampling: 256 is not a multiple of the 31 letters, and
		// a plain modulo would favour the first ones.
		for {
			_, _ = rand.Read(b)
			if int(b[0]) < 256-256%len(alphabet) {
				out[i] = alphabet[int(b[0])%len(alphabet)]
				break
			}
		}
	}
	return string(out)
}

// CreateAccessCodes issues n new single-use codes for the diagnostic and
// returns them. Only their hashes are stored, so this is the one moment the
// codes can be shown.
func (s *Store) CreateAccessCodes(ctx context.Context, diagnosticID string, n int) ([]string, error) {
	if n < 1 || n > MaxCodesPerBatch {
		return nil, survey.Errorf(survey.CodeInvalid, "the number of codes must be between 1 and %d", MaxCodesPerBatch)
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		c := newCode()
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c)
	}
	if err := s.IssueAccessCodes(ctx, diagnosticID, codes); err != nil {
		return nil, err
	}
	return codes, nil
}

// IssueAccessCodes stores the hashes of codes made by the caller as one
// batch. The workspace derives a batch from a random seed it keeps sealed
// in the consultant's cookie for a few minutes, so that the download can
// start from a page that already shows the new count.
func (s *Store) IssueAccessCodes(ctx context.Context, diagnosticID string, codes []string) error {
	n := len(codes)
	if n < 1 || n > MaxCodesPerBatch {
		return survey.Errorf(survey.CodeInvalid, "the number of codes must be between 1 and %d", MaxCodesPerBatch)
	}
	rows := make([]accessCodeRow, 0, n)
	seen := make(map[string]bool, n)
	for _, c := range codes {
		if norm, ok := survey.NormalizeAccessCode(c); !ok || norm != c || seen[c] {
			return survey.Errorf(survey.CodeInvalid, "invalid or repeated access code in batch")
		}
		seen[c] = true
		rows = append(rows, accessCodeRow{CodeHash: codeHash(diagnosticID, c), DiagnosticID: diagnosticID})
	}
	batch := accessCodeBatchRow{ID: newID(), DiagnosticID: diagnosticID, Issued: n, CreatedAt: s.timestamp()}
	return s.write(ctx, "create access codes", func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
			if isForeignKeyViolation(err) {
				return survey.Errorf(survey.CodeNotFound, "diagnostic not found")
			}
			return err
		}
		if s.dialect == DialectPostgres {
			// One array parameter instead of the hashes in the statement
			// text (params.go).
			hashes := make([]string, len(rows))
			for i, r := range rows {
				hashes[i] = r.CodeHash
			}
			_, err := pgExec(ctx, tx.Tx, "INSERT INTO access_codes (code_hash, diagnostic_id) SELECT unnest($1::text[]), $2", hashes, diagnosticID)
			return err
		}
		// Insert in chunks: SQLite limits the number of bound values.
		for start := 0; start < len(rows); start += 1000 {
			chunk := rows[start:min(start+1000, len(rows))]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccessCodeCounts returns how many codes were issued for the diagnostic and
// how many of them have been used.
func (s *Store) AccessCodeCounts(ctx context.Context, diagnosticID string) (issued, used int, err error) {
	var total int
	err = s.read.NewSelect().Model((*accessCodeBatchRow)(nil)).ColumnExpr("COALESCE(SUM(issued), 0)").
		Where("diagnostic_id = ?", diagnosticID).Scan(ctx, &total)
	if err != nil {
		return 0, 0, dbError(err, "count access codes")
	}
	remaining, err := s.read.NewSelect().Model((*accessCodeRow)(nil)).Where("diagnostic_id = ?", diagnosticID).Count(ctx)
	if err != nil {
		return 0, 0, dbError(err, "count access codes")
	}
	return total, total - int(remaining), nil
}

// SpendAccessCode spends a single-use code the moment a respondent enters
// it: it deletes the code's hash in a transaction of its own that writes
// nothing else. The respondent's cookie then says only "a code was
// accepted", and the answers arrive much later in another transaction, so
// nothing the database keeps (no row, id, time or adjacent transaction)
// ties the code to the response. It fails with CodeNotFound when the code
// does not exist for this diagnostic or was spent already.
//
// The price: a respondent who loses their cookie (another browser, a closed
// private window) cannot use the code again and asks the consultant for a
// new one.
func (s *Store) SpendAccessCode(ctx context.Context, diagnosticID, code string) error {
	h := codeHash(diagnosticID, code)
	err := s.writeStatement(ctx, "spend access code", func(ctx context.Context, db bun.IDB) error {
		var res sql.Result
		var err error
		if s.dialect == DialectPostgres {
			// Bind parameters: the statement carries a code hash (params.go).
			res, err = pgExec(ctx, s.db.DB, "DELETE FROM access_codes WHERE code_hash = $1 AND diagnostic_id = $2", h, diagnosticID)
		} else {
			res, err = db.NewDelete().Model((*accessCodeRow)(nil)).
				Where("code_hash = ?", h).Where("diagnostic_id = ?", diagnosticID).Exec(ctx)
		}
		return notFoundIfNone(res, err, "unknown or used access code")
	})
	if err == nil {
		s.markDirty()
	}
	return err
}
