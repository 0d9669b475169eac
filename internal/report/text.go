package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Display limits for names typed by consultants. A name is shown in full up
// to the limit and cut at a word boundary with an ellipsis beyond it: a
// 10,000-character organisation name must not push the cover onto ten
// pages, and a unit name must fit its row of the heat map.
const (
	maxTitleRunes  = 160
	maxFooterRunes = 60
	maxUnitRunes   = 64
	maxAuthorRunes = 80
)

// clean makes text safe for both renderers. gofpdf draws runes one by one
// in logical order with a font that has no glyphs outside the Basic
// Multilingual Plane (it refuses to draw such a rune at all), so:
//   - control characters become spaces and runs of white space collapse;
//   - bidirectional controls (LRM, RLM, embeddings, overrides, isolates) are
//     dropped: without a bidi algorithm they only scramble the line, and an
//     override could make a unit name display as something else;
//   - runes beyond U+FFFF and invalid UTF-8 become U+FFFD;
//   - zero-width and other format characters are dropped.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			r = '\uFFFD'
		case r > 0xFFFF:
			r = '\uFFFD'
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case isBidiControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// truncate cuts s to at most max runes, at the last space in the final
// fifth when there is one, and marks the cut with an ellipsis.
func truncate(s string, max int) string {
	if max < 2 || utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)[:max-1]
	cut := len(rs)
	for i := len(rs) - 1; i >= len(rs)*4/5; i-- {
		if rs[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(rs[:cut]), " ,;:–-") + "…"
}

// name prepares a consultant-typed name for display.
func name(s string, max int) string { return truncate(clean(s), max) }

// typographic replaces typewriter apostrophes and single quotes by the
// typographic ones Dutch texts use ("risico’s", ‘ongelukvrij rijden’).
// Questionnaire texts are typed with the ASCII apostrophe; the report
// should not look typed.
func typographic(s string) string {
	if !strings.ContainsRune(s, '\'') {
		return s
	}
	rs := []rune(s)
	for i, r := range rs {
		if r != '\'' {
			continue
		}
		closing := i > 0 && (unicode.IsLetter(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
			(unicode.IsPunct(rs[i-1]) && !strings.ContainsRune("([{‘“", rs[i-1])))
		// ’s and ’t (des, het) are elisions, not opening quotes.
		elision := i+1 < len(rs) && (rs[i+1] == 's' || rs[i+1] == 't') &&
			(i+2 == len(rs) || !unicode.IsLetter(rs[i+2]))
		if closing || elision {
			rs[i] = '’'
		} else {
			rs[i] = '‘'
		}
	}
	return string(rs)
}
