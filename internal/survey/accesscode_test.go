package survey

import "testing"

func TestNormalizeAccessCode(t *testing.T) {
	for typed, want := range map[string]string{"abcd-efgh": "ABCDEFGH", " ABCD EFGH ": "ABCDEFGH", "abcdefgh": "ABCDEFGH"} {
		if got, ok := NormalizeAccessCode(typed); !ok || got != want {
			t.Errorf("NormalizeAccessCode(%q) = %q, %v", typed, got, ok)
		}
	}
	for _, bad := range []string{"", "ABCDEFG", "ABCDEFGHJ", "ABCD0FGH", "ABCD1FGH", "ABCDÉFGH", "<script>", "ABCD\x00EFGH", "ABCDEFGH\x00", "ABCD\x1bEFGH"} {
		if _, ok := NormalizeAccessCode(bad); ok {
			t.Errorf("NormalizeAccessCode(%q) accepted", bad)
		}
	}
	if FormatAccessCode("ABCDEFGH") != "ABCD-EFGH" || FormatAccessCode("X") != "X" {
		t.Error("FormatAccessCode")
	}
}

// FuzzNormalizeAccessCode: whatever is typed, a normalised code is exactly
// AccessCodeLength characters of the alphabet, and normalising is stable.
func FuzzNormalizeAccessCode(f *testing.F) {
	for _, seed := range []string{"ABCD-EFGH", "abcd efgh", "", "ÉÉÉÉÉÉÉÉ", "\x00\xff", "ABCD-EFGH-JKMN", "<script>alert(1)</script>",
		// Control characters inside an otherwise valid code.
		"ABCD\x00EFGH", "ABCD-EFGH\x00", "\x00ABCDEFGH", "ABCD\tEFGH", "ABCD\x1bEFGH", "ABCD\u0085EFGH", "ABCD\x7fEFGH"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		code, ok := NormalizeAccessCode(typed)
		if !ok {
			return
		}
		if len(code) != AccessCodeLength {
			t.Fatalf("%q normalised to %q", typed, code)
		}
		for _, r := range code {
			if !containsRune(AccessCodeAlphabet, r) {
				t.Fatalf("%q normalised to %q outside the alphabet", typed, code)
			}
		}
		if again, ok := NormalizeAccessCode(FormatAccessCode(code)); !ok || again != code {
			t.Fatalf("normalising %q again gives %q", code, again)
		}
	})
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
