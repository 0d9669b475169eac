package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The HTML twin is the same report as one self-contained page: gofpdf
// cannot write tagged PDF, and government documents must be accessible
// (WCAG 2.1 AA). Every chart is an SVG with role="img", a title and a text
// description, followed by a table with a caption and header cells that
// holds the same numbers. There are no scripts and no external resources;
// the styles are in one <style> element.
//
//go:embed report.html.tmpl
var htmlTemplate string

// HTML renders the report as one accessible HTML page, deterministic like
// PDF.
func HTML(in Input) ([]byte, error) {
	d, err := build(in)
	if err != nil {
		return nil, err
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"bandClass": func(b survey.Band) string {
			if b == "" {
				return "band-none"
			}
			return "band-" + string(b)
		},
		"inc": func(i int) int { return i + 1 },
		// dict passes the labels, a caption and the data to a sub-template.
		"dict": func(l *labels, caption string, data any) map[string]any {
			return map[string]any{"L": l, "Caption": caption, "Data": data}
		},
	}).Parse(htmlTemplate)
	if err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: HTML template")
	}
	v := htmlView{doc: d, Charts: htmlCharts(d)}
	// The ids stay those of the eight fixed chapters; the chapter on what
	// was done since the previous wave, when there is one, moves the
	// numbers of the method and the appendix on.
	for i, s := range []string{d.L.Summary, d.L.Factors, d.L.Routes, d.L.Gap, d.L.Units, d.L.Trend} {
		v.TOC = append(v.TOC, tocEntry{ID: "s" + strconv.Itoa(i+1), Title: s})
	}
	if d.Since != nil {
		v.TOC = append(v.TOC, tocEntry{ID: "s-since", Title: d.Since.Title})
	}
	v.TOC = append(v.TOC, tocEntry{ID: "s7", Title: d.L.Method}, tocEntry{ID: "s8", Title: d.L.Appendix})
	for i := range v.TOC {
		v.TOC[i].Number = i + 1
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, survey.Wrap(survey.CodeInternal, err, "report: HTML")
	}
	return buf.Bytes(), nil
}

