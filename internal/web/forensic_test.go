package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// The attack of issue 17 on what the service writes while respondents
// answer: someone holding the database (an administrator, a hosting
// provider, a backup) reads every table and the raw bytes of the database
// files, SQLite's main file and write-ahead log, PostgreSQL's heap pages
// (live and dead tuples, through pageinspect), looking for what a
// respondent entered or held: the answers of a questionnaire that was
// never sent, the open-answer text, the submission nonce, the access code
// and its hash; on SQLite also in a backup taken while both respondents are
// busy. Respondent A enters a code and answers every step but never
// sends; respondent B enters a code, answers and sends.
//
// With server-side drafts this failed on both dialects: the drafts table
// held A's answers and open text, both nonces in the clear and A's code
// hash, and the WAL and dead tuples kept B's draft after its deletion.
func TestNothingLinkableIsWrittenWhileAnswering(t *testing.T) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) { attackStorage(t, dialect) })
	}
}

func attackStorage(t *testing.T, dialect string) {
	{
		ctx := context.Background()
		url := storetest.DatabaseURL(t, dialect)
		st, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// The sealing keys are stored under UK_SECRET_KEY, as start-up
		// settles it.
		storetest.UseSecretKey(t, st)
		// A connection of the attacker's own, beside the service's.
		raw := rawDB(t, url)
		f, codes := codesFixture(t, st)
		markerA, markerB := "Merkteken-A-"+rand.Text(), "Merkteken-B-"+rand.Text()

		nonceA := f.reviewWithCode(t, f.browser(t), codes[0], markerA)
		b := f.browser(t)
		nonceB := f.reviewWithCode(t, b, codes[1], markerB)
		// A backup taken while both are busy.
		var backup []byte
		if dialect == store.DialectSQLite {
			path := filepath.Join(t.TempDir(), "backup.db")
			if err := st.Backup(ctx, path); err != nil {
				t.Fatal(err)
			}
			if backup, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		review := b.get("/d/" + f.diag.Token + "/controle")
		action, form := formOf(t, review.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Fatalf("submit: %d %s", p.status, p.location)
		}
		if n := countResponses(t, f); n != 1 {
			t.Fatalf("stored %d responses, want 1", n)
		}

		secrets := map[string]string{
			"the unsent open answer": markerA,
			"nonce A":                nonceA,
			"nonce B":                nonceB,
			"code A":                 codes[0],
			"code B":                 codes[1],
			"code A's hash":          codeHashOf(f.diag.ID, codes[0]),
			"code B's hash":          codeHashOf(f.diag.ID, codes[1]),
		}

		for what, secret := range secrets {
			if bytes.Contains(backup, []byte(secret)) {
				t.Errorf("the backup taken mid-way holds %s", what)
			}
		}

		// Every row of every table.
		for table, rows := range tableRows(t, raw, dialect) {
			for _, row := range rows {
				for what, secret := range secrets {
					if strings.Contains(row, secret) {
						t.Errorf("table %s holds %s", table, what)
					}
				}
				if strings.Contains(row, markerB) && table != "responses" {
					t.Errorf("table %s holds the sent open answer outside the responses", table)
				}
			}
		}

		// Every page of the database files.
		pages := rawPages(t, raw, url)
		// The reading works: the sent answers are found where they belong.
		found := false
		for _, pg := range pages {
			found = found || bytes.Contains(pg.data, []byte(markerB))
		}
		if !found {
			t.Fatalf("the sent open answer is in none of the %d raw pages read: the attack reads nothing", len(pages))
		}
		for _, pg := range pages {
			for what, secret := range secrets {
				if strings.HasSuffix(what, "hash") {
					continue // checked next to answers below: unspent codes' hashes are issued in bulk
				}
				if bytes.Contains(pg.data, []byte(secret)) {
					t.Errorf("%s holds %s", pg.where, what)
				}
			}
			for _, code := range codes {
				if bytes.Contains(pg.data, []byte(codeHashOf(f.diag.ID, code))) && bytes.Contains(pg.data, []byte(markerB)) {
					t.Errorf("%s holds a code's hash next to the sent answers", pg.where)
				}
			}
		}
	}
}

// codeHashOf is how the store keeps an access code: the SHA-256 (hex) of
// the diagnostic id, a colon and the code.
func codeHashOf(diagnosticID, code string) string {
	h := sha256.Sum256([]byte(diagnosticID + ":" + code))
	return hex.EncodeToString(h[:])
}

// rawDB opens the database behind a store URL with plain database/sql.
func rawDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", url
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// reviewWithCode plays a respondent who enters code and answers every step,
// with open answer marker, up to the review page; it returns the
// submission nonce the review form carries.
func (f *fixture) reviewWithCode(t *testing.T, b *browser, code, marker string) string {
	t.Helper()
	_, form := formOf(t, b.get("/d/"+f.diag.Token).body)
	form.Set("code", code)
	p := b.follow(b.post("/d/"+f.diag.Token+"/code", form))
	for i := 0; i < 10 && !strings.Contains(p.body, `name="nonce"`); i++ {
		if p.status != http.StatusOK {
			t.Fatalf("step: %d %s", p.status, snippet(p.body))
		}
		p = b.follow(b.post(answerAll(t, p.body, map[string]string{"open-obstacle": marker, "open-help": marker + " (2)"})))
	}
	_, review := formOf(t, p.body)
	if review.Get("nonce") == "" {
		t.Fatalf("review page not reached: %s", snippet(p.body))
	}
	return review.Get("nonce")
}

// tableRows returns every row of every table of the store's schema as
// text, read with raw SQL.
func tableRows(t *testing.T, db *sql.DB, dialect string) map[string][]string {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if dialect == store.DialectPostgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		q := fmt.Sprintf(`SELECT t::text FROM %q t`, table)
		if dialect == store.DialectSQLite {
			var cols []string
			crows, err := db.Query(fmt.Sprintf(`SELECT name FROM pragma_table_info(%q)`, table))
			if err != nil {
				t.Fatal(err)
			}
			for crows.Next() {
				var c string
				_ = crows.Scan(&c)
				cols = append(cols, fmt.Sprintf(`COALESCE(CAST(%q AS TEXT), '')`, c))
			}
			crows.Close()
			q = fmt.Sprintf(`SELECT %s FROM %q`, strings.Join(cols, " || '|' || "), table)
		}
		r, err := db.Query(q)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for r.Next() {
			var v string
			if err := r.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], v)
		}
		r.Close()
	}
	return out
}

