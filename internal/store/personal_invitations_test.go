package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// personalInvitations issues one code per address and queues one message
// each, as the workspace does: codes first, in a transaction of their own,
// then the messages.
func personalInvitations(t *testing.T, s *store.Store, firmID string, d *survey.Diagnostic, addrs []string) []string {
	t.Helper()
	ctx := context.Background()
	codes, err := s.CreateAccessCodes(ctx, d.ID, len(addrs))
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]*survey.OutgoingMessage, len(addrs))
	for i, a := range addrs {
		msgs[i] = &survey.OutgoingMessage{
			Kind: survey.MessagePersonalCode, Lang: "nl", To: []string{a},
			Subject: "Uw uitnodiging", Text: "Uw code: " + survey.FormatAccessCode(codes[i]),
			HTML: "<p>Uw code: " + survey.FormatAccessCode(codes[i]) + "</p>",
		}
	}
	if err := s.QueuePersonalInvitations(ctx, firmID, d.ID, msgs); err != nil {
		t.Fatal(err)
	}
	return codes
}

// sendAll plays the outbox worker: claims every queued message and
// records the outcome.
func sendAll(t *testing.T, s *store.Store, outcome survey.MessageState) []survey.OutgoingMessage {
	t.Helper()
	ctx := context.Background()
	var sent []survey.OutgoingMessage
	for {
		claim, msgs, err := s.ClaimMessages(ctx, time.Now().Add(time.Minute), time.Minute, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			return sent
		}
		for _, m := range msgs {
			if err := s.FinishMessage(ctx, claim, m.ID, store.Outcome{State: outcome, Reason: "550 no such user", At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, m)
		}
	}
}

// dumpTables returns the text of every row of every table of the store's
// schema: what a holder of the database reads with plain SQL.
func dumpTables(t *testing.T, s *store.Store) string {
	t.Helper()
	db := store.ReaderDB(s)
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.Dialect() == store.DialectPostgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		r, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s: %s\n", table, fmt.Sprint(vals...))
			for _, v := range vals {
				if by, ok := v.([]byte); ok {
					b.Write(by)
					b.WriteByte('\n')
				}
			}
		}
		r.Close()
	}
	return b.String()
}

// TestPersonalInvitationsLeaveNoAddress is the attack on the personal
// invitations: after sending, nothing in the database, its files or its
// transaction ids links an employee's address to a code, and no address
// is left at all.
func TestPersonalInvitationsLeaveNoAddress(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		var addrs []string
		for i := range 40 {
			addrs = append(addrs, fmt.Sprintf("medewerker%02d@gemeente-voorbeeld.nl", i))
		}
		codes := personalInvitations(t, s, firm.ID, d, addrs)

		// Before sending, the queue holds the messages in an order that
		// is not the order of the codes.
		list, err := s.ListMessages(ctx, firm.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(addrs) {
			t.Fatalf("%d messages queued, want %d", len(list), len(addrs))
		}
		for _, m := range list {
			if !m.Ephemeral || m.Kind != survey.MessagePersonalCode {
				t.Errorf("message %+v is not an ephemeral personal invitation", m)
			}
		}

		if s.Dialect() == store.DialectPostgres {
			// Transaction ids: the codes came in one transaction, the
			// messages in another, each all at once: no xmin pairs one
			// message with one code, and the order of the rows is not
			// the order in which codes and addresses were paired.
			db := store.ReaderDB(s)
			xmins := func(q string) map[string]bool {
				rows, err := db.Query(q, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				out := map[string]bool{}
				for rows.Next() {
					var x string
					if err := rows.Scan(&x); err != nil {
						t.Fatal(err)
					}
					out[x] = true
				}
				return out
			}
			codeX := xmins(`SELECT xmin::text FROM access_codes WHERE diagnostic_id = $1`)
			msgX := xmins(`SELECT xmin::text FROM outgoing_messages WHERE diagnostic_id = $1`)
			if len(codeX) != 1 || len(msgX) != 1 {
				t.Errorf("codes in %d transactions, messages in %d: want one each", len(codeX), len(msgX))
			}
			for x := range codeX {
				if msgX[x] {
					t.Errorf("codes and messages share transaction %s", x)
				}
			}
			rows, err := db.Query(`SELECT text_body FROM outgoing_messages WHERE diagnostic_id = $1 ORDER BY ctid`, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var order []string
			for rows.Next() {
				var body string
				if err := rows.Scan(&body); err != nil {
					t.Fatal(err)
				}
				order = append(order, body)
			}
			rows.Close()
			inCodeOrder := 0
			for i, body := range order {
				if strings.Contains(body, survey.FormatAccessCode(codes[i])) {
					inCodeOrder++
				}
			}
			if inCodeOrder == len(codes) {
				t.Error("the messages' rows follow the order of the codes")
			}
		}

		// Half are refused for good, half accepted: both erase.
		sendAll(t, s, survey.MessageSent)
		list, err = s.ListMessages(ctx, firm.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			full, err := s.Message(ctx, firm.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.To) != 0 || full.Text != "" || full.HTML != "" || !full.Erased() {
				t.Errorf("sent personal invitation keeps %v %q", full.To, full.Text)
			}
		}

		// Plain SQL over every table: no address, no code.
		dump := dumpTables(t, s)
		for i, a := range addrs {
			if strings.Contains(dump, a) || strings.Contains(dump, "medewerker") {
				t.Fatalf("address %s is still in the database", a)
			}
			if strings.Contains(dump, survey.FormatAccessCode(codes[i])) || strings.Contains(dump, codes[i]) {
				t.Fatalf("code %d is still in the database", i)
			}
		}

		// The files: after the scrub that the erasure asked for, neither
		// the SQLite file and its WAL nor PostgreSQL's heap pages (dead
		// tuples included) hold an address.
		if err := s.Scrub(ctx); err != nil {
			t.Fatal(err)
		}
		needle := []byte("gemeente-voorbeeld.nl")
		if s.Dialect() == store.DialectSQLite {
			f := readSQLite(t, store.SQLitePath(s))
			for name, b := range map[string][]byte{"database": f.main, "wal": f.wal} {
				if bytes.Contains(b, needle) {
					t.Errorf("the SQLite %s file still holds an address", name)
				}
			}
			return
		}
		schema := pageinspect(t, s)
		for _, tu := range heapTuples(t, s, schema, "outgoing_messages") {
			if bytes.Contains(tu.data, needle) {
				t.Errorf("a tuple of outgoing_messages (xmin %d, xmax %d) still holds an address", tu.xmin, tu.xmax)
			}
		}
	})
}

// TestPersonalInvitationsFailedErase: a message refused for good is erased
// as a sent one is.
func TestPersonalInvitationsFailedErase(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		firm, d := firmDiagnostic(t, s, "Bureau A")
		personalInvitations(t, s, firm.ID, d, []string{"a@gemeente-voorbeeld.nl", "b@gemeente-voorbeeld.nl"})
		sendAll(t, s, survey.MessageFailed)
		if dump := dumpTables(t, s); strings.Contains(dump, "gemeente-voorbeeld.nl") {
			t.Error("a failed personal invitation keeps its address")
		}
		// Only personal invitations may be queued this way.
		err := s.QueuePersonalInvitations(context.Background(), firm.ID, d.ID, []*survey.OutgoingMessage{{Kind: survey.MessageContactInvitation, Lang: "nl", To: []string{"x@y.nl"}, Subject: "s", Text: "t"}})
		wantCode(t, err, survey.CodeInvalid)
	})
}
