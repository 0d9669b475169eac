// Package secret encrypts the few secrets the service keeps at rest (the
// consultants' TOTP secrets) under one key, UK_SECRET_KEY, so that a copy of
// the database alone does not let anyone compute sign-in codes.
//
// A sealed value is "v1:" followed by base64 of nonce and ciphertext
// (XChaCha20-Poly1305: its 192-bit random nonce makes collisions negligible
// without a counter shared between instances). The associated data binds a
// ciphertext to the row and column it was written for, so a value copied to
// another account's row does not open.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a key in bytes.
const KeySize = chacha20poly1305.KeySize

// prefix marks a sealed value. TOTP secrets are base32 (A-Z, 2-7), so a
// value with this prefix can never be a plain secret, which is what lets
// start-up find the secrets still stored in plain text.
const prefix = "v1:"

// ErrOpen is returned when a value does not open with the key: the wrong
// key, a value moved to another row, or a damaged value.
var ErrOpen = errors.New("secret: value does not open with this key")

// Key is a parsed UK_SECRET_KEY.
type Key struct {
	raw [KeySize]byte
}

// Generate returns a new random key in its text form.
func Generate() string {
	b := make([]byte, KeySize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return base64.StdEncoding.EncodeToString(b)
}

// Parse reads a key in its text form (standard base64, URL-safe base64 is
// accepted too; surrounding white space is ignored). The message names
// UK_SECRET_KEY because that is where an operator will look.
func Parse(text string) (*Key, error) {
	text = strings.TrimSpace(text)
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(text); err == nil {
			break
		}
	}
	if err != nil || len(b) != KeySize {
		return nil, fmt.Errorf("UK_SECRET_KEY must be %d random bytes in base64 (44 characters); `uitvoeringskracht key generate` prints one", KeySize)
	}
	k := &Key{}
	copy(k.raw[:], b)
	return k, nil
}

// String returns the key in its text form, as Generate writes it.
func (k *Key) String() string { return base64.StdEncoding.EncodeToString(k.raw[:]) }

// CheckValue returns a value derived from the key that the database keeps,
// so that a wrong key is found at start-up rather than at a sign-in. It is
// an HMAC, which reveals nothing about the key.
func (k *Key) CheckValue() string {
	m := hmac.New(sha256.New, k.raw[:])
	m.Write([]byte("uitvoeringskracht secret key check v1"))
	return "v1:" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Matches reports whether check is this key's check value.
func (k *Key) Matches(check string) bool {
	return hmac.Equal([]byte(k.CheckValue()), []byte(check))
}

// IsSealed reports whether v is a sealed value (rather than plain text).
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// Seal encrypts plain for the place named by ad (for example
// "consultants/<id>/totp_secret"). The empty string stays empty: it means
// "no secret" in the tables and holds nothing to hide.
func (k *Key) Seal(plain, ad string) string {
	if plain == "" {
		return ""
	}
	aead, _ := chacha20poly1305.NewX(k.raw[:]) // fails only on a wrong key size
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plain)+aead.Overhead())
	_, _ = rand.Read(out)
	out = aead.Seal(out, out, []byte(plain), []byte(ad))
	return prefix + base64.StdEncoding.EncodeToString(out)
}

// Open decrypts a value Seal made for the same ad. The empty string opens
// to itself.
func (k *Key) Open(sealed, ad string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !IsSealed(sealed) {
		return "", ErrOpen
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, prefix))
	if err != nil || len(b) < chacha20poly1305.NonceSizeX {
		return "", ErrOpen
	}
	aead, _ := chacha20poly1305.NewX(k.raw[:])
	plain, err := aead.Open(nil, b[:chacha20poly1305.NonceSizeX], b[chacha20poly1305.NonceSizeX:], []byte(ad))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
