package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Sizes of the random values, in bytes. Identifiers only need to be unique
// and unordered; secrets (the respondent link token) also must not be
// guessable, so they get more than the 128-bit minimum.
const (
	idBytes     = 16
	secretBytes = 32
)

// randomString returns n random bytes as URL-safe base64 without padding.
// Random, never sequential or time-ordered: the order of ids must not tell
// in which order respondents answered.
func randomString(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails: on a broken system it crashes the program.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newID() string     { return randomString(idBytes) }
func newSecret() string { return randomString(secretBytes) }

// hash returns the SHA-256 of s in hex. It stores submission nonces and
// access codes so that reading the database does not give anyone the nonce
// of a submission or an unused code; nonces are random, so no salt is
// needed (codes get the diagnostic id as one, see codeHash).
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
