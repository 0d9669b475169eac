package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const plainClientSecret = "client-secret-PLAIN-9f8e7d6c5b4a"

func testProvider(firmID string, domains ...string) *survey.SSOProvider {
	return &survey.SSOProvider{
		FirmID: firmID, DisplayName: "Microsoft", IssuerURL: "https://login.example/tenant/v2.0", ClientID: "client-1",
		ClientSecret: plainClientSecret, Domains: domains, PasswordAllowed: true,
	}
}

func storedClientSecret(t *testing.T, s *store.Store, firmID string) string {
	t.Helper()
	var v string
	if err := store.ReaderDB(s).QueryRow("SELECT client_secret FROM sso_providers WHERE firm_id = '" + firmID + "'").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSSOProviderIsStoredWithItsSecretSealed(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		noord, zuid := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		if _, err := s.SSOProvider(ctx, noord.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("provider before any: %v, want not found", err)
		}
		if err := s.SaveSSOProvider(ctx, testProvider(noord.ID, "Noord.Example", "noord.example", "noord.eu")); err != nil {
			t.Fatal(err)
		}
		raw := storedClientSecret(t, s, noord.ID)
		if strings.Contains(raw, plainClientSecret) || !strings.HasPrefix(raw, "v1:") {
			t.Fatalf("the client secret is stored as %q, not sealed", raw)
		}
		p, err := s.SSOProviderByDomain(ctx, "NOORD.example")
		if err != nil {
			t.Fatal(err)
		}
		if p.FirmID != noord.ID || p.ClientSecret != plainClientSecret || strings.Join(p.Domains, ",") != "noord.eu,noord.example" || !p.PasswordAllowed || p.JITAllowed {
			t.Fatalf("provider read back as %+v", p)
		}

		// A domain of another firm is refused, naming it, and nothing of
		// the other firm's record is touched.
		err = s.SaveSSOProvider(ctx, testProvider(zuid.ID, "zuid.example", "noord.eu"))
		if survey.ErrorCode(err) != survey.CodeConflict || survey.ErrorMessage(err) != "noord.eu" {
			t.Fatalf("claiming another firm's domain: %v", err)
		}
		if _, err := s.SSOProvider(ctx, zuid.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("a refused save left a provider: %v", err)
		}

		// An empty secret keeps the stored one; domains are replaced.
		upd := testProvider(noord.ID, "noord.example")
		upd.ClientSecret, upd.PasswordAllowed, upd.JITAllowed, upd.DisplayName = "", false, true, "Entra"
		if err := s.SaveSSOProvider(ctx, upd); err != nil {
			t.Fatal(err)
		}
		p, err = s.SSOProvider(ctx, noord.ID)
		if err != nil || p.ClientSecret != plainClientSecret || p.PasswordAllowed || !p.JITAllowed || p.DisplayName != "Entra" || len(p.Domains) != 1 {
			t.Fatalf("after update: %+v, %v", p, err)
		}
		if _, err := s.SSOProviderByDomain(ctx, "noord.eu"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("a dropped domain still leads to the provider: %v", err)
		}
		// The freed domain can go to the other firm now.
		if err := s.SaveSSOProvider(ctx, testProvider(zuid.ID, "noord.eu")); err != nil {
			t.Fatal(err)
		}

		// A sealed secret copied to another firm's row does not open.
		if _, err := store.WriterDB(s).Exec("UPDATE sso_providers SET client_secret = '" + raw + "' WHERE firm_id = '" + zuid.ID + "'"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SSOProvider(ctx, zuid.ID); survey.ErrorCode(err) != survey.CodeInternal {
			t.Fatalf("a secret moved to another row opened: %v", err)
		}

		if err := s.DeleteSSOProvider(ctx, noord.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SSOProviderByDomain(ctx, "noord.example"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("domain after delete: %v", err)
		}
		if err := s.DeleteSSOProvider(ctx, noord.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("deleting twice: %v", err)
		}
	})
}

func TestSSOLoginWorksOnceAndExpires(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		login := survey.SSOLogin{FirmID: firm.ID, Nonce: "n-1", Next: "/diagnoses", ExpiresAt: now.Add(auth.SSOLoginLifetime)}
		if err := s.CreateSSOLogin(ctx, "state-1", login, now); err != nil {
			t.Fatal(err)
		}
		var raw int
		if err := store.ReaderDB(s).QueryRow("SELECT count(*) FROM sso_logins WHERE state_hash = 'state-1'").Scan(&raw); err != nil || raw != 0 {
			t.Fatalf("the state is stored as it is (%d, %v)", raw, err)
		}
		got, err := s.TakeSSOLogin(ctx, "state-1", now.Add(time.Minute))
		if err != nil || got.FirmID != firm.ID || got.Nonce != "n-1" || got.Next != "/diagnoses" {
			t.Fatalf("TakeSSOLogin = %+v, %v", got, err)
		}
		if _, err := s.TakeSSOLogin(ctx, "state-1", now.Add(time.Minute)); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("second take: %v, want not found", err)
		}
		if err := s.CreateSSOLogin(ctx, "state-2", login, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeSSOLogin(ctx, "state-2", login.ExpiresAt); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("expired take: %v, want not found", err)
		}
		if _, err := s.TakeSSOLogin(ctx, "unknown", now); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("unknown state: %v", err)
		}
	})
}

