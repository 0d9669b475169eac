package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestFullDatabaseFailsWholeAndRecovers fills an SQLite database to its
// limit (PRAGMA max_page_count makes SQLite answer SQLITE_FULL exactly as
// a full disk does) and checks that a submission then fails as a whole
// (no nonce recorded, so the respondent's retry with the same sealed state
// is not taken for a duplicate), makes the store not ready, and succeeds on
// retry once there is room again.
func TestFullDatabaseFailsWholeAndRecovers(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.DialectSQLite)
	diag := newDiagnostic(t, s)
	nonces := make([]string, 2000)
	for i := range nonces {
		nonces[i] = newNonce()
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready before the disk fills: %v", err)
	}

	// The writer pool has exactly one connection, so the limit applies to
	// every write.
	writer := store.WriterDB(s)
	var pages int
	if err := writer.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	// Submit until SQLite refuses: the refused submission is the one a
	// respondent would be looking at.
	refused := ""
	stored := 0
	for i, nonce := range nonces {
		err := s.Submit(ctx, nonce, testResponse(diag.ID, i))
		if err == nil {
			stored++
			continue
		}
		if survey.ErrorCode(err) != survey.CodeInternal || !strings.Contains(err.Error(), "full") {
			t.Fatalf("a full database should fail with an internal 'full' error, got %v", err)
		}
		refused = nonce
		break
	}
	if refused == "" {
		t.Fatal("the database never filled up")
	}
	t.Logf("%d submissions fitted before the database was full", stored)

	if err := s.Ready(ctx); err == nil || !strings.Contains(err.Error(), "writes are failing") {
		t.Errorf("Ready on a full database: want 'writes are failing', got %v", err)
	}
	if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != stored {
		t.Errorf("responses after the failed submit: %d, %v; want %d", n, err, stored)
	}
	if used, err := s.NonceUsed(ctx, refused); err != nil || used {
		t.Errorf("nonce recorded by a failed submit: %v, %v", used, err)
	}

	// Room again: the same submission goes through, once.
	if _, err := writer.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, refused, testResponse(diag.ID, stored)); err != nil {
		t.Fatalf("Submit after space was freed: %v", err)
	}
	if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != stored+1 {
		t.Errorf("responses after the retry: %d, %v; want %d", n, err, stored+1)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready after a write succeeded again: %v", err)
	}
}

// TestReadyWantsFreeDiskSpace asks for more free space than any disk has.
func TestReadyWantsFreeDiskSpace(t *testing.T) {
	ctx := context.Background()
	url := storetest.DatabaseURL(t, store.DialectSQLite)
	s, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations, MinFreeDisk: 1 << 62})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err == nil || !strings.Contains(err.Error(), "disk nearly full") {
		t.Errorf("Ready with too little disk: want 'disk nearly full', got %v", err)
	}

	off, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations, MinFreeDisk: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { off.Close() })
	if err := off.Ready(ctx); err != nil {
		t.Errorf("Ready with the disk check off: %v", err)
	}
}
