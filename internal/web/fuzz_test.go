package web

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// FuzzDecodeStep fuzzes the submit decoder: the code that turns the body of
// a posted questionnaire step into answers (stepForm, parseStep), copies
// them into the respondent's state (applyStep) and builds the stored
// response from the state (responseFromProgress). The inputs are the step number and the raw
// application/x-www-form-urlencoded body. Seeds: the f.Add calls below and
// testdata/fuzz/FuzzDecodeStep.
//
// What must hold, checked against an oracle built from the questionnaire
// itself rather than from the decoder's validation rules:
//   - nothing panics, and decoding is deterministic;
//   - the server reads the answers from the body only: the step's URL
//     carries ?vanaf=controle when the step is edited from the review
//     page, and that is not an answer (this was a bug: such a post was
//     always refused as holding an unknown field);
//   - every value is normalised (trimmed, valid UTF-8, no direction
//     embeddings, overrides or isolates), and one with a control
//     character other than tab and line breaks (NUL, ESC, DEL, C1) is
//     refused with its own message before any other check;
//   - a field is refused exactly when it is posted twice, missing while
//     required, not one of the question's options, or longer than the open
//     question allows, with the message for that case; the form as a whole
//     exactly when it holds a field that is not on the step;
//   - an accepted step yields only values the questionnaire allows, the
//     state shows them back unchanged, and the response built from the
//     state after it went through the cookie encoding holds only valid
//     answers.
func FuzzDecodeStep(f *testing.F) {
	fx := newDecodeFixture(f)
	for n := 1; n <= fx.steps; n++ {
		f.Add(n, fx.validPage(n).Encode())
	}
	f.Add(1, "")
	f.Add(0, fx.validPage(1).Encode())
	f.Add(fx.steps+1, "csrf=x")
	f.Add(-1, "csrf=x")
	// Duplicate keys, one valid and one not, in both orders.
	f.Add(2, fx.validPage(2).Encode()+"&item-risk_culture_1=4")
	f.Add(2, "item-risk_culture_1=9&"+fx.validPage(2).Encode())
	f.Add(1, fx.validPage(1).Encode()+"&bg-role=beleid")
	// Numbers that are not the canonical form of a scale value.
	for _, v := range []string{"1e9", "-0", " 3", "3 ", "\t3\n", "+3", "03", "3.0", "0x3", "٣", "３", "9223372036854775808", "-1", "6", "0", ""} {
		f.Add(2, fx.with(2, "item-risk_culture_1", v))
	}
	// Background options that are almost right.
	for _, v := range []string{"Beleid", "beleid ", "u0", "u4", "U1", "u1 u2", "<script>alert(1)</script>", "{{.}}", "lt2\x00", "\u202eleiceb"} {
		f.Add(1, fx.with(1, "bg-role", v))
		f.Add(1, fx.with(1, "bg-unit", v))
	}
	f.Add(1, fx.with(1, "bg-tenure", ""))
	// Open answers: empty, exactly at and just over the limit, markup,
	// template actions, NUL, direction marks, invalid UTF-8.
	last := fx.steps
	for _, v := range []string{
		"", "   ", strings.Repeat("a", 1000), strings.Repeat("a", 1001), strings.Repeat("é", 1000), strings.Repeat("é", 1001),
		strings.Repeat("😀", 1000), " " + strings.Repeat("a", 1000) + " ", strings.Repeat("x", 10000),
		"<script>alert(1)</script>", "{{.}}{{template \"x\"}}", "a\x00b", "\u200fשלום\u202e abc", "\xff\xfe", "\xed\xa0\x80",
	} {
		f.Add(last, fx.with(last, "open-obstacle", v))
	}
	// Control characters: refused with their own message, except tab and
	// line breaks, which an open answer may hold.
	for _, v := range []string{
		"\x00", "a\x00", "\x00" + strings.Repeat("a", 1001), "\x01\x02\x1f", "\x1b[31mrood", "\x7f", "\u0085", "\u009b", "\x08\x08",
		"regel een\nregel twee\r\n\ttab", " \x00 ",
	} {
		f.Add(last, fx.with(last, "open-obstacle", v))
		f.Add(1, fx.with(1, "bg-role", v))
		f.Add(2, fx.with(2, "item-risk_culture_1", v))
	}
	f.Add(last, "open-obstacle=%00&csrf=x")
	// Unknown fields, odd keys and bodies the server cannot parse.
	f.Add(2, fx.validPage(2).Encode()+"&vanaf=controle")
	f.Add(2, fx.validPage(2).Encode()+"&item-governance_1=3")
	f.Add(1, fx.validPage(1).Encode()+"&=x&bg-=&item-=&open-=")
	f.Add(2, "item-risk_culture_1=3;item-risk_culture_2=3")
	f.Add(2, "item-risk_culture_1=%zz")
	f.Add(2, "%00=%00&%FF=%FF")
	f.Add(1, "csrf=x&csrf=y&bg-role=beleid&bg-unit=u1&bg-tenure=lt2")

	f.Fuzz(func(t *testing.T, step int, body string) {
		fx.check(t, step, body)
	})
}

