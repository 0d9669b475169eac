package store_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// resultsDiagnostic stores an organisation of the sector and a diagnostic
// of it in the given state.
func resultsDiagnostic(t *testing.T, s *store.Store, sector survey.Sector, state survey.State, version string) *survey.Diagnostic {
	t.Helper()
	ctx := context.Background()
	o := &survey.Organisation{Name: "Organisatie", Sector: sector}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	return resultsWave(t, s, o, state, version)
}

// resultsWave stores another diagnostic of o.
func resultsWave(t *testing.T, s *store.Store, o *survey.Organisation, state survey.State, version string) *survey.Diagnostic {
	t.Helper()
	q := testQuestionnaire()
	q.Version = version
	d := &survey.Diagnostic{OrganisationID: o.ID, Organisation: *o, Name: "Meting", Questionnaire: q, Units: testUnits(), State: state, MinGroupSize: 5}
	if err := s.CreateDiagnostic(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	// Waves are ordered by creation time, which has microsecond precision.
	time.Sleep(2 * time.Millisecond)
	return d
}

func TestPreviewIsRecordedOnlyWhenAllowed(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		if n, err := s.PreviewedAt(ctx, d.ID); err != nil || n != 0 {
			t.Fatalf("PreviewedAt before any preview: %d %v", n, err)
		}
		for i := range 4 {
			submitNew(t, s, d.ID, i)
		}
		refused := survey.Errorf(survey.CodeConflict, "not now")
		var gotPrev, gotN int
		_, err := s.RecordPreview(ctx, d.ID, func(prev, n int) error {
			gotPrev, gotN = prev, n
			return refused
		})
		if !errors.Is(err, refused) || gotPrev != 0 || gotN != 4 {
			t.Fatalf("refused preview: err %v, allow saw (%d, %d)", err, gotPrev, gotN)
		}
		if n, _ := s.PreviewedAt(ctx, d.ID); n != 0 {
			t.Fatalf("a refused preview was recorded at %d", n)
		}
		allow := func(int, int) error { return nil }
		if n, err := s.RecordPreview(ctx, d.ID, allow); err != nil || n != 4 {
			t.Fatalf("RecordPreview: %d %v", n, err)
		}
		submitNew(t, s, d.ID, 9)
		n, err := s.RecordPreview(ctx, d.ID, func(prev, n int) error {
			gotPrev, gotN = prev, n
			return nil
		})
		if err != nil || n != 5 || gotPrev != 4 || gotN != 5 {
			t.Fatalf("second preview: %d %v, allow saw (%d, %d)", n, err, gotPrev, gotN)
		}
		if n, _ := s.PreviewedAt(ctx, d.ID); n != 5 {
			t.Fatalf("PreviewedAt = %d, want 5", n)
		}
		if _, err := s.RecordPreview(ctx, "nope", allow); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("preview of a missing diagnostic: %v", err)
		}
		// Deleting the diagnostic takes its preview along.
		if _, err := s.DeleteDiagnostic(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PreviewedAt(ctx, d.ID); err != nil || n != 0 {
			t.Errorf("preview after delete: %d %v", n, err)
		}
	})
}

// peerDiagnostic stores an organisation of the firm (created when new)
// and a diagnostic of it.
func peerDiagnostic(t *testing.T, s *store.Store, firm string, sector survey.Sector, state survey.State, version string) *survey.Diagnostic {
	t.Helper()
	ctx := context.Background()
	f, err := s.FirmByName(ctx, firm)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		f = &survey.Firm{Name: firm}
		err = s.CreateFirm(ctx, f)
	}
	if err != nil {
		t.Fatal(err)
	}
	o := &survey.Organisation{FirmID: f.ID, Name: "Organisatie", Sector: sector}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	return resultsWave(t, s, o, state, version)
}

