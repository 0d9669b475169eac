package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// accountsT is a fixed moment, so that expiry is tested without sleeping.
var accountsT = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newFirm(t testing.TB, s *store.Store, name string) *survey.Firm {
	t.Helper()
	f := &survey.Firm{Name: name}
	if err := s.CreateFirm(context.Background(), f); err != nil {
		t.Fatalf("CreateFirm: %v", err)
	}
	return f
}

func newConsultant(t testing.TB, s *store.Store, firm *survey.Firm, email string, admin bool) *survey.Consultant {
	t.Helper()
	c := &survey.Consultant{FirmID: firm.ID, Email: email, IsAdmin: admin}
	if err := s.CreateConsultant(context.Background(), c, "$argon2id$hash-of-"+email); err != nil {
		t.Fatalf("CreateConsultant: %v", err)
	}
	return c
}

func TestFirms(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFirm(t, s, "  Adviesbureau Noord ")
		if f.ID == "" || f.Name != "Adviesbureau Noord" || f.CreatedAt.IsZero() || f.RequireTOTP {
			t.Fatalf("created %+v", f)
		}
		wantCode(t, s.CreateFirm(ctx, &survey.Firm{Name: "Adviesbureau Noord"}), survey.CodeConflict)
		wantCode(t, s.CreateFirm(ctx, &survey.Firm{Name: " "}), survey.CodeInvalid)

		got, err := s.FirmByName(ctx, "Adviesbureau Noord")
		if err != nil || got.ID != f.ID {
			t.Fatalf("FirmByName: %+v %v", got, err)
		}
		_, err = s.FirmByName(ctx, "Adviesbureau Zuid")
		wantCode(t, err, survey.CodeNotFound)

		if err := s.SetFirmRequireTOTP(ctx, f.ID, true); err != nil {
			t.Fatal(err)
		}
		got, err = s.FirmByID(ctx, f.ID)
		if err != nil || !got.RequireTOTP || !got.CreatedAt.Equal(f.CreatedAt) {
			t.Fatalf("FirmByID: %+v %v", got, err)
		}
		wantCode(t, s.SetFirmRequireTOTP(ctx, "nope", true), survey.CodeNotFound)
		_, err = s.FirmByID(ctx, "nope")
		wantCode(t, err, survey.CodeNotFound)
	})
}

func TestConsultants(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		north, south := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		ann := newConsultant(t, s, north, " Ann@Noord.NL ", true)
		if ann.ID == "" || ann.Email != "ann@noord.nl" || ann.FirmName != "Noord" || !ann.IsAdmin || ann.CreatedAt.IsZero() {
			t.Fatalf("created %+v", ann)
		}
		bob := newConsultant(t, s, north, "bob@noord.nl", false)
		newConsultant(t, s, south, "cor@zuid.nl", false)

		// An address has one account in the whole service.
		wantCode(t, s.CreateConsultant(ctx, &survey.Consultant{FirmID: south.ID, Email: "ANN@noord.nl"}, "h"), survey.CodeConflict)
		wantCode(t, s.CreateConsultant(ctx, &survey.Consultant{FirmID: "nope", Email: "x@y.nl"}, "h"), survey.CodeNotFound)
		wantCode(t, s.CreateConsultant(ctx, &survey.Consultant{FirmID: north.ID, Email: "x@y.nl"}, ""), survey.CodeInvalid)

		got, err := s.ConsultantByEmail(ctx, "ANN@NOORD.NL")
		if err != nil || got.ID != ann.ID || got.FirmID != north.ID || got.FirmName != "Noord" {
			t.Fatalf("ConsultantByEmail: %+v %v", got, err)
		}
		got, err = s.ConsultantByID(ctx, north.ID, bob.ID)
		if err != nil || got.Email != "bob@noord.nl" || got.IsAdmin {
			t.Fatalf("ConsultantByID: %+v %v", got, err)
		}
		// Another firm's consultant does not exist for this firm.
		_, err = s.ConsultantByID(ctx, south.ID, bob.ID)
		wantCode(t, err, survey.CodeNotFound)

		list, err := s.ListConsultants(ctx, north.ID)
		if err != nil || len(list) != 2 || list[0].Email != "ann@noord.nl" || list[1].Email != "bob@noord.nl" {
			t.Fatalf("ListConsultants: %+v %v", list, err)
		}

		creds, err := s.Credentials(ctx, ann.ID)
		if err != nil || creds.PasswordHash != "$argon2id$hash-of- Ann@Noord.NL " || creds.TOTPSecret != "" || creds.LockedUntil != nil {
			t.Fatalf("Credentials: %+v %v", creds, err)
		}
		if err := s.SetPasswordHash(ctx, ann.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if creds, _ := s.Credentials(ctx, ann.ID); creds.PasswordHash != "$argon2id$new" {
			t.Error("SetPasswordHash did not store")
		}
		wantCode(t, s.SetPasswordHash(ctx, "nope", "x"), survey.CodeNotFound)
	})
}

