package report

import (
	"bytes"
	_ "embed"
	"strconv"
	"time"
	"unicode"

	"github.com/jung-kurt/gofpdf"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) covers the Latin,
// Greek and Cyrillic alphabets, the Dutch diacritics and the typographic
// quotes, dashes and € the report prints. gofpdf embeds only the glyphs a
// document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const fontFamily = "dejavu"

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 20.0
	marginR      = 20.0
	marginT      = 20.0
	marginB      = 22.0
	contentW     = pageW - marginL - marginR
	pageBottom   = pageH - marginB
	footerY      = pageH - 14.0
	bodySize     = 9.5
	smallSize    = 8.0
	lineH        = 4.6
	smallLineH   = 3.8
	sectionLevel = 0
)

// PDF renders the report as a PDF document. It is deterministic: the same
// input gives the same bytes (fixed creation date, sorted catalogs, no map
// iteration in the output).
func PDF(in Input) ([]byte, error) {
	d, err := build(in)
	if err != nil {
		return nil, err
	}
	return renderPDF(d, in.GeneratedOn, in.Author)
}

// renderPDF lays the document out twice: the first pass finds the page of
// every section, the second prints those pages in the table of contents
// and the page total in the footer. The table of contents has a fixed
// place and size, so both passes break pages identically; that is checked.
func renderPDF(d *doc, generated time.Time, author string) (out []byte, err error) {
	defer func() {
		// gofpdf reports most problems through its error state, but a few
		// of its code paths index slices without checks. A report that
		// cannot be drawn is an error for the caller, not a crash of the
		// server.
		if r := recover(); r != nil {
			out, err = nil, survey.Errorf(survey.CodeInternal, "report: drawing the PDF failed: %v", r)
		}
	}()
	first, err := newPDFRenderer(d, generated, author, nil, 0).render()
	if err != nil {
		return nil, err
	}
	second := newPDFRenderer(d, generated, author, first.pages, first.f.PageNo())
	if _, err := second.render(); err != nil {
		return nil, err
	}
	for i := range first.pages {
		if first.pages[i] != second.pages[i] {
			return nil, survey.Errorf(survey.CodeInternal, "report: page breaks differ between the layout passes")
		}
	}
	var buf bytes.Buffer
	if err := second.f.Output(&buf); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: writing the PDF failed")
	}
	return withCatalogEntries(buf.Bytes(), d.Lang)
}

// withCatalogEntries adds /Lang (the document language, which screen
// readers and accessibility checkers need) and /ViewerPreferences
// /DisplayDocTitle to the document catalog. gofpdf has no call for either.
// It writes the catalog as the last object before the cross-reference
// table, so inserting bytes inside it moves only the startxref offset,
// which is rewritten.
func withCatalogEntries(pdf []byte, lang string) ([]byte, error) {
	marker := []byte("/Type /Catalog\n")
	i := bytes.LastIndex(pdf, marker)
	xref := bytes.LastIndex(pdf, []byte("\nxref\n"))
	start := bytes.LastIndex(pdf, []byte("startxref\n"))
	if i < 0 || xref < i || start < xref {
		return nil, survey.Errorf(survey.CodeInternal, "report: unexpected PDF structure")
	}
	insert := []byte("/Lang (" + lang + ")\n/ViewerPreferences << /DisplayDocTitle true >>\n")
	var out bytes.Buffer
	out.Grow(len(pdf) + len(insert))
	out.Write(pdf[:i+len(marker)])
	out.Write(insert)
	out.Write(pdf[i+len(marker) : start])
	out.WriteString("startxref\n" + strconv.Itoa(xref+1+len(insert)) + "\n%%EOF\n")
	return out.Bytes(), nil
}

// rgb is a colour as 0xRRGGBB.
type rgb uint32

func (c rgb) parts() (int, int, int) { return int(c >> 16 & 0xff), int(c >> 8 & 0xff), int(c & 0xff) }

// Colours. The three band colours differ in lightness as well as hue
// (dark red, light amber, middle green), so that a greyscale print keeps
// them apart; the band is also always written out in words.
const (
	colText    rgb = 0x1a1a1a
	colMuted   rgb = 0x555555
	colAccent  rgb = 0x1f3a5f
	colRule    rgb = 0xbfbfbf
	colGrid    rgb = 0xd7d7d7
	colHidden  rgb = 0xeeeeee
	colWhite   rgb = 0xffffff
	colZone5   rgb = 0xececec
	colPanel   rgb = 0xf4f6f9
	colHead    rgb = 0xe8ecf2
	colDisagr  rgb = 0x8c2d04
	colNeutral rgb = 0xe0e0e0
	colAgree   rgb = 0x4393c3
)

