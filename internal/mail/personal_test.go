package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail/mailtest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestPersonalInvitationsLeaveNoAddressInTheLogs sends personal
// invitations through the worker, one refused for good by the server, and
// reads what the worker logged at debug level and what the outbox kept:
// no address and no code.
func TestPersonalInvitationsLeaveNoAddressInTheLogs(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t, mailtest.Options{})
		srv.Answer(func(n int) error {
			if n == 2 {
				return mailtest.Refuse(550, "mailbox unavailable: medewerker01@gemeente-noord.example unknown")
			}
			return nil
		})
		firm := newFirm(t, s)
		o := &survey.Organisation{FirmID: firm.ID, Name: "Gemeente Noord", Sector: survey.SectorMunicipality}
		if err := s.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		d := &survey.Diagnostic{OrganisationID: o.ID, Name: "Meting", Units: survey.NewUnits([]string{"A"}), State: survey.StateOpen, MinGroupSize: 5, Access: survey.AccessCodes}
		if err := s.CreateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		addrs := []string{"medewerker00@gemeente-noord.example", "medewerker01@gemeente-noord.example", "medewerker02@gemeente-noord.example"}
		codes, err := s.CreateAccessCodes(ctx, d.ID, len(addrs))
		if err != nil {
			t.Fatal(err)
		}
		var msgs []*survey.OutgoingMessage
		for i, a := range addrs {
			msgs = append(msgs, &survey.OutgoingMessage{Kind: survey.MessagePersonalCode, Lang: "nl", To: []string{a},
				Subject: "Uw uitnodiging", Text: "Uw code: " + survey.FormatAccessCode(codes[i]), HTML: "<p>" + survey.FormatAccessCode(codes[i]) + "</p>"})
		}
		if err := s.QueuePersonalInvitations(ctx, firm.ID, d.ID, msgs); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		w := &mail.Worker{Queue: s, Mailer: newMailer(t, srv), Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Now: time.Now}
		for range 5 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(srv.Messages()); got != 2 {
			t.Fatalf("the server accepted %d messages, want 2", got)
		}
		list, err := s.ListMessages(ctx, firm.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := map[survey.MessageState]int{}
		for _, m := range list {
			states[m.State]++
			full, err := s.Message(ctx, firm.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.To) != 0 || full.Text != "" || strings.Contains(full.LastError, "gemeente-noord") {
				t.Errorf("message %s keeps %v %q %q", m.State, full.To, full.Text, full.LastError)
			}
		}
		if states[survey.MessageSent] != 2 || states[survey.MessageFailed] != 1 {
			t.Errorf("states %v", states)
		}
		for i, a := range addrs {
			for _, needle := range []string{a, "gemeente-noord", codes[i], survey.FormatAccessCode(codes[i])} {
				if strings.Contains(logs.String(), needle) {
					t.Errorf("the worker's log holds %q:\n%s", needle, logs.String())
				}
			}
		}
		fmt.Fprint(&bytes.Buffer{}, logs.Len())
	})
}
