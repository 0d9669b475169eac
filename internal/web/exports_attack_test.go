package web

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// publishedGroups reads the "Groepen" section of the Dutch aggregates CSV:
// dimension -> group -> measure name -> (n, mean), shown cells only.
func publishedGroups(recs [][]string) map[string]map[string]map[string][2]float64 {
	out := map[string]map[string]map[string][2]float64{}
	in := false
	for _, r := range recs {
		switch {
		case len(r) == 1 && r[0] == "Groepen":
			in = true
			continue
		case len(r) <= 1:
			in = false
		}
		if !in || len(r) < 5 || r[3] == "" || r[3] == "n" {
			continue
		}
		n, err1 := strconv.ParseFloat(r[3], 64)
		mean, err2 := strconv.ParseFloat(strings.Replace(r[4], ",", ".", 1), 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if out[r[0]] == nil {
			out[r[0]] = map[string]map[string][2]float64{}
		}
		if out[r[0]][r[1]] == nil {
			out[r[0]][r[1]] = map[string][2]float64{}
		}
		out[r[0]][r[1]][r[2]] = [2]float64{n, mean}
	}
	return out
}

// exportedRow is one row of a respondent-level table as the attacker reads
// it: the background labels by column and the answers.
type exportedRow struct {
	background map[string]string
	response   survey.Response
}

// rowLevelRows returns the rows of a table whose header holds the
// questionnaire's item ids as columns (one row per respondent), or nil when
// the table is not like that.
func rowLevelRows(q *survey.Questionnaire, recs [][]string) []exportedRow {
	if len(recs) < 2 {
		return nil
	}
	items := map[string]bool{}
	for _, it := range q.AllItems() {
		items[it.ID] = true
	}
	header := recs[0]
	found := 0
	for _, h := range header {
		if items[h] {
			found++
		}
	}
	if found < len(items)/2 {
		return nil
	}
	var out []exportedRow
	for _, rec := range recs[1:] {
		row := exportedRow{background: map[string]string{}, response: survey.Response{Answers: map[string]int{}}}
		for j, h := range header {
			if j >= len(rec) || rec[j] == "" {
				continue
			}
			if !items[h] {
				row.background[h] = rec[j]
				continue
			}
			if v, err := strconv.Atoi(rec[j]); err == nil {
				row.response.Answers[h] = v
			} else {
				row.response.Answers[h] = survey.DontKnow
			}
		}
		out = append(out, row)
	}
	return out
}

// exportTables splits an export into its tables: the sections of the
// aggregates CSV (a title row, then the header) or the sheets of a
// workbook.
func exportTables(t *testing.T, file string, body string) [][][]string {
	t.Helper()
	if strings.HasSuffix(file, ".xlsx") {
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("%s cannot be read: %v", file, err)
		}
		defer f.Close()
		var out [][][]string
		for _, name := range f.GetSheetList() {
			rows, err := f.GetRows(name)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rows)
		}
		return out
	}
	// The CSV reader skips the empty lines between sections; a section
	// starts with its one-cell title.
	var out [][][]string
	for _, r := range readCSV(t, body) {
		if len(r) == 1 {
			out = append(out, nil)
			continue
		}
		if len(out) == 0 {
			out = append(out, nil) // a file of one table, without a title
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

// The attack of issue 11 (2): unit A has twenty respondents, five of them
// managers; unit B has twenty-two, one of them a manager. The respondent-
// level export generalised "manager of B" to "overig" and put four more
// rows with it, every published group being large enough; matching the
// "overig" rows to the published mean of the managers found the one row
// that completes them, the complete answers of the only manager of unit B
// (commit e57d670, where this test recovered all 38 answers). The export
// is gone: its addresses answer 404, the results page offers only the
// aggregates, and no table of any file offered holds one row per
// respondent, so the attacker has nothing to match the published groups
// (which it still gets) against.
func TestAttackRowMatchingFindsNoRespondentRows(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		d := rf.create(t, wave{units: []string{"Afdeling A", "Afdeling B"}, perUnit: nil, seed: 90})
		unitOf := make([]string, 42)
		for i := range unitOf {
			unitOf[i] = d.Units[0].ID
			if i >= 20 {
				unitOf[i] = d.Units[1].ID
			}
		}
		rs := fakeResponses(&rf.q, unitOf, 91, 0)
		for i := range rs {
			role := []string{survey.RolePolicy, survey.RoleExecution}[i%2]
			if i < 5 || i == 41 {
				role = survey.RoleManagement
			}
			rs[i].Background[survey.BackgroundRole] = role
			rs[i].Background["tenure"] = "2to5"
			rf.submit(t, d.ID, rs[i])
		}

		for _, file := range []string{"antwoorden.csv", "antwoorden.xlsx"} {
			if p := rf.b.get(exportPath(d.ID, file)); p.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", file, p.status)
			}
		}
		page := rf.b.get(resultsPath(d.ID))
		links := regexp.MustCompile(`href="/diagnoses/[^/"]+/export/([^"]+)"`).FindAllStringSubmatch(page.body, -1)
		var files []string
		for _, m := range links {
			files = append(files, m[1])
		}
		if !slices.Equal(files, []string{exportAggregatesCSV, exportAggregatesXLSX}) {
			t.Errorf("the results page offers %v", files)
		}

		// What the attacker has: the published statistics of the managers.
		aggregates := rf.b.get(exportPath(d.ID, exportAggregatesCSV))
		if groups := publishedGroups(readCSV(t, aggregates.body)); len(groups["Rol"]["Management"]) == 0 {
			t.Fatalf("the managers are not published: %v", groups["Rol"])
		}
		// What it would match them against: nothing.
		items := len(rf.q.AllItems())
		for _, file := range files {
			p := rf.b.get(exportPath(d.ID, file))
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d", file, p.status)
			}
			tables := exportTables(t, file, p.body)
			if strings.HasPrefix(file, "aggregaten") && len(tables) < 6 {
				t.Errorf("%s: %d tables, the reader sees only part of it", file, len(tables))
			}
			for i, tab := range tables {
				if rows := rowLevelRows(&rf.q, tab); rows != nil {
					t.Errorf("%s, table %d has one column per item: %d rows", file, i, len(rows))
				}
				for _, row := range tab {
					if len(row) >= items {
						t.Errorf("%s, table %d has a row of %d cells, room for a respondent's answers", file, i, len(row))
						break
					}
				}
			}
		}
	})
}
