package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// wireTap is a TCP proxy in front of PostgreSQL that keeps everything the
// clients send, so the test sees the statement text exactly as the server
// receives it (and as pg_stat_activity and a statement log would show it).
type wireTap struct {
	mu      sync.Mutex
	streams []*bytes.Buffer
	// marks holds, per stream, where the part of interest begins.
	marks map[*bytes.Buffer]int
}

// mark makes messages skip what was sent so far.
func (w *wireTap) mark() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.marks = map[*bytes.Buffer]int{}
	for _, s := range w.streams {
		w.marks[s] = s.Len()
	}
}

func (w *wireTap) listen(t *testing.T, target string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			buf := &bytes.Buffer{}
			w.mu.Lock()
			w.streams = append(w.streams, buf)
			w.mu.Unlock()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
			go func() {
				_, _ = io.Copy(io.MultiWriter(s, lockedWriter{&w.mu, buf}), c)
				s.Close()
			}()
		}
	}()
	return l.Addr().String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// messages splits the frontend streams into the statement texts (Query and
// Parse messages) and the rest (Bind and everything else).
func (w *wireTap) messages() (statements, rest []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, stream := range w.streams {
		b := stream.Bytes()
		// The startup message has no type byte: a length, then the body.
		if len(b) < 4 {
			continue
		}
		start := len(b) - w.marks[stream]
		b = b[binary.BigEndian.Uint32(b):]
		for len(b) >= 5 {
			n := int(binary.BigEndian.Uint32(b[1:5]))
			if n < 4 || len(b) < 1+n {
				break
			}
			body := b[5 : 1+n]
			switch {
			case len(b) > start:
				// Sent before the mark.
			case b[0] == 'Q' || b[0] == 'P':
				statements = append(statements, body...)
			default:
				rest = append(rest, body...)
			}
			b = b[1+n:]
		}
	}
	return statements, rest
}

// TestStatementsCarryNoValues: the statements of respondents reach
// PostgreSQL with placeholders; answers, open answers, access codes and
// their hashes, nonces and the respondent link travel as bind parameters
// only.
func TestStatementsCarryNoValues(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(storetest.DatabaseURL(t, store.DialectPostgres))
	if err != nil {
		t.Fatal(err)
	}
	tap := &wireTap{}
	u.Host = tap.listen(t, u.Host)
	s, err := store.Open(ctx, u.String(), store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Creating the diagnostic is the consultant's doing, and writes the
	// link token as bun does; what respondents cause starts here.
	d := newDiagnostic(t, s)
	tap.mark()
	codes, err := s.CreateAccessCodes(ctx, d.ID, 6)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"respondent link token": d.Token}
	for i, code := range codes[:4] {
		if _, err := s.DiagnosticByToken(ctx, d.Token); err != nil {
			t.Fatal(err)
		}
		r := respond(t, s, d.ID, code, 1000+i)
		secrets["access code "+code] = code
		secrets["hash of access code "+code] = store.CodeHash(d.ID, code)
		secrets["open answer of respondent "+code] = r.openText
	}
	abandon(t, s, d.ID, codes[4])
	secrets["hash of access code "+codes[4]] = store.CodeHash(d.ID, codes[4])
	secrets["hash of unused access code "+codes[5]] = store.CodeHash(d.ID, codes[5])
	responses, err := s.Responses(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range responses {
		b, err := jsonText(r.Answers)
		if err != nil {
			t.Fatal(err)
		}
		secrets["answers of response "+r.ID] = b
	}

	statements, rest := tap.messages()
	if len(statements) == 0 {
		t.Fatal("no statement text captured")
	}
	for what, v := range secrets {
		if bytes.Contains(statements, []byte(v)) {
			t.Errorf("the statement text holds the %s", what)
		}
	}
	// The tap does see the values, in the Bind messages: a test that
	// could not see them would prove nothing.
	if !bytes.Contains(rest, []byte(store.CodeHash(d.ID, codes[0]))) {
		t.Error("the captured traffic holds no code hash at all: the tap sees nothing")
	}
}

// jsonText returns v as the store writes it into a JSON column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
