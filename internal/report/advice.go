package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The advice library is data, not code: one YAML file per language under
// templates/advice/ (embedded), or a consultancy's own folder given with
// --advice-dir. Each file holds, for every route and every band, a short
// diagnosis and three to five steps; for every factor a summary and steps;
// and the steps for a gap between policy and execution. Every step names a
// suggested owner and a horizon, because a director acts on "who, by when".

// Limits that keep advice readable in the report. They are checked when a
// library is loaded, so an over-long text is an error in `advice check`
// rather than a layout surprise in a director's report.
const (
	minSteps        = 3
	maxSteps        = 5
	maxDiagnosis    = 480
	maxSummary      = 320
	maxStepText     = 240
	maxOwner        = 60
	maxHorizon      = 40
	maxShortName    = 26
	maxAdviceBytes  = 1 << 20
	maxAdviceFiles  = 16
	adviceExtension = ".yaml"
)

// Step is one concrete action with a suggested owner and horizon.
type Step struct {
	Text    string `json:"text"`
	Owner   string `json:"owner"`
	Horizon string `json:"horizon"`
}

// bandAdvice is the advice for one route in one band.
type bandAdvice struct {
	diagnosis string
	steps     []Step
}

type routeEntry struct {
	id    string
	line  int
	bands map[survey.Band]bandAdvice
}

type factorEntry struct {
	id      string
	line    int
	short   string
	summary string
	steps   []Step
}

// adviceSet is the advice of one language, as read from one file.
type adviceSet struct {
	file    string
	line    int
	lang    string
	routes  []routeEntry
	factors []factorEntry
	gap     bandAdvice
}

func (s *adviceSet) route(id string) *routeEntry {
	for i := range s.routes {
		if s.routes[i].id == id {
			return &s.routes[i]
		}
	}
	return nil
}

func (s *adviceSet) factor(id string) *factorEntry {
	for i := range s.factors {
		if s.factors[i].id == id {
			return &s.factors[i]
		}
	}
	return nil
}

// Library is a loaded and validated advice library. It is immutable after
// LoadAdvice and safe for concurrent use.
type Library struct {
	sets []*adviceSet // sorted by language
}

// Languages returns the languages the library has advice in, sorted.
func (l *Library) Languages() []string {
	if l == nil {
		return nil
	}
	langs := make([]string, len(l.sets))
	for i, s := range l.sets {
		langs[i] = s.lang
	}
	return langs
}

// set returns the advice in lang, falling back to Dutch, or nil.
func (l *Library) set(lang string) *adviceSet {
	if l == nil {
		return nil
	}
	for _, want := range []string{lang, survey.DefaultLanguage} {
		for _, s := range l.sets {
			if s.lang == want {
				return s
			}
		}
	}
	return nil
}

// ShortName returns the library's short label of a factor in lang (for the
// columns of the heat map), or "" when it has none.
func (l *Library) ShortName(factor, lang string) string {
	if s := l.set(lang); s != nil {
		if f := s.factor(factor); f != nil {
			return f.short
		}
	}
	return ""
}

// LoadAdvice reads every *.yaml file directly in dir of fsys as one language
// of an advice library. It returns *questionnaire.Problems, with every
// problem of every file and its line, when the library is invalid, and a
// wrapped fs error when dir cannot be read. File names in problems are
// paths within fsys.
func LoadAdvice(fsys fs.FS, dir string) (*Library, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("advice: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), adviceExtension) {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	p := &adviceParser{}
	switch {
	case len(files) == 0:
		p.file = dir
		p.addf(1, "no advice files (*%s) in this folder", adviceExtension)
	case len(files) > maxAdviceFiles:
		p.file = dir
		p.addf(1, "%d advice files; at most %d (one per language)", len(files), maxAdviceFiles)
		files = nil
	}
	lib := &Library{}
	langs := map[string]string{}
	for _, f := range files {
		p.file = f
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("advice: %w", err)
		}
		set := p.parseFile(data)
		if set == nil {
			continue
		}
		if first, dup := langs[set.lang]; dup {
			p.addf(set.line, "language %q already has advice in %s; one file per language", set.lang, first)
			continue
		}
		langs[set.lang] = f
		lib.sets = append(lib.sets, set)
	}
	if len(files) > 0 && len(p.problems) == 0 {
		if _, ok := langs[survey.DefaultLanguage]; !ok {
			p.file = dir
			p.addf(1, "no advice in Dutch (language: nl); Dutch is the fallback for every other language")
		}
	}
	if len(p.problems) > 0 {
		return nil, p.result()
	}
	slices.SortFunc(lib.sets, func(a, b *adviceSet) int { return cmp.Compare(a.lang, b.lang) })
	return lib, nil
}

