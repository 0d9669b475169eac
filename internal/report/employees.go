package report

import (
	"bytes"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// EmployeeSummary is everything the employees' one-page results summary is
// made from: the summary release's result (scoring.EmployeeSummaryOf),
// which holds nothing the results hide, the chosen actions and the
// directors' message.
type EmployeeSummary struct {
	Organisation  string
	Diagnostic    string
	Questionnaire *survey.Questionnaire
	// Result is the result of the summary release. Required.
	Result *survey.Result
	// Headcount is the number invited (the units' headcounts when every
	// unit has one, else the organisation's); 0 when unknown.
	Headcount int
	Actions   []SummaryAction
	// Message is the directors' message, printed as typed.
	Message string
	// Link is the respondent link, where the summary can be read online.
	Link string
	// Lang is "nl" (default) or "en".
	Lang        string
	GeneratedOn time.Time
}

// SummaryAction is one chosen action as the summary prints it; the caller
// formats the dates and the status in the summary's language.
type SummaryAction struct {
	Title  string
	Serves string
	Owner  string
	When   string
	Status string
}

// SummaryTexts are the sentences of the employee summary, built from the
// numbers by the rules of docs/methodology.md §17; the web page says the
// same through its translations.
type SummaryTexts struct {
	Heading, Thanks, Response, Index, FactorsHeading string
	Factors                                          []SummaryFactor
	PrioritiesHeading                                string
	Priorities                                       []string
	PrioritiesNone                                   string
	ActionsHeading, ActionsNone                      string
	MessageHeading                                   string
	Online                                           string
}

// SummaryFactor is one row of the factor table.
type SummaryFactor struct {
	Name, Score string
	Band        survey.Band
	BandWord    string
}

type summaryWords struct {
	heading, thanks, countOnly, countRate, index, indexHidden, factors, hidden        string
	priorities, prioritiesFew, prioritiesNone, actions, actionsNone, message          string
	online, more, title, colAction, colOwner, colWhen, colStatus, colFactor, colScore string
}

func summaryWordsFor(lang string) summaryWords {
	if lang == "en" {
		return summaryWords{
			heading:        "What you told us",
			thanks:         "Thank you to everyone who filled in the questionnaire. These are the results for the organisation as a whole; the results of small groups are never shown, so no one can see what you answered.",
			countOnly:      "%s employees filled in the questionnaire.",
			countRate:      "%s of the %s employees invited filled in the questionnaire (%s).",
			index:          "Execution power of the organisation: %s out of 100, %s.",
			indexHidden:    "The overall score is not shown: too few questionnaires were complete enough.",
			factors:        "The five factors",
			hidden:         "not shown",
			priorities:     "The three priorities",
			prioritiesFew:  "Priorities",
			prioritiesNone: "No priorities were set: no factor clearly holds execution back.",
			actions:        "What will be done",
			actionsNone:    "The directors are still choosing the actions; they will appear here once they are set.",
			message:        "A message from the directors",
			online:         "Read this summary online: %s",
			more:           "and %d more actions: see the page online",
			title:          "Results for employees",
			colAction:      "Action", colOwner: "Owner", colWhen: "When", colStatus: "Status",
			colFactor: "Factor", colScore: "Score",
		}
	}
	return summaryWords{
		heading:        "Wat u ons hebt verteld",
		thanks:         "Dank u wel aan iedereen die de vragenlijst heeft ingevuld. Dit zijn de uitkomsten voor de organisatie als geheel; uitkomsten van kleine groepen worden nooit getoond, zodat niemand kan zien wat u hebt geantwoord.",
		countOnly:      "%s medewerkers vulden de vragenlijst in.",
		countRate:      "%s van de %s uitgenodigde medewerkers vulden de vragenlijst in (%s).",
		index:          "Uitvoeringskracht van de organisatie: %s van de 100, %s.",
		indexHidden:    "De totaalscore wordt niet getoond: te weinig vragenlijsten waren volledig genoeg ingevuld.",
		factors:        "De vijf factoren",
		hidden:         "niet getoond",
		priorities:     "De drie prioriteiten",
		prioritiesFew:  "Prioriteiten",
		prioritiesNone: "Er zijn geen prioriteiten vastgesteld: geen factor remt de uitvoering duidelijk af.",
		actions:        "Wat er gaat gebeuren",
		actionsNone:    "De directie kiest de acties nog; ze komen hier te staan zodra ze vastliggen.",
		message:        "Bericht van de directie",
		online:         "Lees deze samenvatting online: %s",
		more:           "en nog %d acties: zie de pagina online",
		title:          "Uitkomsten voor medewerkers",
		colAction:      "Actie", colOwner: "Eigenaar", colWhen: "Wanneer", colStatus: "Status",
		colFactor: "Factor", colScore: "Score",
	}
}

// SummaryTextsOf writes the sentences of the employee summary (methodology
// §17): the count with the rate only when the headcount is known and not
// below the count; the index with its band word, or why it is hidden; a
// factor's score only when the release shows it; the priorities heading
// names three only when there are three.
func SummaryTextsOf(in EmployeeSummary) SummaryTexts {
	lang := in.Lang
	if lang != "en" {
		lang = "nl"
	}
	w, n, l := summaryWordsFor(lang), numbersFor(lang), labelsFor(lang)
	res := in.Result
	out := SummaryTexts{Heading: w.heading, Thanks: w.thanks, FactorsHeading: w.factors,
		ActionsHeading: w.actions, ActionsNone: w.actionsNone, MessageHeading: w.message}
	count := max(res.Responses, res.N)
	if in.Headcount > 0 && count <= in.Headcount {
		rate := n.fixed(100*float64(count)/float64(in.Headcount), 0) + "%"
		out.Response = sprintf(w.countRate, n.count(count), n.count(in.Headcount), rate)
	} else {
		out.Response = sprintf(w.countOnly, n.count(count))
	}
	if res.Index.Shown && res.Index.Mean != nil {
		out.Index = sprintf(w.index, n.score(*res.Index.Mean), l.BandWord(res.Index.Band))
	} else {
		out.Index = w.indexHidden
	}
	names := map[string]string{}
	if in.Questionnaire != nil {
		for _, f := range in.Questionnaire.Factors {
			names[f.ID] = f.Name.In(lang)
		}
	}
	factorName := func(id string) string {
		if s := names[id]; s != "" {
			return s
		}
		return id
	}
	for _, f := range res.Factors {
		row := SummaryFactor{Name: factorName(f.ID), Score: w.hidden}
		if f.Score.Shown && f.Score.Mean != nil {
			row.Score, row.Band, row.BandWord = n.score(*f.Score.Mean), f.Score.Band, l.BandWord(f.Score.Band)
		}
		out.Factors = append(out.Factors, row)
	}
	for _, p := range res.Priorities {
		if len(out.Priorities) == 3 {
			break
		}
		out.Priorities = append(out.Priorities, factorName(p.Factor)+" ("+n.score(p.Score)+")")
	}
	switch len(out.Priorities) {
	case 3:
		out.PrioritiesHeading = w.priorities
	case 0:
		out.PrioritiesHeading, out.PrioritiesNone = w.prioritiesFew, w.prioritiesNone
	default:
		out.PrioritiesHeading = w.prioritiesFew
	}
	if in.Link != "" {
		out.Online = sprintf(w.online, in.Link)
	}
	return out
}

// Employee summary layout in millimetres: everything on one A4 page; the
// variable parts (actions, message) are capped.
const (
	sumMargin     = 16.0
	sumW          = pageW - 2*sumMargin
	sumBandH      = 30.0
	sumMaxActions = 6
	sumMsgLines   = 6
)

// EmployeeSummaryPDF renders the employee summary on one A4 page, for
// notice boards: the same content as the page on the respondent link.
func EmployeeSummaryPDF(in EmployeeSummary) ([]byte, error) {
	if in.Result == nil {
		return nil, survey.Errorf(survey.CodeInvalid, "report: the employee summary needs a result")
	}
	if in.GeneratedOn.IsZero() {
		return nil, survey.Errorf(survey.CodeInvalid, "report: no generation date (the report never reads the clock)")
	}
	lang := in.Lang
	if lang != "en" {
		lang = "nl"
	}
	in.Lang = lang
	return guardPDF(func() ([]byte, error) {
		org := name(in.Organisation, maxTitleRunes)
		w := summaryWordsFor(lang)
		r := newPrintRenderer(w.title+" – "+org, org, in.GeneratedOn)
		r.f.SetDisplayMode("fullpage", "single")
		r.employeeSummary(in, org)
		return r.printOutputLang(lang)
	})
}

// printOutputLang is printOutput with the document language lang: the
// summary is printed in the language of the page it was asked from.
func (r *pdfRenderer) printOutputLang(lang string) ([]byte, error) {
	if err := r.f.Error(); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: drawing the PDF failed")
	}
	var buf bytes.Buffer
	if err := r.f.Output(&buf); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: writing the PDF failed")
	}
	return withCatalogEntries(buf.Bytes(), lang)
}

