package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestEmployeeSummaryPublishAndWithdraw(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		got, err := s.EmployeeSummary(ctx, d.ID)
		if err != nil || got.Published || got.Message != "" || got.PublishedAt != nil {
			t.Fatalf("never published: %+v %v", got, err)
		}
		pub, err := s.SetEmployeeSummary(ctx, d.ID, true, "Dank u wel. — de directie")
		if err != nil || !pub.Published || pub.PublishedAt == nil {
			t.Fatalf("publish: %+v %v", pub, err)
		}
		again, err := s.SetEmployeeSummary(ctx, d.ID, true, "Nieuwe tekst")
		if err != nil || !again.PublishedAt.Equal(*pub.PublishedAt) {
			t.Errorf("editing the message moved the publication date: %+v %v", again, err)
		}
		got, err = s.EmployeeSummary(ctx, d.ID)
		if err != nil || !got.Published || got.Message != "Nieuwe tekst" || got.PublishedAt == nil {
			t.Errorf("read back: %+v %v", got, err)
		}
		if _, err := s.SetEmployeeSummary(ctx, d.ID, false, got.Message); err != nil {
			t.Fatal(err)
		}
		got, err = s.EmployeeSummary(ctx, d.ID)
		if err != nil || got.Published || got.PublishedAt != nil || got.Message != "Nieuwe tekst" {
			t.Errorf("withdrawn: %+v %v", got, err)
		}
		if _, err := s.SetEmployeeSummary(ctx, d.ID, true, strings.Repeat("é", survey.MaxSummaryMessage+1)); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("too long a message: %v", err)
		}
		if _, err := s.SetEmployeeSummary(ctx, "missing", true, ""); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("summary of a missing diagnostic: %v", err)
		}
		if _, err := s.DeleteDiagnostic(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.EmployeeSummary(ctx, d.ID); err != nil || got.Published {
			t.Errorf("after deleting the diagnostic: %+v %v", got, err)
		}
	})
}

// TestSummaryReleases: a summary release follows a final release, takes
// the next number, stays out of Releases (the results' own sequence) and
// is in AllReleases; results releases after it still line up.
func TestSummaryReleases(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		mean := 58.5
		res := &survey.Result{N: 10, Responses: 11, Index: survey.Score{Shown: true, N: 10, Mean: &mean}}
		cells := []survey.ReleaseCell{{Unit: "u1", Role: "beleid", Count: 10}}
		preview := survey.Release{Kind: survey.ReleasePreview, Responses: 11, Base: 10, TotalShown: true, Cells: cells, Result: res}
		summary := survey.Release{Kind: survey.ReleaseSummary, Responses: 11, Base: 10, TotalShown: true, Cells: cells, Result: res}
		if _, err := s.RecordRelease(ctx, d.ID, 0, summary); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("a summary without a final release: %v", err)
		}
		if _, err := s.RecordRelease(ctx, d.ID, 0, preview); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordRelease(ctx, d.ID, 1, summary); survey.ErrorCode(err) != survey.CodeConflict {
			t.Errorf("a summary of a preview: %v", err)
		}
		final := preview
		final.Kind = survey.ReleaseFinal
		if got, err := s.RecordRelease(ctx, d.ID, 1, final); err != nil || got.Seq != 2 {
			t.Fatalf("final: %+v %v", got, err)
		}
		got, err := s.RecordRelease(ctx, d.ID, 2, summary)
		if err != nil || got.Seq != 3 {
			t.Fatalf("summary: %+v %v", got, err)
		}
		if _, err := s.RecordRelease(ctx, d.ID, 2, summary); survey.ErrorCode(err) != survey.CodeConflict {
			t.Errorf("a second summary of the same final: %v", err)
		}
		rs, err := s.Releases(ctx, d.ID)
		if err != nil || len(rs) != 2 || rs[1].Kind != survey.ReleaseFinal {
			t.Fatalf("results releases: %+v %v", rs, err)
		}
		all, err := s.AllReleases(ctx, d.ID)
		if err != nil || len(all) != 3 || all[2].Kind != survey.ReleaseSummary || all[2].Seq != 3 {
			t.Fatalf("all releases: %+v %v", all, err)
		}
		if n, err := s.PreviewedAt(ctx, d.ID); err != nil || n != 11 {
			t.Errorf("previewed at %d %v", n, err)
		}
		// A reopen and a new final: computed against the final (2), it
		// is recorded after the summary.
		final.Responses, final.Base = 20, 19
		if got, err := s.RecordRelease(ctx, d.ID, 2, final); err != nil || got.Seq != 4 {
			t.Fatalf("final after the summary: %+v %v", got, err)
		}
		if _, err := s.RecordRelease(ctx, d.ID, 2, summary); survey.ErrorCode(err) != survey.CodeConflict {
			t.Errorf("a summary of an outdated final: %v", err)
		}
	})
}

func TestPulsesOfAMeasurement(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		full := newDiagnostic(t, s)
		pulse := &survey.Diagnostic{OrganisationID: full.OrganisationID, Name: "Puls", Questionnaire: testQuestionnaire(), Units: full.Units, State: survey.StateDraft, PulseOf: full.ID}
		if err := s.CreateDiagnostic(ctx, pulse); err != nil {
			t.Fatal(err)
		}
		got, err := s.Diagnostic(ctx, pulse.ID)
		if err != nil || got.PulseOf != full.ID {
			t.Fatalf("pulse read back: %+v %v", got, err)
		}
		ps, err := s.Pulses(ctx, full.ID)
		if err != nil || len(ps) != 1 || ps[0].ID != pulse.ID {
			t.Fatalf("pulses: %v %v", ps, err)
		}
		if ps, err := s.Pulses(ctx, pulse.ID); err != nil || len(ps) != 0 {
			t.Errorf("pulses of a pulse: %v %v", ps, err)
		}
		if _, err := s.DeleteDiagnostic(ctx, full.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Diagnostic(ctx, pulse.ID); err != nil || got.PulseOf != "" {
			t.Errorf("pulse after its measurement went: %+v %v", got, err)
		}
	})
}
