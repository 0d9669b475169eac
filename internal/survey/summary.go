package survey

import "time"

// EmployeeSummary is the consultant's decision to show the results to
// everyone who was invited, on the respondent link of a closed
// diagnostic. The figures it shows are a summary release (ReleaseSummary);
// this holds only the switch and the directors' message.
type EmployeeSummary struct {
	DiagnosticID string `json:"diagnostic_id"`
	Published    bool   `json:"published"`
	// Message is the directors' message to the employees, as the
	// consultant entered it; may be empty.
	Message     string     `json:"message,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// MaxSummaryMessage is the longest directors' message, in characters: a
// notice-board page has room for a paragraph, not a letter.
const MaxSummaryMessage = 1200
