package scoring

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// pipelineQuestionnaire is the instrument that testdata/generate.R scores
// pipeline.csv with.
func pipelineQuestionnaire() *survey.Questionnaire {
	items := func(ids ...string) []survey.Item {
		var out []survey.Item
		for _, id := range ids {
			out = append(out, survey.Item{ID: strings.TrimSuffix(id, "-"), Reverse: strings.HasSuffix(id, "-")})
		}
		return out
	}
	return &survey.Questionnaire{
		ID:      "pipeline",
		Version: "1",
		Scale:   survey.Scale{Min: 1, Max: 5},
		Factors: []survey.Factor{
			{ID: "f1", Items: items("f1_1", "f1_2", "f1_3-")},
			{ID: "f2", Items: items("f2_1", "f2_2", "f2_3", "f2_4")},
		},
		Outcomes: items("o1", "o2", "o3"),
		Background: []survey.BackgroundQuestion{
			{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Options: []survey.Option{
				{ID: "beleid"}, {ID: "uitvoering"}, {ID: "management"}, {ID: "ondersteuning"},
			}},
			{ID: survey.BackgroundUnitID, Kind: survey.BackgroundUnit},
		},
		Routes: []survey.Route{{ID: "r1", Weights: []survey.RouteWeight{{Factor: "f1", Weight: 0.6}, {Factor: "f2", Weight: 0.4}}}},
		Bands:  survey.Bands{Amber: 50, Green: 65},
	}
}

func pipelineInput(t *testing.T) Input {
	t.Helper()
	header, rows := readCSV(t, "pipeline.csv")
	var rs []survey.Response
	for _, row := range rows {
		r := survey.Response{ID: row[0], Background: map[string]string{}, Answers: map[string]int{}}
		if row[1] != "" {
			r.Background[survey.BackgroundRole] = row[1]
		}
		r.Background[survey.BackgroundUnitID] = row[2]
		for j := 3; j < len(header); j++ {
			if row[j] == "NA" {
				continue
			}
			v, err := strconv.Atoi(row[j])
			if err != nil {
				t.Fatal(err)
			}
			r.Answers[header[j]] = v
		}
		rs = append(rs, r)
	}
	return Input{
		Questionnaire: pipelineQuestionnaire(),
		Responses:     rs,
		MinGroupSize:  5,
		Units:         []survey.Unit{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}, {ID: "u4"}},
	}
}

// TestComputeMatchesR scores pipeline.csv and compares every number R
// computed independently (generate.R) to 1e-10.
func TestComputeMatchesR(t *testing.T) {
	res, err := Compute(pipelineInput(t))
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, "pipeline_expected.csv")
	got := map[string]float64{}
	score := func(prefix string, s survey.Score) {
		if !s.Shown {
			t.Fatalf("%s not shown", prefix)
		}
		got[prefix+".n"] = float64(s.N)
		got[prefix+".mean"] = *s.Mean
		got[prefix+".sd"] = *s.SD
		got[prefix+".ci_low"] = s.CI.Low
		got[prefix+".ci_high"] = s.CI.High
	}
	got["responses"], got["base"] = float64(res.Responses), float64(res.N)
	score("index", res.Index)
	score("outcome", res.Outcome)
	score("r1", res.Routes[0].Score)
	for _, f := range res.Factors {
		score(f.ID, f.Score)
		got[f.ID+".alpha"] = *f.Reliability.Alpha
		for j, it := range f.Items {
			p := f.ID + ".item" + strconv.Itoa(j+1)
			got[p+".dont_know"] = float64(it.DontKnow)
			got[p+".dont_know_share"] = *it.DontKnowShare
			got[p+".disagree"] = it.Shares.Disagree
			got[p+".neutral"] = it.Shares.Neutral
			got[p+".agree"] = it.Shares.Agree
		}
	}
	for _, p := range res.Priorities {
		got[p.Factor+".impact"] = *p.Impact
	}
	for _, c := range res.Gaps {
		for _, d := range c.Differences {
			if !d.Shown {
				t.Fatalf("%s %s not shown: %s", c.ID, d.Measure, d.Reason)
			}
			p := c.ID + "." + d.Measure
			got[p+".n_a"], got[p+".n_b"] = float64(d.NA), float64(d.NB)
			got[p+".diff"] = *d.Diff
			got[p+".ci_low"], got[p+".ci_high"] = d.CI.Low, d.CI.High
			got[p+".df"] = *d.DF
			got[p+".g"] = *d.G
			got[p+".g_low"], got[p+".g_high"] = d.GCI.Low, d.GCI.High
		}
	}
	worst := 0.0
	for _, r := range rows {
		want := parseNum(t, r[1])
		g, ok := got[r[0]]
		if !ok {
			t.Errorf("%s: not in the result", r[0])
			continue
		}
		if !closeTo(g, want, 1e-10) {
			t.Errorf("%s = %.17g, R %.17g", r[0], g, want)
		}
		if e := math.Abs(g-want) / math.Max(1, math.Abs(want)); e > worst {
			worst = e
		}
		delete(got, r[0])
	}
	if len(got) > 0 {
		t.Errorf("values without an R counterpart: %v", got)
	}
	t.Logf("%d values, largest difference from R %.3g (relative above 1)", len(rows), worst)
}

