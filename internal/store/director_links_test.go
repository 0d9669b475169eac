package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// firmDiagnostic stores a firm with an organisation and a diagnostic of it.
func firmDiagnostic(t *testing.T, s *store.Store, firmName string) (*survey.Firm, *survey.Diagnostic) {
	t.Helper()
	ctx := context.Background()
	firm := newFirm(t, s, firmName)
	o := &survey.Organisation{FirmID: firm.ID, Name: "Gemeente " + firmName, Sector: survey.SectorMunicipality}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	d := &survey.Diagnostic{OrganisationID: o.ID, Organisation: *o, Name: "Meting", Questionnaire: testQuestionnaire(), Units: testUnits(), State: survey.StateClosed, MinGroupSize: 5}
	if err := s.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	return firm, d
}

func TestDirectorLinks(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		other, otherDiag := firmDiagnostic(t, s, "Bureau B")
		expires := accountsT.Add(30 * 24 * time.Hour)

		l := &survey.DirectorLink{DiagnosticID: d.ID, Lang: "en", ExpiresAt: expires}
		token, err := s.CreateDirectorLink(ctx, firm.ID, l)
		if err != nil {
			t.Fatal(err)
		}
		// At least 128 random bits, URL-safe.
		if len(token) < 22 || strings.ContainsAny(token, "+/=") {
			t.Errorf("token %q is too short or not URL-safe", token)
		}
		if l.ID == "" || l.FirmID != firm.ID || l.CreatedAt.IsZero() || !l.ExpiresAt.Equal(expires) || l.RevokedAt != nil {
			t.Errorf("created link: %+v", l)
		}

		// Another firm cannot make a link to the diagnostic, or see or
		// revoke its links.
		if _, err := s.CreateDirectorLink(ctx, other.ID, &survey.DirectorLink{DiagnosticID: d.ID, Lang: "nl", ExpiresAt: expires}); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("link by another firm: %v", err)
		}
		if links, err := s.ListDirectorLinks(ctx, other.ID, d.ID); err != nil || len(links) != 0 {
			t.Errorf("another firm lists %v, %v", links, err)
		}
		wantCode(t, s.RevokeDirectorLink(ctx, other.ID, d.ID, l.ID, accountsT), survey.CodeNotFound)
		wantCode(t, s.RevokeDirectorLink(ctx, other.ID, otherDiag.ID, l.ID, accountsT), survey.CodeNotFound)

		got, err := s.DirectorLinkByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != l.ID || got.FirmID != firm.ID || got.DiagnosticID != d.ID || got.Lang != "en" || !got.Usable(accountsT) || got.Usable(expires) {
			t.Errorf("by token: %+v", got)
		}
		for _, bad := range []string{"", token + "x", strings.ToUpper(token), store.Hash(token)} {
			if _, err := s.DirectorLinkByToken(ctx, bad); survey.ErrorCode(err) != survey.CodeNotFound {
				t.Errorf("token %q: %v", bad, err)
			}
		}

		// Downloads are counted, also when they come at once.
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if err := s.CountDirectorDownload(ctx, l.ID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		wantCode(t, s.CountDirectorDownload(ctx, "nope"), survey.CodeNotFound)

		second := &survey.DirectorLink{DiagnosticID: d.ID, Lang: "nl", ExpiresAt: expires}
		time.Sleep(2 * time.Millisecond)
		if _, err := s.CreateDirectorLink(ctx, firm.ID, second); err != nil {
			t.Fatal(err)
		}
		links, err := s.ListDirectorLinks(ctx, firm.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != 2 || links[0].ID != second.ID || links[1].ID != l.ID || links[1].Downloads != 5 {
			t.Fatalf("links: %+v", links)
		}

		if err := s.RevokeDirectorLink(ctx, firm.ID, d.ID, l.ID, accountsT); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeDirectorLink(ctx, firm.ID, d.ID, l.ID, accountsT.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err = s.DirectorLinkByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(accountsT) || got.Usable(accountsT) {
			t.Errorf("revoked link: %+v (the first revocation must stay)", got)
		}

		// Only the hash is stored: the token is in no table in the clear.
		_, values := dump(t, s)
		hashed := false
		for c, vs := range values {
			for _, v := range vs {
				if strings.Contains(v, token) {
					t.Errorf("%s.%s holds the director token in the clear", c.table, c.name)
				}
				hashed = hashed || (c.table == "director_links" && v == store.Hash(token))
			}
		}
		if !hashed {
			t.Error("director_links does not hold the token's hash")
		}

		// Deleting the diagnostic deletes its links.
		if _, err := s.DeleteDiagnostic(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DirectorLinkByToken(ctx, token); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("link of a deleted diagnostic: %v", err)
		}
	})
}

func TestReportDateIsPinnedPerNumberOfResponses(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, d := firmDiagnostic(t, s, "Bureau A")
		first := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		got, err := s.PinReportDate(ctx, d.ID, 12, first)
		if err != nil || !got.Equal(first) {
			t.Fatalf("first pin: %v %v", got, err)
		}
		if got, err := s.PinReportDate(ctx, d.ID, 12, first.AddDate(0, 0, 5)); err != nil || !got.Equal(first) {
			t.Errorf("same responses, later: %v %v; want the pinned %v", got, err, first)
		}
		later := first.AddDate(0, 1, 0)
		if got, err := s.PinReportDate(ctx, d.ID, 15, later); err != nil || !got.Equal(later) {
			t.Errorf("more responses: %v %v; want %v", got, err, later)
		}
		if got, err := s.PinReportDate(ctx, d.ID, 15, later.AddDate(0, 0, 1)); err != nil || !got.Equal(later) {
			t.Errorf("again: %v %v; want %v", got, err, later)
		}
		if _, err := s.PinReportDate(ctx, "nope", 1, first); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("missing diagnostic: %v", err)
		}
	})
}
