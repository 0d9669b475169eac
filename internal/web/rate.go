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
// the directors' page, the mails and the employee summary repeat.
func reportHeadcount(d *survey.Diagnostic) int {
	return survey.InvitedHeadcount(d.Units, d.Organisation.Headcount)
}
