package scoring

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestEmployeeSummaryShowsNothingTheResultsHide: on random diagnostics,
// every figure the summary shows is the same figure of the final release,
// and whatever the release hides stays hidden.
func TestEmployeeSummaryShowsNothingTheResultsHide(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	for run := range attackerRuns(t, 200) {
		s := randomScenario(rng)
		res, err := Compute(Input{Questionnaire: s.q, Responses: s.rs, MinGroupSize: s.min, Units: s.units})
		if survey.ErrorCode(err) == survey.CodeConflict {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sum := EmployeeSummaryOf(res)
		if sum.Index != res.Index {
			t.Fatalf("run %d: index %+v, release %+v", run, sum.Index, res.Index)
		}
		for i, f := range sum.Factors {
			if f.Score != res.Factors[i].Score || f.Shares != nil || len(f.Items) != 0 || f.Reliability.Alpha != nil {
				t.Fatalf("run %d: factor %s carries more than its released score", run, f.ID)
			}
			if !f.Score.Shown {
				if f.Score.Mean != nil || f.Score.N != 0 {
					t.Fatalf("run %d: hidden factor %s shows a number", run, f.ID)
				}
			}
		}
		if sum.Outcome.Shown || len(sum.Routes) > 0 || len(sum.Gaps) > 0 || len(sum.Units.Groups) > 0 || len(sum.Roles.Groups) > 0 || sum.Trend != nil {
			t.Fatalf("run %d: the summary shows more than the organisation's index and factors", run)
		}
		for k, p := range sum.Priorities {
			if p.Impact != nil || p.ImpactN != 0 || p.Factor != res.Priorities[k].Factor || p.Score != res.Priorities[k].Score {
				t.Fatalf("run %d: priority %d is not the release's rank without its correlation: %+v", run, k, p)
			}
		}
		if len(sum.Priorities) > PriorityCount {
			t.Fatalf("run %d: %d priorities", run, len(sum.Priorities))
		}
	}
}

// TestAttackerOnEmployeeSummaries: the attacker of attacker_test.go reads
// every release of random release sequences plus the employee summary of
// each final release, and must find nothing. The summary after the last
// final is also read once more, at the final's counts, as a respondent
// who saves the page and compares it with the report would.
func TestAttackerOnEmployeeSummaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	checked := 0
	for run := range attackerRuns(t, 300) {
		s := randomScenario(rng)
		n := len(s.rs)
		res, at := s.releases(t, releaseCounts(rng, s.min, n), true)
		if len(res) == 0 {
			continue
		}
		checked++
		figs := s.figuresOf(t, res, at)
		var sums []*survey.Result
		var sumAt []int
		for k := range res {
			if k == len(res)-1 || k%2 == 1 {
				rel := SummaryReleaseOf(ReleaseOf(survey.ReleaseFinal, res[k]))
				sums = append(sums, rel.Result)
				sumAt = append(sumAt, at[k])
			}
		}
		figs = append(figs, s.figuresOf(t, sums, sumAt)...)
		if got := attack(s.aq, s.people, figs, s.min); got != nil {
			t.Fatalf("run %d (min %d, releases at %v): respondents %v can be derived with the summaries", run, s.min, at, got)
		}
	}
	if checked == 0 {
		t.Fatal("no scenario had a release")
	}
	t.Logf("%d release sequences with their employee summaries, no leak", checked)
}

// TestSummaryReleaseIsAuditedAsASubset: a summary release recorded after a
// final release passes the audit of privacy-audit and says so.
func TestSummaryReleaseIsAuditedAsASubset(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	s := randomScenario(rng)
	res, err := Compute(Input{Questionnaire: s.q, Responses: s.rs, MinGroupSize: s.min, Units: s.units})
	if err != nil {
		t.Fatal(err)
	}
	final := ReleaseOf(survey.ReleaseFinal, res)
	final.Seq = 1
	sum := SummaryReleaseOf(final)
	sum.Seq = 2
	a := AuditReleases([]survey.Release{final, sum}, s.min)
	if len(a.Findings) > 0 || !a.Complete {
		t.Fatalf("audit of final + summary: %v (complete %t)", a.Findings, a.Complete)
	}
	if !slices.ContainsFunc(a.Checked, func(l string) bool { return strings.Contains(l, "release 2 (summary") }) {
		t.Errorf("the audit does not name the summary release: %v", a.Checked)
	}
}

// TestComparePulse holds the rule of methodology §18 at its edges: the
// intervals as printed (one decimal) decide, touching intervals overlap.
func TestComparePulse(t *testing.T) {
	sc := func(lo, hi float64) survey.Score {
		m := (lo + hi) / 2
		return survey.Score{Shown: true, N: 10, Mean: &m, CI: &survey.Interval{Low: lo, High: hi}}
	}
	hidden := survey.Score{Reason: survey.ReasonTooSmall}
	noCI := survey.Score{Shown: true, N: 1, Mean: new(float64)}
	for _, c := range []struct {
		name        string
		full, pulse survey.Score
		want        PulseChange
	}{
		{"above", sc(50, 60), sc(60.1, 70), PulseHigher},
		{"touching above", sc(50, 60), sc(60, 70), PulseNoClearChange},
		{"touching after rounding", sc(50, 60.04), sc(60.01, 70), PulseNoClearChange},
		{"below", sc(50, 60), sc(30, 49.9), PulseLower},
		{"touching below", sc(50, 60), sc(30, 50), PulseNoClearChange},
		{"inside", sc(50, 60), sc(40, 70), PulseNoClearChange},
		{"full hidden", hidden, sc(40, 70), PulseNotComparable},
		{"pulse hidden", sc(50, 60), hidden, PulseNotComparable},
		{"no interval", sc(50, 60), noCI, PulseNotComparable},
	} {
		if got := ComparePulse(c.full, c.pulse); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
