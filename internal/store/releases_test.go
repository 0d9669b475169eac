package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestReleasesAreRecordedInOrder(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		if rs, err := s.Releases(ctx, d.ID); err != nil || len(rs) != 0 {
			t.Fatalf("releases before any: %v %v", rs, err)
		}
		mean := 61.25
		first := survey.Release{
			Kind: survey.ReleasePreview, Responses: 12, Base: 11, TotalShown: true,
			Cells: []survey.ReleaseCell{{Unit: "u1", Role: "beleid", Count: 6}, {Unit: "u2", Role: "", Count: 5}},
			Units: []string{"u1"}, Roles: []string{},
			Result: &survey.Result{N: 11, Responses: 12, Index: survey.Score{Shown: true, N: 11, Mean: &mean}},
		}
		got, err := s.RecordRelease(ctx, d.ID, 0, first)
		if err != nil || got.Seq != 1 || got.CreatedAt.IsZero() {
			t.Fatalf("first release: %+v %v", got, err)
		}
		// A release computed against no earlier release, recorded after
		// the first: refused, since it ignored the first.
		if _, err := s.RecordRelease(ctx, d.ID, 0, first); survey.ErrorCode(err) != survey.CodeConflict {
			t.Errorf("stale release: %v", err)
		}
		second := first
		second.Kind, second.Responses, second.Base = survey.ReleaseFinal, 20, 19
		if got, err := s.RecordRelease(ctx, d.ID, 1, second); err != nil || got.Seq != 2 {
			t.Fatalf("second release: %+v %v", got, err)
		}
		rs, err := s.Releases(ctx, d.ID)
		if err != nil || len(rs) != 2 {
			t.Fatalf("releases: %v %v", rs, err)
		}
		r := rs[0]
		a, _ := json.Marshal(first.Result)
		b, _ := json.Marshal(r.Result)
		if r.Seq != 1 || r.Kind != survey.ReleasePreview || r.Base != 11 || r.Responses != 12 || !r.TotalShown ||
			len(r.Cells) != 2 || r.Cells[1] != first.Cells[1] || len(r.Units) != 1 || r.Units[0] != "u1" || len(r.Roles) != 0 || string(a) != string(b) {
			t.Errorf("release read back %+v", r)
		}
		if rs[1].Seq != 2 || rs[1].Kind != survey.ReleaseFinal || rs[1].Base != 19 {
			t.Errorf("second read back %+v", rs[1])
		}
		if _, err := s.RecordRelease(ctx, "missing", 0, first); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("release of a missing diagnostic: %v", err)
		}
		if _, err := s.RecordRelease(ctx, d.ID, 2, survey.Release{Kind: "other", Result: first.Result}); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("release of an unknown kind: %v", err)
		}
	})
}
