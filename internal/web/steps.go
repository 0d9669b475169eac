package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The questionnaire is split into steps: the background questions, one step
// per factor, and a last step with the outcome items and the open
// questions. The review page follows the last step.
type stepKind int

const (
	stepBackground stepKind = iota
	stepFactor
	stepFinal
)

type stepDef struct {
	Number int
	Kind   stepKind
	Factor *survey.Factor
}

func stepsOf(q *survey.Questionnaire) []stepDef {
	steps := []stepDef{{Number: 1, Kind: stepBackground}}
	for i := range q.Factors {
		steps = append(steps, stepDef{Number: len(steps) + 1, Kind: stepFactor, Factor: &q.Factors[i]})
	}
	return append(steps, stepDef{Number: len(steps) + 1, Kind: stepFinal})
}

// Form field names carry a prefix per kind, so ids of different kinds can
// never collide in a form.
const (
	prefixBackground = "bg-"
	prefixItem       = "item-"
	prefixOpen       = "open-"
)

// fieldKind tells the template how to render a field.
type fieldKind string

const (
	fieldRadios fieldKind = "radios"
	fieldText   fieldKind = "text"
)

// choice is one radio button.
type choice struct {
	Value   string
	Label   string
	Checked bool
	// Divider puts a visual "or" before the choice (the don't-know answer).
	Divider bool
}

// field is one question as rendered on a step.
type field struct {
	Name      string
	Kind      fieldKind
	Legend    string
	Hint      string
	Choices   []choice
	Value     string
	Error     string
	Required  bool
	MaxLength int
	// HTML is the question as rendered on the step page (stepfragments.go).
	HTML template.HTML
	// rule is the validator tag the posted value must satisfy.
	rule string
}

// FirstInputID is the id the error summary links to.
func (f field) FirstInputID() string {
	if f.Kind == fieldRadios && len(f.Choices) > 0 {
		return f.Name + "-" + f.Choices[0].Value
	}
	return f.Name
}

// stepFields lists the questions of step n, without values.
func stepFields(d *survey.Diagnostic, n int, t Translator) []field {
	q := &d.Questionnaire
	step := stepsOf(q)[n-1]
	lang := t.Lang()
	var fields []field
	switch step.Kind {
	case stepBackground:
		for _, b := range q.Background {
			f := field{Name: prefixBackground + b.ID, Kind: fieldRadios, Legend: b.Text.In(lang), Hint: b.Hint.In(lang), Required: b.Required}
			var ids []string
			if b.Kind == survey.BackgroundUnit {
				for _, u := range d.Units {
					f.Choices = append(f.Choices, choice{Value: u.ID, Label: u.Name})
					ids = append(ids, u.ID)
				}
			} else {
				for _, o := range b.Options {
					f.Choices = append(f.Choices, choice{Value: o.ID, Label: o.Label.In(lang)})
					ids = append(ids, o.ID)
				}
			}
			f.rule = "oneof=" + strings.Join(ids, " ")
			if b.Required {
				f.rule = "required," + f.rule
			} else {
				f.rule = "omitempty," + f.rule
			}
			fields = append(fields, f)
		}
	case stepFactor:
		for _, it := range step.Factor.Items {
			fields = append(fields, itemField(q, it, lang))
		}
	case stepFinal:
		for _, it := range q.Outcomes {
			fields = append(fields, itemField(q, it, lang))
		}
		for _, o := range q.Open {
			fields = append(fields, field{
				Name: prefixOpen + o.ID, Kind: fieldText, Legend: o.Text.In(lang), Hint: o.Hint.In(lang),
				MaxLength: o.MaxLength, rule: "max=" + strconv.Itoa(o.MaxLength),
			})
		}
	}
	return fields
}

func itemField(q *survey.Questionnaire, it survey.Item, lang string) field {
	f := field{Name: prefixItem + it.ID, Kind: fieldRadios, Legend: it.Text.In(lang), Required: true}
	values := make([]string, 0, len(q.Scale.Points)+1)
	for _, p := range q.Scale.Points {
		v := strconv.Itoa(p.Value)
		f.Choices = append(f.Choices, choice{Value: v, Label: p.Label.In(lang)})
		values = append(values, v)
	}
	dk := strconv.Itoa(survey.DontKnow)
	f.Choices = append(f.Choices, choice{Value: dk, Label: q.Scale.DontKnow.In(lang), Divider: true})
	values = append(values, dk)
	f.rule = "required,oneof=" + strings.Join(values, " ")
	return f
}

