package report

import (
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Input is everything a report is made from. The package does no I/O and
// reads no clock: the same Input always gives the same bytes.
type Input struct {
	Organisation survey.Organisation
	// Diagnostic gives the name, the period (OpensAt, ClosesAt), the units
	// with their headcounts and the questionnaire snapshot. Its own
	// Organisation field is ignored in favour of Organisation above.
	Diagnostic survey.Diagnostic
	// Result is the scored diagnostic (scoring.Compute). Required.
	Result *survey.Result
	// Benchmark places the index among the sector; nil when not computed.
	Benchmark *survey.BenchmarkResult
	// Lang is the report language, "nl" (default) or "en".
	Lang string
	// Advice is the advice library; nil leaves the advice out.
	Advice *Library
	// GeneratedOn is the date printed on the cover and stored as the PDF's
	// creation date. Required: the package never reads the clock, so that
	// a report can be reproduced byte for byte.
	GeneratedOn time.Time
	// Author is the consultant or firm named as the author; may be empty.
	Author string
	// PreviousActions is the action plan of the previous wave, when this
	// diagnostic has one: the report then says what was done since and how
	// the factors they served changed (since.go).
	PreviousActions []survey.Action
	// Location is the time zone in which the period's dates are printed;
	// nil prints them in the zone they carry.
	Location *time.Location
}

// Languages returns the languages a report can be written in, Dutch first.
func Languages() []string { return []string{"nl", "en"} }
