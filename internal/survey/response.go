package survey

// DontKnow is the stored value of a "weet ik niet / niet van toepassing"
// answer. It counts as missing in every statistic, never as the midpoint.
const DontKnow = 0

// Response is one respondent's submitted questionnaire. It deliberately holds
// nothing that could identify the person: no IP address, user agent, cookie,
// access code or time finer than the calendar date; its ID is random.
type Response struct {
	ID           string `json:"id"`
	DiagnosticID string `json:"diagnostic_id"`
	// SubmittedOn is the calendar date (YYYY-MM-DD) in the server's time zone.
	SubmittedOn string `json:"submitted_on"`
	// Background maps a background question id to the chosen option id
	// (for the unit question: the unit id). Unanswered optional questions
	// are absent.
	Background map[string]string `json:"background"`
	// Answers maps an item id to the answer on the scale, or DontKnow.
	// Items the respondent skipped are absent.
	Answers map[string]int `json:"answers"`
	// Open maps an open question id to the answer; empty answers are absent.
	Open map[string]string `json:"open,omitempty"`
}
