package web

import (
	"context"
	"encoding/base64"
	htmltemplate "html/template"
	"math"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// mailBrand is a firm's own look as its mails show it: the name and logo
// in a header, the colour as the header's band and the links' accent, and
// the name and contact line at the foot. The report's band colours never
// appear: they carry meaning a mail does not explain.
type mailBrand struct {
	Name    string
	Contact string
	// Color is the checked colour as "#rrggbb", empty without one: white
	// text on it, and it as text on white, meet WCAG 2.1 AA.
	Color string
	// LogoSrc is "cid:" and the logo's Content-ID: the logo travels as an
	// inline part of the message, so nothing is loaded from elsewhere.
	LogoSrc      htmltemplate.URL
	LogoAlt      string
	LogoW, LogoH int
	// logo is the inline part LogoSrc refers to.
	logo *survey.Attachment
}

// Sizes of the logo in a mail's header, in CSS pixels.
const (
	mailLogoHeight   = 48
	mailLogoMaxWidth = 240
	// mailAccent is the links' colour without a firm colour.
	mailAccent = "#154273"
)

// mailBrandOf returns the look of the firm's mails, nil when the firm has
// none. firmName (the account's name) is the logo's alternative text when
// the look names no display name.
func (s *Server) mailBrandOf(ctx context.Context, firmID, firmName string) (*mailBrand, error) {
	if firmID == "" || s.brands == nil {
		return nil, nil
	}
	b, err := s.brands.full(ctx, firmID)
	if err != nil {
		return nil, err
	}
	return newMailBrand(b, firmName), nil
}

func newMailBrand(b *survey.Branding, firmName string) *mailBrand {
	if b == nil {
		return nil
	}
	mb := &mailBrand{Name: oneLine(b.Name), Contact: oneLine(b.Contact)}
	if rgb, ok := b.RGB(); ok {
		// Written from the parsed value and checked again: a colour
		// stored before the rule existed never reaches a mail.
		if _, pass := survey.CheckBrandColor(rgb); pass {
			mb.Color = survey.FormatColor(rgb)
		}
	}
	if b.HasLogo() && b.LogoWidth > 0 && b.LogoHeight > 0 {
		cid := "logo." + idChars(b.LogoVersion) + "@uitvoeringskracht"
		mb.LogoSrc = htmltemplate.URL("cid:" + cid)
		mb.LogoAlt = mb.Name
		if mb.LogoAlt == "" {
			mb.LogoAlt = oneLine(firmName)
		}
		h := float64(min(mailLogoHeight, b.LogoHeight))
		w := float64(b.LogoWidth) * h / float64(b.LogoHeight)
		if w > mailLogoMaxWidth {
			w, h = mailLogoMaxWidth, mailLogoMaxWidth*float64(b.LogoHeight)/float64(b.LogoWidth)
		}
		mb.LogoW, mb.LogoH = max(1, int(math.Round(w))), max(1, int(math.Round(h)))
		mb.logo = &survey.Attachment{Name: "logo.png", ContentType: "image/png", Content: b.Logo, ContentID: cid}
	}
	if mb.Name == "" && mb.Contact == "" && mb.Color == "" && mb.logo == nil {
		return nil
	}
	return mb
}

// Accent is the colour of links and quote bars.
func (mb *mailBrand) Accent() string {
	if mb == nil || mb.Color == "" {
		return mailAccent
	}
	return mb.Color
}

// inline is the inline parts the HTML refers to.
func (mb *mailBrand) inline() []survey.Attachment {
	if mb == nil || mb.logo == nil {
		return nil
	}
	return []survey.Attachment{*mb.logo}
}

// idChars keeps the characters a Content-ID may hold.
func idChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, s)
}

// previewHTML replaces the HTML's references to its inline images by data:
// URLs, for the sandboxed preview, whose policy allows images from data:
// only: what the recipient's mail program shows, without a second route.
// The references are the exact attribute values the templates wrote.
func previewHTML(body string, atts []survey.Attachment) string {
	for _, a := range atts {
		if !a.Inline() || a.ContentType != "image/png" {
			continue
		}
		body = strings.ReplaceAll(body, `src="cid:`+a.ContentID+`"`,
			`src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(a.Content)+`"`)
	}
	return body
}

// fileNames lists the attachments a recipient sees as files: inline parts
// are part of the HTML.
func fileNames(atts []survey.Attachment) []string {
	var out []string
	for _, a := range atts {
		if !a.Inline() {
			out = append(out, a.Name)
		}
	}
	return out
}
