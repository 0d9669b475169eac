// Package scoring is the scoring engine of Uitvoeringskracht: it turns the
// responses of a diagnostic into the scores, reliabilities, gaps, trends and
// priorities of survey.Result, and decides what may be shown without
// exposing small groups of respondents.
//
// It is pure: no I/O, no clock, no global state; randomness only through a
// *rand.Rand the caller passes. It depends on the standard library and
// internal/survey only. Every formula is written out in docs/methodology.md;
// testdata/generate.R regenerates the values from R (and psych) that the
// tests compare with.
//
// The entry points are Compute (a whole diagnostic), Suppress (the
// disclosure decision for any cross-table), ResultsAvailable, Benchmark,
// OpenAnswers and OpenAnswersByGroup.
package scoring
