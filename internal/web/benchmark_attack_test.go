package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// craftedResponses are five respondents, every item answered, whose index
// is exactly total/7: each of the 175 factor answers (5 respondents times
// 35 items) contributes 25/175 points per step above the lowest answer. A
// consultant can fill in a questionnaire like this for a dummy
// organisation of their own.
func craftedResponses(q *survey.Questionnaire, units []survey.Unit, total int) []survey.Response {
	rs := fakeResponses(q, []string{units[0].ID, units[0].ID, units[0].ID, units[0].ID, units[0].ID}, 5, 0)
	slot := 0
	for i := range rs {
		for _, f := range q.Factors {
			for _, it := range f.Items {
				r := total / 175
				if slot < total%175 {
					r++
				}
				slot++
				v := r + 1
				if it.Reverse {
					v = 6 - v
				}
				rs[i].Answers[it.ID] = v
			}
		}
	}
	return rs
}

// benchmarkProbe is the attacker of issue 11 (4): a consultant of firm A
// who makes a dummy organisation of their own with a chosen index, closes
// it and reads its benchmark through the API, as often as they like.
type benchmarkProbe struct {
	rf    *resultsFixture
	token string
	// known are the indexes of the attacker's own dummy organisations that
	// have had their results shown (and so may be compared with).
	known []float64
}

// probe returns the benchmark of a new dummy organisation with index
// total/7, as the API gives it.
func (p *benchmarkProbe) probe(t *testing.T, total int) map[string]any {
	t.Helper()
	d := p.rf.create(t, wave{perUnit: nil, seed: uint64(1000 + total)})
	for _, r := range craftedResponses(&p.rf.q, d.Units, total) {
		p.rf.submit(t, d.ID, r)
	}
	code, body := apiGet(t, p.rf.fixture, p.token, "/api/v1/diagnostics/"+d.ID+"/results")
	var got struct {
		Result    survey.Result  `json:"result"`
		Benchmark map[string]any `json:"benchmark"`
	}
	if err := json.Unmarshal(body, &got); err != nil || code != http.StatusOK {
		t.Fatalf("API: %d %v", code, err)
	}
	if got.Result.Index.Mean == nil || math.Abs(*got.Result.Index.Mean-float64(total)/7) > 1e-9 {
		t.Fatalf("crafted index %v, want %v", got.Result.Index.Mean, float64(total)/7)
	}
	p.known = append(p.known, float64(total)/7)
	return got.Benchmark
}

// seedDummies gives the attacker four dummy organisations, enough with the
// victim for a benchmark of five.
func (p *benchmarkProbe) seedDummies(t *testing.T, totals ...int) {
	for _, total := range totals {
		p.probe(t, total)
	}
}

// benchmarkWorld is a fresh installation with five organisations of three
// firms other than the attacker's: the victim of firm B with the secret
// index and four of firms C and D.
func benchmarkWorld(t *testing.T, dialect string, secret float64) *benchmarkProbe {
	t.Helper()
	rf := newResultsFixture(t, storetest.Open(t, dialect))
	for i, peer := range []struct {
		firm  string
		index float64
	}{{"B", secret}, {"C", 48}, {"D", 52}, {"C", 70}, {"D", 75}} {
		f := ensureConsultant(t, rf.store, "Bureau "+peer.firm, "x@"+strings.ToLower(peer.firm)+".example", false)
		d := rf.create(t, wave{firmID: f.FirmID, perUnit: []int{5, 5}, seed: uint64(7 + i)})
		if err := rf.store.SaveResultSummary(context.Background(), d.ID, &peer.index, 10); err != nil {
			t.Fatal(err)
		}
	}
	return &benchmarkProbe{rf: rf, token: apiToken(t, rf)}
}

// observe is what the attacker sees for a dummy organisation with index
// total/7. The benchmark must hold nothing but whether it is available and
// the position.
func (p *benchmarkProbe) observe(t *testing.T, total int) string {
	t.Helper()
	b := p.probe(t, total)
	for k := range b {
		if k != "available" && k != "position" {
			t.Errorf("the benchmark holds %q: %v", k, b)
		}
	}
	pos, _ := b["position"].(string)
	return pos
}

// searchChanges is the binary-search attacker of issue 11 (4) generalised
// to a coarse answer: it probes its own index on a grid of ten points and
// bisects every interval whose ends are answered differently down to 3/7
// of a point. It returns every probe and its answer, and the intervals
// where the answer changes.
func (p *benchmarkProbe) searchChanges(t *testing.T) (seen []string, changes [][2]int) {
	t.Helper()
	answer := map[int]string{}
	ask := func(total int) string {
		if a, ok := answer[total]; ok {
			return a
		}
		a := p.observe(t, total)
		answer[total] = a
		seen = append(seen, fmt.Sprintf("%d:%s", total, a))
		return a
	}
	var bisect func(lo, hi int)
	bisect = func(lo, hi int) {
		if ask(lo) == ask(hi) {
			return
		}
		if hi-lo <= 3 {
			changes = append(changes, [2]int{lo, hi})
			return
		}
		mid := (lo + hi) / 2
		bisect(lo, mid)
		bisect(mid, hi)
	}
	for lo := 0; lo < 700; lo += 70 {
		bisect(lo, lo+70)
	}
	return seen, changes
}

