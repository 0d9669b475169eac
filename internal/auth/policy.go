package auth

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Password rules after NIST SP 800-63B: a minimum length, a generous maximum
// (so passphrases fit, but hashing stays cheap) and a check against common
// and guessable passwords; no composition rules, no forced changes.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
	// MinPasswordScore is zxcvbn's "safely unguessable" level: about 10^8
	// guesses or more.
	MinPasswordScore = 3
)

// Lifetimes and limits of the sign-in.
const (
	// SessionIdle ends a session that saw no request for this long.
	SessionIdle = 2 * time.Hour
	// SessionLifetime ends every session this long after sign-in.
	SessionLifetime = 12 * time.Hour
	// SecondFactorTimeout is how long a session waits for the code after the
	// password.
	SecondFactorTimeout = 10 * time.Minute
	// TouchInterval is how stale last-seen and last-used times may be: one
	// write a minute per session instead of one per request.
	TouchInterval = time.Minute
	// MaxFailedLogins wrong passwords or codes in a row lock an account for
	// Lockout.
	MaxFailedLogins = 5
	Lockout         = 15 * time.Minute
	// InvitationLifetime is how long an invitation link works.
	InvitationLifetime = 7 * 24 * time.Hour
)

// PasswordProblem says why a new password is refused; "" means it is fine.
// The web layer translates it, the command line prints it.
type PasswordProblem string

// The password problems.
const (
	PasswordTooShort  PasswordProblem = "too_short"
	PasswordTooLong   PasswordProblem = "too_long"
	PasswordTooCommon PasswordProblem = "too_common"
)

// Message returns an English description, for the command line.
func (p PasswordProblem) Message() string {
	switch p {
	case PasswordTooShort:
		return "the password must have at least 12 characters"
	case PasswordTooLong:
		return "the password must have at most 256 characters"
	case PasswordTooCommon:
		return "the password is too common or too easy to guess; a sentence of a few unusual words works well"
	}
	return ""
}

// CheckPassword returns the problem with password as a new password, or "".
// userInputs are words an attacker would try first for this account: the
// e-mail address and the firm's name; the service's name is always added.
func CheckPassword(password string, userInputs ...string) PasswordProblem {
	n := utf8.RuneCountInString(normalise(password))
	switch {
	case n < MinPasswordLength:
		return PasswordTooShort
	case n > MaxPasswordLength:
		return PasswordTooLong
	}
	if zxcvbn.PasswordStrength(password, guessWords(userInputs)).Score < MinPasswordScore {
		return PasswordTooCommon
	}
	return ""
}

// guessWords returns the inputs with their parts (jan.jansen@firma.nl also
// gives jan, jansen and firma), since zxcvbn matches whole words only.
func guessWords(inputs []string) []string {
	words := []string{"uitvoeringskracht"}
	for _, in := range inputs {
		in = strings.ToLower(strings.TrimSpace(in))
		if in == "" {
			continue
		}
		words = append(words, in)
		for _, part := range strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(part) >= 3 && part != in {
				words = append(words, part)
			}
		}
	}
	return words
}

// NormaliseEmail returns the form in which an address is stored and
// looked up: trimmed and in lower case.
func NormaliseEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