// decodeFixture is what the decoder needs, built once for the whole run:
// the embedded questionnaire in a diagnostic, a server with the real
// validator and the Dutch texts, and the oracle.
type decodeFixture struct {
	d     *survey.Diagnostic
	s     *Server
	tr    Translator
	e     *echo.Echo
	steps int
	// specs[n-1] maps each form field of step n to what the questionnaire
	// allows for it.
	specs []map[string]questionSpec
}

// questionSpec is what the questionnaire allows for one form field.
type questionSpec struct {
	item     bool
	options  map[string]bool // allowed values of a radio group
	required bool
	maxLen   int // open questions: the most characters allowed
}

func newDecodeFixture(tb testing.TB) *decodeFixture {
	tb.Helper()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		tb.Fatal(err)
	}
	d := &survey.Diagnostic{
		ID: "d1", Token: "tok", Questionnaire: *q, State: survey.StateOpen, MinGroupSize: 5,
		Units: survey.NewUnits([]string{"Beleid", "Uitvoering", "Staf"}),
	}
	fx := &decodeFixture{
		d: d, s: &Server{validate: newValidator(), texts: texts}, tr: texts.For("nl"), e: echo.New(),
	}
	// The oracle, straight from the questionnaire: background questions,
	// one step per factor, then the outcomes and the open questions.
	scale := map[string]bool{strconv.Itoa(survey.DontKnow): true}
	for _, p := range q.Scale.Points {
		scale[strconv.Itoa(p.Value)] = true
	}
	items := func(its []survey.Item) map[string]questionSpec {
		m := map[string]questionSpec{}
		for _, it := range its {
			m["item-"+it.ID] = questionSpec{item: true, options: scale, required: true}
		}
		return m
	}
	bg := map[string]questionSpec{}
	for _, b := range q.Background {
		opts := map[string]bool{}
		if b.Kind == survey.BackgroundUnit {
			for _, u := range d.Units {
				opts[u.ID] = true
			}
		} else {
			for _, o := range b.Options {
				opts[o.ID] = true
			}
		}
		bg["bg-"+b.ID] = questionSpec{options: opts, required: b.Required}
	}
	fx.specs = append(fx.specs, bg)
	for _, fa := range q.Factors {
		fx.specs = append(fx.specs, items(fa.Items))
	}
	final := items(q.Outcomes)
	for _, o := range q.Open {
		final["open-"+o.ID] = questionSpec{maxLen: o.MaxLength}
	}
	fx.specs = append(fx.specs, final)
	fx.steps = len(fx.specs)
	if len(stepsOf(q)) != fx.steps {
		tb.Fatalf("the decoder has %d steps, the questionnaire %d", len(stepsOf(q)), fx.steps)
	}
	return fx
}

// validPage is a complete, valid post of step n, as a browser sends it.
func (fx *decodeFixture) validPage(n int) url.Values {
	v := url.Values{"csrf": {"token"}}
	for name, sp := range fx.specs[n-1] {
		switch {
		case sp.item:
			v.Set(name, "4")
		case sp.maxLen > 0:
			v.Set(name, "Te veel overleg, te weinig mandaat.")
		default:
			v.Set(name, minKey(sp.options))
		}
	}
	return v
}

