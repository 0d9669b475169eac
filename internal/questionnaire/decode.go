package questionnaire

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const (
	// minFactorItems is the fewest items a factor may have: with fewer,
	// one odd answer dominates the factor score.
	minFactorItems = 3
	// maxPulseItems is the most items a factor of a pulse takes: a pulse
	// answers in about two minutes.
	maxPulseItems = 2
	// maxScalePoints keeps a mistyped max from asking for a billion labels.
	maxScalePoints = 11
	// weightTolerance absorbs floating-point error in summing route weights.
	weightTolerance = 1e-9
	// roleSupport is the role option for support staff; the other role
	// option ids are constants in package survey.
	roleSupport = "ondersteuning"
)

// requiredRoles are the role options every questionnaire must offer: the
// results compare these groups.
func requiredRoles() []string {
	return []string{survey.RolePolicy, survey.RoleExecution, survey.RoleManagement, roleSupport}
}

func (p *parser) questionnaire(root *yaml.Node) *survey.Questionnaire {
	o := p.object(root, "questionnaire",
		"id", "version", "title", "languages", "minutes_to_complete", "scale",
		"factors", "outcomes", "background", "open", "routes", "bands", "pulse_of")
	if o == nil {
		return nil
	}
	q := &survey.Questionnaire{}
	// Languages come first: every text is checked against them.
	q.Languages = p.languages(o)
	q.ID, _ = o.id("questionnaire", false, nil)
	q.Version = p.version(o)
	q.Title = o.text("title", true)
	if m, v := o.integer("minutes_to_complete", false); v != nil {
		if m <= 0 {
			p.addf(v.Line, "questionnaire: minutes_to_complete must be positive, got %d", m)
		}
		q.MinutesToComplete = m
	}
	if s, v := o.str("pulse_of", false); v != nil {
		if !validID(s, false) {
			p.addf(v.Line, "questionnaire: pulse_of %q is not the id of an instrument: use lower-case letters, digits and _", s)
		}
		q.PulseOf, p.pulse = s, true
	}
	q.Scale = p.scale(o)
	items := map[string]int{}
	q.Factors = p.factors(o, items)
	q.Outcomes = p.outcomes(o, items)
	questions := map[string]int{}
	q.Background = p.background(o, questions)
	q.Open = p.open(o, questions)
	q.Routes = p.routes(o, q.Factors)
	q.Bands = p.bands(o)
	return q
}

func (p *parser) languages(o *object) []string {
	p.langs = []string{survey.DefaultLanguage}
	seq := o.list("languages", true)
	if seq == nil {
		p.anyLang = true
		return nil
	}
	var langs []string
	seen := map[string]int{}
	for _, n := range seq.Content {
		if !p.usable(n) {
			continue
		}
		if n.Kind != yaml.ScalarNode || !validLanguage(n.Value) {
			p.addf(n.Line, "questionnaire: invalid language %s; use a two-letter ISO 639-1 code such as nl", describe(n))
			continue
		}
		if first, dup := seen[n.Value]; dup {
			p.addf(n.Line, "questionnaire: duplicate language %q (first on line %d)", n.Value, first)
			continue
		}
		seen[n.Value] = n.Line
		langs = append(langs, n.Value)
	}
	if !slices.Contains(langs, survey.DefaultLanguage) {
		p.addf(seq.Line, "questionnaire: languages must include %q", survey.DefaultLanguage)
	}
	if len(langs) > 0 {
		p.langs = langs
	}
	return langs
}

func validLanguage(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// version is kept plain because it is shown and stored with every
// diagnostic that uses the questionnaire.
func (p *parser) version(o *object) string {
	s, v := o.str("version", true)
	if v == nil {
		return ""
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			p.addf(v.Line, "questionnaire: invalid version %q: use letters, digits, '.', '-' and '_'", s)
			break
		}
	}
	return s
}

