package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// A director link keeps the label it was made with (migration 0010).
func TestDirectorLinkLabel(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau L")
		expires := accountsT.Add(30 * 24 * time.Hour)
		for _, label := range []string{"MT Uitvoering", ""} {
			l := &survey.DirectorLink{DiagnosticID: d.ID, Lang: "nl", Label: label, ExpiresAt: expires}
			token, err := s.CreateDirectorLink(ctx, firm.ID, l)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.DirectorLinkByToken(ctx, token)
			if err != nil || got.Label != label {
				t.Errorf("link by token: label %q, %v; want %q", got.Label, err, label)
			}
		}
		links, err := s.ListDirectorLinks(ctx, firm.ID, d.ID)
		if err != nil || len(links) != 2 {
			t.Fatalf("list: %v %v", links, err)
		}
		labels := map[string]bool{}
		for _, l := range links {
			labels[l.Label] = true
		}
		if !labels["MT Uitvoering"] || !labels[""] {
			t.Errorf("listed labels %v", labels)
		}
	})
}

// IssueAccessCodes stores a batch made by the caller: the codes work, and
// a malformed or repeated code refuses the whole batch.
func TestIssueAccessCodes(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		wantCode(t, s.IssueAccessCodes(ctx, d.ID, []string{"ABCDEFGH", "ABCDEFGH"}), survey.CodeInvalid)
		wantCode(t, s.IssueAccessCodes(ctx, d.ID, []string{"abcd1234"}), survey.CodeInvalid)
		wantCode(t, s.IssueAccessCodes(ctx, d.ID, nil), survey.CodeInvalid)
		if issued, _, err := s.AccessCodeCounts(ctx, d.ID); err != nil || issued != 0 {
			t.Fatalf("a refused batch counts: %d %v", issued, err)
		}
		if err := s.IssueAccessCodes(ctx, d.ID, []string{"ABCDEFGH", "KMNPQRST"}); err != nil {
			t.Fatal(err)
		}
		if issued, used, err := s.AccessCodeCounts(ctx, d.ID); err != nil || issued != 2 || used != 0 {
			t.Fatalf("counts: %d %d %v", issued, used, err)
		}
		if err := s.SpendAccessCode(ctx, d.ID, "KMNPQRST"); err != nil {
			t.Errorf("an issued code does not work: %v", err)
		}
	})
}

// Once a diagnostic is open its units' ids and names stay fixed, but a
// headcount typed wrongly can be corrected: it feeds only response rates.
func TestHeadcountsCanBeCorrectedAfterOpening(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s) // open, units u1 (40) and u2
		d.Units = []survey.Unit{{ID: "u1", Name: "Hernoemd", Headcount: 1200}, {ID: "u2", Name: "Vergunningen", Headcount: 35}, {ID: "u3", Name: "Nieuw", Headcount: 9}}
		if err := s.UpdateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := s.Diagnostic(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []survey.Unit{{ID: "u1", Name: "Burgerzaken", Headcount: 1200}, {ID: "u2", Name: "Vergunningen", Headcount: 35}}
		if len(got.Units) != len(want) {
			t.Fatalf("units %+v, want %+v", got.Units, want)
		}
		for i := range want {
			if got.Units[i].ID != want[i].ID || got.Units[i].Name != want[i].Name || got.Units[i].Headcount != want[i].Headcount {
				t.Errorf("unit %d: %+v, want %+v", i, got.Units[i], want[i])
			}
		}
	})
}