// with is the valid page of step n with one field set to value.
func (fx *decodeFixture) with(n int, name, value string) string {
	v := fx.validPage(n)
	v.Set(name, value)
	return v.Encode()
}

func minKey(m map[string]bool) string {
	first := ""
	for k := range m {
		if first == "" || k < first {
			first = k
		}
	}
	return first
}

// baseDraft is the state of a respondent who has answered steps 1 to upTo
// with valid answers other than validPage's.
func (fx *decodeFixture) baseDraft(upTo int) *progress {
	dr := &progress{
		Nonce: "00112233445566778899aabbccddeeff", Reached: upTo,
		Background: map[string]string{}, Answers: map[string]int{}, Open: map[string]string{},
	}
	for n := 1; n <= upTo; n++ {
		for name, sp := range fx.specs[n-1] {
			id := questionID(name)
			switch {
			case sp.item:
				dr.Answers[id] = 2
			case sp.maxLen > 0:
				dr.Open[id] = "Eerder antwoord."
			default:
				dr.Background[id] = maxKey(sp.options)
			}
		}
	}
	return dr
}

// questionID is the question id in a form field name (bg-role: role).
func questionID(name string) string { return name[strings.IndexByte(name, '-')+1:] }

func maxKey(m map[string]bool) string {
	last := ""
	for k := range m {
		if k > last {
			last = k
		}
	}
	return last
}

// stepContext is the echo context of a step posted from the review page:
// the action of such a step carries ?vanaf=controle.
func (fx *decodeFixture) stepContext(n int, body string) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/d/tok/stap/"+strconv.Itoa(n)+"?vanaf=controle", strings.NewReader(body))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	c := fx.e.NewContext(req, httptest.NewRecorder())
	c.SetParamNames("token", "step")
	c.SetParamValues("tok", strconv.Itoa(n))
	return c
}

