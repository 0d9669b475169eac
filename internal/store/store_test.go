package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestOpenRejectsUnknownURLs(t *testing.T) {
	for _, url := range []string{
		"",
		"mysql://root:secret@localhost/db",
		"data/uitvoeringskracht.db",
		"sqlite:",
		"sqlite::memory:",
		"sqlite://data/x.db",
		"sqlite:data/x.db?mode=ro",
	} {
		s, err := store.Open(context.Background(), url, store.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if got := survey.ErrorCode(err); got != survey.CodeInvalid {
			t.Errorf("Open(%q): code %q, want invalid: %v", url, got, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) repeats the password: %v", url, err)
		}
	}
	_, err := store.Open(context.Background(), "mysql://x", store.Options{})
	for _, form := range []string{"sqlite:", "postgres://"} {
		if !strings.Contains(survey.ErrorMessage(err), form) {
			t.Errorf("message %q does not name the accepted form %q", survey.ErrorMessage(err), form)
		}
	}
}

func TestOpenSQLiteCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "uk.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if s.Dialect() != store.DialectSQLite {
		t.Errorf("Dialect() = %q", s.Dialect())
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
}

func TestDialect(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		if want := filepath.Base(t.Name()); s.Dialect() != want {
			t.Errorf("Dialect() = %q, want %q", s.Dialect(), want)
		}
		if err := s.Ready(context.Background()); err != nil {
			t.Errorf("Ready after Migrate: %v", err)
		}
	})
}

func TestOrganisationAndDiagnostic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		if d.ID == "" || d.Token == "" || d.CreatedAt.IsZero() || d.Organisation.ID == "" {
			t.Fatalf("ids and times not filled in: %+v", d)
		}
		if d.ID == d.Token {
			t.Fatal("the id doubles as the secret token")
		}
		for name, load := range map[string]func() (*survey.Diagnostic, error){
			"Diagnostic":        func() (*survey.Diagnostic, error) { return s.Diagnostic(ctx, d.ID) },
			"DiagnosticByToken": func() (*survey.Diagnostic, error) { return s.DiagnosticByToken(ctx, d.Token) },
		} {
			got, err := load()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(got, d) {
				t.Errorf("%s:\n got %+v\nwant %+v", name, got, d)
			}
		}
		_, err := s.Diagnostic(ctx, "no-such-id")
		wantCode(t, err, survey.CodeNotFound)
		_, err = s.DiagnosticByToken(ctx, d.ID)
		wantCode(t, err, survey.CodeNotFound)

		orphan := &survey.Diagnostic{OrganisationID: "no-such-organisation", Questionnaire: testQuestionnaire(), State: survey.StateDraft}
		wantCode(t, s.CreateDiagnostic(ctx, orphan), survey.CodeNotFound)
	})
}

// The questionnaire is a snapshot: what was stored comes back exactly, and
// the caller's later edits of its copy do not reach the store.
func TestQuestionnaireSnapshot(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)

		d.Questionnaire.Title["nl"] = "Gewijzigd"
		d.Questionnaire.Factors[0].Items[0].Text["nl"] = "Gewijzigd"
		d.Questionnaire.Factors = append(d.Questionnaire.Factors, survey.Factor{ID: "extra"})
		d.Questionnaire.Routes[0].Weights[0].Weight = 1
		d.Questionnaire.Languages[1] = "de"
		d.Units[0].Name = "Gewijzigd"

		got, err := s.Diagnostic(ctx, d.ID)
		if err != nil {
			t.Fatalf("Diagnostic: %v", err)
		}
		if want := testQuestionnaire(); !reflect.DeepEqual(got.Questionnaire, want) {
			t.Errorf("questionnaire changed in the store:\n got %+v\nwant %+v", got.Questionnaire, want)
		}
		if want := testUnits(); !reflect.DeepEqual(got.Units, want) {
			t.Errorf("units = %+v, want %+v", got.Units, want)
		}
		// The loaded copy is the caller's own as well.
		got.Questionnaire.Title["nl"] = "Ook gewijzigd"
		again, err := s.DiagnosticByToken(ctx, d.Token)
		if err != nil {
			t.Fatalf("DiagnosticByToken: %v", err)
		}
		if !reflect.DeepEqual(again.Questionnaire, testQuestionnaire()) {
			t.Error("editing a loaded questionnaire changed the next load")
		}
	})
}

// The sealing key is made once and shared: a second store on the same
// database (another instance, or the same one after a restart) gets the
// same key, so a respondent's sealed progress opens everywhere.
func TestSealingKeysAreSharedAndStable(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		keys, current, err := s.SealingKeys(ctx)
		if err != nil {
			t.Fatalf("SealingKeys: %v", err)
		}
		if current != 1 || len(keys) != 1 || len(keys[1]) != store.SealingKeySize {
			t.Fatalf("first keys = %d keys, current %d", len(keys), current)
		}
		if bytes.Equal(keys[1], make([]byte, store.SealingKeySize)) {
			t.Fatal("the sealing key is all zeros")
		}
		again, current2, err := s.SealingKeys(ctx)
		if err != nil || current2 != 1 || !bytes.Equal(again[1], keys[1]) {
			t.Fatalf("second call gave another key (%v)", err)
		}
		// Instances starting at once race to make the first key; all of
		// them end up with the same one.
		var n int
		if err := store.WriterDB(s).QueryRow("SELECT count(*) FROM sealing_keys").Scan(&n); err != nil || n != 1 {
			t.Fatalf("sealing_keys has %d rows (%v), want 1", n, err)
		}
	})
}

