package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestPrivacyAuditCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "demo.db")
	opts := demoOptions{out: filepath.Join(dir, "rapport.pdf"), respondents: 40, lang: "nl", database: db, seed: 3}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	var sink strings.Builder
	outcome, err := runDemo(context.Background(), opts, &sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Diagnostic(ctx, outcome.diagnosticID)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "privacy-audit", "--database", db, "--diagnostic", d.ID)
	if code != 0 || !strings.Contains(out, "No results of this diagnostic have been released") {
		t.Errorf("before any release: %d %q %q", code, out, errOut)
	}
	rs, err := st.Responses(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := scoring.Input{Questionnaire: &d.Questionnaire, Responses: rs[:30], MinGroupSize: d.MinGroupSize, Units: d.Units}
	preview, err := scoring.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.RecordRelease(ctx, d.ID, 0, scoring.ReleaseOf(survey.ReleasePreview, preview))
	if err != nil {
		t.Fatal(err)
	}
	in.Responses, in.Earlier = rs, []survey.Release{first}
	final, err := scoring.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordRelease(ctx, d.ID, 1, scoring.ReleaseOf(survey.ReleaseFinal, final)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errOut = runCLI(t, nil, "privacy-audit", "--database", db, "--diagnostic", d.ID)
	if code != 0 || !strings.Contains(out, "release 2 (final") || !strings.Contains(out, "Result: nothing can be derived about any set of 1 to 4 respondents") {
		t.Errorf("after a preview and the final results: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "privacy-audit", "--database", db); code != 2 || !strings.Contains(errOut, "--diagnostic") {
		t.Errorf("without --diagnostic: %d %q", code, errOut)
	}
}
