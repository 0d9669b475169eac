package report

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	uitvoeringskracht "github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report/simulate"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// FuzzLoadAdvice feeds arbitrary bytes to LoadAdvice as one file of an
// advice library (nl.yaml, or en.yaml when english is set), next to the
// shipped file of the other language. Seeds: the f.Add calls below and
// testdata/fuzz/FuzzLoadAdvice.
//
// What must hold:
//   - nothing panics, and loading is deterministic (checked for one input
//     in eight);
//   - a refused library comes with *questionnaire.Problems: at least one,
//     sorted, each naming a file of the folder (or the folder) and a line
//     within that file;
//   - an accepted library keeps every promise the report relies on (both
//     languages, Dutch among them; three bands per route; three to five
//     complete steps per band, factor and gap; texts within their limits,
//     with white space collapsed and no control or direction characters);
//   - Check against the real questionnaire either fails with line-numbered
//     problems or passes, and then the advice can be selected for every
//     combination of bands, priorities and gaps and the report model built
//     (both languages) without a panic, with advice for every route.
func FuzzLoadAdvice(f *testing.F) {
	fx := newAdviceFuzzFixture(f)
	nl, en := fx.builtin["nl.yaml"], fx.builtin["en.yaml"]
	f.Add(false, nl)
	f.Add(true, en)
	f.Add(false, []byte(minimalAdvice))
	f.Add(true, bytes.Replace(nl, []byte("language: nl"), []byte("language: en"), 1))
	f.Add(false, bytes.Replace(en, []byte("language: en"), []byte("language: nl"), 1))
	f.Add(true, nl)  // two Dutch files
	f.Add(false, en) // no Dutch at all
	f.Add(false, []byte(""))
	f.Add(false, []byte("# only a comment\n"))
	f.Add(false, []byte("language: nl\n"))
	f.Add(false, []byte("\tlanguage: nl\n"))
	f.Add(false, bytes.ReplaceAll(nl, []byte("  "), []byte("\t")))
	f.Add(false, []byte("a: &a [*a, *a]\n"))
	f.Add(false, []byte(aliasBomb))
	f.Add(false, append(bytes.Clone(nl), []byte("extra: &x [*x]\n")...))
	f.Add(false, bytes.Replace(nl, []byte("language: nl"), []byte("language: nl\nlanguage: nl"), 1))
	f.Add(false, bytes.Replace(nl, []byte("routes:"), []byte("routes: 7\nroutes2:"), 1))
	f.Add(false, bytes.Replace(nl, []byte("horizon: binnen 1 maand"), []byte("horizon: ["+strings.Repeat("x", 5000)+"]"), 1))
	f.Add(false, []byte("language: nl\nroutes: "+strings.Repeat("[", 5000)+"\n"))
	f.Add(false, append(bytes.Clone(nl), []byte("\n---\nlanguage: en\n")...))
	f.Add(false, []byte("language: nl\xff\n"))
	f.Add(false, []byte("language: !!binary bmw=\n"))
	f.Add(false, bytes.Replace(nl, []byte("owner: Directie"), []byte("owner: \"Direc\\u202etie\""), 1))
	f.Add(false, bytes.Replace(nl, []byte("owner: Directie"), []byte("owner: <script>{{.}}</script>"), 1))
	f.Add(false, bytes.Replace(nl, []byte("owner: Directie"), []byte("owner: \"\\0\""), 1))
	f.Add(false, bytes.Replace(nl, []byte("owner: Directie"), []byte("owner: 12"), 1))
	f.Add(false, bytes.Replace(nl, []byte("owner: Directie"), []byte("owner: {a: b}"), 1))

	f.Fuzz(func(t *testing.T, english bool, data []byte) {
		fx.check(t, english, data)
	})
}