func bandFill(b survey.Band) rgb {
	switch b {
	case survey.BandRed:
		return 0xb2182b
	case survey.BandAmber:
		return 0xf4c542
	case survey.BandGreen:
		return 0x5aae61
	}
	return 0xc8c8c8
}

// bandTint is the light background of a band's zone in the charts.
func bandTint(b survey.Band) rgb {
	switch b {
	case survey.BandRed:
		return 0xf9e2e4
	case survey.BandAmber:
		return 0xfdf4d9
	case survey.BandGreen:
		return 0xe2f2e3
	}
	return colWhite
}

// bandInk is the text colour on a band fill with enough contrast.
func bandInk(b survey.Band) rgb {
	if b == survey.BandRed {
		return colWhite
	}
	return colText
}

type section struct {
	title string
	level int
}

type pdfRenderer struct {
	f        *gofpdf.Fpdf
	d        *doc
	n        numbers
	sections []section
	pages    []int // page of each section, in order of appearance
	known    []int // pages from the first pass; nil in the first pass
	total    int
	links    []int
	chapter  int
}

func newPDFRenderer(d *doc, generated time.Time, author string, known []int, total int) *pdfRenderer {
	f := gofpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(generated)
	f.SetModificationDate(generated)
	f.SetCompression(true)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginL, marginT, marginR)
	f.SetAutoPageBreak(true, marginB)
	f.SetTitle(d.Title+" – "+d.Org, true)
	f.SetSubject(d.Diagnostic, true)
	if a := name(author, maxAuthorRunes); a != "" {
		f.SetAuthor(a, true)
	} else {
		f.SetAuthor(d.L.TitleShort, true)
	}
	f.SetCreator("Uitvoeringskracht", true)
	f.SetProducer("Uitvoeringskracht (gofpdf)", true)
	f.SetKeywords(d.L.TitleShort, true)
	f.SetDisplayMode("fullwidth", "continuous")
	r := &pdfRenderer{f: f, d: d, n: d.num, known: known, total: total}
	r.registerLogo(d.Brand)
	f.SetHeaderFunc(r.header)
	f.SetFooterFunc(r.footer)
	return r
}

func (r *pdfRenderer) render() (*pdfRenderer, error) {
	d := r.d
	r.sections = []section{
		{d.L.Summary, 0}, {d.L.Factors, 0}, {d.L.Routes, 0}, {d.L.Gap, 0},
		{d.L.Units, 0}, {d.L.Trend, 0},
	}
	if d.Since != nil {
		// A wave after one with an action plan says what was done since,
		// in a chapter of its own before the method.
		r.sections = append(r.sections, section{d.Since.Title, 0})
	}
	r.sections = append(r.sections, section{d.L.Method, 0}, section{d.L.Appendix, 0})
	for range r.sections {
		r.links = append(r.links, r.f.AddLink())
	}
	r.cover()
	r.summary()
	r.factors()
	r.routes()
	r.gaps()
	r.units()
	r.trend()
	r.since()
	r.method()
	r.appendix()
	if err := r.f.Error(); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: drawing the PDF failed")
	}
	return r, nil
}

// --- drawing primitives ---

func (r *pdfRenderer) font(style string, size float64) { r.f.SetFont(fontFamily, style, size) }
func (r *pdfRenderer) ink(c rgb)                       { r.f.SetTextColor(c.parts()) }
func (r *pdfRenderer) fill(c rgb)                      { r.f.SetFillColor(c.parts()) }
func (r *pdfRenderer) stroke(c rgb)                    { r.f.SetDrawColor(c.parts()) }

// ensure starts a new page unless h millimetres fit below the cursor.
func (r *pdfRenderer) ensure(h float64) {
	if r.f.GetY()+h > pageBottom {
		r.f.AddPage()
	}
}

// lines wraps s to width w in the given font.
func (r *pdfRenderer) lines(s string, style string, size, w float64) []string {
	r.font(style, size)
	if s == "" {
		return nil
	}
	return r.f.SplitText(s, w)
}

// textHeight is the height of s wrapped to width w.
func (r *pdfRenderer) textHeight(s, style string, size, w, lh float64) float64 {
	return float64(len(r.lines(s, style, size, w))) * lh
}

// para writes a wrapped paragraph at the left margin.
func (r *pdfRenderer) para(s string, style string, size, lh float64, c rgb) {
	if s == "" {
		return
	}
	r.font(style, size)
	r.ink(c)
	r.f.SetX(marginL)
	r.f.MultiCell(contentW, lh, s, "", "L", false)
}

