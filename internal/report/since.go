package report

import (
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The section "What has been done since the previous measurement" of a
// wave whose previous wave had an action plan (docs/methodology.md, section
// "Acties sinds de vorige meting"). It lists the previous wave's actions
// with their status and, next to each, the change since then of the factor
// it served; for an action for a route or the plan as a whole, the change of
// the index (routes have no change of their own). Then one sentence per
// factor that actions served, and always the caveat that a change is no
// proof of an action's effect.

type sinceView struct {
	Title   string
	Intro   string
	Rows    []sinceRow
	Factors []string
	Caveat  string
}

type sinceRow struct {
	Title, Target, Owner, Status, Change string
}

type sinceWords struct {
	title, intro, change, changeNotShown, factor, factorHidden, noneDone, caveat, indexWord, wholePlan string
	colAction, colTarget, colOwner, colStatus, colChange                                               string
}

func sinceWordsFor(lang string) sinceWords {
	if lang == "en" {
		return sinceWords{
			title:          "What has been done since the previous measurement",
			intro:          "The action plan of the previous measurement had %s actions: %s done, %s in progress, %s planned and %s stopped.",
			change:         "%s (%s)",
			changeNotShown: "not shown",
			factor:         "%s: %s points since the previous measurement (%s). Actions for it: %s, of which done: %s.",
			factorHidden:   "%s: the change since the previous measurement cannot be shown. Actions for it: %s, of which done: %s.",
			noneDone:       " None of these actions is done yet.",
			caveat: "A change after an action does not prove that the action caused it: other events, a different group of " +
				"respondents and chance play a part too. And an action can work before it shows in the scores.",
			indexWord: "index", wholePlan: "plan as a whole",
			colAction: "Action", colTarget: "For", colOwner: "Owner", colStatus: "Status", colChange: "Change since then",
		}
	}
	return sinceWords{
		title:          "Wat er sinds de vorige meting is gedaan",
		intro:          "In het actieplan van de vorige meting stonden %s acties: %s klaar, %s bezig, %s gepland en %s gestopt.",
		change:         "%s (%s)",
		changeNotShown: "niet te tonen",
		factor:         "%s: %s punten sinds de vorige meting (%s). Acties hiervoor: %s, waarvan klaar: %s.",
		factorHidden:   "%s: de verandering sinds de vorige meting is niet te tonen. Acties hiervoor: %s, waarvan klaar: %s.",
		noneDone:       " Geen van deze acties is al klaar.",
		caveat: "Een verandering na een actie bewijst niet dat de actie die verandering veroorzaakte: ook andere gebeurtenissen, " +
			"een andere groep respondenten en toeval spelen mee. En een actie kan werken voordat dat in de scores te zien is.",
		indexWord: "index", wholePlan: "plan als geheel",
		colAction: "Actie", colTarget: "Voor", colOwner: "Eigenaar", colStatus: "Status", colChange: "Verandering sindsdien",
	}
}

// sinceFactorText is the sentence on one factor that actions of the
// previous plan served. shown says whether the factor's change may be
// shown; diff and verdict are then the change and its verdict in words.
func sinceFactorText(w sinceWords, n numbers, factor string, shown bool, diff float64, verdict string, actions, done int) string {
	var s string
	if shown {
		s = sprintf(w.factor, factor, n.signed(diff), verdict, n.count(actions), n.count(done))
	} else {
		s = sprintf(w.factorHidden, factor, n.count(actions), n.count(done))
	}
	if done == 0 {
		s += w.noneDone
	}
	return s
}

// since builds the section; nil when the previous wave had no actions.
func (b *builder) since() {
	prev := b.in.PreviousActions
	if len(prev) == 0 {
		return
	}
	w, n := sinceWordsFor(b.lang), b.d.num
	changes := map[string]survey.Difference{}
	if b.res.Trend != nil {
		for _, df := range b.res.Trend.Changes {
			changes[df.Measure] = df
		}
	}
	changeText := func(measure string) (string, bool, float64, string) {
		df, ok := changes[measure]
		if !ok || !df.Shown || df.Diff == nil {
			return w.changeNotShown, false, 0, ""
		}
		verdict := df.Verdict.Label().In(b.lang)
		return sprintf(w.change, n.signed(*df.Diff), verdict), true, *df.Diff, verdict
	}
	counts := map[survey.ActionStatus]int{}
	type tally struct{ actions, done int }
	perFactor := map[string]*tally{}
	v := &sinceView{Title: w.title, Caveat: w.caveat}
	for _, a := range prev {
		counts[a.Status]++
		row := sinceRow{Title: typographic(clean(a.Title)), Owner: clean(a.Owner), Status: ActionStatusWord(a.Status, b.lang)}
		measure := survey.MeasureIndex
		switch _, isFactor := b.q.Factor(a.Target); {
		case isFactor:
			measure = a.Target
			row.Target = b.factorName(a.Target)
			t := perFactor[a.Target]
			if t == nil {
				t = &tally{}
				perFactor[a.Target] = t
			}
			t.actions++
			if a.Status == survey.ActionDone {
				t.done++
			}
		case a.Target != "":
			row.Target = targetName(b.q, a.Target, b.lang)
		default:
			row.Target = w.wholePlan
		}
		row.Change, _, _, _ = changeText(measure)
		if measure == survey.MeasureIndex {
			row.Change = w.indexWord + " " + row.Change
		}
		v.Rows = append(v.Rows, row)
	}
	v.Intro = sprintf(w.intro, n.count(len(prev)), n.count(counts[survey.ActionDone]), n.count(counts[survey.ActionDoing]),
		n.count(counts[survey.ActionPlanned]), n.count(counts[survey.ActionStopped]))
	// Factors in the questionnaire's order, so that the text follows the
	// report's.
	for _, f := range b.q.Factors {
		t := perFactor[f.ID]
		if t == nil {
			continue
		}
		_, shown, diff, verdict := changeText(f.ID)
		v.Factors = append(v.Factors, sinceFactorText(w, n, b.factorName(f.ID), shown, diff, verdict, t.actions, t.done))
	}
	b.d.Since = v
}

// sinceColumns are the PDF table's columns.
func (r *pdfRenderer) sinceColumns(w sinceWords) []column {
	return []column{
		{head: w.colAction, width: contentW * 0.34}, {head: w.colTarget, width: contentW * 0.17},
		{head: w.colOwner, width: contentW * 0.15}, {head: w.colStatus, width: contentW * 0.10},
		{head: w.colChange, width: contentW * 0.24},
	}
}

// since draws the chapter in the PDF.
func (r *pdfRenderer) since() {
	v := r.d.Since
	if v == nil {
		return
	}
	w := sinceWordsFor(r.d.Lang)
	r.chapterStart(v.Title)
	r.para(v.Intro, "", bodySize, lineH, colText)
	r.f.Ln(2)
	rows := make([][]string, len(v.Rows))
	for i, row := range v.Rows {
		rows[i] = []string{row.Title, row.Target, row.Owner, row.Status, row.Change}
	}
	r.table(r.sinceColumns(w), rows, 8.5, false)
	for _, s := range v.Factors {
		r.para(s, "", bodySize, lineH, colText)
		r.f.Ln(1)
	}
	r.para(v.Caveat, "B", bodySize, lineH, colText)
	r.f.Ln(2)
}

// SinceHeadings are the table heads of the section in the HTML twin.
func (d *doc) SinceHeads() sinceWords { return sinceWordsFor(d.Lang) }

// Exported accessors for the HTML template, which cannot read unexported
// fields.
func (w sinceWords) Action() string { return w.colAction }
func (w sinceWords) Target() string { return w.colTarget }
func (w sinceWords) Owner() string  { return w.colOwner }
func (w sinceWords) Status() string { return w.colStatus }
func (w sinceWords) Change() string { return w.colChange }
