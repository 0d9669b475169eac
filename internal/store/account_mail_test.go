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

func resetMail(got *string) func(c *survey.Consultant, token string) (*survey.OutgoingMessage, error) {
	return func(c *survey.Consultant, token string) (*survey.OutgoingMessage, error) {
		*got = token
		return &survey.OutgoingMessage{FirmID: c.FirmID, Kind: survey.MessagePasswordReset, Lang: "nl", To: []string{c.Email},
			Subject: "Wachtwoord", Text: "https://uk.test/wachtwoord-herstellen/" + token, Ephemeral: true}, nil
	}
}

func TestPasswordReset(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Bureau A")
		c := newConsultant(t, s, firm, "anna@bureau.example", false)
		for range 2 {
			if _, err := s.CreateSession(ctx, auth.Session{ConsultantID: c.ID, Stage: auth.StageFull, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()

		// Unknown address: nothing queued, no error.
		var none string
		if err := s.RequestPasswordReset(ctx, "niemand@bureau.example", now.Add(time.Hour), resetMail(&none)); err != nil || none != "" {
			t.Fatalf("unknown address: %q, %v", none, err)
		}
		var old, token string
		if err := s.RequestPasswordReset(ctx, "old", now.Add(time.Hour), resetMail(&old)); err != nil {
			t.Fatal(err)
		}
		if err := s.RequestPasswordReset(ctx, " ANNA@bureau.example", now.Add(-time.Second), resetMail(&old)); err != nil || old == "" {
			t.Fatalf("expired request: %v", err)
		}
		if err := s.RequestPasswordReset(ctx, "anna@bureau.example", now.Add(time.Hour), resetMail(&token)); err != nil || len(token) < 22 {
			t.Fatalf("request: %q, %v", token, err)
		}
		list, _ := s.ListMessages(ctx, firm.ID, "")
		if len(list) != 2 || list[0].Kind != survey.MessagePasswordReset {
			t.Fatalf("queued: %+v", list)
		}

		// The expired token does not work; the good one does, once.
		if _, err := s.PasswordResetConsultant(ctx, old, now); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("expired token: %v", err)
		}
		_, err := s.ResetPassword(ctx, old, "$argon2id$x", now)
		wantCode(t, err, survey.CodeNotFound)
		got, err := s.PasswordResetConsultant(ctx, token, now)
		if err != nil || got.ID != c.ID {
			t.Fatalf("lookup: %+v, %v", got, err)
		}
		if _, err := s.RecordLoginFailure(ctx, c.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, token, "$argon2id$new", now); err != nil {
			t.Fatal(err)
		}
		cred, err := s.Credentials(ctx, c.ID)
		if err != nil || cred.PasswordHash != "$argon2id$new" {
			t.Errorf("credentials after reset: %+v, %v", cred, err)
		}
		_, err = s.ResetPassword(ctx, token, "$argon2id$again", now)
		wantCode(t, err, survey.CodeNotFound)
		if n, _ := s.DeleteExpiredSessions(ctx, now.Add(-24*time.Hour)); n != 0 {
			t.Errorf("unexpected expired sessions: %d", n)
		}
		if sessions := countRows(t, s, "sessions"); sessions != 0 {
			t.Errorf("%d sessions survived the reset", sessions)
		}

		// No token is stored as given.
		for _, tok := range []string{old, token} {
			if n := countWhere(t, s, "password_resets", "token_hash", tok); n != 0 {
				t.Error("a reset token is stored in clear")
			}
		}
		if strings.Contains(token, "/") {
			t.Error("token is not URL-safe")
		}
	})
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Bureau A")
		c := newConsultant(t, s, firm, "anna@bureau.example", false)
		var ids []string
		for range 3 {
			id, err := s.CreateSession(ctx, auth.Session{ConsultantID: c.ID, Stage: auth.StageFull, ExpiresAt: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		var token string
		if err := s.RequestPasswordReset(ctx, c.Email, time.Now().Add(time.Hour), resetMail(&token)); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangePassword(ctx, c.ID, "$argon2id$changed", ids[1], time.Now()); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			_, _, err := s.SessionConsultant(ctx, id)
			if (i == 1) != (err == nil) {
				t.Errorf("session %d after the change: %v", i, err)
			}
		}
		if _, err := s.PasswordResetConsultant(ctx, token, time.Now()); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("a reset link survived the change: %v", err)
		}
	})
}

func TestInvitationWithMessage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Bureau A")
		newConsultant(t, s, firm, "anna@bureau.example", true)
		var inMail string
		inv := &auth.Invitation{FirmID: firm.ID, Email: "bob@bureau.example", ExpiresAt: time.Now().Add(time.Hour)}
		token, err := s.CreateInvitationWithMessage(ctx, inv, func(token string) (*survey.OutgoingMessage, error) {
			inMail = token
			return &survey.OutgoingMessage{FirmID: firm.ID, Kind: survey.MessageColleagueInvitation, Lang: "nl", To: []string{"bob@bureau.example"}, Subject: "Uitnodiging", Text: token}, nil
		})
		if err != nil || token == "" || token != inMail {
			t.Fatalf("token %q, in mail %q, %v", token, inMail, err)
		}
		// An address in the team already: no invitation, no mail.
		_, err = s.CreateInvitationWithMessage(ctx, &auth.Invitation{FirmID: firm.ID, Email: "anna@bureau.example", ExpiresAt: time.Now().Add(time.Hour)},
			func(string) (*survey.OutgoingMessage, error) {
				t.Error("mail made for a refused invitation")
				return nil, nil
			})
		wantCode(t, err, survey.CodeConflict)
		list, _ := s.ListMessages(ctx, firm.ID, "")
		if len(list) != 1 || list[0].Kind != survey.MessageColleagueInvitation {
			t.Errorf("queued: %+v", list)
		}
	})
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.ReaderDB(s).QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// countWhere counts the rows of table where column equals value.
func countWhere(t *testing.T, s *store.Store, table, column string, value string) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM " + table + " WHERE " + column + " = $1"
	if s.Dialect() == store.DialectSQLite {
		q = "SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ?"
	}
	if err := store.ReaderDB(s).QueryRow(q, value).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
