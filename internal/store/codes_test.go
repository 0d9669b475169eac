package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// submitWithCode plays a respondent with a code: spend the code when it is
// entered, submit the answers later with a fresh nonce.
func submitWithCode(t *testing.T, s *store.Store, diagID, code string, seed int) (*survey.Response, error) {
	t.Helper()
	ctx := context.Background()
	if err := s.SpendAccessCode(ctx, diagID, code); err != nil {
		return nil, err
	}
	r := testResponse(diagID, seed)
	return r, s.Submit(ctx, newNonce(), r)
}

func TestAccessCodesAreSingleUseAndUnlinkable(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		codes, err := s.CreateAccessCodes(ctx, diag.ID, 20)
		if err != nil || len(codes) != 20 {
			t.Fatalf("CreateAccessCodes: %d %v", len(codes), err)
		}
		if _, err := s.CreateAccessCodes(ctx, diag.ID, 0); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("zero codes: %v", err)
		}
		if err := s.SpendAccessCode(ctx, diag.ID, "ABCDEFGH"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("an unknown code is accepted: %v", err)
		}
		other := newDiagnostic(t, s)
		if err := s.SpendAccessCode(ctx, other.ID, codes[19]); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("a code of another diagnostic is accepted: %v", err)
		}
		var responses []*survey.Response
		for i, code := range codes[:10] {
			r, err := submitWithCode(t, s, diag.ID, code, i)
			if err != nil {
				t.Fatalf("submission %d: %v", i, err)
			}
			responses = append(responses, r)
		}
		// Every acknowledged answer is stored; every used code is spent.
		if n, _ := s.CountResponses(ctx, diag.ID); n != 10 {
			t.Fatalf("stored %d responses, want 10", n)
		}
		if issued, used, err := s.AccessCodeCounts(ctx, diag.ID); err != nil || issued != 20 || used != 10 {
			t.Fatalf("counts: issued %d used %d %v", issued, used, err)
		}
		for _, code := range codes[:10] {
			if err := s.SpendAccessCode(ctx, diag.ID, code); survey.ErrorCode(err) != survey.CodeNotFound {
				t.Errorf("a used code is accepted again: %v", err)
			}
		}

		// Nothing in the database connects a used code to a response: the
		// used codes (in the clear or hashed) are nowhere, and what is left
		// of the codes shares no transaction, row id or order with the
		// responses.
		columns, values := dump(t, s)
		for _, c := range columns {
			for _, v := range values[c] {
				for i, code := range codes[:10] {
					if strings.Contains(v, code) || strings.Contains(v, store.CodeHash(diag.ID, code)) {
						t.Errorf("%s.%s holds used code %d", c.table, c.name, i)
					}
				}
			}
		}
		db := store.WriterDB(s)
		if s.Dialect() == store.DialectPostgres {
			var shared int
			err := db.QueryRowContext(ctx, `SELECT count(*) FROM access_codes c JOIN responses r ON c.xmin = r.xmin`).Scan(&shared)
			if err != nil || shared != 0 {
				t.Errorf("codes and responses share %d transactions (%v)", shared, err)
			}
			// A join on the physical position finds nothing either: the
			// remaining codes were all written by one transaction, before
			// any response.
			var codeTx int
			if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT xmin::text) FROM access_codes`).Scan(&codeTx); err != nil || codeTx != 1 {
				t.Errorf("remaining codes come from %d transactions (%v), want 1", codeTx, err)
			}
		} else {
			for _, table := range []string{"access_codes", "responses"} {
				if _, err := db.ExecContext(ctx, "SELECT rowid FROM "+table); err == nil {
					t.Errorf("%s has a rowid that records insertion order", table)
				}
			}
		}
		// The responses' stored order is not the order of submission.
		rows, err := db.QueryContext(ctx, "SELECT id FROM responses")
		if err != nil {
			t.Fatal(err)
		}
		var stored []string
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			stored = append(stored, id)
		}
		rows.Close()
		var submittedOrder []string
		for _, r := range responses {
			submittedOrder = append(submittedOrder, r.ID)
		}
		if s.Dialect() == store.DialectSQLite && strings.Join(stored, ",") == strings.Join(submittedOrder, ",") {
			t.Error("responses are stored in submission order")
		}
	})
}

func TestOneCodeAllowsExactlyOneSubmission(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		codes, err := s.CreateAccessCodes(ctx, diag.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		// Eight people share one code and submit at once: one gets in.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = submitWithCode(t, s, diag.ID, codes[0], i)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch survey.ErrorCode(err) {
			case "":
				ok++
			case survey.CodeConflict, survey.CodeNotFound:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if n, _ := s.CountResponses(ctx, diag.ID); ok != 1 || n != 1 {
			t.Fatalf("%d submissions acknowledged, %d stored; want 1 and 1", ok, n)
		}
	})
}

// A code is spent when entered, whatever happens to the answers: a failed
// submit does not give it back, and the retry needs no code.
func TestSpentCodeStaysSpentWhenTheSubmitFails(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		codes, _ := s.CreateAccessCodes(ctx, diag.ID, 1)
		if err := s.SpendAccessCode(ctx, diag.ID, codes[0]); err != nil {
			t.Fatal(err)
		}
		nonce := newNonce()
		bad := testResponse(diag.ID, 1)
		bad.SubmittedOn = "2025-03-14T10:00"
		if err := s.Submit(ctx, nonce, bad); err == nil {
			t.Fatal("a time finer than a date was accepted")
		}
		if _, used, _ := s.AccessCodeCounts(ctx, diag.ID); used != 1 {
			t.Fatalf("used = %d after a failed submit, want 1", used)
		}
		if err := s.Submit(ctx, nonce, testResponse(diag.ID, 1)); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountResponses(ctx, diag.ID); n != 1 {
			t.Fatalf("stored %d", n)
		}
	})
}
