package report

import (
	"bytes"
	_ "embed"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DejaVu Sans Mono Bold (same family and licence as the report's fonts)
// prints what people type over from paper: the respondent link and the
// access codes. In the proportional face 0 and O, and l, 1 and I, look
// nearly the same, and the link's token uses all of them.
//
//go:embed fonts/DejaVuSansMono-Bold.ttf
var fontMonoBold []byte

const monoFamily = "dejavumono"

// colNavy is the product's accent (the web pages' #154273). It is dark
// enough that white text on it survives a greyscale print.
const colNavy rgb = 0x154273

// qrImage is the name under which a print document registers its QR code;
// every card of a code sheet draws the same image object.
const qrImage = "qr"

// Poster is everything the respondents' poster is made from.
type Poster struct {
	// Organisation is the name printed at the top, as the consultant typed
	// it.
	Organisation string
	// Link is the respondent link, printed in full under the QR code.
	Link string
	// QR is a PNG of the QR code of Link, quiet zone included.
	QR []byte
	// ClosesOn is the last day on which respondents can answer; zero when
	// the diagnostic has no closing date.
	ClosesOn time.Time
	// Minutes is the time the questionnaire takes, as its landing page
	// says; 0 means 10 (the full instrument). A pulse takes about 2.
	Minutes int
	// English adds a line in English: set when respondents may answer in
	// English.
	English bool
	// NeedsCode says that the link alone does not let anyone in: the
	// poster then tells readers to have their access code at hand.
	NeedsCode bool
	// GeneratedOn is stored as the creation date. Required: the package
	// never reads the clock, so the same poster gives the same bytes.
	GeneratedOn time.Time
	// Branding is the firm's look: its colour for the band and headings,
	// its logo and name at the foot. Nil prints the service's own.
	Branding *survey.Branding
}

// Poster layout in millimetres. The variable parts (the name, the link)
// are shrunk and capped, so the poster is always one page. The QR image
// includes a quiet zone of four modules on each side; a respondent link
// has at least 50 characters, which takes QR version 4 (33 modules) or
// higher, so the code itself measures at least 112 × 33/41 ≈ 90 mm.
const (
	posterMargin = 20.0
	posterW      = pageW - 2*posterMargin
	posterBandH  = 46.0
	// posterBrandH is the foot that holds the firm's logo and name.
	posterBrandH  = 16.0
	posterNameMax = 3
	posterQR      = 112.0
	posterLinkMax = 4
)

// The poster's fixed words. Dutch is the main text; the English line is
// for colleagues who read English better.
const (
	posterHeading = "Uw ervaring telt: wat helpt en wat hindert ons werk?"
	posterBody    = "Doe mee met de korte vragenlijst over hoe plannen in de praktijk uitpakken. " +
		"Het is anoniem: niemand kan zien wat u hebt geantwoord. " +
		"Invullen kost ongeveer %d minuten en kan gewoon op uw telefoon."
	posterCode    = " U hebt daarbij de persoonlijke toegangscode nodig die u hebt gekregen."
	posterCodeEn  = " You need the personal access code you were given."
	posterScan    = "Scan de code met de camera van uw telefoon"
	posterBy      = "Onderzoek uitgevoerd door %s"
	posterOrType  = "of typ deze link in uw browser:"
	posterUntil   = "Invullen kan tot en met %s."
	posterEnglish = "In English: scan the code or type the link, then choose English. " +
		"Anonymous, about %d minutes, works on your phone."
	posterUntilEn = " Open until %s."
)

// PosterPDF renders an A4 poster that invites staff to the questionnaire:
// for colleagues without a desk, who see it on a notice board or in a
// canteen and answer on their phone.
func PosterPDF(p Poster) ([]byte, error) {
	if err := checkPrintInput(p.Link, p.GeneratedOn); err != nil {
		return nil, err
	}
	if len(p.QR) == 0 {
		return nil, survey.Errorf(survey.CodeInvalid, "report: the poster needs the QR code")
	}
	return guardPDF(func() ([]byte, error) {
		org := name(p.Organisation, maxTitleRunes)
		r := newPrintRenderer("Uitnodiging vragenlijst – "+org, org, p.GeneratedOn)
		r.f.SetDisplayMode("fullpage", "single")
		if err := r.registerQR(p.QR); err != nil {
			return nil, err
		}
		r.d = &doc{Brand: newBrandView(p.Branding)}
		r.registerLogo(r.d.Brand)
		r.poster(p, org)
		return r.printOutput()
	})
}

// poster draws the poster and returns the size of the QR image, which
// tests hold to the 9 cm minimum.
func (r *pdfRenderer) poster(p Poster, org string) float64 {
	f := r.f
	f.AddPage()
	var brand *brandView
	if r.d != nil {
		brand = r.d.Brand
	}
	// The firm's colour passed the contrast rule against white, which
	// makes it readable as text on the white paper too.
	accent := brand.accent(colNavy)

	// The organisation, white on navy, shrunk until it fits three lines
	// and cut with an ellipsis beyond that.
	r.fill(accent)
	f.Rect(0, 0, pageW, posterBandH, "F")
	size := r.fitSize(org, "B", 30, 14, posterW, posterNameMax)
	lh := size * 0.42
	n := min(len(r.lines(org, "B", size, posterW)), posterNameMax)
	r.textAt(posterMargin, (posterBandH-float64(n)*lh)/2, posterW, org, "B", size, lh, colWhite, "L", posterNameMax)

	minutes := p.Minutes
	if minutes <= 0 {
		minutes = 10
	}
	body, en := sprintf(posterBody, minutes), sprintf(posterEnglish, minutes)
	if p.NeedsCode {
		body += posterCode
		en += posterCodeEn
	}
	until := ""
	if !p.ClosesOn.IsZero() {
		until = sprintf(posterUntil, numbersFor("nl").date(p.ClosesOn))
		en += sprintf(posterUntilEn, numbersFor("en").date(p.ClosesOn))
	}
	linkSize, links := r.linkLines(p.Link, posterW)
	linkLH := linkSize * 0.45

	// The QR code gets what the text leaves, up to its full size: only a
	// poster with every optional sentence and a very long link has to
	// take some of it.
	top := posterBandH + 9
	textH := r.textHeight(posterHeading, "B", 25, posterW, 10.5) + 4 +
		min(r.textHeight(body, "", 13.5, posterW, 6.4), 5*6.4) + 6
	below := 1 + 7.5 + 6.5 + float64(len(links))*linkLH + 3
	if until != "" {
		below += 6
	}
	bottom := pageH - 11.0
	if brand != nil && (brand.Name != "" || brand.Logo != nil) {
		// The firm's logo and name at the foot of the page.
		bottom -= posterBrandH
		lw, _ := r.logoAt(brand, posterMargin, bottom+3, 45, posterBrandH-5, "L")
		if brand.Name != "" {
			x := posterMargin + lw
			if lw > 0 {
				x += 5
			}
			r.textAt(x, bottom+5, pageW-posterMargin-x, sprintf(posterBy, brand.Name), "", 10.5, 5, colMuted, "L", 2)
		}
	}
	if p.English {
		bottom -= min(r.textHeight(en, "", 10.5, posterW, 5), 3*5) + 6
	}
	qr := min(posterQR, bottom-top-textH-below)

	y := top
	y += r.textAt(posterMargin, y, posterW, posterHeading, "B", 25, 10.5, accent, "L", 2) + 4
	y += r.textAt(posterMargin, y, posterW, body, "", 13.5, 6.4, colText, "L", 5) + 6

	// The link annotation makes the PDF itself usable on a screen.
	f.ImageOptions(qrImage, (pageW-qr)/2, y, qr, qr, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, p.Link)
	y += qr + 1
	r.textAt(posterMargin, y, posterW, posterScan, "B", 14, 6.5, colText, "C", 1)
	y += 7.5
	r.textAt(posterMargin, y, posterW, posterOrType, "", 11.5, 5.5, colMuted, "C", 1)
	y += 6.5
	for i, l := range links {
		r.monoAt(posterMargin, y+float64(i)*linkLH, posterW, l, linkSize, linkLH, colText, "C")
	}
	f.LinkString(posterMargin, y, posterW, float64(len(links))*linkLH, p.Link)
	y += float64(len(links))*linkLH + 3
	if until != "" {
		r.textAt(posterMargin, y, posterW, until, "B", 13, 6, accent, "C", 1)
	}

	if p.English {
		r.stroke(colRule)
		f.SetLineWidth(0.3)
		f.Line(posterMargin, bottom+3, pageW-posterMargin, bottom+3)
		r.textAt(posterMargin, bottom+6, posterW, en, "", 10.5, 5, colMuted, "C", 3)
	}
	return qr
}

// --- shared by the poster and the code sheet ---

// newPrintRenderer starts an A4 document with the report's fonts and
// metadata conventions. Page breaks are off: print layouts place every
// element themselves, and text must never spill onto a page of its own.
func newPrintRenderer(title, subject string, generated time.Time) *pdfRenderer {
	f := gofpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(generated)
	f.SetModificationDate(generated)
	f.SetCompression(true)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.AddUTF8FontFromBytes(monoFamily, "B", fontMonoBold)
	f.SetMargins(0, 0, 0)
	f.SetCellMargin(0)
	f.SetAutoPageBreak(false, 0)
	f.SetTitle(title, true)
	f.SetSubject(subject, true)
	f.SetAuthor("Uitvoeringskracht", true)
	f.SetCreator("Uitvoeringskracht", true)
	f.SetProducer("Uitvoeringskracht (gofpdf)", true)
	return &pdfRenderer{f: f}
}

// printOutput writes the document; print documents are Dutch.
func (r *pdfRenderer) printOutput() ([]byte, error) {
	if err := r.f.Error(); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: drawing the PDF failed")
	}
	var buf bytes.Buffer
	if err := r.f.Output(&buf); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: writing the PDF failed")
	}
	return withCatalogEntries(buf.Bytes(), survey.DefaultLanguage)
}