type rawPage struct {
	where string
	data  []byte
}

// rawPages returns the pages of the database as they lie on disk: for
// SQLite every page of the main file and every frame of the WAL, for
// PostgreSQL every heap page of every table of the schema, dead tuples
// included, read with pageinspect.
func rawPages(t *testing.T, db *sql.DB, url string) []rawPage {
	t.Helper()
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok {
		return postgresPages(t, db)
	}
	main, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	size := int(binary.BigEndian.Uint16(main[16:18]))
	if size == 1 {
		size = 65536
	}
	var pages []rawPage
	for i := 0; i*size < len(main); i++ {
		pages = append(pages, rawPage{fmt.Sprintf("page %d of the main file", i+1), main[i*size : min((i+1)*size, len(main))]})
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	const walHeader, frameHeader = 32, 24
	for i, off := 0, walHeader; off < len(wal); i, off = i+1, off+frameHeader+size {
		pages = append(pages, rawPage{fmt.Sprintf("frame %d of the WAL", i+1), wal[off:min(off+frameHeader+size, len(wal))]})
	}
	return pages
}

func postgresPages(t *testing.T, db *sql.DB) []rawPage {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// pageinspect may already be installed, by a concurrent test too, in
	// whatever schema: use it where it is.
	_, _ = conn.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public`)
	var schema string
	err = conn.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'`).Scan(&schema)
	if err != nil {
		t.Fatalf("pageinspect is not available (it ships with PostgreSQL's contrib): %v", err)
	}
	// Dirty pages are in shared buffers; get_raw_page reads them there.
	rows, err := conn.QueryContext(ctx, `SELECT c.oid::regclass::text, pg_relation_size(c.oid) / current_setting('block_size')::int
		FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 't')`)
	if err != nil {
		t.Fatal(err)
	}
	type rel struct {
		name   string
		blocks int
	}
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.name, &r.blocks); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, r)
	}
	rows.Close()
	var pages []rawPage
	for _, r := range rels {
		for blk := range r.blocks {
			var data []byte
			if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %q.get_raw_page($1, $2)`, schema), r.name, blk).Scan(&data); err != nil {
				t.Fatalf("get_raw_page(%s, %d): %v", r.name, blk, err)
			}
			pages = append(pages, rawPage{fmt.Sprintf("block %d of %s", blk, r.name), data})
		}
	}
	return pages
}