func TestLoginFailuresLockTheAccount(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newConsultant(t, s, newFirm(t, s, "Noord"), "ann@noord.nl", false)
		for i := 1; i < auth.MaxFailedLogins; i++ {
			locked, err := s.RecordLoginFailure(ctx, c.ID, accountsT)
			if err != nil || locked {
				t.Fatalf("failure %d: locked=%v %v", i, locked, err)
			}
		}
		locked, err := s.RecordLoginFailure(ctx, c.ID, accountsT)
		if err != nil || !locked {
			t.Fatalf("failure %d: locked=%v %v", auth.MaxFailedLogins, locked, err)
		}
		creds, _ := s.Credentials(ctx, c.ID)
		if !creds.Locked(accountsT.Add(auth.Lockout-time.Second)) || creds.Locked(accountsT.Add(auth.Lockout)) || creds.FailedLogins != 0 {
			t.Fatalf("lock: %+v", creds)
		}
		if err := s.RecordLoginSuccess(ctx, c.ID, accountsT.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		creds, _ = s.Credentials(ctx, c.ID)
		if creds.LockedUntil != nil || creds.FailedLogins != 0 {
			t.Fatalf("after success: %+v", creds)
		}
		got, _ := s.ConsultantByEmail(ctx, "ann@noord.nl")
		if got.LastLoginAt == nil || !got.LastLoginAt.Equal(accountsT.Add(time.Hour)) {
			t.Errorf("last login %v", got.LastLoginAt)
		}
		_, err = s.RecordLoginFailure(ctx, "nope", accountsT)
		wantCode(t, err, survey.CodeNotFound)
	})
}