func (p *parser) scale(o *object) survey.Scale {
	var sc survey.Scale
	n := o.field("scale", true)
	if n == nil {
		return sc
	}
	s := p.object(n, "scale", "min", "max", "points", "dont_know")
	if s == nil {
		return sc
	}
	minV, minNode := s.integer("min", true)
	maxV, maxNode := s.integer("max", true)
	sc.Min, sc.Max = minV, maxV
	sc.DontKnow = s.text("dont_know", true)
	// bounded is whether min..max is sane enough to check the points against.
	bounded := minNode != nil && maxNode != nil
	switch {
	case !bounded:
	case minV < 1:
		// 0 is how a don't-know answer is stored.
		p.addf(minNode.Line, "scale: min must be at least 1 (0 stores a don't-know answer), got %d", minV)
		bounded = false
	case minV >= maxV:
		p.addf(minNode.Line, "scale: min (%d) must be below max (%d)", minV, maxV)
		bounded = false
	case maxV-minV+1 > maxScalePoints:
		p.addf(maxNode.Line, "scale: %d..%d has %d points; at most %d are allowed", minV, maxV, maxV-minV+1, maxScalePoints)
		bounded = false
	}
	seq := s.list("points", true)
	if seq == nil {
		return sc
	}
	seen := map[int]int{}
	for i, pn := range seq.Content {
		po := p.object(pn, fmt.Sprintf("scale point #%d", i+1), "value", "label")
		if po == nil {
			continue
		}
		val, vn := po.integer("value", true)
		label := po.text("label", true)
		if vn == nil {
			continue
		}
		sc.Points = append(sc.Points, survey.ScalePoint{Value: val, Label: label})
		if !bounded {
			continue
		}
		if val < minV || val > maxV {
			p.addf(vn.Line, "scale: point value %d is outside %d..%d", val, minV, maxV)
			continue
		}
		if first, dup := seen[val]; dup {
			p.addf(vn.Line, "scale: point value %d appears twice (first on line %d)", val, first)
			continue
		}
		seen[val] = vn.Line
	}
	if bounded {
		for v := minV; v <= maxV; v++ {
			if _, ok := seen[v]; !ok {
				p.addf(seq.Line, "scale: no point for value %d", v)
			}
		}
	}
	return sc
}

func (p *parser) factors(o *object, items map[string]int) []survey.Factor {
	seq := o.list("factors", true)
	if seq == nil {
		return nil
	}
	if len(seq.Content) == 0 {
		p.addf(seq.Line, "questionnaire: no factors")
	}
	ids := map[string]int{}
	// titles holds the line of each step title per language and text: two
	// steps with the same heading would read as one.
	titles := map[string]int{}
	var factors []survey.Factor
	for i, n := range seq.Content {
		fo := p.object(n, named("factor", n, fmt.Sprintf("factor #%d", i+1)), "id", "name", "step_title", "description", "items")
		if fo == nil {
			continue
		}
		var f survey.Factor
		f.ID, _ = fo.id("factor", false, ids)
		f.Name = fo.text("name", true)
		f.StepTitle = p.stepTitle(fo, titles)
		f.Description = fo.text("description", true)
		if itemSeq := fo.list("items", true); itemSeq != nil {
			for j, in := range itemSeq.Content {
				if it, ok := p.item(in, fmt.Sprintf("item #%d of %s", j+1, fo.ctx), items); ok {
					f.Items = append(f.Items, it)
				}
			}
			switch {
			case p.pulse && (len(f.Items) < 1 || len(f.Items) > maxPulseItems):
				p.addf(fo.node.Line, "%s: has %d items; a factor of a pulse takes 1 to %d items of the full instrument", fo.ctx, len(f.Items), maxPulseItems)
			case !p.pulse && len(f.Items) < minFactorItems:
				p.addf(fo.node.Line, "%s: has %d items; a factor needs at least %d", fo.ctx, len(f.Items), minFactorItems)
			}
			// A pulse's one or two items cannot balance agreeing with
			// everything; its scores are read as indications only.
			if !p.pulse && !slices.ContainsFunc(f.Items, func(it survey.Item) bool { return it.Reverse }) {
				p.addf(fo.node.Line, "%s: no reverse-keyed item; mark at least one with \"reverse: true\" to counter agreeing with everything", fo.ctx)
			}
		}
		factors = append(factors, f)
	}
	return factors
}

