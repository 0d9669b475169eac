package survey

import (
	"math"
	"sort"
)

// Text is a piece of text in several languages, keyed by ISO 639-1 code
// ("nl", "en"). Dutch is always the first language.
type Text map[string]string

// DefaultLanguage is the language every text must have.
const DefaultLanguage = "nl"

// In returns the text in lang, falling back to Dutch and then to any
// language that has one.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t[DefaultLanguage]; ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Questionnaire is a versioned instrument. When a diagnostic is created, the
// questionnaire is copied into it (a snapshot), so later edits of the YAML
// never change the meaning of answers already given.
type Questionnaire struct {
	ID        string   `json:"id"`
	Version   string   `json:"version"`
	Title     Text     `json:"title"`
	Languages []string `json:"languages"`
	// MinutesToComplete is shown on the landing page.
	MinutesToComplete int                  `json:"minutes_to_complete"`
	Scale             Scale                `json:"scale"`
	Factors           []Factor             `json:"factors"`
	Outcomes          []Item               `json:"outcomes"`
	Background        []BackgroundQuestion `json:"background"`
	Open              []OpenQuestion       `json:"open"`
	Routes            []Route              `json:"routes"`
	Bands             Bands                `json:"bands"`
	// PulseOf is the id of the full instrument whose items a pulse
	// instrument takes (same item ids and wording, one or two per factor);
	// empty for a full instrument.
	PulseOf string `json:"pulse_of,omitempty"`
}

// IsPulse reports whether q is a pulse instrument.
func (q *Questionnaire) IsPulse() bool { return q.PulseOf != "" }

// Scale is the answer scale of every item, for example 1 (strongly disagree)
// to 5 (strongly agree), plus a separate "don't know / not applicable"
// answer that counts as missing, never as the midpoint.
type Scale struct {
	Min      int          `json:"min"`
	Max      int          `json:"max"`
	Points   []ScalePoint `json:"points"`
	DontKnow Text         `json:"dont_know"`
}

// ScalePoint labels one value of the scale.
type ScalePoint struct {
	Value int  `json:"value"`
	Label Text `json:"label"`
}

// Factor is one of the obstacles to execution power that the instrument
// measures, such as a risk-avoidant culture.
type Factor struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// StepTitle is the heading respondents read above the factor's items.
	// The name says what the factor measures as a problem, which can steer
	// answers; the reports keep the name. Empty in questionnaires copied
	// into diagnostics before the field existed.
	StepTitle   Text   `json:"step_title,omitempty"`
	Description Text   `json:"description"`
	Items       []Item `json:"items"`
}

// Item is one statement the respondent rates on the scale. Reverse-keyed
// items are phrased so that agreeing means less execution power; scoring
// recodes them so that a higher score always means more execution power.
type Item struct {
	ID      string `json:"id"`
	Text    Text   `json:"text"`
	Reverse bool   `json:"reverse,omitempty"`
}

// BackgroundKind tells where the options of a background question come from.
type BackgroundKind string

const (
	// BackgroundChoice has its options in the questionnaire.
	BackgroundChoice BackgroundKind = "choice"
	// BackgroundUnit takes its options from the diagnostic's units.
	BackgroundUnit BackgroundKind = "unit"
)

// Background question ids that the scoring and the results rely on.
const (
	BackgroundRole   = "role"
	BackgroundUnitID = "unit"
)

// Role option ids the gap analysis compares.
const (
	RolePolicy     = "beleid"
	RoleExecution  = "uitvoering"
	RoleManagement = "management"
)

// BackgroundQuestion asks for a characteristic used to compare groups.
type BackgroundQuestion struct {
	ID       string         `json:"id"`
	Kind     BackgroundKind `json:"kind"`
	Text     Text           `json:"text"`
	Hint     Text           `json:"hint,omitempty"`
	Options  []Option       `json:"options,omitempty"`
	Required bool           `json:"required"`
}

// Option is one answer to a background question.
type Option struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
}

// OpenQuestion is an optional free-text question.
type OpenQuestion struct {
	ID        string `json:"id"`
	Text      Text   `json:"text"`
	Hint      Text   `json:"hint,omitempty"`
	MaxLength int    `json:"max_length"`
}

// Route is one of the three routes to more execution power, defined as
// weights over the factors that sum to 1.
type Route struct {
	ID          string        `json:"id"`
	Number      int           `json:"number"`
	Name        Text          `json:"name"`
	Description Text          `json:"description"`
	Weights     []RouteWeight `json:"weights"`
}

// RouteWeight is the weight of one factor in a route.
type RouteWeight struct {
	Factor string  `json:"factor"`
	Weight float64 `json:"weight"`
}

// Band is a traffic-light classification of a 0-100 score.
type Band string

const (
	BandRed   Band = "red"
	BandAmber Band = "amber"
	BandGreen Band = "green"
)

// Bands holds the thresholds on the 0-100 scale: below Amber is red, from
// Amber up to Green is amber, Green and up is green.
type Bands struct {
	Amber float64 `json:"amber"`
	Green float64 `json:"green"`
}

// Classify returns the band of a 0-100 score; NaN has no band.
func (b Bands) Classify(score float64) Band {
	switch {
	case math.IsNaN(score):
		return ""
	case score >= b.Green:
		return BandGreen
	case score >= b.Amber:
		return BandAmber
	default:
		return BandRed
	}
}

// Factor returns the factor with the given id.
func (q *Questionnaire) Factor(id string) (*Factor, bool) {
	for i := range q.Factors {
		if q.Factors[i].ID == id {
			return &q.Factors[i], true
		}
	}
	return nil, false
}

// AllItems returns every rated item: the factors' items in order, then the
// outcome items.
func (q *Questionnaire) AllItems() []Item {
	var items []Item
	for _, f := range q.Factors {
		items = append(items, f.Items...)
	}
	return append(items, q.Outcomes...)
}

// HasLanguage reports whether the questionnaire is available in lang.
func (q *Questionnaire) HasLanguage(lang string) bool {
	for _, l := range q.Languages {
		if l == lang {
			return true
		}
	}
	return false
}
