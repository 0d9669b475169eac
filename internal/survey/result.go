package survey

// This file holds what the scoring engine (internal/scoring) returns. Every
// number is on the 0-100 scale unless its comment says otherwise. A value
// that is undefined (a standard deviation of one respondent, a hidden cell)
// is absent from the JSON rather than NaN: encoding/json cannot encode NaN,
// and an absent value cannot be mistaken for a real zero.

// MeasureIndex is the measure id of the overall execution-power index in
// breakdowns, comparisons and trends; every other measure id is a factor id.
const MeasureIndex = "index"

// MeasureOutcome is the measure id of the outcome score in the breakdowns
// of a pulse, where the outcome is its own question: whether people notice
// that something is done with the previous measurement.
const MeasureOutcome = "outcome"

// Comparison ids of the gap analysis.
const (
	ComparisonPolicyExecution = "policy_vs_execution"
	ComparisonManagementRest  = "management_vs_rest"
)

// GroupRest is the group id of "everyone outside the management role" in the
// management comparison.
const GroupRest = "rest"

// GroupNotStated is the group id of the respondents who did not answer the
// background question of a breakdown (no unit, no role).
const GroupNotStated = ""

// Dimension names of the breakdowns.
const (
	DimensionUnit = "unit"
	DimensionRole = "role"
)

// SuppressionReason says why a value is hidden. It never carries a count.
type SuppressionReason string

const (
	// ReasonTooSmall: fewer respondents (or answers) than the minimum group
	// size.
	ReasonTooSmall SuppressionReason = "too_small"
	// ReasonComplementary: hidden so that a smaller hidden group of the same
	// breakdown cannot be derived by subtracting the shown groups from the
	// total.
	ReasonComplementary SuppressionReason = "complementary"
	// ReasonCrossBreakdown: hidden so that no small set of respondents can be
	// derived by combining the unit and the role breakdowns.
	ReasonCrossBreakdown SuppressionReason = "cross_breakdown"
	// ReasonPreviousWave: hidden so that no small set of respondents can be
	// derived by combining this wave with the previous wave's results.
	ReasonPreviousWave SuppressionReason = "previous_wave"
	// ReasonEarlierRelease: hidden so that no small set of respondents can
	// be derived by combining this release with an earlier release (a
	// preview, or the results before a reopen) of the same diagnostic.
	ReasonEarlierRelease SuppressionReason = "earlier_release"
	// ReasonGroupHidden: the value belongs to a group that is hidden.
	ReasonGroupHidden SuppressionReason = "group_hidden"
	// ReasonNotApplicable: the value cannot be computed (for example no
	// previous value to compare with, or no spread to estimate from).
	ReasonNotApplicable SuppressionReason = "not_applicable"
)

// Interval is a two-sided 95 % confidence interval.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Score summarises a 0-100 score over a group of respondents. When Shown is
// false only Reason is set: neither the mean nor the count of a hidden group
// is ever part of a result.
type Score struct {
	Shown  bool              `json:"shown"`
	Reason SuppressionReason `json:"reason,omitempty"`
	// N is the number of respondents who have this score.
	N    int      `json:"n,omitempty"`
	Mean *float64 `json:"mean,omitempty"`
	// SD is the sample standard deviation (denominator n-1); absent for n<2.
	SD *float64 `json:"sd,omitempty"`
	// CI is the t-based 95 % interval of the mean; absent for n<2.
	CI   *Interval `json:"ci,omitempty"`
	Band Band      `json:"band,omitempty"`
}

// Shares splits answers into below, at and above the midpoint of the scale,
// as fractions (0-1) of the valid answers. On a scale with an even number of
// points Neutral is always 0.
type Shares struct {
	Disagree float64 `json:"disagree"`
	Neutral  float64 `json:"neutral"`
	Agree    float64 `json:"agree"`
}