// stepTitle reads a factor's optional respondent-facing heading.
func (p *parser) stepTitle(fo *object, seen map[string]int) survey.Text {
	title := fo.text("step_title", false)
	if title == nil {
		return nil
	}
	line := fo.vals["step_title"].Line
	for _, lang := range slices.Sorted(maps.Keys(title)) {
		key := lang + "\x00" + strings.ToLower(strings.TrimSpace(title[lang]))
		if first, dup := seen[key]; dup {
			p.addf(line, "%s: step_title %q (%s) is the same as on line %d; every step needs a heading of its own", fo.ctx, title[lang], lang, first)
			continue
		}
		seen[key] = line
	}
	return title
}

func (p *parser) outcomes(o *object, items map[string]int) []survey.Item {
	seq := o.list("outcomes", false)
	if seq == nil {
		if raw, ok := o.vals["outcomes"]; ok && !isNull(raw) {
			return nil // present but unusable: already reported
		}
		p.addf(o.keyLine("outcomes"), "questionnaire: no outcome items; add at least one under \"outcomes\"")
		return nil
	}
	if len(seq.Content) == 0 {
		p.addf(seq.Line, "questionnaire: no outcome items; add at least one under \"outcomes\"")
	}
	var outcomes []survey.Item
	for i, n := range seq.Content {
		if it, ok := p.item(n, fmt.Sprintf("outcome item #%d", i+1), items); ok {
			outcomes = append(outcomes, it)
		}
	}
	return outcomes
}

// item reads one rated item; ids is shared by all items of the file because
// answers are stored by item id.
func (p *parser) item(n *yaml.Node, position string, ids map[string]int) (survey.Item, bool) {
	fo := p.object(n, named("item", n, position), "id", "text", "reverse")
	if fo == nil {
		return survey.Item{}, false
	}
	var it survey.Item
	it.ID, _ = fo.id("item", false, ids)
	it.Text = fo.text("text", true)
	it.Reverse = fo.boolean("reverse")
	return it, true
}

// question remembers where a background question's parts are, for the
// checks that need the whole list.
type question struct {
	q       survey.BackgroundQuestion
	node    *yaml.Node
	idNode  *yaml.Node
	kind    *yaml.Node
	options *yaml.Node
}

func (p *parser) background(o *object, ids map[string]int) []survey.BackgroundQuestion {
	seq := o.list("background", true)
	if seq == nil {
		return nil
	}
	var qs []question
	for i, n := range seq.Content {
		bo := p.object(n, named("background question", n, fmt.Sprintf("background question #%d", i+1)),
			"id", "kind", "text", "hint", "options", "required")
		if bo == nil {
			continue
		}
		bq := question{node: n}
		bq.q.ID, bq.idNode = bo.id("question", false, ids)
		kind, kn := bo.str("kind", true)
		bq.kind = kn
		switch survey.BackgroundKind(kind) {
		case survey.BackgroundChoice, survey.BackgroundUnit:
			bq.q.Kind = survey.BackgroundKind(kind)
		case "":
		default:
			p.addf(kn.Line, "%s: unknown kind %q; want %q or %q", bo.ctx, kind, survey.BackgroundChoice, survey.BackgroundUnit)
		}
		bq.q.Text = bo.text("text", true)
		bq.q.Hint = bo.text("hint", false)
		bq.q.Required = bo.boolean("required")
		bq.options = bo.list("options", false)
		if bq.options != nil {
			bq.q.Options = p.options(bq.options, bo.ctx)
		}
		// A role question of the wrong kind gets one problem, from
		// checkRole, not advice that only fits the wrong kind.
		kindChecks := bq.q.Kind
		if bq.q.ID == survey.BackgroundRole && kindChecks != survey.BackgroundChoice {
			kindChecks = ""
		}
		switch kindChecks {
		case survey.BackgroundChoice:
			if len(bq.q.Options) == 0 && (bq.options == nil || len(bq.options.Content) == 0) {
				line := bo.node.Line
				if bq.options != nil {
					line = bq.options.Line
				}
				p.addf(line, "%s: a choice question needs options", bo.ctx)
			}
		case survey.BackgroundUnit:
			if bq.options != nil && len(bq.options.Content) > 0 {
				p.addf(bq.options.Line, "%s: a unit question takes its options from the diagnostic's units; remove \"options\"", bo.ctx)
			}
		}
		qs = append(qs, bq)
	}
	p.checkRole(seq, qs)
	p.checkUnit(seq, qs)
	out := make([]survey.BackgroundQuestion, len(qs))
	for i, bq := range qs {
		out[i] = bq.q
	}
	return out
}