// textAt writes s in a box of width w at (x, y), wrapped to at most max
// lines (the last one cut with an ellipsis), and returns the height used.
func (r *pdfRenderer) textAt(x, y, w float64, s, style string, size, lh float64, c rgb, align string, max int) float64 {
	ls := r.lines(s, style, size, w)
	if max > 0 && len(ls) > max {
		ls = ls[:max]
		last := ls[max-1]
		for r.f.GetStringWidth(last+"…") > w-2*r.f.GetCellMargin() && len([]rune(last)) > 1 {
			last = string([]rune(last)[:len([]rune(last))-1])
		}
		ls[max-1] = last + "…"
	}
	r.ink(c)
	for i, l := range ls {
		r.f.SetXY(x, y+float64(i)*lh)
		r.f.CellFormat(w, lh, l, "", 0, align, false, 0, "")
	}
	return float64(len(ls)) * lh
}

// chapter starts a numbered chapter on a new page, with a bookmark and the
// target of its entry in the table of contents.
func (r *pdfRenderer) chapterStart(title string) {
	r.f.AddPage()
	r.f.SetLink(r.links[r.chapter], r.f.GetY(), -1)
	r.pages = append(r.pages, r.f.PageNo())
	r.chapter++
	heading := strconv.Itoa(r.chapter) + "  " + title
	r.font("B", 17)
	r.f.Bookmark(heading, sectionLevel, -1)
	r.ink(colAccent)
	r.f.SetX(marginL)
	r.f.MultiCell(contentW, 8, heading, "", "L", false)
	r.stroke(colAccent)
	r.f.SetLineWidth(0.6)
	y := r.f.GetY() + 1
	r.f.Line(marginL, y, marginL+contentW, y)
	r.f.SetY(y + 5)
}

// heading2 is a sub-heading that keeps at least keep millimetres of what
// follows on the same page.
func (r *pdfRenderer) heading2(title string, keep float64) {
	h := r.textHeight(title, "B", 12, contentW, 6)
	r.ensure(h + 3 + keep)
	if r.f.GetY() > marginT+1 {
		r.f.Ln(2)
	}
	r.font("B", 12)
	r.f.Bookmark(title, sectionLevel+1, -1)
	r.ink(colAccent)
	r.f.SetX(marginL)
	r.f.MultiCell(contentW, 6, title, "", "L", false)
	r.f.Ln(1)
}

func (r *pdfRenderer) heading3(title string, keep float64) {
	h := r.textHeight(title, "B", 10.5, contentW, 5.2)
	r.ensure(h + 2 + keep)
	r.f.Ln(1)
	r.para(title, "B", 10.5, 5.2, colText)
	r.f.Ln(0.5)
}

// chip draws a traffic light: a filled circle in the band's colour with a
// dark outline (so amber shows on white), followed by the band word. It
// returns the width used.
func (r *pdfRenderer) chip(x, y float64, band survey.Band, text string, size float64) float64 {
	if band == "" {
		return 0
	}
	fc := bandFill(band)
	r.fill(fc)
	r.stroke(colText)
	r.f.SetLineWidth(0.2)
	rad := size * 0.16
	r.f.Circle(x+rad, y, rad, "FD")
	r.font("", size)
	r.ink(colText)
	w := r.f.GetStringWidth(text) + 2*r.f.GetCellMargin()
	r.f.SetXY(x+2*rad+0.8, y-size*0.22)
	r.f.CellFormat(w, size*0.44, text, "", 0, "L", false, 0, "")
	return 2*rad + 0.8 + w
}

// --- table ---

type column struct {
	head  string
	width float64
	align string
}

// table draws a table whose cells wrap; the header is repeated on every
// page the table runs onto.
func (r *pdfRenderer) table(cols []column, rows [][]string, size float64, boldFirst bool) {
	lh, pad := size*0.46, 1.2
	headH, rowHs := r.tableLayout(cols, rows, size, boldFirst)
	hs := r.headSize(cols, size)
	header := func() {
		r.ensure(headH + rowHs[0])
		y := r.f.GetY()
		x := marginL
		r.fill(colHead)
		r.f.Rect(marginL, y, contentW, headH, "F")
		for _, c := range cols {
			r.textAt(x, y+pad, c.width, c.head, "B", hs, lh, colText, c.align, 0)
			x += c.width
		}
		r.stroke(colAccent)
		r.f.SetLineWidth(0.3)
		r.f.Line(marginL, y+headH, marginL+contentW, y+headH)
		r.f.SetY(y + headH)
	}
	if len(rows) == 0 {
		return
	}
	header()
	for ri, row := range rows {
		h := rowHs[ri]
		if r.f.GetY()+h > pageBottom {
			r.f.AddPage()
			header()
		}
		y := r.f.GetY()
		x := marginL
		for i, c := range cols {
			style := ""
			if i == 0 && boldFirst {
				style = "B"
			}
			r.textAt(x, y+pad, c.width, row[i], style, size, lh, colText, c.align, 0)
			x += c.width
		}
		r.stroke(colRule)
		r.f.SetLineWidth(0.15)
		r.f.Line(marginL, y+h, marginL+contentW, y+h)
		r.f.SetY(y + h)
	}
	r.f.Ln(2)
}