func (fx *decodeFixture) check(t *testing.T, step int, body string) {
	if len(body) > 64<<10 {
		return // the server's body limit answers 413 first
	}
	c := fx.stepContext(step, body)
	n, err := stepNumber(c, &fx.d.Questionnaire)
	if err != nil {
		if step >= 1 && step <= fx.steps {
			t.Fatalf("step %d refused: %v", step, err)
		}
		return // 404, as the server answers
	}
	if n != step {
		t.Fatalf("step %d read as %d", step, n)
	}

	// The body, as the server reads it, is the body alone.
	parsed, perr := url.ParseQuery(body)
	form, ferr := stepForm(c)
	if (perr == nil) != (ferr == nil) {
		t.Fatalf("url.ParseQuery error %v, server form error %v", perr, ferr)
	}
	if perr != nil {
		return // the server answers 400
	}
	if !reflect.DeepEqual(form, parsed) {
		t.Fatalf("the server decodes the body as %q, want %q", form, parsed)
	}

	values, errs, formErr := fx.s.parseStep(fx.d, n, form, fx.tr)
	again, _ := url.ParseQuery(body)
	values2, errs2, formErr2 := fx.s.parseStep(fx.d, n, again, fx.tr)
	if !reflect.DeepEqual(values, values2) || !reflect.DeepEqual(errs, errs2) || formErr != formErr2 {
		t.Fatalf("decoding is not deterministic:\n%q %q %q\n%q %q %q", values, errs, formErr, values2, errs2, formErr2)
	}
	if !reflect.DeepEqual(form, again) {
		t.Fatal("parseStep changed the posted form")
	}

	specs := fx.specs[n-1]
	fx.checkDecision(t, specs, form, values, errs, formErr)
	if len(errs) > 0 || formErr != "" {
		return // the page is shown again; nothing reaches the state
	}
	for name, v := range values {
		if !specs[name].allows(v) {
			t.Fatalf("accepted %s = %q, which the questionnaire does not allow", name, v)
		}
	}

	// A respondent on step n for the first time, and one who comes back to
	// step n from the review page.
	for _, upTo := range []int{n - 1, fx.steps} {
		dr := fx.baseDraft(upTo)
		applyStep(fx.d, n, values, dr)
		dr2 := fx.baseDraft(upTo)
		applyStep(fx.d, n, values, dr2)
		if !reflect.DeepEqual(dr, dr2) {
			t.Fatal("applying the step is not deterministic")
		}
		if dr.Reached != max(upTo, n) {
			t.Fatalf("reached %d after step %d from %d", dr.Reached, n, upTo)
		}
		shown := progressValues(fx.d, n, dr)
		want := maps.Clone(values)
		maps.DeleteFunc(want, func(_, v string) bool { return v == "" })
		if !reflect.DeepEqual(shown, want) {
			t.Fatalf("the state shows step %d as %q, want %q", n, shown, want)
		}
		complete := upTo == fx.steps || n == fx.steps
		if first := firstIncompleteStep(fx.d, dr); complete && first != 0 || !complete && first != n+1 {
			t.Fatalf("first incomplete step %d after step %d from %d", first, n, upTo)
		}

		// The state travels in the cookie encoding; the response is built
		// from what it reads back, which must be what was written.
		data, err := (&stateCodec{}).encode(fx.d, dr)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := (&stateCodec{}).decode(fx.d, data)
		if err != nil {
			t.Fatalf("a state of valid answers does not decode: %v", err)
		}
		if !reflect.DeepEqual(stored, dr) {
			t.Fatalf("state after encoding = %+v, want %+v", stored, dr)
		}
		r := responseFromProgress(fx.d, stored, "2026-03-02")
		fx.checkResponse(t, r, complete)
		for name, v := range values {
			id := questionID(name)
			switch sp := specs[name]; {
			case sp.item:
				if x, _ := strconv.Atoi(v); r.Answers[id] != x {
					t.Fatalf("answer %s = %d, posted %q", id, r.Answers[id], v)
				}
			case sp.maxLen > 0:
				// JSON turns each invalid byte into U+FFFD, as []rune does.
				if r.Open[id] != string([]rune(v)) {
					t.Fatalf("open answer %s = %q, posted %q", id, r.Open[id], v)
				}
			default:
				if r.Background[id] != v {
					t.Fatalf("background %s = %q, posted %q", id, r.Background[id], v)
				}
			}
		}
	}
}

// checkDecision compares the decoder's verdict on every field and on the
// form with the oracle's.
func (fx *decodeFixture) checkDecision(t *testing.T, specs map[string]questionSpec, form url.Values, values, errs map[string]string, formErr string) {
	t.Helper()
	for name := range values {
		if _, ok := specs[name]; !ok {
			t.Fatalf("decoded value for %q, which is not on the step", name)
		}
	}
	for name := range errs {
		if _, ok := specs[name]; !ok {
			t.Fatalf("error for %q, which is not on the step", name)
		}
	}
	for name, sp := range specs {
		posted := form[name]
		want := ""
		switch {
		case len(posted) > 1:
			want = fx.tr.Get("error.invalid_choice")
		default:
			v := ""
			if len(posted) == 1 {
				// The decoder's normalisation (validate.go): trimmed,
				// without direction embeddings, overrides and isolates.
				v = cleanText(posted[0])
			}
			if got, ok := values[name]; !ok || got != v {
				t.Fatalf("%s: decoded %q (present %v), posted %q", name, got, ok, posted)
			}
			switch {
			case strings.ContainsFunc(v, isForbiddenControl):
				want = fx.tr.Get("form.control_characters")
			case v == "" && sp.required && sp.item:
				want = fx.tr.Get("error.choose_answer")
			case v == "" && sp.required:
				want = fx.tr.Get("error.choose_option")
			case v == "":
			case sp.maxLen > 0 && utf8.RuneCountInString(v) > sp.maxLen:
				want = fx.tr.Get("error.too_long", sp.maxLen)
			case sp.maxLen == 0 && !sp.options[v]:
				want = fx.tr.Get("error.invalid_choice")
			}
		}
		if got := errs[name]; got != want {
			t.Fatalf("%s = %q: error %q, want %q", name, posted, got, want)
		}
		if want != "" && strings.HasPrefix(want, "error.") {
			t.Fatalf("untranslated message %q", want)
		}
	}
	unknown := false
	for name := range form {
		if _, ok := specs[name]; !ok && name != "csrf" {
			unknown = true
		}
	}
	if unknown != (formErr != "") {
		t.Fatalf("unknown field: %v, form error %q", unknown, formErr)
	}
	if formErr != "" && formErr != fx.tr.Get("error.unknown_field") {
		t.Fatalf("form error %q", formErr)
	}
}

