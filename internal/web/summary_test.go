package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestEmployeeSummaryOnTheRespondentLink: not published, the link of a
// closed diagnostic shows no results; published, it shows the summary
// (and its PDF) to anyone with the link, recorded as a release that the
// audit passes; withdrawn, it is gone again.
func TestEmployeeSummaryOnTheRespondentLink(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		org := &survey.Organisation{FirmID: rf.cons.FirmID, Name: "Gemeente Samenvatting", Sector: survey.SectorMunicipality, Headcount: 40}
		if err := st.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		d := rf.create(t, wave{org: org, units: []string{"Burgerzaken", "Vergunningen"}, perUnit: []int{10, 10}, seed: 41})
		employee := rf.browser(t)
		link := "/d/" + d.Token

		// Not published: the closed page, no figure, no PDF.
		p := employee.get(link)
		if p.status != http.StatusGone || strings.Contains(p.body, "Wat u ons hebt verteld") {
			t.Fatalf("unpublished summary on the link: %d %s", p.status, snippet(p.body))
		}
		if p := employee.get(link + "/" + summaryFilePDF); p.status != http.StatusNotFound {
			t.Errorf("unpublished summary PDF: %d", p.status)
		}
		if rels, err := st.AllReleases(ctx, d.ID); err != nil || len(rels) != 0 {
			t.Fatalf("the link released figures before publication: %v %v", rels, err)
		}

		admin := summaryAdminPath(d.ID)
		p = rf.b.get(admin)
		if p.status != http.StatusOK || !strings.Contains(p.body, "Samenvatting publiceren") || !strings.Contains(p.body, "Nog niet gepubliceerd") {
			t.Fatalf("summary page: %d %s", p.status, snippet(p.body))
		}
		// Too long a message: said, and nothing typed is lost.
		long := strings.Repeat("a", survey.MaxSummaryMessage) + "<b>extra</b>"
		p = postForm(t, rf.b, admin, admin, map[string][]string{"message": {long}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "hoogstens 1.200 tekens") || !strings.Contains(p.body, "&lt;b&gt;extra&lt;/b&gt;</textarea>") {
			t.Fatalf("too long a message: %d %s", p.status, snippet(p.body))
		}
		message := "Dank voor uw openheid.\n\nWij beginnen in mei met de eerste stappen."
		p = postForm(t, rf.b, admin, admin, map[string][]string{"message": {message}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", p.status, snippet(p.body))
		}
		if p := rf.b.follow(p); !strings.Contains(p.body, "is gepubliceerd") || !strings.Contains(p.body, "Gepubliceerd sinds") {
			t.Errorf("after publishing: %s", snippet(p.body))
		}

		start := time.Date(2026, time.May, 4, 0, 0, 0, 0, time.UTC)
		action := &survey.Action{DiagnosticID: d.ID, Title: "Eén eigenaar per opgave", Target: "governance", Owner: "Directeur bedrijfsvoering",
			StartDate: &start, SprintWeeks: 8, Goal: "Elke opgave heeft een naam erbij", Status: survey.ActionDoing}
		if err := st.CreateAction(ctx, rf.cons.FirmID, action); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ChangeAction(ctx, rf.cons.FirmID, d.ID, action.ID, survey.ActionChange{Note: "Gesprek met Jan gevoerd", Author: "anna@a.example"}); err != nil {
			t.Fatal(err)
		}

		p = employee.get(link)
		if p.status != http.StatusOK {
			t.Fatalf("published summary: %d %s", p.status, snippet(p.body))
		}
		for _, want := range []string{"Eén eigenaar per opgave", "Directeur bedrijfsvoering", "4 mei 2026 tot en met 29 juni 2026", "bezig", "Versnipperd bestuur"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the summary lacks the action's %q", want)
			}
		}
		// Progress notes name their authors: they stay in the plan.
		if strings.Contains(p.body, "Gesprek met Jan") || strings.Contains(p.body, "anna@a.example") {
			t.Error("the summary shows a progress note")
		}
		for _, want := range []string{"Wat u ons hebt verteld", "20 van de 40 uitgenodigde medewerkers vulden de vragenlijst in (50%).",
			"De vijf factoren", "<p>Dank voor uw openheid.</p><p>Wij beginnen in mei met de eerste stappen.</p>",
			"Bericht van de directie", link + "/" + summaryFilePDF} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the summary lacks %q", want)
			}
		}
		for _, never := range []string{"Burgerzaken", "Vergunningen", "<script", "Bandbreedte", "samenhang"} {
			if strings.Contains(p.body, never) {
				t.Errorf("the summary shows %q", never)
			}
		}
		if en := employee.get(link + "?lang=en"); !strings.Contains(en.body, "What you told us") || !strings.Contains(en.body, "20 of the 40 employees invited") {
			t.Errorf("English summary: %s", snippet(en.body))
		}
		pdf := employee.get(link + "/" + summaryFilePDF)
		if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Errorf("summary PDF: %d %s", pdf.status, pdf.header.Get("Content-Type"))
		}
		if cc := p.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}

		// One summary release after the final, shown again on every view.
		all, err := st.AllReleases(ctx, d.ID)
		if err != nil || len(all) != 2 || all[0].Kind != survey.ReleaseFinal || all[1].Kind != survey.ReleaseSummary {
			t.Fatalf("releases: %+v %v", all, err)
		}
		if len(all[1].Result.Units.Groups) != 0 || len(all[1].Units) != 0 || len(all[1].Items) != 0 {
			t.Errorf("the summary release shows groups or items: %+v", all[1])
		}
		if a := scoring.AuditReleases(all, d.MinGroupSize); len(a.Findings) > 0 || !a.Complete {
			t.Errorf("audit: %v", a.Findings)
		}
		// The summary is a respondent page: no request line, no token.
		for _, line := range strings.Split(rf.logs.String(), "\n") {
			if strings.Contains(line, d.Token) || strings.Contains(line, `"route":"/d/`) && strings.Contains(line, `"msg":"request"`) {
				t.Errorf("a log line about the respondent link: %s", line)
			}
		}

		// Withdrawn: the closed page again; the message is kept.
		p = postForm(t, rf.b, admin, admin+"/intrekken", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", p.status)
		}
		if p := employee.get(link); p.status != http.StatusGone {
			t.Errorf("withdrawn summary on the link: %d", p.status)
		}
		if p := rf.b.get(admin); !strings.Contains(p.body, "Wij beginnen in mei") {
			t.Error("withdrawing lost the message")
		}
		if sum, err := st.EmployeeSummary(ctx, d.ID); err != nil || sum.Published {
			t.Errorf("after withdrawing: %+v %v", sum, err)
		}
	})
}

