package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// BenchmarkScrub measures Scrub at 10,000 and 150,000 responses of the
// size a full questionnaire gives, and on PostgreSQL also VACUUM FULL of
// responses alone: the time it holds ACCESS EXCLUSIVE, during which
// submissions wait. docs/benchmarks.md has the figures and
// DefaultScrubInterval the choice made from them.
//
//	go test -run '^$' -bench Scrub -benchtime 3x ./internal/store/
func BenchmarkScrub(b *testing.B) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		for _, n := range []int{10000, 150000} {
			b.Run(fmt.Sprintf("%s-%dk", dialect, n/1000), func(b *testing.B) {
				s := storetest.Open(b, dialect)
				fillResponses(b, s, n)
				ctx := context.Background()
				b.ResetTimer()
				for b.Loop() {
					if err := s.Scrub(ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(databaseSize(b, s))/1e6, "MB")
			})
			if dialect == store.DialectPostgres && n == 150000 {
				b.Run("postgres-vacuum-full-responses-150k", func(b *testing.B) {
					s := storetest.Open(b, dialect)
					fillResponses(b, s, n)
					b.ResetTimer()
					for b.Loop() {
						if _, err := store.WriterDB(s).Exec("VACUUM FULL responses"); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// fillResponses inserts n responses to one diagnostic with raw SQL (Submit
// would take minutes), each with random id and the answers of a complete
// questionnaire's size.
func fillResponses(b *testing.B, s *store.Store, n int) {
	b.Helper()
	d := newDiagnostic(b, s)
	// The size of a response to the real questionnaire: 48 scale items and
	// two open answers of 300 characters.
	r := testResponse(d.ID, 1)
	for i := range 48 {
		r.Answers[fmt.Sprintf("factor%d_item%d", i/6, i%6)] = i%5 + 1
	}
	r.Open = map[string]string{"open-help": strings.Repeat("Minder regels. ", 20), "open-hinder": strings.Repeat("Meer ruimte. ", 23)}
	bg, _ := json.Marshal(r.Background)
	answers, _ := json.Marshal(r.Answers)
	open, _ := json.Marshal(r.Open)
	query := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
		INSERT INTO responses (id, diagnostic_id, submitted_on, background, answers, open_answers)
		SELECT lower(hex(randomblob(16))), ?, '2025-03-14', ?, ?, ? FROM g`
	if s.Dialect() == store.DialectPostgres {
		query = `INSERT INTO responses (id, diagnostic_id, submitted_on, background, answers, open_answers)
			SELECT md5(random()::text || i), $2, '2025-03-14', $3, $4, $5 FROM generate_series(1, $1) i`
	}
	if _, err := store.WriterDB(s).Exec(query, n, d.ID, string(bg), string(answers), string(open)); err != nil {
		b.Fatal(err)
	}
}

// databaseSize returns the size of the SQLite file, or of the responses
// table with its indexes and TOAST on PostgreSQL.
func databaseSize(b *testing.B, s *store.Store) int64 {
	b.Helper()
	if s.Dialect() == store.DialectSQLite {
		fi, err := os.Stat(store.SQLitePath(s))
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	var n int64
	if err := store.WriterDB(s).QueryRow("SELECT pg_total_relation_size('responses')").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
