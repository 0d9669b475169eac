package report

import (
	"math"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The charts of the PDF, drawn with gofpdf's primitives. Each one writes
// its numbers next to the marks and names its bands in words, so that it
// reads in a greyscale print and never by colour alone.

// profile draws horizontal bars with 95 % intervals on a 0-100 scale over
// the band zones, with the value and a traffic light to the right of each
// bar. With labels false it draws one unlabelled bar (the factor pages).
func (r *pdfRenderer) profile(rows []profileRow, labels bool) {
	f := r.f
	labelW := 52.0
	if !labels {
		labelW = 0
	}
	valueW := 36.0
	if !labels {
		valueW = 0
	}
	x0 := marginL + labelW
	plotW := contentW - labelW - valueW
	rowH := 9.5
	if !labels {
		rowH = 7
	}
	plotH := rowH * float64(len(rows))
	r.ensure(plotH + 10)
	top := f.GetY() + 1
	xs := func(v float64) float64 { return x0 + plotW*clamp(v, 0, 100)/100 }
	// Zones.
	amber, green := r.d.Bands.Amber, r.d.Bands.Green
	for _, z := range []struct {
		lo, hi float64
		b      survey.Band
	}{{0, amber, survey.BandRed}, {amber, green, survey.BandAmber}, {green, 100, survey.BandGreen}} {
		r.fill(bandTint(z.b))
		f.Rect(xs(z.lo), top, xs(z.hi)-xs(z.lo), plotH, "F")
	}
	// Grid and axis.
	r.stroke(colGrid)
	f.SetLineWidth(0.15)
	for v := 0.0; v <= 100; v += 25 {
		f.Line(xs(v), top, xs(v), top+plotH)
	}
	r.stroke(colMuted)
	f.SetLineWidth(0.25)
	f.SetDashPattern([]float64{1, 0.8}, 0)
	for _, v := range []float64{amber, green} {
		f.Line(xs(v), top-1, xs(v), top+plotH)
	}
	f.SetDashPattern(nil, 0)
	f.Line(x0, top+plotH, x0+plotW, top+plotH)
	for v := 0.0; v <= 100; v += 25 {
		r.textAt(xs(v)-6, top+plotH+0.5, 12, r.n.fixed(v, 0), "", 7, 3.2, colMuted, "C", 1)
	}
	for i, row := range rows {
		y := top + float64(i)*rowH
		cy := y + rowH/2
		if labels {
			style := ""
			if row.Index {
				style = "B"
			}
			ls := r.lines(row.Name, style, 8.5, labelW-2)
			lh := 3.7
			if len(ls) > 2 {
				ls = ls[:2]
			}
			r.textAt(marginL, cy-float64(len(ls))*lh/2, labelW-2, row.Name, style, 8.5, lh, colText, "L", 2)
		}
		s := row.Score
		if !s.Shown {
			r.textAt(x0+2, cy-2, plotW-4, s.Reason, "", 7.5, 4, colMuted, "L", 1)
			continue
		}
		barH := 3.6
		if row.Index {
			barH = 4.4
		}
		r.fill(bandFill(s.Band))
		r.stroke(colText)
		f.SetLineWidth(0.2)
		f.Rect(x0, cy-barH/2, xs(s.Mean)-x0, barH, "FD")
		if s.HasCI {
			r.whisker(xs(s.Low), xs(s.High), cy, barH/2+1.2)
		}
		if labels {
			r.textAt(x0+plotW+1, cy-2.2, 13, s.Value, "B", 9, 4.4, colText, "R", 1)
			r.chip(x0+plotW+15.5, cy, s.Band, s.BandWord, 8.5)
		}
	}
	f.SetY(top + plotH + 5)
}

// whisker draws an interval as a line with end caps.
func (r *pdfRenderer) whisker(x1, x2, cy, half float64) {
	f := r.f
	r.stroke(colText)
	f.SetLineWidth(0.45)
	f.Line(x1, cy, x2, cy)
	f.Line(x1, cy-half, x1, cy+half)
	f.Line(x2, cy-half, x2, cy+half)
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// distribution draws the disagree/neutral/agree shares as one stacked bar
// with the percentages in the segments and a legend below.
func (r *pdfRenderer) distribution(fv factorView) {
	f, l := r.f, r.d.L
	r.ensure(16)
	y := f.GetY()
	x := marginL
	w := contentW
	h := 6.0
	segs := []struct {
		v    float64
		c    rgb
		ink  rgb
		text string
		word string
	}{
		{fv.Shares.Disagree, colDisagr, colWhite, fv.SharesText[0], l.Disagree},
		{fv.Shares.Neutral, colNeutral, colText, fv.SharesText[1], l.Neutral},
		{fv.Shares.Agree, colAgree, colText, fv.SharesText[2], l.Agree},
	}
	for _, s := range segs {
		sw := w * s.v
		if sw <= 0 {
			continue
		}
		r.fill(s.c)
		f.Rect(x, y, sw, h, "F")
		if sw >= 10 {
			r.textAt(x, y+1, sw, s.text, "B", 8, 4, s.ink, "C", 1)
		}
		x += sw
	}
	r.stroke(colText)
	f.SetLineWidth(0.2)
	f.Rect(marginL, y, w, h, "D")
	// Legend: the words and percentages, so the bar is never read by
	// colour alone.
	lx := marginL
	ly := y + h + 2.6
	for _, s := range segs {
		r.fill(s.c)
		r.stroke(colText)
		f.SetLineWidth(0.15)
		f.Rect(lx, ly-1.5, 3, 3, "FD")
		text := s.word + " " + s.text
		r.font("", 8)
		tw := f.GetStringWidth(text) + 2
		r.textAt(lx+3.5, ly-2, tw, text, "", 8, 4, colText, "L", 1)
		lx += 3.5 + tw + 4
	}
	f.SetY(ly + 3.5)
}

// diffChart draws differences with their 95 % intervals around a zero
// line, with the 5-point band of "substantial" lightly shaded and the
// verdict in words next to every row.
func (r *pdfRenderer) diffChart(cv *comparisonView) {
	f := r.f
	labelW := 50.0
	verdictW := 44.0
	x0 := marginL + labelW
	plotW := contentW - labelW - verdictW
	rowH := 9.0
	plotH := rowH * float64(len(cv.Rows))
	r.ensure(plotH + 14)
	top := f.GetY() + 1
	// The axis is symmetric and a multiple of 10, so that the ticks at
	// half of it are whole numbers.
	limit := 10.0
	for _, row := range cv.Rows {
		if !row.Shown {
			continue
		}
		for _, v := range []float64{row.DiffV, row.Low, row.High} {
			for limit < math.Abs(v) && limit < 100 {
				limit += 10
			}
		}
	}
	xs := func(v float64) float64 { return x0 + plotW*(clamp(v, -limit, limit)+limit)/(2*limit) }
	r.fill(colZone5)
	f.Rect(xs(-5), top, xs(5)-xs(-5), plotH, "F")
	r.stroke(colGrid)
	f.SetLineWidth(0.15)
	for _, v := range []float64{-limit, -limit / 2, limit / 2, limit} {
		f.Line(xs(v), top, xs(v), top+plotH)
	}
	r.stroke(colText)
	f.SetLineWidth(0.35)
	f.Line(xs(0), top-1, xs(0), top+plotH)
	r.stroke(colMuted)
	f.SetLineWidth(0.25)
	f.Line(x0, top+plotH, x0+plotW, top+plotH)
	for _, v := range []float64{-limit, -limit / 2, 0, limit / 2, limit} {
		label := r.n.fixed(v, 0)
		if v > 0 {
			label = "+" + label
		}
		r.textAt(xs(v)-7, top+plotH+0.5, 14, label, "", 7, 3.2, colMuted, "C", 1)
	}
	r.textAt(x0, top+plotH+4, plotW, cv.Axis, "", 7, 3.2, colMuted, "C", 1)
	for i, row := range cv.Rows {
		y := top + float64(i)*rowH
		cy := y + rowH/2
		style := ""
		if row.Index {
			style = "B"
		}
		nl := min(len(r.lines(row.Measure, style, 8.5, labelW-2)), 2)
		r.textAt(marginL, cy-float64(nl)*3.7/2, labelW-2, row.Measure, style, 8.5, 3.7, colText, "L", 2)
		if !row.Shown {
			r.textAt(x0+plotW+2, cy-2, verdictW-2, row.Verdict, "", 8, 4, colMuted, "L", 1)
			continue
		}
		if row.HasCI {
			r.whisker(xs(row.Low), xs(row.High), cy, 1.4)
		}
		r.fill(colAccent)
		r.stroke(colText)
		f.SetLineWidth(0.2)
		f.Rect(xs(row.DiffV)-1.3, cy-1.3, 2.6, 2.6, "FD")
		r.textAt(x0+plotW+2, cy-3.8, verdictW-2, row.Diff, "B", 8, 3.7, colText, "L", 1)
		r.textAt(x0+plotW+2, cy, verdictW-2, row.Verdict, "", 7.5, 3.5, colText, "L", 1)
	}
	f.SetY(top + plotH + 10)
}

// heatmap draws a breakdown as a table of coloured cells with the value in
// each; hidden rows and cells are grey with the footnote letter of the
// reason.
func (r *pdfRenderer) heatmap(hv heatView) {
	f, l := r.f, r.d.L
	nameW, nW := 46.0, 10.0
	cellW := (contentW - nameW - nW) / float64(len(hv.Columns))
	// Column heads wrap between words, with narrow cell margins; a word
	// wider than its column makes the whole head row smaller instead of
	// breaking inside the word.
	margin := f.GetCellMargin()
	f.SetCellMargin(0.4)
	headSize := 7.5
	for headSize > 5.5 && !r.wordsFit(hv.Columns, "B", headSize, cellW) {
		headSize -= 0.25
	}
	headLH := headSize * 0.45
	headH := 0.0
	for _, c := range hv.Columns {
		headH = max(headH, r.textHeight(c, "B", headSize, cellW, headLH))
	}
	headH += 2
	f.SetCellMargin(margin)
	header := func() {
		y := f.GetY()
		r.textAt(marginL, y+headH-headLH-1, nameW, hv.RowHead, "B", headSize, headLH, colText, "L", 1)
		r.textAt(marginL+nameW, y+headH-headLH-1, nW, l.N, "B", headSize, headLH, colText, "R", 1)
		f.SetCellMargin(0.4)
		for i, c := range hv.Columns {
			ls := r.lines(c, "B", headSize, cellW)
			off := headH - float64(len(ls))*headLH - 1
			r.textAt(marginL+nameW+nW+float64(i)*cellW, y+off, cellW, c, "B", headSize, headLH, colText, "C", 0)
		}
		f.SetCellMargin(margin)
		r.stroke(colAccent)
		f.SetLineWidth(0.3)
		f.Line(marginL, y+headH, marginL+contentW, y+headH)
		f.SetY(y + headH + 0.6)
	}
	rowH := func(row heatRow) float64 {
		style := ""
		if row.Other {
			style = "B"
		}
		return max(5.6, float64(min(len(r.lines(row.Name, style, 8, nameW)), 2))*3.6+2)
	}
	r.ensure(headH + 3*5.6)
	header()
	for _, row := range hv.Rows {
		h := rowH(row)
		if f.GetY()+h > pageBottom {
			f.AddPage()
			header()
		}
		y := f.GetY()
		style := ""
		if row.Other {
			style = "B"
		}
		nl := min(len(r.lines(row.Name, style, 8, nameW)), 2)
		r.textAt(marginL, y+(h-float64(nl)*3.6)/2, nameW, row.Name, style, 8, 3.6, colText, "L", 2)
		r.textAt(marginL+nameW, y+(h-3.6)/2, nW, row.N, "", 8, 3.6, colText, "R", 1)
		for i := range hv.Columns {
			x := marginL + nameW + nW + float64(i)*cellW
			var c heatCell
			if row.Shown && i < len(row.Cells) {
				c = row.Cells[i]
			}
			if c.Shown {
				r.fill(bandFill(c.Band))
				f.Rect(x+0.3, y+0.3, cellW-0.6, h-0.6, "F")
				r.textAt(x, y+(h-3.6)/2, cellW, c.Value, "B", 8, 3.6, bandInk(c.Band), "C", 1)
				continue
			}
			r.fill(colHidden)
			f.Rect(x+0.3, y+0.3, cellW-0.6, h-0.6, "F")
			marker := c.Marker
			if !row.Shown {
				marker = row.Marker
			}
			r.textAt(x, y+(h-3.6)/2, cellW, "– ("+marker+")", "", 7.5, 3.6, colMuted, "C", 1)
		}
		f.SetY(y + h)
	}
	f.Ln(1.5)
	for _, nt := range hv.Notes {
		r.para(nt, "", smallSize, smallLineH, colMuted)
	}
	r.bandLegend()
}

// wordsFit reports whether every word of every text fits width w.
func (r *pdfRenderer) wordsFit(texts []string, style string, size, w float64) bool {
	r.font(style, size)
	avail := w - 2*r.f.GetCellMargin()
	for _, t := range texts {
		for _, word := range strings.Fields(t) {
			if r.f.GetStringWidth(word) > avail {
				return false
			}
		}
	}
	return true
}

// bandLegend explains the cell colours in words and numbers.
func (r *pdfRenderer) bandLegend() {
	f, l := r.f, r.d.L
	r.ensure(8)
	y := f.GetY() + 2.5
	x := marginL
	amber, green := r.n.fixed(r.d.Bands.Amber, 0), r.n.fixed(r.d.Bands.Green, 0)
	texts := map[survey.Band]string{
		survey.BandRed:   "< " + amber,
		survey.BandAmber: amber + "–" + green,
		survey.BandGreen: "≥ " + green,
	}
	for _, b := range []survey.Band{survey.BandRed, survey.BandAmber, survey.BandGreen} {
		x += r.chip(x, y, b, l.BandWord(b)+" "+texts[b], 8) + 4
	}
	f.SetY(y + 4)
}
