package report

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func planDay(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// The sentence rules of the section on the previous plan (methodology,
// "Acties sinds de vorige meting"), at their edges.
func TestSinceFactorText(t *testing.T) {
	nl, en := sinceWordsFor("nl"), sinceWordsFor("en")
	for _, tc := range []struct {
		name    string
		w       sinceWords
		lang    string
		shown   bool
		diff    float64
		verdict string
		actions int
		done    int
		want    string
	}{
		{"clear rise, all done", nl, "nl", true, 6.24, "duidelijk verschil", 2, 2,
			"Bestuur: +6,2 punten sinds de vorige meting (duidelijk verschil). Acties hiervoor: 2, waarvan klaar: 2."},
		{"no change, one done", nl, "nl", true, 0.04, "geen aantoonbaar verschil", 1, 1,
			"Bestuur: 0,0 punten sinds de vorige meting (geen aantoonbaar verschil). Acties hiervoor: 1, waarvan klaar: 1."},
		{"fall, none done", nl, "nl", true, -3.25, "mogelijk verschil", 1, 0,
			"Bestuur: −3,3 punten sinds de vorige meting (mogelijk verschil). Acties hiervoor: 1, waarvan klaar: 0. Geen van deze acties is al klaar."},
		{"hidden", nl, "nl", false, 0, "", 3, 1,
			"Bestuur: de verandering sinds de vorige meting is niet te tonen. Acties hiervoor: 3, waarvan klaar: 1."},
		{"hidden, none done", nl, "nl", false, 0, "", 1, 0,
			"Bestuur: de verandering sinds de vorige meting is niet te tonen. Acties hiervoor: 1, waarvan klaar: 0. Geen van deze acties is al klaar."},
		{"English", en, "en", true, 5.0, "clear difference", 1, 1,
			"Bestuur: +5.0 points since the previous measurement (clear difference). Actions for it: 1, of which done: 1."},
	} {
		got := sinceFactorText(tc.w, numbersFor(tc.lang), "Bestuur", tc.shown, tc.diff, tc.verdict, tc.actions, tc.done)
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func previousPlan() []survey.Action {
	return []survey.Action{
		{Title: "Eén regisseur per opgave", Target: "governance", Owner: "Directie", DueDate: planDay(2025, 1, 1), Status: survey.ActionDone},
		{Title: "Capaciteit per kwartaal plannen", Target: "capacity", Owner: "HR", DueDate: planDay(2025, 2, 1), Status: survey.ActionDoing},
		{Title: "Werkgroep overdrachten", Target: "collaboration", Owner: "Programmamanager", DueDate: planDay(2025, 2, 1), Status: survey.ActionPlanned},
		{Title: "Nieuwsbrief", Owner: "Communicatie", DueDate: planDay(2025, 2, 1), Status: survey.ActionStopped},
	}
}

func TestSinceChapterInPDFAndHTML(t *testing.T) {
	in := demoInput(t)
	d, err := build(in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Since != nil {
		t.Fatal("a report without a previous plan has the section")
	}
	in.PreviousActions = previousPlan()
	d, err = build(in)
	if err != nil {
		t.Fatal(err)
	}
	v := d.Since
	if v == nil || len(v.Rows) != 4 || len(v.Factors) != 2 {
		t.Fatalf("section: %+v", v)
	}
	if v.Intro != "In het actieplan van de vorige meting stonden 4 acties: 1 klaar, 1 bezig, 1 gepland en 1 gestopt." {
		t.Errorf("intro %q", v.Intro)
	}
	// The governance row carries the governance change of the trend; the
	// route and whole-plan rows the index's.
	var govDiff, indexDiff string
	for _, df := range in.Result.Trend.Changes {
		if df.Shown && df.Diff != nil {
			switch df.Measure {
			case "governance":
				govDiff = numbersFor("nl").signed(*df.Diff)
			case survey.MeasureIndex:
				indexDiff = numbersFor("nl").signed(*df.Diff)
			}
		}
	}
	if govDiff == "" || indexDiff == "" {
		t.Fatal("the fixture's trend lacks governance or the index")
	}
	if !strings.HasPrefix(v.Rows[0].Change, govDiff+" (") || !strings.HasPrefix(v.Rows[2].Change, "index "+indexDiff) ||
		!strings.HasPrefix(v.Rows[3].Change, "index ") || v.Rows[3].Target != "plan als geheel" {
		t.Errorf("rows: %+v", v.Rows)
	}
	if !strings.Contains(v.Factors[1], "Acties hiervoor: 1, waarvan klaar: 0. Geen van deze acties is al klaar.") {
		t.Errorf("capacity sentence %q", v.Factors[1])
	}

	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	text := squash(pdfText(t, pdf, 0, 0))
	// A chapter of its own, in the table of contents too, before the
	// method, which moves to 8.
	for _, want := range []string{"7 Wat er sinds de vorige meting is gedaan", "8 Methode en anonimiteit", "9 Bijlage", v.Intro, squash(v.Caveat), "Eén regisseur per opgave"} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	page, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<h2 id="s-since">7 Wat er sinds de vorige meting is gedaan</h2>`, `<a href="#s-since">Wat er sinds de vorige meting is gedaan</a>`,
		`<h2 id="s7">8 Methode en anonimiteit</h2>`, `<h2 id="s8">9 `, v.Intro, "<th scope=\"row\">Eén regisseur per opgave</th>", v.Factors[0]} {
		if !strings.Contains(html.UnescapeString(string(page)), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}

	in.Lang = "en"
	page, err = HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "What has been done since the previous measurement") || !strings.Contains(string(page), "does not prove that the action caused it") {
		t.Error("English section missing")
	}
}

func TestActionPlanPDFIsOnePage(t *testing.T) {
	q := loadQuestionnaire(t)
	today := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	plan := previousPlan()
	plan[0].Notes = []survey.ActionNote{{At: today.Add(-2 * 24 * time.Hour), From: survey.ActionPlanned, To: survey.ActionDone, Text: "Besluit genomen"}}
	plan[1].CreatedAt = today.Add(-30 * 24 * time.Hour)
	p := ActionPlan{Organisation: "Gemeente Plan", Diagnostic: "Meting 2026", Questionnaire: q, Actions: plan, Lang: "nl", Today: today}
	pdf, err := ActionPlanPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("%d pages", n)
	}
	qpdfCheck(t, pdf)
	text := squash(pdfText(t, pdf, 0, 0))
	for _, want := range []string{
		"Actieplan · Gemeente Plan", "stand 20 maart 2026", "4 acties: 1 gepland, 1 bezig, 1 klaar, 1 gestopt · 2 over de termijn",
		"Over de termijn", "Capaciteit per kwartaal plannen – HR – 1 februari 2025",
		"Veranderd in de afgelopen week", "18 maart 2026: Eén regisseur per opgave: gepland → klaar – Besluit genomen",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan PDF lacks %q:\n%s", want, text)
		}
	}
	// The stopped and the done action are not overdue.
	if strings.Contains(text, "Nieuwsbrief – Communicatie") {
		t.Error("a stopped action is listed as overdue")
	}

	// Sixty actions still fit one page: the rest is counted.
	var many []survey.Action
	for i := range 60 {
		many = append(many, survey.Action{Title: fmt.Sprintf("Actie %d met een titel die over twee regels loopt in de kolom", i), Target: "silos",
			Owner: "Afdelingshoofden", DueDate: planDay(2026, 6, 1), Status: survey.ActionPlanned, Goal: "Iets zichtbaars"})
	}
	p.Actions, p.Lang = many, "en"
	pdf, err = ActionPlanPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := pageCount(t, pdf); n != 1 {
		t.Errorf("60 actions: %d pages", n)
	}
	text = squash(pdfText(t, pdf, 0, 0))
	if !strings.Contains(text, "Action plan · Gemeente Plan") || !strings.Contains(text, "more – see the plan page") {
		t.Errorf("60 actions: %s", text)
	}

	p.Actions = nil
	pdf, err = ActionPlanPDF(p)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, pdf, 0, 0); !strings.Contains(text, "No actions yet.") {
		t.Errorf("empty plan: %q", text)
	}
	if _, err := ActionPlanPDF(ActionPlan{Questionnaire: q}); survey.ErrorCode(err) != survey.CodeInvalid {
		t.Errorf("no date: %v", err)
	}
}
