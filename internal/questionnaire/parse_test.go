package questionnaire

import (
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// minimal is the smallest valid questionnaire. Comments like #@F mark lines
// that the problem tests refer to; see markerLine.
const minimal = `id: mini
version: "1"
title: {nl: Mini, en: Mini}
languages: [nl, en]
minutes_to_complete: 5
scale:
  min: 1
  max: 3
  points:
    - value: 1 #@P
      label: {nl: Oneens, en: Disagree}
    - value: 2 #@V
      label: {nl: Neutraal, en: Neutral}
    - value: 3
      label: {nl: Eens, en: Agree}
  dont_know: {nl: Weet ik niet, en: Don't know}
factors:
  - id: silos #@F
    name: {nl: Silo's, en: Silos}
    description: {nl: Schotten tussen afdelingen., en: Walls between departments.}
    items:
      - id: silos_1 #@I
        text: {nl: Afdelingen werken samen., en: Departments work together.}
      - id: silos_2
        text: {nl: We delen kennis., en: We share knowledge.}
      - id: silos_3
        reverse: true
        text: {nl: Elke afdeling werkt apart., en: Each department works alone.}
  - id: capacity #@G
    name: {nl: Capaciteit, en: Capacity}
    step_title: {nl: Tijd en middelen, en: Time and resources} #@H
    description: {nl: Tijd en geld., en: Time and money.}
    items:
      - id: capacity_1
        text: {nl: Er is genoeg tijd., en: There is enough time.}
      - id: capacity_2
        text: {nl: Er is genoeg geld., en: There is enough money.}
      - id: capacity_3
        reverse: true
        text: {nl: De planning is te krap., en: The timeline is too tight.}
outcomes:
  - id: outcome_1
    text: {nl: Beleid wordt uitgevoerd., en: Policy gets carried out.}
background:
  - id: role #@R
    kind: choice
    required: true
    text: {nl: Rol, en: Role}
    hint: {nl: Kies er een., en: Pick one.}
    options:
      - id: beleid #@E
        label: {nl: Beleid, en: Policy}
      - id: uitvoering
        label: {nl: Uitvoering, en: Execution}
      - id: management
        label: {nl: Management, en: Management}
      - id: ondersteuning
        label: {nl: Ondersteuning, en: Support}
  - id: unit
    kind: unit #@U
    required: true
    text: {nl: Onderdeel, en: Unit}
  - id: tenure #@T
    kind: choice
    text: {nl: Hoe lang, en: How long}
    options:
      - id: lt2 #@O
        label: {nl: Korter dan 2 jaar, en: Less than 2 years}
      - id: 2plus
        label: {nl: 2 jaar of langer, en: 2 years or more}
open:
  - id: obstacle #@Q
    text: {nl: Grootste obstakel, en: Biggest obstacle}
    hint: {nl: Noem geen namen., en: Do not name anyone.}
    max_length: 500
routes:
  - id: collaboration #@C
    number: 1 #@N
    name: {nl: Samenwerken, en: Collaborate}
    description: {nl: Samen optrekken., en: Pull together.}
    weights: {silos: 0.75, capacity: 0.25}
  - id: policy_execution
    number: 2
    name: {nl: Verbinden, en: Connect}
    description: {nl: Beleid en uitvoering samen., en: Policy and execution together.}
    weights: #@W
      capacity: 0.5
      silos: 0.5 #@S
bands:
  amber: 50
  green: 65
`

func TestParseMinimal(t *testing.T) {
	q, err := Parse("mini.yaml", []byte(minimal))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if q.ID != "mini" || q.Version != "1" || q.MinutesToComplete != 5 {
		t.Errorf("id, version, minutes = %q, %q, %d", q.ID, q.Version, q.MinutesToComplete)
	}
	if q.Title["en"] != "Mini" || q.Scale.DontKnow["en"] != "Don't know" {
		t.Errorf("title, dont_know = %v, %v", q.Title, q.Scale.DontKnow)
	}
	if q.Scale.Min != 1 || q.Scale.Max != 3 || len(q.Scale.Points) != 3 || q.Scale.Points[1].Label["nl"] != "Neutraal" {
		t.Errorf("scale = %+v", q.Scale)
	}
	if len(q.Factors) != 2 || len(q.Factors[0].Items) != 3 {
		t.Fatalf("factors = %+v", q.Factors)
	}
	// step_title is optional: the respondent's heading where one is given.
	if q.Factors[0].StepTitle != nil || q.Factors[1].StepTitle["nl"] != "Tijd en middelen" || q.Factors[1].StepTitle["en"] != "Time and resources" {
		t.Errorf("step titles = %v, %v; want none, Tijd en middelen/Time and resources", q.Factors[0].StepTitle, q.Factors[1].StepTitle)
	}
	reverse := []bool{}
	for _, it := range q.Factors[0].Items {
		reverse = append(reverse, it.Reverse)
	}
	if !slices.Equal(reverse, []bool{false, false, true}) {
		t.Errorf("silos reverse flags = %v; want [false false true]", reverse)
	}
	if q.Factors[0].Items[2].Text["en"] != "Each department works alone." {
		t.Errorf("silos_3 text = %v", q.Factors[0].Items[2].Text)
	}
	if len(q.Outcomes) != 1 || q.Outcomes[0].ID != "outcome_1" {
		t.Errorf("outcomes = %+v", q.Outcomes)
	}
	if len(q.Background) != 3 {
		t.Fatalf("background = %+v", q.Background)
	}
	role, unit, tenure := q.Background[0], q.Background[1], q.Background[2]
	if role.Kind != survey.BackgroundChoice || !role.Required || len(role.Options) != 4 || role.Hint["en"] != "Pick one." {
		t.Errorf("role = %+v", role)
	}
	if unit.Kind != survey.BackgroundUnit || unit.Options != nil || unit.Hint != nil {
		t.Errorf("unit = %+v", unit)
	}
	if tenure.Required || tenure.Options[1].ID != "2plus" {
		t.Errorf("tenure = %+v", tenure)
	}
	if len(q.Open) != 1 || q.Open[0].MaxLength != 500 || q.Open[0].Hint["nl"] != "Noem geen namen." {
		t.Errorf("open = %+v", q.Open)
	}
	// Weights keep file order, which is how the results list them.
	want := []survey.RouteWeight{{Factor: "capacity", Weight: 0.5}, {Factor: "silos", Weight: 0.5}}
	if len(q.Routes) != 2 || q.Routes[1].Number != 2 || !slices.Equal(q.Routes[1].Weights, want) {
		t.Errorf("routes = %+v", q.Routes)
	}
	if q.Bands != (survey.Bands{Amber: 50, Green: 65}) {
		t.Errorf("bands = %+v", q.Bands)
	}
}

// TestParseTrimsBlockText: folded descriptions end in a newline that must
// not reach the page.
func TestParseTrimsBlockText(t *testing.T) {
	src := edit(t, minimal, "    description: {nl: Tijd en geld., en: Time and money.}\n",
		"    description:\n      nl: >\n        Tijd en\n        geld.\n      en: |\n        Time and money.\n")
	q, err := Parse("mini.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := q.Factors[1].Description; got["nl"] != "Tijd en geld." || got["en"] != "Time and money." {
		t.Errorf("description = %q", got)
	}
}

// edit applies old, new pairs to src; each old must occur exactly once.
func edit(t *testing.T, src string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(src, pairs[i]); n != 1 {
			t.Fatalf("edit: %q occurs %d times; want once", pairs[i], n)
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// markerLine returns the line holding the comment #@name; the tests mark
// expected problem lines this way instead of counting lines by hand.
func markerLine(t *testing.T, src, name string) int {
	t.Helper()
	line := 0
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l+" ", "#@"+name+" ") {
			if line != 0 {
				t.Fatalf("marker #@%s appears twice", name)
			}
			line = i + 1
		}
	}
	if line == 0 {
		t.Fatalf("marker #@%s not found", name)
	}
	return line
}

// want is an expected problem: on the line marked #@at, with message msg in
// which {X} stands for the line marked #@X.
type want struct{ at, msg string }

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		// src is the whole file; when empty, the edits apply to minimal.
		src   string
		edits []string
		// cut removes the text from cut[0] up to, not including, cut[1].
		cut  []string
		want []want
	}{
		// YAML level.
		{
			name:  "syntax error from the parser is on the right line",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {nl: Mini, en: Mini #@A"},
			want:  []want{{"A", `YAML syntax error: did not find expected ',' or '}'`}},
		},
		{
			name:  "syntax error from the scanner",
			edits: []string{`version: "1"`, `version: "1": 2 #@A`},
			want:  []want{{"A", "YAML syntax error: mapping values are not allowed in this context"}},
		},
		{
			// The parser reports the start of the enclosing block.
			name:  "syntax error: bad indentation",
			edits: []string{"      - id: silos_2\n        text:", "      - id: silos_2\n       text:"},
			want:  []want{{"I", "YAML syntax error: did not find expected '-' indicator"}},
		},
		{
			name:  "syntax error: tab indentation",
			edits: []string{"  max: 3\n", "\tmax: 3 #@A\n"},
			want:  []want{{"A", "YAML syntax error: found a tab character that violates indentation"}},
		},
		{
			name:  "syntax error: unknown anchor",
			edits: []string{"minutes_to_complete: 5", "minutes_to_complete: *five #@A"},
			want:  []want{{"A", "YAML syntax error: unknown anchor 'five' referenced"}},
		},
		{
			name:  "alias",
			edits: []string{"minutes_to_complete: 5", "minutes_to_complete: &five 5", "  max: 3\n", "  max: *five #@A\n"},
			want:  []want{{"A", "alias *five is not supported; write the value out in full"}},
		},
		{
			name:  "invalid UTF-8",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {nl: Mini\xff, en: Mini} #@A"},
			want:  []want{{"A", "file is not valid UTF-8"}},
		},
		{
			name:  "lone carriage return",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {nl: Mini, en: Mini}\r #@A"},
			want:  []want{{"A", "line break U+000D is not supported; end lines with LF or CR LF"}},
		},
		{
			name:  "line separator",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {nl: Mini\u2028, en: Mini} #@A"},
			want:  []want{{"A", "line break U+2028 is not supported; end lines with LF or CR LF"}},
		},
		{
			name:  "control character",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {nl: Mini\a, en: Mini} #@A"},
			want:  []want{{"A", "character U+0007 is not allowed in YAML"}},
		},
		{
			name: "no document",
			src:  "# nothing here #@A\n",
			want: []want{{"A", "file holds no YAML document"}},
		},
		{
			name: "empty document",
			src:  "--- #@A\n",
			want: []want{{"A", "file holds an empty YAML document"}},
		},
		{
			name: "second document",
			src:  minimal + "--- #@A\nid: other\n",
			want: []want{{"A", "a second YAML document starts here; a file holds exactly one questionnaire"}},
		},
		{
			name: "top level is not a mapping",
			src:  "- id: mini #@A\n",
			want: []want{{"A", `questionnaire: want a mapping with fields id, version, title, languages, minutes_to_complete, scale, factors, outcomes, background, open, routes, bands, pulse_of, got a list`}},
		},
		{
			name:  "unknown top-level field",
			edits: []string{"minutes_to_complete: 5\n", "minutes_to_complete: 5\ntitel: Mini #@A\n"},
			want:  []want{{"A", `questionnaire: unknown field "titel" (allowed: id, version, title, languages, minutes_to_complete, scale, factors, outcomes, background, open, routes, bands, pulse_of)`}},
		},
		{
			name:  "unknown item field",
			edits: []string{"      - id: silos_2\n", "      - id: silos_2\n        reversed: true #@A\n"},
			want:  []want{{"A", `item "silos_2": unknown field "reversed" (allowed: id, text, reverse)`}},
		},
		{
			name:  "duplicate field",
			edits: []string{"version: \"1\"\n", "version: \"1\" #@A\nversion: \"2\" #@B\n"},
			want:  []want{{"B", `questionnaire: duplicate field "version" (first on line {A})`}},
		},
		{
			name:  "field names must be text",
			edits: []string{"minutes_to_complete: 5\n", "minutes_to_complete: 5\n? [a, b] #@A\n: c\n"},
			want:  []want{{"A", `questionnaire: field names must be plain text, got a list`}},
		},

		// Required fields and types.
		{
			name:  "missing id",
			edits: []string{"id: mini\nversion: \"1\"", "version: \"1\" #@A"},
			want:  []want{{"A", `questionnaire: missing field "id"`}},
		},
		{
			name:  "missing version",
			edits: []string{"id: mini\nversion: \"1\"", "id: mini #@A"},
			want:  []want{{"A", `questionnaire: missing field "version"`}},
		},
		{
			name:  "empty version",
			edits: []string{`version: "1"`, `version: "" #@A`},
			want:  []want{{"A", `questionnaire: field "version" is empty`}},
		},
		{
			name:  "invalid version",
			edits: []string{`version: "1"`, `version: 1 beta #@A`},
			want:  []want{{"A", `questionnaire: invalid version "1 beta": use letters, digits, '.', '-' and '_'`}},
		},
		{
			name:  "missing languages",
			edits: []string{"id: mini\n", "id: mini #@A\n", "languages: [nl, en]\n", ""},
			want:  []want{{"A", `questionnaire: missing field "languages"`}},
		},
		{
			name:  "languages without nl",
			edits: []string{"languages: [nl, en]", "languages: [en] #@A"},
			want:  []want{{"A", `questionnaire: languages must include "nl"`}},
		},
		{
			name:  "invalid language code",
			edits: []string{"languages: [nl, en]", "languages: [nl, en, EN] #@A"},
			want:  []want{{"A", `questionnaire: invalid language "EN"; use a two-letter ISO 639-1 code such as nl`}},
		},
		{
			name:  "duplicate language",
			edits: []string{"languages: [nl, en]", "languages: [nl, en, en] #@A"},
			want:  []want{{"A", `questionnaire: duplicate language "en" (first on line {A})`}},
		},
		{
			name:  "missing scale",
			edits: []string{"id: mini\n", "id: mini #@A\n"},
			cut:   []string{"scale:\n", "factors:\n"},
			want:  []want{{"A", `questionnaire: missing field "scale"`}},
		},
		{
			name:  "missing item text",
			edits: []string{"      - id: silos_2\n        text: {nl: We delen kennis., en: We share knowledge.}\n", "      - id: silos_2 #@A\n"},
			want:  []want{{"A", `item "silos_2": missing field "text"`}},
		},
		{
			name:  "empty field",
			edits: []string{"    name: {nl: Capaciteit, en: Capacity}", "    name: #@A"},
			want:  []want{{"A", `factor "capacity": field "name" is empty`}},
		},
		{
			name:  "wrong type: not a whole number",
			edits: []string{"  min: 1\n", "  min: 1.5 #@A\n"},
			want:  []want{{"A", `scale: field "min" must be a whole number, got "1.5"`}},
		},
		{
			name:  "wrong type: not true or false",
			edits: []string{"      - id: silos_1 #@I\n", "      - id: silos_1 #@I\n        reverse: yes #@A\n"},
			want:  []want{{"A", `item "silos_1": field "reverse" must be true or false, got "yes"`}},
		},
		{
			name:  "wrong type: not a list",
			edits: []string{"outcomes:\n  - id: outcome_1\n    text: {nl: Beleid wordt uitgevoerd., en: Policy gets carried out.}\n", "outcomes: outcome_1 #@A\n"},
			want:  []want{{"A", `questionnaire: field "outcomes" must be a list, got "outcome_1"`}},
		},
		{
			name:  "wrong type: not a mapping",
			edits: []string{"  - id: outcome_1\n    text: {nl: Beleid wordt uitgevoerd., en: Policy gets carried out.}\n", "  - outcome_1 #@A\n"},
			want:  []want{{"A", `outcome item #1: want a mapping with fields id, text, reverse, got "outcome_1"`}},
		},
		{
			name:  "wrong type: text is not a mapping",
			edits: []string{"text: {nl: Onderdeel, en: Unit}", "text: Onderdeel #@A"},
			want:  []want{{"A", `background question "unit": text must map languages to text, like {nl: ..., en: ...}; got "Onderdeel"`}},
		},
		{
			name:  "minutes_to_complete not positive",
			edits: []string{"minutes_to_complete: 5", "minutes_to_complete: 0 #@A"},
			want:  []want{{"A", `questionnaire: minutes_to_complete must be positive, got 0`}},
		},

		// Translations.
		{
			name:  "missing translation of an item",
			edits: []string{"text: {nl: We delen kennis., en: We share knowledge.}", "text: {nl: We delen kennis.} #@A"},
			want:  []want{{"A", `item "silos_2": missing translation "en" of text`}},
		},
		{
			name:  "missing Dutch title",
			edits: []string{"title: {nl: Mini, en: Mini}", "title: {en: Mini} #@A"},
			want:  []want{{"A", `questionnaire: missing translation "nl" of title`}},
		},
		{
			name:  "missing translation of a scale label",
			edits: []string{"label: {nl: Neutraal, en: Neutral}", "label: {nl: Neutraal} #@A"},
			want:  []want{{"A", `scale point #2: missing translation "en" of label`}},
		},
		{
			name:  "missing translation of dont_know",
			edits: []string{"dont_know: {nl: Weet ik niet, en: Don't know}", "dont_know: {nl: Weet ik niet} #@A"},
			want:  []want{{"A", `scale: missing translation "en" of dont_know`}},
		},
		{
			name:  "missing translation of a hint",
			edits: []string{"hint: {nl: Kies er een., en: Pick one.}", "hint: {nl: Kies er een.} #@A"},
			want:  []want{{"A", `background question "role": missing translation "en" of hint`}},
		},
		{
			name:  "missing translation of a step title",
			edits: []string{"step_title: {nl: Tijd en middelen, en: Time and resources} #@H", "step_title: {nl: Tijd en middelen} #@A"},
			want:  []want{{"A", `factor "capacity": missing translation "en" of step_title`}},
		},
		{
			name:  "step title is not a mapping",
			edits: []string{"step_title: {nl: Tijd en middelen, en: Time and resources} #@H", "step_title: Tijd #@A"},
			want:  []want{{"A", `factor "capacity": step_title must map languages to text, like {nl: ..., en: ...}; got "Tijd"`}},
		},
		{
			name:  "two steps with the same title",
			edits: []string{"    name: {nl: Silo's, en: Silos}", "    name: {nl: Silo's, en: Silos}\n    step_title: {nl: Tijd en Middelen, en: Working together} #@A"},
			want:  []want{{"H", `factor "capacity": step_title "Tijd en middelen" (nl) is the same as on line {A}; every step needs a heading of its own`}},
		},
		{
			name:  "missing translation of a block description",
			edits: []string{"    description: {nl: Tijd en geld., en: Time and money.}\n", "    description:\n      nl: Tijd en geld. #@A\n"},
			want:  []want{{"A", `factor "capacity": missing translation "en" of description`}},
		},
		{
			name:  "missing translation of an option label",
			edits: []string{"label: {nl: Beleid, en: Policy}", "label: {nl: Beleid} #@A"},
			want:  []want{{"A", `option "beleid" of background question "role": missing translation "en" of label`}},
		},
		{
			name:  "missing translation of an open question",
			edits: []string{"text: {nl: Grootste obstakel, en: Biggest obstacle}", "text: {nl: Grootste obstakel} #@A"},
			want:  []want{{"A", `open question "obstacle": missing translation "en" of text`}},
		},
		{
			name:  "missing translation of a route name",
			edits: []string{"name: {nl: Verbinden, en: Connect}", "name: {nl: Verbinden} #@A"},
			want:  []want{{"A", `route "policy_execution": missing translation "en" of name`}},
		},
		{
			name:  "empty translation",
			edits: []string{"text: {nl: Er is genoeg tijd., en: There is enough time.}", `text: {nl: Er is genoeg tijd., en: ""} #@A`},
			want:  []want{{"A", `item "capacity_1": missing translation "en" of text`}},
		},
		{
			name: "null translation in a block",
			edits: []string{"        text: {nl: Er is genoeg geld., en: There is enough money.}\n",
				"        text:\n          nl: Er is genoeg geld.\n          en: #@A\n"},
			want: []want{{"A", `item "capacity_2": missing translation "en" of text`}},
		},
		{
			name:  "translation in an undeclared language",
			edits: []string{"text: {nl: Afdelingen werken samen., en: Departments work together.}", "text: {nl: Afdelingen werken samen., en: Departments work together., de: Abteilungen.} #@A"},
			want:  []want{{"A", `item "silos_1": translation "de" of text is not one of the questionnaire's languages (nl, en)`}},
		},
		{
			name:  "duplicate translation",
			edits: []string{"text: {nl: Rol, en: Role}", "text: {nl: Rol, en: Role, nl: Functie} #@A"},
			want:  []want{{"A", `background question "role": duplicate translation "nl" of text (first on line {A})`}},
		},

		// Ids.
		{
			name:  "duplicate item id across factors",
			edits: []string{"      - id: capacity_1\n", "      - id: silos_1 #@A\n"},
			want:  []want{{"A", `duplicate item id "silos_1" (first on line {I})`}},
		},
		{
			name:  "duplicate item id between a factor and the outcomes",
			edits: []string{"      - id: capacity_2\n", "      - id: capacity_2 #@A\n", "  - id: outcome_1\n", "  - id: capacity_2 #@B\n"},
			want:  []want{{"B", `duplicate item id "capacity_2" (first on line {A})`}},
		},
		{
			name: "duplicate factor id",
			edits: []string{
				"  - id: capacity #@G\n", "  - id: silos #@A\n",
				"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 0.75, capacity: 0.25} #@B",
				"      capacity: 0.5\n", "      capacity: 0.5 #@X\n",
			},
			want: []want{
				{"A", `duplicate factor id "silos" (first on line {F})`},
				{"B", `route "collaboration": weight for unknown factor "capacity"`},
				{"X", `route "policy_execution": weight for unknown factor "capacity"`},
			},
		},
		{
			name:  "duplicate route id",
			edits: []string{"  - id: policy_execution\n", "  - id: collaboration #@A\n"},
			want:  []want{{"A", `duplicate route id "collaboration" (first on line {C})`}},
		},
		{
			name:  "duplicate route number",
			edits: []string{"    number: 2\n", "    number: 1 #@A\n"},
			want:  []want{{"A", `duplicate route number 1 (first on line {N})`}},
		},
		{
			name:  "duplicate option id",
			edits: []string{"      - id: 2plus\n", "      - id: lt2 #@A\n"},
			want:  []want{{"A", `background question "tenure": duplicate option id "lt2" (first on line {O})`}},
		},
		{
			name:  "duplicate question id between background and open",
			edits: []string{"  - id: obstacle #@Q\n", "  - id: tenure #@A\n"},
			want:  []want{{"A", `duplicate question id "tenure" (first on line {T})`}},
		},
		{
			name:  "invalid item id",
			edits: []string{"      - id: silos_2\n", "      - id: Silos-2 #@A\n"},
			want:  []want{{"A", `item "Silos-2": invalid id "Silos-2": use lower-case letters, digits and _, starting with a letter`}},
		},
		{
			name:  "invalid route id",
			edits: []string{"  - id: policy_execution\n", "  - id: 2policy #@A\n"},
			want:  []want{{"A", `route "2policy": invalid id "2policy": use lower-case letters, digits and _, starting with a letter`}},
		},
		{
			name:  "invalid questionnaire id",
			edits: []string{"id: mini\n", "id: _mini #@A\n"},
			want:  []want{{"A", `questionnaire: invalid id "_mini": use lower-case letters, digits and _, starting with a letter`}},
		},
		{
			name:  "invalid option id",
			edits: []string{"      - id: 2plus\n", "      - id: 2-plus #@A\n"},
			want:  []want{{"A", `option "2-plus" of background question "tenure": invalid id "2-plus": use lower-case letters, digits and _, starting with a letter or digit`}},
		},

		// Routes.
		{
			name:  "weight for an unknown factor",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 0.75, capacitty: 0.25} #@A"},
			want:  []want{{"A", `route "collaboration": weight for unknown factor "capacitty"`}},
		},
		{
			name:  "weights do not sum to 1",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 0.75, capacity: 0.15} #@A"},
			want:  []want{{"A", `route "collaboration": weights sum to 0.9; they must sum to 1`}},
		},
		{
			name:  "weights just short of 1",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 0.3333, capacity: 0.6666} #@A"},
			want:  []want{{"A", `route "collaboration": weights sum to 0.9999; they must sum to 1`}},
		},
		{
			name:  "weights within tolerance of 1",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 0.333333333333, capacity: 0.666666666667}"},
		},
		{
			name:  "negative weight",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: {silos: 1.25, capacity: -0.25} #@A"},
			want:  []want{{"A", `route "collaboration": weight for factor "capacity" is negative (-0.25)`}},
		},
		{
			name:  "weight is not a number",
			edits: []string{"      silos: 0.5 #@S", "      silos: half #@A"},
			want:  []want{{"A", `route "policy_execution": weight for factor "silos" must be a number, got "half"`}},
		},
		{
			name:  "weight is not finite",
			edits: []string{"      silos: 0.5 #@S", "      silos: .nan #@A"},
			want:  []want{{"A", `route "policy_execution": weight for factor "silos" must be a number, got ".nan"`}},
		},
		{
			name:  "duplicate weight",
			edits: []string{"      silos: 0.5 #@S", "      silos: 0.25 #@A\n      silos: 0.25 #@B"},
			want:  []want{{"B", `route "policy_execution": duplicate weight for factor "silos" (first on line {A})`}},
		},
		{
			name:  "weights are not a mapping",
			edits: []string{"weights: {silos: 0.75, capacity: 0.25}", "weights: [silos, capacity] #@A"},
			want:  []want{{"A", `route "collaboration": weights must map factor ids to numbers, like {silos: 0.5, governance: 0.5}; got a list`}},
		},
		{
			name:  "route number not positive",
			edits: []string{"    number: 1 #@N", "    number: 0 #@A"},
			want:  []want{{"A", `route "collaboration": number must be positive, got 0`}},
		},

		// Factors.
		{
			name:  "factor with fewer than 3 items",
			edits: []string{"      - id: silos_2\n        text: {nl: We delen kennis., en: We share knowledge.}\n", ""},
			want:  []want{{"F", `factor "silos": has 2 items; a factor needs at least 3`}},
		},
		{
			name:  "factor without a reverse-keyed item",
			edits: []string{"        reverse: true\n        text: {nl: Elke", "        text: {nl: Elke"},
			want:  []want{{"F", `factor "silos": no reverse-keyed item; mark at least one with "reverse: true" to counter agreeing with everything`}},
		},

		// Bands.
		{
			name:  "band above 100",
			edits: []string{"  green: 65", "  green: 120 #@A"},
			want:  []want{{"A", `bands: green (120) must be between 0 and 100`}},
		},
		{
			name:  "band below 0",
			edits: []string{"  amber: 50", "  amber: -5 #@A"},
			want:  []want{{"A", `bands: amber (-5) must be between 0 and 100`}},
		},
		{
			name:  "amber above green",
			edits: []string{"  amber: 50\n  green: 65", "  amber: 70\n  green: 65 #@A"},
			want:  []want{{"A", `bands: green (65) must be above amber (70)`}},
		},
		{
			name:  "amber equal to green",
			edits: []string{"  amber: 50\n  green: 65", "  amber: 65\n  green: 65 #@A"},
			want:  []want{{"A", `bands: green (65) must be above amber (65)`}},
		},
		{
			name:  "band is not a number",
			edits: []string{"  amber: 50", "  amber: high #@A"},
			want:  []want{{"A", `bands: field "amber" must be a number, got "high"`}},
		},
		{
			name:  "missing bands",
			edits: []string{"id: mini\n", "id: mini #@A\n", "bands:\n  amber: 50\n  green: 65\n", ""},
			want:  []want{{"A", `questionnaire: missing field "bands"`}},
		},

		// Scale.
		{
			name:  "scale min not below max",
			edits: []string{"  min: 1\n", "  min: 3 #@A\n"},
			want:  []want{{"A", `scale: min (3) must be below max (3)`}},
		},
		{
			name:  "scale min below 1",
			edits: []string{"  min: 1\n", "  min: 0 #@A\n"},
			want:  []want{{"A", `scale: min must be at least 1 (0 stores a don't-know answer), got 0`}},
		},
		{
			name:  "scale too wide",
			edits: []string{"  max: 3\n", "  max: 30 #@A\n"},
			want:  []want{{"A", `scale: 1..30 has 30 points; at most 11 are allowed`}},
		},
		{
			name:  "scale point outside the range",
			edits: []string{"    - value: 3\n", "    - value: 4 #@A\n"},
			want:  []want{{"P", `scale: no point for value 3`}, {"A", `scale: point value 4 is outside 1..3`}},
		},
		{
			name:  "scale value twice",
			edits: []string{"    - value: 3\n", "    - value: 2 #@A\n"},
			want:  []want{{"P", `scale: no point for value 3`}, {"A", `scale: point value 2 appears twice (first on line {V})`}},
		},
		{
			name:  "scale value missing",
			edits: []string{"    - value: 2 #@V\n      label: {nl: Neutraal, en: Neutral}\n", ""},
			want:  []want{{"P", `scale: no point for value 2`}},
		},
		{
			name:  "missing dont_know",
			edits: []string{"  min: 1\n", "  min: 1 #@A\n", "  dont_know: {nl: Weet ik niet, en: Don't know}\n", ""},
			want:  []want{{"A", `scale: missing field "dont_know"`}},
		},

		// Background and open questions.
		{
			name:  "no role question",
			edits: []string{"  - id: role #@R\n", "  - id: function #@A\n"},
			want:  []want{{"A", `background: no question with id "role"`}},
		},
		{
			name:  "role question of kind unit",
			edits: []string{"  - id: role #@R\n    kind: choice\n", "  - id: role #@R\n    kind: unit #@A\n"},
			want:  []want{{"A", `background question "role": kind must be "choice"`}},
		},
		{
			name:  "role question missing an option",
			edits: []string{"      - id: ondersteuning\n        label: {nl: Ondersteuning, en: Support}\n", ""},
			want:  []want{{"E", `background question "role": missing option "ondersteuning"`}},
		},
		{
			name:  "no unit question",
			edits: []string{"  - id: unit\n    kind: unit #@U\n    required: true\n    text: {nl: Onderdeel, en: Unit}\n", ""},
			want:  []want{{"R", `background: no question of kind "unit"`}},
		},
		{
			name:  "two unit questions",
			edits: []string{"  - id: tenure #@T\n", "  - id: team\n    kind: unit #@A\n    text: {nl: Team, en: Team}\n  - id: tenure #@T\n"},
			want:  []want{{"A", `background: more than one question of kind "unit" (first on line {U})`}},
		},
		{
			name:  "unit question with another id",
			edits: []string{"  - id: unit\n", "  - id: afdeling #@A\n"},
			want:  []want{{"A", `background question "afdeling": the question of kind "unit" must have id "unit"`}},
		},
		{
			name: "choice question without options",
			edits: []string{"    options:\n      - id: lt2 #@O\n        label: {nl: Korter dan 2 jaar, en: Less than 2 years}\n" +
				"      - id: 2plus\n        label: {nl: 2 jaar of langer, en: 2 years or more}\n", ""},
			want: []want{{"T", `background question "tenure": a choice question needs options`}},
		},
		{
			name: "choice question with an empty list of options",
			edits: []string{"    options:\n      - id: lt2 #@O\n        label: {nl: Korter dan 2 jaar, en: Less than 2 years}\n" +
				"      - id: 2plus\n        label: {nl: 2 jaar of langer, en: 2 years or more}\n", "    options: [] #@A\n"},
			want: []want{{"A", `background question "tenure": a choice question needs options`}},
		},
		{
			name:  "unit question with options",
			edits: []string{"    text: {nl: Onderdeel, en: Unit}\n", "    text: {nl: Onderdeel, en: Unit}\n    options: [{id: hr, label: {nl: HR, en: HR}}] #@A\n"},
			want:  []want{{"A", `background question "unit": a unit question takes its options from the diagnostic's units; remove "options"`}},
		},
		{
			name:  "unknown kind",
			edits: []string{"  - id: tenure #@T\n    kind: choice\n", "  - id: tenure #@T\n    kind: dropdown #@A\n"},
			want:  []want{{"A", `background question "tenure": unknown kind "dropdown"; want "choice" or "unit"`}},
		},
		{
			name:  "missing kind",
			edits: []string{"  - id: tenure #@T\n    kind: choice\n", "  - id: tenure #@T\n"},
			want:  []want{{"T", `background question "tenure": missing field "kind"`}},
		},
		{
			name:  "open question max_length zero",
			edits: []string{"    max_length: 500\n", "    max_length: 0 #@A\n"},
			want:  []want{{"A", `open question "obstacle": max_length must be positive, got 0`}},
		},
		{
			name:  "open question max_length negative",
			edits: []string{"    max_length: 500\n", "    max_length: -5 #@A\n"},
			want:  []want{{"A", `open question "obstacle": max_length must be positive, got -5`}},
		},
		{
			name:  "open question without max_length",
			edits: []string{"    max_length: 500\n", ""},
			want:  []want{{"Q", `open question "obstacle": missing field "max_length"`}},
		},

		// Outcomes.
		{
			name:  "empty outcomes",
			edits: []string{"outcomes:\n  - id: outcome_1\n    text: {nl: Beleid wordt uitgevoerd., en: Policy gets carried out.}\n", "outcomes: [] #@A\n"},
			want:  []want{{"A", `questionnaire: no outcome items; add at least one under "outcomes"`}},
		},
		{
			name:  "no outcomes field",
			edits: []string{"id: mini\n", "id: mini #@A\n", "outcomes:\n  - id: outcome_1\n    text: {nl: Beleid wordt uitgevoerd., en: Policy gets carried out.}\n", ""},
			want:  []want{{"A", `questionnaire: no outcome items; add at least one under "outcomes"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == "" {
				src = edit(t, minimal, tt.edits...)
			}
			if tt.cut != nil {
				i, j := strings.Index(src, tt.cut[0]), strings.Index(src, tt.cut[1])
				if i < 0 || j < i {
					t.Fatalf("cut %q: not found in order", tt.cut)
				}
				src = src[:i] + src[j:]
			}
			var wantLines []string
			for _, w := range tt.want {
				wantLines = append(wantLines, "test.yaml:"+strconv.Itoa(markerLine(t, src, w.at))+": "+expand(t, src, w.msg))
			}
			q, err := Parse("test.yaml", []byte(src))
			if len(wantLines) == 0 {
				if err != nil {
					t.Fatalf("Parse: unexpected problems:\n%v", err)
				}
				return
			}
			var probs *Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Parse error = %v (%T); want *Problems", err, err)
			}
			if q != nil {
				t.Errorf("Parse returned a questionnaire along with problems")
			}
			if got, want := err.Error(), strings.Join(wantLines, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// expand replaces {X} in msg by the line of marker #@X.
func expand(t *testing.T, src, msg string) string {
	t.Helper()
	for c := 'A'; c <= 'Z'; c++ {
		if ph := "{" + string(c) + "}"; strings.Contains(msg, ph) {
			msg = strings.ReplaceAll(msg, ph, strconv.Itoa(markerLine(t, src, string(c))))
		}
	}
	return msg
}

func TestProblemsError(t *testing.T) {
	p := &Problems{List: []Problem{
		{File: "a.yaml", Line: 3, Message: `item "x": missing translation "en" of text`},
		{File: "a.yaml", Line: 12, Message: "bands: green (65) must be above amber (70)"},
	}}
	want := "a.yaml:3: item \"x\": missing translation \"en\" of text\na.yaml:12: bands: green (65) must be above amber (70)"
	if got := p.Error(); got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if got := p.List[0].String(); got != `a.yaml:3: item "x": missing translation "en" of text` {
		t.Errorf("Problem.String() = %q", got)
	}
}

// TestParseReportsEverythingSorted: one run reports all problems, in line
// order although they are found in another order (languages first).
func TestParseReportsEverythingSorted(t *testing.T) {
	src := edit(t, minimal,
		"  green: 65", "  green: 120",
		"languages: [nl, en]\n", "",
		"text: {nl: We delen kennis., en: We share knowledge.}", "text: {nl: We delen kennis.}",
	) + "languages: [nl, en, EN]\n"
	_, err := Parse("x.yaml", []byte(src))
	var probs *Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v; want *Problems", err)
	}
	if len(probs.List) != 3 {
		t.Fatalf("got %d problems; want 3:\n%v", len(probs.List), err)
	}
	if !slices.IsSortedFunc(probs.List, func(a, b Problem) int { return a.Line - b.Line }) {
		t.Errorf("problems not sorted by line:\n%v", err)
	}
	for _, p := range probs.List {
		if p.File != "x.yaml" {
			t.Errorf("problem file = %q; want x.yaml", p.File)
		}
	}
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"q/good.yaml": {Data: []byte(minimal)},
		"q/bad.yaml":  {Data: []byte(edit(t, minimal, "  green: 65", "  green: 120"))},
	}
	q, err := Load(fsys, "q/good.yaml")
	if err != nil || q.ID != "mini" {
		t.Fatalf("Load good = %v, %v", q, err)
	}

	_, err = Load(fsys, "q/bad.yaml")
	var probs *Problems
	if !errors.As(err, &probs) || len(probs.List) != 1 || probs.List[0].File != "q/bad.yaml" {
		t.Errorf("Load bad = %v; want one problem in q/bad.yaml", err)
	}

	_, err = Load(fsys, "q/missing.yaml")
	if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &probs) {
		t.Errorf("Load missing = %v; want a wrapped fs.ErrNotExist", err)
	}
}
