package main

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// planFile is the action plan's file next to the report: rapport.pdf gives
// rapport-actieplan.pdf.
func planFile(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + "-actieplan.pdf"
}

// demoPlan stores a plausible action plan for the diagnostic: the first
// step the advice gives for each priority and for the weakest route, with
// the advice's owner, a due date from its horizon's order of magnitude and
// a lead indicator. started is the day the plan began; statuses, in order,
// are given to the actions (the rest stay planned) and each status change
// gets a dated note.
func demoPlan(ctx context.Context, st *store.Store, firmID string, d *survey.Diagnostic, res *survey.Result, lib *report.Library,
	lang string, started time.Time, statuses []survey.ActionStatus) ([]survey.Action, error) {
	sel := report.SelectAdvice(res, &d.Questionnaire, lib, lang)
	type pick struct {
		target string
		step   report.Step
	}
	var picks []pick
	for _, fa := range sel.Factors {
		if len(fa.Steps) > 0 {
			picks = append(picks, pick{fa.Factor, fa.Steps[0]})
		}
	}
	if len(sel.Routes) > 0 {
		weakest := sel.Routes[0]
		for _, ra := range sel.Routes[1:] {
			if ra.Score < weakest.Score {
				weakest = ra
			}
		}
		if len(weakest.Steps) > 0 {
			picks = append(picks, pick{weakest.Route, weakest.Steps[0]})
		}
	}
	goals := map[string][]string{
		"nl": {"Elk besluit over de opgave heeft binnen twee weken één eigenaar", "Medewerkers noemen in het teamoverleg concrete voorbeelden",
			"De maandrapportage toont de voortgang per afdeling", "Partners weten bij wie ze terechtkunnen"},
		"en": {"Every decision on the task has one owner within two weeks", "Staff give concrete examples in the team meeting",
			"The monthly report shows progress per department", "Partners know whom to turn to"},
	}
	g := goals["nl"]
	if lang == "en" {
		g = goals["en"]
	}
	var out []survey.Action
	for i, p := range picks {
		start := started
		a := &survey.Action{
			DiagnosticID: d.ID, Title: p.step.Text, Target: p.target, Owner: p.step.Owner, Goal: g[i%len(g)],
			StartDate: &start, Source: "demo", CreatedAt: started.Add(9 * time.Hour),
		}
		if i%2 == 0 {
			a.SprintWeeks = 8
		} else {
			due := started.AddDate(0, 3, 0)
			a.DueDate = &due
		}
		if err := st.CreateAction(ctx, firmID, a); err != nil {
			return nil, err
		}
		if i < len(statuses) && statuses[i] != survey.ActionPlanned {
			note := "Gestart met een eerste bijeenkomst."
			if statuses[i] == survey.ActionDone {
				note = "Afgerond; besproken in het wekelijkse overleg."
			}
			if lang == "en" {
				note = "Progress discussed in the weekly meeting."
			}
			status := statuses[i]
			changed, err := st.ChangeAction(ctx, firmID, d.ID, a.ID, survey.ActionChange{
				Status: &status, Note: note, Author: "Directie", At: started.AddDate(0, 0, 14+7*i).Add(10 * time.Hour),
			})
			if err != nil {
				return nil, err
			}
			a = changed
		}
		out = append(out, *a)
	}
	return out, nil
}
