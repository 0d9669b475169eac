// Package report writes the advice report for directors: a PDF (gofpdf,
// with an embedded DejaVu font, a table of contents, page numbers, bookmarks
// and document metadata) and its accessible HTML twin, from a scored
// diagnostic (survey.Result) and an advice library.
//
// It is pure: no database, no HTTP, no clock. The same Input gives the same
// bytes, so a report can be reproduced and compared. Both renderers read
// one document model (model.go), so the PDF and the HTML never disagree.
//
// The advice is data: templates/advice/*.yaml, one file per language, or a
// consultancy's own folder loaded with LoadAdvice and checked with
// Library.Check (the `uitvoeringskracht advice check DIR` command).
// SelectAdvice decides from the scores which advice appears.
//
// This is the only package that imports gofpdf.
package report
