// Package auth holds the security rules of consultant accounts: password
// hashing and policy, two-factor codes, recovery codes and the lifetimes of
// sessions, invitations and lock-outs. It stores nothing and serves nothing:
// internal/store keeps the records and internal/web runs the flows, both
// through the types and functions here, so that each rule lives in one place.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are the argon2id costs of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams returns the first argon2id configuration of the OWASP
// Password Storage Cheat Sheet (19 MiB, two passes, one lane): about 40 ms on
// one core, which bounds how many guesses a stolen database allows without
// making a login slow.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Hasher hashes and verifies passwords with one set of parameters.
type Hasher struct {
	params Params
	// dummy is a hash of a random password with the same parameters, so
	// that checking a password of an unknown account costs as much as
	// checking a real one. It is made on first use.
	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher that writes hashes with p.
func NewHasher(p Params) *Hasher {
	return &Hasher{params: p}
}

// Hash returns the PHC string of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, both in unpadded base64.
func (h *Hasher) Hash(password string) string {
	salt := make([]byte, h.params.SaltLen)
	// crypto/rand.Read never fails: on a broken system it crashes the program.
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(normalise(password)), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches the PHC string encoded, and
// whether the hash should be replaced because it was made with other
// parameters. A malformed hash never matches.
func (h *Hasher) Verify(password, encoded string) (ok, rehash bool) {
	p, version, salt, key, err := parsePHC(encoded)
	if err != nil {
		// Spend the time anyway: a broken record must not be told apart
		// from a wrong password by the response time.
		h.VerifyDummy(password)
		return false, false
	}
	got := argon2.IDKey([]byte(normalise(password)), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false
	}
	p.KeyLen, p.SaltLen = uint32(len(key)), uint32(len(salt))
	return true, p != h.params || version != argon2.Version
}

// VerifyDummy does the work of a verification whose answer is always "no",
// for a login with an unknown address: the response time must not tell
// which addresses have an account.
func (h *Hasher) VerifyDummy(password string) {
	h.dummyOnce.Do(func() { h.dummy = h.Hash(randomText(32)) })
	h.Verify(password, h.dummy)
}

// parsePHC splits an argon2id PHC string. The limits keep a tampered record
// from making a login allocate gigabytes.
func parsePHC(encoded string) (p Params, version int, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, 0, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return p, 0, nil, nil, fmt.Errorf("no version")
	}
	if version, err = strconv.Atoi(v); err != nil {
		return p, 0, nil, nil, fmt.Errorf("bad version")
	}
	var m, t, threads uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, val, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return p, 0, nil, nil, fmt.Errorf("bad parameter %q", k)
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			threads = n
		default:
			return p, 0, nil, nil, fmt.Errorf("unknown parameter %q", k)
		}
	}
	if m < 8 || m > 1<<21 || t < 1 || t > 16 || threads < 1 || threads > 16 {
		return p, 0, nil, nil, fmt.Errorf("parameters out of range")
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, 0, nil, nil, fmt.Errorf("bad salt")
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, 0, nil, nil, fmt.Errorf("bad key")
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads)}, version, salt, key, nil
}

// normalise applies NFKC, as NIST SP 800-63B asks, so that a password typed
// on another keyboard or system (composed or decomposed accents) still
// matches.
func normalise(password string) string { return norm.NFKC.String(password) }

// randomText returns n random bytes as URL-safe base64.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
