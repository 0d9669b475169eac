package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// MinBenchmarkOthers is the number of other organisations a benchmark needs.
const MinBenchmarkOthers = 5

// DefaultOpenThreshold is the smallest group whose open answers are shown.
const DefaultOpenThreshold = 10

// AvailabilityInput describes a request to see the results of a diagnostic.
type AvailabilityInput struct {
	State     survey.State
	Responses int
	// MinGroupSize 0 means survey.DefaultMinGroupSize.
	MinGroupSize int
	// Preview is set when the consultant asks for an interim view of a
	// diagnostic that is still open.
	Preview bool
	// PreviewedAt is the number of responses when a preview was last shown,
	// 0 if never.
	PreviewedAt int
}

// ResultsAvailable decides whether the results of a diagnostic may be shown.
// They are when the diagnostic is closed and has at least the minimum group
// size of responses. While it is open, a preview needs at least twice the
// minimum group size and, after an earlier preview, either no new responses
// or at least the minimum group size of them: two previews that differ by
// fewer respondents would give those respondents' answers by subtraction.
func ResultsAvailable(in AvailabilityInput) survey.Availability {
	minSize := in.MinGroupSize
	if minSize <= 0 {
		minSize = survey.DefaultMinGroupSize
	}
	switch {
	case in.Responses < minSize:
		return survey.Availability{Reason: survey.AvailabilityTooFewResponses}
	case in.State == survey.StateClosed:
		return survey.Availability{Available: true}
	case !in.Preview || in.State != survey.StateOpen:
		return survey.Availability{Reason: survey.AvailabilityNotClosed}
	case in.Responses < 2*minSize:
		return survey.Availability{Reason: survey.AvailabilityTooFewResponses}
	case in.PreviewedAt > 0 && in.Responses != in.PreviewedAt && in.Responses-in.PreviewedAt < minSize:
		return survey.Availability{Reason: survey.AvailabilityTooFewNewResponses}
	default:
		return survey.Availability{Available: true, Preview: true}
	}
}

// Benchmark places score among the scores of other organisations (one value
// per organisation: its latest closed diagnostic with the same questionnaire
// and sector, this organisation excluded). It needs at least
// MinBenchmarkOthers valid values and reports only their number and the
// mid-rank percentile 100 * (below + equal/2) / others, never a value of
// another organisation.
func Benchmark(score float64, others []float64) survey.BenchmarkResult {
	if math.IsNaN(score) {
		return survey.BenchmarkResult{}
	}
	n, below, equal := 0, 0, 0
	for _, o := range others {
		switch {
		case math.IsNaN(o):
			continue
		case o < score:
			below++
		case o == score:
			equal++
		}
		n++
	}
	if n < MinBenchmarkOthers {
		return survey.BenchmarkResult{}
	}
	p := 100 * (float64(below) + float64(equal)/2) / float64(n)
	return survey.BenchmarkResult{Available: true, Others: n, Percentile: &p}
}

// OpenAnswers returns the non-empty answers of a group of respondents to one
// open question, in random order, or nil when the group has fewer than
// threshold respondents (0 means DefaultOpenThreshold). The answers are
// sorted before they are shuffled, so the order the caller loaded them in
// (which may follow submission time) leaves no trace. A nil rng uses the
// process-wide random source.
//
// Show open answers for the whole organisation, or per group of at most one
// background question through OpenAnswersByGroup; never for two: the
// intersection of a unit's list with a role's list would give the answers of
// the people in both.
func OpenAnswers(group []survey.Response, questionID string, threshold int, rng *rand.Rand) []string {
	if threshold <= 0 {
		threshold = DefaultOpenThreshold
	}
	if len(group) < threshold {
		return nil
	}
	var out []string
	for _, r := range group {
		if s := strings.TrimSpace(r.Open[questionID]); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	swap := func(i, j int) { out[i], out[j] = out[j], out[i] }
	if rng != nil {
		rng.Shuffle(len(out), swap)
	} else {
		rand.Shuffle(len(out), swap)
	}
	return out
}

// OpenAnswersByGroup splits the open answers by the background question key
// (for example survey.BackgroundUnitID). A group's answers are returned only
// when the group, and the hidden groups together, reach threshold: otherwise
// the organisation's list minus the shown groups' lists would give the
// hidden group's answers. Respondents without an answer to key form the
// group survey.GroupNotStated.
func OpenAnswersByGroup(rs []survey.Response, key, questionID string, threshold int, rng *rand.Rand) (map[string][]string, error) {
	if threshold <= 0 {
		threshold = DefaultOpenThreshold
	}
	members := map[string][]survey.Response{}
	for _, r := range rs {
		g := r.Background[key]
		members[g] = append(members[g], r)
	}
	tab := Table{Dims: []string{key}}
	for _, g := range sortedKeys(members) {
		tab.Cells = append(tab.Cells, TableCell{Groups: []string{g}, Count: len(members[g])})
	}
	d, err := Suppress(tab, threshold, nil)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	if !d.TotalShown {
		return out, nil
	}
	for _, g := range d.Dims[0].Groups {
		if g.Shown {
			out[g.ID] = OpenAnswers(members[g.ID], questionID, threshold, rng)
		}
	}
	return out, nil
}