// Check reports what the library lacks for questionnaire q: advice for a
// route, band or factor of q in any of its languages, and advice for ids q
// does not have (usually a typo). The result is nil or *questionnaire.Problems.
func (l *Library) Check(q *survey.Questionnaire) error {
	if l == nil || q == nil {
		return errors.New("advice: no library or no questionnaire")
	}
	p := &adviceParser{}
	routes := map[string]bool{}
	for _, r := range q.Routes {
		routes[r.ID] = true
	}
	factors := map[string]bool{}
	for _, f := range q.Factors {
		factors[f.ID] = true
	}
	for _, s := range l.sets {
		p.file = s.file
		for _, r := range s.routes {
			if !routes[r.id] {
				p.addf(r.line, "route %q is not a route of questionnaire %s version %s", r.id, q.ID, q.Version)
			}
		}
		for _, f := range s.factors {
			if !factors[f.id] {
				p.addf(f.line, "factor %q is not a factor of questionnaire %s version %s", f.id, q.ID, q.Version)
			}
		}
		for _, r := range q.Routes {
			if s.route(r.ID) == nil {
				p.addf(s.line, "no advice for route %q (%s)", r.ID, r.Name.In(s.lang))
			}
		}
		for _, f := range q.Factors {
			if s.factor(f.ID) == nil {
				p.addf(s.line, "no advice for factor %q (%s)", f.ID, f.Name.In(s.lang))
			}
		}
	}
	if len(p.problems) > 0 {
		return p.result()
	}
	return nil
}

// adviceParser collects problems over the files of a library, so that one
// run of `advice check` reports everything.
type adviceParser struct {
	file     string
	problems []questionnaire.Problem
}

func (p *adviceParser) addf(line int, format string, args ...any) {
	p.problems = append(p.problems, questionnaire.Problem{File: p.file, Line: max(line, 1), Message: fmt.Sprintf(format, args...)})
}

func (p *adviceParser) result() error {
	slices.SortStableFunc(p.problems, func(a, b questionnaire.Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return &questionnaire.Problems{List: p.problems}
}

func (p *adviceParser) parseFile(data []byte) *adviceSet {
	if len(data) > maxAdviceBytes {
		p.addf(1, "file is larger than %d bytes", maxAdviceBytes)
		return nil
	}
	if !utf8.Valid(data) {
		p.addf(1, "file is not valid UTF-8")
		return nil
	}
	if line, r, ok := questionnaire.OddLineBreak(data); ok {
		p.addf(line, "line break %U is not supported; end lines with LF or CR LF", r)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.addf(1, "file holds no YAML document")
		} else {
			p.syntaxError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.addf(extra.Line, "a second YAML document starts here; a file holds the advice of one language")
	}
	if len(doc.Content) == 0 {
		p.addf(1, "file holds an empty YAML document")
		return nil
	}
	return p.set(doc.Content[0])
}

// syntaxError turns a yaml error into a problem on the line the library
// names ("yaml: line N: ...").
func (p *adviceParser) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	// The yaml library numbers the lines of its parser-stage errors from 0
	// (its scanner-stage errors from 1); those messages are recognisable.
	if strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found undefined tag") ||
		strings.HasPrefix(msg, "found duplicate %") || strings.HasPrefix(msg, "found incompatible") {
		line++
	}
	p.addf(line, "YAML syntax error: %s", msg)
}

// entryContext names a list entry by its id when it has one, so that a
// problem inside it points at something the author recognises.
func entryContext(kind string, n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], n.Content[j+1]
			if k.Value == "id" && v.Kind == yaml.ScalarNode && v.Value != "" {
				return fmt.Sprintf("%s %q", kind, v.Value)
			}
		}
	}
	return fmt.Sprintf("%s %d", kind, i+1)
}