// progressValues returns the saved answers of step n as form values.
func progressValues(d *survey.Diagnostic, n int, st *progress) map[string]string {
	return fieldValues(stepFields(d, n, Translator{}), st)
}

// fieldValues returns the saved answers to fields as form values.
func fieldValues(fields []field, st *progress) map[string]string {
	values := make(map[string]string, len(fields))
	for _, f := range fields {
		id, kind := splitName(f.Name)
		switch kind {
		case prefixBackground:
			if v, ok := st.Background[id]; ok {
				values[f.Name] = v
			}
		case prefixItem:
			if v, ok := st.Answers[id]; ok {
				values[f.Name] = strconv.Itoa(v)
			}
		case prefixOpen:
			if v, ok := st.Open[id]; ok {
				values[f.Name] = v
			}
		}
	}
	return values
}

func splitName(name string) (id, prefix string) {
	for _, p := range []string{prefixBackground, prefixItem, prefixOpen} {
		if strings.HasPrefix(name, p) {
			return strings.TrimPrefix(name, p), p
		}
	}
	return name, ""
}

// parseStep validates a posted step with the validator. It returns the
// posted values (always, so the page can be shown again as the respondent
// left it), the errors per field, and an error about the form as a whole.
func (s *Server) parseStep(d *survey.Diagnostic, n int, form url.Values, t Translator) (map[string]string, map[string]string, string) {
	fields := s.stepFields(d, n, t)
	known := map[string]bool{"csrf": true}
	values := map[string]string{}
	errs := map[string]string{}
	for _, f := range fields {
		known[f.Name] = true
		posted := form[f.Name]
		if len(posted) > 1 {
			errs[f.Name] = t.Get("error.invalid_choice")
			continue
		}
		v := ""
		if len(posted) == 1 {
			v = cleanText(posted[0])
		}
		values[f.Name] = v
		if msg := controlCharsProblem(v, t); msg != "" {
			errs[f.Name] = msg
		} else if err := s.validate.Var(v, f.rule); err != nil {
			errs[f.Name] = fieldMessage(err, f, t)
		}
	}
	formErr := ""
	for name := range form {
		if !known[name] {
			formErr = t.Get("error.unknown_field")
			break
		}
	}
	return values, errs, formErr
}

// fieldMessage turns a validator error into a message in the user's language.
func fieldMessage(err error, f field, t Translator) string {
	tag := ""
	if ves, ok := err.(validator.ValidationErrors); ok && len(ves) > 0 {
		tag = ves[0].Tag()
	}
	switch tag {
	case "required":
		if strings.HasPrefix(f.Name, prefixItem) {
			return t.Get("error.choose_answer")
		}
		return t.Get("error.choose_option")
	case "max":
		return t.Get("error.too_long", f.MaxLength)
	default:
		return t.Get("error.invalid_choice")
	}
}

// applyStep copies valid values of step n into the state.
func applyStep(d *survey.Diagnostic, n int, values map[string]string, st *progress) {
	if st.Background == nil {
		st.Background = map[string]string{}
	}
	if st.Answers == nil {
		st.Answers = map[string]int{}
	}
	if st.Open == nil {
		st.Open = map[string]string{}
	}
	for name, v := range values {
		id, kind := splitName(name)
		switch kind {
		case prefixBackground:
			if v == "" {
				delete(st.Background, id)
			} else {
				st.Background[id] = v
			}
		case prefixItem:
			if x, err := strconv.Atoi(v); err == nil {
				st.Answers[id] = x
			}
		case prefixOpen:
			if v == "" {
				delete(st.Open, id)
			} else {
				st.Open[id] = v
			}
		}
	}
	st.Reached = max(st.Reached, n)
}

