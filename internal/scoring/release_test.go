package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestResultsAvailable(t *testing.T) {
	tests := []struct {
		name string
		in   AvailabilityInput
		want survey.Availability
	}{
		{"closed", AvailabilityInput{State: survey.StateClosed, Responses: 5, MinGroupSize: 5}, survey.Availability{Available: true}},
		{"closed too few", AvailabilityInput{State: survey.StateClosed, Responses: 4, MinGroupSize: 5}, survey.Availability{Reason: survey.AvailabilityTooFewResponses}},
		{"default minimum", AvailabilityInput{State: survey.StateClosed, Responses: 4}, survey.Availability{Reason: survey.AvailabilityTooFewResponses}},
		{"open", AvailabilityInput{State: survey.StateOpen, Responses: 50, MinGroupSize: 5}, survey.Availability{Reason: survey.AvailabilityNotClosed}},
		{"preview", AvailabilityInput{State: survey.StateOpen, Responses: 10, MinGroupSize: 5, Preview: true}, survey.Availability{Available: true, Preview: true}},
		{"preview too early", AvailabilityInput{State: survey.StateOpen, Responses: 9, MinGroupSize: 5, Preview: true}, survey.Availability{Reason: survey.AvailabilityTooFewResponses}},
		{"preview of draft", AvailabilityInput{State: survey.StateDraft, Responses: 10, MinGroupSize: 5, Preview: true}, survey.Availability{Reason: survey.AvailabilityNotClosed}},
		{"same preview again", AvailabilityInput{State: survey.StateOpen, Responses: 12, MinGroupSize: 5, Preview: true, PreviewedAt: 12}, survey.Availability{Available: true, Preview: true}},
		{"preview after few new", AvailabilityInput{State: survey.StateOpen, Responses: 14, MinGroupSize: 5, Preview: true, PreviewedAt: 12}, survey.Availability{Reason: survey.AvailabilityTooFewNewResponses}},
		{"preview after enough new", AvailabilityInput{State: survey.StateOpen, Responses: 17, MinGroupSize: 5, Preview: true, PreviewedAt: 12}, survey.Availability{Available: true, Preview: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResultsAvailable(tt.in); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// peers spreads values over firms f0, f1, f2, ... in turn.
func peers(firms int, values ...float64) []survey.BenchmarkPeer {
	out := make([]survey.BenchmarkPeer, len(values))
	for i, v := range values {
		out[i] = survey.BenchmarkPeer{FirmID: fmt.Sprintf("f%d", i%firms), Index: v}
	}
	return out
}

func TestBenchmark(t *testing.T) {
	nan := math.NaN()
	// 10, 20, ..., 50: boundaries 18, 26, 34, 42 before rounding, so 20,
	// 25, 35, 40 after.
	five := peers(3, 10, 20, 30, 40, 50)
	tests := []struct {
		name  string
		score float64
		own   string
		peers []survey.BenchmarkPeer
		want  survey.BenchmarkPosition // "" when not available
	}{
		{"four organisations are too few", 50, "own", peers(3, 1, 2, 3, 4), ""},
		{"NaN organisations do not count", 50, "own", peers(3, 1, 2, 3, 4, nan), ""},
		{"two firms are too few", 50, "own", peers(2, 10, 20, 30, 40, 50, 60), ""},
		{"three firms are enough", 50, "own", peers(3, 10, 20, 30, 40, 50), survey.BenchmarkHighest},
		{"the reader's own firm never counts", 50, "f0", peers(3, 10, 20, 30, 40, 50, 60, 70), ""},
		{"the reader's own firm is left out, not compared", 15, "f9",
			append(peers(3, 10, 20, 30, 40, 50), survey.BenchmarkPeer{FirmID: "f9", Index: 0}, survey.BenchmarkPeer{FirmID: "f9", Index: 1}), survey.BenchmarkLowest},
		{"own score undefined", nan, "own", five, ""},
		{"own score infinite", math.Inf(1), "own", five, ""},
		// The edges: a score on a rounded boundary is above it.
		{"just below the first boundary", 19.999, "own", five, survey.BenchmarkLowest},
		{"on the first boundary", 20, "own", five, survey.BenchmarkBelowMiddle},
		{"just below the second boundary", 24.999, "own", five, survey.BenchmarkBelowMiddle},
		{"on the second boundary", 25, "own", five, survey.BenchmarkMiddle},
		{"just below the third boundary", 34.999, "own", five, survey.BenchmarkMiddle},
		{"on the third boundary", 35, "own", five, survey.BenchmarkAboveMiddle},
		{"just below the fourth boundary", 39.999, "own", five, survey.BenchmarkAboveMiddle},
		{"on the fourth boundary", 40, "own", five, survey.BenchmarkHighest},
		{"far below", 0, "own", five, survey.BenchmarkLowest},
		{"far above", 100, "own", five, survey.BenchmarkHighest},
		// A boundary mixes two organisations: 41.9 is between the fourth
		// (40) and the fifth (50), yet above the rounded fourth boundary.
		{"the others' values are not the edges", 41.9, "own", five, survey.BenchmarkHighest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Benchmark(tt.score, tt.own, tt.peers)
			if tt.want == "" {
				if got.Available || got.Position != "" {
					t.Errorf("got %+v, want nothing", got)
				}
				return
			}
			if !got.Available || got.Position != tt.want {
				t.Errorf("got %+v, want %s", got, tt.want)
			}
		})
	}
}

func TestBenchmarkBoundaries(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   [4]float64
	}{
		// Quantiles 18, 26, 34, 42.
		{"five", []float64{10, 20, 30, 40, 50}, [4]float64{20, 25, 35, 40}},
		// Rounding at the half step: 0.2*50 + 0.8*53.125 = 52.5 goes up, a
		// hair less goes down.
		{"half step up", []float64{50, 53.125, 60, 60, 60}, [4]float64{55, 55, 60, 60}},
		{"just under the half step", []float64{50, 53.124, 60, 60, 60}, [4]float64{50, 55, 60, 60}},
		// Six values: h = 1, 2, 3, 4 hit order statistics exactly.
		{"six", []float64{11, 22, 33, 44, 56, 66}, [4]float64{20, 35, 45, 55}},
		{"all equal", []float64{61.3, 61.3, 61.3, 61.3, 61.3}, [4]float64{60, 60, 60, 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BenchmarkBoundaries(tt.values); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func openGroup(n int, prefix string) []survey.Response {
	var rs []survey.Response
	for i := range n {
		r := survey.Response{ID: fmt.Sprint(prefix, i), Open: map[string]string{}}
		if i%3 != 0 {
			r.Open["q"] = fmt.Sprintf(" %s answer %d ", prefix, i)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestOpenAnswers(t *testing.T) {
	if got := OpenAnswers(openGroup(9, "x"), "q", 0, rand.New(rand.NewPCG(1, 2))); got != nil {
		t.Errorf("9 respondents are below the default threshold of 10: %v", got)
	}
	g := openGroup(12, "x")
	a := OpenAnswers(g, "q", 0, rand.New(rand.NewPCG(1, 2)))
	if len(a) != 8 {
		t.Fatalf("want the 8 non-empty answers, got %d", len(a))
	}
	for _, s := range a {
		if s != fmt.Sprint(s) || s[0] == ' ' {
			t.Errorf("answer not trimmed: %q", s)
		}
	}
	// The same seed gives the same order whatever the input order.
	rev := slices.Clone(g)
	slices.Reverse(rev)
	b := OpenAnswers(rev, "q", 0, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(a, b) {
		t.Errorf("input order leaks into the output:\n%v\n%v", a, b)
	}
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	if slices.Equal(a, sorted) {
		t.Error("answers come out sorted, not shuffled")
	}
	if got := OpenAnswers(openGroup(3, "x"), "q", 3, rand.New(rand.NewPCG(1, 2))); len(got) != 2 {
		t.Errorf("explicit threshold 3: %v", got)
	}
}

func TestOpenAnswersByGroup(t *testing.T) {
	var rs []survey.Response
	add := func(unit string, n int) {
		for _, r := range openGroup(n, unit) {
			r.Background = map[string]string{survey.BackgroundUnitID: unit}
			rs = append(rs, r)
		}
	}
	add("a", 30)
	add("b", 12)
	add("c", 4)
	got, err := OpenAnswersByGroup(rs, survey.BackgroundUnitID, "q", 10, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	// c (4) is hidden; b (12) must join it, or the list of the whole
	// organisation minus a and b would be c's answers.
	if _, ok := got["c"]; ok {
		t.Error("c shown")
	}
	if _, ok := got["b"]; ok {
		t.Error("b shown although c would then be derivable")
	}
	if len(got["a"]) != 20 {
		t.Errorf("a: %d answers", len(got["a"]))
	}
}