func (p *parser) options(seq *yaml.Node, ctx string) []survey.Option {
	ids := map[string]int{}
	var opts []survey.Option
	for i, n := range seq.Content {
		oo := p.object(n, named("option", n, fmt.Sprintf("option #%d", i+1))+" of "+ctx, "id", "label")
		if oo == nil {
			continue
		}
		var opt survey.Option
		// Option ids may start with a digit: tenure bands read best as 2to5.
		id, v := oo.id("option", true, nil)
		if v != nil {
			if first, dup := ids[id]; dup {
				p.addf(v.Line, "%s: duplicate option id %q (first on line %d)", ctx, id, first)
			} else {
				ids[id] = v.Line
			}
		}
		opt.ID = id
		opt.Label = oo.text("label", true)
		opts = append(opts, opt)
	}
	return opts
}

// checkRole requires the role question that the gap analysis between
// policy, execution and management is built on.
func (p *parser) checkRole(seq *yaml.Node, qs []question) {
	i := slices.IndexFunc(qs, func(bq question) bool { return bq.q.ID == survey.BackgroundRole })
	if i < 0 {
		p.addf(seq.Line, "background: no question with id %q", survey.BackgroundRole)
		return
	}
	role := qs[i]
	ctx := fmt.Sprintf("background question %q", survey.BackgroundRole)
	if role.q.Kind != survey.BackgroundChoice {
		// An unknown or missing kind has been reported already.
		if role.q.Kind != "" {
			p.addf(role.kind.Line, "%s: kind must be %q", ctx, survey.BackgroundChoice)
		}
		return
	}
	if role.options == nil {
		return // already reported: a choice question needs options
	}
	for _, want := range requiredRoles() {
		if !slices.ContainsFunc(role.q.Options, func(o survey.Option) bool { return o.ID == want }) {
			p.addf(role.options.Line, "%s: missing option %q", ctx, want)
		}
	}
}

// checkUnit requires exactly one unit question, with the id the results
// rely on.
func (p *parser) checkUnit(seq *yaml.Node, qs []question) {
	var first *question
	for i := range qs {
		bq := &qs[i]
		// A role question of kind unit is reported by checkRole.
		if bq.q.Kind != survey.BackgroundUnit || bq.q.ID == survey.BackgroundRole {
			continue
		}
		if first != nil {
			p.addf(bq.kind.Line, "background: more than one question of kind %q (first on line %d)", survey.BackgroundUnit, first.kind.Line)
			continue
		}
		first = bq
	}
	switch {
	case first == nil:
		p.addf(seq.Line, "background: no question of kind %q", survey.BackgroundUnit)
	case first.idNode != nil && first.q.ID != survey.BackgroundUnitID:
		p.addf(first.idNode.Line, "background question %q: the question of kind %q must have id %q", first.q.ID, survey.BackgroundUnit, survey.BackgroundUnitID)
	}
}

func (p *parser) open(o *object, ids map[string]int) []survey.OpenQuestion {
	seq := o.list("open", false)
	if seq == nil {
		return nil
	}
	var qs []survey.OpenQuestion
	for i, n := range seq.Content {
		oo := p.object(n, named("open question", n, fmt.Sprintf("open question #%d", i+1)), "id", "text", "hint", "max_length")
		if oo == nil {
			continue
		}
		var q survey.OpenQuestion
		q.ID, _ = oo.id("question", false, ids)
		q.Text = oo.text("text", true)
		q.Hint = oo.text("hint", false)
		if m, v := oo.integer("max_length", true); v != nil {
			if m <= 0 {
				p.addf(v.Line, "%s: max_length must be positive, got %d", oo.ctx, m)
			}
			q.MaxLength = m
		}
		qs = append(qs, q)
	}
	return qs
}