func TestSSOConsultant(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		noord, zuid := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		ann := newConsultant(t, s, noord, "ann@noord.example", false)
		newConsultant(t, s, zuid, "zoe@zuid.example", false)

		c, joined, err := s.SSOConsultant(ctx, noord.ID, "Ann@Noord.Example", false, now)
		if err != nil || c.ID != ann.ID || joined != survey.SSOJoinedExisting {
			t.Fatalf("existing account: %+v %q %v", c, joined, err)
		}
		if _, _, err := s.SSOConsultant(ctx, noord.ID, "zoe@zuid.example", true, now); survey.ErrorCode(err) != survey.CodeForbidden {
			t.Fatalf("another firm's account: %v, want forbidden", err)
		}
		if _, _, err := s.SSOConsultant(ctx, noord.ID, "new@noord.example", false, now); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("uninvited without JIT: %v, want not found", err)
		}

		// An open invitation is accepted, with its role; an expired one is not.
		if _, err := s.CreateInvitation(ctx, &auth.Invitation{FirmID: noord.ID, Email: "bea@noord.example", IsAdmin: true, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateInvitation(ctx, &auth.Invitation{FirmID: noord.ID, Email: "old@noord.example", ExpiresAt: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		c, joined, err = s.SSOConsultant(ctx, noord.ID, "bea@noord.example", false, now)
		if err != nil || joined != survey.SSOJoinedInvitation || !c.IsAdmin || c.FirmID != noord.ID {
			t.Fatalf("invited: %+v %q %v", c, joined, err)
		}
		if invs, _ := s.ListInvitations(ctx, noord.ID); len(invs) != 1 || invs[0].Email != "old@noord.example" {
			t.Fatalf("invitations left: %+v", invs)
		}
		if _, _, err := s.SSOConsultant(ctx, noord.ID, "old@noord.example", false, now); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Fatalf("expired invitation: %v, want not found", err)
		}
		// The account has no password that could ever match.
		creds, err := s.Credentials(ctx, c.ID)
		if err != nil || creds.PasswordHash != auth.NoPasswordHash {
			t.Fatalf("credentials of an SSO account: %+v %v", creds, err)
		}
		if ok, _ := auth.NewHasher(auth.DefaultParams()).Verify("", creds.PasswordHash); ok {
			t.Fatal("the empty password matches an SSO account")
		}

		c, joined, err = s.SSOConsultant(ctx, noord.ID, "jit@noord.example", true, now)
		if err != nil || joined != survey.SSOJoinedJIT || c.IsAdmin {
			t.Fatalf("just in time: %+v %q %v", c, joined, err)
		}
	})
}

func TestRotateSecretKeyReEncryptsClientSecrets(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.DatabaseURL(t, dialect)
			s := openUnkeyed(t, dbURL)
			oldKey, newKey := newKey(t), newKey(t)
			if _, err := s.UseSecretKey(ctx, oldKey); err != nil {
				t.Fatal(err)
			}
			firm := newFirm(t, s, "Noord")
			if err := s.SaveSSOProvider(ctx, testProvider(firm.ID, "noord.example")); err != nil {
				t.Fatal(err)
			}
			if n, err := s.SSOProviderCount(ctx); err != nil || n != 1 {
				t.Fatalf("SSOProviderCount = %d, %v", n, err)
			}
			n, err := s.RotateSecretKey(ctx, oldKey, newKey)
			if err != nil || n != 0 {
				t.Fatalf("RotateSecretKey = %d, %v; want no consultant", n, err)
			}
			raw := storedClientSecret(t, s, firm.ID)
			if _, err := oldKey.Open(raw, "sso_providers/"+firm.ID+"/client_secret"); err == nil {
				t.Fatal("the client secret still opens with the old key")
			}
			if plain, err := newKey.Open(raw, "sso_providers/"+firm.ID+"/client_secret"); err != nil || plain != plainClientSecret {
				t.Fatalf("under the new key: %q %v", plain, err)
			}
			s.Close()
			s = openUnkeyed(t, dbURL)
			if _, err := s.UseSecretKey(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			if p, err := s.SSOProvider(ctx, firm.ID); err != nil || p.ClientSecret != plainClientSecret {
				t.Fatalf("after restart with the new key: %+v %v", p, err)
			}
		})
	}
}
