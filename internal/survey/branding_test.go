package survey

import (
	"math"
	"testing"
)

func TestContrastRatioKnownValues(t *testing.T) {
	for _, tc := range []struct {
		a, b uint32
		want float64
	}{
		{0x000000, 0xffffff, 21},
		{0xffffff, 0xffffff, 1},
		{0x767676, 0xffffff, 4.54}, // the lightest grey that passes on white
		{0x777777, 0xffffff, 4.48}, // one step lighter fails
		{0x154273, 0xffffff, 10.2},
	} {
		if got := ContrastRatio(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("ContrastRatio(%06x, %06x) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
		if ContrastRatio(tc.a, tc.b) != ContrastRatio(tc.b, tc.a) {
			t.Errorf("ContrastRatio(%06x, %06x) is not symmetric", tc.a, tc.b)
		}
	}
}

// The edges of the brand colour rule (docs/accessibility.md): 4.5:1 with
// white text passes, anything below fails, however little.
func TestCheckBrandColorEdges(t *testing.T) {
	for _, tc := range []struct {
		color string
		ok    bool
	}{
		{"#000000", true},
		{"#767676", true},  // 4.54:1
		{"#777777", false}, // 4.48:1
		{"#ffffff", false},
		{"#ffff00", false},
		{"#0000ff", true},
		{"#d4351c", true},  // 4.52:1
		{"#e0401f", false}, // under 4.5:1
	} {
		c, err := ParseColor(tc.color)
		if err != nil {
			t.Fatal(err)
		}
		ratio, ok := CheckBrandColor(c)
		if ok != tc.ok {
			t.Errorf("CheckBrandColor(%s) = %.3f, %v; want %v", tc.color, ratio, ok, tc.ok)
		}
		b := Branding{Color: tc.color}
		if err := b.Valid(); (err == nil) != tc.ok {
			t.Errorf("Valid(%s) = %v", tc.color, err)
		}
	}
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]uint32{"#1A2b3C": 0x1a2b3c, "1a2b3c": 0x1a2b3c, "#abc": 0xaabbcc, " #000000 ": 0} {
		got, err := ParseColor(in)
		if err != nil || got != want {
			t.Errorf("ParseColor(%q) = %06x, %v", in, got, err)
		}
		if FormatColor(got) != FormatColor(want) {
			t.Errorf("FormatColor(%06x) = %s", got, FormatColor(got))
		}
	}
	for _, bad := range []string{"", "#12345", "#1234567", "red", "#ggg000", "#12 345", "url(x)", "#-12345"} {
		if _, err := ParseColor(bad); err == nil {
			t.Errorf("ParseColor(%q) accepted", bad)
		}
	}
	if FormatColor(0x00000a) != "#00000a" {
		t.Error("FormatColor drops leading zeros")
	}
}
