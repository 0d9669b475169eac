package mail

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Queue is the outbox as the worker needs it; *store.Store is one.
type Queue interface {
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) (string, []survey.OutgoingMessage, error)
	FinishMessage(ctx context.Context, claim, id string, o store.Outcome) error
}

// Purger deletes the messages that reached a final state before cutoff
// (*store.Store is one), for the outbox's retention period.
type Purger interface {
	PurgeMessages(ctx context.Context, cutoff time.Time) (int, error)
}

// DefaultBackoff is the wait after each temporary failure: six attempts
// spread over about nine hours, so that a mail server that is down for a
// night's maintenance still gets the message.
var defaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// DefaultBackoff returns the waits between attempts: len+1 attempts.
func DefaultBackoff() []time.Duration { return append([]time.Duration(nil), defaultBackoff...) }

// Worker sends the outbox's due messages, one at a time: each is claimed
// for Lease, delivered and finished. When the process dies between the
// server's acceptance and the finish, the lease runs out and the message
// is sent again with the same Message-ID: at least once, and a duplicate
// is recognisable.
type Worker struct {
	Queue  Queue
	Mailer *Mailer
	Log    *slog.Logger
	// Interval is the wait between polls of an empty outbox; 0 means 5s.
	Interval time.Duration
	// Lease is how long a claim holds a message; it must exceed the
	// mailer's timeout. 0 means 2 minutes.
	Lease time.Duration
	// Backoff holds the waits after each temporary failure; after the last
	// the message fails. Nil means DefaultBackoff.
	Backoff []time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Retention, when positive, is how long finished messages stay: Run
	// deletes older ones through Purger (the Queue when it is one) when
	// it starts and every PurgeEvery (0 means an hour) after. Each
	// instance may do so: deleting twice deletes nothing more.
	Retention  time.Duration
	Purger     Purger
	PurgeEvery time.Duration

	wakeOnce  sync.Once
	wake      chan struct{}
	lastPurge time.Time
}

func (w *Worker) wakeChan() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Wake makes a waiting Run look at the outbox now: a message was queued.
func (w *Worker) Wake() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Run sends until ctx ends. A message being sent when ctx ends is
// finished first, so that a clean stop never leaves a claim behind.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	for {
		w.purgeIfDue(ctx)
		sent, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Error("outbox", "error", err)
		}
		if sent > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		case <-w.wakeChan():
		}
	}
}

// purgeIfDue deletes the messages past the retention period when the last
// purge is PurgeEvery ago; a failure is logged and tried again next time.
func (w *Worker) purgeIfDue(ctx context.Context) {
	p := w.Purger
	if p == nil {
		p, _ = w.Queue.(Purger)
	}
	if w.Retention <= 0 || p == nil {
		return
	}
	every := w.PurgeEvery
	if every <= 0 {
		every = time.Hour
	}
	now := w.now()
	if !w.lastPurge.IsZero() && now.Sub(w.lastPurge) < every {
		return
	}
	w.lastPurge = now
	n, err := p.PurgeMessages(ctx, now.Add(-w.Retention))
	if err != nil {
		if ctx.Err() == nil {
			w.log().Error("outbox retention", "error", err)
		}
		return
	}
	if n > 0 {
		w.log().Info("outbox retention", "deleted", n, "older_than_days", int(w.Retention/(24*time.Hour)))
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// RunOnce delivers the due messages until none is due or ctx ends, and
// returns how many it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	backoff := w.Backoff
	if backoff == nil {
		backoff = defaultBackoff
	}
	n := 0
	for ctx.Err() == nil {
		claim, msgs, err := w.Queue.ClaimMessages(ctx, w.now(), lease, 1)
		if err != nil {
			return n, err
		}
		if len(msgs) == 0 {
			return n, nil
		}
		msg := msgs[0]
		// The delivery and its record run to their end even when ctx ends
		// meanwhile: stopping between them would send the message twice.
		res := w.Mailer.Deliver(context.WithoutCancel(ctx), &msg, w.now())
		o := store.Outcome{State: res.State, Reason: res.Reply, At: w.now()}
		if msg.Ephemeral {
			o.Reason = withoutAddresses(o.Reason, msg.To)
		}
		if res.State == survey.MessageQueued {
			if msg.Attempts > len(backoff) {
				o.State = survey.MessageFailed
			} else {
				o.RetryAt = o.At.Add(backoff[msg.Attempts-1])
			}
		}
		// The log names the message and its outcome, never recipients or
		// content: personal invitations must leave no address behind.
		w.log().Info("mail", "message", msg.ID, "kind", msg.Kind, "attempt", msg.Attempts, "state", o.State, "reply", logReply(msg, o))
		if err := w.Queue.FinishMessage(context.WithoutCancel(ctx), claim, msg.ID, o); err != nil {
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// withoutAddresses removes the recipients' addresses from a server's
// reply (servers quote them in refusals; go-mail lists "affected
// recipients"), for ephemeral messages, whose addresses must not stay.
func withoutAddresses(reply string, to []string) string {
	if i := strings.Index(reply, ", affected recipient(s):"); i >= 0 {
		reply = reply[:i]
	}
	for _, r := range to {
		if a, err := ParseRecipient(r); err == nil {
			reply = replaceFold(reply, a.Address, "(adres verwijderd)")
		}
	}
	// Any other address too: a refusal may name where a mailbox moved
	// ("user moved to new@..."), which is the same person.
	return withoutAnyAddress(reply)
}

// withoutAnyAddress replaces every word with an @ (what separates words:
// spaces, brackets, quotes, commas, semicolons, colons).
func withoutAnyAddress(s string) string {
	var b strings.Builder
	word := func(r rune) bool { return !strings.ContainsRune(" \t\r\n<>\"'(),;:", r) }
	for len(s) > 0 {
		i := strings.IndexFunc(s, word)
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !word(r) })
		if j < 0 {
			j = len(s)
		}
		if strings.Contains(s[:j], "@") {
			b.WriteString("(adres verwijderd)")
		} else {
			b.WriteString(s[:j])
		}
		s = s[j:]
	}
	return b.String()
}

// replaceFold replaces old in s, ignoring case: servers may change the case
// of an address.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	lower, lowerOld := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) || len(lowerOld) != len(old) {
		return strings.ReplaceAll(s, old, repl)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowerOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

// logReply is the server's reply for the log; a refusal of an ephemeral
// message may quote the recipient's address, so it is left out.
func logReply(msg survey.OutgoingMessage, o store.Outcome) string {
	if msg.Ephemeral && o.State != survey.MessageSent {
		return "(left out: ephemeral message)"
	}
	return o.Reason
}
