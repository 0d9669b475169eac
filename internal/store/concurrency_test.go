package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const submitters = 64

// 64 respondents at once, each through the whole flow (draft, save,
// submit), while results are being read: no error at all (in particular no
// "database is locked"), and every acknowledged submission is stored.
func TestConcurrentSubmits(t *testing.T) {
	storetest.ForEachDialect(t, testConcurrentSubmits)
	// The single writer connection with BEGIN IMMEDIATE must hold on its
	// own; group commit is for speed, not for correctness.
	t.Run("sqlite-without-group-commit", func(t *testing.T) {
		url := storetest.DatabaseURL(t, store.DialectSQLite)
		s, err := store.OpenWithoutGroupCommit(context.Background(), url, store.Options{Migrations: uitvoeringskracht.Migrations})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		testConcurrentSubmits(t, s)
	})
}

func testConcurrentSubmits(t *testing.T, s *store.Store) {
	{
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		const perSubmitter = 5
		var acknowledged atomic.Int64
		errs := make(chan error, submitters*perSubmitter)
		var wg sync.WaitGroup
		for g := range submitters {
			wg.Go(func() {
				for i := range perSubmitter {
					if err := s.Submit(ctx, newNonce(), testResponse(diag.ID, g*perSubmitter+i)); err != nil {
						errs <- err
						continue
					}
					acknowledged.Add(1)
				}
			})
		}
		readers := make(chan struct{})
		var readWG sync.WaitGroup
		for range 4 {
			readWG.Go(func() {
				for {
					select {
					case <-readers:
						return
					default:
					}
					if _, err := s.Responses(ctx, diag.ID); err != nil {
						errs <- err
						return
					}
					// A dashboard, not a busy loop: on two cores, readers
					// that never yield would only measure the scheduler.
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Wait()
		close(readers)
		readWG.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent flow: %v", err)
		}
		n, err := s.CountResponses(ctx, diag.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := acknowledged.Load(); int64(n) != want || want != submitters*perSubmitter {
			t.Errorf("stored %d responses, acknowledged %d, submitted %d", n, want, submitters*perSubmitter)
		}
	}
}

// Submissions of one nonce that race each other (and may share a group
// commit) store exactly one response; the others get a conflict and do not
// disturb unrelated submissions in the same batch.
func TestConcurrentDuplicateSubmits(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		dup := newNonce()
		var ok, conflicts, unique atomic.Int64
		var wg sync.WaitGroup
		for g := range submitters {
			wg.Go(func() {
				if g%2 == 0 {
					err := s.Submit(ctx, dup, testResponse(diag.ID, g))
					switch survey.ErrorCode(err) {
					case "":
						ok.Add(1)
					case survey.CodeConflict:
						conflicts.Add(1)
					default:
						t.Errorf("duplicate Submit: %v", err)
					}
					return
				}
				if err := s.Submit(ctx, newNonce(), testResponse(diag.ID, g)); err != nil {
					t.Errorf("unique Submit: %v", err)
					return
				}
				unique.Add(1)
			})
		}
		wg.Wait()
		if ok.Load() != 1 || conflicts.Load() != submitters/2-1 || unique.Load() != submitters/2 {
			t.Errorf("duplicates: %d stored, %d conflicts; unique: %d stored", ok.Load(), conflicts.Load(), unique.Load())
		}
		if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != 1+submitters/2 {
			t.Errorf("CountResponses = %d, %v; want %d", n, err, 1+submitters/2)
		}
	})
}

// Closing the store while submissions are in flight: every submission is
// either acknowledged and stored, or refused; none hangs, and none is
// stored without an acknowledgement.
func TestCloseDuringSubmits(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.DatabaseURL(t, dialect)
			s := openMigrated(t, url)
			diag := newDiagnostic(t, s)
			var acknowledged atomic.Int64
			var wg sync.WaitGroup
			started := make(chan struct{})
			for g := range submitters {
				wg.Go(func() {
					for i := 0; ; i++ {
						if g == 0 && i == 5 {
							close(started)
						}
						r := testResponse(diag.ID, i)
						if err := s.Submit(ctx, fmt.Sprintf("nonce-%d-%d", g, i), r); err != nil {
							return
						}
						acknowledged.Add(1)
					}
				})
			}
			<-started
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("submissions hang after Close")
			}

			reopened := openMigrated(t, url)
			n, err := reopened.CountResponses(ctx, diag.ID)
			if err != nil {
				t.Fatal(err)
			}
			if int64(n) != acknowledged.Load() {
				t.Errorf("stored %d responses, acknowledged %d", n, acknowledged.Load())
			}
		})
	}
}
