package questionnaire

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// v1Path is where the binary's embedded FS (root package, embed.go) holds
// the shipped questionnaire; os.DirFS("../..") has the same layout.
const v1Path = "questionnaires/uitvoeringskracht-v1.yaml"

func loadV1(t *testing.T) *survey.Questionnaire {
	t.Helper()
	q, err := Load(os.DirFS("../.."), v1Path)
	if err != nil {
		t.Fatalf("shipped questionnaire has problems:\n%v", err)
	}
	return q
}

func TestShippedV1Parses(t *testing.T) {
	q := loadV1(t)
	if q.ID != "uitvoeringskracht" || q.Version != "1" {
		t.Errorf("id, version = %q, %q; want uitvoeringskracht, 1", q.ID, q.Version)
	}
	if !slices.Equal(q.Languages, []string{"nl", "en"}) {
		t.Errorf("languages = %v; want [nl en]", q.Languages)
	}
	if q.MinutesToComplete != 10 {
		t.Errorf("minutes_to_complete = %d; want 10", q.MinutesToComplete)
	}
	if q.Bands != (survey.Bands{Amber: 50, Green: 65}) {
		t.Errorf("bands = %+v; want amber 50, green 65", q.Bands)
	}
}

// TestInstrumentContent holds the shipped instrument to the rules of its
// design, beyond what Parse demands of any questionnaire.
func TestInstrumentContent(t *testing.T) {
	q := loadV1(t)

	if q.Scale.Min != 1 || q.Scale.Max != 5 || len(q.Scale.Points) != 5 {
		t.Errorf("scale = %d..%d with %d points; want 1..5 with 5", q.Scale.Min, q.Scale.Max, len(q.Scale.Points))
	}
	wantLabels := []string{"Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"}
	for i, pt := range q.Scale.Points {
		if i < len(wantLabels) && (pt.Value != i+1 || pt.Label["nl"] != wantLabels[i]) {
			t.Errorf("scale point %d = %d %q; want %d %q", i, pt.Value, pt.Label["nl"], i+1, wantLabels[i])
		}
	}
	if q.Scale.DontKnow["nl"] != "Weet ik niet / niet van toepassing" {
		t.Errorf("dont_know = %q", q.Scale.DontKnow["nl"])
	}

	var factorIDs []string
	for _, f := range q.Factors {
		factorIDs = append(factorIDs, f.ID)
		if n := len(f.Items); n < 6 || n > 7 {
			t.Errorf("factor %q has %d items; want 6 or 7", f.ID, n)
		}
		reverse := 0
		for _, it := range f.Items {
			if it.Reverse {
				reverse++
			}
			if !strings.HasPrefix(it.ID, f.ID+"_") {
				t.Errorf("item %q of factor %q: id should start with %q", it.ID, f.ID, f.ID+"_")
			}
		}
		if reverse < 1 || reverse == len(f.Items) {
			t.Errorf("factor %q has %d reverse-keyed items of %d; want at least one of each kind", f.ID, reverse, len(f.Items))
		}
	}
	// Respondents read a neutral step title, not the name of the problem.
	for _, f := range q.Factors {
		for _, lang := range []string{"nl", "en"} {
			if f.StepTitle[lang] == "" || strings.EqualFold(f.StepTitle[lang], f.Name[lang]) {
				t.Errorf("factor %q: step_title %q (%s) must be given and differ from the name %q", f.ID, f.StepTitle[lang], lang, f.Name[lang])
			}
		}
	}
	if want := []string{"risk_culture", "governance", "talent", "silos", "capacity"}; !slices.Equal(factorIDs, want) {
		t.Errorf("factors = %v; want %v", factorIDs, want)
	}
	if n := len(q.Outcomes); n < 2 || n > 3 {
		t.Errorf("%d outcome items; want 2 or 3", n)
	}

	var bgIDs []string
	for _, b := range q.Background {
		bgIDs = append(bgIDs, b.ID)
		if !b.Required {
			t.Errorf("background question %q is optional; want required", b.ID)
		}
	}
	if want := []string{"role", "unit", "tenure"}; !slices.Equal(bgIDs, want) {
		t.Errorf("background = %v; want %v", bgIDs, want)
	}
	var roleOptions []string
	for _, o := range q.Background[0].Options {
		roleOptions = append(roleOptions, o.ID)
	}
	if want := []string{"beleid", "uitvoering", "management", "ondersteuning"}; !slices.Equal(roleOptions, want) {
		t.Errorf("role options = %v; want %v", roleOptions, want)
	}

	var openIDs []string
	for _, o := range q.Open {
		openIDs = append(openIDs, o.ID)
		if o.MaxLength != 1000 {
			t.Errorf("open question %q: max_length %d; want 1000", o.ID, o.MaxLength)
		}
		if len(o.Hint) == 0 {
			t.Errorf("open question %q has no hint against identifying details", o.ID)
		}
	}
	if want := []string{"obstacle", "help"}; !slices.Equal(openIDs, want) {
		t.Errorf("open = %v; want %v", openIDs, want)
	}

	var routeIDs []string
	for i, r := range q.Routes {
		routeIDs = append(routeIDs, r.ID)
		if r.Number != i+1 {
			t.Errorf("route %q has number %d; want %d", r.ID, r.Number, i+1)
		}
	}
	if want := []string{"collaboration", "policy_execution", "professional_room"}; !slices.Equal(routeIDs, want) {
		t.Errorf("routes = %v; want %v", routeIDs, want)
	}

	// Every text the respondent or director sees, in both languages.
	for where, text := range allTexts(q) {
		for _, lang := range []string{"nl", "en"} {
			if strings.TrimSpace(text[lang]) == "" {
				t.Errorf("%s: no %q text", where, lang)
			}
		}
	}

	// Items are read on a phone: keep them to two short lines.
	seen := map[string]string{}
	for _, it := range q.AllItems() {
		for _, lang := range []string{"nl", "en"} {
			s := it.Text[lang]
			if n := utf8.RuneCountInString(s); n > 100 {
				t.Errorf("item %q (%s) has %d characters; keep items to 100: %q", it.ID, lang, n, s)
			}
			if other, dup := seen[lang+s]; dup {
				t.Errorf("items %q and %q have the same %s text", other, it.ID, lang)
			}
			seen[lang+s] = it.ID
		}
	}
}

