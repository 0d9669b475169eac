package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The export files of a diagnostic, by the last part of their path.
const (
	exportAggregatesCSV  = "aggregaten.csv"
	exportAggregatesXLSX = "aggregaten.xlsx"
	actionExport         = "export"
	xlsxContentType      = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func exportPath(id, file string) string { return "/diagnoses/" + id + "/export/" + file }

// exportLinks lists the files the results page offers: the aggregates,
// whenever the results are shown. There is no respondent-level file: matched
// against the published group statistics, its rows gave back what the
// suppression hides (docs/methodology.md §14.1).
func exportLinks(id string, t Translator) []exportLink {
	return []exportLink{
		{URL: exportPath(id, exportAggregatesCSV), Label: t.Get("results.export.aggregates_csv")},
		{URL: exportPath(id, exportAggregatesXLSX), Label: t.Get("results.export.aggregates_xlsx")},
	}
}

// exportResults returns the handler of one export file.
func (s *Server) exportResults(file string) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.diagnosticOfFirm(c)
		if err != nil {
			return err
		}
		r, err := s.loadResults(c.Request().Context(), d)
		if err != nil {
			return err
		}
		if !r.Availability.Available {
			return survey.Errorf(survey.CodeConflict, "the results of this diagnostic cannot be exported now")
		}
		sheets := aggregateSheets(r, s.texts.For(requestLang(c)))
		var body []byte
		contentType := "text/csv; charset=utf-8"
		if strings.HasSuffix(file, ".xlsx") {
			if body, err = writeXLSX(sheets); err != nil {
				return err
			}
			contentType = xlsxContentType
		} else {
			body = writeCSV(sheets)
		}
		s.audit(c, actionExport, "diagnostic", d.ID, d.Name+": "+file)
		c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", exportFileName(d, file)))
		return c.Blob(http.StatusOK, contentType, body)
	}
}

// exportFileName is "uitvoeringskracht-<diagnostic>-<file>" in plain ASCII,
// so that every browser and file system keeps it as it is.
func exportFileName(d *survey.Diagnostic, file string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(d.Name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 60 {
		name = strings.Trim(name[:60], "-")
	}
	if name == "" {
		name = "diagnose"
	}
	return "uitvoeringskracht-" + name + "-" + file
}

// sheet is one table of an export: a sheet of the workbook, a section of
// the aggregate CSV.
type sheet struct {
	Name   string
	Header []string
	Rows   [][]cell
}

// cell is text or a number; a number is a numeric cell in the workbook.
type cell struct {
	text   string
	num    float64
	number bool
	empty  bool
}

func text(s string) cell { return cell{text: s} }

func num(v float64) cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return cell{empty: true}
	}
	// Four decimals are beyond what the data support, and keep files from
	// showing binary noise such as 62.400000000000006.
	return cell{num: math.Round(v*1e4) / 1e4, number: true}
}

func numPtr(v *float64) cell {
	if v == nil {
		return cell{empty: true}
	}
	return num(*v)
}

func integer(n int) cell { return cell{num: float64(n), number: true} }

func blank() cell { return cell{empty: true} }

// neutralise makes a cell safe to open in a spreadsheet: a value starting
// with = + - @ or a tab or carriage return could be taken for a formula
// (formula injection), so it gets a leading single quote.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvText writes a number as the interface language does (decimal comma
// in Dutch, with ';' separating the fields as Dutch spreadsheets expect).
func (c cell) csvText(comma bool) string {
	switch {
	case c.empty:
		return ""
	case c.number:
		s := strconv.FormatFloat(c.num, 'f', -1, 64)
		if comma {
			s = strings.Replace(s, ".", ",", 1)
		}
		return neutralise(s)
	default:
		return neutralise(c.text)
	}
}

