package mail_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func newFirm(t *testing.T, s *store.Store) *survey.Firm {
	t.Helper()
	f := &survey.Firm{Name: "Bureau Noord"}
	if err := s.CreateFirm(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

func queued(firmID string) *survey.OutgoingMessage {
	m := message()
	m.ID, m.MessageID, m.FirmID = "", "", firmID
	return m
}

// clock is a test clock the worker reads; tests move it past backoffs.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestWorkerRetriesTemporaryFailures(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t, mailtest.Options{})
		srv.Answer(func(n int) error {
			if n == 1 {
				return mailtest.Refuse(421, "service not available, try later")
			}
			return nil
		})
		firm := newFirm(t, s)
		m := queued(firm.ID)
		if err := s.EnqueueMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
		c := &clock{now: time.Now()}
		w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Now: c.Now}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("first run: %d, %v", n, err)
		}
		got, _ := s.Message(ctx, firm.ID, m.ID)
		if got.State != survey.MessageQueued || got.Attempts != 1 || !strings.Contains(got.LastError, "421") || !got.NextAttemptAt.After(c.Now()) {
			t.Fatalf("after the 4xx: %+v", got)
		}
		// Not before its time.
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatalf("retried %d before the backoff", n)
		}
		c.Add(mail.DefaultBackoff()[0])
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("second run: %d, %v", n, err)
		}
		got, _ = s.Message(ctx, firm.ID, m.ID)
		if got.State != survey.MessageSent || got.Attempts != 2 || got.SentAt == nil {
			t.Errorf("after the retry: %+v", got)
		}
		if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Header.Get("Message-Id") != "<"+m.MessageID+"@bureau.example>" {
			t.Errorf("received %d messages", len(msgs))
		}
	})
}

func TestWorkerGivesUp(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	srv := mailtest.Start(t, mailtest.Options{})
	firm := newFirm(t, s)

	// A 5xx fails at once, with the server's reason.
	srv.Answer(func(int) error { return mailtest.Refuse(554, "rejected by policy") })
	perm := queued(firm.ID)
	if err := s.EnqueueMessages(ctx, perm); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Now()}
	w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Now: c.Now}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(ctx, firm.ID, perm.ID)
	if got.State != survey.MessageFailed || got.Attempts != 1 || !strings.Contains(got.LastError, "554") || !strings.Contains(got.LastError, "rejected by policy") {
		t.Errorf("after a 5xx: %+v", got)
	}

	// Temporary failures: six attempts over hours, then failed.
	srv.Answer(func(int) error { return mailtest.Refuse(450, "mailbox busy") })
	temp := queued(firm.ID)
	if err := s.EnqueueMessages(ctx, temp); err != nil {
		t.Fatal(err)
	}
	c = &clock{now: time.Now()}
	w.Now = c.Now
	var total time.Duration
	for i, wait := range append([]time.Duration{0}, mail.DefaultBackoff()...) {
		c.Add(wait)
		total += wait
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("attempt %d: %d, %v", i+1, n, err)
		}
	}
	got, _ = s.Message(ctx, firm.ID, temp.ID)
	if got.State != survey.MessageFailed || got.Attempts != 6 || !strings.Contains(got.LastError, "450") {
		t.Errorf("after the last attempt: %+v", got)
	}
	if total < 5*time.Hour {
		t.Errorf("the attempts span only %s", total)
	}
}

func TestWorkerEphemeral(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	ctx := context.Background()
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Answer(func(int) error { return mailtest.Refuse(550, "5.1.1 <jan@gemeente.example>: recipient unknown") })
	firm := newFirm(t, s)
	m := queued(firm.ID)
	m.Kind, m.Ephemeral = survey.MessagePersonalCode, true
	if err := s.EnqueueMessages(ctx, m); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Log: newTextLogger(&logs)}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(ctx, firm.ID, m.ID)
	if got.State != survey.MessageFailed || len(got.To) != 0 || got.Text != "" || strings.Contains(strings.ToLower(got.LastError), "jan@") || !strings.Contains(got.LastError, "550") {
		t.Errorf("ephemeral after a 5xx: %+v", got)
	}
	if strings.Contains(logs.String(), "jan@") || strings.Contains(logs.String(), "Jan de Vries") {
		t.Errorf("the log holds the address: %s", logs.String())
	}
}

// Two instances on one PostgreSQL send each message exactly once.
func TestTwoInstancesSendOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.DatabaseURL(t, dialect)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			firm := newFirm(t, stores[0])
			const total = 40
			var msgs []*survey.OutgoingMessage
			for range total {
				msgs = append(msgs, queued(firm.ID))
			}
			if err := stores[0].EnqueueMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
			srv := mailtest.Start(t, mailtest.Options{})
			runCtx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, s := range stores {
				for range 2 {
					w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Interval: 20 * time.Millisecond}
					wg.Go(func() { w.Run(runCtx) })
				}
			}
			srv.Wait(t, total, 60*time.Second)
			time.Sleep(300 * time.Millisecond)
			cancel()
			wg.Wait()
			got := srv.Messages()
			seen := map[string]int{}
			for _, r := range got {
				seen[r.Header.Get("Message-Id")]++
			}
			if len(got) != total || len(seen) != total {
				t.Errorf("received %d messages with %d Message-IDs, want %d each", len(got), len(seen), total)
			}
			list, err := stores[1].ListMessages(ctx, firm.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range list {
				if m.State != survey.MessageSent || m.Attempts != 1 {
					t.Errorf("message %s: %s after %d attempts", m.ID, m.State, m.Attempts)
				}
			}
		})
	}
}

// countingPurger wraps the store's purge and counts the calls.
type countingPurger struct {
	store *store.Store
	mu    sync.Mutex
	calls int
}

func (p *countingPurger) PurgeMessages(ctx context.Context, cutoff time.Time) (int, error) {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	return p.store.PurgeMessages(ctx, cutoff)
}

func (p *countingPurger) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func TestWorkerDeletesMessagesPastTheRetention(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := mailtest.Start(t, mailtest.Options{})
		firm := newFirm(t, s)
		m := queued(firm.ID)
		if err := s.EnqueueMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
		clk := &clock{now: time.Now()}
		p := &countingPurger{store: s}
		w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Now: clk.Now, Interval: 5 * time.Millisecond,
			Retention: 90 * 24 * time.Hour, PurgeEvery: time.Hour, Purger: p}
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		srv.Wait(t, 1, 10*time.Second)
		waitFor(t, func() bool {
			got, err := s.Message(ctx, firm.ID, m.ID)
			return err == nil && got.State == survey.MessageSent
		})
		// Purged once at the start; not again within the hour.
		time.Sleep(50 * time.Millisecond)
		if n := p.count(); n != 1 {
			t.Errorf("%d purges within the first hour, want 1", n)
		}
		// 89 days on: the sent message stays.
		clk.Add(89 * 24 * time.Hour)
		waitFor(t, func() bool { return p.count() == 2 })
		if _, err := s.Message(ctx, firm.ID, m.ID); err != nil {
			t.Fatalf("deleted before the retention period ended: %v", err)
		}
		// Past 90 days it goes at the next purge.
		clk.Add(2 * 24 * time.Hour)
		waitFor(t, func() bool {
			_, err := s.Message(ctx, firm.ID, m.ID)
			return survey.ErrorCode(err) == survey.CodeNotFound
		})
		cancel()
		<-done
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
