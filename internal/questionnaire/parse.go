// Package questionnaire reads questionnaire definitions (YAML) into
// survey.Questionnaire and checks them. Every problem it finds carries the
// line it is on, because the files are written by hand.
package questionnaire

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Load reads the questionnaire at path in fsys and parses it. The path is
// also the file name in problems. A file that cannot be read gives the
// fs error (wrapped); a file that can be read but is invalid gives *Problems.
func Load(fsys fs.FS, path string) (*survey.Questionnaire, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a questionnaire. filename is only used in
// problems. When anything is wrong it returns a nil questionnaire and a
// *Problems holding every problem found, sorted by line.
func Parse(filename string, data []byte) (*survey.Questionnaire, error) {
	p := &parser{file: filename}
	q := p.parse(data)
	if q == nil && len(p.problems) == 0 {
		p.addf(1, "no questionnaire found")
	}
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		return nil, &Problems{List: p.problems}
	}
	return q, nil
}

// parser collects problems while it walks the YAML tree, so that one run
// reports everything instead of stopping at the first mistake.
type parser struct {
	file string
	// langs are the languages every text must have: the questionnaire's
	// languages, or Dutch alone when those cannot be read.
	langs []string
	// anyLang accepts translations in any language, for when the
	// languages list is missing and a wrong list would flag every text.
	anyLang bool
	// pulse is set for a pulse instrument (pulse_of), whose factors take
	// one or two items of the full instrument.
	pulse    bool
	problems []Problem
}

func (p *parser) addf(line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(data []byte) *survey.Questionnaire {
	if !p.checkEncoding(data) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.addf(1, "file holds no YAML document")
		} else {
			p.syntaxError(err, data)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.addf(extra.Line, "a second YAML document starts here; a file holds exactly one questionnaire")
	case !errors.Is(err, io.EOF):
		p.syntaxError(err, data)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		p.addf(doc.Line, "file holds an empty YAML document")
		return nil
	}
	return p.questionnaire(doc.Content[0])
}

// checkEncoding rejects what the YAML reader would reject anyway, because
// the reader's errors carry no line number, and line breaks other than LF
// and CR LF.
func (p *parser) checkEncoding(data []byte) bool {
	if line, r, ok := OddLineBreak(data); ok {
		p.addf(line, "line break %U is not supported; end lines with LF or CR LF", r)
		return false
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			p.addf(line, "file is not valid UTF-8")
			return false
		case r == '\n':
			line++
		case !yamlPrintable(r):
			p.addf(line, "character %U is not allowed in YAML", r)
			return false
		}
		i += size
	}
	return true
}

// yamlPrintable is the YAML 1.2 c-printable set.
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	default:
		return r >= 0x10000 && r <= 0x10FFFF
	}
}

// syntaxError turns a yaml error into a problem. The library reports
// "yaml: line N: msg", but for parser (as opposed to scanner) errors N is a
// 0-based line; isParserProblem recognises those so that the line is right.
func (p *parser) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	switch {
	case isParserProblem(msg):
		line++
	case strings.Contains(msg, "tab character"):
		// Reported at the token before the tab, which may be lines earlier.
		line = tabLine(data, line)
	case strings.HasPrefix(msg, "unknown anchor '"):
		// Reported without a line: find the alias ourselves.
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		line = lineOf(data, "*"+name)
	}
	p.addf(line, "YAML syntax error: %s", msg)
}

// isParserProblem reports whether msg is one of the problems of the yaml
// library's parser stage (parserc.go), whose line numbers are 0-based.
func isParserProblem(msg string) bool {
	switch msg {
	case "did not find expected <stream-start>",
		"did not find expected <document start>",
		"did not find expected node content",
		"did not find expected '-' indicator",
		"did not find expected key",
		"did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"found undefined tag handle",
		"found duplicate %YAML directive",
		"found incompatible YAML document",
		"found duplicate %TAG directive":
		return true
	}
	return false
}

// tabLine returns the first line from line on whose indentation holds a
// tab, or line when there is none.
func tabLine(data []byte, line int) int {
	for i, l := range bytes.Split(data, []byte{'\n'}) {
		if i+1 < line {
			continue
		}
		indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		if bytes.IndexByte(indent, '\t') >= 0 {
			return i + 1
		}
	}
	return line
}

