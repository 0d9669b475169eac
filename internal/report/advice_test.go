package report

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
)

func TestShippedAdviceIsCompleteForTheQuestionnaire(t *testing.T) {
	lib := loadLibrary(t)
	if got := strings.Join(lib.Languages(), ","); got != "en,nl" {
		t.Errorf("languages = %s, want en,nl", got)
	}
	if err := lib.Check(loadQuestionnaire(t)); err != nil {
		t.Fatal(err)
	}
	// Dutch and English must offer the same structure, step for step, so
	// that the report does not depend on the language in anything but words.
	nl, en := lib.set("nl"), lib.set("en")
	for _, r := range nl.routes {
		other := en.route(r.id)
		for band, a := range r.bands {
			if len(other.bands[band].steps) != len(a.steps) {
				t.Errorf("route %s %s: %d Dutch steps, %d English", r.id, band, len(a.steps), len(other.bands[band].steps))
			}
		}
	}
	for _, f := range nl.factors {
		if len(en.factor(f.id).steps) != len(f.steps) {
			t.Errorf("factor %s: step counts differ", f.id)
		}
	}
	if len(nl.gap.steps) != len(en.gap.steps) {
		t.Error("gap: step counts differ")
	}
}

// minimalAdvice is a valid one-language library for one route and factor.
const minimalAdvice = `language: nl
routes:
  - id: collaboration
    red:
      diagnosis: Slecht.
      steps:
        - {text: Een, owner: Directie, horizon: nu}
        - {text: Twee, owner: Directie, horizon: nu}
        - {text: Drie, owner: Directie, horizon: nu}
    amber:
      diagnosis: Matig.
      steps:
        - {text: Een, owner: Directie, horizon: nu}
        - {text: Twee, owner: Directie, horizon: nu}
        - {text: Drie, owner: Directie, horizon: nu}
    green:
      diagnosis: Goed.
      steps:
        - {text: Een, owner: Directie, horizon: nu}
        - {text: Twee, owner: Directie, horizon: nu}
        - {text: Drie, owner: Directie, horizon: nu}
factors:
  - id: capacity
    summary: Te weinig mensen.
    steps:
      - {text: Vier, owner: HR, horizon: later}
      - {text: Vijf, owner: HR, horizon: later}
      - {text: Zes, owner: HR, horizon: later}
gap:
  diagnosis: Kloof.
  steps:
    - {text: Zeven, owner: Directie, horizon: nu}
    - {text: Acht, owner: Directie, horizon: nu}
    - {text: Negen, owner: Directie, horizon: nu}
`

func problems(t *testing.T, err error) []string {
	t.Helper()
	var ps *questionnaire.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want *questionnaire.Problems, got %v", err)
	}
	var out []string
	for _, p := range ps.List {
		out = append(out, p.String())
	}
	return out
}

func TestLoadAdviceReportsProblemsWithLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // substrings of the problems, in order
	}{
		{"valid", map[string]string{"nl.yaml": minimalAdvice}, nil},
		{"empty folder", map[string]string{"README.md": "x"}, []string{"adv:1: no advice files"}},
		{"syntax error", map[string]string{"nl.yaml": "language: nl\nroutes: [\n"}, []string{"adv/nl.yaml:3: YAML syntax error"}},
		{"unknown field", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "    summary:", "    sumary: x\n    summary:", 1)},
			[]string{`adv/nl.yaml:24: factor "capacity": unknown field "sumary"`}},
		{"too few steps", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "        - {text: Drie, owner: Directie, horizon: nu}\n    amber:", "    amber:", 1)},
			[]string{`adv/nl.yaml:6: route "collaboration" red: 2 steps; give 3 to 5`}},
		{"missing owner", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "{text: Vier, owner: HR, horizon: later}", "{text: Vier, horizon: later}", 1)},
			[]string{`adv/nl.yaml:26: factor "capacity" step 1: missing field "owner"`}},
		{"missing band", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "    green:", "    greenish:", 1)},
			[]string{`adv/nl.yaml:3: route "collaboration": missing advice for band "green"`, `adv/nl.yaml:16: route "collaboration": unknown field "greenish"`}},
		{"step too long", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "text: Zeven,", "text: "+strings.Repeat("a", 300)+",", 1)},
			[]string{`adv/nl.yaml:32: gap step 1: field "text" has 300 characters; at most 240`}},
		{"direction override", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "Kloof.", "\"Kl\\u202eoof\"", 1)},
			[]string{`adv/nl.yaml:30: gap: field "diagnosis" holds control or direction characters`}},
		{"unknown language", map[string]string{"nl.yaml": minimalAdvice, "fr.yaml": strings.Replace(minimalAdvice, "language: nl", "language: fr", 1)},
			[]string{`adv/fr.yaml:1: advice: language "fr" is not a report language`}},
		{"language twice", map[string]string{"nl.yaml": minimalAdvice, "nl2.yaml": minimalAdvice},
			[]string{`adv/nl2.yaml:1: language "nl" already has advice in adv/nl.yaml`}},
		{"no Dutch", map[string]string{"en.yaml": strings.Replace(minimalAdvice, "language: nl", "language: en", 1)},
			[]string{`adv:1: no advice in Dutch`}},
		{"duplicate route", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "factors:", strings.Join(strings.Split(minimalAdvice, "\n")[2:21], "\n")+"\nfactors:", 1)},
			[]string{`adv/nl.yaml:22: duplicate route "collaboration" (first on line 3)`}},
		{"alias", map[string]string{"nl.yaml": strings.Replace(minimalAdvice, "  diagnosis: Kloof.", "  diagnosis: &d Kloof.", 1) + "extra: *d\n"},
			[]string{`adv/nl.yaml:35: advice: unknown field "extra"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, content := range tc.files {
				fsys["adv/"+name] = &fstest.MapFile{Data: []byte(content)}
			}
			lib, err := LoadAdvice(fsys, "adv")
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if lib.set("nl") == nil {
					t.Fatal("no Dutch advice loaded")
				}
				return
			}
			got := problems(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i+1, got[i], w)
				}
			}
		})
	}
}

func TestLoadAdviceMissingFolder(t *testing.T) {
	_, err := LoadAdvice(fstest.MapFS{}, "nowhere")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestCheckAgainstQuestionnaire(t *testing.T) {
	minimal := strings.Replace(minimalAdvice, "id: capacity", "id: capacty", 1)
	lib, err := LoadAdvice(fstest.MapFS{"a/nl.yaml": {Data: []byte(minimal)}}, "a")
	if err != nil {
		t.Fatal(err)
	}
	got := problems(t, lib.Check(loadQuestionnaire(t)))
	want := []string{
		`a/nl.yaml:1: no advice for route "policy_execution"`,
		`a/nl.yaml:1: no advice for route "professional_room"`,
		`a/nl.yaml:1: no advice for factor "risk_culture"`,
		`a/nl.yaml:1: no advice for factor "governance"`,
		`a/nl.yaml:1: no advice for factor "talent"`,
		`a/nl.yaml:1: no advice for factor "silos"`,
		`a/nl.yaml:1: no advice for factor "capacity"`,
		`a/nl.yaml:23: factor "capacty" is not a factor of questionnaire uitvoeringskracht version 1`,
	}
	if len(got) != len(want) {
		t.Fatalf("got:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i+1, got[i], want[i])
		}
	}
}
