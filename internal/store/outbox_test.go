package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func testMessage(firmID, diagnosticID string) *survey.OutgoingMessage {
	return &survey.OutgoingMessage{
		FirmID: firmID, DiagnosticID: diagnosticID, Kind: survey.MessageDirectorReport, Lang: "nl",
		To: []string{"Directie <directie@example.org>"}, Subject: "Rapport", Text: "Tekst", HTML: "<p>Tekst</p>",
		Attachments: []survey.Attachment{{Name: "rapport.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.4\x00\xff")}},
	}
}

func TestOutboxEnqueueListResend(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		other, _ := firmDiagnostic(t, s, "Bureau B")

		m := testMessage(firm.ID, d.ID)
		plain := testMessage(firm.ID, "")
		if err := s.EnqueueMessages(ctx, m, plain); err != nil {
			t.Fatal(err)
		}
		if m.ID == "" || m.MessageID == "" || m.State != survey.MessageQueued || m.CreatedAt.IsZero() || m.MessageID == plain.MessageID {
			t.Fatalf("queued message: %+v", m)
		}
		all, err := s.ListMessages(ctx, firm.ID, "")
		if err != nil || len(all) != 2 {
			t.Fatalf("firm lists %d messages, %v", len(all), err)
		}
		if all[0].Text != "" || all[0].Attachments != nil {
			t.Errorf("the list carries bodies: %+v", all[0])
		}
		perDiag, err := s.ListMessages(ctx, firm.ID, d.ID)
		if err != nil || len(perDiag) != 1 || perDiag[0].ID != m.ID {
			t.Fatalf("diagnostic lists %+v, %v", perDiag, err)
		}
		got, err := s.Message(ctx, firm.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.To[0] != m.To[0] || got.HTML != m.HTML || len(got.Attachments) != 1 || !bytes.Equal(got.Attachments[0].Content, m.Attachments[0].Content) {
			t.Errorf("stored message differs: %+v", got)
		}

		// Another firm sees nothing and cannot resend.
		if list, err := s.ListMessages(ctx, other.ID, ""); err != nil || len(list) != 0 {
			t.Errorf("other firm lists %v, %v", list, err)
		}
		if _, err := s.Message(ctx, other.ID, m.ID); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("other firm loads the message: %v", err)
		}
		wantCode(t, s.ResendMessage(ctx, other.ID, m.ID), survey.CodeNotFound)

		// Bad messages and unknown diagnostics are refused, all or none.
		bad := testMessage(firm.ID, "")
		bad.To = nil
		wantCode(t, s.EnqueueMessages(ctx, testMessage(firm.ID, ""), bad), survey.CodeInvalid)
		wantCode(t, s.EnqueueMessages(ctx, testMessage(firm.ID, "nope")), survey.CodeNotFound)
		if list, _ := s.ListMessages(ctx, firm.ID, ""); len(list) != 2 {
			t.Errorf("a refused batch left %d messages", len(list))
		}

		// A failed message is resent with a new Message-ID.
		claim, claimed, err := s.ClaimMessages(ctx, time.Now(), time.Minute, 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		for _, c := range claimed {
			if err := s.FinishMessage(ctx, claim, c.ID, store.Outcome{State: survey.MessageFailed, Reason: "550 no such user", At: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		failed, _ := s.Message(ctx, firm.ID, m.ID)
		if failed.State != survey.MessageFailed || failed.LastError != "550 no such user" || failed.Attempts != 1 || failed.Text == "" {
			t.Errorf("failed message: %+v", failed)
		}
		if err := s.ResendMessage(ctx, firm.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Message(ctx, firm.ID, m.ID)
		if again.State != survey.MessageQueued || again.Attempts != 0 || again.LastError != "" || again.MessageID == failed.MessageID {
			t.Errorf("resent message: %+v", again)
		}
	})
}

func TestOutboxQueuedWithTheAction(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		m := testMessage(firm.ID, d.ID)
		if err := s.SetDiagnosticStateWithMessages(ctx, d.ID, survey.StateClosed, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == "" {
			t.Fatal("the message was not filled in")
		}
		// The action fails: nothing is queued.
		wantCode(t, s.SetDiagnosticStateWithMessages(ctx, "missing", survey.StateClosed, testMessage(firm.ID, "")), survey.CodeNotFound)
		// The message fails: the action is undone.
		if err := s.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SetDiagnosticStateWithMessages(ctx, d.ID, survey.StateClosed, testMessage(firm.ID, "nope")), survey.CodeNotFound)
		list, err := s.ListMessages(ctx, firm.ID, "")
		if err != nil || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("queued: %+v, %v", list, err)
		}
		got, err := s.Diagnostic(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != survey.StateOpen {
			t.Errorf("state after the failed close: %s", got.State)
		}
	})
}

func TestOutboxClaims(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, _ := firmDiagnostic(t, s, "Bureau A")
		var msgs []*survey.OutgoingMessage
		for range 20 {
			msgs = append(msgs, testMessage(firm.ID, ""))
		}
		if err := s.EnqueueMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		now := time.Now()

		// Concurrent claimers never get the same message.
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					_, got, err := s.ClaimMessages(ctx, now, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 20 {
			t.Errorf("claimed %d distinct messages, want 20", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("message %s claimed %d times", id, n)
			}
		}

		// A lease that ran out is claimed again, and the first claimer can
		// no longer finish it.
		later := now.Add(2 * time.Minute)
		claim, again, err := s.ClaimMessages(ctx, later, time.Minute, 100)
		if err != nil || len(again) != 20 {
			t.Fatalf("reclaimed %d, %v", len(again), err)
		}
		if again[0].Attempts != 2 {
			t.Errorf("attempts after two claims: %d", again[0].Attempts)
		}
		wantCode(t, s.FinishMessage(ctx, "old claim", again[0].ID, store.Outcome{State: survey.MessageSent, At: later}), survey.CodeConflict)

		// A retry is due at its time, not before.
		retryAt := later.Add(time.Hour)
		if err := s.FinishMessage(ctx, claim, again[0].ID, store.Outcome{State: survey.MessageQueued, Reason: "421 busy", RetryAt: retryAt}); err != nil {
			t.Fatal(err)
		}
		for _, m := range again[1:] {
			if err := s.FinishMessage(ctx, claim, m.ID, store.Outcome{State: survey.MessageSent, At: later}); err != nil {
				t.Fatal(err)
			}
		}
		if _, got, _ := s.ClaimMessages(ctx, retryAt.Add(-time.Second), time.Minute, 100); len(got) != 0 {
			t.Errorf("claimed %d before their time", len(got))
		}
		_, got, err := s.ClaimMessages(ctx, retryAt, time.Minute, 100)
		if err != nil || len(got) != 1 || got[0].ID != again[0].ID || got[0].LastError != "421 busy" {
			t.Errorf("retry claim: %+v, %v", got, err)
		}
		sent, _ := s.Message(ctx, firm.ID, again[1].ID)
		if sent.State != survey.MessageSent || sent.SentAt == nil {
			t.Errorf("sent message: %+v", sent)
		}
	})
}