// Guesses sent at once, to several instances, are all counted.
func TestConcurrentLoginFailuresAreAllCounted(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newConsultant(t, s, newFirm(t, s, "Noord"), "ann@noord.nl", false)
		var wg sync.WaitGroup
		var mu sync.Mutex
		locks := 0
		for range auth.MaxFailedLogins {
			wg.Go(func() {
				locked, err := s.RecordLoginFailure(ctx, c.ID, accountsT)
				if err != nil {
					t.Error(err)
				}
				if locked {
					mu.Lock()
					locks++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if locks != 1 {
			t.Fatalf("%d failures locked %d times, want once", auth.MaxFailedLogins, locks)
		}
	})
}

func TestTOTPState(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newConsultant(t, s, newFirm(t, s, "Noord"), "ann@noord.nl", false)
		if err := s.SetPendingTOTP(ctx, c.ID, "SECRETONE"); err != nil {
			t.Fatal(err)
		}
		// A second set-up (another tab) replaces the first, which can then
		// no longer be confirmed.
		if err := s.SetPendingTOTP(ctx, c.ID, "SECRETTWO"); err != nil {
			t.Fatal(err)
		}
		codes := auth.NewRecoveryCodes()
		wantCode(t, s.EnableTOTP(ctx, c.ID, "SECRETONE", 100, codes), survey.CodeConflict)
		if err := s.EnableTOTP(ctx, c.ID, "SECRETTWO", 100, codes); err != nil {
			t.Fatal(err)
		}
		creds, _ := s.Credentials(ctx, c.ID)
		if creds.TOTPSecret != "SECRETTWO" || creds.TOTPPendingSecret != "" || creds.TOTPLastStep != 100 {
			t.Fatalf("after enable: %+v", creds)
		}
		if got, _ := s.ConsultantByEmail(ctx, c.Email); !got.TOTPEnabled {
			t.Error("TOTPEnabled not set")
		}

		// The confirming code's step, and earlier ones, cannot be used.
		wantCode(t, s.UseTOTPStep(ctx, c.ID, 100), survey.CodeConflict)
		wantCode(t, s.UseTOTPStep(ctx, c.ID, 99), survey.CodeConflict)
		if err := s.UseTOTPStep(ctx, c.ID, 101); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.UseTOTPStep(ctx, c.ID, 101), survey.CodeConflict)

		// Recovery codes work once, however typed, and only for their owner.
		other := newConsultant(t, s, newFirm(t, s, "Zuid"), "cor@zuid.nl", false)
		wantCode(t, s.UseRecoveryCode(ctx, other.ID, codes[0]), survey.CodeNotFound)
		if err := s.UseRecoveryCode(ctx, c.ID, strings.ToUpper(codes[0])); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.UseRecoveryCode(ctx, c.ID, codes[0]), survey.CodeNotFound)
		if n, err := s.CountRecoveryCodes(ctx, c.ID); err != nil || n != auth.RecoveryCodeCount-1 {
			t.Fatalf("count %d %v", n, err)
		}
		fresh := auth.NewRecoveryCodes()
		if err := s.ReplaceRecoveryCodes(ctx, c.ID, fresh); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.UseRecoveryCode(ctx, c.ID, codes[1]), survey.CodeNotFound)
		if n, _ := s.CountRecoveryCodes(ctx, c.ID); n != auth.RecoveryCodeCount {
			t.Fatalf("count after replace %d", n)
		}

		if err := s.DisableTOTP(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		creds, _ = s.Credentials(ctx, c.ID)
		if creds.TOTPSecret != "" {
			t.Error("secret kept after disable")
		}
		if n, _ := s.CountRecoveryCodes(ctx, c.ID); n != 0 {
			t.Errorf("%d recovery codes kept after disable", n)
		}
		if got, _ := s.ConsultantByEmail(ctx, c.Email); got.TOTPEnabled {
			t.Error("TOTPEnabled still set")
		}
	})
}

