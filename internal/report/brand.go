package report

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"

	"github.com/jung-kurt/gofpdf"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// brandView is a firm's look as the report, poster and code sheets print
// it. The logo is the PNG internal/logo encoded; one that does not decode
// is left out rather than failing the report.
type brandView struct {
	Name, Contact string
	Color         rgb
	HasColor      bool
	ColorHex      string
	Logo          []byte
	LogoW, LogoH  int
	// LogoURL is the logo as a data: URL for the HTML twin, which loads
	// nothing from elsewhere.
	LogoURL template.URL
}

const (
	maxBrandNameRunes    = survey.MaxBrandNameRunes
	maxBrandContactRunes = survey.MaxBrandContactRunes
	logoImage            = "brandlogo"
)

// newBrandView returns nil when b has nothing to show.
func newBrandView(b *survey.Branding) *brandView {
	if b == nil {
		return nil
	}
	v := &brandView{Name: name(b.Name, maxBrandNameRunes), Contact: name(b.Contact, maxBrandContactRunes)}
	if c, ok := b.RGB(); ok {
		// A colour that fails the contrast rule cannot be stored; one
		// that arrives anyway is ignored rather than printed.
		if _, pass := survey.CheckBrandColor(c); pass {
			v.Color, v.HasColor, v.ColorHex = rgb(c), true, survey.FormatColor(c)
		}
	}
	if len(b.Logo) > 0 {
		if cfg, err := png.DecodeConfig(bytes.NewReader(b.Logo)); err == nil && cfg.Width > 0 && cfg.Height > 0 {
			v.Logo, v.LogoW, v.LogoH = b.Logo, cfg.Width, cfg.Height
			v.LogoURL = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Logo))
		}
	}
	if v.Name == "" && v.Contact == "" && !v.HasColor && v.Logo == nil {
		return nil
	}
	return v
}

// accent is the colour of the cover band: the firm's, or the report's.
func (v *brandView) accent(def rgb) rgb {
	if v != nil && v.HasColor {
		return v.Color
	}
	return def
}

// registerLogo adds the logo to the document once; it reports whether
// there is one to draw. A logo gofpdf cannot read is dropped and the
// error state cleared, so the document still renders.
func (r *pdfRenderer) registerLogo(v *brandView) bool {
	if v == nil || v.Logo == nil {
		return false
	}
	r.f.RegisterImageOptionsReader(logoImage, gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(v.Logo))
	if r.f.Err() {
		r.f.ClearError()
		v.Logo = nil
		return false
	}
	return true
}

// logoAt draws the logo inside a box of w × h millimetres at x, y,
// keeping its proportions, aligned to the box's left ("L") or right
// ("R"). It returns the width and height drawn.
func (r *pdfRenderer) logoAt(v *brandView, x, y, w, h float64, align string) (float64, float64) {
	if v == nil || v.Logo == nil {
		return 0, 0
	}
	dw, dh := w, w*float64(v.LogoH)/float64(v.LogoW)
	if dh > h {
		dw, dh = h*float64(v.LogoW)/float64(v.LogoH), h
	}
	if align == "R" {
		x += w - dw
	}
	r.f.ImageOptions(logoImage, x, y, dw, dh, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return dw, dh
}
