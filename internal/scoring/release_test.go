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

func TestBenchmark(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		score  float64
		others []float64
		want   float64 // percentile, NaN when not available
		n      int
	}{
		{"too few", 50, []float64{1, 2, 3, 4}, nan, 0},
		{"NaN others do not count", 50, []float64{1, 2, 3, 4, nan}, nan, 0},
		{"top", 90, []float64{10, 20, 30, 40, 50}, 100, 5},
		{"bottom", 5, []float64{10, 20, 30, 40, 50}, 0, 5},
		// 2 below, 1 tie: (2 + 0.5) / 5.
		{"tie", 30, []float64{10, 20, 30, 40, 50}, 50, 5},
		// 3 below of 6: 50.
		{"middle", 35, []float64{10, 20, 30, 40, 50, 60}, 50, 6},
		{"own score undefined", nan, []float64{10, 20, 30, 40, 50}, nan, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Benchmark(tt.score, tt.others)
			if math.IsNaN(tt.want) {
				if got.Available || got.Percentile != nil || got.Others != 0 {
					t.Errorf("got %+v, want nothing", got)
				}
				return
			}
			if !got.Available || got.Others != tt.n || *got.Percentile != tt.want {
				t.Errorf("got %+v (%v), want %v of %d", got, *got.Percentile, tt.want, tt.n)
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