// Result is the scored outcome of one diagnostic.
type Result struct {
	QuestionnaireID      string `json:"questionnaire_id"`
	QuestionnaireVersion string `json:"questionnaire_version"`
	// Responses is the number of responses submitted and N the number of
	// them in the analysis base: those with a score on every factor and on
	// the outcome. Every figure of the result rests on the base; the
	// responses outside it are only ever counted, for the whole
	// organisation.
	Responses    int `json:"responses"`
	N            int `json:"n"`
	MinGroupSize int `json:"min_group_size"`
	// Index is the overall execution-power index.
	Index Score `json:"index"`
	// Outcome is the score on the outcome items.
	Outcome      Score          `json:"outcome"`
	OutcomeItems []ItemResult   `json:"outcome_items"`
	Factors      []FactorResult `json:"factors"`
	Routes       []RouteResult  `json:"routes"`
	Impact       ImpactBasis    `json:"impact"`
	Priorities   []Priority     `json:"priorities"`
	Gaps         []Comparison   `json:"gaps"`
	Units        Breakdown      `json:"units"`
	Roles        Breakdown      `json:"roles"`
	// Trend is the change since the previous wave, when there was one.
	Trend *Trend `json:"trend,omitempty"`
	// HeldBack is the number of responses in the analysis base that came
	// in after the release these figures come from and are not included:
	// fewer than the minimum group size, they would be the difference of
	// the two releases.
	HeldBack int `json:"held_back,omitempty"`
	// BaseCells are the base counts per unit x role combination, for the
	// release record (survey.Release). They are never published: a cell
	// count of a hidden group would undo its suppression.
	BaseCells []ReleaseCell `json:"-"`
	// BaseItems are the shown items' answered counts, for the release
	// record; never published.
	BaseItems []ReleaseItem `json:"-"`
}

// FactorResult is everything the report says about one factor for the whole
// organisation.
type FactorResult struct {
	ID    string `json:"id"`
	Score Score  `json:"score"`
	// Shares pools the valid answers to the factor's items after reverse
	// items are recoded, so Agree is always the favourable side.
	Shares *Shares      `json:"shares,omitempty"`
	Items  []ItemResult `json:"items"`
	// StrongestItem and WeakestItem are the ids of the shown items with the
	// highest and the lowest favourable share (agree, or disagree for a
	// reverse item); absent when they are equal.
	StrongestItem string      `json:"strongest_item,omitempty"`
	WeakestItem   string      `json:"weakest_item,omitempty"`
	Reliability   Reliability `json:"reliability"`
}

// ItemResult describes the answers to one item in the analysis base, for
// the whole organisation. Item means, SDs, counts per scale value and
// item-total correlations are deliberately absent: with don't-know answers
// they would, together with the factor mean, give a sum over the few
// respondents with a don't-know (docs/methodology.md §11).
type ItemResult struct {
	ID      string `json:"id"`
	Reverse bool   `json:"reverse,omitempty"`
	// Shown is set when Shares are given: at least the minimum group size
	// gave a valid answer and the scale has more than three points.
	Shown  bool              `json:"shown"`
	Reason SuppressionReason `json:"reason,omitempty"`
	// DontKnow is the number of "weet ik niet / n.v.t." answers and
	// DontKnowShare their fraction of all answers given to this item
	// (valid plus don't know; skipped items are not answers). Both are
	// absent when fewer than the minimum group size gave a valid answer.
	DontKnow      int      `json:"dont_know,omitempty"`
	DontKnowShare *float64 `json:"dont_know_share,omitempty"`
	// Shares are of the valid answers, as answered: for a reverse item
	// Agree is the unfavourable side.
	Shares *Shares `json:"shares,omitempty"`
}

// Reliability is Cronbach's alpha of a factor, as R's psych::alpha reports
// raw_alpha.
type Reliability struct {
	Alpha *float64 `json:"alpha,omitempty"`
	// InterpretWithCare is set when alpha is below 0.70 or undefined.
	InterpretWithCare bool `json:"interpret_with_care"`
	// DroppedItems lists items without variance, which psych leaves out.
	DroppedItems []string `json:"dropped_items,omitempty"`
}

// RouteResult is the score of one route to more execution power.
type RouteResult struct {
	ID    string `json:"id"`
	Score Score  `json:"score"`
}

// ImpactBasis tells on which respondents the factors' impact was estimated.
type ImpactBasis struct {
	// Pooled is set when this diagnostic had too few respondents and the
	// responses of other closed diagnostics of the questionnaire were added.
	Pooled bool `json:"pooled"`
	// N is the number of respondents in the impact sample.
	N int `json:"n"`
}