// allTexts lists every Text of q by where it is.
func allTexts(q *survey.Questionnaire) map[string]survey.Text {
	texts := map[string]survey.Text{
		"title":           q.Title,
		"scale.dont_know": q.Scale.DontKnow,
	}
	for _, pt := range q.Scale.Points {
		texts["scale point "+string(rune('0'+pt.Value))] = pt.Label
	}
	for _, f := range q.Factors {
		texts["factor "+f.ID+" name"] = f.Name
		texts["factor "+f.ID+" step_title"] = f.StepTitle
		texts["factor "+f.ID+" description"] = f.Description
	}
	for _, it := range q.AllItems() {
		texts["item "+it.ID] = it.Text
	}
	for _, b := range q.Background {
		texts["background "+b.ID] = b.Text
		if b.Hint != nil {
			texts["background "+b.ID+" hint"] = b.Hint
		}
		for _, o := range b.Options {
			texts["background "+b.ID+" option "+o.ID] = o.Label
		}
	}
	for _, o := range q.Open {
		texts["open "+o.ID] = o.Text
		if o.Hint != nil {
			texts["open "+o.ID+" hint"] = o.Hint
		}
	}
	for _, r := range q.Routes {
		texts["route "+r.ID+" name"] = r.Name
		texts["route "+r.ID+" description"] = r.Description
	}
	return texts
}

// informalYou matches the informal forms of "you" as whole words.
var informalYou = regexp.MustCompile(`(?i)\b(je|jij|jou|jouw|jullie|jezelf)\b`)

// TestInstrumentAddressesRespondentsAsU: the respondent is "u" in every
// Dutch text they read, as on the pages around the questionnaire.
func TestInstrumentAddressesRespondentsAsU(t *testing.T) {
	for where, text := range respondentTexts(loadV1(t)) {
		if m := informalYou.FindString(text["nl"]); m != "" {
			t.Errorf("%s uses %q; respondents are addressed as \"u\": %q", where, m, text["nl"])
		}
	}
	// The check itself: it must catch the sentence of the issue.
	if !informalYou.MatchString("Noem geen details waaraan jij of anderen te herkennen zijn.") || informalYou.MatchString("Jeugdzorg en uw jeugd") {
		t.Error("informalYou does not tell the informal from the formal form")
	}
}

// respondentTexts lists the texts of q that respondents read, by where.
func respondentTexts(q *survey.Questionnaire) map[string]survey.Text {
	texts := map[string]survey.Text{"title": q.Title, "scale.dont_know": q.Scale.DontKnow}
	for _, pt := range q.Scale.Points {
		texts["scale point "+strconv.Itoa(pt.Value)] = pt.Label
	}
	for _, f := range q.Factors {
		texts["factor "+f.ID+" step_title"] = f.StepTitle
	}
	for _, it := range q.AllItems() {
		texts["item "+it.ID] = it.Text
	}
	for _, b := range q.Background {
		texts["background "+b.ID] = b.Text
		texts["background "+b.ID+" hint"] = b.Hint
		for _, o := range b.Options {
			texts["background "+b.ID+" option "+o.ID] = o.Label
		}
	}
	for _, o := range q.Open {
		texts["open "+o.ID] = o.Text
		texts["open "+o.ID+" hint"] = o.Hint
	}
	return texts
}