func TestOutboxEphemeralErased(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		var msgs []*survey.OutgoingMessage
		for _, state := range []survey.MessageState{survey.MessageSent, survey.MessageFailed, survey.MessageNotSent, survey.MessageQueued} {
			m := testMessage(firm.ID, d.ID)
			m.Kind, m.Ephemeral, m.Subject = survey.MessagePersonalCode, true, string(state)
			msgs = append(msgs, m)
		}
		keep := testMessage(firm.ID, d.ID)
		keep.Subject = "keep"
		if err := s.EnqueueMessages(ctx, append(msgs, keep)...); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		claim, got, err := s.ClaimMessages(ctx, now, time.Minute, 100)
		if err != nil || len(got) != 5 {
			t.Fatalf("claimed %d, %v", len(got), err)
		}
		for _, m := range got {
			o := store.Outcome{State: survey.MessageState(m.Subject), At: now, RetryAt: now.Add(time.Hour)}
			if m.Subject == "keep" {
				o.State = survey.MessageSent
			}
			if err := s.FinishMessage(ctx, claim, m.ID, o); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range append(msgs, keep) {
			got, err := s.Message(ctx, firm.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			erased := len(got.To) == 0 && got.Text == "" && got.HTML == "" && len(got.Attachments) == 0
			wantErased := m.Ephemeral && m.Subject != string(survey.MessageQueued)
			if erased != wantErased {
				t.Errorf("%s (ephemeral %v): erased %v, want %v: %+v", m.Subject, m.Ephemeral, erased, wantErased, got)
			}
			if got.Erased() != wantErased {
				t.Errorf("%s: Erased() = %v", m.Subject, got.Erased())
			}
			if wantErased {
				wantCode(t, s.ResendMessage(ctx, firm.ID, m.ID), survey.CodeConflict)
			}
		}
	})
}

