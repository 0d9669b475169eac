package report

import (
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// ActionPlan is everything the one-page action plan is made from: the
// dashboard the seeds have an organisation discuss every week.
type ActionPlan struct {
	Organisation string
	Diagnostic   string
	// Questionnaire names the factors and routes the actions serve.
	Questionnaire *survey.Questionnaire
	Actions       []survey.Action
	// Lang is "nl" (default) or "en".
	Lang string
	// Today is the day the plan is printed for: it decides what is overdue
	// and what changed in the last week. Required; the package reads no
	// clock.
	Today time.Time
}

// planWords are the fixed words of the action plan per language.
type planWords struct {
	title, overdue, changed, none, more, noRoute                string
	colAction, colOwner, colDue, colStatus, colGoal, sprint, of string
	counts                                                      string
	statuses                                                    map[survey.ActionStatus]string
}

func planWordsFor(lang string) planWords {
	if lang == "en" {
		return planWords{
			title: "Action plan", overdue: "Overdue", changed: "Changed in the past week", none: "No actions yet.",
			more: "%d more – see the plan page", noRoute: "Plan as a whole",
			colAction: "Action", colOwner: "Owner", colDue: "Done by", colStatus: "Status", colGoal: "Visible when it works",
			sprint: "sprint of %d weeks", of: "as of %s",
			counts: "%d actions: %d planned, %d in progress, %d done, %d stopped · %d overdue",
			statuses: map[survey.ActionStatus]string{
				survey.ActionPlanned: "planned", survey.ActionDoing: "in progress", survey.ActionDone: "done", survey.ActionStopped: "stopped",
			},
		}
	}
	return planWords{
		title: "Actieplan", overdue: "Over de termijn", changed: "Veranderd in de afgelopen week", none: "Nog geen acties.",
		more: "nog %d – zie de planpagina", noRoute: "Plan als geheel",
		colAction: "Actie", colOwner: "Eigenaar", colDue: "Klaar op", colStatus: "Status", colGoal: "Zichtbaar als het werkt",
		sprint: "sprint van %d weken", of: "stand %s",
		counts: "%d acties: %d gepland, %d bezig, %d klaar, %d gestopt · %d over de termijn",
		statuses: map[survey.ActionStatus]string{
			survey.ActionPlanned: "gepland", survey.ActionDoing: "bezig", survey.ActionDone: "klaar", survey.ActionStopped: "gestopt",
		},
	}
}

// ActionStatusWord returns the word for a status in lang, as the printed
// plan and the report use it.
func ActionStatusWord(s survey.ActionStatus, lang string) string {
	if w, ok := planWordsFor(lang).statuses[s]; ok {
		return w
	}
	return string(s)
}

// targetName is the name of the factor or route an action serves.
func targetName(q *survey.Questionnaire, id, lang string) string {
	if q == nil || id == "" {
		return ""
	}
	if name, ok := q.TargetName(id, lang); ok {
		return name
	}
	return id
}

// Plan layout in millimetres.
const (
	planMargin = 14.0
	planW      = pageW - 2*planMargin
	planBandH  = 26.0
	planBottom = pageH - 12.0
	planSize   = 8.5
	planLH     = 3.9
)

// ActionPlanPDF renders the action plan on one A4 page: counts per status,
// the actions per route with owner, due day, status and lead indicator,
// then what is overdue and what changed in the past week. What does not fit
// is counted, not spilled onto a second page: the sheet is for the wall of
// the weekly meeting, and the plan page has everything.
func ActionPlanPDF(p ActionPlan) ([]byte, error) {
	if p.Today.IsZero() {
		return nil, survey.Errorf(survey.CodeInvalid, "report: no date for the action plan (the report never reads the clock)")
	}
	if p.Questionnaire == nil {
		return nil, survey.Errorf(survey.CodeInvalid, "report: the action plan needs the questionnaire")
	}
	lang := p.Lang
	if lang != "en" {
		lang = "nl"
	}
	w := planWordsFor(lang)
	n := numbersFor(lang)
	return guardPDF(func() ([]byte, error) {
		org := name(p.Organisation, maxTitleRunes)
		r := newPrintRenderer(w.title+" – "+org, org, p.Today)
		r.f.SetDisplayMode("fullpage", "single")
		f := r.f
		f.AddPage()

		r.fill(colNavy)
		f.Rect(0, 0, pageW, planBandH, "F")
		r.textAt(planMargin, 5, planW, w.title+" · "+org, "B", 16, 7, colWhite, "L", 1)
		r.textAt(planMargin, 14, planW, name(p.Diagnostic, maxTitleRunes)+" · "+sprintf(w.of, n.date(p.Today)), "", 10, 5, colWhite, "L", 1)

		y := planBandH + 6
		counts := map[survey.ActionStatus]int{}
		for _, a := range p.Actions {
			counts[a.Status]++
		}
		overdue := survey.Overdue(p.Actions, p.Today)
		y += r.textAt(planMargin, y, planW, sprintf(w.counts, len(p.Actions), counts[survey.ActionPlanned], counts[survey.ActionDoing],
			counts[survey.ActionDone], counts[survey.ActionStopped], len(overdue)), "B", 10, 5, colText, "L", 2) + 3
		if len(p.Actions) == 0 {
			r.textAt(planMargin, y, planW, w.none, "", 10, 5, colText, "L", 1)
			return r.printOutputLang(lang)
		}

		// The lower part: overdue actions and the past week's changes,
		// at most a fixed number of lines each, so that the table knows
		// its room.
		const listMax = 5
		since := p.Today.Add(-survey.ChangeWindow)
		changes := survey.ChangesSince(p.Actions, since)
		var lower []string
		lowerH := 0.0
		if len(overdue) > 0 {
			lowerH += 6 + float64(min(len(overdue), listMax)+1)*planLH
		}
		if len(changes) > 0 {
			lowerH += 6 + float64(min(len(changes), listMax)+1)*planLH
		}
		tableBottom := planBottom - lowerH

		cols := []column{
			{head: w.colAction, width: 62}, {head: w.colOwner, width: 30}, {head: w.colDue, width: 26},
			{head: w.colStatus, width: 18}, {head: w.colGoal, width: planW - 136},
		}
		drawHead := func() {
			r.fill(colHead)
			f.Rect(planMargin, y, planW, 6, "F")
			x := planMargin
			for _, c := range cols {
				r.textAt(x+0.8, y+1, c.width-1.6, c.head, "B", planSize, planLH, colText, "L", 1)
				x += c.width
			}
			y += 6.5
		}
		drawHead()
		shown := 0
	groups:
		for _, g := range survey.GroupActions(p.Questionnaire, p.Actions) {
			heading := w.noRoute
			if g.Route != "" {
				heading = targetName(p.Questionnaire, g.Route, lang)
			}
			if y+5+planLH > tableBottom {
				break
			}
			y += r.textAt(planMargin, y+0.5, planW, heading, "B", 9.5, 4.5, colNavy, "L", 1) + 1
			for _, a := range g.Actions {
				title := a.Title
				if t := targetName(p.Questionnaire, a.Target, lang); t != "" && a.Target != g.Route {
					title += " (" + t + ")"
				}
				cells := []string{title, a.Owner, dueText(a, n, w), ActionStatusWord(a.Status, lang), a.Goal}
				h := 0.0
				for i, c := range cols {
					h = max(h, float64(min(len(r.lines(cells[i], "", planSize, c.width-1.6)), 3))*planLH)
				}
				if y+h+1 > tableBottom {
					break groups
				}
				x := planMargin
				for i, c := range cols {
					style := ""
					if i == 0 {
						style = "B"
					}
					if i == 2 && a.Overdue(p.Today) {
						style = "B"
					}
					r.textAt(x+0.8, y, c.width-1.6, cells[i], style, planSize, planLH, colText, "L", 3)
					x += c.width
				}
				y += h + 0.6
				r.stroke(colRule)
				f.SetLineWidth(0.15)
				f.Line(planMargin, y, planMargin+planW, y)
				y += 0.8
				shown++
			}
		}
		if rest := len(p.Actions) - shown; rest > 0 {
			y += r.textAt(planMargin, y+0.5, planW, sprintf(w.more, rest), "", planSize, planLH, colMuted, "L", 1)
		}

		y = max(y+4, tableBottom)
		list := func(heading string, lines []string) {
			y += r.textAt(planMargin, y, planW, heading, "B", 10, 5, colNavy, "L", 1) + 1
			for i, l := range lines {
				if i == listMax {
					y += r.textAt(planMargin, y, planW, sprintf(w.more, len(lines)-listMax), "", planSize, planLH, colMuted, "L", 1)
					break
				}
				y += r.textAt(planMargin+2, y, planW-2, "• "+l, "", planSize, planLH, colText, "L", 1)
			}
		}
		if len(overdue) > 0 {
			lower = lower[:0]
			for _, a := range overdue {
				lower = append(lower, a.Title+" – "+a.Owner+" – "+dueText(a, n, w))
			}
			list(w.overdue, lower)
		}
		if len(changes) > 0 {
			lower = lower[:0]
			for _, c := range changes {
				lower = append(lower, n.date(c.At)+": "+ChangeText(c, lang))
			}
			y += 2
			list(w.changed, lower)
		}
		return r.printOutputLang(lang)
	})
}

// ChangeText describes one change of a plan in a few words: "Werkgroep:
// gepland → bezig – eerste overleg".
func ChangeText(c survey.PlanChange, lang string) string {
	if c.Note == nil {
		if lang == "en" {
			return c.Action.Title + ": added to the plan"
		}
		return c.Action.Title + ": toegevoegd aan het plan"
	}
	s := c.Action.Title + ":"
	if c.Note.To != "" {
		s += " " + ActionStatusWord(c.Note.From, lang) + " → " + ActionStatusWord(c.Note.To, lang)
	}
	if c.Note.Text != "" {
		if c.Note.To != "" {
			s += " –"
		}
		s += " " + c.Note.Text
	}
	return s
}

// dueText is the day an action should be done, with its sprint.
func dueText(a survey.Action, n numbers, w planWords) string {
	due := a.Due()
	if due == nil {
		return "–"
	}
	s := n.date(*due)
	if a.SprintWeeks > 0 {
		s += " (" + sprintf(w.sprint, a.SprintWeeks) + ")"
	}
	return s
}

// ActionPlanFileName is the name of the downloaded plan.
func ActionPlanFileName(lang string) string {
	if lang == "en" {
		return "action-plan.pdf"
	}
	return "actieplan.pdf"
}
