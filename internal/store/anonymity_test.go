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
// its draft, its nonce or a moment finer than the day, and the order of the
// responses does not betray the order of submission.
func TestResponsesAreAnonymous(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		type submission struct {
			draft    *survey.Draft
			response *survey.Response
		}
		var submitted []submission
		for i := range 24 {
			d, err := s.CreateDraft(ctx, diag.ID)
			if err != nil {
				t.Fatal(err)
			}
			d.Answers["f1_1"] = i % 6
			if err := s.SaveDraft(ctx, d); err != nil {
				t.Fatal(err)
			}
			r := testResponse(diag.ID, i)
			if err := s.Submit(ctx, d.ID, d.Nonce, r); err != nil {
				t.Fatal(err)
			}
			submitted = append(submitted, submission{d, r})
		}
		// An unsubmitted draft may keep its nonce and time: it is no response.
		if _, err := s.CreateDraft(ctx, diag.ID); err != nil {
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
			// No trace of the drafts behind the responses: their ids (in the
			// clear or hashed) and nonces (in the clear) are gone everywhere.
			for _, v := range values[c] {
				for i, sub := range submitted {
					for what, secret := range map[string]string{
						"draft id":      sub.draft.ID,
						"draft id hash": store.Hash(sub.draft.ID),
						"nonce":         sub.draft.Nonce,
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

// Draft ids are stored hashed, so that reading the database does not hand
// out respondents' cookies.
func TestDraftIDsAreStoredHashed(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		diag := newDiagnostic(t, s)
		d, err := s.CreateDraft(ctx, diag.ID)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := store.WriterDB(s).QueryRow("SELECT id FROM drafts").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != store.Hash(d.ID) {
			t.Errorf("drafts.id = %q, want the SHA-256 of the draft id", stored)
		}
		_, values := dump(t, s)
		for c, vs := range values {
			for _, v := range vs {
				if strings.Contains(v, d.ID) {
					t.Errorf("%s.%s holds the draft id in the clear", c.table, c.name)
				}
			}
		}
	})
}

// SQLite keeps deleted rows in free space unless told otherwise. A
// submitted draft held the nonce, the answers and the time of its last
// save; after a checkpoint none of it may remain in the database file.
func TestSQLiteLeavesNoDeletedDrafts(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	diag := newDiagnostic(t, s)
	var drafts []*survey.Draft
	for i := range 20 {
		d, _ := submitNew(t, s, diag.ID, i)
		drafts = append(drafts, d)
	}
	if _, err := store.WriterDB(s).ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(store.SQLitePath(s))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range drafts {
		if bytes.Contains(file, []byte(d.Nonce)) || bytes.Contains(file, []byte(store.Hash(d.ID))) {
			t.Errorf("the database file still holds submitted draft %d", i)
		}
	}
}
