package report

import (
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// A diagnostic opened and closed by hand has no dates set; the report
// prints the days it really ran (methodology §14.3).
func TestReportPeriodOfFieldworkByHand(t *testing.T) {
	opened := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	closed := time.Date(2026, 12, 5, 16, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		state survey.State
		want  string
		not   string
	}{
		{"closed by hand", survey.StateClosed, "1 december 2026 – 5 december 2026", ""},
		{"reopened", survey.StateOpen, "vanaf 1 december 2026", "5 december 2026"},
	} {
		in := demoInput(t)
		in.Location = time.UTC
		in.Diagnostic.OpensAt, in.Diagnostic.ClosesAt = nil, nil
		in.Diagnostic.OpenedAt, in.Diagnostic.ClosedAt, in.Diagnostic.State = &opened, &closed, c.state
		page, err := HTML(in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page), c.want) || c.not != "" && strings.Contains(string(page), c.not) {
			t.Errorf("%s: the report's period is not %q", c.name, c.want)
		}
	}
}
