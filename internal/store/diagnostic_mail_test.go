package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestMailSettings(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, d := firmDiagnostic(t, s, "Bureau A")

		// A diagnostic starts with the default reminders and nobody named.
		got, err := s.MailSettings(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reminders != survey.DefaultReminders || got.AttachPDF || len(got.Contacts) != 0 || len(got.Directors) != 0 {
			t.Errorf("new diagnostic: %+v", got)
		}

		want := &survey.MailSettings{
			Contacts: []survey.Recipient{
				{Role: survey.RoleContact, Name: "Anna de Vries", Email: "a.devries@gemeente.nl", Lang: "nl"},
				{Role: survey.RoleContact, Name: "Ben Smith", Email: "ben@gemeente.nl", Lang: "en"},
			},
			Directors: []survey.Recipient{{Role: survey.RoleDirector, Name: "Carla Dijkstra", Email: "c.dijkstra@gemeente.nl", Lang: "nl"}},
			Reminders: "before:3,date:2027-03-12",
			AttachPDF: true,
		}
		if err := s.SaveMailSettings(ctx, d.ID, want); err != nil {
			t.Fatal(err)
		}
		if got, err = s.MailSettings(ctx, d.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("saved %+v, got %+v (%v)", want, got, err)
		}

		// Saving again replaces, in order.
		want.Contacts = want.Contacts[1:]
		want.Directors = nil
		want.AttachPDF = false
		if err := s.SaveMailSettings(ctx, d.ID, want); err != nil {
			t.Fatal(err)
		}
		if got, err = s.MailSettings(ctx, d.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("replaced %+v, got %+v (%v)", want, got, err)
		}

		// The store is the last line against what no form lets through.
		for name, bad := range map[string]*survey.MailSettings{
			"header injection": {Contacts: []survey.Recipient{{Name: "X", Email: "a@b.nl\r\nBcc: c@d.nl", Lang: "nl"}}},
			"display name":     {Contacts: []survey.Recipient{{Name: "X", Email: "X <a@b.nl>", Lang: "nl"}}},
			"language":         {Directors: []survey.Recipient{{Name: "X", Email: "a@b.nl", Lang: "de"}}},
			"no name":          {Directors: []survey.Recipient{{Email: "a@b.nl", Lang: "nl"}}},
			"reminder":         {Reminders: "tomorrow"},
		} {
			if err := s.SaveMailSettings(ctx, d.ID, bad); survey.ErrorCode(err) != survey.CodeInvalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if got, err = s.MailSettings(ctx, d.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("after refusals %+v (%v)", got, err)
		}
		wantCode(t, s.SaveMailSettings(ctx, "missing", want), survey.CodeNotFound)
		if _, err := s.MailSettings(ctx, "missing"); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("missing diagnostic: %v", err)
		}

		// Deleting the diagnostic takes its recipients along.
		if _, err := s.DeleteDiagnostic(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "diagnostic_recipients"); n != 0 {
			t.Errorf("%d recipients left after deleting the diagnostic", n)
		}
	})
}

func TestCloseDiagnosticWithMailIsOneTransaction(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		if err := s.SetDiagnosticState(ctx, d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		link := survey.DirectorLink{Lang: "nl", Label: "Carla", ExpiresAt: accountsT.Add(30 * 24 * time.Hour)}
		build := func(fail bool) func(string) (*survey.OutgoingMessage, error) {
			return func(token string) (*survey.OutgoingMessage, error) {
				if fail {
					return nil, errors.New("composing failed")
				}
				return &survey.OutgoingMessage{Kind: survey.MessageDirectorReport, Lang: "nl", To: []string{"c@gemeente.nl"}, Subject: "Resultaten", Text: "/r/" + token}, nil
			}
		}
		// A failure inside the transaction: not closed, no link, no mail.
		err := s.CloseDiagnosticWithMail(ctx, firm.ID, d.ID, survey.DiagnosticMail{Links: []survey.DirectorLinkMail{{Link: link, Build: build(true)}}})
		if err == nil {
			t.Fatal("a failing mail closed the diagnostic")
		}
		got, _ := s.Diagnostic(ctx, d.ID)
		if got.State != survey.StateOpen || countRows(t, s, "director_links") != 0 || countRows(t, s, "outgoing_messages") != 0 {
			t.Errorf("after the rollback: state %s, %d links, %d messages", got.State, countRows(t, s, "director_links"), countRows(t, s, "outgoing_messages"))
		}
		// Another firm closes nothing.
		other, _ := firmDiagnostic(t, s, "Bureau B")
		wantCode(t, s.CloseDiagnosticWithMail(ctx, other.ID, d.ID, survey.DiagnosticMail{}), survey.CodeNotFound)

		batch := survey.DiagnosticMail{Links: []survey.DirectorLinkMail{{Link: link, Build: build(false)}}}
		if err := s.CloseDiagnosticWithMail(ctx, firm.ID, d.ID, batch); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Diagnostic(ctx, d.ID)
		msgs, err := s.ListMessages(ctx, firm.ID, d.ID)
		if got.State != survey.StateClosed || err != nil || len(msgs) != 1 || batch.Links[0].Link.ID == "" {
			t.Fatalf("closed %s, messages %v %v, link id %q", got.State, msgs, err, batch.Links[0].Link.ID)
		}
		full, err := s.Message(ctx, firm.ID, msgs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.DirectorLinkByToken(ctx, strings.TrimPrefix(full.Text, "/r/"))
		if err != nil || l.ID != batch.Links[0].Link.ID || l.Label != "Carla" {
			t.Errorf("the mailed token opens %+v, %v", l, err)
		}
	})
}

func TestQueueDiagnosticMailOncePerEvent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm, d := firmDiagnostic(t, s, "Bureau A")
		var wg sync.WaitGroup
		var queued atomic.Int32
		for range 8 {
			wg.Go(func() {
				msg := &survey.OutgoingMessage{Kind: survey.MessageContactReminder, Lang: "nl", To: []string{"a@gemeente.nl"}, Subject: "Tussenstand", Text: "t"}
				ok, err := s.QueueDiagnosticMail(ctx, firm.ID, d.ID, survey.DiagnosticMail{Event: "reminder:halfway@x", Skip: []string{"reminder:before:2@y"}, Messages: []*survey.OutgoingMessage{msg}})
				if err != nil {
					t.Error(err)
				}
				if ok {
					queued.Add(1)
				}
			})
		}
		wg.Wait()
		msgs, err := s.ListMessages(ctx, firm.ID, d.ID)
		if queued.Load() != 1 || err != nil || len(msgs) != 1 {
			t.Errorf("%d callers queued, %d messages (%v)", queued.Load(), len(msgs), err)
		}
		events, err := s.MailEvents(ctx, d.ID)
		if err != nil || !events["reminder:halfway@x"] || !events["reminder:before:2@y"] || len(events) != 2 {
			t.Errorf("events %v %v", events, err)
		}
		other, _ := firmDiagnostic(t, s, "Bureau B")
		if _, err := s.QueueDiagnosticMail(ctx, other.ID, d.ID, survey.DiagnosticMail{}); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("another firm: %v", err)
		}
	})
}