// The step form's second button, "Previous step", posts the page as it is.
const (
	fieldAction = "actie"
	actionBack  = "terug"
	// actionLanguage followed by a language code is a language button of
	// a step: the step is saved and shown again in that language.
	actionLanguage = "taal-"
)

// switchTo reads a step's action: the language to switch to, if the
// respondent pressed a language button. An unknown language is refused.
func switchTo(action string) (string, bool, error) {
	lang, ok := strings.CutPrefix(action, actionLanguage)
	if !ok {
		return "", false, nil
	}
	if !isSupportedLanguage(lang) {
		return "", false, survey.Errorf(survey.CodeInvalid, "unknown language")
	}
	return lang, true, nil
}

// stepLangURL is step n in another language; ?lang= makes the choice stick
// (chooseLanguage), and a step edited from the review page stays so.
func stepLangURL(c echo.Context, d *survey.Diagnostic, n int, lang string) string {
	q := url.Values{}
	if c.QueryParam("vanaf") == "controle" {
		q.Set("vanaf", "controle")
	}
	q.Set("lang", lang)
	return respondentPath(d, "/stap/"+strconv.Itoa(n)) + "?" + q.Encode()
}

// keepValid copies the valid values of step n into the state without
// counting the step as done, for a respondent who goes back.
func keepValid(d *survey.Diagnostic, n int, values, errs map[string]string, st *progress) {
	valid := map[string]string{}
	for name, v := range values {
		if _, bad := errs[name]; !bad {
			valid[name] = v
		}
	}
	reached := st.Reached
	applyStep(d, n, valid, st)
	st.Reached = reached
}

// stepBackURL is where "Previous step" leads from step n.
func stepBackURL(d *survey.Diagnostic, n int) string {
	if n > 1 {
		return respondentPath(d, "/stap/"+strconv.Itoa(n-1))
	}
	return respondentPath(d, "")
}

// firstIncompleteStep returns the first step with a required question left
// open, or 0 when the state is complete.
func firstIncompleteStep(d *survey.Diagnostic, p *progress) int {
	return firstIncomplete(d, p, func(n int) []field { return stepFields(d, n, Translator{}) })
}

// firstIncomplete is firstIncompleteStep with the fields of step n from
// fieldsOf.
func firstIncomplete(d *survey.Diagnostic, p *progress, fieldsOf func(n int) []field) int {
	steps := stepsOf(&d.Questionnaire)
	if p.Reached < len(steps) {
		return p.Reached + 1
	}
	for _, st := range steps {
		for _, f := range fieldsOf(st.Number) {
			if !f.Required {
				continue
			}
			id, kind := splitName(f.Name)
			_, okB := p.Background[id]
			_, okA := p.Answers[id]
			if (kind == prefixBackground && !okB) || (kind == prefixItem && !okA) {
				return st.Number
			}
		}
	}
	return 0
}

// responseFromProgress builds the response to store. It copies only answers
// to questions of this questionnaire, and no date finer than the day.
func responseFromProgress(d *survey.Diagnostic, st *progress, day string) *survey.Response {
	r := &survey.Response{
		DiagnosticID: d.ID,
		SubmittedOn:  day,
		Background:   map[string]string{},
		Answers:      map[string]int{},
		Open:         map[string]string{},
	}
	for _, b := range d.Questionnaire.Background {
		if v, ok := st.Background[b.ID]; ok {
			r.Background[b.ID] = v
		}
	}
	for _, it := range d.Questionnaire.AllItems() {
		if v, ok := st.Answers[it.ID]; ok {
			r.Answers[it.ID] = v
		}
	}
	for _, o := range d.Questionnaire.Open {
		if v := st.Open[o.ID]; v != "" {
			r.Open[o.ID] = v
		}
	}
	return r
}

// factorHeading is what respondents read above a factor's items: its
// neutral step title, never its name, which names the problem and could
// steer the answers. Questionnaires copied into a diagnostic before step
// titles existed get a numbered heading instead.
func factorHeading(step stepDef, t Translator) string {
	if title := step.Factor.StepTitle.In(t.Lang()); title != "" {
		return title
	}
	return t.Get("step.factor.heading", step.Number-1)
}

