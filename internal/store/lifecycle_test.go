package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestPurgeDeletesAnswersPastRetentionOnly(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		byHand := newDiagnostic(t, s)  // closed by hand, now
		byDate := newDiagnostic(t, s)  // closed by its date, three years ago
		byHand2 := newDiagnostic(t, s) // closed by hand, now
		stillOpen := newDiagnostic(t, s)
		for _, d := range []*survey.Diagnostic{byHand, byDate, byHand2, stillOpen} {
			for i := range 3 {
				submitNew(t, s, d.ID, i)
			}
		}
		if err := s.SetDiagnosticState(ctx, byHand.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		longAgo := time.Now().AddDate(-3, 0, 0)
		byDate.ClosesAt = &longAgo
		if err := s.UpdateDiagnostic(ctx, byDate); err != nil {
			t.Fatal(err)
		}
		cutoff := time.Now().Add(time.Hour)
		if err := s.SetDiagnosticState(ctx, byHand2.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		res, err := s.Purge(ctx, cutoff.Add(-2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res.Diagnostics != 1 || res.Responses != 3 {
			t.Errorf("purge with a cutoff before every hand closing: %+v, want only the one closed by date", res)
		}
		res, err = s.Purge(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if res.Diagnostics != 2 || res.Responses != 6 {
			t.Errorf("purge with a cutoff after the hand closings: %+v", res)
		}
		for d, want := range map[*survey.Diagnostic]int{byHand: 0, byDate: 0, byHand2: 0, stillOpen: 3} {
			if n, _ := s.CountResponses(ctx, d.ID); n != want {
				t.Errorf("%s has %d responses, want %d", d.Name, n, want)
			}
			if _, err := s.Diagnostic(ctx, d.ID); err != nil {
				t.Errorf("purge removed the diagnostic itself: %v", err)
			}
		}
	})
}

func TestBackupMakesAConsistentCopy(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		submitNew(t, s, d.ID, 1)
		path := filepath.Join(t.TempDir(), "backup.db")
		err := s.Backup(ctx, path)
		if s.Dialect() == store.DialectPostgres {
			if survey.ErrorCode(err) != survey.CodeInvalid {
				t.Fatalf("PostgreSQL backup: %v, want an invalid error naming pg_dump", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM responses").Scan(&n); err != nil || n != 1 {
			t.Fatalf("the copy hbyHands %d responses (%v)", n, err)
		}
	})
}