func (p *parser) routes(o *object, factors []survey.Factor) []survey.Route {
	seq := o.list("routes", true)
	if seq == nil {
		return nil
	}
	if len(seq.Content) == 0 {
		p.addf(seq.Line, "questionnaire: no routes")
	}
	ids := map[string]int{}
	numbers := map[int]int{}
	var routes []survey.Route
	for i, n := range seq.Content {
		ro := p.object(n, named("route", n, fmt.Sprintf("route #%d", i+1)), "id", "number", "name", "description", "weights")
		if ro == nil {
			continue
		}
		var r survey.Route
		r.ID, _ = ro.id("route", false, ids)
		if num, v := ro.integer("number", true); v != nil {
			switch first, dup := numbers[num]; {
			case num < 1:
				p.addf(v.Line, "%s: number must be positive, got %d", ro.ctx, num)
			case dup:
				p.addf(v.Line, "duplicate route number %d (first on line %d)", num, first)
			default:
				numbers[num] = v.Line
			}
			r.Number = num
		}
		r.Name = ro.text("name", true)
		r.Description = ro.text("description", true)
		if wn := ro.field("weights", true); wn != nil {
			r.Weights = p.weights(wn, ro.ctx, factors)
		}
		routes = append(routes, r)
	}
	return routes
}

// weights reads a mapping from factor id to weight, kept in file order.
func (p *parser) weights(n *yaml.Node, ctx string, factors []survey.Factor) []survey.RouteWeight {
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, "%s: weights must map factor ids to numbers, like {silos: 0.5, governance: 0.5}; got %s", ctx, describe(n))
		return nil
	}
	var ws []survey.RouteWeight
	seen := map[string]int{}
	sum, complete := 0.0, true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, "%s: weights: factor ids must be plain text, got %s", ctx, describe(k))
			complete = false
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.addf(k.Line, "%s: duplicate weight for factor %q (first on line %d)", ctx, k.Value, first)
			complete = false
			continue
		}
		seen[k.Value] = k.Line
		if !slices.ContainsFunc(factors, func(f survey.Factor) bool { return f.ID == k.Value }) {
			p.addf(k.Line, "%s: weight for unknown factor %q", ctx, k.Value)
		}
		if !p.usable(v) {
			complete = false
			continue
		}
		w, ok := finiteNumber(v)
		if !ok {
			p.addf(v.Line, "%s: weight for factor %q must be a number, got %s", ctx, k.Value, describe(v))
			complete = false
			continue
		}
		if w < 0 {
			p.addf(v.Line, "%s: weight for factor %q is negative (%g)", ctx, k.Value, w)
		}
		sum += w
		ws = append(ws, survey.RouteWeight{Factor: k.Value, Weight: w})
	}
	if complete && !(math.Abs(sum-1) <= weightTolerance) {
		p.addf(n.Line, "%s: weights sum to %s; they must sum to 1", ctx, formatSum(sum))
	}
	return ws
}

// formatSum prints a sum so that a near miss such as 0.9999 is not shown
// as 1.
func formatSum(f float64) string {
	s := fmt.Sprintf("%.10f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func (p *parser) bands(o *object) survey.Bands {
	var b survey.Bands
	n := o.field("bands", true)
	if n == nil {
		return b
	}
	bo := p.object(n, "bands", "amber", "green")
	if bo == nil {
		return b
	}
	amber, an := bo.number("amber", true)
	green, gn := bo.number("green", true)
	b.Amber, b.Green = amber, green
	inRange := func(name string, v float64, node *yaml.Node) bool {
		if node == nil {
			return false
		}
		if v < 0 || v > 100 {
			p.addf(node.Line, "bands: %s (%g) must be between 0 and 100", name, v)
			return false
		}
		return true
	}
	amberOK := inRange("amber", amber, an)
	greenOK := inRange("green", green, gn)
	if amberOK && greenOK && amber >= green {
		p.addf(gn.Line, "bands: green (%g) must be above amber (%g)", green, amber)
	}
	return b
}