func (sp questionSpec) allows(v string) bool {
	switch {
	case v == "":
		return !sp.required
	case v != strings.TrimSpace(v) || !utf8.ValidString(v) || strings.ContainsFunc(v, isDirectionControl) || strings.ContainsFunc(v, isForbiddenControl):
		return false
	case sp.maxLen > 0:
		return utf8.RuneCountInString(v) <= sp.maxLen
	default:
		return sp.options[v]
	}
}

// isForbiddenControl reports the control characters no value may hold:
// C0 controls other than tab, line feed and carriage return, DEL and the
// C1 controls.
func isForbiddenControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f
}

// isDirectionControl reports the Unicode controls that embed, override or
// isolate a run of text in another direction; no decoded value holds one.
func isDirectionControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// checkResponse asserts that a response holds only answers the
// questionnaire allows, and every required one when it is complete.
func (fx *decodeFixture) checkResponse(t *testing.T, r *survey.Response, complete bool) {
	t.Helper()
	all := map[string]questionSpec{}
	for _, specs := range fx.specs {
		maps.Copy(all, specs)
	}
	if r.DiagnosticID != fx.d.ID || r.SubmittedOn != "2026-03-02" || r.ID != "" {
		t.Fatalf("response %q %q %q", r.ID, r.DiagnosticID, r.SubmittedOn)
	}
	for id, v := range r.Background {
		if sp, ok := all["bg-"+id]; !ok || v == "" || !sp.allows(v) {
			t.Fatalf("response background %s = %q", id, v)
		}
	}
	for id, x := range r.Answers {
		if sp, ok := all["item-"+id]; !ok || !sp.allows(strconv.Itoa(x)) {
			t.Fatalf("response answer %s = %d", id, x)
		}
	}
	for id, v := range r.Open {
		if sp, ok := all["open-"+id]; !ok || v == "" || !utf8.ValidString(v) || !sp.allows(v) {
			t.Fatalf("response open answer %s = %q", id, v)
		}
	}
	if !complete {
		return
	}
	for name, sp := range all {
		id := questionID(name)
		_, okB := r.Background[id]
		_, okA := r.Answers[id]
		if sp.required && !okB && !okA {
			t.Fatalf("complete response lacks %s", name)
		}
	}
}

// TestStepEditedFromReviewIsSaved is the end-to-end regression test of the
// bug FuzzDecodeStep's ?vanaf=controle property describes: changing an
// answer from the review page was refused with "the form holds a field we
// do not know", because the query string of the step's URL was decoded as
// a posted field.
func TestStepEditedFromReviewIsSaved(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		f.completeQuestionnaire(t, b, nil)
		p := b.get("/d/" + f.diag.Token + "/stap/2?vanaf=controle")
		action, form := answerAll(t, p.body, map[string]string{"item-risk_culture_1": "5"})
		if !strings.HasSuffix(action, "?vanaf=controle") {
			t.Fatalf("the step edited from the review page posts to %s", action)
		}
		saved := b.post(action, form)
		if saved.status != http.StatusSeeOther || !strings.HasSuffix(saved.location, "/controle") {
			t.Fatalf("saving the edited step: %d %s %s", saved.status, saved.location, snippet(saved.body))
		}
		action, form = formOf(t, b.follow(saved).body)
		b.follow(b.post(action, form))
		rs, err := f.store.Responses(t.Context(), f.diag.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Answers["risk_culture_1"] != 5 {
			t.Fatalf("stored %+v, want the edited answer 5", rs)
		}
	})
}
