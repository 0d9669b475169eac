package web

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Callers with the same key share one run; a caller with another key gets
// errComputing while the only slot is taken, and a slot is free again once
// the run ends.
func TestComputeGateSharesRunsAndBoundsThem(t *testing.T) {
	g := newComputeGate(1)
	release := make(chan struct{})
	var runs atomic.Int32
	fn := func(context.Context) (any, error) {
		runs.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make([]any, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = g.do(context.Background(), "a", fn)
		}()
	}
	for runs.Load() == 0 || g.waiting("a") < 3 {
		time.Sleep(time.Millisecond)
	}
	if _, err := g.do(context.Background(), "b", fn); !errors.Is(err, errComputing) {
		t.Errorf("another key while the slot is taken: %v, want errComputing", err)
	}
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Errorf("%d runs for four callers of one key", runs.Load())
	}
	for i, r := range results {
		if r != 42 {
			t.Errorf("caller %d got %v", i, r)
		}
	}
	if v, err := g.do(context.Background(), "b", func(context.Context) (any, error) { return "b", nil }); err != nil || v != "b" {
		t.Errorf("after the run: %v %v", v, err)
	}
}

// A caller that goes away does not cancel the run: the others still get
// its result. A panic in a run is an error, not the end of the process.
func TestComputeGateOutlivesItsFirstCaller(t *testing.T) {
	g := newComputeGate(1)
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	var runCancelled atomic.Bool
	started := make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(first)
		_, err := g.do(ctx, "a", func(rc context.Context) (any, error) {
			close(started)
			<-release
			runCancelled.Store(rc.Err() != nil)
			return "done", nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the first caller, cancelled: %v", err)
		}
	}()
	<-started
	cancel()
	<-first
	done := make(chan any)
	go func() {
		v, _ := g.do(context.Background(), "a", nil)
		done <- v
	}()
	time.Sleep(10 * time.Millisecond)
	close(release)
	if v := <-done; v != "done" {
		t.Errorf("the second caller got %v", v)
	}
	if runCancelled.Load() {
		t.Error("the run saw its context cancelled")
	}
	if _, err := g.do(context.Background(), "p", func(context.Context) (any, error) { panic("boom") }); err == nil {
		t.Error("a panicking run gave no error")
	}
}
