package survey

import "strings"

// Access codes are eight characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), about 40 bits each: far more than the number of codes a
// diagnostic issues, and entering them is rate limited.
const (
	AccessCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	AccessCodeLength   = 8
)

// NormalizeAccessCode turns what a respondent typed ("abcd efgh",
// "ABCD-EFGH") into the code's canonical form; the second result is false
// when it cannot be a code.
func NormalizeAccessCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case strings.ContainsRune(AccessCodeAlphabet, r):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	code := b.String()
	return code, len(code) == AccessCodeLength
}

// FormatAccessCode writes a code in two groups of four for printing.
func FormatAccessCode(code string) string {
	if len(code) != AccessCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}