// tableLayout returns the height of a table's header and of each row.
func (r *pdfRenderer) tableLayout(cols []column, rows [][]string, size float64, boldFirst bool) (float64, []float64) {
	lh, pad := size*0.46, 1.2
	headH := 0.0
	hs := r.headSize(cols, size)
	for _, c := range cols {
		headH = max(headH, r.textHeight(c.head, "B", hs, c.width, lh))
	}
	headH += 2 * pad
	rowHs := make([]float64, len(rows))
	for ri, row := range rows {
		h := lh
		for i, c := range cols {
			style := ""
			if i == 0 && boldFirst {
				style = "B"
			}
			h = max(h, r.textHeight(row[i], style, size, c.width, lh))
		}
		rowHs[ri] = h + 2*pad
	}
	return headH, rowHs
}

// headSize is the largest font size up to size at which no word of a
// column head has to be broken.
func (r *pdfRenderer) headSize(cols []column, size float64) float64 {
	for hs := size; hs > 6; hs -= 0.25 {
		fits := true
		for _, c := range cols {
			fits = fits && r.wordsFit([]string{c.head}, "B", hs, c.width)
		}
		if fits {
			return hs
		}
	}
	return 6
}

// tableHeight is the height of a table on one page, including the space
// after it.
func (r *pdfRenderer) tableHeight(cols []column, rows [][]string, size float64) float64 {
	headH, rowHs := r.tableLayout(cols, rows, size, false)
	h := headH + 2
	for _, rh := range rowHs {
		h += rh
	}
	return h
}

func (r *pdfRenderer) stepsColumns() []column {
	l := r.d.L
	return []column{{"", 7, "L"}, {l.Step, 97, "L"}, {l.Owner, 36, "L"}, {l.Horizon, 30, "L"}}
}

func stepRows(steps []Step) [][]string {
	rows := make([][]string, len(steps))
	for i, s := range steps {
		rows[i] = []string{strconv.Itoa(i+1) + ".", s.Text, s.Owner, s.Horizon}
	}
	return rows
}

func (r *pdfRenderer) stepsTable(steps []Step) {
	r.table(r.stepsColumns(), stepRows(steps), 8.5, false)
}

// stepsHeight is the height of a steps table, for keeping a route's
// heading, diagnosis and steps on one page.
func (r *pdfRenderer) stepsHeight(steps []Step) float64 {
	if len(steps) == 0 {
		return 0
	}
	return r.tableHeight(r.stepsColumns(), stepRows(steps), 8.5)
}

// keepable caps a block height at what fits on an empty page, so that a
// block taller than a page starts where it is instead of leaving a page
// blank.
func keepable(h float64) float64 { return min(h, pageBottom-marginT-20) }

// --- running header and footer ---

// header prints the firm's logo and name above the text of every page
// after the cover, inside the top margin; without a firm's look it prints
// nothing.
func (r *pdfRenderer) header() {
	b := r.d.Brand
	if r.f.PageNo() == 1 || b == nil || (b.Name == "" && b.Logo == nil) {
		return
	}
	x, y := r.f.GetXY()
	lw, _ := r.logoAt(b, marginL+contentW-40, 7, 40, 8, "R")
	if b.Name != "" {
		r.textAt(marginL, 9, contentW-lw-4, b.Name, "", 7.5, 4, colMuted, "L", 1)
	}
	// gofpdf leaves the position where the header left it; the page's
	// text must start where it would without a header.
	r.f.SetXY(x, y)
}

func (r *pdfRenderer) footer() {
	if r.f.PageNo() == 1 {
		return
	}
	f := r.f
	r.stroke(colRule)
	f.SetLineWidth(0.2)
	f.Line(marginL, footerY-2, marginL+contentW, footerY-2)
	page := sprintf(r.d.L.Page, f.PageNo(), max(r.total, f.PageNo()))
	r.font("", 7.5)
	pw := f.GetStringWidth(page) + 2
	left := r.d.L.TitleShort
	if r.d.OrgShort != "" {
		left += " · " + r.d.OrgShort
	}
	if b := r.d.Brand; b != nil && b.Name != "" {
		left += " · " + b.Name
	}
	r.textAt(marginL, footerY, contentW-pw-4, left, "", 7.5, 4, colMuted, "L", 1)
	r.textAt(marginL+contentW-pw, footerY, pw, page, "", 7.5, 4, colMuted, "R", 1)
}

