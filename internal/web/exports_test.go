package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"regexp"
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

// During a preview the aggregates may be exported, before it not.
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
	})
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
	if got := exportFileName(d, exportAggregatesCSV); got != "uitvoeringskracht-meting-o-o-2026-voorjaar-aggregaten.csv" {
		t.Errorf("file name %q", got)
	}
	if got := exportFileName(&survey.Diagnostic{Name: "!!!"}, exportAggregatesXLSX); got != "uitvoeringskracht-diagnose-aggregaten.xlsx" {
		t.Errorf("file name %q", got)
	}
}
