package auth

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// RecoveryCodeCount is how many recovery codes a consultant gets.
const RecoveryCodeCount = 10

// recoveryEncoding avoids padding; lower case reads and types more easily.
var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodeCount codes of 80 random bits each,
// as xxxx-xxxx-xxxx-xxxx. They are stored as plain SHA-256, so they need
// enough bits that a stolen database does not give them away.
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		s := recoveryEncoding.EncodeToString(b)
		codes[i] = s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	}
	return codes
}

// NormaliseRecoveryCode returns the form in which a code is stored and
// compared: lower case, without dashes or spaces, so that however it is
// typed it matches.
func NormaliseRecoveryCode(code string) string {
	code = strings.ToLower(code)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, code)
}
