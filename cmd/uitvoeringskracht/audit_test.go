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
	// The demo's report is its release: the audit checks it.
	code, out, errOut := runCLI(t, nil, "privacy-audit", "--database", db, "--diagnostic", d.ID)
	if code != 0 || !strings.Contains(out, "release 1 (final") || !strings.Contains(out, "release 2 (summary") || !strings.Contains(out, "Result: nothing can be derived about any set of 1 to 4 respondents") {
		t.Errorf("after the demo's report and employee summary: %d %q %q", code, out, errOut)
	}
	// A reopen and a new close with the same responses is a second release.
	rels, err := st.Releases(ctx, d.ID)
	if err != nil || len(rels) != 1 {
		t.Fatalf("the demo recorded %d releases (%v), want 1", len(rels), err)
	}
	rs, err := st.Responses(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	final, err := scoring.Compute(scoring.Input{Questionnaire: &d.Questionnaire, Responses: rs, MinGroupSize: d.MinGroupSize, Units: d.Units, Earlier: rels})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordRelease(ctx, d.ID, 1, scoring.ReleaseOf(survey.ReleaseFinal, final)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errOut = runCLI(t, nil, "privacy-audit", "--database", db, "--diagnostic", d.ID)
	if code != 0 || !strings.Contains(out, "release 3 (final") || !strings.Contains(out, "Result: nothing can be derived about any set of 1 to 4 respondents") {
		t.Errorf("after a preview and the final results: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "privacy-audit", "--database", db); code != 2 || !strings.Contains(errOut, "--diagnostic") {
		t.Errorf("without --diagnostic: %d %q", code, errOut)
	}
}