// aliasBomb is a "billion laughs" document: nine levels of nine aliases.
const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
language: nl
routes: *i
factors: *i
gap: *i
`

// adviceFuzzFixture is built once for the whole run.
type adviceFuzzFixture struct {
	q       *survey.Questionnaire
	builtin map[string][]byte // nl.yaml and en.yaml as shipped
	results []*survey.Result  // results that trigger every kind of advice
	input   Input             // the demo report input
}

func newAdviceFuzzFixture(tb testing.TB) *adviceFuzzFixture {
	tb.Helper()
	fx := &adviceFuzzFixture{q: loadQuestionnaire(tb), builtin: map[string][]byte{}}
	for _, name := range []string{"nl.yaml", "en.yaml"} {
		data, err := fs.ReadFile(uitvoeringskracht.Templates, "templates/advice/"+name)
		if err != nil {
			tb.Fatal(err)
		}
		fx.builtin[name] = data
	}
	bands := []survey.Band{survey.BandRed, survey.BandAmber, survey.BandGreen}
	for i, b := range bands {
		routes := map[string]survey.Score{}
		for j, r := range fx.q.Routes {
			routes[r.ID] = shown(40+float64(10*j), bands[(i+j)%3])
		}
		var prios []survey.Priority
		for k, fa := range fx.q.Factors[:3] {
			impact := f64(0.5 - 0.4*float64(k))
			if k == 2 {
				impact = nil
			}
			prios = append(prios, survey.Priority{Rank: k + 1, Factor: fa.ID, Score: 40, Impact: impact})
		}
		gaps := [][]survey.Difference{
			{{Measure: survey.MeasureIndex, Shown: true, Diff: f64(7.5), Verdict: survey.VerdictClear}},
			{{Measure: survey.MeasureIndex, Shown: true, Diff: f64(3), Verdict: survey.VerdictPossible}},
			{{Measure: fx.q.Factors[0].ID, Shown: true, Diff: f64(-9), Verdict: survey.VerdictClear}},
		}[i]
		res := selectResult(routes, prios, gaps)
		res.Factors[i].Score.Band = b
		fx.results = append(fx.results, res)
	}
	fx.input = newFixture(tb, 200, simulate.Demo(200), 5, false).in
	return fx
}

func (fx *adviceFuzzFixture) check(t *testing.T, english bool, data []byte) {
	fuzzed, other := "nl.yaml", "en.yaml"
	if english {
		fuzzed, other = other, fuzzed
	}
	fsys := fstest.MapFS{
		"adv/" + fuzzed: {Data: data},
		"adv/" + other:  {Data: fx.builtin[other]},
	}
	lib, err := LoadAdvice(fsys, "adv")
	// Loading both files takes milliseconds, so only one input in eight
	// (chosen by its checksum, so the same input always is) is loaded a
	// second time to see that loading is deterministic.
	if crc32.ChecksumIEEE(data)%8 == 0 {
		lib2, err2 := LoadAdvice(fsys, "adv")
		if fmt.Sprint(err) != fmt.Sprint(err2) || !reflect.DeepEqual(lib, lib2) {
			t.Fatalf("loading is not deterministic:\n%v\n%v", err, err2)
		}
	}
	lines := map[string]int{
		"adv":           1,
		"adv/" + fuzzed: bytes.Count(data, []byte{'\n'}) + 1,
		"adv/" + other:  bytes.Count(fx.builtin[other], []byte{'\n'}) + 1,
	}
	if err != nil {
		if lib != nil {
			t.Fatal("a library returned along with an error")
		}
		checkAdviceProblems(t, err, lines)
		return
	}
	if lib == nil {
		t.Fatal("no library and no error")
	}
	checkLibrary(t, lib)

	if err := lib.Check(fx.q); err != nil {
		checkAdviceProblems(t, err, lines)
		return
	}
	for _, lang := range []string{"nl", "en", "fr"} {
		for _, res := range fx.results {
			sel := SelectAdvice(res, fx.q, lib, lang)
			checkSelection(t, sel, fx.q, lang, len(res.Priorities))
		}
	}
	// The report model in the language of the fuzzed file (building it
	// takes milliseconds; the other file is the shipped one).
	in := fx.input
	in.Advice, in.Lang = lib, strings.TrimSuffix(fuzzed, ".yaml")
	if _, err := build(in); err != nil {
		t.Fatalf("report model in %s: %v", in.Lang, err)
	}
}

// checkAdviceProblems asserts that err is a non-empty, sorted list of
// problems, each in a file of the folder and on a line of that file.
func checkAdviceProblems(t *testing.T, err error, lines map[string]int) {
	t.Helper()
	var probs *questionnaire.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("error is %T, want *questionnaire.Problems: %v", err, err)
	}
	if len(probs.List) == 0 || err.Error() == "" {
		t.Fatal("*Problems without problems")
	}
	for i, p := range probs.List {
		n, ok := lines[p.File]
		if !ok || p.Message == "" {
			t.Errorf("problem %+v: unknown file or empty message", p)
		}
		if p.Line < 1 || p.Line > n+1 {
			t.Errorf("problem %+v: line outside the %d lines of %s", p, n, p.File)
		}
		if i > 0 {
			prev := probs.List[i-1]
			if prev.File > p.File || prev.File == p.File && prev.Line > p.Line {
				t.Errorf("problems not sorted: %s:%d before %s:%d", prev.File, prev.Line, p.File, p.Line)
			}
		}
	}
}

// checkLibrary asserts what the report assumes of an accepted library.
func checkLibrary(t *testing.T, lib *Library) {
	t.Helper()
	langs := lib.Languages()
	if !slices.Contains(langs, survey.DefaultLanguage) || len(langs) != 2 || langs[0] == langs[1] {
		t.Fatalf("accepted languages %q", langs)
	}
	for _, l := range langs {
		if !slices.Contains(Languages(), l) {
			t.Fatalf("accepted language %q", l)
		}
	}
	text := func(what, s string, limit int, required bool) {
		switch {
		case s == "" && required:
			t.Fatalf("%s: accepted empty", what)
		case utf8.RuneCountInString(s) > limit:
			t.Fatalf("%s: accepted %d characters", what, utf8.RuneCountInString(s))
		case !utf8.ValidString(s) || clean(s) != s || strings.Join(strings.Fields(s), " ") != s:
			t.Fatalf("%s: accepted %q", what, s)
		}
	}
	steps := func(what string, st []Step) {
		if len(st) < minSteps || len(st) > maxSteps {
			t.Fatalf("%s: accepted %d steps", what, len(st))
		}
		seen := map[string]bool{}
		for i, s := range st {
			w := fmt.Sprintf("%s step %d", what, i+1)
			text(w+" text", s.Text, maxStepText, true)
			text(w+" owner", s.Owner, maxOwner, true)
			text(w+" horizon", s.Horizon, maxHorizon, true)
			if seen[s.Text] {
				t.Fatalf("%s: accepted a repeated text", w)
			}
			seen[s.Text] = true
		}
	}
	for _, s := range lib.sets {
		if len(s.routes) == 0 || len(s.factors) == 0 {
			t.Fatalf("%s: accepted without routes or factors", s.lang)
		}
		for _, r := range s.routes {
			if !validID(r.id) || len(r.bands) != 3 {
				t.Fatalf("%s: accepted route %q with %d bands", s.lang, r.id, len(r.bands))
			}
			for b, a := range r.bands {
				text("route "+r.id+" "+string(b), a.diagnosis, maxDiagnosis, true)
				steps("route "+r.id+" "+string(b), a.steps)
			}
		}
		for _, f := range s.factors {
			if !validID(f.id) {
				t.Fatalf("%s: accepted factor id %q", s.lang, f.id)
			}
			text("factor "+f.id+" short", f.short, maxShortName, false)
			text("factor "+f.id+" summary", f.summary, maxSummary, true)
			steps("factor "+f.id, f.steps)
		}
		text("gap", s.gap.diagnosis, maxDiagnosis, true)
		steps("gap", s.gap.steps)
	}
}

// checkSelection asserts what the report shows of a selection from a
// library that passed Check.
func checkSelection(t *testing.T, sel Selection, q *survey.Questionnaire, lang string, priorities int) {
	t.Helper()
	want := lang
	if !slices.Contains(Languages(), lang) {
		want = survey.DefaultLanguage
	}
	if sel.Lang != want {
		t.Fatalf("advice asked in %s comes in %s", lang, sel.Lang)
	}
	if len(sel.Routes) != len(q.Routes) || len(sel.Factors) != priorities {
		t.Fatalf("advice for %d of %d routes and %d of %d priorities", len(sel.Routes), len(q.Routes), len(sel.Factors), priorities)
	}
	seen := map[string]bool{}
	all := func(steps []Step) {
		for _, s := range steps {
			key := strings.ToLower(strings.TrimSpace(s.Text))
			if seen[key] || s.Owner == "" || s.Horizon == "" {
				t.Fatalf("step %+v repeated or incomplete", s)
			}
			seen[key] = true
		}
	}
	for _, r := range sel.Routes {
		if r.Diagnosis == "" {
			t.Fatalf("route %s without a diagnosis", r.Route)
		}
		all(r.Steps)
	}
	for _, f := range sel.Factors {
		if f.Summary == "" {
			t.Fatalf("factor %s without a summary", f.Factor)
		}
		all(f.Steps)
	}
	if sel.Gap == nil || sel.Gap.Diagnosis == "" {
		t.Fatal("no gap advice for a clear gap")
	}
	all(sel.Gap.Steps)
}
