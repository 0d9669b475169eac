package web

import (
	"strings"
	"unicode/utf8"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// accessCodeLookalikes are left out of access codes because they are read
// as one another; someone who types one misread the code.
const accessCodeLookalikes = "0O1IL"

// accessCodeProblem says what is wrong with a typed code that cannot be a
// code, most specific first: characters codes never contain (naming them),
// then the length. "abcd-1234" has eight letters and digits, but a 1 is
// never part of a code; saying "eight letters and digits" would not help.
func accessCodeProblem(typed string, t Translator) string {
	var lookalikes, others []string
	n := 0
	for _, r := range strings.ToUpper(strings.TrimSpace(typed)) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case strings.ContainsRune(survey.AccessCodeAlphabet, r):
		case strings.ContainsRune(accessCodeLookalikes, r):
			lookalikes = appendOnce(lookalikes, string(r))
		default:
			others = appendOnce(others, string(r))
		}
		n++
	}
	switch {
	case len(others) > 0:
		return t.Get("code.error.characters", quoteList(others, t))
	case len(lookalikes) > 0:
		return t.Get("code.error.lookalike", quoteList(lookalikes, t))
	case n != survey.AccessCodeLength:
		return t.Get("code.error.length", n, survey.AccessCodeLength)
	}
	return t.Get("code.error.format")
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// quoteList writes ‘a’, ‘b’ en ‘c’ (or "and" in English).
func quoteList(items []string, t Translator) string {
	q := make([]string, len(items))
	for i, it := range items {
		if !utf8.ValidString(it) {
			it = "?"
		}
		q[i] = "‘" + it + "’"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + t.Get("list.and") + " " + q[len(q)-1]
}
