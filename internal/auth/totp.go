package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP as every authenticator app does it (RFC 6238): SHA-1, six digits,
// 30-second steps. One step either way is accepted, for clocks that drift
// and people who type slowly.
const (
	TOTPIssuer = "Uitvoeringskracht"
	totpPeriod = 30
	totpSkew   = 1
	// totpSecretBytes is the 160 bits RFC 4226 recommends.
	totpSecretBytes = 20
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random secret in base32, as apps expect it.
func NewTOTPSecret() string {
	b := make([]byte, totpSecretBytes)
	_, _ = rand.Read(b)
	return totpEncoding.EncodeToString(b)
}

// TOTPKey returns the key an app scans: the secret with the issuer and the
// account's e-mail address as its label.
func TOTPKey(account, secret string) (*otp.Key, error) {
	raw, err := totpEncoding.DecodeString(secret)
	if err != nil {
		return nil, err
	}
	return totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: account, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
}

// TOTPQRCode returns the key as a QR code in a PNG data: URL, for an <img>
// that needs no request of its own and no script.
func TOTPQRCode(key *otp.Key, size int) (string, error) {
	img, err := key.Image(size, size)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// FormatSecret groups a secret in fours, for typing it over.
func FormatSecret(secret string) string {
	var groups []string
	for len(secret) > 4 {
		groups = append(groups, secret[:4])
		secret = secret[4:]
	}
	return strings.Join(append(groups, secret), " ")
}

// TOTPStep returns the number of the 30-second step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// TOTPCode returns the code of secret at t, as an app would show it.
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(TOTPStep(t)), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// VerifyTOTP checks code against secret at now and returns the step it
// belongs to. A code of a step not after lastStep is refused: a code seen
// once (by a shoulder-surfer or a phishing proxy) cannot be used again,
// even within its window. The caller records the step, atomically refusing
// it when another request recorded it first.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != otp.DigitsSix.Length() {
		return 0, false
	}
	current := TOTPStep(now)
	var matched int64
	found := 0
	// Every step is computed and compared, so the time taken does not tell
	// which step (or whether any) matched.
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep {
			matched = step
			found = 1
		}
	}
	return matched, found == 1
}
