package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// mailFixture is a signed-in consultant on a server whose clock the test
// moves, with a mail server configured.
type mailFixture struct {
	*resultsFixture
	srvr  *Server
	clock *testClock
}

func newMailFixture(t *testing.T, st *store.Store) *mailFixture {
	t.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test", SMTPConfigured: true}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q}, Now: clock.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, store: st, logs: logs}
	b := f.browser(t)
	cons := signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
	return &mailFixture{resultsFixture: &resultsFixture{fixture: f, b: b, cons: cons, q: *q}, srvr: s, clock: clock}
}

var testContacts = []survey.Recipient{
	{Role: survey.RoleContact, Name: "Anna de Vries", Email: "a.devries@gemeente.example", Lang: "nl"},
	{Role: survey.RoleContact, Name: "Ben Smith", Email: "ben@gemeente.example", Lang: "en"},
}

var testDirectors = []survey.Recipient{{Role: survey.RoleDirector, Name: "Carla Dijkstra", Email: "c.dijkstra@gemeente.example", Lang: "nl"}}

func (mf *mailFixture) name(t *testing.T, d *survey.Diagnostic, m survey.MailSettings) {
	t.Helper()
	if m.Reminders == "" {
		m.Reminders = survey.DefaultReminders
	}
	if err := mf.store.SaveMailSettings(context.Background(), d.ID, &m); err != nil {
		t.Fatal(err)
	}
}

func (mf *mailFixture) messages(t *testing.T, d *survey.Diagnostic) []survey.OutgoingMessage {
	t.Helper()
	list, err := mf.store.ListMessages(context.Background(), mf.cons.FirmID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []survey.OutgoingMessage
	for _, m := range list {
		full, err := mf.store.Message(context.Background(), mf.cons.FirmID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *full)
	}
	return out
}

func TestDiagnosticFormNamesContactsAndDirectors(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateDraft, seed: 1})
		edit := "/diagnoses/" + d.ID + "/bewerken"
		form := map[string][]string{
			"name": {d.Name}, "questionnaire": {questionnaireKey(&d.Questionnaire)}, "units": {"Beleid\nUitvoering"},
			"min_group_size": {"5"}, "access": {"link"},
			"contacts":       {"Anna de Vries; a.devries@gemeente.example\nBen; ben@gemeente\nCees; c@gemeente.example; fr"},
			"directors":      {"Carla Dijkstra; c.dijkstra@gemeente.example; en"},
			"remind_halfway": {"1"}, "remind_before": {"0"}, "remind_dates": {"31-2-2027"},
		}
		p := postForm(t, mf.b, edit, edit, form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad lists: %d", p.status)
		}
		for _, want := range []string{
			"Regel 2: &#34;ben@gemeente&#34; is geen geldig e-mailadres.",
			"Regel 3: De taal &#34;fr&#34; kennen we niet.",
			"Vul bij dagen vóór sluiten een heel getal van 1 tot 60 in",
			"&#34;31-2-2027&#34; is geen datum.",
			// Nothing entered is lost.
			"Cees; c@gemeente.example; fr", "Carla Dijkstra; c.dijkstra@gemeente.example; en", `value="31-2-2027"`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the form with errors lacks %q", want)
			}
		}
		form["contacts"] = []string{"Anna de Vries; a.devries@gemeente.example\n\nBen Smith; ben@gemeente.example; EN"}
		form["remind_before"], form["remind_dates"] = []string{"3"}, []string{"12-3-2027"}
		form["attach_pdf"] = []string{"1"}
		if p := postForm(t, mf.b, edit, edit, form); p.status != http.StatusSeeOther {
			t.Fatalf("good lists: %d %s", p.status, snippet(p.body))
		}
		got, err := st.MailSettings(context.Background(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Contacts) != 2 || got.Contacts[1].Lang != "en" || got.Contacts[1].Name != "Ben Smith" ||
			len(got.Directors) != 1 || got.Directors[0].Lang != "en" || got.Reminders != "halfway,before:3,date:2027-03-12" || !got.AttachPDF {
			t.Errorf("stored %+v", got)
		}
		// The edit form shows what was stored.
		p = mf.b.get(edit)
		for _, want := range []string{"Ben Smith; ben@gemeente.example; en", `value="12-3-2027"`, `id="remind_halfway" name="remind_halfway" value="1" checked`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the edit form lacks %q", want)
			}
		}
	})
}