// HTMLStyleSource returns the Content-Security-Policy source that allows
// the page's one <style> element ('sha256-…'), so that a server can send
// style-src with it instead of 'unsafe-inline'. The styles hold no template
// actions, so the hash is the same for every report.
func HTMLStyleSource() string {
	_, rest, _ := strings.Cut(htmlTemplate, "<style>")
	css, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

type tocEntry struct {
	ID     string
	Number int
	Title  string
}

type htmlView struct {
	*doc
	TOC    []tocEntry
	Charts charts
}

// Num is the number of the chapter with the given id.
func (v htmlView) Num(id string) int {
	for _, e := range v.TOC {
		if e.ID == id {
			return e.Number
		}
	}
	return 0
}

type charts struct {
	Profile     svgChart
	Factors     []svgChart
	Shares      []svgChart
	Comparisons []svgChart
	Trend       *svgChart
}

// svgChart is a chart as SVG primitives with their coordinates already
// formatted, so that the template only places them.
type svgChart struct {
	ID     string
	Width  string
	Height string
	// ViewBox leaves a margin left of x = 0, where axis labels are
	// centred on the first tick.
	ViewBox string
	Title   string
	Desc    string
	Shapes  []shape
}

type shape struct {
	Kind                   string // rect, line, text, circle
	X, Y, W, H             string
	X2, Y2, R              string
	Fill, Stroke, StrokeW  string
	Dash                   string
	Text, Anchor, FontSize string
	Bold                   bool
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// newChart sizes a chart, with a 14-unit margin on either side.
func newChart(id, title string, width, height float64) svgChart {
	return svgChart{ID: id, Title: title, Width: px(width + 28), Height: px(height),
		ViewBox: "-14 0 " + px(width+28) + " " + px(height)}
}

func hex(c rgb) string { return "#" + strconv.FormatUint(uint64(c)|1<<24, 16)[1:] }

func (c *svgChart) rect(x, y, w, h float64, fill rgb, stroke string) {
	c.Shapes = append(c.Shapes, shape{Kind: "rect", X: px(x), Y: px(y), W: px(max(w, 0)), H: px(h), Fill: hex(fill), Stroke: stroke, StrokeW: "0.8"})
}

func (c *svgChart) line(x1, y1, x2, y2 float64, stroke rgb, width float64, dash string) {
	c.Shapes = append(c.Shapes, shape{Kind: "line", X: px(x1), Y: px(y1), X2: px(x2), Y2: px(y2), Stroke: hex(stroke), StrokeW: px(width), Dash: dash})
}

func (c *svgChart) text(x, y float64, s, anchor string, size float64, bold bool, fill rgb) {
	c.Shapes = append(c.Shapes, shape{Kind: "text", X: px(x), Y: px(y), Text: s, Anchor: anchor, FontSize: px(size), Bold: bold, Fill: hex(fill)})
}

func (c *svgChart) whisker(x1, x2, cy, half float64) {
	c.line(x1, cy, x2, cy, colText, 1.6, "")
	c.line(x1, cy-half, x1, cy+half, colText, 1.6, "")
	c.line(x2, cy-half, x2, cy+half, colText, 1.6, "")
}

func htmlCharts(d *doc) charts {
	var cs charts
	cs.Profile = profileSVG(d, "chart-profile", d.L.Profile, d.Profile, true)
	for i, f := range d.Factors {
		cs.Factors = append(cs.Factors, profileSVG(d, "chart-factor-"+strconv.Itoa(i+1), f.Name, []profileRow{{Name: f.Name, Score: f.Score}}, false))
		cs.Shares = append(cs.Shares, sharesSVG(d, "chart-shares-"+strconv.Itoa(i+1), f))
	}
	for i := range d.Comparisons {
		cs.Comparisons = append(cs.Comparisons, diffSVG(d, "chart-gap-"+strconv.Itoa(i+1), &d.Comparisons[i]))
	}
	if d.Trend != nil {
		t := diffSVG(d, "chart-trend", d.Trend)
		cs.Trend = &t
	}
	return cs
}

// profileSVG is the bar chart with intervals over the band zones.
func profileSVG(d *doc, id, title string, rows []profileRow, labels bool) svgChart {
	n := d.num
	labelW, valueW := 230.0, 110.0
	if !labels {
		labelW, valueW = 0, 0
	}
	plotW := 400.0
	if !labels {
		plotW = 640
	}
	rowH := 30.0
	width := labelW + plotW + valueW + 10
	top := 8.0
	plotH := rowH * float64(len(rows))
	c := newChart(id, title, width, top+plotH+24)
	xs := func(v float64) float64 { return labelW + plotW*clamp(v, 0, 100)/100 }
	amber, green := d.Bands.Amber, d.Bands.Green
	c.rect(xs(0), top, xs(amber)-xs(0), plotH, bandTint(survey.BandRed), "")
	c.rect(xs(amber), top, xs(green)-xs(amber), plotH, bandTint(survey.BandAmber), "")
	c.rect(xs(green), top, xs(100)-xs(green), plotH, bandTint(survey.BandGreen), "")
	for v := 0.0; v <= 100; v += 25 {
		c.line(xs(v), top, xs(v), top+plotH, colGrid, 0.6, "")
		c.text(xs(v), top+plotH+15, n.fixed(v, 0), "middle", 11, false, colMuted)
	}
	for _, v := range []float64{amber, green} {
		c.line(xs(v), top-3, xs(v), top+plotH, colMuted, 1, "4 3")
	}
	var desc []string
	for i, row := range rows {
		cy := top + float64(i)*rowH + rowH/2
		if labels {
			c.text(0, cy+4, truncate(row.Name, 36), "start", 12, row.Index, colText)
		}
		s := row.Score
		if !s.Shown {
			c.text(labelW+6, cy+4, s.Reason, "start", 11, false, colMuted)
			desc = append(desc, row.Name+": "+s.Reason)
			continue
		}
		barH := 14.0
		c.rect(labelW, cy-barH/2, xs(s.Mean)-labelW, barH, bandFill(s.Band), hex(colText))
		if s.HasCI {
			c.whisker(xs(s.Low), xs(s.High), cy, barH/2+4)
		}
		if labels {
			c.text(labelW+plotW+44, cy+4, s.Value, "end", 12, true, colText)
			c.text(labelW+plotW+52, cy+4, s.BandWord, "start", 12, false, colText)
		}
		line := row.Name + ": " + s.Value + " (" + s.BandWord + ")"
		if s.HasCI {
			line += ", " + d.L.Interval + " " + s.CI
		}
		desc = append(desc, line)
	}
	c.Desc = strings.Join(desc, "; ") + "."
	return c
}

func sharesSVG(d *doc, id string, f factorView) svgChart {
	l := d.L
	width, h := 640.0, 26.0
	c := newChart(id, l.Distribution+": "+f.Name, width, h+4)
	x := 0.0
	segs := []struct {
		v    float64
		fill rgb
		ink  rgb
		text string
		word string
	}{
		{f.Shares.Disagree, colDisagr, colWhite, f.SharesText[0], l.Disagree},
		{f.Shares.Neutral, colNeutral, colText, f.SharesText[1], l.Neutral},
		{f.Shares.Agree, colAgree, colText, f.SharesText[2], l.Agree},
	}
	var desc []string
	for _, s := range segs {
		w := width * s.v
		c.rect(x, 2, w, h, s.fill, "")
		if w >= 60 {
			c.text(x+w/2, 2+h/2+5, s.word+" "+s.text, "middle", 12, true, s.ink)
		}
		x += w
		desc = append(desc, s.word+" "+s.text)
	}
	c.Desc = strings.Join(desc, ", ") + "."
	return c
}

// diffSVG is the gap chart: differences with intervals around zero.
func diffSVG(d *doc, id string, cv *comparisonView) svgChart {
	n := d.num
	labelW, plotW, verdictW := 230.0, 320.0, 210.0
	rowH := 34.0
	top := 8.0
	plotH := rowH * float64(len(cv.Rows))
	c := newChart(id, cv.Title, labelW+plotW+verdictW, top+plotH+40)
	limit := 10.0
	for _, row := range cv.Rows {
		if row.Shown {
			for _, v := range []float64{row.DiffV, row.Low, row.High} {
				for limit < math.Abs(v) && limit < 100 {
					limit += 10
				}
			}
		}
	}
	xs := func(v float64) float64 { return labelW + plotW*(clamp(v, -limit, limit)+limit)/(2*limit) }
	c.rect(xs(-5), top, xs(5)-xs(-5), plotH, colZone5, "")
	for _, v := range []float64{-limit, -limit / 2, 0, limit / 2, limit} {
		if v != 0 {
			c.line(xs(v), top, xs(v), top+plotH, colGrid, 0.6, "")
		}
		label := n.fixed(v, 0)
		if v > 0 {
			label = "+" + label
		}
		c.text(xs(v), top+plotH+15, label, "middle", 11, false, colMuted)
	}
	c.line(xs(0), top-3, xs(0), top+plotH, colText, 1.4, "")
	c.text(labelW+plotW/2, top+plotH+32, cv.Axis, "middle", 11, false, colMuted)
	var desc []string
	for i, row := range cv.Rows {
		cy := top + float64(i)*rowH + rowH/2
		c.text(0, cy+4, truncate(row.Measure, 36), "start", 12, row.Index, colText)
		if !row.Shown {
			c.text(labelW+plotW+8, cy+4, row.Verdict, "start", 11, false, colMuted)
			desc = append(desc, row.Measure+": "+row.Verdict)
			continue
		}
		if row.HasCI {
			c.whisker(xs(row.Low), xs(row.High), cy, 6)
		}
		c.rect(xs(row.DiffV)-5, cy-5, 10, 10, colAccent, hex(colText))
		c.text(labelW+plotW+8, cy-2, row.Diff, "start", 12, true, colText)
		c.text(labelW+plotW+8, cy+12, row.Verdict, "start", 11, false, colText)
		line := row.Measure + ": " + row.Diff + " (" + row.Verdict + ")"
		if row.HasCI {
			line += ", " + d.L.Interval + " " + row.CI
		}
		desc = append(desc, line)
	}
	c.Desc = strings.Join(desc, "; ") + "."
	return c
}
