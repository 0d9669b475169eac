package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// stepFragments keeps the HTML of the questions of step pages. A question
// reads the same for every respondent: only which choice is ticked differs,
// and a question has a handful of choices. Executing the template for the
// radio buttons of every question was two thirds of a step page's cost;
// each fragment is now executed once (by html/template, with the same data
// and the same escaping as before) and kept.
//
// The fragments belong to one loaded diagnostic: they are kept per
// *survey.Diagnostic that the diagnostic cache hands out, so that a
// reload (after its time to live) starts afresh and a consultant's change
// of the units reaches the page as it did before. Questions with an error
// message or a typed answer are not kept: they are executed each time.
type stepFragments struct {
	max     int
	mu      sync.Mutex
	entries map[string]*diagnosticFragments
}

// diagnosticFragments are the kept questions of one loaded diagnostic,
// keyed by language, field name and ticked value.
type diagnosticFragments struct {
	d    *survey.Diagnostic
	html sync.Map
	// fields holds the []field of each step per language (fieldsKey).
	fields sync.Map
	// shells holds the *stepShell of step pages without errors (shellKey).
	shells sync.Map
}

// shellKey is everything a step page without errors depends on besides
// its CSRF token and its questions.
type shellKey struct {
	lang, title, action, privacy string
}

// stepShell is a step page cut where the CSRF token and the questions go.
type stepShell struct {
	head, mid, tail string
}

// The slots a shell is rendered with, to be cut out again: plain
// letters, which html/template writes as they are.
const (
	csrfSlot   = "ukcsrfslot7q2xk9"
	fieldsSlot = template.HTML("ukfieldsslot4m8wz3")
)

type fieldsKey struct {
	lang string
	step int
}

type fragmentKey struct {
	lang, name, value string
}

// fieldView is the data of the "stepfield" template.
type fieldView struct {
	F field
	T Translator
}

func newStepFragments(max int) *stepFragments {
	return &stepFragments{max: max, entries: map[string]*diagnosticFragments{}}
}

// of returns the kept fragments of d, replacing those of an earlier load
// of the same diagnostic. Without a store (a Server made by hand in a
// test, or one that must render afresh) nothing is kept.
func (sf *stepFragments) of(d *survey.Diagnostic) *diagnosticFragments {
	if sf == nil {
		return &diagnosticFragments{d: d}
	}
	sf.mu.Lock()
	defer sf.mu.Unlock()
	e, ok := sf.entries[d.ID]
	if ok && e.d == d {
		return e
	}
	if !ok && len(sf.entries) >= sf.max {
		// One entry per open diagnostic: starting afresh keeps the map
		// bounded without bookkeeping, as the diagnostic cache does.
		clear(sf.entries)
	}
	e = &diagnosticFragments{d: d}
	sf.entries[d.ID] = e
	return e
}

// fieldHTML is the HTML of question f of a step page, f's Value, Checked
// and Error filled in.
func (s *Server) fieldHTML(d *survey.Diagnostic, f field, t Translator) (template.HTML, error) {
	keep := s.fragments != nil && f.Error == "" && (f.Kind == fieldRadios && (f.Value == "" || hasChoice(f, f.Value)) || f.Kind == fieldText && f.Value == "")
	var frags *diagnosticFragments
	key := fragmentKey{lang: t.Lang(), name: f.Name, value: f.Value}
	if keep {
		frags = s.fragments.of(d)
		if h, ok := frags.html.Load(key); ok {
			return h.(template.HTML), nil
		}
	}
	var buf bytes.Buffer
	if err := s.pages.byName["step"].ExecuteTemplate(&buf, "stepfield", fieldView{F: f, T: t}); err != nil {
		return "", fmt.Errorf("render step field %s: %w", f.Name, err)
	}
	// The output of html/template, escaped in the context where the step
	// page places it (the body of the form).
	h := template.HTML(buf.String())
	if keep {
		frags.html.Store(key, h)
	}
	return h, nil
}

func hasChoice(f field, value string) bool {
	for _, c := range f.Choices {
		if c.Value == value {
			return true
		}
	}
	return false
}

// stepFields is stepFields of d, built once per loaded diagnostic, step and
// language. The result is shared: callers must not change it.
func (s *Server) stepFields(d *survey.Diagnostic, n int, t Translator) []field {
	frags := s.fragments.of(d)
	key := fieldsKey{lang: t.Lang(), step: n}
	if f, ok := frags.fields.Load(key); ok {
		return f.([]field)
	}
	f := stepFields(d, n, t)
	frags.fields.Store(key, f)
	return f
}

// firstIncompleteStep is firstIncompleteStep with the kept fields.
func (s *Server) firstIncompleteStep(d *survey.Diagnostic, p *progress) int {
	return firstIncomplete(d, p, func(n int) []field { return s.stepFields(d, n, Translator{}) })
}

// renderStepShell writes a step page without errors from its kept shell:
// the page around the questions is executed once per loaded diagnostic,
// step, language and address, with slots for the CSRF token and the
// questions, and cut there. The first result is false when the page must
// be executed as a whole instead.
func (s *Server) renderStepShell(c echo.Context, d *survey.Diagnostic, title string, page stepPage, status int) (bool, error) {
	csrf := csrfToken(c)
	if s.fragments == nil || !plainToken(csrf) || c.Get(ctxConsultant) != nil || c.Get(ctxRefresh) != nil {
		return false, nil
	}
	frags := s.fragments.of(d)
	key := shellKey{lang: requestLang(c), title: title, action: page.Action, privacy: respondentPrivacyURL(c, "step")}
	var sh *stepShell
	if v, ok := frags.shells.Load(key); ok {
		sh = v.(*stepShell)
	} else {
		shell := page
		shell.Fields = []field{{HTML: fieldsSlot}}
		var buf bytes.Buffer
		c.Set(ctxCSRF, csrfSlot)
		err := s.renderInto(&buf, c, "step", title, shell, false)
		c.Set(ctxCSRF, csrf)
		if err != nil {
			return false, err
		}
		out := buf.String()
		head, rest, ok1 := strings.Cut(out, csrfSlot)
		mid, tail, ok2 := strings.Cut(rest, string(fieldsSlot))
		if !ok1 || !ok2 || strings.Contains(tail, csrfSlot) || strings.Contains(tail, string(fieldsSlot)) || strings.Contains(mid, csrfSlot) {
			return false, nil
		}
		sh = &stepShell{head: head, mid: mid, tail: tail}
		frags.shells.Store(key, sh)
	}
	buf := s.pages.buffer()
	defer s.pages.release(buf)
	buf.WriteString(sh.head)
	buf.WriteString(csrf)
	buf.WriteString(sh.mid)
	for _, f := range page.Fields {
		buf.WriteString(string(f.HTML))
	}
	buf.WriteString(sh.tail)
	return true, c.HTMLBlob(status, buf.Bytes())
}

// plainToken reports whether a CSRF token consists of characters that
// html/template writes into an attribute unchanged, so that it can be
// filled into a shell as it is.
func plainToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