func TestBenchmarkPeersTakeTheLatestClosedSummaryOfEachOrganisationOfOtherFirms(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now()
		save := func(d *survey.Diagnostic, mean float64) {
			t.Helper()
			if err := s.SaveResultSummary(ctx, d.ID, &mean, 40); err != nil {
				t.Fatal(err)
			}
		}
		// The reader's firm A: neither the reader's organisation nor any
		// other organisation of A is compared with.
		own := peerDiagnostic(t, s, "A", survey.SectorMunicipality, survey.StateClosed, "1")
		save(own, 99)
		save(peerDiagnostic(t, s, "A", survey.SectorMunicipality, survey.StateClosed, "1"), 88)
		firmA := own.Organisation.FirmID
		// Five organisations of firms B, C and D, one with two closed waves:
		// only the later one counts.
		var want []survey.BenchmarkPeer
		for i, mean := range []float64{40, 50, 50, 60, 70} {
			d := peerDiagnostic(t, s, []string{"B", "C", "D"}[i%3], survey.SectorMunicipality, survey.StateClosed, "1")
			save(d, mean)
			if i == 0 {
				later := resultsWave(t, s, &d.Organisation, survey.StateClosed, "1")
				save(later, 45)
				mean = 45
			}
			want = append(want, survey.BenchmarkPeer{FirmID: d.Organisation.FirmID, Index: mean})
		}
		// Left out: another sector, another version, a diagnostic that is
		// open again, a summary without an index, and one below the
		// minimum group size.
		save(peerDiagnostic(t, s, "B", survey.SectorProvince, survey.StateClosed, "1"), 10)
		save(peerDiagnostic(t, s, "B", survey.SectorMunicipality, survey.StateClosed, "2"), 11)
		save(peerDiagnostic(t, s, "B", survey.SectorMunicipality, survey.StateOpen, "1"), 12)
		hidden := peerDiagnostic(t, s, "C", survey.SectorMunicipality, survey.StateClosed, "1")
		if err := s.SaveResultSummary(ctx, hidden.ID, nil, 30); err != nil {
			t.Fatal(err)
		}
		small := peerDiagnostic(t, s, "C", survey.SectorMunicipality, survey.StateClosed, "1")
		index := 33.0
		if err := s.SaveResultSummary(ctx, small.ID, &index, 4); err != nil {
			t.Fatal(err)
		}
		// Closed by its closing date: counts.
		byDate := peerDiagnostic(t, s, "D", survey.SectorMunicipality, survey.StateOpen, "1")
		past := now.Add(-time.Hour)
		byDate.ClosesAt = &past
		if err := s.UpdateDiagnostic(ctx, byDate); err != nil {
			t.Fatal(err)
		}
		save(byDate, 80)
		want = append(want, survey.BenchmarkPeer{FirmID: byDate.Organisation.FirmID, Index: 80})
		slices.SortFunc(want, func(a, b survey.BenchmarkPeer) int {
			return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.FirmID, b.FirmID))
		})

		got, err := s.BenchmarkPeers(ctx, firmA, own.Questionnaire.ID, "1", survey.SectorMunicipality, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("BenchmarkPeers = %v, want %v", got, want)
		}

		// Saving the same summary again writes nothing; a new one replaces
		// it. Seen from firm D, firm A's organisations count and D's not.
		save(own, 99)
		save(own, 98)
		got, _ = s.BenchmarkPeers(ctx, byDate.Organisation.FirmID, own.Questionnaire.ID, "1", survey.SectorMunicipality, now)
		var values []float64
		for _, p := range got {
			if p.FirmID == byDate.Organisation.FirmID {
				t.Errorf("firm D's own organisation is compared with: %v", p)
			}
			values = append(values, p.Index)
		}
		if !slices.Contains(values, 98) || !slices.Contains(values, 88) || slices.Contains(values, 99) || slices.Contains(values, 80) {
			t.Errorf("after replacing the summary, from firm D: %v", values)
		}
		if err := s.SaveResultSummary(ctx, "nope", nil, 5); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("summary of a missing diagnostic: %v", err)
		}
	})
}

func TestPooledResponsesAreBoundedAndComeFromClosedDiagnosticsOfTheSameVersion(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		own := resultsDiagnostic(t, s, survey.SectorMunicipality, survey.StateOpen, "1")
		older := resultsDiagnostic(t, s, survey.SectorProvince, survey.StateOpen, "1")
		newer := resultsDiagnostic(t, s, survey.SectorWaterBoard, survey.StateOpen, "1")
		otherVersion := resultsDiagnostic(t, s, survey.SectorMunicipality, survey.StateOpen, "2")
		stillOpen := resultsDiagnostic(t, s, survey.SectorMunicipality, survey.StateOpen, "1")
		counts := map[string]int{own.ID: 3, older.ID: 4, newer.ID: 3, otherVersion.ID: 2, stillOpen.ID: 2}
		for id, n := range counts {
			for i := range n {
				submitNew(t, s, id, i)
			}
		}
		for _, d := range []*survey.Diagnostic{own, older, newer, otherVersion} {
			if err := s.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
				t.Fatal(err)
			}
		}
		pool := func(limit int) ([]survey.Response, error) {
			return s.PooledResponses(ctx, own.ID, own.Questionnaire.ID, "1", time.Now(), limit)
		}
		all, err := pool(100)
		if err != nil {
			t.Fatal(err)
		}
		from := map[string]int{}
		for _, r := range all {
			from[r.DiagnosticID]++
			if r.ID == "" || len(r.Answers) == 0 || r.Background != nil || r.Open != nil || r.SubmittedOn != "" {
				t.Fatalf("a pooled response carries more than its answers: %+v", r)
			}
		}
		if len(all) != 7 || from[older.ID] != 4 || from[newer.ID] != 3 {
			t.Fatalf("pooled %d responses from %v, want 4 from the older and 3 from the newer diagnostic", len(all), from)
		}
		// The limit takes the most recent diagnostics first.
		some, err := pool(5)
		if err != nil {
			t.Fatal(err)
		}
		from = map[string]int{}
		for _, r := range some {
			from[r.DiagnosticID]++
		}
		if len(some) != 5 || from[newer.ID] != 3 || from[older.ID] != 2 {
			t.Fatalf("limited pool: %d responses from %v", len(some), from)
		}
		again, _ := pool(5)
		for i := range some {
			if again[i].ID != some[i].ID {
				t.Fatal("the pool is not the same on a second call")
			}
		}
		if _, err := pool(0); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("a pool without a limit: %v", err)
		}
	})
}
