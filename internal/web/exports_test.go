package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// readCSV checks the byte order mark and the separator and returns the
// records.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rest, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Fatal("the CSV does not start with a UTF-8 byte order mark")
	}
	r := csv.NewReader(strings.NewReader(rest))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the CSV cannot be read with ';': %v", err)
	}
	return recs
}

var reDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

func TestExportOfAnswersIsAnonymised(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		ctx := context.Background()
		// "=Beheer" tries a formula; "Zeta-eenheid" has two respondents.
		d := rf.create(t, wave{units: []string{"=Beheer", "Uitvoering", "Zeta-eenheid"}, perUnit: []int{40, 40, 2}, seed: 60})
		// An open answer that would be a formula, to prove none gets out.
		r := fakeResponses(&rf.q, []string{"u2"}, 61, 0)[0]
		r.Open["obstacle"] = "=HYPERLINK(\"http://evil.example\")"
		rf.submit(t, d.ID, r)

		p := rf.b.get(exportPath(d.ID, exportAnswersCSV))
		if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("answers CSV: %d %s", p.status, p.header.Get("Content-Type"))
		}
		if cd := p.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "antwoorden.csv") {
			t.Errorf("Content-Disposition %q", cd)
		}
		recs := readCSV(t, p.body)
		header, rows := recs[0], recs[1:]
		if len(rows) != 83 {
			t.Fatalf("%d rows, want 83", len(rows))
		}
		if header[0] != "role" || header[1] != "unit" || header[2] != "tenure" || !slices.Contains(header, "risk_culture_1") || slices.Contains(header, "obstacle") {
			t.Errorf("header %v", header)
		}
		for _, bad := range []string{"Obstakel", "HYPERLINK", "Zeta-eenheid", "2026"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("the answers export contains %q", bad)
			}
		}
		if reDate.MatchString(p.body) {
			t.Error("the answers export contains a date")
		}
		units := map[string]int{}
		for _, row := range rows {
			units[row[1]]++
		}
		if units["'=Beheer"] == 0 || units["=Beheer"] != 0 || units["overig"] == 0 {
			t.Errorf("units in the export: %v", units)
		}
		checkCombinations(t, rows, 3, 5, "overig")

		// The rows are shuffled: not in the store's order, and not the
		// same twice.
		stored, err := st.Responses(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		answersOf := func(rows [][]string) []string {
			var out []string
			for _, row := range rows {
				out = append(out, strings.Join(row[3:], ","))
			}
			return out
		}
		var storeOrder []string
		for _, s := range stored {
			var vals []string
			for _, it := range rf.q.AllItems() {
				switch v, ok := s.Answers[it.ID]; {
				case !ok:
					vals = append(vals, "")
				case v == survey.DontKnow:
					vals = append(vals, "weet niet")
				default:
					vals = append(vals, fmt.Sprint(v))
				}
			}
			storeOrder = append(storeOrder, strings.Join(vals, ","))
		}
		got := answersOf(rows)
		if slices.Equal(got, storeOrder) {
			t.Error("the rows are in the store's order")
		}
		if a, b := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(storeOrder)); !slices.Equal(a, b) {
			t.Error("the rows do not hold the stored answers")
		}
		again := answersOf(readCSV(t, rf.b.get(exportPath(d.ID, exportAnswersCSV)).body)[1:])
		if slices.Equal(got, again) {
			t.Error("two exports have the same row order")
		}

		// The workbook holds the same rows and a codebook.
		p = rf.b.get(exportPath(d.ID, exportAnswersXLSX))
		if p.status != http.StatusOK || p.header.Get("Content-Type") != xlsxContentType {
			t.Fatalf("answers XLSX: %d %s", p.status, p.header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
		if err != nil {
			t.Fatalf("the workbook cannot be read: %v", err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"Antwoorden", "Toelichting"}) {
			t.Errorf("sheets %v", sheets)
		}
		xrows, err := f.GetRows("Antwoorden")
		if err != nil || len(xrows) != 84 {
			t.Fatalf("workbook rows: %d %v", len(xrows), err)
		}
		checkCombinations(t, xrows[1:], 3, 5, "overig")
		cell, _ := f.GetCellType("Antwoorden", "D2")
		if v, _ := f.GetCellValue("Antwoorden", "D2"); v != "weet niet" && v != "" && cell != excelize.CellTypeNumber && cell != excelize.CellTypeUnset {
			t.Errorf("an answer is stored as %v (%q)", cell, v)
		}
		if got := strings.Join(auditActions(t, st, rf.cons.FirmID), ","); strings.Count(got, actionExport) != 3 {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestExportOfAggregates(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		d := rf.create(t, wave{units: []string{"+Plus", "Uitvoering"}, perUnit: []int{20, 20}, seed: 70})
		p := rf.b.get(exportPath(d.ID, exportAggregatesCSV))
		if p.status != http.StatusOK {
			t.Fatalf("aggregates CSV: %d", p.status)
		}
		recs := readCSV(t, p.body)
		text := strings.Join(func() []string {
			var lines []string
			for _, r := range recs {
				lines = append(lines, strings.Join(r, ";"))
			}
			return lines
		}(), "\n")
		for _, want := range []string{"Overzicht", "Scores", "Stellingen", "Groepen", "Verschillen", "Prioriteiten", "'+Plus", "Risicomijdende cultuur"} {
			if !strings.Contains(text, want) {
				t.Errorf("the aggregates lack %q", want)
			}
		}
		// Every cell that could start a formula is neutralised, negative
		// numbers included.
		for _, r := range recs {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("cell %q is not neutralised", c)
				}
			}
		}
		if !regexp.MustCompile(`;\d+,\d+;`).MatchString(p.body) {
			t.Error("Dutch numbers should have a decimal comma")
		}
		if strings.Contains(p.body, "Obstakel") || reDate.MatchString(p.body) {
			t.Error("the aggregates hold open answers or dates")
		}
		p = rf.b.get(exportPath(d.ID, exportAggregatesXLSX))
		f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
		if err != nil {
			t.Fatalf("the workbook cannot be read: %v", err)
		}
		defer f.Close()
		if len(f.GetSheetList()) < 6 {
			t.Errorf("sheets %v", f.GetSheetList())
		}
		rows, _ := f.GetRows("Scores")
		if len(rows) < 8 || rows[1][1] != survey.MeasureIndex {
			t.Fatalf("scores sheet: %v", rows)
		}
		if typ, _ := f.GetCellType("Scores", "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("the index mean is stored as %v", typ)
		}
	})
}

