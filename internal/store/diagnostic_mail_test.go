package store_test

import (
	"context"
	"reflect"
	"testing"

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

// countRows counts the rows of a table with raw SQL.
func countRows(t testing.TB, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.ReaderDB(s).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