// registerQR adds the QR code to the document once; every use draws the
// same image object. An unusable PNG is the caller's error, reported
// before gofpdf's error state silently stops all further drawing.
func (r *pdfRenderer) registerQR(data []byte) error {
	r.f.RegisterImageOptionsReader(qrImage, gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
	if err := r.f.Error(); err != nil {
		return survey.Wrap(survey.CodeInvalid, err, "report: the QR code is not a usable PNG")
	}
	return nil
}

// guardPDF turns a panic inside gofpdf (a few of its code paths index
// slices without checks) into an error, as renderPDF does for the report.
func guardPDF(draw func() ([]byte, error)) (out []byte, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			out, err = nil, survey.Errorf(survey.CodeInternal, "report: drawing the PDF failed: %v", rec)
		}
	}()
	return draw()
}

func checkPrintInput(link string, generated time.Time) error {
	if strings.TrimSpace(link) == "" {
		return survey.Errorf(survey.CodeInvalid, "report: no respondent link")
	}
	if generated.IsZero() {
		return survey.Errorf(survey.CodeInvalid, "report: no generation date (the report never reads the clock)")
	}
	return nil
}

// monoAt writes one line in the monospaced face in a box of width w.
func (r *pdfRenderer) monoAt(x, y, w float64, s string, size, lh float64, c rgb, align string) {
	r.f.SetFont(monoFamily, "B", size)
	r.ink(c)
	r.f.SetXY(x, y)
	r.f.CellFormat(w, lh, s, "", 0, align, false, 0, "")
}

