package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// Every connection, including those database/sql opens later, must carry the
// pragmas: a connection without synchronous=FULL or foreign keys would fail
// silently.
func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	common := map[string]string{
		"journal_mode":  "wal",
		"synchronous":   "2", // FULL
		"foreign_keys":  "1",
		"busy_timeout":  "10000",
		"secure_delete": "1",
	}
	check := func(t *testing.T, conn *sql.Conn, want map[string]string) {
		t.Helper()
		for pragma, value := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if !strings.EqualFold(got, value) {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, got, value)
			}
		}
	}

	writer := store.WriterDB(s)
	if n := writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	conn, err := writer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(t, conn, common)
	check(t, conn, map[string]string{"query_only": "0"})
	conn.Close()

	// Hold several reader connections at once, so that the pool has to
	// open new ones.
	reader := store.ReaderDB(s)
	var conns []*sql.Conn
	for range 4 {
		conn, err := reader.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		check(t, conn, common)
		check(t, conn, map[string]string{"query_only": "1"})
		if _, err := conn.ExecContext(ctx, "DELETE FROM organisations"); err == nil {
			t.Error("a reader connection can write")
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// A write transaction takes the write lock when it begins (BEGIN
// IMMEDIATE), not at its first write: a deferred transaction that upgrades
// fails at once with SQLITE_BUSY, busy timeout or not.
func TestSQLiteWriteTransactionsBeginImmediate(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	tx, err := store.WriterDB(s).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// Nothing written yet, and still another writer is shut out.
	other, err := sql.Open("sqlite", store.SQLitePath(s)+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil {
		other.ExecContext(ctx, "ROLLBACK")
		t.Fatal("a second writer could begin while a store transaction was open: the store's transaction is not immediate")
	}
}
