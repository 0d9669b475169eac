package web

import (
	"context"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestDiagnosticCache(t *testing.T) {
	loads := 0
	load := func(_ context.Context, token string) (*survey.Diagnostic, error) {
		loads++
		if token == "missing" {
			return nil, survey.Errorf(survey.CodeNotFound, "no")
		}
		return &survey.Diagnostic{Token: token}, nil
	}
	dc := newDiagnosticCache(2*time.Second, 2)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for range 3 {
		if d, err := dc.byToken(ctx, load, "a", now); err != nil || d.Token != "a" {
			t.Fatal(d, err)
		}
	}
	if loads != 1 {
		t.Errorf("loaded %d times within the time to live, want 1", loads)
	}
	if _, err := dc.byToken(ctx, load, "a", now.Add(2*time.Second)); err != nil || loads != 2 {
		t.Errorf("an expired entry was not loaded again (%d loads)", loads)
	}
	for range 2 {
		if _, err := dc.byToken(ctx, load, "missing", now); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatal(err)
		}
	}
	if loads != 4 {
		t.Errorf("errors must not be cached: %d loads", loads)
	}
	_, _ = dc.byToken(ctx, load, "b", now)
	_, _ = dc.byToken(ctx, load, "c", now)
	if len(dc.entries) > 2 {
		t.Errorf("the cache holds %d entries, over its bound", len(dc.entries))
	}
	off := newDiagnosticCache(0, 10)
	_, _ = off.byToken(ctx, load, "x", now)
	_, _ = off.byToken(ctx, load, "x", now)
	if loads != 8 {
		t.Errorf("with no time to live every call loads (%d loads)", loads)
	}
}
