package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
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

// victim is an organisation of firm B whose index the attacker wants.
func victim(t *testing.T, rf *resultsFixture, index float64) {
	t.Helper()
	b := ensureConsultant(t, rf.store, "Bureau B", "bob@b.example", false)
	d := rf.create(t, wave{firmID: b.FirmID, perUnit: []int{5, 5}, seed: 7})
	if err := rf.store.SaveResultSummary(context.Background(), d.ID, &index, 10); err != nil {
		t.Fatal(err)
	}
}

// On the percentile benchmark, four dummy organisations and a binary
// search over the attacker's own index pin another firm's index to within
// half a point.
func TestAttackBenchmarkBinarySearch(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		const secret = 61.37
		victim(t, rf, secret)
		p := &benchmarkProbe{rf: rf, token: apiToken(t, rf)}
		p.seedDummies(t, 35, 70, 665, 686)
		lo, hi := 0, 700
		for hi-lo > 3 {
			mid := (lo + hi) / 2
			known := p.known
			b := p.probe(t, mid)
			pct, ok := b["percentile"].(float64)
			if !ok {
				t.Fatalf("no percentile: %v", b)
			}
			others := b["others"].(float64)
			s := float64(mid) / 7
			below := pct * others / 100
			for _, k := range known {
				switch {
				case k < s:
					below--
				case k == s:
					below -= 0.5
				}
			}
			switch {
			case math.Abs(below-1) < 1e-9:
				hi = mid
			case math.Abs(below) < 1e-9:
				lo = mid
			default:
				lo, hi = mid, mid
			}
		}
		est := float64(lo+hi) / 14
		if math.Abs(est-secret) > 0.5 {
			t.Fatalf("the attack estimated %.2f for %.2f", est, secret)
		}
		t.Logf("attack succeeded: %.2f estimated for %.2f with %d dummy organisations", est, secret, len(p.known))
	})
}
