package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// cmdPurge deletes the answers of diagnostics that closed longer ago than
// the retention period, as the data-processing agreement requires, and
// the outbox's messages older than the mail retention period. There
// are no abandoned drafts to purge: a respondent's progress lives sealed in
// their own cookie, never on the server.
func cmdPurge(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, now time.Time) error {
	fs := newFlagSet("purge", stderr)
	config := configFlags(fs, getenv)
	olderThan := fs.String("older-than", "", "retention period after closing, e.g. 24mo, 2y or 90d (default: --retention-months, the period the privacy notices state)")
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	if *olderThan == "" {
		*olderThan = strconv.Itoa(cfg.RetentionMonths) + "mo"
	}
	cutoff, err := retentionCutoff(*olderThan, now)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Purge(ctx, cutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deleted %d responses of %d diagnostics closed before %s.\n", res.Responses, res.Diagnostics, cutoff.Format("2006-01-02"))
	mailCutoff := now.Add(-cfg.mailRetention())
	n, err := st.PurgeMessages(ctx, mailCutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deleted %d messages from the outbox that were finished before %s (--mail-retention-days %d).\n", n, mailCutoff.UTC().Format("2006-01-02"), cfg.MailRetentionDays)
	return nil
}

// mailRetention is the outbox's retention period; a Config that did not
// come from the flags (tests) has none, and keeps every message.
func (c Config) mailRetention() time.Duration {
	return time.Duration(c.MailRetentionDays) * 24 * time.Hour
}

// retentionCutoff turns "24mo", "2y" or "90d" into the moment before which
// a diagnostic must have closed for its answers to go.
func retentionCutoff(period string, now time.Time) (time.Time, error) {
	period = strings.TrimSpace(strings.ToLower(period))
	units := []struct {
		suffix string
		apply  func(int) time.Time
	}{
		{"mo", func(n int) time.Time { return now.AddDate(0, -n, 0) }},
		{"y", func(n int) time.Time { return now.AddDate(-n, 0, 0) }},
		{"d", func(n int) time.Time { return now.AddDate(0, 0, -n) }},
	}
	for _, u := range units {
		if num, ok := strings.CutSuffix(period, u.suffix); ok {
			n, err := strconv.Atoi(num)
			if err != nil || n < 1 {
				break
			}
			return u.apply(n), nil
		}
	}
	return time.Time{}, fmt.Errorf("the period must be a positive number of months, years or days, such as 24mo, 2y or 90d (got %q)", period)
}

// cmdBackup writes a consistent copy of the SQLite database while the
// service runs. PostgreSQL is backed up with pg_dump.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("backup", stderr)
	config := configFlags(fs, getenv)
	out := fs.String("out", "", "file to write the copy to; it must not exist (required)")
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%w: %s exists already; choose a new file", errUsage, *out)
	}
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg.LogFormat))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a consistent copy of the database to %s.\n", *out)
	return nil
}
