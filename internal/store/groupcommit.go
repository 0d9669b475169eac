package store

import (
	"context"
	"errors"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// maxBatch bounds how many writes share one SQLite transaction, so that one
// commit never keeps its callers waiting for long.
const maxBatch = 128

// committer implements group commit for SQLite. With synchronous=FULL every
// commit costs an fsync, and SQLite has one writer, so one transaction per
// submission caps throughput at the disk's fsync rate. The committer runs
// every data write (only Migrate bypasses it, on the same single writer
// connection): it takes every write that is waiting, runs them
// in one transaction with a savepoint each (so a failing write, such as a
// duplicate nonce, is undone alone), commits once, and only then tells each
// caller its own result.
type committer struct {
	db  *bun.DB
	log *slog.Logger
	// reqs is unbuffered: a send succeeds only when the committer takes the
	// request, so no request can be stranded in a buffer after it stopped.
	reqs chan *writeRequest
	quit chan struct{}
	done chan struct{}
}

type writeRequest struct {
	ctx    context.Context
	fn     func(ctx context.Context, tx bun.Tx) error
	result chan error // buffered, so the committer never waits for a caller
}

func newCommitter(db *bun.DB, log *slog.Logger) *committer {
	c := &committer{
		db:   db,
		log:  log,
		reqs: make(chan *writeRequest),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go c.run()
	return c
}

// do runs fn in the next batch and returns its result after the commit.
func (c *committer) do(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	req := &writeRequest{ctx: ctx, fn: fn, result: make(chan error, 1)}
	select {
	case c.reqs <- req:
	case <-c.quit:
		return survey.Errorf(survey.CodeInternal, "the store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the request may be in a transaction that is about to
	// commit. Waiting for the outcome instead of for ctx keeps the promise
	// that an error means nothing was stored; a batch takes milliseconds.
	return <-req.result
}

// stop lets the committer finish its batch and waits until it has.
func (c *committer) stop() {
	close(c.quit)
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	batch := make([]*writeRequest, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case req := <-c.reqs:
			batch = append(batch, req)
		case <-c.quit:
			return
		}
		// No waiting for more: writes that arrive while this batch commits
		// form the next one, so batches grow exactly when the disk is the
		// bottleneck and a lone write is not delayed.
	drain:
		for len(batch) < maxBatch {
			select {
			case req := <-c.reqs:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

// commit runs the batch in one transaction and answers every request.
func (c *committer) commit(batch []*writeRequest) {
	results := make([]error, len(batch))
	// ran[i] reports that request i is in the transaction, and stands or
	// falls with its commit.
	ran := make([]bool, len(batch))
	defer func() {
		for i, req := range batch {
			req.result <- results[i]
		}
	}()

	// A write whose caller gave up before the batch started is not run;
	// after that, caller contexts no longer cancel anything: cancelling a
	// statement interrupts SQLite, and an interrupted write rolls back the
	// whole transaction, including the other callers' writes.
	live := 0
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		live++
	}
	if live == 0 {
		return
	}
	tx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range batch {
			if results[i] == nil {
				results[i] = err
			}
		}
		return
	}
	abort := func(cause error) {
		_ = tx.Rollback()
		c.log.Error("group commit aborted", "writes", live, "error", cause)
		for i := range batch {
			if ran[i] || results[i] == nil {
				results[i] = errors.Join(errors.New("group commit aborted"), cause)
			}
		}
	}
	for i, req := range batch {
		if results[i] != nil {
			continue
		}
		ctx := context.WithoutCancel(req.ctx)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			abort(err)
			return
		}
		if err := req.fn(ctx, tx); err != nil {
			// A failed savepoint rollback means SQLite already rolled back
			// the whole transaction (disk full, I/O error).
			if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO w"); rbErr != nil {
				results[i] = err
				abort(rbErr)
				return
			}
			results[i] = err
		} else {
			ran[i] = true
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
			abort(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		abort(err)
	}
}