// fitSize is the largest font size from hi down to lo (in steps of half a
// point) at which s wraps to at most maxLines lines of width w; lo when
// none does, and the caller cuts the text.
func (r *pdfRenderer) fitSize(s, style string, hi, lo, w float64, maxLines int) float64 {
	for size := hi; size > lo; size -= 0.5 {
		if len(r.lines(s, style, size, w)) <= maxLines {
			return size
		}
	}
	return lo
}

// linkLines breaks the poster's link: at the largest size from 17 pt
// down to 12 pt at which it takes at most two lines; else at the largest
// size down to 8 pt at which it takes at most posterLinkMax lines (larger
// type on more lines reads better than small type on few); else at 8 pt,
// cut after posterLinkMax lines with an ellipsis. No real link gets there.
func (r *pdfRenderer) linkLines(link string, w float64) (float64, []string) {
	link = clean(link)
	for size := 17.0; size >= 8; size -= 0.5 {
		ls := r.breakLink(link, size, w)
		if len(ls) <= 2 || (size <= 12 && len(ls) <= posterLinkMax) {
			return size, ls
		}
	}
	return 8, cutLines(r.breakLink(link, 8, w), posterLinkMax)
}

// cutLines keeps the first n lines, marking the cut with an ellipsis in
// place of the last character kept.
func cutLines(ls []string, n int) []string {
	if len(ls) <= n {
		return ls
	}
	ls = ls[:max(n, 1)]
	last := []rune(ls[len(ls)-1])
	ls[len(ls)-1] = string(last[:len(last)-1]) + "…"
	return ls
}

