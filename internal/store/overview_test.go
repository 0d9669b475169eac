package store_test

import (
	"context"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestFirmDiagnosticsAndResponseCountsStayInTheFirm(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newFirm(t, s, "A"), newFirm(t, s, "B")
		var diags []*survey.Diagnostic
		for _, f := range []*survey.Firm{a, a, b} {
			org := &survey.Organisation{FirmID: f.ID, Name: "Org " + f.Name, Sector: survey.SectorMunicipality}
			if err := s.CreateOrganisation(ctx, org); err != nil {
				t.Fatal(err)
			}
			d := &survey.Diagnostic{OrganisationID: org.ID, Name: "Meting", Questionnaire: testQuestionnaire(), Units: testUnits(), State: survey.StateOpen, MinGroupSize: 5}
			if err := s.CreateDiagnostic(ctx, d); err != nil {
				t.Fatal(err)
			}
			diags = append(diags, d)
		}
		for i := range 3 {
			submitNew(t, s, diags[0].ID, i)
		}
		for i := range 4 {
			submitNew(t, s, diags[2].ID, 10+i)
		}
		list, err := s.ListFirmDiagnostics(ctx, a.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("firm A's diagnostics: %d %v", len(list), err)
		}
		for _, d := range list {
			if d.Organisation.FirmID != a.ID {
				t.Errorf("firm A's overview lists %s of firm %s", d.ID, d.Organisation.FirmID)
			}
		}
		counts, err := s.ResponseCounts(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[diags[0].ID] != 3 || counts[diags[1].ID] != 0 {
			t.Errorf("firm A's counts: %v", counts)
		}
		if _, leaked := counts[diags[2].ID]; leaked {
			t.Errorf("firm A sees firm B's count: %v", counts)
		}
	})
}

func TestOpeningByHandRecordsTheFieldworkStart(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFirm(t, s, "A")
		org := &survey.Organisation{FirmID: f.ID, Name: "Org", Sector: survey.SectorMunicipality}
		if err := s.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		d := &survey.Diagnostic{OrganisationID: org.ID, Name: "Meting", Questionnaire: testQuestionnaire(), Units: testUnits(), State: survey.StateDraft, MinGroupSize: 5}
		if err := s.CreateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Diagnostic(ctx, d.ID); got.OpenedAt != nil || got.ClosedAt != nil {
			t.Fatalf("a draft has a fieldwork period: %v %v", got.OpenedAt, got.ClosedAt)
		}
		if err := s.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		opened, _ := s.Diagnostic(ctx, d.ID)
		if opened.OpenedAt == nil {
			t.Fatal("opening by hand recorded no start")
		}
		if err := s.SetDiagnosticState(ctx, d.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		closed, _ := s.Diagnostic(ctx, d.ID)
		if closed.ClosedAt == nil || !closed.OpenedAt.Equal(*opened.OpenedAt) {
			t.Fatalf("after closing: opened %v closed %v", closed.OpenedAt, closed.ClosedAt)
		}
		// A reopen continues the fieldwork: the start stays the first one.
		if err := s.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		reopened, _ := s.Diagnostic(ctx, d.ID)
		if reopened.OpenedAt == nil || !reopened.OpenedAt.Equal(*opened.OpenedAt) || reopened.ClosedAt != nil {
			t.Errorf("after reopening: opened %v (first %v) closed %v", reopened.OpenedAt, opened.OpenedAt, reopened.ClosedAt)
		}
	})
}