// employeeSummary draws the page and returns where the content ended,
// which tests hold above the footer.
func (r *pdfRenderer) employeeSummary(in EmployeeSummary, org string) float64 {
	f := r.f
	f.AddPage()
	w := summaryWordsFor(in.Lang)
	t := SummaryTextsOf(in)

	r.fill(colNavy)
	f.Rect(0, 0, pageW, sumBandH, "F")
	r.textAt(sumMargin, 7, sumW, org, "B", 20, 8.5, colWhite, "L", 1)
	sub := clean(in.Diagnostic)
	r.textAt(sumMargin, 17.5, sumW, sub, "", 12, 5.5, colWhite, "L", 1)

	y := sumBandH + 8
	y += r.textAt(sumMargin, y, sumW, t.Heading, "B", 18, 8, colNavy, "L", 1) + 2
	y += r.textAt(sumMargin, y, sumW, t.Thanks, "", 10.5, 5, colText, "L", 4) + 2
	y += r.textAt(sumMargin, y, sumW, t.Response, "", 10.5, 5, colText, "L", 2) + 3
	y += r.textAt(sumMargin, y, sumW, t.Index, "B", 13, 6, colText, "L", 2) + 3

	// The factors: name, score and the band in words next to its colour.
	y += r.textAt(sumMargin, y, sumW, t.FactorsHeading, "B", 12, 6, colNavy, "L", 1) + 1
	for _, fr := range t.Factors {
		r.textAt(sumMargin, y, 110, fr.Name, "", 10, 5, colText, "L", 1)
		r.textAt(sumMargin+112, y, 18, fr.Score, "B", 10, 5, colText, "R", 1)
		if fr.Band != "" {
			r.chip(sumMargin+136, y+2.5, fr.Band, fr.BandWord, 10)
		}
		y += 6
	}
	y += 2

	y += r.textAt(sumMargin, y, sumW, t.PrioritiesHeading, "B", 12, 6, colNavy, "L", 1) + 1
	if len(t.Priorities) == 0 {
		y += r.textAt(sumMargin, y, sumW, t.PrioritiesNone, "", 10, 5, colText, "L", 2)
	}
	for i, p := range t.Priorities {
		y += r.textAt(sumMargin, y, sumW, sprintf("%d. %s", i+1, p), "", 10.5, 5.2, colText, "L", 1)
	}
	y += 3

	y += r.textAt(sumMargin, y, sumW, t.ActionsHeading, "B", 12, 6, colNavy, "L", 1) + 1
	if len(in.Actions) == 0 {
		y += r.textAt(sumMargin, y, sumW, t.ActionsNone, "", 10, 5, colText, "L", 2)
	} else {
		cols := []float64{78, 44, 36, 20}
		heads := []string{w.colAction, w.colOwner, w.colWhen, w.colStatus}
		x := sumMargin
		for i, h := range heads {
			r.textAt(x, y, cols[i]-2, h, "B", 9, 4.5, colMuted, "L", 1)
			x += cols[i]
		}
		y += 5
		for i, a := range in.Actions {
			if i == sumMaxActions {
				break
			}
			x = sumMargin
			h := 0.0
			for k, s := range []string{a.Title, a.Owner, a.When, a.Status} {
				h = max(h, r.textAt(x, y, cols[k]-2, clean(s), "", 9, 4.3, colText, "L", 2))
				x += cols[k]
			}
			y += h + 1.2
		}
		if more := len(in.Actions) - sumMaxActions; more > 0 {
			y += r.textAt(sumMargin, y, sumW, sprintf(w.more, more), "", 9, 4.5, colMuted, "L", 1)
		}
	}
	y += 3

	if msg := strings.TrimSpace(clean(in.Message)); msg != "" {
		y += r.textAt(sumMargin, y, sumW, t.MessageHeading, "B", 12, 6, colNavy, "L", 1) + 1
		y += r.textAt(sumMargin, y, sumW, msg, "", 10, 5, colText, "L", sumMsgLines)
	}
	if t.Online != "" {
		r.stroke(colRule)
		f.SetLineWidth(0.3)
		f.Line(sumMargin, pageH-16, pageW-sumMargin, pageH-16)
		r.textAt(sumMargin, pageH-13, sumW, t.Online, "", 9, 4.5, colMuted, "L", 2)
		f.LinkString(sumMargin, pageH-13, sumW, 9, in.Link)
	}
	return y
}

