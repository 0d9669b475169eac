package secret

import (
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T) *Key {
	t.Helper()
	k, err := Parse(Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustKey(t)
	const plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	sealed := k.Seal(plain, "consultants/a/totp_secret")
	if strings.Contains(sealed, plain) || !IsSealed(sealed) {
		t.Fatalf("sealed value %q shows the plain text or lacks the prefix", sealed)
	}
	if again := k.Seal(plain, "consultants/a/totp_secret"); again == sealed {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	got, err := k.Open(sealed, "consultants/a/totp_secret")
	if err != nil || got != plain {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	sealed := k.Seal("SECRET", "consultants/a/totp_secret")
	cases := map[string]func() (string, error){
		"other key":    func() (string, error) { return other.Open(sealed, "consultants/a/totp_secret") },
		"other row":    func() (string, error) { return k.Open(sealed, "consultants/b/totp_secret") },
		"other column": func() (string, error) { return k.Open(sealed, "consultants/a/totp_pending_secret") },
		"plain text":   func() (string, error) { return k.Open("SECRET", "consultants/a/totp_secret") },
		"truncated":    func() (string, error) { return k.Open(sealed[:10], "consultants/a/totp_secret") },
		"flipped bit": func() (string, error) {
			b := []byte(sealed)
			b[len(b)-3] ^= 1
			return k.Open(string(b), "consultants/a/totp_secret")
		},
	}
	for name, open := range cases {
		if got, err := open(); !errors.Is(err, ErrOpen) || got != "" {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, got, err)
		}
	}
}

func TestEmptyStaysEmpty(t *testing.T) {
	k := mustKey(t)
	if got := k.Seal("", "x"); got != "" {
		t.Errorf("Seal(\"\") = %q", got)
	}
	if got, err := k.Open("", "x"); got != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", got, err)
	}
}

func TestParse(t *testing.T) {
	k := mustKey(t)
	again, err := Parse(" " + k.String() + "\n")
	if err != nil || again.raw != k.raw {
		t.Fatalf("Parse(String()) = %v, %v", again, err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 42), "!" + Generate()[1:], Generate()[:40]} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
			t.Errorf("Parse(%q) = %v; want an error naming UK_SECRET_KEY", bad, err)
		}
	}
}

func TestCheckValue(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	if !k.Matches(k.CheckValue()) {
		t.Error("a key does not match its own check value")
	}
	if k.Matches(other.CheckValue()) || k.Matches("") {
		t.Error("a key matches another key's check value")
	}
	if strings.Contains(k.CheckValue(), k.String()) {
		t.Error("the check value shows the key")
	}
}
