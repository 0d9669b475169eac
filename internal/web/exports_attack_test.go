package web

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
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

// matchGroup is the row-matching attack on one published group: the rows
// labelled with the group's name, plus every choice of the missing number
// of rows among those labelled other, are scored; the choices whose factor
// means equal the published ones (to the four decimals of the file) are
// returned.
func matchGroup(t *testing.T, q *survey.Questionnaire, rows []exportedRow, column, label, other string, published map[string][2]float64) [][]int {
	t.Helper()
	var labelled, candidates []int
	for i, r := range rows {
		switch r.background[column] {
		case label:
			labelled = append(labelled, i)
		case other:
			candidates = append(candidates, i)
		}
	}
	var n float64
	for _, v := range published {
		n = v[0]
	}
	need := int(n) - len(labelled)
	if need < 0 || need > len(candidates) {
		return nil
	}
	var matches [][]int
	var choose func(start int, chosen []int)
	choose = func(start int, chosen []int) {
		if len(chosen) == need {
			var rs []survey.Response
			for _, i := range append(append([]int{}, labelled...), chosen...) {
				rs = append(rs, rows[i].response)
			}
			res, err := scoring.Compute(scoring.Input{Questionnaire: q, Responses: rs, MinGroupSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, fr := range res.Factors {
				var name string
				for _, f := range q.Factors {
					if f.ID == fr.ID {
						name = f.Name.In("nl")
					}
				}
				want, ok := published[name]
				if !ok || fr.Score.Mean == nil || math.Abs(*fr.Score.Mean-want[1]) > 6e-5 {
					return
				}
			}
			matches = append(matches, append([]int{}, chosen...))
			return
		}
		for k := start; k < len(candidates); k++ {
			choose(k+1, append(chosen, candidates[k]))
		}
	}
	choose(0, nil)
	return matches
}

// The attack of issue 11 (2) on the respondent-level export: unit A has
// twenty respondents, five of them managers; unit B has twenty-two, one of
// them a manager. The export generalises "manager of B" to "overig" and, to
// make that row one of five, four more rows with it; every published group
// is large enough. Matching the "overig" rows to the published mean of the
// managers finds the one row that completes them: the answers of the only
// manager of unit B.
func TestAttackRowMatchingOnTheAnswersExport(t *testing.T) {
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
		var target survey.Response
		for i := range rs {
			role := []string{survey.RolePolicy, survey.RoleExecution}[i%2]
			if i < 5 || i == 41 {
				role = survey.RoleManagement
			}
			rs[i].Background[survey.BackgroundRole] = role
			rs[i].Background["tenure"] = "2to5"
			rf.submit(t, d.ID, rs[i])
		}
		target = rs[41]

		groups := publishedGroups(readCSV(t, rf.b.get(exportPath(d.ID, exportAggregatesCSV)).body))
		managers := groups["Rol"]["Management"]
		if len(managers) == 0 {
			t.Fatalf("the managers are not published: %v", groups["Rol"])
		}
		rows := rowLevelRows(&rf.q, readCSV(t, rf.b.get(exportPath(d.ID, exportAnswersCSV)).body))
		if rows == nil {
			t.Fatal("no respondent-level table")
		}
		matches := matchGroup(t, &rf.q, rows, "role", "Management", "overig", managers)
		if len(matches) != 1 || len(matches[0]) != 1 {
			t.Fatalf("row matching found %v", matches)
		}
		got := rows[matches[0][0]].response.Answers
		for id, v := range target.Answers {
			if got[id] != v {
				t.Fatalf("the matched row is not the manager of unit B: %s = %d, want %d", id, got[id], v)
			}
		}
		// Nobody else is a manager without a label, and the managers with a
		// label are all in unit A: the matched row is the manager of B.
		if n := groups["Onderdeel"]["Afdeling B"]; len(n) == 0 {
			t.Fatal("unit B is not published")
		}
		t.Logf("attack succeeded: the only manager of unit B answered %d items, recovered exactly", len(target.Answers))
	})
}
