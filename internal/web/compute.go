package web

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// Computing the results of a large diagnostic holds all its answers in
// memory for a second or two. Two guards keep a few consultants refreshing
// their pages from taking the service down: requests for the same
// diagnostic share one computation (a single flight), and computations of
// different diagnostics take a slot of a small semaphore. A request that
// finds no slot free gets errComputing at once, which the pages answer
// with a "being computed" page that reloads itself and the API with 503 and
// Retry-After, rather than piling up memory behind the slots.

// errComputing says that the results are being computed and the request
// should be repeated in a few seconds.
var errComputing = errors.New("results are being computed")

// ctxRefresh holds the seconds after which a rendered page reloads itself.
const ctxRefresh = "refresh"

// computeRetrySeconds is the Retry-After of errComputing, and the refresh
// of its page.
const computeRetrySeconds = 5

// computeSlots is the number of computations that may run at once: one per
// two cores, at least one. Each computation uses a core and its memory;
// more at once would only make all of them slower and the peak higher.
func computeSlots() int {
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// computeGate is the single flight and the semaphore.
type computeGate struct {
	slots   chan struct{}
	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done chan struct{}
	val  any
	err  error
	// waiters counts the callers that joined the first one (under mu).
	waiters int
}

func newComputeGate(slots int) *computeGate {
	return &computeGate{slots: make(chan struct{}, slots), flights: map[string]*flight{}}
}

// do runs fn once for every caller asking with the same key while it runs,
// and gives them all its result. The first caller takes a slot; when none
// is free it returns errComputing (and so do the callers that joined it).
// fn runs with a context that is not cancelled when the first caller goes
// away: the others, and the next refresh, still want its result.
func (g *computeGate) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	g.mu.Lock()
	if f, ok := g.flights[key]; ok {
		f.waiters++
		g.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case g.slots <- struct{}{}:
	default:
		g.mu.Unlock()
		return nil, errComputing
	}
	f := &flight{done: make(chan struct{})}
	g.flights[key] = f
	g.mu.Unlock()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				// A panic here would end the process: no handler
				// recovers a goroutine of its own.
				f.val, f.err = nil, fmt.Errorf("computation panicked: %v", p)
			}
			<-g.slots
			g.mu.Lock()
			delete(g.flights, key)
			g.mu.Unlock()
			close(f.done)
		}()
		f.val, f.err = fn(context.WithoutCancel(ctx))
	}()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// waiting returns the number of callers waiting for the run of key.
func (g *computeGate) waiting(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.flights[key]; ok {
		return f.waiters
	}
	return 0
}