// TestComputeJSON checks that a result encodes (no NaN anywhere) and that
// hidden groups carry neither a count nor a mean.
func TestComputeJSON(t *testing.T) {
	in := pipelineInput(t)
	res, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back survey.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, bd := range []survey.Breakdown{res.Units, res.Roles} {
		for _, g := range bd.Groups {
			if !g.Shown && g.N != 0 {
				t.Errorf("%s %q hidden but has n", bd.Dimension, g.ID)
			}
			for _, c := range g.Cells {
				if !c.Shown && (c.N != 0 || c.Mean != nil || c.SD != nil || c.CI != nil) {
					t.Errorf("%s %q %s hidden but has values", bd.Dimension, g.ID, c.Measure)
				}
				if c.Shown && c.N < in.MinGroupSize {
					t.Errorf("%s %q %s shown with n=%d", bd.Dimension, g.ID, c.Measure, c.N)
				}
			}
		}
	}
}

func TestComputeIsDeterministic(t *testing.T) {
	in := pipelineInput(t)
	first, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(first)
	// Reverse the responses: nothing may depend on their order either.
	rev := make([]survey.Response, len(in.Responses))
	for i, r := range in.Responses {
		rev[len(rev)-1-i] = r
	}
	orig := in.Responses
	for i := range 5 {
		in.Responses = orig
		if i%2 == 1 {
			in.Responses = rev
		}
		res, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(res)
		if i%2 == 0 && string(got) != string(want) {
			t.Fatal("two runs on the same input differ")
		}
		if i%2 == 1 {
			// Sums in another order may differ in the last bits; compare
			// after rounding.
			if !sameRounded(t, got, want) {
				t.Fatal("result depends on the order of the responses")
			}
		}
	}
}

func sameRounded(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	var eq func(x, y any) bool
	eq = func(x, y any) bool {
		switch xv := x.(type) {
		case float64:
			yv, ok := y.(float64)
			return ok && math.Abs(xv-yv) <= 1e-9*math.Max(1, math.Abs(yv))
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok || len(xv) != len(yv) {
				return false
			}
			for k := range xv {
				if !eq(xv[k], yv[k]) {
					return false
				}
			}
			return true
		case []any:
			yv, ok := y.([]any)
			if !ok || len(xv) != len(yv) {
				return false
			}
			for i := range xv {
				if !eq(xv[i], yv[i]) {
					return false
				}
			}
			return true
		default:
			return x == y
		}
	}
	return eq(x, y)
}