// One code sent twice at once is accepted once.
func TestConcurrentUseOfOneTOTPStep(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newConsultant(t, s, newFirm(t, s, "Noord"), "ann@noord.nl", false)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- s.UseTOTPStep(ctx, c.ID, 5000) })
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch survey.ErrorCode(err) {
			case "":
				ok++
			case survey.CodeConflict:
			default:
				t.Error(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 8 uses accepted, want 1", ok)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		c := newConsultant(t, s, firm, "ann@noord.nl", true)
		id, err := s.CreateSession(ctx, auth.Session{ConsultantID: c.ID, Stage: auth.StageSecondFactor,
			CreatedAt: accountsT, ExpiresAt: accountsT.Add(auth.SecondFactorTimeout)})
		if err != nil || len(id) < 40 {
			t.Fatalf("CreateSession: %q %v", id, err)
		}
		sess, cons, err := s.SessionConsultant(ctx, id)
		if err != nil || sess.Stage != auth.StageSecondFactor || cons.ID != c.ID || cons.FirmName != "Noord" || !sess.LastSeenAt.Equal(accountsT) {
			t.Fatalf("SessionConsultant: %+v %+v %v", sess, cons, err)
		}
		if sess.FirmRequiresTOTP {
			t.Error("firm policy wrong")
		}

		// Rotation: the old id stops working.
		newID, err := s.RotateSession(ctx, id, auth.Session{ConsultantID: c.ID, Stage: auth.StageFull,
			CreatedAt: accountsT, ExpiresAt: accountsT.Add(auth.SessionLifetime)})
		if err != nil || newID == id {
			t.Fatalf("RotateSession: %v", err)
		}
		_, _, err = s.SessionConsultant(ctx, id)
		wantCode(t, err, survey.CodeNotFound)
		_ = s.SetFirmRequireTOTP(ctx, firm.ID, true)
		sess, _, err = s.SessionConsultant(ctx, newID)
		if err != nil || sess.Stage != auth.StageFull || !sess.FirmRequiresTOTP {
			t.Fatalf("rotated: %+v %v", sess, err)
		}

		later := accountsT.Add(90 * time.Minute)
		if err := s.TouchSession(ctx, newID, later); err != nil {
			t.Fatal(err)
		}
		sess, _, _ = s.SessionConsultant(ctx, newID)
		if !sess.LastSeenAt.Equal(later) || !sess.Valid(later.Add(time.Hour)) {
			t.Errorf("touch: %+v", sess)
		}

		// Expired sessions are purged; live ones stay.
		idle, _ := s.CreateSession(ctx, auth.Session{ConsultantID: c.ID, Stage: auth.StageFull, CreatedAt: accountsT, ExpiresAt: accountsT.Add(auth.SessionLifetime)})
		n, err := s.DeleteExpiredSessions(ctx, accountsT.Add(auth.SessionIdle+time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSessions: %d %v", n, err)
		}
		_, _, err = s.SessionConsultant(ctx, idle)
		wantCode(t, err, survey.CodeNotFound)
		if _, _, err := s.SessionConsultant(ctx, newID); err != nil {
			t.Fatal("live session purged")
		}

		if err := s.DeleteSession(ctx, newID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.SessionConsultant(ctx, newID)
		wantCode(t, err, survey.CodeNotFound)
		_, _, err = s.SessionConsultant(ctx, "")
		wantCode(t, err, survey.CodeNotFound)
		_, err = s.CreateSession(ctx, auth.Session{ConsultantID: "nope", Stage: auth.StageFull, ExpiresAt: accountsT})
		wantCode(t, err, survey.CodeNotFound)
	})
}

func TestDisablingEndsSessionsAndTokens(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		north, south := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		bob := newConsultant(t, s, north, "bob@noord.nl", false)
		sid, _ := s.CreateSession(ctx, auth.Session{ConsultantID: bob.ID, Stage: auth.StageFull, ExpiresAt: time.Now().Add(time.Hour)})
		_, token, err := s.CreateAPIToken(ctx, bob.ID, "script")
		if err != nil {
			t.Fatal(err)
		}

		// Another firm cannot disable bob.
		wantCode(t, s.SetConsultantDisabled(ctx, south.ID, bob.ID, true), survey.CodeNotFound)
		if _, _, err := s.SessionConsultant(ctx, sid); err != nil {
			t.Fatal("another firm's attempt ended the session")
		}

		if err := s.SetConsultantDisabled(ctx, north.ID, bob.ID, true); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.SessionConsultant(ctx, sid)
		wantCode(t, err, survey.CodeNotFound)
		_, _, err = s.ConsultantByAPIToken(ctx, token)
		wantCode(t, err, survey.CodeNotFound)
		if got, _ := s.ConsultantByID(ctx, north.ID, bob.ID); !got.Disabled {
			t.Error("not disabled")
		}
		if err := s.SetConsultantDisabled(ctx, north.ID, bob.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ConsultantByID(ctx, north.ID, bob.ID); got.Disabled {
			t.Error("not enabled")
		}
	})
}

