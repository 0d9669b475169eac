package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// csrfOf fetches a workspace page and returns its CSRF token.
func csrfOf(t *testing.T, b *browser, path string) string {
	t.Helper()
	p := b.get(path)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (%d): %s", path, p.status, snippet(p.body))
	}
	return m[1]
}

func postForm(t *testing.T, b *browser, page, action string, values map[string][]string) page {
	t.Helper()
	form := url.Values{}
	for k, v := range values {
		form[k] = v
	}
	form.Set("csrf", csrfOf(t, b, page))
	return b.post(action, form)
}

var reDiagnosticID = regexp.MustCompile(`^/diagnoses/([A-Za-z0-9_-]+)$`)

// createOrgAndDiagnostic creates both through the pages and returns their ids.
func createOrgAndDiagnostic(t *testing.T, b *browser, access string) (string, string) {
	t.Helper()
	p := postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{
		"name": {"Waterschap Rijn & IJssel <b>"}, "sector": {"waterschap"}, "headcount": {"800"},
	})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create organisation: %d %s", p.status, snippet(p.body))
	}
	orgID := strings.TrimPrefix(p.location, "/organisaties/")
	p = postForm(t, b, "/organisaties/"+orgID+"/diagnoses/nieuw", "/organisaties/"+orgID+"/diagnoses", map[string][]string{
		"name": {"Meting voorjaar"}, "questionnaire": {"uitvoeringskracht@1"}, "languages": {"en"},
		"units": {"Beleid; 40\nUitvoering; 300\n\nStaf"}, "min_group_size": {"5"}, "access": {access},
		"opens_on": {""}, "closes_on": {""},
	})
	m := reDiagnosticID.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create diagnostic: %d %s %s", p.status, p.location, snippet(p.body))
	}
	return orgID, m[1]
}

func TestConsultantCreatesOrganisationAndDiagnostic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		orgID, diagID := createOrgAndDiagnostic(t, b, "link")

		list := b.get("/organisaties")
		if !strings.Contains(list.body, "Waterschap Rijn &amp; IJssel &lt;b&gt;") {
			t.Errorf("the organisation list does not show the escaped name: %s", snippet(list.body))
		}
		org := b.get("/organisaties/" + orgID)
		if !strings.Contains(org.body, "Meting voorjaar") || !strings.Contains(org.body, "Concept") {
			t.Errorf("the organisation page does not list the draft diagnostic")
		}
		d, err := st.DiagnosticForFirm(context.Background(), consultantFirm(t, st, "Adviesbureau A"), diagID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Units) != 3 || d.Units[1].Name != "Uitvoering" || d.Units[1].Headcount != 300 || d.Units[2].Headcount != 0 {
			t.Errorf("units stored as %+v", d.Units)
		}
		if d.State != survey.StateDraft || d.Access != survey.AccessLink || strings.Join(d.Languages, ",") != "nl,en" || d.Questionnaire.ID != "uitvoeringskracht" {
			t.Errorf("diagnostic stored as %+v", d)
		}

		// A draft diagnostic does not accept respondents yet.
		if p := f.browser(t).get("/d/" + d.Token); p.status != http.StatusForbidden {
			t.Errorf("respondent link of a draft: %d", p.status)
		}
		p := postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/openen", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("open: %d", p.status)
		}
		page := b.get("/diagnoses/" + diagID)
		if !strings.Contains(page.body, "/d/"+d.Token) || !strings.Contains(page.body, "tag-open") {
			t.Errorf("the diagnostic page does not show the open state and the link")
		}
		if p := f.browser(t).get("/d/" + d.Token); p.status != http.StatusOK {
			t.Errorf("respondent link of an open diagnostic: %d", p.status)
		}
		p = postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/sluiten", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("close: %d", p.status)
		}
		if p := f.browser(t).get("/d/" + d.Token); p.status != http.StatusGone {
			t.Errorf("respondent link of a closed diagnostic: %d", p.status)
		}
	})
}