func TestContactInvitationPreviewSendAndState(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateDraft, seed: 2})
		path := "/diagnoses/" + d.ID + "/uitnodiging"
		if p := mf.b.get(path); p.status != http.StatusOK || !strings.Contains(p.body, "Er staan nog geen contactpersonen") || strings.Contains(p.body, ">Versturen<") {
			t.Errorf("without contacts: %d", p.status)
		}
		mf.name(t, d, survey.MailSettings{Contacts: testContacts})
		p := mf.b.get(path)
		link := "http://uk.test/d/" + d.Token
		for _, want := range []string{
			"Aan: &#34;Anna de Vries&#34; &lt;a.devries@gemeente.example&gt;", "Aan: &#34;Ben Smith&#34; &lt;ben@gemeente.example&gt;",
			"Uitnodiging om door te sturen: vragenlijst uitvoeringskracht Gemeente Resultaat",
			"Invitation to pass on: implementation questionnaire Gemeente Resultaat",
			link, link + "/privacy", posterFileName, "Tekst voor intranet of teammail (Nederlands)", ">Versturen<",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		// The HTML part: in the recipient's language, nothing to load.
		h := mf.b.get(path + "/html/2")
		if h.status != http.StatusOK || !strings.Contains(h.body, `<html lang="en">`) || strings.Contains(h.body, "<img") || strings.Contains(h.body, "<script") {
			t.Errorf("HTML preview: %d %s", h.status, snippet(h.body))
		}
		if csp := h.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("HTML preview policy %q", csp)
		}
		if mf.b.get(path+"/html/3").status != http.StatusNotFound {
			t.Error("a third preview of two contacts")
		}

		// Without the CSRF token nothing is queued.
		if p := mf.b.post(path, nil); p.status != http.StatusForbidden {
			t.Errorf("post without CSRF: %d", p.status)
		}
		if n := len(mf.messages(t, d)); n != 0 {
			t.Fatalf("%d messages queued without CSRF", n)
		}
		p = postForm(t, mf.b, path, path, nil)
		if p.status != http.StatusSeeOther || p.location != "/diagnoses/"+d.ID+"#berichten" {
			t.Fatalf("send: %d %s", p.status, p.location)
		}
		msgs := mf.messages(t, d)
		if len(msgs) != 2 {
			t.Fatalf("%d messages queued, want 2", len(msgs))
		}
		for _, m := range msgs {
			if m.Kind != survey.MessageContactInvitation || len(m.Attachments) != 1 || !strings.HasPrefix(string(m.Attachments[0].Content), "%PDF") ||
				!strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `lang="`+m.Lang+`"`) || m.Ephemeral {
				t.Errorf("message %s (%s): %d attachments", m.Kind, m.Lang, len(m.Attachments))
			}
		}
		page := mf.b.follow(p)
		for _, want := range []string{"De uitnodiging staat klaar om te versturen naar 2", "Uitnodiging aan contactpersoon", "In wachtrij", "a.devries@gemeente.example"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the diagnostic page lacks %q", want)
			}
		}

		// Another firm sees nothing and sends nothing.
		other := mf.browser(t)
		signIn(t, mf.fixture, other, "Bureau B", "bob@b.example", false)
		for _, p := range []string{path, path + "/html/1", "/diagnoses/" + d.ID + "/directiemail", "/diagnoses/" + d.ID + "/persoonlijke-uitnodigingen"} {
			if got := other.get(p); got.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d", p, got.status)
			}
		}
		if got := postForm(t, other, "/organisaties", path, nil); got.status != http.StatusNotFound {
			t.Errorf("POST by another firm: %d", got.status)
		}
		if n := len(mf.messages(t, d)); n != 2 {
			t.Errorf("%d messages after another firm's post", n)
		}
	})
}

// directorToken finds the director link in a queued directors' mail.
func directorToken(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "http://uk.test/r/")
	if i < 0 {
		t.Fatalf("no director link in %q", text)
	}
	rest := text[i+len("http://uk.test/r/"):]
	return rest[:strings.IndexAny(rest, "\r\n \"<")]
}

