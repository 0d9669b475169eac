package survey

import "time"

// ReleaseKind says what made figures of a diagnostic leave the service.
type ReleaseKind string

const (
	// ReleasePreview: an interim view of a diagnostic that is still open.
	ReleasePreview ReleaseKind = "preview"
	// ReleaseFinal: the results after closing (again after a reopen and a
	// new close).
	ReleaseFinal ReleaseKind = "final"
	// ReleaseSummary: the employee summary shown on the respondent link,
	// the organisation's figures of the final release it follows and
	// nothing else. It is recorded so that the anonymity audit sees every
	// figure that left the service; it never feeds the results releases,
	// to which it adds nothing.
	ReleaseSummary ReleaseKind = "summary"
)

// Release records what one release of a diagnostic's results published:
// aggregate counts and the decisions of the suppression, never respondent
// data. Every later release treats it as published (docs/methodology.md
// §11): responses are only ever added while a diagnostic is open, so the
// respondents of a cell at this release are among those of the cell now,
// and the difference is the count difference.
type Release struct {
	Seq       int
	Kind      ReleaseKind
	CreatedAt time.Time
	// Responses is the number of responses submitted at the release, Base
	// the number of them in the analysis base.
	Responses int
	Base      int
	// Cells are the base counts per unit x role combination.
	Cells []ReleaseCell
	// TotalShown is set when the organisation's figures were shown; Units
	// and Roles are the ids of the groups the breakdowns showed.
	TotalShown bool
	Units      []string
	Roles      []string
	// Items are the items whose shares were shown, with the number of
	// respondents in the base who answered them (not "don't know").
	Items []ReleaseItem
	// Result is the result as released, served again while nothing may be
	// added to it.
	Result *Result
}

// ReleaseCell is the base count of one unit x role combination; the ids
// are survey.GroupNotStated for respondents without one.
type ReleaseCell struct {
	Unit  string `json:"unit"`
	Role  string `json:"role"`
	Count int    `json:"count"`
}

// ReleaseItem is the answered count of a shown item at a release. A
// respondent with a don't-know adds nothing to an item's figures, so an
// item's figures of two releases differ by the newcomers who answered it,
// which may be fewer than the newcomers.
type ReleaseItem struct {
	ID       string `json:"id"`
	Answered int    `json:"answered"`
}
