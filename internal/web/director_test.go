package web

import (
	"context"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestDirectorPageSaysWhoTookPartWhoMadeItAndWhatToDo(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		ctx := context.Background()
		org := &survey.Organisation{FirmID: rf.cons.FirmID, Name: "Gemeente Directie", Sector: survey.SectorMunicipality, Headcount: 40}
		if err := st.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		d := rf.create(t, wave{org: org, perUnit: []int{10, 10}, seed: 31})
		token := rf.createLink(t, d.ID, "2027-03-02", "nl")
		director := rf.browser(t)
		p := director.get("/r/" + token)
		for _, want := range []string{
			"Respons: 50% (20 van de 40 medewerkers).",
			`Dit rapport is gemaakt door Adviesbureau A. Vragen? Neem contact op met <a href="mailto:anna@a.example">anna@a.example</a>.`,
			"Zo leest u een score: 0 tot 100, en hoe hoger, hoe beter.",
			"Eerste stappen uit het advies:",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the director page lacks %q", want)
			}
		}
		// Every priority the page names gets the first steps of the advice
		// for it, at most three.
		priorities := strings.Count(p.body[strings.Index(p.body, `id="priorities-heading"`):], "<li><strong>")
		lists := strings.Count(p.body, `<ul class="director-steps">`)
		if priorities == 0 || lists != priorities {
			t.Errorf("%d priorities, %d lists of steps", priorities, lists)
		}
		for _, list := range strings.Split(p.body, `<ul class="director-steps">`)[1:] {
			list = list[:strings.Index(list, "</ul>")]
			if n := strings.Count(list, "<li>"); n < 1 || n > directorStepsPerPriority {
				t.Errorf("a priority lists %d steps", n)
			}
		}

		// The rate is the latest release's, as in the report: an answer
		// stored after closing is released with the next view (its figures
		// held back, its count published) and counted in the rate.
		rf.submit(t, d.ID, fakeResponses(&rf.q, []string{d.Units[0].ID}, 99, 0)[0])
		if p := director.get("/r/" + token); !strings.Contains(p.body, "Respons: 53% (21 van de 40 medewerkers).") {
			t.Errorf("the director page's rate after a new release: %d %s", p.status, snippet(p.body))
		}
		rels, err := st.Releases(ctx, d.ID)
		if err != nil || len(rels) == 0 || rels[len(rels)-1].Responses != 21 {
			t.Fatalf("the rate is not that of the recorded release: %+v %v", rels, err)
		}

		// A consultant who left is no longer the contact; the firm stays.
		if err := st.SetConsultantDisabled(ctx, rf.cons.FirmID, rf.cons.ID, true); err != nil {
			t.Fatal(err)
		}
		p = director.get("/r/" + token)
		if strings.Contains(p.body, "anna@a.example") || !strings.Contains(p.body, "Dit rapport is gemaakt door Adviesbureau A.</p>") {
			t.Errorf("a disabled consultant is still the contact: %s", snippet(p.body))
		}
		if p := director.get("/r/" + token + "?lang=en"); !strings.Contains(p.body, "How to read a score: 0 to 100, and the higher, the better.") || !strings.Contains(p.body, "This report was made by Adviesbureau A.") {
			t.Error("English director page")
		}
	})
}

func TestDirectorResponseTextAtItsEdges(t *testing.T) {
	tr := newTestTranslator(t, "nl")
	for _, c := range []struct {
		n, headcount int
		want         string
	}{
		{20, 40, "Respons: 50% (20 van de 40 medewerkers)."},
		{40, 40, "Respons: 100% (40 van de 40 medewerkers)."},
		{41, 40, "41 medewerkers vulden de vragenlijst in. Een responspercentage is er niet: het aantal medewerkers ontbreekt of is lager dan dit aantal."},
		{5, 0, "5 medewerkers vulden de vragenlijst in. Een responspercentage is er niet: het aantal medewerkers ontbreekt of is lager dan dit aantal."},
		{1, 200, "Respons: 1% (1 van de 200 medewerkers)."},
		{1, 201, "Respons: 0% (1 van de 201 medewerkers)."},
		{1200, 30000, "Respons: 4% (1.200 van de 30.000 medewerkers)."},
		{1200, 0, "1.200 medewerkers vulden de vragenlijst in. Een responspercentage is er niet: het aantal medewerkers ontbreekt of is lager dan dit aantal."},
	} {
		if got := directorResponseText(c.n, c.headcount, tr); got != c.want {
			t.Errorf("%d of %d: %q, want %q", c.n, c.headcount, got, c.want)
		}
	}
	d := &survey.Diagnostic{Organisation: survey.Organisation{Headcount: 500}, Units: []survey.Unit{{Headcount: 40}, {Headcount: 0}}}
	if got := reportHeadcount(d); got != 500 {
		t.Errorf("a partial sum of unit headcounts is used: %d", got)
	}
	d.Units[1].Headcount = 60
	if got := reportHeadcount(d); got != 100 {
		t.Errorf("the units' headcounts: %d", got)
	}
}