// mapping checks that n is a mapping with only the allowed keys, each once,
// and returns key -> value plus key -> key node (for lines).
func (p *adviceParser) mapping(n *yaml.Node, ctx string, allowed ...string) (map[string]*yaml.Node, map[string]*yaml.Node, bool) {
	if n.Kind == yaml.AliasNode {
		p.addf(n.Line, "%s: aliases are not supported; write the value out in full", ctx)
		return nil, nil, false
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, "%s: want a mapping with fields %s", ctx, strings.Join(allowed, ", "))
		return nil, nil, false
	}
	vals, keys := map[string]*yaml.Node{}, map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, "%s: field names must be plain text", ctx)
			continue
		}
		if first, dup := keys[k.Value]; dup {
			p.addf(k.Line, "%s: duplicate field %q (first on line %d)", ctx, k.Value, first.Line)
			continue
		}
		keys[k.Value] = k
		if !slices.Contains(allowed, k.Value) {
			p.addf(k.Line, "%s: unknown field %q (allowed: %s)", ctx, k.Value, strings.Join(allowed, ", "))
			continue
		}
		vals[k.Value] = v
	}
	return vals, keys, true
}

// text reads a required text field of at most max runes.
func (p *adviceParser) text(vals map[string]*yaml.Node, parent *yaml.Node, ctx, key string, max int, required bool) string {
	v, ok := vals[key]
	if !ok {
		if required {
			p.addf(parent.Line, "%s: missing field %q", ctx, key)
		}
		return ""
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
			if required {
				p.addf(v.Line, "%s: field %q is empty", ctx, key)
			}
			return ""
		}
		p.addf(v.Line, "%s: field %q must be text", ctx, key)
		return ""
	}
	s := strings.Join(strings.Fields(v.Value), " ")
	switch {
	case s == "" && required:
		p.addf(v.Line, "%s: field %q is empty", ctx, key)
	case utf8.RuneCountInString(s) > max:
		p.addf(v.Line, "%s: field %q has %d characters; at most %d fit the report", ctx, key, utf8.RuneCountInString(s), max)
	case clean(s) != s:
		p.addf(v.Line, "%s: field %q holds control or direction characters", ctx, key)
	}
	return s
}

func (p *adviceParser) set(root *yaml.Node) *adviceSet {
	vals, keys, ok := p.mapping(root, "advice", "language", "routes", "factors", "gap")
	if !ok {
		return nil
	}
	s := &adviceSet{file: p.file, line: root.Line}
	if k, ok := keys["language"]; ok {
		s.line = k.Line
	}
	s.lang = p.text(vals, root, "advice", "language", 16, true)
	if s.lang != "" && !slices.Contains(Languages(), s.lang) {
		p.addf(s.line, "advice: language %q is not a report language (%s)", s.lang, strings.Join(Languages(), ", "))
	}
	if seq := p.list(vals, root, "advice", "routes"); seq != nil {
		for i, n := range seq.Content {
			if r, ok := p.route(n, i); ok {
				if prev := s.route(r.id); prev != nil {
					p.addf(r.line, "duplicate route %q (first on line %d)", r.id, prev.line)
					continue
				}
				s.routes = append(s.routes, r)
			}
		}
	}
	if seq := p.list(vals, root, "advice", "factors"); seq != nil {
		for i, n := range seq.Content {
			if f, ok := p.factorEntry(n, i); ok {
				if prev := s.factor(f.id); prev != nil {
					p.addf(f.line, "duplicate factor %q (first on line %d)", f.id, prev.line)
					continue
				}
				s.factors = append(s.factors, f)
			}
		}
	}
	if g, ok := vals["gap"]; ok {
		s.gap, _ = p.bandAdvice(g, "gap")
	} else {
		p.addf(root.Line, "advice: missing field %q", "gap")
	}
	return s
}

