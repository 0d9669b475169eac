package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestActions(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		other, otherDiag := firmDiagnostic(t, s, "Bureau B")

		if plan, err := s.ActionsForDiagnostic(ctx, firm.ID, d.ID); err != nil || plan == nil || len(plan) != 0 {
			t.Fatalf("empty plan: %v, %v", plan, err)
		}

		// A start time of day is stored as its calendar day.
		start := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
		a := &survey.Action{
			DiagnosticID: d.ID, Title: "  Eén regisseur benoemen ", Target: "mandate", Owner: "Directie",
			StartDate: &start, SprintWeeks: 8, Goal: "Regisseur besluit binnen twee weken", Source: "route:collaboration:red:0",
		}
		if err := s.CreateAction(ctx, firm.ID, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == "" || a.Title != "Eén regisseur benoemen" || a.Status != survey.ActionPlanned || !a.StartDate.Equal(*day(2026, 3, 2)) ||
			a.CreatedAt.IsZero() || a.Source != "route:collaboration:red:0" {
			t.Errorf("created: %+v", a)
		}
		if due := a.Due(); due == nil || !due.Equal(*day(2026, 4, 27)) {
			t.Errorf("sprint due %v", due)
		}
		b := &survey.Action{DiagnosticID: d.ID, Title: "Werkgroep", Owner: "Programmamanager", StartDate: day(2026, 3, 1), DueDate: day(2026, 5, 1)}
		if err := s.CreateAction(ctx, firm.ID, b); err != nil {
			t.Fatal(err)
		}

		// Invalid actions are refused with an invalid error.
		for _, bad := range map[string]survey.Action{
			"no title":       {DiagnosticID: d.ID, Owner: "x"},
			"no owner":       {DiagnosticID: d.ID, Title: "x"},
			"short sprint":   {DiagnosticID: d.ID, Title: "x", Owner: "y", StartDate: day(2026, 1, 1), SprintWeeks: 5},
			"long sprint":    {DiagnosticID: d.ID, Title: "x", Owner: "y", StartDate: day(2026, 1, 1), SprintWeeks: 13},
			"sprint and due": {DiagnosticID: d.ID, Title: "x", Owner: "y", StartDate: day(2026, 1, 1), SprintWeeks: 6, DueDate: day(2026, 3, 1)},
			"due before":     {DiagnosticID: d.ID, Title: "x", Owner: "y", StartDate: day(2026, 3, 1), DueDate: day(2026, 2, 1)},
			"bad status":     {DiagnosticID: d.ID, Title: "x", Owner: "y", Status: "done", DueDate: day(2026, 3, 1)},
			"no due date":    {DiagnosticID: d.ID, Title: "x", Owner: "y", StartDate: day(2026, 3, 1)},
		} {
			wantCode(t, s.CreateAction(ctx, firm.ID, &bad), survey.CodeInvalid)
		}

		// Another firm can neither add to, read, change nor delete the plan.
		wantCode(t, s.CreateAction(ctx, other.ID, &survey.Action{DiagnosticID: d.ID, Title: "x", Owner: "y", DueDate: day(2026, 3, 1)}), survey.CodeNotFound)
		if _, err := s.ActionsForDiagnostic(ctx, other.ID, d.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("other firm reads plan: %v", err)
		}
		if _, err := s.Action(ctx, other.ID, a.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("other firm reads action: %v", err)
		}
		done := survey.ActionDone
		if _, err := s.ChangeAction(ctx, other.ID, d.ID, a.ID, survey.ActionChange{Status: &done}); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("other firm changes action: %v", err)
		}
		// An action is not reachable through another diagnostic, not even
		// with no firm (a director link of that other diagnostic).
		if _, err := s.ChangeAction(ctx, "", otherDiag.ID, a.ID, survey.ActionChange{Status: &done}); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("change through another diagnostic: %v", err)
		}
		edit := *a
		edit.Title = "Gekaapt"
		wantCode(t, s.UpdateAction(ctx, other.ID, &edit, "x", time.Time{}), survey.CodeNotFound)
		wantCode(t, s.DeleteAction(ctx, other.ID, d.ID, a.ID), survey.CodeNotFound)
		wantCode(t, s.DeleteAction(ctx, "", otherDiag.ID, a.ID), survey.CodeNotFound)

		// A status change with a note is one dated note; a note alone keeps
		// the status; nothing at all is invalid.
		doing := survey.ActionDoing
		got, err := s.ChangeAction(ctx, "", d.ID, a.ID, survey.ActionChange{Status: &doing, Note: "Gestart", Author: "MT"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != survey.ActionDoing || len(got.Notes) != 1 || got.Notes[0].From != survey.ActionPlanned ||
			got.Notes[0].To != survey.ActionDoing || got.Notes[0].Text != "Gestart" || got.Notes[0].Author != "MT" || got.Notes[0].At.IsZero() {
			t.Errorf("after change: %+v", got)
		}
		if got, err = s.ChangeAction(ctx, firm.ID, d.ID, a.ID, survey.ActionChange{Note: "Eerste overleg gehouden", Author: "c@example.nl"}); err != nil {
			t.Fatal(err)
		}
		if got.Status != survey.ActionDoing || len(got.Notes) != 2 || got.Notes[1].To != "" {
			t.Errorf("after note: %+v", got)
		}
		if _, err := s.ChangeAction(ctx, firm.ID, d.ID, a.ID, survey.ActionChange{Status: &doing, Note: "  "}); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("empty change: %v", err)
		}
		bogus := survey.ActionStatus("af")
		if _, err := s.ChangeAction(ctx, firm.ID, d.ID, a.ID, survey.ActionChange{Status: &bogus}); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("bogus status: %v", err)
		}

		// The consultant's edit records a status change as a note too.
		edit = *got
		edit.Title, edit.Status, edit.SprintWeeks, edit.StartDate = "Regisseur benoemd", survey.ActionDone, 0, nil
		edit.DueDate = day(2026, 4, 1)
		if err := s.UpdateAction(ctx, firm.ID, &edit, "c@example.nl", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if edit.Title != "Regisseur benoemd" || edit.Status != survey.ActionDone || edit.SprintWeeks != 0 || edit.StartDate != nil ||
			len(edit.Notes) != 3 || edit.Notes[2].To != survey.ActionDone {
			t.Errorf("after edit: %+v", edit)
		}

		plan, err := s.ActionsForDiagnostic(ctx, firm.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != 2 || plan[0].ID != a.ID || plan[1].ID != b.ID || len(plan[0].Notes) != 3 || len(plan[1].Notes) != 0 {
			t.Fatalf("plan: %+v", plan)
		}
		// Without a firm (a token-authorised caller) the same plan.
		if same, err := s.ActionsForDiagnostic(ctx, "", d.ID); err != nil || len(same) != 2 {
			t.Errorf("plan without firm: %v, %v", same, err)
		}
		if _, err := s.ActionsForDiagnostic(ctx, "", "nonexistent"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("missing diagnostic: %v", err)
		}

		if err := s.DeleteAction(ctx, firm.ID, d.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if plan, _ := s.ActionsForDiagnostic(ctx, firm.ID, d.ID); len(plan) != 1 {
			t.Errorf("after delete: %d actions", len(plan))
		}
	})
}

func TestDirectorLinkCanUpdate(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		expires := accountsT.Add(24 * time.Hour)
		for _, can := range []bool{false, true} {
			l := &survey.DirectorLink{DiagnosticID: d.ID, Lang: "nl", ExpiresAt: expires, CanUpdate: can, Label: "MT"}
			token, err := s.CreateDirectorLink(ctx, firm.ID, l)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.DirectorLinkByToken(ctx, token)
			if err != nil || got.CanUpdate != can || l.CanUpdate != can {
				t.Errorf("can update %v: got %+v, %v", can, got, err)
			}
		}
	})
}