func TestClosingQueuesTheDirectorsMail(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateOpen, perUnit: []int{10, 10}, seed: 3})
		mf.name(t, d, survey.MailSettings{Directors: testDirectors})
		closePath := "/diagnoses/" + d.ID + "/sluiten"
		p := mf.b.get(closePath)
		if !strings.Contains(p.body, `name="mail_directors" value="1" checked`) || !strings.Contains(p.body, "Carla Dijkstra") {
			t.Errorf("the closing page does not offer the directors' mail: %s", snippet(p.body))
		}
		// Before closing, the on-demand page says why nothing can go.
		if p := mf.b.get("/diagnoses/" + d.ID + "/directiemail"); !strings.Contains(p.body, "De resultaten kunnen (nog) niet worden getoond") {
			t.Errorf("directors' mail of an open diagnostic: %s", snippet(p.body))
		}
		p = postForm(t, mf.b, closePath, closePath, map[string][]string{"mail_directors": {"1"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("close: %d %s", p.status, snippet(p.body))
		}
		if page := mf.b.follow(p); !strings.Contains(page.body, "De mail aan de directie (1) staat klaar") {
			t.Errorf("no flash: %s", snippet(page.body))
		}
		msgs := mf.messages(t, d)
		if len(msgs) != 1 || msgs[0].Kind != survey.MessageDirectorReport || len(msgs[0].Attachments) != 0 {
			t.Fatalf("messages %+v", msgs)
		}
		m := msgs[0]
		for _, want := range []string{"Uitvoeringsindex: ", "20 medewerkers vulden de vragenlijst in.", "Eerste prioriteit: ", "De link werkt tot en met", "anna@a.example"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the directors' mail lacks %q:\n%s", want, m.Text)
			}
		}
		// The link in the mail is the director's own, and it works.
		token := directorToken(t, m.Text)
		if p := mf.browser(t).get("/r/" + token); p.status != http.StatusOK {
			t.Errorf("the mailed link: %d", p.status)
		}
		links, err := st.ListDirectorLinks(context.Background(), mf.cons.FirmID, d.ID)
		if err != nil || len(links) != 1 || links[0].Label != "Carla Dijkstra" {
			t.Errorf("links %+v %v", links, err)
		}

		// On demand, with the PDF attached: a new link each time.
		path := "/diagnoses/" + d.ID + "/directiemail"
		if p := mf.b.get(path); !strings.Contains(p.body, "Aan: &#34;Carla Dijkstra&#34;") || !strings.Contains(p.body, "…/r/…") {
			t.Errorf("preview: %s", snippet(p.body))
		}
		if p := postForm(t, mf.b, path, path, map[string][]string{"attach_pdf": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("send on demand: %d", p.status)
		}
		msgs = mf.messages(t, d)
		if len(msgs) != 2 {
			t.Fatalf("%d messages", len(msgs))
		}
		var attached *survey.OutgoingMessage
		for i := range msgs {
			if len(msgs[i].Attachments) == 1 {
				attached = &msgs[i]
			}
		}
		if attached == nil || !strings.HasPrefix(string(attached.Attachments[0].Content), "%PDF") || directorToken(t, attached.Text) == token {
			t.Error("the mail on demand has no PDF or reuses the link")
		}
	})
}

func TestClosingWithoutTheBoxMailsNobody(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateOpen, perUnit: []int{10, 10}, seed: 4})
		mf.name(t, d, survey.MailSettings{Directors: testDirectors})
		closePath := "/diagnoses/" + d.ID + "/sluiten"
		if p := postForm(t, mf.b, closePath, closePath, nil); p.status != http.StatusSeeOther {
			t.Fatalf("close: %d", p.status)
		}
		if n := len(mf.messages(t, d)); n != 0 {
			t.Errorf("%d messages without the box", n)
		}
		got, err := st.Diagnostic(context.Background(), d.ID)
		if err != nil || got.State != survey.StateClosed {
			t.Errorf("not closed: %v %v", got, err)
		}
	})
}

