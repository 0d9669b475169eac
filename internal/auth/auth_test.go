package auth

import (
	"strings"
	"testing"
	"time"
)

// fastParams keeps the tests quick; the format and logic are the same.
func fastParams() Params { return Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} }

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(fastParams())
	encoded := h.Hash("paard batterij nietje correct")
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", encoded)
	}
	if strings.Contains(encoded, "paard") {
		t.Fatal("the hash contains the password")
	}
	if h.Hash("paard batterij nietje correct") == encoded {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if ok, rehash := h.Verify("paard batterij nietje correct", encoded); !ok || rehash {
		t.Errorf("right password: ok=%v rehash=%v", ok, rehash)
	}
	if ok, _ := h.Verify("paard batterij nietje correcT", encoded); ok {
		t.Error("wrong password accepted")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$!!"} {
		if ok, _ := h.Verify("x", bad); ok {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestVerifyAsksForRehashWhenParametersChange(t *testing.T) {
	old := NewHasher(fastParams())
	encoded := old.Hash("een lange zin als wachtwoord")
	stronger := fastParams()
	stronger.Time = 2
	if ok, rehash := NewHasher(stronger).Verify("een lange zin als wachtwoord", encoded); !ok || !rehash {
		t.Errorf("ok=%v rehash=%v, want a match that needs a rehash", ok, rehash)
	}
}

func TestDefaultParamsFollowOWASP(t *testing.T) {
	p := DefaultParams()
	if p.Memory != 19456 || p.Time != 2 || p.Threads != 1 {
		t.Errorf("params %+v", p)
	}
	h := NewHasher(p)
	if !strings.HasPrefix(h.Hash("x"), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Error("default hash does not carry the parameters")
	}
}

func TestNormalisedPasswordsMatch(t *testing.T) {
	h := NewHasher(fastParams())
	composed := "caf\u00e9 op de hoek van de straat"
	decomposed := "cafe\u0301 op de hoek van de straat"
	if ok, _ := h.Verify(decomposed, h.Hash(composed)); !ok {
		t.Error("a decomposed accent does not match the composed one")
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, want := range map[string]PasswordProblem{
		"kort":                         PasswordTooShort,
		"elf tekens!":                  PasswordTooShort,
		strings.Repeat("x", 257):       PasswordTooLong,
		"password1234":                 PasswordTooCommon,
		"uitvoeringskracht1":           PasswordTooCommon,
		"adviesbureaujansen":           PasswordTooCommon,
		"111111111111":                 PasswordTooCommon,
		"qwertyuiop123":                PasswordTooCommon,
		"blauwe olifant eet spruitjes": "",
		"Tr0mbone-Kastanje-Vliegtuig":  "",
	} {
		if got := CheckPassword(pw, "jan.jansen@adviesbureau.nl", "Adviesbureau Jansen"); got != want {
			t.Errorf("%q: got %q, want %q", pw, got, want)
		}
	}
	// Twelve characters are enough, however composed: no composition rules.
	if got := CheckPassword("zeemeeuwvlot"); got != "" {
		t.Errorf("twelve lower-case letters: %q", got)
	}
	for _, p := range []PasswordProblem{PasswordTooShort, PasswordTooLong, PasswordTooCommon} {
		if p.Message() == "" {
			t.Errorf("%s has no message", p)
		}
	}
}

func TestTOTP(t *testing.T) {
	secret := NewTOTPSecret()
	if len(secret) != 32 {
		t.Fatalf("secret %q: want 32 base32 characters (160 bits)", secret)
	}
	now := time.Date(2026, 3, 2, 10, 0, 15, 0, time.UTC)
	code, err := TOTPCode(secret, now)
	if err != nil || len(code) != 6 {
		t.Fatalf("code %q: %v", code, err)
	}
	step, ok := VerifyTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("current code refused: %v %d", ok, step)
	}
	// One step of drift either way is accepted, two are not.
	if _, ok := VerifyTOTP(secret, code, now.Add(30*time.Second), 0); !ok {
		t.Error("code of the previous step refused")
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(-30*time.Second), 0); !ok {
		t.Error("code of the next step refused")
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(61*time.Second), 0); ok {
		t.Error("code two steps old accepted")
	}
	// A used step is never accepted again.
	if _, ok := VerifyTOTP(secret, code, now, step); ok {
		t.Error("replayed code accepted")
	}
	if _, ok := VerifyTOTP(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Error("code with a space refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := VerifyTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, ok := VerifyTOTP("not base32!", "123456", now, 0); ok {
		t.Error("broken secret accepted a code")
	}
}

func TestTOTPKeyAndQRCode(t *testing.T) {
	secret := NewTOTPSecret()
	key, err := TOTPKey("jan@adviesbureau.nl", secret)
	if err != nil {
		t.Fatal(err)
	}
	if key.Secret() != secret || key.Issuer() != TOTPIssuer || key.AccountName() != "jan@adviesbureau.nl" {
		t.Errorf("key %s", key.URL())
	}
	img, err := TOTPQRCode(key, 200)
	if err != nil || !strings.HasPrefix(img, "data:image/png;base64,") {
		t.Fatalf("QR code: %v %.40s", err, img)
	}
	if got := FormatSecret("ABCDEFGHIJ"); got != "ABCD EFGH IJ" {
		t.Errorf("FormatSecret: %q", got)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
	}
	if NormaliseRecoveryCode(" ABCD-efgh ijkl-MNOP ") != "abcdefghijklmnop" {
		t.Error("normalise")
	}
}

func TestSessionAndInvitationLifetimes(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := Session{LastSeenAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if !s.Valid(now.Add(time.Hour)) || s.Valid(now.Add(SessionIdle)) {
		t.Error("idle expiry")
	}
	s.LastSeenAt = now.Add(SessionLifetime - time.Minute)
	if s.Valid(now.Add(SessionLifetime)) {
		t.Error("absolute expiry")
	}
	inv := Invitation{ExpiresAt: now.Add(InvitationLifetime)}
	if inv.Expired(now.Add(InvitationLifetime-time.Second)) || !inv.Expired(now.Add(InvitationLifetime)) {
		t.Error("invitation expiry")
	}
	locked := now.Add(Lockout)
	c := Credentials{LockedUntil: &locked}
	if !c.Locked(now) || c.Locked(locked) {
		t.Error("lock-out")
	}
	if NormaliseEmail("  Jan@Firma.NL ") != "jan@firma.nl" {
		t.Error("NormaliseEmail")
	}
}