// TestEmployeeSummaryNeedsAClosedDiagnosticAndItsFirm: an open diagnostic
// cannot publish and its link still shows the questionnaire; another
// firm's consultant gets 404 on every summary route.
func TestEmployeeSummaryNeedsAClosedDiagnosticAndItsFirm(t *testing.T) {
	rf := newReportsFixture(t, storetest.Open(t, store.DialectSQLite))
	ctx := context.Background()
	open := rf.create(t, wave{perUnit: []int{10, 10}, seed: 42, state: survey.StateOpen})
	admin := summaryAdminPath(open.ID)
	if p := rf.b.get(admin); p.status != http.StatusOK || !strings.Contains(p.body, "pas worden gepubliceerd als de diagnose gesloten is") {
		t.Errorf("summary page of an open diagnostic: %d %s", p.status, snippet(p.body))
	}
	p := postForm(t, rf.b, admin, admin, map[string][]string{"message": {"Vast bericht"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "sluit hem eerst") || !strings.Contains(p.body, "Vast bericht</textarea>") {
		t.Errorf("publish while open: %d %s", p.status, snippet(p.body))
	}
	if sum, _ := st(rf).EmployeeSummary(ctx, open.ID); sum.Published {
		t.Error("an open diagnostic's summary was published")
	}
	if p := rf.b.get(admin + "/voorbeeld"); p.status != http.StatusConflict {
		t.Errorf("preview while open: %d", p.status)
	}

	closed := rf.create(t, wave{perUnit: []int{10, 10}, seed: 43})
	if p := rf.b.get(summaryAdminPath(closed.ID) + "/voorbeeld"); p.status != http.StatusOK || !strings.Contains(p.body, "Voorbeeld.") {
		t.Errorf("preview: %d %s", p.status, snippet(p.body))
	}
	other := rf.browser(t)
	signIn(t, rf.fixture, other, "Adviesbureau B", "bert@b.example", false)
	for _, path := range []string{summaryAdminPath(closed.ID), summaryAdminPath(closed.ID) + ".pdf", summaryAdminPath(closed.ID) + "/voorbeeld"} {
		if p := other.get(path); p.status != http.StatusNotFound {
			t.Errorf("other firm GET %s: %d", path, p.status)
		}
	}
	for _, path := range []string{summaryAdminPath(closed.ID), summaryAdminPath(closed.ID) + "/intrekken"} {
		if p := postForm(t, other, "/organisaties", path, map[string][]string{"message": {"x"}}); p.status != http.StatusNotFound {
			t.Errorf("other firm POST %s: %d", path, p.status)
		}
	}
	if sum, _ := st(rf).EmployeeSummary(ctx, closed.ID); sum.Published {
		t.Error("another firm published the summary")
	}
}

func st(rf *reportsFixture) *store.Store { return rf.store }

// TestSummaryResponseTextAtItsEdges: methodology §17.
func TestSummaryResponseTextAtItsEdges(t *testing.T) {
	for _, c := range []struct {
		lang         string
		n, headcount int
		want         string
	}{
		{"nl", 20, 40, "20 van de 40 uitgenodigde medewerkers vulden de vragenlijst in (50%)."},
		{"nl", 40, 40, "40 van de 40 uitgenodigde medewerkers vulden de vragenlijst in (100%)."},
		{"nl", 41, 40, "41 medewerkers vulden de vragenlijst in."},
		{"nl", 5, 0, "5 medewerkers vulden de vragenlijst in."},
		{"nl", 1, 201, "1 van de 201 uitgenodigde medewerkers vulden de vragenlijst in (0%)."},
		{"nl", 1200, 30000, "1.200 van de 30.000 uitgenodigde medewerkers vulden de vragenlijst in (4%)."},
		{"en", 1200, 30000, "1,200 of the 30,000 employees invited filled in the questionnaire (4%)."},
		{"en", 7, 0, "7 employees filled in the questionnaire."},
	} {
		if got := summaryResponseText(c.n, c.headcount, newTestTranslator(t, c.lang)); got != c.want {
			t.Errorf("%s %d of %d: %q, want %q", c.lang, c.n, c.headcount, got, c.want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("  Eerste regel\r\nloopt door.\r\n\r\n\r\nTweede.  \n\n  ")
	if len(got) != 2 || got[0] != "Eerste regel loopt door." || got[1] != "Tweede." {
		t.Errorf("%q", got)
	}
	if got := paragraphs(" \n "); got != nil {
		t.Errorf("blank: %q", got)
	}
}
