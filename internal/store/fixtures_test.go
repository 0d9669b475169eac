package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// testQuestionnaire returns a new questionnaire that uses every field, so
// that a snapshot that loses one shows up; each call returns fresh values.
func testQuestionnaire() survey.Questionnaire {
	scale := survey.Scale{Min: 1, Max: 5, DontKnow: survey.Text{"nl": "Weet ik niet", "en": "Don't know"}}
	for v := 1; v <= 5; v++ {
		scale.Points = append(scale.Points, survey.ScalePoint{Value: v, Label: survey.Text{"nl": fmt.Sprintf("punt %d", v), "en": fmt.Sprintf("point %d", v)}})
	}
	q := survey.Questionnaire{
		ID:                "uitvoeringskracht",
		Version:           "2025.1",
		Title:             survey.Text{"nl": "Uitvoeringskracht", "en": "Execution power"},
		Languages:         []string{"nl", "en"},
		MinutesToComplete: 15,
		Scale:             scale,
		Outcomes: []survey.Item{
			{ID: "o1", Text: survey.Text{"nl": "Wij leveren.", "en": "We deliver."}},
		},
		Background: []survey.BackgroundQuestion{
			{ID: survey.BackgroundRole, Kind: survey.BackgroundChoice, Text: survey.Text{"nl": "Rol"}, Hint: survey.Text{"nl": "Kies er een"}, Required: true,
				Options: []survey.Option{{ID: survey.RolePolicy, Label: survey.Text{"nl": "Beleid"}}, {ID: survey.RoleExecution, Label: survey.Text{"nl": "Uitvoering"}}}},
			{ID: survey.BackgroundUnitID, Kind: survey.BackgroundUnit, Text: survey.Text{"nl": "Afdeling"}},
		},
		Open:   []survey.OpenQuestion{{ID: "tip", Text: survey.Text{"nl": "Tip?"}, Hint: survey.Text{"nl": "Vrij"}, MaxLength: 2000}},
		Routes: []survey.Route{{ID: "r1", Number: 1, Name: survey.Text{"nl": "Route 1"}, Description: survey.Text{"nl": "Omschrijving"}, Weights: []survey.RouteWeight{{Factor: "f1", Weight: 0.1}, {Factor: "f2", Weight: 0.9}}}},
		Bands:  survey.Bands{Amber: 47.5, Green: 66.6},
	}
	for f := 1; f <= 2; f++ {
		factor := survey.Factor{ID: fmt.Sprintf("f%d", f), Name: survey.Text{"nl": fmt.Sprintf("Factor %d", f)}, Description: survey.Text{"nl": "Uitleg", "en": "Explanation"}}
		for i := 1; i <= 3; i++ {
			factor.Items = append(factor.Items, survey.Item{ID: fmt.Sprintf("f%d_%d", f, i), Text: survey.Text{"nl": "Stelling"}, Reverse: i == 2})
		}
		q.Factors = append(q.Factors, factor)
	}
	return q
}

func testUnits() []survey.Unit {
	return []survey.Unit{{ID: "u1", Name: "Burgerzaken", Headcount: 40}, {ID: "u2", Name: "Vergunningen"}}
}

// newDiagnostic stores an organisation and an open diagnostic of it.
func newDiagnostic(t testing.TB, s *store.Store) *survey.Diagnostic {
	t.Helper()
	ctx := context.Background()
	o := &survey.Organisation{Name: "Gemeente Testdorp", Sector: survey.SectorMunicipality, Headcount: 250}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	opens := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	d := &survey.Diagnostic{
		OrganisationID: o.ID,
		Organisation:   *o,
		Name:           "Meting voorjaar",
		Questionnaire:  testQuestionnaire(),
		Units:          testUnits(),
		State:          survey.StateOpen,
		MinGroupSize:   survey.DefaultMinGroupSize,
		OpensAt:        &opens,
	}
	if err := s.CreateDiagnostic(ctx, d); err != nil {
		t.Fatalf("CreateDiagnostic: %v", err)
	}
	return d
}

// testResponse returns a complete response to the test questionnaire.
func testResponse(diagnosticID string, seed int) *survey.Response {
	r := &survey.Response{
		DiagnosticID: diagnosticID,
		SubmittedOn:  "2025-03-14",
		Background:   map[string]string{survey.BackgroundRole: survey.RoleExecution, survey.BackgroundUnitID: "u1"},
		Answers:      map[string]int{},
		Open:         map[string]string{"tip": fmt.Sprintf("Minder regels %d", seed)},
	}
	q := testQuestionnaire()
	for _, item := range q.AllItems() {
		r.Answers[item.ID] = (seed + len(r.Answers)) % 6 // 0 is "don't know"
	}
	return r
}

// newNonce returns a fresh submission nonce, as the respondent's sealed
// state carries one.
func newNonce() string { return rand.Text() }

// submitNew submits a response with a fresh nonce, as a respondent would.
func submitNew(t testing.TB, s *store.Store, diagnosticID string, seed int) (string, *survey.Response) {
	t.Helper()
	nonce := newNonce()
	r := testResponse(diagnosticID, seed)
	if err := s.Submit(context.Background(), nonce, r); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return nonce, r
}

func wantCode(t testing.TB, err error, code survey.Code) {
	t.Helper()
	if got := survey.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}
