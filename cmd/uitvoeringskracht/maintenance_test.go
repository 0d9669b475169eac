package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestRetentionCutoff(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24mo": time.Date(2024, 11, 25, 12, 0, 0, 0, time.UTC),
		"2y":   time.Date(2024, 11, 25, 12, 0, 0, 0, time.UTC),
		"90d":  time.Date(2026, 8, 27, 12, 0, 0, 0, time.UTC),
	} {
		if got, err := retentionCutoff(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "24", "0mo", "-1y", "twomo", "3w"} {
		if _, err := retentionCutoff(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPurgeAndBackupCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	createDiagnostic(t, db)
	code, out, errOut := runCLI(t, nil, "purge", "--database", db, "--older-than", "24mo")
	if code != 0 || !strings.Contains(out, "Deleted 0 responses of 0 diagnostics") {
		t.Errorf("purge: %d %q %q", code, out, errOut)
	}
	// Without --older-than the configured retention period applies.
	code, out, errOut = runCLI(t, map[string]string{"UK_RETENTION_MONTHS": "6"}, "purge", "--database", db)
	wantCutoff := time.Now().AddDate(0, -6, 0).Format("2006-01-02")
	if code != 0 || !strings.Contains(out, "closed before "+wantCutoff) || strings.Contains(out, "drafts") {
		t.Errorf("purge with the configured retention: %d %q %q (want the cutoff %s)", code, out, errOut, wantCutoff)
	}
	backup := filepath.Join(dir, "copy.db")
	code, out, errOut = runCLI(t, nil, "backup", "--database", db, "--out", backup)
	if code != 0 || !strings.Contains(out, "consistent copy") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if info, err := os.Stat(backup); err != nil || info.Size() == 0 {
		t.Fatalf("no backup file: %v", err)
	}
	if code, _, errOut := runCLI(t, nil, "backup", "--database", db, "--out", backup); code != 2 || !strings.Contains(errOut, "exists already") {
		t.Errorf("backup over an existing file: %d %q", code, errOut)
	}
}

func TestPurgeDeletesOldMessages(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	ctx := context.Background()
	st, err := openPreparedStore(ctx, Config{DatabaseURL: db, Migrate: true, LogFormat: "text"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// One message finished 40 days ago, one 10 days ago.
	for _, age := range []int{40, 10} {
		m := &survey.OutgoingMessage{Kind: survey.MessageTest, Lang: "nl", To: []string{"a@b.example"}, Subject: "Test", Text: "Test"}
		if err := st.EnqueueMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
		claim, claimed, err := st.ClaimMessages(ctx, time.Now(), time.Minute, 1)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %d", err, len(claimed))
		}
		if err := st.FinishMessage(ctx, claim, claimed[0].ID, store.Outcome{State: survey.MessageSent, At: time.Now().AddDate(0, 0, -age)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	code, out, errOut := runCLI(t, map[string]string{"UK_MAIL_RETENTION_DAYS": "30"}, "purge", "--database", db)
	if code != 0 || !strings.Contains(out, "Deleted 1 messages from the outbox") || !strings.Contains(out, "--mail-retention-days 30") {
		t.Errorf("purge: %d %q %q", code, out, errOut)
	}
	// The default, 90 days, leaves the other; the flag wins over the
	// environment.
	code, out, errOut = runCLI(t, map[string]string{"UK_MAIL_RETENTION_DAYS": "5"}, "purge", "--database", db, "--mail-retention-days", "90")
	if code != 0 || !strings.Contains(out, "Deleted 0 messages") {
		t.Errorf("purge with 90 days: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "purge", "--database", db, "--mail-retention-days", "9")
	if code != 0 || !strings.Contains(out, "Deleted 1 messages") {
		t.Errorf("purge with 9 days: %d %q %q", code, out, errOut)
	}
	for _, bad := range []string{"0", "3651", "90d"} {
		if code, _, errOut := runCLI(t, nil, "purge", "--database", db, "--mail-retention-days", bad); code != 2 || !strings.Contains(errOut, "--mail-retention-days") {
			t.Errorf("--mail-retention-days %s: %d %q", bad, code, errOut)
		}
	}
}