func TestRemindersAreQueuedOnceAtTheirMoments(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		ctx := context.Background()
		// 20 answers in Beleid, 3 in Staf, 10 in Uitvoering: Staf is hidden, and
		// so is Uitvoering, or its count would give Staf's away.
		d := mf.create(t, wave{state: survey.StateOpen, units: []string{"Beleid", "Staf", "Uitvoering"}, perUnit: []int{20, 3, 10}, seed: 5})
		opens := mf.clock.Now().Add(-time.Hour)
		closes := opens.Add(14 * 24 * time.Hour)
		d.OpensAt, d.ClosesAt = &opens, &closes
		if err := st.UpdateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		mf.name(t, d, survey.MailSettings{Contacts: testContacts, Reminders: "halfway,before:2"})

		// A second server on the same database: two instances.
		other, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&mf.q}, Now: mf.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		run := func() int {
			var wg sync.WaitGroup
			counts := make([]int, 2)
			for i, s := range []*Server{mf.srvr, other} {
				wg.Go(func() {
					n, err := s.QueueScheduledMail(ctx)
					if err != nil {
						t.Error(err)
					}
					counts[i] = n
				})
			}
			wg.Wait()
			return counts[0] + counts[1]
		}
		if n := run(); n != 0 {
			t.Fatalf("%d reminders before halfway", n)
		}
		mf.clock.Advance(7*24*time.Hour + time.Minute)
		if n := run(); n != 1 {
			t.Fatalf("%d batches at halfway by two instances, want 1", n)
		}
		if n := run(); n != 0 {
			t.Fatalf("%d batches when run again", n)
		}
		msgs := mf.messages(t, d)
		if len(msgs) != 2 {
			t.Fatalf("%d reminders, want one per contact", len(msgs))
		}
		for _, m := range msgs {
			if m.Kind != survey.MessageContactReminder {
				t.Errorf("kind %s", m.Kind)
			}
			if m.Lang == "nl" {
				for _, want := range []string{"Beleid | – | 20 | –", "Staf | – | minder dan 5 | –", "Herinnering voor medewerkers (Nederlands)", "Wij weten niet wie de vragenlijst heeft ingevuld"} {
					if !strings.Contains(m.Text, want) {
						t.Errorf("the reminder lacks %q:\n%s", want, m.Text)
					}
				}
				if strings.Contains(m.Text, "| 3 |") {
					t.Error("the reminder shows the hidden unit's count")
				}
			}
		}
		// Two days before closing: the second reminder; after closing none.
		mf.clock.Advance(5 * 24 * time.Hour)
		if n := run(); n != 1 {
			t.Errorf("%d batches two days before closing", n)
		}
		mf.clock.Advance(3 * 24 * time.Hour)
		if n := run(); n != 0 {
			t.Errorf("%d batches after closing without directors", n)
		}
	})
}

func TestDirectorsMailedWhenClosedByDate(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		ctx := context.Background()
		d := mf.create(t, wave{state: survey.StateOpen, perUnit: []int{10, 10}, seed: 6})
		closes := mf.clock.Now().Add(time.Hour)
		d.ClosesAt = &closes
		if err := st.UpdateDiagnostic(ctx, d); err != nil {
			t.Fatal(err)
		}
		mf.name(t, d, survey.MailSettings{Directors: testDirectors})
		if n, _ := mf.srvr.QueueScheduledMail(ctx); n != 0 {
			t.Fatalf("%d batches while open", n)
		}
		mf.clock.Advance(2 * time.Hour)
		if n, err := mf.srvr.QueueScheduledMail(ctx); n != 1 || err != nil {
			t.Fatalf("%d batches after the closing date: %v", n, err)
		}
		if n, _ := mf.srvr.QueueScheduledMail(ctx); n != 0 {
			t.Fatalf("%d batches again", n)
		}
		msgs := mf.messages(t, d)
		if len(msgs) != 1 || msgs[0].Kind != survey.MessageDirectorReport {
			t.Fatalf("messages %+v", msgs)
		}
	})
}

func TestPersonalInvitationsPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		linkDiag := mf.create(t, wave{state: survey.StateOpen, seed: 7})
		if p := mf.b.get(personalPath(linkDiag.ID)); !strings.Contains(p.body, "kunnen alleen bij een diagnose met toegangscodes") {
			t.Errorf("link diagnostic: %s", snippet(p.body))
		}
		d := mf.create(t, wave{state: survey.StateDraft, seed: 8})
		d.Access = survey.AccessCodes
		if err := st.UpdateDiagnostic(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if err := st.SetDiagnosticState(context.Background(), d.ID, survey.StateOpen); err != nil {
			t.Fatal(err)
		}
		path := personalPath(d.ID)
		p := mf.b.get(path)
		for _, want := range []string{"De lijst wordt nooit bewaard", "Een herinnering aan alleen de mensen die nog niet hebben geantwoord is daarom onmogelijk", "upload hem dan opnieuw", `enctype="multipart/form-data"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// A bad address: the message names it and the list stays.
		typed := "Naam;E-mail\nJan;jan@gemeente.example\nPiet;piet@@gemeente\n"
		p = postForm(t, mf.b, path, path, map[string][]string{"addresses": {typed}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "&#34;piet@@gemeente&#34; is geen geldig e-mailadres") || !strings.Contains(p.body, "Jan;jan@gemeente.example") {
			t.Errorf("bad address: %d %s", p.status, snippet(p.body))
		}
		if p := postForm(t, mf.b, path, path, map[string][]string{"addresses": {"geen adressen"}}); !strings.Contains(p.body, "Vul minstens één e-mailadres in") {
			t.Error("no addresses")
		}
		typed = "Naam;E-mail\nJan;jan@gemeente.example\nPiet;piet@gemeente.example\nJAN@gemeente.example\n"
		p = postForm(t, mf.b, path, path, map[string][]string{"addresses": {typed}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("send: %d %s", p.status, snippet(p.body))
		}
		if p := mf.b.follow(p); !strings.Contains(p.body, "2 persoonlijke uitnodigingen staan klaar") {
			t.Errorf("flash: %s", snippet(p.body))
		}
		msgs := mf.messages(t, d)
		if len(msgs) != 2 {
			t.Fatalf("%d messages for two addresses", len(msgs))
		}
		codes := map[string]bool{}
		for _, m := range msgs {
			if !m.Ephemeral || m.Kind != survey.MessagePersonalCode || len(m.To) != 1 {
				t.Errorf("message %+v", m)
			}
			i := strings.Index(m.Text, "-")
			code := m.Text[i-4 : i+5]
			codes[code] = true
			// Not even the consultant reads a waiting invitation's code.
			for _, path := range []string{"/berichten/" + m.ID, "/berichten/" + m.ID + "/html"} {
				if p := mf.b.get(path); strings.Contains(p.body, code) {
					t.Errorf("%s shows the code", path)
				}
			}
		}
		issued, _, err := st.AccessCodeCounts(context.Background(), d.ID)
		if err != nil || issued != 2 || len(codes) != 2 {
			t.Errorf("issued %d codes, %d different in the mails (%v)", issued, len(codes), err)
		}
		// Neither the logs nor the audit log name an address.
		if strings.Contains(mf.logs.String(), "gemeente.example") {
			t.Error("the logs hold an address")
		}
		entries, err := st.ListAudit(context.Background(), mf.cons.FirmID, 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, "@") {
				t.Errorf("audit entry %q", e.Detail)
			}
		}
	})
}

func TestDiagnosticMailAPI(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		mf := newMailFixture(t, st)
		d := mf.create(t, wave{state: survey.StateClosed, perUnit: []int{10, 10}, seed: 9})
		token := apiToken(t, mf.resultsFixture)
		doc := loadOpenAPI(t)
		call := func(method, path, body, tok string) (int, []byte) {
			req, _ := http.NewRequest(method, mf.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		base := "/api/v1/diagnostics/" + d.ID
		code, body := call(http.MethodPost, base+"/invitations", "", token)
		if code != http.StatusConflict {
			t.Errorf("invitations without contacts: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, doc, http.MethodPost, base+"/invitations", code, body)
		mf.name(t, d, survey.MailSettings{Contacts: testContacts, Directors: testDirectors})
		code, body = call(http.MethodPost, base+"/invitations", "", token)
		if code != http.StatusCreated || !strings.Contains(string(body), `"queued":2`) {
			t.Errorf("invitations: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, doc, http.MethodPost, base+"/invitations", code, body)
		code, body = call(http.MethodPost, base+"/director-mail", `{"attach_pdf": false}`, token)
		if code != http.StatusCreated || !strings.Contains(string(body), `"queued":1`) {
			t.Errorf("director mail: %d %s", code, body)
		}
		checkAgainstOpenAPI(t, doc, http.MethodPost, base+"/director-mail", code, body)
		code, body = call(http.MethodGet, base+"/messages", "", token)
		var list []apiMessage
		if code != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list) != 3 || list[0].State != "queued" {
			t.Errorf("messages: %d %s", code, body)
		}
		if strings.Contains(string(body), "Beste ") {
			t.Error("the list holds message bodies")
		}
		checkAgainstOpenAPI(t, doc, http.MethodGet, base+"/messages", code, body)

		// Closing through the API mails the named directors in the same
		// transaction, as the closing page does by default.
		open := mf.create(t, wave{state: survey.StateOpen, perUnit: []int{10, 10}, seed: 10})
		mf.name(t, open, survey.MailSettings{Directors: testDirectors})
		if code, body := call(http.MethodPost, "/api/v1/diagnostics/"+open.ID+"/close", "", token); code != http.StatusOK {
			t.Fatalf("close: %d %s", code, body)
		}
		if msgs := mf.messages(t, open); len(msgs) != 1 || msgs[0].Kind != survey.MessageDirectorReport {
			t.Errorf("closing through the API queued %+v", msgs)
		}

		// Another firm: 404 on every route.
		other := ensureConsultant(t, st, "Bureau B", "bob@b.example", false)
		_, otherToken, err := st.CreateAPIToken(context.Background(), other.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range [][2]string{{http.MethodPost, "/invitations"}, {http.MethodPost, "/director-mail"}, {http.MethodGet, "/messages"}} {
			if code, body := call(r[0], base+r[1], "", otherToken); code != http.StatusNotFound {
				t.Errorf("%s %s by another firm: %d %s", r[0], r[1], code, body)
			}
		}
	})
}