// Priority is one factor in the ranked list of what to work on first.
type Priority struct {
	Rank   int     `json:"rank"`
	Factor string  `json:"factor"`
	Score  float64 `json:"score"`
	// Impact is the correlation of the factor score with the outcome score;
	// absent when it cannot be estimated.
	Impact *float64 `json:"impact,omitempty"`
	// ImpactN is the number of respondents with both scores, on which
	// Impact and its significance rest.
	ImpactN int `json:"impact_n,omitempty"`
	// Significant: Impact differs from 0 at the 5 % level (two-sided).
	Significant bool `json:"significant"`
	// Strength puts Impact into words (methodology section 15).
	Strength LinkStrength `json:"strength"`
	// Basis says why the factor is a priority: its link with the outcome
	// (BasisImpact) or, without a meaningful link, its low score
	// (BasisScore).
	Basis PriorityBasis `json:"basis"`
	// Value is (100 - Score) * Impact for a priority on BasisImpact, else 0.
	Value float64 `json:"value"`
}

// PriorityBasis is the ground on which a factor was chosen as a priority.
type PriorityBasis string

const (
	// BasisImpact: the factor is tied to the outcome demonstrably and at
	// least weakly, and ranked by (100 - score) * impact.
	BasisImpact PriorityBasis = "impact"
	// BasisScore: no meaningful tie with the outcome; ranked by score, lowest
	// first.
	BasisScore PriorityBasis = "score"
)

// LinkStrength is the word for a correlation: Cohen's conventions on the
// correlation as displayed (two decimals), and only when the correlation
// is significant.
type LinkStrength string

const (
	// LinkUnknown: the correlation cannot be estimated.
	LinkUnknown LinkStrength = "unknown"
	// LinkNone: not significant at 5 %, whatever its size.
	LinkNone LinkStrength = "none"
	// LinkNegligible: significant, |r| below 0.10.
	LinkNegligible LinkStrength = "negligible"
	// LinkWeak: significant, |r| from 0.10 to below 0.30.
	LinkWeak LinkStrength = "weak"
	// LinkModerate: significant, |r| from 0.30 to below 0.50.
	LinkModerate LinkStrength = "moderate"
	// LinkStrong: significant, |r| 0.50 or more.
	LinkStrong LinkStrength = "strong"
)

// Label returns the words for directors; negative says the link runs the
// other way (a higher factor score goes with a lower outcome).
func (s LinkStrength) Label(negative bool) Text {
	neg := func(nl, en string) Text {
		if negative {
			return Text{"nl": nl + " negatieve samenhang", "en": en + " negative link"}
		}
		return Text{"nl": nl + " samenhang", "en": en + " link"}
	}
	switch s {
	case LinkNone:
		return Text{"nl": "geen aantoonbare samenhang", "en": "no demonstrable link"}
	case LinkNegligible:
		return neg("verwaarloosbare", "negligible")
	case LinkWeak:
		return neg("zwakke", "weak")
	case LinkModerate:
		return neg("matige", "moderate")
	case LinkStrong:
		return neg("sterke", "strong")
	case LinkUnknown:
		return Text{"nl": "samenhang niet te bepalen", "en": "link cannot be estimated"}
	default:
		return Text{}
	}
}

// Breakdown is a heat map: the index and the factors for every group of one
// background question.
type Breakdown struct {
	Dimension string  `json:"dimension"`
	Groups    []Group `json:"groups"`
	// Other is the hidden groups together, present when at least one group
	// is hidden and the union may be shown.
	Other *Group `json:"other,omitempty"`
}

// Group is one row of a breakdown.
type Group struct {
	ID        string            `json:"id"`
	NotStated bool              `json:"not_stated,omitempty"`
	Shown     bool              `json:"shown"`
	Reason    SuppressionReason `json:"reason,omitempty"`
	// N is the number of respondents in the group.
	N     int    `json:"n,omitempty"`
	Cells []Cell `json:"cells,omitempty"`
}

// Cell is one measure (the index or a factor) of one group.
type Cell struct {
	Measure string `json:"measure"`
	Score
}

// Verdict is the plain-language reading of a difference.
type Verdict string

