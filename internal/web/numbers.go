package web

import (
	"errors"
	"strconv"
	"strings"
)

// Counts typed by consultants: headcounts and numbers of codes. Dutch
// writes thousands with a point ("1.200"), so that is read as twelve
// hundred, never as a decimal; a comma or a point not followed by groups
// of three digits is refused with a message that says so.

var (
	errCountEmpty    = errors.New("empty")
	errCountDecimal  = errors.New("not a whole number")
	errCountNegative = errors.New("negative")
	errCountNotDigit = errors.New("not a number")
	errCountTooLarge = errors.New("too large")
)

// parseDutchCount reads a whole number written with or without thousands
// points or spaces: "1200", "1.200", "1 200", "12.000.000".
func parseDutchCount(text string) (int, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, errCountEmpty
	}
	if strings.HasPrefix(text, "-") {
		return 0, errCountNegative
	}
	if strings.Contains(text, ",") {
		return 0, errCountDecimal
	}
	sep := ""
	switch {
	case strings.Contains(text, "."):
		sep = "."
	case strings.ContainsAny(text, " \u00a0\u202f"):
		sep = " "
		text = strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(text)
	}
	digits := text
	if sep != "" {
		groups := strings.Split(text, sep)
		for i, g := range groups {
			if !allDigits(g) {
				return 0, errCountNotDigit
			}
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				if sep == "." && i == len(groups)-1 && len(groups) == 2 {
					// "1.5" or "12.50": a decimal point, not thousands.
					return 0, errCountDecimal
				}
				return 0, errCountNotDigit
			}
		}
		digits = strings.Join(groups, "")
	}
	if !allDigits(digits) {
		return 0, errCountNotDigit
	}
	if len(digits) > 9 {
		return 0, errCountTooLarge
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, errCountNotDigit
	}
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// formatCount writes n with thousands separators: "1.200" in Dutch,
// "1,200" in English.
func formatCount(n int, lang string) string {
	sep := "."
	if lang == "en" {
		sep = ","
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Number writes n for this translator's language; templates call it.
func (t Translator) Number(n int) string { return formatCount(n, t.lang) }
