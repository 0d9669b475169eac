package survey

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Branding is a firm's own look: what its reports, posters, code sheets
// and director pages show instead of, or next to, the service's name.
// Respondent pages show only the logo and the colour, and only when
// OnRespondentPages is set: the anonymity text stays the service's.
//
// The zero value (no logo, no colour, no name) means "the service's own
// look"; every user checks the fields it needs.
type Branding struct {
	FirmID string `json:"-"`
	// Name is the firm's display name (at most MaxBrandNameRunes).
	Name string `json:"name"`
	// Contact is one line such as "Bel 030 123 45 67 · info@firma.nl"
	// (at most MaxBrandContactRunes).
	Contact string `json:"contact"`
	// Color is the primary colour as "#rrggbb", or empty. A stored colour
	// has passed CheckBrandColor: white text on it (and it as text on
	// white) meets WCAG 2.1 AA.
	Color string `json:"color"`
	// Logo is a PNG the service itself encoded (internal/logo): never the
	// uploaded bytes. Empty means no logo.
	Logo []byte `json:"-"`
	// LogoWidth and LogoHeight are the logo's size in pixels.
	LogoWidth  int `json:"-"`
	LogoHeight int `json:"-"`
	// LogoVersion changes with every new logo (a hash of its bytes), so
	// that a cached old logo is never shown.
	LogoVersion string `json:"-"`
	// OnRespondentPages shows the logo and colour on respondent pages.
	OnRespondentPages bool      `json:"on_respondent_pages"`
	UpdatedAt         time.Time `json:"-"`
}

// Limits of the branding texts, in characters.
const (
	MaxBrandNameRunes    = 80
	MaxBrandContactRunes = 160
)

// HasLogo reports whether the firm has a logo.
func (b *Branding) HasLogo() bool { return b != nil && len(b.Logo) > 0 }

// RGB returns the colour as 0xRRGGBB and whether there is one.
func (b *Branding) RGB() (uint32, bool) {
	if b == nil {
		return 0, false
	}
	c, err := ParseColor(b.Color)
	return c, err == nil
}

// Valid checks the texts' lengths and the colour.
func (b *Branding) Valid() error {
	if utf8.RuneCountInString(b.Name) > MaxBrandNameRunes {
		return Errorf(CodeInvalid, "the firm's name is longer than %d characters", MaxBrandNameRunes)
	}
	if utf8.RuneCountInString(b.Contact) > MaxBrandContactRunes {
		return Errorf(CodeInvalid, "the contact line is longer than %d characters", MaxBrandContactRunes)
	}
	if b.Color != "" {
		c, err := ParseColor(b.Color)
		if err != nil {
			return err
		}
		if ratio, ok := CheckBrandColor(c); !ok {
			return Errorf(CodeInvalid, "the colour %s has a contrast of %.2f:1 with white text; WCAG 2.1 AA needs %.1f:1", b.Color, ratio, MinBrandContrast)
		}
	}
	return nil
}

// BrandTextColor is the text colour every brand colour is paired with:
// white, on the colour as a background (headers, buttons, the report
// cover). The same ratio holds for the colour as text on white paper.
const BrandTextColor uint32 = 0xffffff

// MinBrandContrast is WCAG 2.1 AA's contrast for normal text (1.4.3).
const MinBrandContrast = 4.5

// ParseColor reads a colour as "#rrggbb" (or "rrggbb", or the short
// "#rgb"), case-insensitive, and returns it as 0xRRGGBB.
func ParseColor(s string) (uint32, error) {
	h := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		return 0, Errorf(CodeInvalid, "%q is not a colour in the form #rrggbb", s)
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return 0, Errorf(CodeInvalid, "%q is not a colour in the form #rrggbb", s)
	}
	return uint32(v), nil
}

// FormatColor writes c as "#rrggbb".
func FormatColor(c uint32) string {
	s := strconv.FormatUint(uint64(c&0xffffff), 16)
	return "#" + strings.Repeat("0", 6-len(s)) + s
}

// relativeLuminance is WCAG 2.1's relative luminance of an sRGB colour.
func relativeLuminance(c uint32) float64 {
	channel := func(v uint32) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(c>>16&0xff) + 0.7152*channel(c>>8&0xff) + 0.0722*channel(c&0xff)
}

// ContrastRatio is WCAG 2.1's contrast ratio of two colours, from 1 to 21.
func ContrastRatio(a, b uint32) float64 {
	la, lb := relativeLuminance(a), relativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// CheckBrandColor returns the contrast of c with BrandTextColor and
// whether it meets MinBrandContrast. The ratio is not rounded before the
// comparison: 4.49:1 fails even though it would print as 4.5.
func CheckBrandColor(c uint32) (float64, bool) {
	r := ContrastRatio(c, BrandTextColor)
	return r, r >= MinBrandContrast
}
