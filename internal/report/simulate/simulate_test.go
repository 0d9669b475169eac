package simulate

import (
	"math/rand/v2"
	"reflect"
	"testing"

	uitvoeringskracht "github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestDemoAnswersHaveStructure(t *testing.T) {
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	org := Demo(2000)
	units := org.SurveyUnits()
	rs := Responses(q, org, units, DemoProfile(), 2000, rand.New(rand.NewPCG(1, 2)))
	if again := Responses(q, org, units, DemoProfile(), 2000, rand.New(rand.NewPCG(1, 2))); !reflect.DeepEqual(rs, again) {
		t.Fatal("the same seed must give the same respondents")
	}
	if h := org.Headcount(); h < 2000 || h > 4000 {
		t.Errorf("headcount %d for 2000 respondents", h)
	}
	for i := range rs {
		rs[i].ID = string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	res, err := scoring.Compute(scoring.Input{Questionnaire: q, Responses: rs, Units: units})
	if err != nil {
		t.Fatal(err)
	}
	weakest, strongest := res.Factors[0], res.Factors[0]
	for _, f := range res.Factors {
		if *f.Score.Mean < *weakest.Score.Mean {
			weakest = f
		}
		if *f.Score.Mean > *strongest.Score.Mean {
			strongest = f
		}
		if f.Reliability.InterpretWithCare {
			t.Errorf("factor %s: alpha below 0.70", f.ID)
		}
	}
	if weakest.ID != "capacity" || weakest.Score.Band != survey.BandRed || strongest.Score.Band != survey.BandGreen {
		t.Errorf("want one clearly weak factor (capacity, red) and a green one; weakest %s %s, strongest %s %s",
			weakest.ID, weakest.Score.Band, strongest.ID, strongest.Score.Band)
	}
	for _, d := range res.Gaps[0].Differences {
		if d.Measure == "capacity" && (d.Diff == nil || *d.Diff < 5 || d.Verdict != survey.VerdictClear) {
			t.Errorf("execution staff should see clearly less capacity than policy staff: %+v", d)
		}
	}
	dk := 0
	for _, f := range res.Factors {
		for _, it := range f.Items {
			dk += it.DontKnow
		}
	}
	if dk == 0 {
		t.Error("no don't-know answers")
	}
	// At a few hundred respondents the smallest units are hidden.
	small := Demo(300)
	srs := Responses(q, small, small.SurveyUnits(), DemoProfile(), 300, rand.New(rand.NewPCG(3, 4)))
	for i := range srs {
		srs[i].ID = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	sres, err := scoring.Compute(scoring.Input{Questionnaire: q, Responses: srs, Units: small.SurveyUnits()})
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, g := range sres.Units.Groups {
		if !g.Shown {
			hidden++
		}
	}
	if hidden == 0 {
		t.Error("the demo should have a unit too small to show")
	}
}