// --- cover ---

func (r *pdfRenderer) cover() {
	d, f := r.d, r.f
	f.AddPage()
	orgLines := r.lines(d.Org, "B", 18, contentW)
	if len(orgLines) > 4 {
		orgLines = orgLines[:4]
	}
	boxH := 38 + float64(len(orgLines))*8
	// The firm's colour passed the contrast rule against white text.
	r.fill(d.Brand.accent(colAccent))
	f.Rect(0, 0, pageW, boxH, "F")
	r.textAt(marginL, 16, contentW, d.Title, "B", 22, 9, colWhite, "L", 2)
	r.textAt(marginL, 30, contentW, d.Org, "B", 18, 8, colWhite, "L", 4)
	f.SetY(boxH + 10)
	r.coverBrand()

	labelW := 42.0
	for _, ft := range d.Facts {
		y := f.GetY()
		r.textAt(marginL, y, labelW, ft.Label, "", bodySize, lineH+0.6, colMuted, "L", 1)
		h := r.textAt(marginL+labelW, y, contentW-labelW, ft.Value, "B", bodySize, lineH+0.6, colText, "L", 3)
		f.SetY(y + max(h, lineH+0.6) + 0.8)
	}
	f.Ln(4)
	r.para(d.CoverNote, "", smallSize+0.5, smallLineH+0.4, colMuted)
	f.Ln(8)

	// The table of contents: one line per chapter, each a link.
	r.font("B", 13)
	r.ink(colAccent)
	f.SetX(marginL)
	f.CellFormat(contentW, 7, d.L.Contents, "", 1, "L", false, 0, "")
	f.Ln(1)
	for i, s := range r.sections {
		y := f.GetY()
		title := strconv.Itoa(i+1) + "  " + s.title
		page := "0"
		if r.known != nil {
			page = strconv.Itoa(r.known[i])
		}
		r.font("", 10.5)
		r.ink(colText)
		tw := f.GetStringWidth(title) + 2
		f.SetXY(marginL, y)
		f.CellFormat(tw, 7, title, "", 0, "L", false, 0, "")
		f.SetXY(marginL+contentW-14, y)
		f.CellFormat(14, 7, page, "", 0, "R", false, 0, "")
		r.stroke(colGrid)
		f.SetLineWidth(0.3)
		f.SetDashPattern([]float64{0.4, 1.2}, 0)
		f.Line(marginL+tw+1, y+4.6, marginL+contentW-13, y+4.6)
		f.SetDashPattern(nil, 0)
		f.Link(marginL, y, contentW, 7, r.links[i])
		f.SetY(y + 7.5)
	}
}

// coverBrand prints the firm's logo, "Opgesteld door" and its name, and
// its contact line, below the cover band.
func (r *pdfRenderer) coverBrand() {
	b, f := r.d.Brand, r.f
	if b == nil || (b.Name == "" && b.Contact == "" && b.Logo == nil) {
		return
	}
	y := f.GetY()
	lw, lh := r.logoAt(b, marginL, y, 60, 18, "L")
	x := marginL
	if lw > 0 {
		x += lw + 6
	}
	ty := y
	if b.Name != "" {
		ty += r.textAt(x, ty, marginL+contentW-x, r.d.L.PreparedBy+" "+b.Name, "B", bodySize, lineH+0.6, colText, "L", 2)
	}
	if b.Contact != "" {
		ty += r.textAt(x, ty, marginL+contentW-x, b.Contact, "", smallSize+0.5, smallLineH+0.4, colMuted, "L", 2)
	}
	f.SetY(max(y+lh, ty) + 6)
}

// --- summary ---