func consultantFirm(t *testing.T, st *store.Store, firm string) string {
	t.Helper()
	fm, err := st.FirmByName(context.Background(), firm)
	if err != nil {
		t.Fatal(err)
	}
	return fm.ID
}

func TestWorkspaceFormsShowErrorsAndKeepInput(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		p := postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{
			"name": {""}, "sector": {"bank"}, "headcount": {"twaalf"},
		})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", p.status)
		}
		for _, want := range []string{"Vul de naam van de organisatie in", "Kies een soort organisatie", "als heel getal", `value="twaalf"`, `href="#name"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("organisation form lacks %q", want)
			}
		}
		orgID, _ := createOrgAndDiagnostic(t, b, "link")
		p = postForm(t, b, "/organisaties/"+orgID+"/diagnoses/nieuw", "/organisaties/"+orgID+"/diagnoses", map[string][]string{
			"name": {"X"}, "questionnaire": {"uitvoeringskracht@1"}, "units": {"Staf\nstaf"}, "min_group_size": {"3"},
			"access": {"link"}, "opens_on": {"2026-05-01"}, "closes_on": {"2026-04-01"},
		})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", p.status)
		}
		for _, want := range []string{"staat er twee keer in", "tussen 5 en 10", "op of na de openingsdatum", "Staf\nstaf</textarea>"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("diagnostic form lacks %q", want)
			}
		}
	})
}

func TestProgressHidesSmallUnits(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, diagID := createOrgAndDiagnostic(t, b, "link")
		postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/openen", nil)
		ctx := context.Background()
		// 7 in Beleid (u1), 6 in Uitvoering (u2), 2 in Staf (u3): Staf is
		// too small, and Uitvoering must be hidden too, or Staf's count
		// would follow from the total.
		units := strings.Split("u1 u1 u1 u1 u1 u1 u1 u2 u2 u2 u2 u2 u2 u3 u3", " ")
		for i, unit := range units {
			r := &survey.Response{DiagnosticID: diagID, SubmittedOn: "2026-03-0" + string(rune('1'+i%3)),
				Background: map[string]string{"role": "beleid", "unit": unit}, Answers: map[string]int{}}
			if err := st.Submit(ctx, freshNonce(), r); err != nil {
				t.Fatal(err)
			}
		}
		p := b.get("/diagnoses/" + diagID)
		if !strings.Contains(p.body, "15 ingevulde vragenlijsten") {
			t.Errorf("total missing: %s", snippet(p.body))
		}
		if !strings.Contains(p.body, "<th scope=\"row\">Beleid</th><td>40</td>\n    <td>7</td>") {
			t.Error("Beleid (7) should be shown")
		}
		for _, leak := range []string{"<td>2</td>", "<td>6</td>"} {
			if strings.Contains(p.body, leak) {
				t.Errorf("a hidden count is shown: %s", leak)
			}
		}
		if !strings.Contains(p.body, "Overige afdelingen samen</th><td>300</td><td>8</td>") {
			t.Error("the hidden units are not shown together as one row of 8")
		}
		if !strings.Contains(p.body, "minder dan 5") {
			t.Error("hidden units are not marked 'minder dan 5'")
		}
		// Dates with the month as a word: "03-01" reads as 3 January.
		if !strings.Contains(p.body, `<svg class="chart chart-wide" viewBox="0 0 600 200"`) || !strings.Contains(p.body, `font-size="12" fill="#0b0c0c">1 mrt</text>`) || strings.Contains(p.body, "03-01") {
			t.Error("no per-day chart with Dutch day labels")
		}
		// Drawn again for a phone, about as wide as it is shown there, so
		// that its labels stay 12 px or more.
		if !strings.Contains(p.body, `<svg class="chart chart-narrow" viewBox="0 0 320 200"`) || !strings.Contains(p.body, `font-size="13" fill="#0b0c0c">1 mrt</text>`) {
			t.Error("no narrow per-day chart")
		}
		if !strings.Contains(p.body, "<td>1 maart 2026</td><td>5</td>") {
			t.Error("the per-day table does not write the date out")
		}
	})
}

func TestDeleteDiagnosticNeedsConfirmation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		orgID, diagID := createOrgAndDiagnostic(t, b, "link")
		confirm := b.get("/diagnoses/" + diagID + "/verwijderen")
		if !strings.Contains(confirm.body, "alle 0 antwoorden definitief") {
			t.Fatalf("confirmation does not name the count: %s", snippet(confirm.body))
		}
		// A stale confirmation (a different count) deletes nothing.
		p := postForm(t, b, "/diagnoses/"+diagID+"/verwijderen", "/diagnoses/"+diagID+"/verwijderen", map[string][]string{"responses": {"3"}})
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/verwijderen") {
			t.Fatalf("stale confirmation: %d %s", p.status, p.location)
		}
		p = postForm(t, b, "/diagnoses/"+diagID+"/verwijderen", "/diagnoses/"+diagID+"/verwijderen", map[string][]string{"responses": {"0"}})
		if p.status != http.StatusSeeOther || p.location != "/organisaties/"+orgID {
			t.Fatalf("delete: %d %s", p.status, p.location)
		}
		if p := b.get("/diagnoses/" + diagID); p.status != http.StatusNotFound {
			t.Errorf("deleted diagnostic: %d", p.status)
		}
	})
}

// Every workspace route must answer 404 for another firm's ids, so ids are
// not even confirmed to exist.
func TestWorkspaceCrossFirmAccessIsNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.browser(t)
		signIn(t, f, a, "Adviesbureau A", "anna@a.example", false)
		orgID, diagID := createOrgAndDiagnostic(t, a, "link")

		other := f.browser(t)
		signIn(t, f, other, "Bureau B", "bob@b.example", true)
		csrf := csrfOf(t, other, "/organisaties")
		gets := []string{"/organisaties/" + orgID, "/organisaties/" + orgID + "/bewerken", "/organisaties/" + orgID + "/diagnoses/nieuw",
			"/diagnoses/" + diagID, "/diagnoses/" + diagID + "/bewerken", "/diagnoses/" + diagID + "/verwijderen"}
		for _, path := range gets {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d, want 404", path, p.status)
			}
		}
		posts := []string{"/organisaties/" + orgID, "/organisaties/" + orgID + "/diagnoses", "/diagnoses/" + diagID + "/bewerken",
			"/diagnoses/" + diagID + "/openen", "/diagnoses/" + diagID + "/sluiten", "/diagnoses/" + diagID + "/verwijderen"}
		for _, path := range posts {
			p := other.post(path, url.Values{"csrf": {csrf}, "name": {"x"}, "sector": {"overig"}, "responses": {"0"}})
			if p.status != http.StatusNotFound {
				t.Errorf("POST %s by another firm: %d, want 404", path, p.status)
			}
		}
		if list := other.get("/organisaties"); strings.Contains(list.body, "Rijn") {
			t.Error("another firm sees the organisation in its list")
		}
		if d, err := st.Diagnostic(context.Background(), diagID); err != nil || d.State != survey.StateDraft {
			t.Errorf("the other firm changed the diagnostic: %v %v", d, err)
		}
	})
}

func TestWorkspaceRoutesNeedSignInAndCSRF(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		anon := f.browser(t)
		for _, path := range []string{"/organisaties", "/organisaties/nieuw", "/diagnoses/x"} {
			p := anon.get(path)
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
				t.Errorf("GET %s without a session: %d %s", path, p.status, p.location)
			}
		}
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		p := b.post("/organisaties", url.Values{"name": {"X"}, "sector": {"overig"}})
		if p.status != http.StatusForbidden {
			t.Errorf("POST without CSRF token: %d, want 403", p.status)
		}
	})
}