func TestConcurrentFirstSealingKeyIsOne(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		got := make([][]byte, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys, current, err := s.SealingKeys(ctx)
				if err != nil {
					t.Errorf("SealingKeys: %v", err)
					return
				}
				got[i] = keys[current]
			}()
		}
		wg.Wait()
		for i := range got {
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("caller %d got another key than caller 0", i)
			}
		}
	})
}

func TestSubmit(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		nonce := newNonce()
		r := testResponse(diag.ID, 7)
		if err := s.Submit(ctx, nonce, r); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if len(r.ID) < 22 {
			t.Fatalf("response id %q is not a random id", r.ID)
		}
		got, err := s.Responses(ctx, diag.ID)
		if err != nil {
			t.Fatalf("Responses: %v", err)
		}
		if len(got) != 1 || !reflect.DeepEqual(&got[0], r) {
			t.Fatalf("Responses = %+v, want [%+v]", got, r)
		}

		// The same nonce again, as after a double click: a conflict, and
		// nothing stored.
		again := testResponse(diag.ID, 8)
		wantCode(t, s.Submit(ctx, nonce, again), survey.CodeConflict)
		if again.ID != "" {
			t.Error("a refused submission got an id")
		}
		if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != 1 {
			t.Fatalf("CountResponses = %d, %v; want 1", n, err)
		}
		if err := s.Submit(ctx, "fresh-nonce", testResponse(diag.ID, 9)); err != nil {
			t.Fatalf("Submit with a fresh nonce: %v", err)
		}
		wantCode(t, s.Submit(ctx, newNonce(), testResponse("no-such-diagnostic", 1)), survey.CodeNotFound)
		if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != 2 {
			t.Fatalf("CountResponses = %d, %v; want 2", n, err)
		}

		// Nil maps come back empty, not nil.
		sparse := &survey.Response{DiagnosticID: diag.ID, SubmittedOn: "2025-03-15"}
		if err := s.Submit(ctx, newNonce(), sparse); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		all, err := s.Responses(ctx, diag.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range all {
			if r.Background == nil || r.Answers == nil || r.Open == nil {
				t.Errorf("response %s has nil maps", r.ID)
			}
		}
		if n, err := s.CountResponses(ctx, "no-such-diagnostic"); err != nil || n != 0 {
			t.Errorf("CountResponses(unknown) = %d, %v", n, err)
		}
	})
}

func TestSubmitRejectsTimesAndMissingFields(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		for _, on := range []string{"", "2025-03-14T10:31:00Z", "2025-03-14 10:31", "14-03-2025", "1741948260"} {
			r := testResponse(diag.ID, 1)
			r.SubmittedOn = on
			wantCode(t, s.Submit(ctx, "n-"+on, r), survey.CodeInvalid)
		}
		wantCode(t, s.Submit(ctx, "", testResponse(diag.ID, 1)), survey.CodeInvalid)
		wantCode(t, s.Submit(ctx, "n", testResponse("", 1)), survey.CodeInvalid)
		if n, _ := s.CountResponses(ctx, diag.ID); n != 0 {
			t.Errorf("%d invalid responses stored", n)
		}
	})
}

func TestCreatedAtUsesClock(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			at := time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
			s := storetest.OpenWith(t, dialect, store.Options{Now: func() time.Time { return at }})
			d := newDiagnostic(t, s)
			want := at.UTC().Truncate(time.Microsecond)
			if !d.CreatedAt.Equal(want) || !d.Organisation.CreatedAt.Equal(want) {
				t.Errorf("CreatedAt = %v, want %v", d.CreatedAt, want)
			}
			got, err := s.Diagnostic(context.Background(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.CreatedAt != want || got.Organisation.CreatedAt != want {
				t.Errorf("loaded CreatedAt = %v / %v, want %v", got.CreatedAt, got.Organisation.CreatedAt, want)
			}
		})
	}
}

func TestClosedStore(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		done := make(chan error, 1)
		go func() { done <- s.Submit(ctx, "n", testResponse(diag.ID, 1)) }()
		select {
		case err := <-done:
			wantCode(t, err, survey.CodeInternal)
		case <-time.After(10 * time.Second):
			t.Fatal("Submit on a closed store hangs")
		}
		if err := s.Ready(ctx); err == nil {
			t.Error("Ready on a closed store")
		}
	})
}

func TestCanceledContext(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		diag := newDiagnostic(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Submit(ctx, "n", testResponse(diag.ID, 1))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Submit with canceled context: %v", err)
		}
		if n, _ := s.CountResponses(context.Background(), diag.ID); n != 0 {
			t.Errorf("a canceled submission was stored")
		}
	})
}