// writeCSV writes UTF-8 with a byte order mark (so that spreadsheets read
// accents correctly) and ';' between fields. Every sheet is a section that
// starts with its name and ends with an empty line.
func writeCSV(sheets []sheet) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	comma := true
	for i, sh := range sheets {
		if i > 0 {
			_ = w.Write([]string{})
		}
		_ = w.Write([]string{neutralise(sh.Name)})
		header := make([]string, len(sh.Header))
		for j, h := range sh.Header {
			header[j] = neutralise(h)
		}
		_ = w.Write(header)
		for _, row := range sh.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = c.csvText(comma)
			}
			_ = w.Write(rec)
		}
	}
	w.Flush()
	return buf.Bytes()
}

// writeXLSX writes one worksheet per sheet, streamed row by row so that a
// large file is not held as cell objects. Text is written as
// text, never as a formula; it is neutralised all the same, so that a copy
// saved as CSV is safe too.
func writeXLSX(sheets []sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		name := sheetName(sh.Name)
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		header := make([]any, len(sh.Header))
		for j, h := range sh.Header {
			header[j] = excelize.Cell{StyleID: bold, Value: neutralise(h)}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return nil, err
		}
		for r, row := range sh.Rows {
			vals := make([]any, len(row))
			for j, c := range row {
				switch {
				case c.empty:
					vals[j] = nil
				case c.number:
					vals[j] = c.num
				default:
					vals[j] = neutralise(c.text)
				}
			}
			ref, err := excelize.CoordinatesToCellName(1, r+2)
			if err != nil {
				return nil, err
			}
			if err := sw.SetRow(ref, vals); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetName fits a name to the rules of worksheet names: at most 31
// characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// aggregateSheets holds the numbers of the results page: what the page
// hides, the file hides.
func aggregateSheets(r *results, t Translator) []sheet {
	res, d := r.Result, r.Diagnostic
	lang := t.Lang()
	v := resultsViewer{t: t, f: numbersFor(lang), q: &d.Questionnaire, d: d, min: minGroup(d)}
	hidden := func(reason survey.SuppressionReason) cell { return text(t.Get("export.hidden", v.reason(reason))) }
	band := func(b survey.Band) cell {
		if b == "" {
			return blank()
		}
		return text(v.bandWord(b))
	}

	status := t.Get("export.status.closed")
	if r.Availability.Preview {
		status = t.Get("export.status.preview")
	}
	summary := sheet{Name: t.Get("export.sheet.summary"), Header: []string{t.Get("export.col.subject"), t.Get("export.col.value")}}
	add := func(k string, c cell) { summary.Rows = append(summary.Rows, []cell{text(t.Get(k)), c}) }
	add("export.row.organisation", text(d.Organisation.Name))
	add("export.row.diagnostic", text(d.Name))
	add("export.row.questionnaire", text(d.Questionnaire.ID+" "+d.Questionnaire.Version))
	add("export.row.status", text(status))
	add("export.row.respondents", integer(res.N))
	add("export.row.min_group", integer(res.MinGroupSize))
	add("export.row.impact_n", integer(res.Impact.N))
	add("export.row.impact_pooled", text(yesNo(t, res.Impact.Pooled)))
	if r.Benchmark.Available {
		add("export.row.benchmark_position", text(t.Get(variant("results.benchmark.position.", string(r.Benchmark.Position)))))
	} else {
		add("export.row.benchmark_position", text(t.Get("export.not_available")))
	}

	scores := sheet{Name: t.Get("export.sheet.scores"), Header: []string{
		t.Get("export.col.kind"), t.Get("export.col.id"), t.Get("export.col.name"), "n", t.Get("export.col.mean"), t.Get("export.col.sd"),
		t.Get("export.col.ci_low"), t.Get("export.col.ci_high"), t.Get("export.col.band"), t.Get("export.col.agree"), t.Get("export.col.neutral"),
		t.Get("export.col.disagree"), t.Get("export.col.alpha"), t.Get("export.col.care"),
	}}
	scoreRow := func(kind, id, name string, sc survey.Score) []cell {
		if !sc.Shown {
			return []cell{text(kind), text(id), text(name), blank(), hidden(sc.Reason)}
		}
		row := []cell{text(kind), text(id), text(name), integer(sc.N), numPtr(sc.Mean), numPtr(sc.SD), blank(), blank(), band(sc.Band)}
		if sc.CI != nil {
			row[6], row[7] = num(sc.CI.Low), num(sc.CI.High)
		}
		return row
	}
	scores.Rows = append(scores.Rows, scoreRow(t.Get("export.kind.index"), survey.MeasureIndex, t.Get("results.index"), res.Index))
	if res.Outcome.Shown || len(res.OutcomeItems) > 0 {
		scores.Rows = append(scores.Rows, scoreRow(t.Get("export.kind.outcome"), "outcome", t.Get("results.outcome"), res.Outcome))
	}
	for _, fr := range res.Factors {
		row := scoreRow(t.Get("export.kind.factor"), fr.ID, v.measureName(fr.ID), fr.Score)
		if fr.Score.Shown {
			if fr.Shares != nil {
				row = append(row, num(fr.Shares.Agree), num(fr.Shares.Neutral), num(fr.Shares.Disagree))
			} else {
				row = append(row, blank(), blank(), blank())
			}
			row = append(row, numPtr(fr.Reliability.Alpha), text(yesNo(t, alphaCare(fr.Reliability))))
		}
		scores.Rows = append(scores.Rows, row)
	}
	for _, rr := range res.Routes {
		name := rr.ID
		for _, route := range d.Questionnaire.Routes {
			if route.ID == rr.ID {
				name = route.Name.In(lang)
			}
		}
		scores.Rows = append(scores.Rows, scoreRow(t.Get("export.kind.route"), rr.ID, name, rr.Score))
	}

	q := d.Questionnaire
	items := sheet{Name: t.Get("export.sheet.items"), Header: []string{
		t.Get("export.col.factor"), t.Get("export.col.id"), t.Get("export.col.text"), t.Get("export.col.reverse"),
		t.Get("export.col.dont_know"), t.Get("export.col.dont_know_share"),
		t.Get("export.col.agree_as_answered"), t.Get("export.col.neutral"), t.Get("export.col.disagree_as_answered"),
	}}
	texts := map[string]string{}
	for _, it := range q.AllItems() {
		texts[it.ID] = it.Text.In(lang)
	}
	itemRow := func(group string, it survey.ItemResult) []cell {
		row := []cell{text(group), text(it.ID), text(texts[it.ID]), text(yesNo(t, it.Reverse))}
		// Items carry only shares (docs/methodology.md §11); a hidden item
		// not even its don't-know figures.
		if it.DontKnowShare == nil {
			return append(row, hidden(it.Reason))
		}
		row = append(row, integer(it.DontKnow), numPtr(it.DontKnowShare))
		if !it.Shown || it.Shares == nil {
			return append(row, hidden(it.Reason))
		}
		return append(row, num(it.Shares.Agree), num(it.Shares.Neutral), num(it.Shares.Disagree))
	}
	for _, fr := range res.Factors {
		for _, it := range fr.Items {
			items.Rows = append(items.Rows, itemRow(v.measureName(fr.ID), it))
		}
	}
	for _, it := range res.OutcomeItems {
		items.Rows = append(items.Rows, itemRow(t.Get("results.outcome"), it))
	}

	groups := sheet{Name: t.Get("export.sheet.groups"), Header: []string{
		t.Get("export.col.dimension"), t.Get("export.col.group"), t.Get("export.col.measure"), "n", t.Get("export.col.mean"),
		t.Get("export.col.sd"), t.Get("export.col.ci_low"), t.Get("export.col.ci_high"), t.Get("export.col.band"),
	}}
	for _, b := range []survey.Breakdown{res.Units, res.Roles} {
		dim := t.Get(variant("results.heat.dim_", b.Dimension))
		rows := b.Groups
		if b.Other != nil {
			other := *b.Other
			other.ID = "\x00other"
			rows = append(slices.Clone(rows), other)
		}
		for _, g := range rows {
			name := v.groupName(b.Dimension, g.ID)
			if g.ID == "\x00other" {
				name = t.Get(variant("results.heat.other_", b.Dimension))
			}
			if !g.Shown {
				// One row, and no count: not even the size of a hidden group
				// is published.
				groups.Rows = append(groups.Rows, []cell{text(dim), text(name), blank(), blank(), hidden(g.Reason)})
				continue
			}
			for _, c := range g.Cells {
				if !c.Shown {
					groups.Rows = append(groups.Rows, []cell{text(dim), text(name), text(v.measureName(c.Measure)), blank(), hidden(c.Reason)})
					continue
				}
				row := []cell{text(dim), text(name), text(v.measureName(c.Measure)), integer(c.N), numPtr(c.Mean), numPtr(c.SD), blank(), blank(), band(c.Band)}
				if c.CI != nil {
					row[6], row[7] = num(c.CI.Low), num(c.CI.High)
				}
				groups.Rows = append(groups.Rows, row)
			}
		}
	}

	diffHeader := []string{
		t.Get("export.col.measure"), "n A", "n B", t.Get("export.col.mean_a"), t.Get("export.col.mean_b"), t.Get("export.col.diff"),
		t.Get("export.col.ci_low"), t.Get("export.col.ci_high"), "df", "g", t.Get("export.col.g_low"), t.Get("export.col.g_high"), t.Get("export.col.verdict"),
	}
	diffRow := func(lead []cell, df survey.Difference) []cell {
		row := append(lead, text(v.measureName(df.Measure)))
		if !df.Shown {
			return append(row, blank(), blank(), hidden(df.Reason))
		}
		row = append(row, integer(df.NA), integer(df.NB), numPtr(df.MeanA), numPtr(df.MeanB), numPtr(df.Diff))
		if df.CI != nil {
			row = append(row, num(df.CI.Low), num(df.CI.High))
		} else {
			row = append(row, blank(), blank())
		}
		row = append(row, numPtr(df.DF), numPtr(df.G))
		if df.GCI != nil {
			row = append(row, num(df.GCI.Low), num(df.GCI.High))
		} else {
			row = append(row, blank(), blank())
		}
		return append(row, text(df.Verdict.Label().In(lang)))
	}
	gaps := sheet{Name: t.Get("export.sheet.gaps"), Header: append([]string{t.Get("export.col.comparison")}, diffHeader...)}
	for _, c := range res.Gaps {
		title := t.Get(variant("results.gap.", c.ID), v.groupName(survey.DimensionRole, c.GroupA), v.groupName(survey.DimensionRole, c.GroupB))
		for _, df := range c.Differences {
			gaps.Rows = append(gaps.Rows, diffRow([]cell{text(title)}, df))
		}
	}

	priorities := sheet{Name: t.Get("export.sheet.priorities"), Header: []string{
		t.Get("export.col.rank"), t.Get("export.col.id"), t.Get("export.col.factor"), t.Get("export.col.score"), t.Get("export.col.impact"),
		t.Get("export.col.link"), t.Get("export.col.basis"), t.Get("export.col.priority"),
	}}
	for _, p := range res.Priorities {
		// The words and the basis, as the results page gives them
		// (methodology section 15).
		link := linkLabel(p, lang)
		basis := t.Get("results.basis.score")
		if p.Basis == survey.BasisImpact {
			basis = t.Get("results.basis.impact")
		}
		priorities.Rows = append(priorities.Rows, []cell{integer(p.Rank), text(p.Factor), text(v.measureName(p.Factor)), num(p.Score), numPtr(p.Impact), text(link), text(basis), num(p.Value)})
	}

	out := []sheet{summary, scores, items, groups, gaps, priorities}
	if res.Trend != nil {
		trend := sheet{Name: t.Get("export.sheet.trend"), Header: append([]string{t.Get("export.col.previous")}, diffHeader...)}
		for _, df := range res.Trend.Changes {
			trend.Rows = append(trend.Rows, diffRow([]cell{text(r.Previous.Name)}, df))
		}
		out = append(out, trend)
	}
	return out
}

func yesNo(t Translator, b bool) string {
	if b {
		return t.Get("export.yes")
	}
	return t.Get("export.no")
}
