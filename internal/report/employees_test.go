package report

import (
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report/simulate"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func testEmployeeSummary(t *testing.T) EmployeeSummary {
	fx := newFixture(t, 200, simulate.Demo(200), 5, false)
	return EmployeeSummary{
		Organisation:  "Gemeente Testdorp",
		Diagnostic:    "Meting 2025",
		Questionnaire: fx.q,
		Result:        scoring.EmployeeSummaryOf(fx.in.Result),
		Headcount:     400,
		Message:       "Dank voor uw openheid. Wij gaan aan de slag met wat u ons vertelde.",
		Link:          testLink,
		Lang:          "nl",
		GeneratedOn:   fixtureDate,
		Actions: []SummaryAction{
			{Title: "Eén eigenaar per opgave", Owner: "Directeur bedrijfsvoering", When: "1 mei 2025 – 30 juni 2025", Status: "bezig"},
		},
	}
}

func TestEmployeeSummaryPDF(t *testing.T) {
	in := testEmployeeSummary(t)
	pdf, err := EmployeeSummaryPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("the summary has %d pages", n)
	}
	flat := squash(pdfText(t, pdf, 0, 0))
	texts := SummaryTextsOf(in)
	for _, want := range []string{"Gemeente Testdorp", "Wat u ons hebt verteld", "Dank u wel", texts.Response, texts.Index,
		"De drie prioriteiten", "Eén eigenaar per opgave", "Directeur bedrijfsvoering", "Bericht van de directie", "Dank voor uw openheid"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the summary lacks %q:\n%s", want, flat)
		}
	}
	// Nothing of the results beyond the summary: no route, no unit.
	for _, never := range []string{"Route", "route", "Burgerzaken"} {
		if strings.Contains(flat, never) {
			t.Errorf("the summary shows %q", never)
		}
	}
	if !strings.Contains(string(pdf), "/Lang (nl)") {
		t.Error("the PDF has no document language")
	}
}

// TestEmployeeSummaryFitsOnePage: the longest content still ends above the
// footer, and the English summary says the same in English.
func TestEmployeeSummaryFitsOnePage(t *testing.T) {
	in := testEmployeeSummary(t)
	in.Organisation = strings.Repeat("Gemeenschappelijke Regeling ", 10)
	in.Message = strings.Repeat("Een heel lang bericht van de directie over wat er gaat gebeuren. ", 40)
	in.Actions = nil
	for range 12 {
		in.Actions = append(in.Actions, SummaryAction{Title: strings.Repeat("Een actie met een lange titel ", 4), Owner: strings.Repeat("Eigenaar ", 8), When: "1 mei 2025 – 30 juni 2025", Status: "gepland"})
	}
	for _, lang := range []string{"nl", "en"} {
		in.Lang = lang
		r := newPrintRenderer("t", "t", fixtureDate)
		if y := r.employeeSummary(in, in.Organisation); y > pageH-17 {
			t.Errorf("%s: the content ends at %.1f mm, into the footer", lang, y)
		}
		pdf, err := EmployeeSummaryPDF(in)
		if err != nil {
			t.Fatal(err)
		}
		if n := pageCount(t, pdf); n != 1 {
			t.Errorf("%s: %d pages", lang, n)
		}
	}
	in.Lang = "en"
	pdf, err := EmployeeSummaryPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(pdfText(t, pdf, 0, 0))
	if !strings.Contains(flat, "What you told us") || !strings.Contains(string(pdf), "/Lang (en)") {
		t.Errorf("the English summary: %s", flat)
	}
}

// TestSummaryTexts holds the sentences of methodology §17 at their edges.
func TestSummaryTexts(t *testing.T) {
	mean := 64.95
	res := func(responses, n int, shown bool, prios int) *survey.Result {
		r := &survey.Result{Responses: responses, N: n}
		if shown {
			r.Index = survey.Score{Shown: true, N: n, Mean: &mean, Band: survey.BandAmber}
		} else {
			r.Index = survey.Score{Reason: survey.ReasonTooSmall}
		}
		for i := range prios {
			r.Priorities = append(r.Priorities, survey.Priority{Rank: i + 1, Factor: "f", Score: 40})
		}
		return r
	}
	cases := []struct {
		name      string
		lang      string
		r         *survey.Result
		headcount int
		response  string
		index     string
		prioHead  string
	}{
		{"rate", "nl", res(120, 110, true, 3), 400, "120 van de 400 uitgenodigde medewerkers vulden de vragenlijst in (30%).", "Uitvoeringskracht van de organisatie: 65,0 van de 100, oranje.", "De drie prioriteiten"},
		{"count equals headcount", "nl", res(400, 390, true, 2), 400, "400 van de 400 uitgenodigde medewerkers vulden de vragenlijst in (100%).", "", "Prioriteiten"},
		{"more than invited", "nl", res(401, 390, true, 0), 400, "401 medewerkers vulden de vragenlijst in.", "", "Prioriteiten"},
		{"no headcount", "en", res(1200, 1100, false, 3), 0, "1,200 employees filled in the questionnaire.", "The overall score is not shown: too few questionnaires were complete enough.", "The three priorities"},
		{"rate rounds half away", "nl", res(1, 1, true, 3), 8, "1 van de 8 uitgenodigde medewerkers vulden de vragenlijst in (13%).", "", "De drie prioriteiten"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SummaryTextsOf(EmployeeSummary{Result: c.r, Headcount: c.headcount, Lang: c.lang})
			if got.Response != c.response {
				t.Errorf("response %q, want %q", got.Response, c.response)
			}
			if c.index != "" && got.Index != c.index {
				t.Errorf("index %q, want %q", got.Index, c.index)
			}
			if got.PrioritiesHeading != c.prioHead {
				t.Errorf("priorities heading %q, want %q", got.PrioritiesHeading, c.prioHead)
			}
			if len(c.r.Priorities) == 0 && got.PrioritiesNone == "" {
				t.Error("no sentence for no priorities")
			}
		})
	}
}

// TestPosterSaysThePulseTakesTwoMinutes: a pulse's poster promises the
// time its landing page promises, not the full questionnaire's.
func TestPosterSaysThePulseTakesTwoMinutes(t *testing.T) {
	p := testPoster(t)
	p.Minutes = 2
	pdf, err := PosterPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(pdfText(t, pdf, 0, 0))
	if !strings.Contains(flat, "ongeveer 2 minuten") || !strings.Contains(flat, "about 2 minutes") || strings.Contains(flat, "10 minuten") {
		t.Errorf("the pulse poster: %s", flat)
	}
}