// During a preview the aggregates may be exported, the answers not.
func TestExportsDuringAPreview(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		d := rf.create(t, wave{state: survey.StateOpen, perUnit: []int{6, 6}, seed: 80})
		if p := rf.b.get(exportPath(d.ID, exportAggregatesCSV)); p.status != http.StatusConflict {
			t.Errorf("aggregates before a preview: %d", p.status)
		}
		previewForm(t, rf.b, d.ID)
		if p := rf.b.get(exportPath(d.ID, exportAggregatesCSV)); p.status != http.StatusOK {
			t.Errorf("aggregates during a preview: %d", p.status)
		}
		for _, file := range []string{exportAnswersCSV, exportAnswersXLSX} {
			if p := rf.b.get(exportPath(d.ID, file)); p.status != http.StatusConflict {
				t.Errorf("%s during a preview: %d", file, p.status)
			}
		}
	})
}

// checkCombinations asserts that every combination of the first fields
// occurs at least k times, or is generalised in every field.
func checkCombinations(t *testing.T, rows [][]string, fields, k int, other string) {
	t.Helper()
	counts := map[string]int{}
	for _, r := range rows {
		counts[strings.Join(r[:fields], "\x01")]++
	}
	full := strings.Join(slices.Repeat([]string{other}, fields), "\x01")
	for combo, n := range counts {
		if n < k && combo != full {
			t.Errorf("combination %q occurs %d times, fewer than %d", strings.ReplaceAll(combo, "\x01", " / "), n, k)
		}
	}
}

// A random data set, many times: after anonymiseBackground every
// combination occurs at least k times (or is generalised in every field),
// every value of every field too, values are only ever generalised, and
// no row is lost.
func TestAnonymiseBackgroundOnRandomData(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 3))
	for trial := range 400 {
		k := 2 + rng.IntN(9)
		n := k + rng.IntN(300)
		fields := 1 + rng.IntN(4)
		sizes := make([]int, fields)
		for f := range sizes {
			sizes[f] = 1 + rng.IntN(12)
		}
		orig := make([][]string, n)
		for i := range orig {
			orig[i] = make([]string, fields)
			for f := range fields {
				// Skewed: low values are common, high ones rare; some
				// respondents leave a field out.
				v := int(float64(sizes[f]) * rng.Float64() * rng.Float64())
				if rng.IntN(30) == 0 {
					orig[i][f] = ""
				} else {
					orig[i][f] = fmt.Sprintf("v%d", v)
				}
			}
		}
		rows := make([][]string, n)
		for i := range orig {
			rows[i] = slices.Clone(orig[i])
		}
		anonymiseBackground(rows, k, rng)
		if len(rows) != n {
			t.Fatalf("trial %d: %d rows, want %d", trial, len(rows), n)
		}
		for i := range rows {
			for f := range fields {
				if rows[i][f] != orig[i][f] && rows[i][f] != generalised {
					t.Fatalf("trial %d: row %d field %d changed from %q to %q", trial, i, f, orig[i][f], rows[i][f])
				}
			}
		}
		counts := map[string]int{}
		for _, r := range rows {
			counts[strings.Join(r, "\x01")]++
		}
		full := strings.Join(slices.Repeat([]string{generalised}, fields), "\x01")
		for combo, c := range counts {
			if c < k && combo != full {
				t.Fatalf("trial %d (k=%d, n=%d): combination %q occurs %d times", trial, k, n, combo, c)
			}
			// anonymiseBackground promises more: the fully generalised
			// rows reach k as well.
			if c < k {
				t.Fatalf("trial %d (k=%d, n=%d): %d rows generalised in every field", trial, k, n, c)
			}
		}
		for f := range fields {
			values := map[string]int{}
			for _, r := range rows {
				values[r[f]]++
			}
			for v, c := range values {
				if c < k {
					t.Fatalf("trial %d: value %q of field %d occurs %d times", trial, v, f, c)
				}
			}
		}
	}
}

func TestNeutraliseFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+31 6": "'+31 6", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"Beleid": "Beleid", "": "", "a=b": "a=b", "3,5": "3,5",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportFileName(t *testing.T) {
	d := &survey.Diagnostic{Name: "Meting Ñoño 2026 / \"voorjaar\""}
	if got := exportFileName(d, exportAnswersCSV); got != "uitvoeringskracht-meting-o-o-2026-voorjaar-antwoorden.csv" {
		t.Errorf("file name %q", got)
	}
	if got := exportFileName(&survey.Diagnostic{Name: "!!!"}, exportAggregatesXLSX); got != "uitvoeringskracht-diagnose-aggregaten.xlsx" {
		t.Errorf("file name %q", got)
	}
}