// stepPage is the data of a questionnaire step.
type stepPage struct {
	Organisation string
	Number       int
	Total        int
	Heading      string
	Intro        string
	Fields       []field
	Errors       []field
	FormError    string
	Action       string
}

func (s *Server) renderStep(c echo.Context, d *survey.Diagnostic, n int, values, errs map[string]string, formErr string, status int) error {
	t := s.texts.For(requestLang(c))
	q := &d.Questionnaire
	steps := stepsOf(q)
	step := steps[n-1]
	page := stepPage{
		Organisation: d.Organisation.Name,
		Number:       n,
		Total:        len(steps) + 1,
		FormError:    formErr,
		Action:       respondentPath(d, "/stap/"+strconv.Itoa(n)),
	}
	if c.QueryParam("vanaf") == "controle" {
		page.Action += "?vanaf=controle"
	}
	switch step.Kind {
	case stepBackground:
		page.Heading = t.Get("step.background.heading")
		page.Intro = t.Get("step.background.intro")
	case stepFactor:
		page.Heading = factorHeading(step, t)
		page.Intro = t.Get("step.factor.intro")
	case stepFinal:
		page.Heading = t.Get("step.final.heading")
		page.Intro = t.Get("step.final.intro")
	}
	for _, f := range s.stepFields(d, n, t) {
		f.Value = values[f.Name]
		// The fields are shared (stepFields): the ticks go into a copy.
		f.Choices = slices.Clone(f.Choices)
		for i := range f.Choices {
			f.Choices[i].Checked = f.Choices[i].Value == f.Value
		}
		if msg, ok := errs[f.Name]; ok {
			f.Error = msg
			page.Errors = append(page.Errors, f)
		}
		h, err := s.fieldHTML(d, f, t)
		if err != nil {
			return err
		}
		f.HTML = h
		page.Fields = append(page.Fields, f)
	}
	hasErrors := len(page.Errors) > 0 || formErr != ""
	title := t.Get("step.title", n, page.Total, page.Heading)
	if hasErrors {
		title = t.Get("error.title_prefix") + " " + title
	} else if ok, err := s.renderStepShell(c, d, title, page, status); ok || err != nil {
		return err
	}
	return s.render(c, status, "step", title, page, hasErrors)
}

// reviewSection is one step as shown on the review page.
type reviewSection struct {
	Heading string
	EditURL string
	Rows    []reviewRow
}

type reviewRow struct {
	Question string
	Answer   string
}

type reviewPage struct {
	Organisation string
	Number       int
	Total        int
	Sections     []reviewSection
	Action       string
	Nonce        string
	FormError    string
}

func (s *Server) renderReview(c echo.Context, d *survey.Diagnostic, p *progress, formErr string, status int) error {
	t := s.texts.For(requestLang(c))
	steps := stepsOf(&d.Questionnaire)
	page := reviewPage{
		Organisation: d.Organisation.Name,
		Number:       len(steps) + 1,
		Total:        len(steps) + 1,
		Action:       respondentPath(d, "/verzenden"),
		Nonce:        p.Nonce,
		FormError:    formErr,
	}
	for _, st := range steps {
		sec := reviewSection{EditURL: respondentPath(d, "/stap/"+strconv.Itoa(st.Number)+"?vanaf=controle")}
		switch st.Kind {
		case stepBackground:
			sec.Heading = t.Get("step.background.heading")
		case stepFactor:
			sec.Heading = factorHeading(st, t)
		case stepFinal:
			sec.Heading = t.Get("step.final.heading")
		}
		values := fieldValues(s.stepFields(d, st.Number, Translator{}), p)
		for _, f := range s.stepFields(d, st.Number, t) {
			answer := values[f.Name]
			for _, ch := range f.Choices {
				if ch.Value == answer {
					answer = ch.Label
				}
			}
			if answer == "" {
				answer = t.Get("review.unanswered")
			}
			sec.Rows = append(sec.Rows, reviewRow{Question: f.Legend, Answer: answer})
		}
		page.Sections = append(page.Sections, sec)
	}
	title := t.Get("review.title")
	if formErr != "" {
		title = t.Get("error.title_prefix") + " " + title
	}
	return s.render(c, status, "review", title, page, formErr != "")
}