// The attack of issue 11 (4), repeated against the coarse benchmark. On the
// percentile benchmark four dummy organisations and a binary search over
// the attacker's own index pinned another firm's index (61.37) to within
// half a point (commit d6cfafe). Now the attacker's dummies are of its own
// firm and never compared with, and the answer changes only where the
// attacker's index crosses a boundary rounded to 5 points. Two
// installations whose victims differ by 0.83 points, attacked with
// different dummies, give the attacker exactly the same answers: it cannot
// tell 61.37 from 62.2, so it learns the victim's index to no better than
// the quintile boundaries, which are multiples of 5.
func TestAttackBenchmarkBinarySearchLearnsOnlyTheQuintile(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			a := benchmarkWorld(t, dialect, 61.37)
			a.seedDummies(t, 35, 70, 665, 686)
			seenA, changesA := a.searchChanges(t)

			b := benchmarkWorld(t, dialect, 62.2)
			b.seedDummies(t, 420, 427, 434, 441, 448, 455)
			seenB, changesB := b.searchChanges(t)

			if len(changesA) == 0 || !slices.Equal(seenA, seenB) || !slices.Equal(changesA, changesB) {
				t.Fatalf("the attacker tells the victims apart:\n%v\n%v", seenA, seenB)
			}
			// What the search finds are the rounded boundaries of the
			// comparison set (50, 60, 65 and 70 for 48, 52, 61.37, 70, 75),
			// never the victim's own value.
			var found []float64
			for _, c := range changesA {
				lo, hi := float64(c[0])/7, float64(c[1])/7
				edge := math.Ceil(lo/scoring.BenchmarkStep) * scoring.BenchmarkStep
				if edge > hi {
					t.Errorf("the answer changes between %.2f and %.2f, where no rounded boundary is", lo, hi)
				}
				if lo <= 61.37 && 61.37 <= hi {
					t.Errorf("the search pins the victim's index: %.2f..%.2f", lo, hi)
				}
				found = append(found, edge)
			}
			if !slices.Equal(found, []float64{50, 60, 65, 70}) {
				t.Errorf("changes at %v, want the boundaries 50, 60, 65, 70", found)
			}
			t.Logf("%d probes; the answer changes only at %v", len(seenA), found)
		})
	}
}

// The benchmark sentence words every position as methodology §9 says, in
// both languages, and says why there is none.
func TestBenchmarkSentence(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	mean := 61.37
	d := &survey.Diagnostic{Organisation: survey.Organisation{Sector: survey.SectorMunicipality}}
	shown := &survey.Result{Index: survey.Score{Shown: true, Mean: &mean}}
	tests := []struct {
		lang string
		res  *survey.Result
		b    survey.BenchmarkResult
		want string
	}{
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkLowest}, "Met een index van 61,4 staat de organisatie bij de laagste 20 % van de sector"},
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkBelowMiddle}, "staat de organisatie onder het midden van de sector"},
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkMiddle}, "staat de organisatie rond het midden van de sector"},
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkAboveMiddle}, "staat de organisatie boven het midden van de sector"},
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkHighest}, "staat de organisatie bij de hoogste 20 % van de sector"},
		{"nl", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkHighest}, "van ten minste 5 organisaties van ten minste 3 andere adviesbureaus; organisaties van het eigen adviesbureau tellen niet mee"},
		{"en", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkLowest}, "With an index of 61.4, the organisation is among the lowest 20 % of the sector"},
		{"en", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkBelowMiddle}, "the organisation is below the middle of the sector"},
		{"en", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkMiddle}, "the organisation is around the middle of the sector"},
		{"en", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkAboveMiddle}, "the organisation is above the middle of the sector"},
		{"en", shown, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkHighest}, "the organisation is among the highest 20 % of the sector"},
		{"nl", shown, survey.BenchmarkResult{}, "nog niet beschikbaar: daarvoor zijn afgeronde metingen met deze vragenlijst nodig van ten minste 5 organisaties"},
		{"en", shown, survey.BenchmarkResult{}, "from at least 3 other consultancies"},
		{"nl", &survey.Result{}, survey.BenchmarkResult{Available: true, Position: survey.BenchmarkMiddle}, "De index kan niet worden getoond"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+string(tt.b.Position), func(t *testing.T) {
			tr := texts.For(tt.lang)
			v := resultsViewer{t: tr, f: numbersFor(tt.lang), d: d}
			got := v.benchmark(&results{Result: tt.res, Benchmark: tt.b})
			if !strings.Contains(got, tt.want) || strings.Contains(got, "%!") {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