// lineOf returns the 1-based line of the first occurrence of s in data, or 0.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	default:
		return "a document"
	}
}

// usable reports an alias and refuses it. Aliases are never needed in a
// questionnaire, and following them would let a small file expand into a
// huge tree.
func (p *parser) usable(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		p.addf(n.Line, "alias *%s is not supported; write the value out in full", n.Value)
		return false
	}
	return true
}

// object is a YAML mapping whose keys have been checked against the fields
// it may have.
type object struct {
	p    *parser
	node *yaml.Node
	// ctx names the mapping in messages, e.g. `item "silos_3"`.
	ctx  string
	keys map[string]*yaml.Node
	vals map[string]*yaml.Node
}

// object checks that n is a mapping with only the given fields, each at
// most once. It returns nil (after reporting) when n is not a mapping.
func (p *parser) object(n *yaml.Node, ctx string, fields ...string) *object {
	if !p.usable(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, "%s: want a mapping with fields %s, got %s", ctx, strings.Join(fields, ", "), describe(n))
		return nil
	}
	o := &object{p: p, node: n, ctx: ctx, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, "%s: field names must be plain text, got %s", ctx, describe(k))
			continue
		}
		if first, dup := o.keys[k.Value]; dup {
			p.addf(k.Line, "%s: duplicate field %q (first on line %d)", ctx, k.Value, first.Line)
			continue
		}
		o.keys[k.Value] = k
		if !slices.Contains(fields, k.Value) {
			p.addf(k.Line, "%s: unknown field %q (allowed: %s)", ctx, k.Value, strings.Join(fields, ", "))
			continue
		}
		o.vals[k.Value] = v
	}
	return o
}

// named labels a list entry by its id when it has one and by its position
// otherwise, so that messages point at something the author recognises.
func named(kind string, n *yaml.Node, position string) string {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && !isNull(v) && v.Value != "" {
				return fmt.Sprintf("%s %q", kind, v.Value)
			}
		}
	}
	return position
}

// keyLine is the line of field key, or of the mapping when it is absent.
func (o *object) keyLine(key string) int {
	if k, ok := o.keys[key]; ok {
		return k.Line
	}
	return o.node.Line
}

// field returns the value of key, or nil when it is absent or empty; a
// required field that is absent or empty is reported.
func (o *object) field(key string, required bool) *yaml.Node {
	v, ok := o.vals[key]
	switch {
	case !ok:
		if required {
			o.p.addf(o.node.Line, "%s: missing field %q", o.ctx, key)
		}
		return nil
	case !o.p.usable(v):
		return nil
	case isNull(v):
		if required {
			o.p.addf(v.Line, "%s: field %q is empty", o.ctx, key)
		}
		return nil
	}
	return v
}

// str returns a text field. The node is nil when the field is absent or
// unusable.
func (o *object) str(key string, required bool) (string, *yaml.Node) {
	v := o.field(key, required)
	if v == nil {
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		o.p.addf(v.Line, "%s: field %q must be text, got %s", o.ctx, key, describe(v))
		return "", nil
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		if required {
			o.p.addf(v.Line, "%s: field %q is empty", o.ctx, key)
		}
		return "", nil
	}
	return s, v
}

// integer returns a whole-number field; 10.5 or "10" are refused rather
// than silently converted.
func (o *object) integer(key string, required bool) (int, *yaml.Node) {
	v := o.field(key, required)
	if v == nil {
		return 0, nil
	}
	var i int
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&i) != nil {
		o.p.addf(v.Line, "%s: field %q must be a whole number, got %s", o.ctx, key, describe(v))
		return 0, nil
	}
	return i, v
}

// number returns a finite numeric field.
func (o *object) number(key string, required bool) (float64, *yaml.Node) {
	v := o.field(key, required)
	if v == nil {
		return 0, nil
	}
	f, ok := finiteNumber(v)
	if !ok {
		o.p.addf(v.Line, "%s: field %q must be a number, got %s", o.ctx, key, describe(v))
		return 0, nil
	}
	return f, v
}

