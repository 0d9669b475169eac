package scoring

import (
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestAuditReleases: the releases the engine makes pass the audit; the
// same releases with a group shown that changed by one, or with the total
// changed by one, do not.
func TestAuditReleases(t *testing.T) {
	q := releaseQuestionnaire()
	units := []survey.Unit{{ID: "u1"}, {ID: "u2"}, {ID: "u3"}}
	rs := append(append(people(6, "u1", survey.RolePolicy, 1), people(6, "u2", survey.RoleExecution, 2)...), people(6, "u3", survey.RoleExecution, 3)...)
	in := Input{Questionnaire: q, Responses: rs, MinGroupSize: 5, Units: units}
	preview, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	rels := []survey.Release{withSeq(ReleaseOf(survey.ReleasePreview, preview), 1)}
	in.Responses = append(append(append([]survey.Response(nil), rs...), people(1, "u1", survey.RolePolicy, 7)...), people(5, "u2", survey.RoleExecution, 8)...)
	in.Earlier = rels
	final, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	rels = append(rels, withSeq(ReleaseOf(survey.ReleaseFinal, final), 2))
	a := AuditReleases(rels, 5)
	if len(a.Findings) != 0 || !a.Complete || len(a.Checked) < 4 {
		t.Fatalf("engine releases: %+v", a)
	}
	// The old behaviour: the final computed without the preview.
	in.Earlier = nil
	old, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	a = AuditReleases([]survey.Release{rels[0], withSeq(ReleaseOf(survey.ReleaseFinal, old), 2)}, 5)
	if len(a.Findings) == 0 || !strings.Contains(strings.Join(a.Findings, "\n"), "only 1 respondents") {
		t.Errorf("old behaviour: %+v", a.Findings)
	}
	// A structural break: a measure on fewer respondents than its group.
	broken := withSeq(ReleaseOf(survey.ReleaseFinal, old), 2)
	res := *broken.Result
	res.Index.N--
	broken.Result = &res
	if a := AuditReleases([]survey.Release{broken}, 5); len(a.Findings) == 0 {
		t.Error("a measure off the base count was not found")
	}
}