// breakLink wraps a link to width w at the given size, in as few lines as
// it can. Among those it prefers to end a line after a slash, or before ?
// & or #, where a reader sees that the link goes on; then a break inside
// the token over one inside the host name or the scheme, which readers
// misread most. No character is added or dropped, so the lines joined are
// the link.
func (r *pdfRenderer) breakLink(link string, size, w float64) []string {
	r.f.SetFont(monoFamily, "B", size)
	rs := []rune(link)
	n := len(rs)
	if n == 0 {
		return nil
	}
	x := make([]float64, n+1)
	for i, c := range rs {
		x[i+1] = x[i] + r.f.GetStringWidth(string(c))
	}
	scheme, host := 0, 0
	if i := strings.Index(link, "://"); i >= 0 {
		scheme = utf8.RuneCountInString(link[:i+3])
		host = n
		if j := strings.IndexAny(link[i+3:], "/?#"); j >= 0 {
			host = utf8.RuneCountInString(link[:i+3+j])
		}
	}
	penalty := func(j int) float64 {
		switch {
		case j < scheme:
			return linkBadBreak
		case rs[j-1] == '/' || strings.ContainsRune("?&#", rs[j]):
			return 0
		case j < host:
			return linkBadBreak
		}
		return linkHardBreak
	}
	// cost[j] is the least cost of setting rs[:j] with a line ending at j;
	// from[j] is where that line starts.
	cost := make([]float64, n+1)
	from := make([]int, n+1)
	for j := 1; j <= n; j++ {
		cost[j] = math.Inf(1)
		// A rune wider than the line still gets a line of its own.
		for i := j - 1; i >= 0 && (i == j-1 || x[j]-x[i] <= w); i-- {
			c := cost[i] + linkLine
			if j < n {
				slack := w - (x[j] - x[i])
				c += penalty(j) + linkSlack*slack*slack
			}
			if c < cost[j] {
				cost[j], from[j] = c, i
			}
		}
	}
	var out []string
	for j := n; j > 0; j = from[j] {
		out = append(out, string(rs[from[j]:j]))
	}
	slices.Reverse(out)
	return out
}

// The costs breakLink weighs. An extra line costs as much as a break in
// the token; a break in the host name costs more, so a link takes a line
// more rather than split its host. The slack term, small against the
// others, fills the first lines and leaves the rest for the last.
const (
	linkLine      = 10.0
	linkHardBreak = 10.0
	linkBadBreak  = 15.0
	linkSlack     = 1e-4
)
