package report

import (
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// CodeSheet is everything a sheet of access-code cards is made from.
type CodeSheet struct {
	// Organisation is the name printed on every card, as the consultant
	// typed it.
	Organisation string
	// Link is the respondent link.
	Link string
	// QR is a PNG of the QR code of Link, quiet zone included; nil leaves
	// the QR code off the cards.
	QR []byte
	// Codes are the access codes, one card each, in the order given.
	Codes []string
	// English adds a line in English to every card.
	English bool
	// GeneratedOn is stored as the creation date. Required: the package
	// never reads the clock.
	GeneratedOn time.Time
	// Branding is the firm's look: its colour on every card, its name and
	// logo in each page's header. Nil prints the service's own.
	Branding *survey.Branding
}

// Card geometry in millimetres: ten cards of 95 × 55 mm (about a business
// card) per A4 page, two across and five down, with cut lines between.
const (
	sheetMargin  = 10.0
	cardCols     = 2
	cardRows     = 5
	cardsPerPage = cardCols * cardRows
	cardW        = (pageW - 2*sheetMargin) / cardCols
	cardH        = (pageH - 2*sheetMargin) / cardRows
	cardPad      = 5.0
	cardQR       = 30.0
	cardTextTop  = 12.5
	cardCodeTop  = cardH - cardPad - 12.5
	cardCodeSize = 20.0
	cardEnTop    = cardH - cardPad - 3
	// sheetLogoW is the room of the firm's logo in a page's header.
	sheetLogoW = 24.0
)

// The cards' fixed words.
const (
	cardGoTo      = "Ga naar"
	cardScanEnter = "of scan de QR-code en vul deze code in:"
	cardEnter     = "en vul deze code in:"
	cardEnScan    = "Go to the link or scan the QR code and enter this code."
	cardEn        = "Go to the link and enter this code."
	sheetHead     = "Toegangscodes · %s · knip langs de stippellijnen"
	sheetPage     = "Blad %d van %d"
)

// cardText is the text every card shares, wrapped once: up to 20,000
// cards differ only in their code.
type cardText struct {
	org      string
	link     []string
	linkSize float64
	rest     []string
	english  string
	head     string
	accent   rgb
}

// CodeSheetPDF renders the access codes as cut-out cards, for handing out
// to staff who get no e-mail at work. The QR code is one image object that
// every card draws, which keeps 20,000 cards at a few megabytes.
func CodeSheetPDF(s CodeSheet) ([]byte, error) {
	if err := checkPrintInput(s.Link, s.GeneratedOn); err != nil {
		return nil, err
	}
	if len(s.Codes) == 0 {
		return nil, survey.Errorf(survey.CodeInvalid, "report: no access codes")
	}
	return guardPDF(func() ([]byte, error) {
		org := name(s.Organisation, maxTitleRunes)
		r := newPrintRenderer("Toegangscodes – "+org, org, s.GeneratedOn)
		r.f.SetDisplayMode("fullpage", "continuous")
		r.d = &doc{Brand: newBrandView(s.Branding)}
		r.registerLogo(r.d.Brand)
		withQR := len(s.QR) > 0
		if withQR {
			if err := r.registerQR(s.QR); err != nil {
				return nil, err
			}
		}
		ct := r.cardText(s, org, withQR)
		pages := (len(s.Codes) + cardsPerPage - 1) / cardsPerPage
		for i, code := range s.Codes {
			if i%cardsPerPage == 0 {
				r.sheetPage(ct, i/cardsPerPage+1, pages)
			}
			col, row := i%cardsPerPage%cardCols, i%cardsPerPage/cardCols
			r.card(ct, sheetMargin+float64(col)*cardW, sheetMargin+float64(row)*cardH, survey.FormatAccessCode(code), withQR)
		}
		return r.printOutput()
	})
}

func cardTextW(withQR bool) float64 {
	if withQR {
		return cardW - 2*cardPad - cardQR - 3
	}
	return cardW - 2*cardPad
}

func (r *pdfRenderer) cardText(s CodeSheet, org string, withQR bool) cardText {
	w := cardTextW(withQR)
	ct := cardText{org: r.oneLine(org, "B", 9.5, cardW-2*cardPad)}
	rest, en := cardEnter, cardEn
	if withQR {
		rest, en = cardScanEnter, cardEnScan
	}
	ct.rest = r.lines(rest, "", 8.5, w)
	if s.English {
		ct.english = r.oneLine(en, "", 6.5, cardW-2*cardPad)
	}
	// The link gets the room the words leave above the code, at the
	// largest size that fits it there.
	room := cardCodeTop - 2 - cardTextTop - 3.9*float64(1+len(ct.rest))
	for size := 8.0; ; size -= 0.5 {
		ls := r.breakLink(clean(s.Link), size, w)
		fit := int(room / (size * 0.42))
		if len(ls) <= fit || size <= 5.5 {
			ct.link, ct.linkSize = cutLines(ls, fit), size
			break
		}
	}
	head := sprintf(sheetHead, org)
	if b := r.d.Brand; b != nil && b.Name != "" {
		// First: a long organisation name cuts the end of the line.
		head = b.Name + " · " + head
	}
	ct.head = r.oneLine(head, "", 7, pageW-2*sheetMargin-30-sheetLogoW)
	ct.accent = r.d.Brand.accent(colNavy)
	return ct
}

// oneLine is s on a single line of width w, cut with an ellipsis when it
// is longer; the cards print it many times, so it is measured once.
func (r *pdfRenderer) oneLine(s, style string, size, w float64) string {
	ls := r.lines(s, style, size, w)
	if len(ls) <= 1 {
		return s
	}
	last := []rune(ls[0])
	for len(last) > 1 && r.f.GetStringWidth(string(last)+"…") > w {
		last = last[:len(last)-1]
	}
	return string(last) + "…"
}

// sheetPage starts a page: the header in the top margin and the dashed
// cut lines between and around the cards.
func (r *pdfRenderer) sheetPage(ct cardText, page, pages int) {
	f := r.f
	f.AddPage()
	r.cell(sheetMargin, 4, pageW-2*sheetMargin-30-sheetLogoW, 3, ct.head, "", 7, colMuted, "L")
	r.logoAt(r.d.Brand, pageW-sheetMargin-30-sheetLogoW, 2, sheetLogoW-2, sheetMargin-3, "R")
	r.cell(pageW-sheetMargin-30, 4, 30, 3, sprintf(sheetPage, page, pages), "", 7, colMuted, "R")
	r.stroke(colRule)
	f.SetLineWidth(0.2)
	f.SetDashPattern([]float64{1.5, 1.5}, 0)
	for c := 0; c <= cardCols; c++ {
		x := sheetMargin + float64(c)*cardW
		f.Line(x, sheetMargin, x, pageH-sheetMargin)
	}
	for row := 0; row <= cardRows; row++ {
		y := sheetMargin + float64(row)*cardH
		f.Line(sheetMargin, y, pageW-sheetMargin, y)
	}
	f.SetDashPattern(nil, 0)
}

func (r *pdfRenderer) card(ct cardText, x, y float64, code string, withQR bool) {
	f := r.f
	inner := cardW - 2*cardPad
	r.cell(x+cardPad, y+cardPad, inner, 4.5, ct.org, "B", 9.5, ct.accent, "L")
	r.stroke(ct.accent)
	f.SetLineWidth(0.3)
	f.Line(x+cardPad, y+cardPad+5.5, x+cardW-cardPad, y+cardPad+5.5)

	w := cardTextW(withQR)
	ty := y + cardTextTop
	r.cell(x+cardPad, ty, w, 3.9, cardGoTo, "", 8.5, colText, "L")
	ty += 3.9
	lh := ct.linkSize * 0.42
	for _, l := range ct.link {
		r.monoAt(x+cardPad, ty, w, l, ct.linkSize, lh, colText, "L")
		ty += lh
	}
	for _, l := range ct.rest {
		r.cell(x+cardPad, ty, w, 3.9, l, "", 8.5, colText, "L")
		ty += 3.9
	}
	r.monoAt(x+cardPad, y+cardCodeTop, w, code, cardCodeSize, 8.5, colText, "L")
	if ct.english != "" {
		r.cell(x+cardPad, y+cardEnTop, inner, 3, ct.english, "", 6.5, colMuted, "L")
	}
	if withQR {
		f.ImageOptions(qrImage, x+cardW-cardPad-cardQR, y+cardTextTop-1, cardQR, cardQR, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
}

// cell writes one line that is known to fit.
func (r *pdfRenderer) cell(x, y, w, h float64, s, style string, size float64, c rgb, align string) {
	r.font(style, size)
	r.ink(c)
	r.f.SetXY(x, y)
	r.f.CellFormat(w, h, s, "", 0, align, false, 0, "")
}
