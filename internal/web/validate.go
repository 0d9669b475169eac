package web

import (
	"strings"

	"github.com/go-playground/validator/v10"
)

// newValidator returns the validator for every form. Field names in
// messages come from the form tags, never from Go field names.
func newValidator() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
}

// cleanText trims s and removes the Unicode controls that embed, override
// or isolate a run of text in another writing direction (U+202A–U+202E,
// U+2066–U+2069). A name or answer holding one could visually reverse the
// rest of a line on every page that quotes it ("Trojan Source"). The
// plain direction marks U+200E and U+200F stay: Hebrew and Arabic names
// need them and they reorder nothing beyond their neighbours.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
