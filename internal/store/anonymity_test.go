package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// column is one column of a table as the database describes it.
type column struct {
	table, name, typ string
}

// dump returns every column of every table of the store's schema and every
// value in it, read with raw SQL so that nothing the store's own code would
// skip goes unseen.
func dump(t *testing.T, s *store.Store) (columns []column, values map[column][]string) {
	t.Helper()
	db := store.WriterDB(s)
	query := `SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	if s.Dialect() == store.DialectPostgres {
		query = `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
			ORDER BY c.table_name, c.ordinal_position`
	}
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		columns = append(columns, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(columns) == 0 {
		t.Fatal("no columns found")
	}

	values = map[column][]string{}
	for _, c := range columns {
		rows, err := db.Query(fmt.Sprintf(`SELECT %q FROM %q`, c.name, c.table))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v any
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			values[c] = append(values[c], format(v))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return columns, values
}

func format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

var (
	timeOfDay = regexp.MustCompile(`\d{1,2}:\d{2}`)
	dateOnly  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// finerThanDate reports whether v could be a moment finer than a calendar
// date: a time of day, or a number that is a Unix time near now in
// seconds, milliseconds, microseconds or nanoseconds.
func finerThanDate(v string, now time.Time) bool {
	if timeOfDay.MatchString(v) {
		return true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false
	}
	for _, unit := range []time.Duration{time.Second, time.Millisecond, time.Microsecond, time.Nanosecond} {
		at := time.Unix(0, 0).Add(time.Duration(n) * unit)
		if unit != time.Nanosecond && n > int64(1<<62)/int64(unit) {
			continue
		}
		if at.After(now.Add(-48*time.Hour)) && at.Before(now.Add(48*time.Hour)) {
			return true
		}
	}
	return false
}

// After several submissions, nothing in the database connects a response to
// its nonce or a moment finer than the day, and the order of the responses
// does not betray the order of submission.
func TestResponsesAreAnonymous(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		type submission struct {
			nonce    string
			response *survey.Response
		}
		var submitted []submission
		for i := range 24 {
			nonce, r := submitNew(t, s, diag.ID, i)
			submitted = append(submitted, submission{nonce, r})
		}
		if _, _, err := s.SealingKeys(ctx); err != nil {
			t.Fatal(err)
		}

		columns, values := dump(t, s)
		responseIDs := map[string]bool{}
		var insertionOrder []string
		for _, sub := range submitted {
			responseIDs[sub.response.ID] = true
			insertionOrder = append(insertionOrder, sub.response.ID)
		}
		// The tables whose rows a response row connects to: responses itself,
		// and any table holding a response id.
		linked := map[string]bool{"responses": true}
		for c, vs := range values {
			for _, v := range vs {
				if responseIDs[v] {
					linked[c.table] = true
				}
			}
		}
		if len(linked) > 1 {
			t.Errorf("response ids appear outside responses, in %v", linked)
		}

		now := time.Now()
		for _, c := range columns {
			// The nonces are kept hashed only: in the clear they are the
			// respondent's sealed state's, nowhere in the database.
			for _, v := range values[c] {
				for i, sub := range submitted {
					for what, secret := range map[string]string{
						"nonce": sub.nonce,
					} {
						if strings.Contains(v, secret) {
							t.Errorf("%s.%s holds the %s of submission %d", c.table, c.name, what, i)
						}
					}
				}
			}
			if !linked[c.table] {
				continue
			}
			for _, part := range strings.Split(strings.ToLower(c.name), "_") {
				switch part {
				case "ip", "agent", "cookie", "draft", "token", "code", "nonce", "session",
					"at", "time", "timestamp", "created", "updated", "seq", "rowid", "order":
					t.Errorf("column %s.%s suggests identifying or ordering data", c.table, c.name)
				}
			}
			typ := strings.ToLower(c.typ)
			if strings.Contains(typ, "time") || strings.Contains(typ, "serial") {
				t.Errorf("column %s.%s has type %s", c.table, c.name, c.typ)
			}
			for _, v := range values[c] {
				if finerThanDate(v, now) {
					t.Errorf("%s.%s holds %q: a time finer than the date", c.table, c.name, v)
				}
			}
		}
		var dates int
		for c, vs := range values {
			if c.table != "responses" || c.name != "submitted_on" {
				continue
			}
			for _, v := range vs {
				dates++
				if !dateOnly.MatchString(v) {
					t.Errorf("submitted_on %q is not a calendar date", v)
				}
			}
		}
		if dates != len(submitted) {
			t.Errorf("found %d submission dates for %d responses", dates, len(submitted))
		}

		// The nonce hashes prove only that a submission happened once: the
		// table has nothing else that could tie it to a response.
		var nonceColumns []string
		for _, c := range columns {
			if c.table == "submission_nonces" {
				nonceColumns = append(nonceColumns, c.name)
			}
		}
		if want := []string{"nonce_hash", "diagnostic_id"}; !slices.Equal(nonceColumns, want) {
			t.Errorf("submission_nonces has columns %v, want %v", nonceColumns, want)
		}

		// Random ids: neither they nor the table's own order follow
		// insertion (for 24 rows, chance of a false alarm is 1 in 24!).
		if slices.IsSorted(insertionOrder) {
			t.Error("response ids increase in the order of submission")
		}
		rev := slices.Clone(insertionOrder)
		slices.Reverse(rev)
		if slices.IsSorted(rev) {
			t.Error("response ids decrease in the order of submission")
		}
		if s.Dialect() == store.DialectSQLite {
			// WITHOUT ROWID: no hidden counter of insertion, and a scan
			// returns rows in id order rather than in insertion order.
			for _, table := range []string{"responses", "submission_nonces"} {
				if _, err := store.WriterDB(s).Exec("SELECT rowid FROM " + table); err == nil {
					t.Errorf("%s has a rowid, which records insertion order", table)
				}
			}
			var scanned []string
			rows, err := store.WriterDB(s).Query("SELECT id FROM responses")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				scanned = append(scanned, id)
			}
			rows.Close()
			if slices.Equal(scanned, insertionOrder) {
				t.Error("a plain scan of responses returns them in insertion order")
			}
		}
	})
}

// No table keeps respondents' progress: it lives sealed in their cookie.
// An upgraded installation loses its drafts table (migration 0008).
func TestNoDraftTable(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		columns, _ := dump(t, s)
		for _, c := range columns {
			if c.table == "drafts" {
				t.Fatalf("table drafts still exists (column %s)", c.name)
			}
		}
	})
}

// The database file never holds a submission's nonce in the clear, nor a
// spent code or its hash, even before a checkpoint.
func TestSQLiteFilesHoldNoNonceOrSpentCode(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	diag := newDiagnostic(t, s)
	codes, err := s.CreateAccessCodes(ctx, diag.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	var nonces []string
	for i := range 20 {
		if err := s.SpendAccessCode(ctx, diag.ID, codes[i]); err != nil {
			t.Fatal(err)
		}
		nonce, _ := submitNew(t, s, diag.ID, i)
		nonces = append(nonces, nonce)
	}
	var files []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(store.SQLitePath(s) + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		files = append(files, b...)
	}
	for i, nonce := range nonces {
		if bytes.Contains(files, []byte(nonce)) {
			t.Errorf("the database files hold the nonce of submission %d in the clear", i)
		}
		if bytes.Contains(files, []byte(codes[i])) {
			t.Errorf("the database files hold spent code %d in the clear", i)
		}
	}
}