const (
	// VerdictClear: the 95 % interval of Hedges' g excludes 0 and the
	// difference is at least 5 points.
	VerdictClear Verdict = "clear"
	// VerdictPossible: not clear, but either the Welch interval excludes 0
	// or the difference is at least 5 points.
	VerdictPossible Verdict = "possible"
	// VerdictNone: the Welch interval includes 0 and the difference is
	// below 5 points.
	VerdictNone Verdict = "none"
)

// Label returns the words for directors.
func (v Verdict) Label() Text {
	switch v {
	case VerdictClear:
		return Text{"nl": "duidelijk verschil", "en": "clear difference"}
	case VerdictPossible:
		return Text{"nl": "mogelijk verschil", "en": "possible difference"}
	case VerdictNone:
		return Text{"nl": "geen aantoonbaar verschil", "en": "no demonstrable difference"}
	default:
		return Text{}
	}
}

// Comparison compares two groups of respondents on every measure.
type Comparison struct {
	ID          string       `json:"id"`
	GroupA      string       `json:"group_a"`
	GroupB      string       `json:"group_b"`
	Differences []Difference `json:"differences"`
}

// Difference is mean A minus mean B on one measure.
type Difference struct {
	Measure string            `json:"measure"`
	Shown   bool              `json:"shown"`
	Reason  SuppressionReason `json:"reason,omitempty"`
	NA      int               `json:"n_a,omitempty"`
	NB      int               `json:"n_b,omitempty"`
	MeanA   *float64          `json:"mean_a,omitempty"`
	MeanB   *float64          `json:"mean_b,omitempty"`
	Diff    *float64          `json:"diff,omitempty"`
	// CI is Welch's 95 % interval of the difference, DF its degrees of
	// freedom.
	CI *Interval `json:"ci,omitempty"`
	DF *float64  `json:"df,omitempty"`
	// G is Hedges' g (A minus B over the pooled SD, small-sample corrected)
	// and GCI its 95 % interval.
	G   *float64  `json:"g,omitempty"`
	GCI *Interval `json:"g_ci,omitempty"`
	// Significant: the Welch interval excludes 0. Substantial: |Diff| is at
	// least 5 points.
	Significant bool    `json:"significant"`
	Substantial bool    `json:"substantial"`
	Verdict     Verdict `json:"verdict,omitempty"`
}

// Trend compares this wave (A) with the previous wave (B) of the same
// organisation.
type Trend struct {
	PreviousN int          `json:"previous_n"`
	Changes   []Difference `json:"changes"`
}

// BenchmarkPeer is one organisation in a sector comparison: its firm and
// the index of its latest qualifying closed diagnostic. Peers are never
// shown; only the position of a score among them is.
type BenchmarkPeer struct {
	FirmID string
	Index  float64
}

// BenchmarkPosition is the coarse place of an index among the comparison
// set (docs/methodology.md §9).
type BenchmarkPosition string

// The five positions, lowest first.
const (
	BenchmarkLowest      BenchmarkPosition = "lowest_20"
	BenchmarkBelowMiddle BenchmarkPosition = "below_middle"
	BenchmarkMiddle      BenchmarkPosition = "middle"
	BenchmarkAboveMiddle BenchmarkPosition = "above_middle"
	BenchmarkHighest     BenchmarkPosition = "highest_20"
)

// BenchmarkResult places a score among organisations of other firms of the
// same sector. It holds only the coarse position: no percentile, no count
// and nothing about a single other organisation.
type BenchmarkResult struct {
	Available bool              `json:"available"`
	Position  BenchmarkPosition `json:"position,omitempty"`
}

// Availability says whether the results of a diagnostic may be shown.
type Availability struct {
	Available bool `json:"available"`
	// Preview is set when the diagnostic is still open and the results are
	// an interim view the consultant asked for.
	Preview bool   `json:"preview"`
	Reason  string `json:"reason,omitempty"`
}

// Availability reasons.
const (
	AvailabilityNotClosed       = "not_closed"
	AvailabilityTooFewResponses = "too_few_responses"
	// AvailabilityTooFewNewResponses: a new preview would differ from the
	// last one by fewer respondents than the minimum group size.
	AvailabilityTooFewNewResponses = "too_few_new_responses"
)
