package questionnaire

import (
	"os"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const pulsePath = "questionnaires/uitvoeringskracht-pulse-v1.yaml"

func loadPulse(t *testing.T) *survey.Questionnaire {
	t.Helper()
	q, err := Load(os.DirFS("../.."), pulsePath)
	if err != nil {
		t.Fatalf("shipped pulse has problems:\n%v", err)
	}
	return q
}

// TestShippedPulseTakesItsItemsFromTheFullInstrument: every factor of the
// pulse is a factor of the full instrument with one or two of its items,
// same id and same wording in every language, so that a pulse's answers
// mean what the full measurement's do; about two minutes, about eight
// items, and the one item of its own.
func TestShippedPulseTakesItsItemsFromTheFullInstrument(t *testing.T) {
	full, pulse := loadV1(t), loadPulse(t)
	if !pulse.IsPulse() || pulse.PulseOf != full.ID || full.IsPulse() {
		t.Fatalf("pulse_of = %q (full %q)", pulse.PulseOf, full.ID)
	}
	if pulse.MinutesToComplete != 2 {
		t.Errorf("minutes_to_complete = %d, want 2", pulse.MinutesToComplete)
	}
	if n := len(pulse.AllItems()); n < 7 || n > 10 {
		t.Errorf("%d items, want about 8", n)
	}
	if len(pulse.Factors) != len(full.Factors) {
		t.Fatalf("%d factors, the full instrument %d", len(pulse.Factors), len(full.Factors))
	}
	fullItems := map[string]survey.Item{}
	for _, it := range full.AllItems() {
		fullItems[it.ID] = it
	}
	for i, f := range pulse.Factors {
		ff, ok := full.Factor(f.ID)
		if !ok || full.Factors[i].ID != f.ID {
			t.Errorf("factor %s is not the full instrument's factor %d", f.ID, i+1)
			continue
		}
		if f.Name["nl"] != ff.Name["nl"] || f.Name["en"] != ff.Name["en"] {
			t.Errorf("factor %s is named differently", f.ID)
		}
		if len(f.Items) < 1 || len(f.Items) > 2 {
			t.Errorf("factor %s has %d items", f.ID, len(f.Items))
		}
		for _, it := range f.Items {
			want, ok := fullItems[it.ID]
			if !ok || !strings.HasPrefix(it.ID, f.ID+"_") {
				t.Errorf("item %s is not an item of the full factor %s", it.ID, f.ID)
				continue
			}
			if it.Reverse != want.Reverse || it.Text["nl"] != want.Text["nl"] || it.Text["en"] != want.Text["en"] {
				t.Errorf("item %s differs from the full instrument's", it.ID)
			}
		}
	}
	if len(pulse.Outcomes) != 1 || pulse.Outcomes[0].ID != "actions_noticed" ||
		pulse.Outcomes[0].Text["nl"] != "Ik merk dat er iets gedaan wordt met de uitkomsten van de vorige meting." || pulse.Outcomes[0].Text["en"] == "" {
		t.Errorf("the pulse's own item: %+v", pulse.Outcomes)
	}
	if _, clash := fullItems["actions_noticed"]; clash {
		t.Error("the pulse's own item has the id of a full item")
	}
	if pulse.Bands != full.Bands || pulse.Scale.Min != full.Scale.Min || pulse.Scale.Max != full.Scale.Max {
		t.Error("the pulse's scale or bands differ from the full instrument's")
	}
	for where, text := range respondentTexts(pulse) {
		if m := informalYou.FindString(text["nl"]); m != "" {
			t.Errorf("%s uses %q", where, m)
		}
	}
}

// TestPulseFactorItemCounts: a pulse factor takes one or two items and
// needs no reverse item; a full factor keeps its rules.
func TestPulseFactorItemCounts(t *testing.T) {
	data, err := os.ReadFile("../../" + pulsePath)
	if err != nil {
		t.Fatal(err)
	}
	three := strings.Replace(string(data), "      - id: talent_1\n", "      - id: talent_6\n        text:\n          nl: Mijn vakkennis en praktijkervaring worden hier serieus genomen.\n          en: My professional knowledge and hands-on experience are taken seriously here.\n      - id: talent_4\n        text:\n          nl: Ik krijg hier de kans om te groeien in mijn vak.\n          en: I get the chance to grow in my profession here.\n      - id: talent_1\n", 1)
	if _, err := Parse("pulse.yaml", []byte(three)); err == nil || !strings.Contains(err.Error(), "a factor of a pulse takes 1 to 2 items") {
		t.Errorf("three items in a pulse factor: %v", err)
	}
	full := strings.Replace(string(data), "pulse_of: uitvoeringskracht\n", "", 1)
	if _, err := Parse("full.yaml", []byte(full)); err == nil || !strings.Contains(err.Error(), "a factor needs at least 3") {
		t.Errorf("the same file without pulse_of: %v", err)
	}
	bad := strings.Replace(string(data), "pulse_of: uitvoeringskracht\n", "pulse_of: Uitvoeringskracht-V1\n", 1)
	if _, err := Parse("bad.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "pulse_of") {
		t.Errorf("a malformed pulse_of: %v", err)
	}
}
