package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// MinBenchmarkOthers is the number of organisations a benchmark needs, and
// MinBenchmarkFirms the number of firms (other than the reader's) they must
// come from.
const (
	MinBenchmarkOthers = 5
	MinBenchmarkFirms  = 3
)

// BenchmarkStep is the grid, in index points, that the quintile boundaries
// are rounded to. A reader can move their own index at will (a dummy
// organisation with answers of their choosing) and see where the position
// changes: that shows the boundaries, so they are published only this
// coarsely.
const BenchmarkStep = 5.0

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

// Benchmark places score among the peers of firms other than ownFirm (one
// value per organisation, see docs/methodology.md §9). It needs at least
// MinBenchmarkOthers valid peers from at least MinBenchmarkFirms firms;
// peers of ownFirm are left out whatever the caller passes, so that a
// reader's own dummy organisations can never move the result. The position
// says which of the comparison set's quintiles the score falls in, against
// boundaries (the 20, 40, 60 and 80 % quantiles, linearly interpolated)
// rounded to BenchmarkStep: a score on a boundary counts as above it.
func Benchmark(score float64, ownFirm string, peers []survey.BenchmarkPeer) survey.BenchmarkResult {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return survey.BenchmarkResult{}
	}
	var values []float64
	firms := map[string]bool{}
	for _, p := range peers {
		if p.FirmID == ownFirm || math.IsNaN(p.Index) || math.IsInf(p.Index, 0) {
			continue
		}
		values = append(values, p.Index)
		firms[p.FirmID] = true
	}
	if len(values) < MinBenchmarkOthers || len(firms) < MinBenchmarkFirms {
		return survey.BenchmarkResult{}
	}
	slices.Sort(values)
	positions := []survey.BenchmarkPosition{
		survey.BenchmarkLowest, survey.BenchmarkBelowMiddle, survey.BenchmarkMiddle, survey.BenchmarkAboveMiddle, survey.BenchmarkHighest,
	}
	k := 0
	for _, b := range BenchmarkBoundaries(values) {
		if score >= b {
			k++
		}
	}
	return survey.BenchmarkResult{Available: true, Position: positions[k]}
}

// BenchmarkBoundaries returns the 20, 40, 60 and 80 % quantiles of the
// sorted values (linear interpolation between order statistics, R's
// default type 7), each rounded to the nearest multiple of BenchmarkStep.
// Every boundary of at least five values mixes two of them.
func BenchmarkBoundaries(sorted []float64) [4]float64 {
	var out [4]float64
	n := len(sorted)
	if n == 0 {
		return out
	}
	for i, p := range []float64{0.2, 0.4, 0.6, 0.8} {
		h := float64(n-1) * p
		lo := int(math.Floor(h))
		q := sorted[lo]
		if lo+1 < n {
			q += (h - float64(lo)) * (sorted[lo+1] - sorted[lo])
		}
		out[i] = math.Round(q/BenchmarkStep) * BenchmarkStep
	}
	return out
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