func TestInvitations(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		north, south := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		ann := newConsultant(t, s, north, "ann@noord.nl", true)

		inv := &auth.Invitation{FirmID: north.ID, Email: " Dirk@Noord.nl", InvitedBy: ann.ID, ExpiresAt: accountsT.Add(auth.InvitationLifetime)}
		first, err := s.CreateInvitation(ctx, inv)
		if err != nil || len(first) < 40 || inv.ID == "" || inv.Email != "dirk@noord.nl" {
			t.Fatalf("CreateInvitation: %q %+v %v", first, inv, err)
		}
		// Inviting again replaces the first link.
		second, err := s.CreateInvitation(ctx, &auth.Invitation{FirmID: north.ID, Email: "dirk@noord.nl", IsAdmin: true, ExpiresAt: accountsT.Add(auth.InvitationLifetime)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.InvitationByToken(ctx, first)
		wantCode(t, err, survey.CodeNotFound)
		got, err := s.InvitationByToken(ctx, second)
		if err != nil || got.Email != "dirk@noord.nl" || !got.IsAdmin || got.FirmName != "Noord" || got.Expired(accountsT) {
			t.Fatalf("InvitationByToken: %+v %v", got, err)
		}

		// An address with an account in the firm cannot be invited; one with
		// an account elsewhere can, but the link does not work: the inviting
		// firm does not learn that the address is taken.
		_, err = s.CreateInvitation(ctx, &auth.Invitation{FirmID: north.ID, Email: "ANN@noord.nl", ExpiresAt: accountsT.Add(time.Hour)})
		wantCode(t, err, survey.CodeConflict)
		taken, err := s.CreateInvitation(ctx, &auth.Invitation{FirmID: south.ID, Email: "ANN@noord.nl", ExpiresAt: accountsT.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AcceptInvitation(ctx, taken, "$argon2id$x", accountsT)
		wantCode(t, err, survey.CodeConflict)
		if err := s.DeleteInvitation(ctx, south.ID, mustInvitation(t, s, taken).ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateInvitation(ctx, &auth.Invitation{FirmID: north.ID, Email: ""})
		wantCode(t, err, survey.CodeInvalid)

		list, err := s.ListInvitations(ctx, north.ID)
		if err != nil || len(list) != 1 || list[0].Email != "dirk@noord.nl" {
			t.Fatalf("ListInvitations: %+v %v", list, err)
		}
		if list, _ := s.ListInvitations(ctx, south.ID); len(list) != 0 {
			t.Fatal("another firm sees the invitation")
		}

		// Expired links do not work.
		_, err = s.AcceptInvitation(ctx, second, "$argon2id$x", accountsT.Add(auth.InvitationLifetime))
		wantCode(t, err, survey.CodeNotFound)

		dirk, err := s.AcceptInvitation(ctx, second, "$argon2id$x", accountsT.Add(time.Hour))
		if err != nil || dirk.Email != "dirk@noord.nl" || dirk.FirmID != north.ID || !dirk.IsAdmin || dirk.FirmName != "Noord" {
			t.Fatalf("AcceptInvitation: %+v %v", dirk, err)
		}
		// A link works once.
		_, err = s.AcceptInvitation(ctx, second, "$argon2id$x", accountsT.Add(time.Hour))
		wantCode(t, err, survey.CodeNotFound)
		if list, _ := s.ListInvitations(ctx, north.ID); len(list) != 0 {
			t.Fatalf("accepted invitation still listed: %+v", list)
		}

		// Two firms invite one address: the first to accept wins.
		a, _ := s.CreateInvitation(ctx, &auth.Invitation{FirmID: north.ID, Email: "eva@example.nl", ExpiresAt: accountsT.Add(time.Hour)})
		b, _ := s.CreateInvitation(ctx, &auth.Invitation{FirmID: south.ID, Email: "eva@example.nl", ExpiresAt: accountsT.Add(time.Hour)})
		if _, err := s.AcceptInvitation(ctx, b, "$argon2id$x", accountsT); err != nil {
			t.Fatal(err)
		}
		_, err = s.AcceptInvitation(ctx, a, "$argon2id$x", accountsT)
		wantCode(t, err, survey.CodeNotFound)

		// Withdrawing: only the firm's own.
		c, _ := s.CreateInvitation(ctx, &auth.Invitation{FirmID: north.ID, Email: "fien@noord.nl", ExpiresAt: accountsT.Add(time.Hour)})
		inv2, _ := s.InvitationByToken(ctx, c)
		wantCode(t, s.DeleteInvitation(ctx, south.ID, inv2.ID), survey.CodeNotFound)
		if err := s.DeleteInvitation(ctx, north.ID, inv2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.InvitationByToken(ctx, c)
		wantCode(t, err, survey.CodeNotFound)
	})
}

func TestAPITokens(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		ann, bob := newConsultant(t, s, firm, "ann@noord.nl", true), newConsultant(t, s, firm, "bob@noord.nl", false)
		rec, token, err := s.CreateAPIToken(ctx, ann.ID, " rapportages ")
		if err != nil || !strings.HasPrefix(token, "uk_") || len(token) < 40 || rec.Name != "rapportages" || rec.LastUsedAt != nil {
			t.Fatalf("CreateAPIToken: %+v %q %v", rec, token, err)
		}
		_, _, err = s.CreateAPIToken(ctx, ann.ID, "")
		wantCode(t, err, survey.CodeInvalid)
		_, _, err = s.CreateAPIToken(ctx, "nope", "x")
		wantCode(t, err, survey.CodeNotFound)

		cons, got, err := s.ConsultantByAPIToken(ctx, token)
		if err != nil || cons.ID != ann.ID || cons.FirmName != "Noord" || got.ID != rec.ID {
			t.Fatalf("ConsultantByAPIToken: %+v %+v %v", cons, got, err)
		}
		for _, bad := range []string{"", "uk_", token + "x", strings.TrimPrefix(token, "uk_")} {
			_, _, err := s.ConsultantByAPIToken(ctx, bad)
			wantCode(t, err, survey.CodeNotFound)
		}
		if err := s.TouchAPIToken(ctx, rec.ID, accountsT); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListAPITokens(ctx, ann.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(accountsT) {
			t.Fatalf("ListAPITokens: %+v %v", list, err)
		}
		if list, _ := s.ListAPITokens(ctx, bob.ID); len(list) != 0 {
			t.Fatal("bob sees ann's token")
		}
		wantCode(t, s.RevokeAPIToken(ctx, bob.ID, rec.ID), survey.CodeNotFound)
		if err := s.RevokeAPIToken(ctx, ann.ID, rec.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.ConsultantByAPIToken(ctx, token)
		wantCode(t, err, survey.CodeNotFound)
	})
}

func TestAuditLog(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		north, south := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		ann := newConsultant(t, s, north, "ann@noord.nl", true)
		for i := range 7 {
			e := &survey.AuditEntry{FirmID: north.ID, ConsultantID: ann.ID, Email: ann.Email, Action: "create",
				TargetType: "organisation", TargetID: fmt.Sprint(i), Detail: fmt.Sprintf("org %d", i), At: accountsT}
			if err := s.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
			if e.ID == "" {
				t.Fatal("no id")
			}
		}
		if err := s.AddAudit(ctx, &survey.AuditEntry{FirmID: south.ID, Action: "login"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.AddAudit(ctx, &survey.AuditEntry{FirmID: north.ID}), survey.CodeInvalid)
		wantCode(t, s.AddAudit(ctx, &survey.AuditEntry{FirmID: "nope", Action: "x"}), survey.CodeNotFound)

		// Newest first, even within one microsecond.
		page1, err := s.ListAudit(ctx, north.ID, 5, 0)
		if err != nil || len(page1) != 5 || page1[0].TargetID != "6" || page1[4].TargetID != "2" {
			t.Fatalf("page 1: %+v %v", page1, err)
		}
		e := page1[0]
		if e.ConsultantID != ann.ID || e.Email != "ann@noord.nl" || e.Action != "create" || e.TargetType != "organisation" || e.Detail != "org 6" || !e.At.Equal(accountsT) || e.FirmID != north.ID {
			t.Errorf("entry %+v", e)
		}
		page2, err := s.ListAudit(ctx, north.ID, 5, 5)
		if err != nil || len(page2) != 2 || page2[1].TargetID != "0" {
			t.Fatalf("page 2: %+v %v", page2, err)
		}
		if south, _ := s.ListAudit(ctx, south.ID, 50, 0); len(south) != 1 || south[0].ConsultantID != "" || south[0].At.IsZero() {
			t.Fatalf("other firm: %+v", south)
		}
		_, err = s.ListAudit(ctx, north.ID, 0, 0)
		wantCode(t, err, survey.CodeInvalid)
	})
}

// Organisations can belong to a firm: the column exists and deleting the
// firm deletes them.
func TestOrganisationsHaveAFirmColumn(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		o := &survey.Organisation{Name: "Gemeente X", Sector: survey.SectorMunicipality}
		if err := s.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		db := store.WriterDB(s)
		if _, err := db.ExecContext(ctx, fmt.Sprintf("UPDATE organisations SET firm_id = '%s' WHERE id = '%s'", firm.ID, o.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE organisations SET firm_id = 'nope'"); err == nil {
			t.Error("firm_id accepts a firm that does not exist")
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("DELETE FROM firms WHERE id = '%s'", firm.ID)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM organisations").Scan(&n); err != nil || n != 0 {
			t.Errorf("organisations after deleting their firm: %d %v", n, err)
		}
	})
}

func mustInvitation(t *testing.T, s *store.Store, token string) *auth.Invitation {
	t.Helper()
	inv, err := s.InvitationByToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
