package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// numbers formats numbers and dates the way readers of one language expect:
// Dutch writes 62,4 and 10.000, English 62.4 and 10,000. Negative numbers
// get a true minus sign (U+2212), ranges an en dash.
type numbers struct {
	decimal, thousands string
	months             [12]string
	to                 string
}

func numbersFor(lang string) numbers {
	if lang == "en" {
		return numbers{
			decimal: ".", thousands: ",", to: "to",
			months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		}
	}
	return numbers{
		decimal: ",", thousands: ".", to: "tot",
		months: [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	}
}

// fixed formats v with the given number of decimals. Rounding is half away
// from zero on the decimal representation, as a reader rounding the JSON
// value by hand would do, and -0.0 prints as 0.
func (n numbers) fixed(v float64, decimals int) string {
	s := strconv.FormatFloat(roundHalfAway(v, decimals), 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.Trim(s, "0.") == "" {
		neg = false
	}
	intPart, frac, _ := strings.Cut(s, ".")
	out := n.group(intPart)
	if frac != "" {
		out += n.decimal + frac
	}
	if neg {
		out = "−" + out
	}
	return out
}

// roundHalfAway is scoring.Round: the report prints a value exactly as the
// engine classifies it.
func roundHalfAway(v float64, decimals int) float64 { return scoring.Round(v, decimals) }

// group inserts thousands separators into a string of digits.
func (n numbers) group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(n.thousands)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// score formats a 0-100 score with one decimal.
func (n numbers) score(v float64) string { return n.fixed(v, 1) }

// signed formats a difference with one decimal and an explicit sign.
func (n numbers) signed(v float64) string {
	s := n.fixed(v, 1)
	if !strings.HasPrefix(s, "−") && strings.Trim(s, "0,.") != "" {
		s = "+" + s
	}
	return s
}

// count formats a whole number with thousands separators.
func (n numbers) count(v int) string {
	if v < 0 {
		return "−" + n.group(strconv.Itoa(-v))
	}
	return n.group(strconv.Itoa(v))
}

// percent formats a 0-1 fraction as a whole percentage.
func (n numbers) percent(f float64) string { return n.fixed(100*f, 0) + "%" }

// interval formats a 95 % interval. Between two positive numbers an en
// dash reads well (58,1–66,7); next to a minus sign it does not, so a range
// that includes a negative bound is written out ("−3,1 tot 5,2").
func (n numbers) interval(iv survey.Interval) string {
	lo, hi := n.fixed(iv.Low, 1), n.fixed(iv.High, 1)
	if strings.HasPrefix(lo, "−") || strings.HasPrefix(hi, "−") {
		return lo + " " + n.to + " " + hi
	}
	return lo + "–" + hi
}

// date formats a calendar date: "2 april 2025", "2 April 2025".
func (n numbers) date(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + n.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