// SummaryActionOf writes an action of the plan as the printed summary
// lists it, in lang: the factor or route it serves, the period from its
// start to its due day (a sprint's end) and its status. The web pages say
// the same through their translations.
func SummaryActionOf(a survey.Action, q *survey.Questionnaire, lang string) SummaryAction {
	n := numbersFor(lang)
	w := map[string][4]string{
		"nl": {"%s tot en met %s", "uiterlijk %s", "vanaf %s", ""},
		"en": {"%s to %s", "by %s", "from %s", ""},
	}[lang]
	if w[0] == "" {
		w = [4]string{"%s tot en met %s", "uiterlijk %s", "vanaf %s", ""}
	}
	out := SummaryAction{Title: a.Title, Owner: a.Owner, Status: actionStatusWord(a.Status, lang), When: "–"}
	due := a.Due()
	switch {
	case a.StartDate != nil && due != nil:
		out.When = sprintf(w[0], n.date(*a.StartDate), n.date(*due))
	case due != nil:
		out.When = sprintf(w[1], n.date(*due))
	case a.StartDate != nil:
		out.When = sprintf(w[2], n.date(*a.StartDate))
	}
	if q != nil && a.Target != "" {
		if f, ok := q.Factor(a.Target); ok {
			out.Serves = f.Name.In(lang)
		}
		for _, r := range q.Routes {
			if r.ID == a.Target {
				out.Serves = r.Name.In(lang)
			}
		}
	}
	return out
}

func actionStatusWord(s survey.ActionStatus, lang string) string {
	if lang != "en" {
		return string(s)
	}
	return map[survey.ActionStatus]string{
		survey.ActionPlanned: "planned", survey.ActionDoing: "in progress", survey.ActionDone: "done", survey.ActionStopped: "stopped",
	}[s]
}