func (p *adviceParser) list(vals map[string]*yaml.Node, parent *yaml.Node, ctx, key string) *yaml.Node {
	v, ok := vals[key]
	switch {
	case !ok:
		p.addf(parent.Line, "%s: missing field %q", ctx, key)
		return nil
	case v.Kind != yaml.SequenceNode:
		p.addf(v.Line, "%s: field %q must be a list", ctx, key)
		return nil
	case len(v.Content) == 0:
		p.addf(v.Line, "%s: field %q is empty", ctx, key)
		return nil
	}
	return v
}

// id reads the id field of a list entry.
func (p *adviceParser) id(vals map[string]*yaml.Node, n *yaml.Node, ctx string) (string, int) {
	s := p.text(vals, n, ctx, "id", 64, true)
	line := n.Line
	if v, ok := vals["id"]; ok {
		line = v.Line
	}
	if s != "" && !validID(s) {
		p.addf(line, "%s: invalid id %q: use lower-case letters, digits and _", ctx, s)
	}
	return s, line
}

func validID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '_' && i > 0 || c >= '0' && c <= '9' && i > 0) {
			return false
		}
	}
	return s != ""
}

func (p *adviceParser) route(n *yaml.Node, i int) (routeEntry, bool) {
	ctx := entryContext("route", n, i)
	vals, _, ok := p.mapping(n, ctx, "id", "red", "amber", "green")
	if !ok {
		return routeEntry{}, false
	}
	id, line := p.id(vals, n, ctx)
	r := routeEntry{id: id, line: line, bands: map[survey.Band]bandAdvice{}}
	for _, b := range []survey.Band{survey.BandRed, survey.BandAmber, survey.BandGreen} {
		v, ok := vals[string(b)]
		if !ok {
			p.addf(n.Line, "%s: missing advice for band %q", ctx, b)
			continue
		}
		if a, ok := p.bandAdvice(v, ctx+" "+string(b)); ok {
			r.bands[b] = a
		}
	}
	return r, id != ""
}

func (p *adviceParser) bandAdvice(n *yaml.Node, ctx string) (bandAdvice, bool) {
	vals, keys, ok := p.mapping(n, ctx, "diagnosis", "steps")
	if !ok {
		return bandAdvice{}, false
	}
	a := bandAdvice{diagnosis: p.text(vals, n, ctx, "diagnosis", maxDiagnosis, true)}
	a.steps = p.steps(vals, keys, n, ctx)
	return a, true
}

func (p *adviceParser) factorEntry(n *yaml.Node, i int) (factorEntry, bool) {
	ctx := entryContext("factor", n, i)
	vals, keys, ok := p.mapping(n, ctx, "id", "short", "summary", "steps")
	if !ok {
		return factorEntry{}, false
	}
	id, line := p.id(vals, n, ctx)
	f := factorEntry{id: id, line: line}
	f.short = p.text(vals, n, ctx, "short", maxShortName, false)
	f.summary = p.text(vals, n, ctx, "summary", maxSummary, true)
	f.steps = p.steps(vals, keys, n, ctx)
	return f, id != ""
}

func (p *adviceParser) steps(vals, keys map[string]*yaml.Node, parent *yaml.Node, ctx string) []Step {
	seq := p.list(vals, parent, ctx, "steps")
	if seq == nil {
		return nil
	}
	if k := len(seq.Content); k < minSteps || k > maxSteps {
		p.addf(keys["steps"].Line, "%s: %d steps; give %d to %d", ctx, k, minSteps, maxSteps)
	}
	var steps []Step
	seen := map[string]int{}
	for i, n := range seq.Content {
		sctx := fmt.Sprintf("%s step %d", ctx, i+1)
		v, _, ok := p.mapping(n, sctx, "text", "owner", "horizon")
		if !ok {
			continue
		}
		st := Step{
			Text:    p.text(v, n, sctx, "text", maxStepText, true),
			Owner:   p.text(v, n, sctx, "owner", maxOwner, true),
			Horizon: p.text(v, n, sctx, "horizon", maxHorizon, true),
		}
		if first, dup := seen[st.Text]; dup && st.Text != "" {
			p.addf(n.Line, "%s: same text as step %d", sctx, first)
		}
		seen[st.Text] = i + 1
		steps = append(steps, st)
	}
	return steps
}
