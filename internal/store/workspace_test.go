package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestOrganisationsAreScopedToTheirFirm(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newFirm(t, s, "A"), newFirm(t, s, "B")
		for _, name := range []string{"zeeland", "Amsterdam"} {
			if err := s.CreateOrganisation(ctx, &survey.Organisation{FirmID: a.ID, Name: name, Sector: survey.SectorMunicipality}); err != nil {
				t.Fatal(err)
			}
		}
		orgB := &survey.Organisation{FirmID: b.ID, Name: "Rijkswaterstaat", Sector: survey.SectorAgency, Headcount: 9000}
		if err := s.CreateOrganisation(ctx, orgB); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListOrganisations(ctx, a.ID)
		if err != nil || len(list) != 2 || list[0].Name != "Amsterdam" || list[1].Name != "zeeland" {
			t.Fatalf("firm A's list, sorted by name: %+v %v", list, err)
		}
		if _, err := s.OrganisationForFirm(ctx, a.ID, orgB.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("firm A reads firm B's organisation: %v", err)
		}
		got, err := s.OrganisationForFirm(ctx, b.ID, orgB.ID)
		if err != nil || got.Headcount != 9000 || got.FirmID != b.ID {
			t.Fatalf("OrganisationForFirm: %+v %v", got, err)
		}
		orgB.Name, orgB.FirmID = "Gestolen", a.ID
		if err := s.UpdateOrganisation(ctx, orgB); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("firm A updates firm B's organisation: %v", err)
		}
		orgB.Name, orgB.FirmID, orgB.Headcount = "RWS", b.ID, 9100
		if err := s.UpdateOrganisation(ctx, orgB); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OrganisationForFirm(ctx, b.ID, orgB.ID); got.Name != "RWS" || got.Headcount != 9100 {
			t.Errorf("update not stored: %+v", got)
		}
	})
}

func TestDiagnosticLifecycleInTheWorkspace(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newFirm(t, s, "A"), newFirm(t, s, "B")
		org := &survey.Organisation{FirmID: a.ID, Name: "Provincie", Sector: survey.SectorProvince}
		if err := s.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		first := &survey.Diagnostic{OrganisationID: org.ID, Name: "2025", Questionnaire: testQuestionnaire(), Units: testUnits(), State: survey.StateClosed, MinGroupSize: 5}
		if err := s.CreateDiagnostic(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := &survey.Diagnostic{OrganisationID: org.ID, Name: "2026", Questionnaire: testQuestionnaire(), Units: testUnits(),
			State: survey.StateDraft, MinGroupSize: 6, Access: survey.AccessCodes, Languages: []string{"nl"}, PreviousID: first.ID}
		if err := s.CreateDiagnostic(ctx, second); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListDiagnostics(ctx, a.ID, org.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("ListDiagnostics: %d %v", len(list), err)
		}
		if other, _ := s.ListDiagnostics(ctx, b.ID, org.ID); len(other) != 0 {
			t.Errorf("firm B lists firm A's diagnostics: %d", len(other))
		}
		if _, err := s.DiagnosticForFirm(ctx, b.ID, second.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("firm B reads firm A's diagnostic: %v", err)
		}
		got, err := s.DiagnosticForFirm(ctx, a.ID, second.ID)
		if err != nil || got.Access != survey.AccessCodes || got.PreviousID != first.ID || len(got.Languages) != 1 || got.MinGroupSize != 6 {
			t.Fatalf("DiagnosticForFirm: %+v %v", got, err)
		}

		// While a draft, everything can change; once open, the fields that
		// answers depend on stay as they were.
		closes := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		got.Name, got.ClosesAt, got.Units = "2026 voorjaar", &closes, []survey.Unit{{ID: "u1", Name: "Alles"}}
		if err := s.UpdateDiagnostic(ctx, got); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDiagnosticState(ctx, second.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		got.Units, got.Access, got.Name = testUnits(), survey.AccessLink, "2026"
		if err := s.UpdateDiagnostic(ctx, got); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Diagnostic(ctx, second.ID)
		if after.Name != "2026" || len(after.Units) != 1 || after.Access != survey.AccessCodes || after.ClosesAt == nil || !after.ClosesAt.Equal(closes) {
			t.Errorf("after updates: name %q units %+v access %s closes %v", after.Name, after.Units, after.Access, after.ClosesAt)
		}
		if err := s.SetDiagnosticState(ctx, "nope", survey.StateOpen); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("state of a missing diagnostic: %v", err)
		}

		// Progress counts per unit and per day; deleting takes every answer.
		for i := range 3 {
			submitNew(t, s, second.ID, i)
		}
		p, err := s.Progress(ctx, second.ID)
		if err != nil || p.Total != 3 || p.ByUnit["u1"] != 3 || len(p.ByDay) != 1 || p.ByDay[0] != (survey.DayCount{Date: "2025-03-14", Count: 3}) {
			t.Fatalf("Progress: %+v %v", p, err)
		}
		// Deleting the first wave keeps the second, which no longer follows it.
		if n, err := s.DeleteDiagnostic(ctx, first.ID); err != nil || n != 0 {
			t.Fatalf("delete first: %d %v", n, err)
		}
		if d, _ := s.Diagnostic(ctx, second.ID); d.PreviousID != "" {
			t.Errorf("second wave still follows a deleted one: %q", d.PreviousID)
		}
		n, err := s.DeleteDiagnostic(ctx, second.ID)
		if err != nil || n != 3 {
			t.Fatalf("delete second: %d %v", n, err)
		}
		if c, err := s.CountResponses(ctx, second.ID); err != nil || c != 0 {
			t.Errorf("responses left after delete: %d %v", c, err)
		}
		if _, err := s.DeleteDiagnostic(ctx, second.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("deleting twice: %v", err)
		}
	})
}