// finiteNumber reads an int or float scalar; NaN and infinities would slip
// through every range check, so they are refused.
func finiteNumber(v *yaml.Node) (float64, bool) {
	var f float64
	if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") || v.Decode(&f) != nil {
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// boolean returns an optional true/false field; absent means false.
func (o *object) boolean(key string) bool {
	v := o.field(key, false)
	if v == nil {
		return false
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		o.p.addf(v.Line, "%s: field %q must be true or false, got %s", o.ctx, key, describe(v))
		return false
	}
	return b
}

// list returns a list field as its sequence node.
func (o *object) list(key string, required bool) *yaml.Node {
	v := o.field(key, required)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		o.p.addf(v.Line, "%s: field %q must be a list, got %s", o.ctx, key, describe(v))
		return nil
	}
	return v
}

// text returns a translated text field; every language of the
// questionnaire must be present.
func (o *object) text(key string, required bool) survey.Text {
	v := o.field(key, required)
	if v == nil {
		return nil
	}
	return o.p.text(v, o.ctx, key)
}

func (p *parser) text(n *yaml.Node, ctx, field string) survey.Text {
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, "%s: %s must map languages to text, like {nl: ..., en: ...}; got %s", ctx, field, describe(n))
		return nil
	}
	t := survey.Text{}
	// handled holds the languages already reported, so that a bad
	// translation is not reported a second time as missing.
	handled := map[string]bool{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, "%s: %s: language codes must be plain text, got %s", ctx, field, describe(k))
			continue
		}
		lang := k.Value
		if first, dup := seen[lang]; dup {
			p.addf(k.Line, "%s: duplicate translation %q of %s (first on line %d)", ctx, lang, field, first)
			continue
		}
		seen[lang] = k.Line
		// Dutch is always allowed: when the languages list lacks it, that
		// is reported once there rather than at every text.
		if !p.anyLang && !slices.Contains(p.langs, lang) && lang != survey.DefaultLanguage {
			p.addf(k.Line, "%s: translation %q of %s is not one of the questionnaire's languages (%s)", ctx, lang, field, strings.Join(p.langs, ", "))
			continue
		}
		if !p.usable(v) {
			handled[lang] = true
			continue
		}
		if v.Kind != yaml.ScalarNode {
			p.addf(v.Line, "%s: translation %q of %s must be text, got %s", ctx, lang, field, describe(v))
			handled[lang] = true
			continue
		}
		s := strings.TrimSpace(v.Value)
		if isNull(v) || s == "" {
			p.addf(v.Line, "%s: missing translation %q of %s", ctx, lang, field)
			handled[lang] = true
			continue
		}
		t[lang] = s
	}
	for _, lang := range p.langs {
		if _, ok := t[lang]; !ok && !handled[lang] {
			p.addf(n.Line, "%s: missing translation %q of %s", ctx, lang, field)
		}
	}
	return t
}

// id returns the required id field, checks its syntax and, when ns is not
// nil, that it is unique in ns (id to line).
func (o *object) id(kind string, leadingDigit bool, ns map[string]int) (string, *yaml.Node) {
	s, v := o.str("id", true)
	if v == nil {
		return "", nil
	}
	if !validID(s, leadingDigit) {
		first := "a letter"
		if leadingDigit {
			first = "a letter or digit"
		}
		o.p.addf(v.Line, "%s: invalid id %q: use lower-case letters, digits and _, starting with %s", o.ctx, s, first)
	}
	if ns != nil {
		if line, dup := ns[s]; dup {
			o.p.addf(v.Line, "duplicate %s id %q (first on line %d)", kind, s, line)
		} else {
			ns[s] = v.Line
		}
	}
	return s, v
}

// validID reports whether s matches ^[a-z][a-z0-9_]*$, or ^[a-z0-9][a-z0-9_]*$
// with leadingDigit. Ids end up in URLs, form fields and stored answers,
// so they are kept plain.
func validID(s string, leadingDigit bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && (i > 0 || leadingDigit):
		case c == '_' && i > 0:
		default:
			return false
		}
	}
	return true
}

// OddLineBreak finds the first line break other than LF and CR LF: a lone
// CR, NEL, LS or PS. The YAML reader counts those as line breaks too, so
// every line number after one would be off from what an editor or grep
// shows, and could even lie beyond the last line of the file.
func OddLineBreak(data []byte) (line int, r rune, found bool) {
	line = 1
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		switch {
		case c == '\n':
			line++
		case c == '\r' && (i+1 == len(data) || data[i+1] != '\n'),
			c == '\u0085', c == '\u2028', c == '\u2029':
			return line, c, true
		}
		i += size
	}
	return 0, 0, false
}
