package web

import (
	"strconv"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Dates are written with the month as a word ("5 dec", "5 december 2026";
// "5 Dec" in English): "12-05" reads as 12 May to a Dutch reader.

// formatDayMonth writes a day without its year: "5 dec" or "5 Dec".
func formatDayMonth(tm time.Time, t Translator) string {
	return strconv.Itoa(tm.Day()) + " " + t.Get("month_short."+strconv.Itoa(int(tm.Month())))
}

// formatMoment writes a moment on one line: "5 dec 2026 14:03".
func formatMoment(tm time.Time, loc *time.Location, t Translator) string {
	tm = tm.In(loc)
	return formatDayMonth(tm, t) + " " + strconv.Itoa(tm.Year()) + " " + tm.Format("15:04")
}

// dayLabel writes a stored calendar date (YYYY-MM-DD) as "5 dec"; a date it
// cannot read is shown as stored rather than hidden.
func dayLabel(date string, t Translator) string {
	day, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	return formatDayMonth(day, t)
}

// dayFull writes a stored calendar date (YYYY-MM-DD) as "5 december 2026".
func dayFull(date string, t Translator) string {
	day, err := time.ParseInLocation("2006-01-02", date, time.Local)
	if err != nil {
		return date
	}
	return formatDate(day, t)
}

// fieldwork returns the first and last day of the period a diagnostic
// really ran or is planned to run, either nil when unknown. The start is
// the opening date or the first opening by hand, whichever came first; the
// end is the closing by hand when it was closed by hand, else the last day
// before the closing date.
func fieldwork(d *survey.Diagnostic) (start, end *time.Time) {
	start = d.OpensAt
	if d.OpenedAt != nil && (start == nil || d.OpenedAt.Before(*start)) {
		start = d.OpenedAt
	}
	switch {
	case d.State == survey.StateClosed && d.ClosedAt != nil:
		end = d.ClosedAt
	case d.ClosesAt != nil:
		last := d.ClosesAt.AddDate(0, 0, -1)
		end = &last
	}
	return start, end
}
