package web

import "github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"

// Response rates follow docs/methodology.md §14.3.

// progressHeadcount is the headcount of the workspace's response rate (the
// progress page, the API and the overview): the units' headcounts that are
// known added up, else the organisation's.
func progressHeadcount(d *survey.Diagnostic) int {
	n := 0
	for _, u := range d.Units {
		n += u.Headcount
	}
	if n == 0 {
		n = d.Organisation.Headcount
	}
	return n
}

// reportHeadcount is the headcount of the report's response rate, which
// the directors' page repeats: the units' headcounts added up only when
// every unit has one (a partial sum would inflate the rate), else the
// organisation's; 0 when unknown.
func reportHeadcount(d *survey.Diagnostic) int {
	n := 0
	for _, u := range d.Units {
		if u.Headcount <= 0 {
			n = 0
			break
		}
		n += u.Headcount
	}
	if n == 0 {
		n = d.Organisation.Headcount
	}
	return max(n, 0)
}