func (r *pdfRenderer) summary() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Summary)

	// The index panel.
	y := f.GetY()
	panelH := 26.0
	r.fill(colPanel)
	f.Rect(marginL, y, contentW, panelH, "F")
	if d.Index.Shown {
		r.font("B", 30)
		r.ink(colText)
		vw := f.GetStringWidth(d.Index.Value) + 4
		f.SetXY(marginL+3, y+4)
		f.CellFormat(vw, 18, d.Index.Value, "", 0, "L", false, 0, "")
		x := marginL + 6 + vw
		r.textAt(x, y+4, contentW-vw-10, l.IndexLong, "B", 12, 6, colText, "L", 1)
		detail := l.Interval + " " + d.Index.CI + " · " + l.N + " = " + d.Index.NText
		if !d.Index.HasCI {
			detail = l.N + " = " + d.Index.NText
		}
		r.textAt(x, y+10.5, contentW-vw-10, detail, "", bodySize, lineH, colMuted, "L", 1)
		r.chip(x+0.5, y+19.5, d.Index.Band, capitalise(d.Index.BandWord)+" – "+d.Index.BandMeaning, 10)
	} else {
		r.textAt(marginL+3, y+6, contentW-6, l.IndexLong+": "+d.Index.Reason, "B", 11, 6, colText, "L", 2)
	}
	f.SetY(y + panelH + 6)

	r.heading2(l.Profile, 60)
	r.profile(d.Profile, true)
	r.para(d.ProfileNote, "", smallSize, smallLineH, colMuted)
	f.Ln(3)

	r.heading2(d.PriorityHead, 20)
	if len(d.Priorities) == 0 {
		r.para(d.PriorityNone, "", bodySize, lineH, colText)
	} else {
		r.para(d.PriorityBasis, "", bodySize, lineH, colText)
	}
	for _, p := range d.Priorities {
		y := f.GetY()
		r.font("B", 13)
		r.ink(colAccent)
		f.SetXY(marginL, y)
		f.CellFormat(8, 6, strconv.Itoa(p.Rank), "", 0, "L", false, 0, "")
		h := r.textAt(marginL+8, y, contentW-8, p.Name, "B", 10.5, 5.4, colText, "L", 2)
		h += r.textAt(marginL+8, y+h, contentW-8, p.Text, "", bodySize, lineH, colMuted, "L", 2)
		f.SetY(y + h + 1.5)
	}
	f.Ln(1)
	r.heading2(l.Conclusion, 10)
	r.para(d.Conclusion, "", 10, 5, colText)
	f.Ln(2)
	if d.TrendSummary != "" || d.BenchmarkText != "" {
		r.heading2(l.Trend, 10)
		r.para(d.TrendSummary, "", bodySize, lineH, colText)
		r.para(d.BenchmarkText, "", bodySize, lineH, colText)
		f.Ln(2)
	}
	if len(d.Routes) > 0 {
		r.heading2(l.Routes, 8*float64(len(d.Routes)))
		for _, rt := range d.Routes {
			y := f.GetY()
			h := r.textAt(marginL, y, 110, rt.Heading, "", bodySize, lineH, colText, "L", 2)
			if rt.Score.Shown {
				r.textAt(marginL+112, y, 14, rt.Score.Value, "B", bodySize, lineH, colText, "R", 1)
				r.chip(marginL+130, y+lineH/2, rt.Score.Band, rt.Score.BandWord, 9)
			} else {
				r.textAt(marginL+112, y, 58, rt.Score.Reason, "", smallSize, lineH, colMuted, "L", 2)
			}
			f.SetY(y + h + 1)
		}
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// --- chapters ---

func (r *pdfRenderer) factors() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Factors)
	for i, fv := range d.Factors {
		need := 8 + r.textHeight(fv.Description, "", 8.5, contentW, 4) + 6 + 18 + 18 + 30
		if i > 0 {
			r.ensure(need)
		}
		r.heading2(fv.Name, 40)
		r.para(fv.Description, "", 8.5, 4, colMuted)
		f.Ln(2)
		y := f.GetY()
		if fv.Score.Shown {
			text := l.Score + " " + fv.Score.Value
			r.font("B", 11)
			r.ink(colText)
			f.SetXY(marginL, y)
			tw := f.GetStringWidth(text) + 3
			f.CellFormat(tw, 6, text, "", 0, "L", false, 0, "")
			x := marginL + tw + 2
			x += r.chip(x, y+3, fv.Score.Band, fv.Score.BandWord+" – "+fv.Score.BandMeaning, 9.5) + 4
			detail := l.N + " = " + fv.Score.NText
			if fv.Score.HasCI {
				detail = l.Interval + " " + fv.Score.CI + " · " + detail
			}
			r.textAt(x, y+0.8, marginL+contentW-x, detail, "", 8.5, 4.4, colMuted, "L", 1)
			f.SetY(y + 8)
			r.profile([]profileRow{{Name: fv.Name, Score: fv.Score}}, false)
		} else {
			r.para(l.Score+": "+fv.Score.Reason, "B", 10, 5, colText)
		}
		if fv.HasShares {
			r.para(l.Distribution, "B", 8.5, 4.4, colText)
			f.Ln(0.5)
			r.distribution(fv)
			r.para(l.DistributionNote, "", 7.5, 3.5, colMuted)
		}
		f.Ln(1.5)
		for _, it := range []struct {
			label string
			item  *itemView
		}{{l.Strongest, fv.Strongest}, {l.Weakest, fv.Weakest}} {
			if it.item == nil {
				continue
			}
			text := "“" + it.item.Text + "” – " + it.item.Favourable
			if it.item.Reverse {
				text += " (" + l.Reverse + ")"
			}
			r.itemLine(it.label, text)
		}
		r.itemLine(l.Reliability, fv.ReliabilityNote)
		for _, dk := range fv.DontKnow {
			r.itemLine(l.DontKnow, dk)
		}
		f.Ln(3)
	}
}

