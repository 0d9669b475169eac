package questionnaire

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// FuzzParse: Parse never panics, fails only with *Problems whose lines lie
// in the file, and whatever it accepts keeps the promises the rest of the
// service relies on. Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse("fuzz.yaml", data)
		if err != nil {
			probs, ok := err.(*Problems)
			if !ok {
				t.Fatalf("error is %T, want *Problems: %v", err, err)
			}
			if q != nil {
				t.Fatal("questionnaire returned along with problems")
			}
			checkProblems(t, data, probs)
			return
		}
		if q == nil {
			t.Fatal("nil questionnaire without an error")
		}
		checkAccepted(t, q)
	})
}

func checkProblems(t *testing.T, data []byte, probs *Problems) {
	t.Helper()
	if len(probs.List) == 0 {
		t.Fatal("*Problems without problems")
	}
	lines := bytes.Count(data, []byte{'\n'}) + 1
	for i, p := range probs.List {
		if p.File != "fuzz.yaml" || p.Message == "" {
			t.Errorf("problem %+v: wrong file or empty message", p)
		}
		if p.Line < 1 || p.Line > lines+1 {
			t.Errorf("problem %+v: line outside the file's %d lines", p, lines)
		}
		if i > 0 && probs.List[i-1].Line > p.Line {
			t.Errorf("problems not sorted by line: %d before %d", probs.List[i-1].Line, p.Line)
		}
	}
}

// checkAccepted asserts what scoring and the respondent pages assume of
// any questionnaire that Parse accepts.
func checkAccepted(t *testing.T, q *survey.Questionnaire) {
	t.Helper()
	if q.ID == "" || q.Version == "" || !q.HasLanguage(survey.DefaultLanguage) {
		t.Errorf("accepted without id, version or Dutch: %q %q %v", q.ID, q.Version, q.Languages)
	}
	hasAll := func(what string, text survey.Text) {
		for _, l := range q.Languages {
			if text[l] == "" {
				t.Errorf("%s: accepted without %q text", what, l)
			}
		}
	}
	hasAll("title", q.Title)
	if q.Scale.Min < 1 || q.Scale.Min >= q.Scale.Max || len(q.Scale.Points) != q.Scale.Max-q.Scale.Min+1 {
		t.Errorf("accepted scale %d..%d with %d points", q.Scale.Min, q.Scale.Max, len(q.Scale.Points))
	}
	for _, pt := range q.Scale.Points {
		hasAll("scale point", pt.Label)
	}
	items := map[string]bool{}
	for _, it := range q.AllItems() {
		if !validID(it.ID, false) || items[it.ID] {
			t.Errorf("accepted invalid or duplicate item id %q", it.ID)
		}
		items[it.ID] = true
		hasAll("item "+it.ID, it.Text)
	}
	for _, f := range q.Factors {
		if len(f.Items) < minFactorItems || !slices.ContainsFunc(f.Items, func(it survey.Item) bool { return it.Reverse }) {
			t.Errorf("accepted factor %q with %d items or no reverse item", f.ID, len(f.Items))
		}
	}
	if len(q.Outcomes) == 0 {
		t.Error("accepted without outcome items")
	}
	units := 0
	for _, b := range q.Background {
		if b.Kind == survey.BackgroundUnit {
			units++
		}
		if b.Kind == survey.BackgroundChoice && len(b.Options) == 0 {
			t.Errorf("accepted choice question %q without options", b.ID)
		}
	}
	if units != 1 {
		t.Errorf("accepted %d unit questions", units)
	}
	for _, o := range q.Open {
		if o.MaxLength <= 0 {
			t.Errorf("accepted open question %q with max_length %d", o.ID, o.MaxLength)
		}
	}
	for _, r := range q.Routes {
		sum := 0.0
		for _, w := range r.Weights {
			if _, ok := q.Factor(w.Factor); !ok || w.Weight < 0 {
				t.Errorf("route %q: accepted weight %v", r.ID, w)
			}
			sum += w.Weight
		}
		if math.Abs(sum-1) > weightTolerance {
			t.Errorf("route %q: accepted weights summing to %v", r.ID, sum)
		}
	}
	if !(q.Bands.Amber >= 0 && q.Bands.Amber < q.Bands.Green && q.Bands.Green <= 100) {
		t.Errorf("accepted bands %+v", q.Bands)
	}
}