func TestPurgeMessagesKeepsTheRetentionPeriod(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		// Sent, failed and not sent long ago; sent recently; still queued
		// (however old); failed long ago but sent again (queued anew); and
		// a message of no firm (the test mail).
		msgs := map[string]*survey.OutgoingMessage{}
		for _, k := range []string{"sent-old", "failed-old", "notsent-old", "sent-new", "queued", "resent", "test-old"} {
			m := testMessage(firm.ID, d.ID)
			switch k {
			case "sent-new", "queued":
				m.DiagnosticID = ""
			case "test-old":
				m.FirmID, m.DiagnosticID, m.Kind = "", "", survey.MessageTest
			}
			if err := s.EnqueueMessages(ctx, m); err != nil {
				t.Fatal(err)
			}
			msgs[k] = m
		}
		old := time.Now().UTC().AddDate(0, 0, -100)
		recent := time.Now().UTC().AddDate(0, 0, -10)
		finish := func(m *survey.OutgoingMessage, state survey.MessageState, at time.Time) {
			t.Helper()
			// Claims in the future so that every queued message is due.
			claim, claimed, err := s.ClaimMessages(ctx, time.Now().Add(time.Hour), time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claimed {
				o := store.Outcome{State: survey.MessageQueued, At: at, RetryAt: time.Now().Add(-time.Minute)}
				if c.ID == m.ID {
					o.State = state
				}
				if err := s.FinishMessage(ctx, claim, c.ID, o); err != nil {
					t.Fatal(err)
				}
			}
		}
		finish(msgs["sent-old"], survey.MessageSent, old)
		finish(msgs["failed-old"], survey.MessageFailed, old)
		finish(msgs["notsent-old"], survey.MessageNotSent, old)
		finish(msgs["sent-new"], survey.MessageSent, recent)
		finish(msgs["test-old"], survey.MessageSent, old)
		finish(msgs["resent"], survey.MessageFailed, old)
		if err := s.ResendMessage(ctx, firm.ID, msgs["resent"].ID); err != nil {
			t.Fatal(err)
		}

		cutoff := time.Now().UTC().AddDate(0, 0, -90)
		n, err := s.PurgeMessages(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("purged %d messages, want 4", n)
		}
		for k, m := range msgs {
			_, err := s.Message(ctx, firm.ID, m.ID)
			gone := survey.ErrorCode(err) == survey.CodeNotFound
			switch k {
			case "sent-old", "failed-old", "notsent-old":
				if !gone {
					t.Errorf("%s survived the purge: %v", k, err)
				}
			case "test-old":
				// Of no firm: Message cannot see it; the count above did.
			default:
				if gone || err != nil {
					t.Errorf("%s was purged (%v)", k, err)
				}
			}
		}
		// Idempotent: a second instance deletes nothing more.
		if n, err := s.PurgeMessages(ctx, cutoff); err != nil || n != 0 {
			t.Errorf("second purge: %d, %v", n, err)
		}
		// A cutoff after the recent one takes it too, never the queued.
		if n, err := s.PurgeMessages(ctx, time.Now()); err != nil || n != 1 {
			t.Errorf("purge up to now: %d, %v", n, err)
		}
		if list, err := s.ListMessages(ctx, firm.ID, ""); err != nil || len(list) != 2 {
			t.Errorf("left %d messages, want the queued and the resent: %v", len(list), err)
		}
	})
}