// itemLine writes "label  text" with a hanging indent.
func (r *pdfRenderer) itemLine(label, text string) {
	f := r.f
	labelW := 36.0
	h := r.textHeight(text, "", 8.5, contentW-labelW, 4.1)
	r.ensure(h)
	y := f.GetY()
	r.textAt(marginL, y, labelW, label, "B", 8.5, 4.1, colText, "L", 2)
	r.textAt(marginL+labelW, y, contentW-labelW, text, "", 8.5, 4.1, colText, "L", 0)
	f.SetY(y + max(h, 4.1) + 1)
}

func (r *pdfRenderer) routes() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Routes)
	r.para(l.RoutesIntro, "", bodySize, lineH, colText)
	f.Ln(2)
	for _, rt := range d.Routes {
		keep := 8 + r.textHeight(rt.Description, "", 8.5, contentW, 4) + 2 +
			lineH + r.textHeight(rt.Diagnosis, "", bodySize, contentW, lineH) + 1.5 + r.stepsHeight(rt.Steps)
		r.heading2(rt.Heading, keepable(keep))
		y := f.GetY()
		if rt.Score.Shown {
			text := l.Score + " " + rt.Score.Value
			r.font("B", 11)
			r.ink(colText)
			f.SetXY(marginL, y)
			tw := f.GetStringWidth(text) + 3
			f.CellFormat(tw, 6, text, "", 0, "L", false, 0, "")
			x := marginL + tw + 2
			x += r.chip(x, y+3, rt.Score.Band, rt.Score.BandWord+" – "+rt.Score.BandMeaning, 9.5) + 4
			if rt.Score.HasCI {
				r.textAt(x, y+0.8, marginL+contentW-x, l.Interval+" "+rt.Score.CI, "", 8.5, 4.4, colMuted, "L", 1)
			}
			f.SetY(y + 8)
		} else {
			r.para(l.Score+": "+rt.Score.Reason, "B", 10, 5, colText)
		}
		r.para(rt.Description, "", 8.5, 4, colMuted)
		f.Ln(2)
		if !rt.HasAdvice {
			r.para(l.NoAdvice, "", bodySize, lineH, colMuted)
			continue
		}
		r.para(l.RouteMeaning, "B", bodySize, lineH, colText)
		r.para(rt.Diagnosis, "", bodySize, lineH, colText)
		f.Ln(1.5)
		r.stepsTable(rt.Steps)
	}
	if len(d.PriorityAdv) > 0 {
		first := d.PriorityAdv[0]
		r.heading2(l.PriorityHead, keepable(12+r.textHeight(first.Summary, "", bodySize, contentW, lineH)+r.stepsHeight(first.Steps)))
		for _, pa := range d.PriorityAdv {
			keep := r.textHeight(pa.Summary, "", bodySize, contentW, lineH) + 1.5 + r.stepsHeight(pa.Steps)
			if pa.WeakLink {
				keep += r.textHeight(l.WeakLink, "", 8.5, contentW, 4)
			}
			r.heading3(pa.Heading, keepable(keep))
			r.para(pa.Summary, "", bodySize, lineH, colText)
			if pa.WeakLink {
				r.para(l.WeakLink, "", 8.5, 4, colMuted)
			}
			f.Ln(1.5)
			if len(pa.Steps) > 0 {
				r.stepsTable(pa.Steps)
			}
		}
	}
	if d.GapAdvice != nil {
		r.heading2(l.GapAdviceHead, keepable(r.textHeight(d.GapAdvice.Diagnosis, "", bodySize, contentW, lineH)+1.5+r.stepsHeight(d.GapAdvice.Steps)))
		r.para(d.GapAdvice.Diagnosis, "", bodySize, lineH, colText)
		f.Ln(1.5)
		r.stepsTable(d.GapAdvice.Steps)
	}
}

func (r *pdfRenderer) diffColumns(cv *comparisonView) []column {
	l := r.d.L
	return []column{
		{l.Measure, 42, "L"}, {cv.GroupA, 24, "R"}, {cv.GroupB, 24, "R"},
		{l.Difference, 16, "R"}, {capitalise(l.Interval), 24, "R"}, {l.Verdict, 40, "L"},
	}
}

// comparisonHeight is the height of a comparison's intro, chart and table,
// so that they can be kept on one page.
func (r *pdfRenderer) comparisonHeight(cv *comparisonView) float64 {
	h := r.textHeight(cv.Intro, "", bodySize, contentW, lineH) + 2
	h += 9*float64(len(cv.Rows)) + 11
	return h + r.tableHeight(r.diffColumns(cv), r.diffRows(cv), 8)
}

func (r *pdfRenderer) diffTable(cv *comparisonView) {
	r.table(r.diffColumns(cv), r.diffRows(cv), 8, false)
}

func (r *pdfRenderer) diffRows(cv *comparisonView) [][]string {
	l := r.d.L
	rows := make([][]string, len(cv.Rows))
	for i, row := range cv.Rows {
		verdict := row.Verdict
		if row.Detail != "" {
			verdict += " (" + row.Detail + ")"
		}
		if !row.Shown {
			verdict = l.GapNotShown + ": " + row.Reason
		}
		rows[i] = []string{row.Measure, row.A, row.B, row.Diff, row.CI, verdict}
	}
	return rows
}

func (r *pdfRenderer) gaps() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Gap)
	for i := range d.Comparisons {
		cv := &d.Comparisons[i]
		r.heading2(cv.Title, keepable(r.comparisonHeight(cv)))
		if cv.Intro != "" {
			r.para(cv.Intro, "", bodySize, lineH, colText)
			f.Ln(2)
		}
		r.diffChart(cv)
		r.diffTable(cv)
	}
}

func (r *pdfRenderer) units() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Units)
	r.para(sprintf(l.UnitsIntro, d.Units.MinGroup), "", bodySize, lineH, colText)
	f.Ln(3)
	if d.Units.HasRows {
		r.heatmap(d.Units)
	}
	if d.Roles.HasRows {
		r.heading2(l.Roles, 40)
		r.heatmap(d.Roles)
	}
}

func (r *pdfRenderer) trend() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Trend)
	if d.Trend != nil {
		r.heading2(d.Trend.Title, keepable(r.comparisonHeight(d.Trend)))
		r.para(d.Trend.Intro, "", bodySize, lineH, colText)
		f.Ln(2)
		r.diffChart(d.Trend)
		r.diffTable(d.Trend)
	} else {
		r.para(d.TrendNote, "", bodySize, lineH, colText)
	}
	r.heading2(l.BenchmarkHead, 12)
	r.para(d.BenchmarkText, "", bodySize, lineH, colText)
}

func (r *pdfRenderer) method() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Method)
	for _, p := range d.Method.Paragraphs {
		r.ensure(2 * lineH)
		r.para(p, "", bodySize, lineH, colText)
		f.Ln(2)
	}
	r.para(d.Method.Version, "B", bodySize, lineH, colText)
	f.Ln(2)
	r.heading2(l.Reliability, 30)
	r.para(l.AlphaNote, "", 8.5, 4, colMuted)
	f.Ln(1)
	rows := make([][]string, len(d.Method.Reliability))
	for i, rr := range d.Method.Reliability {
		rows[i] = []string{rr.Factor, rr.Items, rr.Alpha, rr.Note}
	}
	r.table([]column{{l.Factor, 70, "L"}, {l.ItemCount, 20, "R"}, {l.Alpha, 28, "R"}, {"", 52, "L"}}, rows, 8.5, false)
}

func (r *pdfRenderer) appendix() {
	d, f, l := r.d, r.f, r.d.L
	r.chapterStart(l.Appendix)
	r.para(l.ItemsIntro, "", 8.5, 4, colMuted)
	f.Ln(2)
	cols := []column{
		{capitalise(l.Items), 106, "L"},
		{l.Disagree, 16, "R"}, {l.Neutral, 17, "R"}, {l.Agree, 13, "R"}, {l.DontKnow, 18, "R"},
	}
	for _, g := range d.ItemGroups {
		rows := make([][]string, len(g.Items))
		for i, it := range g.Items {
			text := it.Text
			if it.Reverse {
				text += " " + l.ReverseNote
			}
			rows[i] = []string{text, it.Disagree, it.Neutral, it.Agree, it.DontKnow}
		}
		r.heading2(g.Title, keepable(r.tableHeight(cols, rows, 7.5)))
		r.table(cols, rows, 7.5, false)
	}
}
