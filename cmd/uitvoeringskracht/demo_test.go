package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestDemoGoesThroughTheStoreAndClosesTheDiagnostic(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "demo.db")
	opts := demoOptions{out: filepath.Join(dir, "rapport.pdf"), respondents: 60, lang: "nl", database: db, seed: 7}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	outcome, err := runDemo(context.Background(), opts, &out)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(opts.out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/Lang (nl)")) {
		t.Fatalf("no PDF report written: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "rapport.html"))
	if err != nil || !bytes.Contains(page, []byte(`<html lang="nl">`)) {
		t.Fatalf("no HTML twin written next to the PDF: %v", err)
	}
	if !strings.Contains(out.String(), "60 respondents, ") {
		t.Errorf("summary line: %s", out.String())
	}
	// The action plan next to the report, and the report's section on
	// the previous wave's plan.
	plan, err := os.ReadFile(filepath.Join(dir, "rapport-actieplan.pdf"))
	if err != nil || !bytes.HasPrefix(plan, []byte("%PDF-")) || !strings.Contains(out.String(), "rapport-actieplan.pdf") {
		t.Fatalf("no action plan written: %v: %s", err, out.String())
	}
	if !bytes.Contains(page, []byte("Wat er sinds de vorige meting is gedaan")) {
		t.Error("the demo report lacks the section on the previous plan")
	}
	// The employee summary is written next to the report, published, and
	// recorded as a release after the final one.
	summary, err := os.ReadFile(filepath.Join(dir, "rapport-medewerkers.pdf"))
	if err != nil || !bytes.HasPrefix(summary, []byte("%PDF-")) || !bytes.Contains(summary, []byte("/Lang (nl)")) {
		t.Fatalf("no employee summary written next to the report: %v", err)
	}
	if !strings.Contains(out.String(), "rapport-medewerkers.pdf") {
		t.Errorf("the demo does not say where the summary went: %s", out.String())
	}

	st, err := store.Open(context.Background(), db, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := st.Diagnostic(context.Background(), outcome.diagnosticID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != survey.StateClosed {
		t.Errorf("the demo diagnostic is %s, want closed", d.State)
	}
	if d.PreviousID == "" {
		t.Error("the demo diagnostic should follow a previous wave")
	}
	if sum, err := st.EmployeeSummary(context.Background(), d.ID); err != nil || !sum.Published || sum.Message == "" {
		t.Errorf("the demo's employee summary is not published: %+v %v", sum, err)
	}
	if all, err := st.AllReleases(context.Background(), d.ID); err != nil || len(all) != 2 || all[1].Kind != survey.ReleaseSummary {
		t.Errorf("the demo's releases: %+v %v", all, err)
	}
	rs, err := st.Responses(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Respondents with too many don't-knows for a factor or the outcome
	// are outside the analysis base: counted, not scored.
	if len(rs) != 60 || outcome.result.Responses != 60 || outcome.result.N < 50 || outcome.result.N > 60 {
		t.Errorf("%d stored responses, %d counted and %d scored, want 60, 60 and 50-60", len(rs), outcome.result.Responses, outcome.result.N)
	}
	// The simulated answers have the structure the demo promises.
	dontKnow, skipped := 0, 0
	for _, r := range rs {
		for _, f := range d.Questionnaire.Factors {
			for _, it := range f.Items {
				switch v, ok := r.Answers[it.ID]; {
				case !ok:
					skipped++
				case v == survey.DontKnow:
					dontKnow++
				}
			}
		}
	}
	if dontKnow == 0 || skipped == 0 {
		t.Errorf("%d don't-know answers and %d skipped items; want some of both", dontKnow, skipped)
	}
	if outcome.result.Trend == nil {
		t.Error("the demo result has no trend")
	}
}

func TestDemoCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a few hundred respondents through SQLite")
	}
	out := filepath.Join(t.TempDir(), "report.pdf")
	code, stdout, stderr := runCLI(t, nil, "demo", "--out", out, "--respondents", "40", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(pdf, []byte("/Lang (en)")) {
		t.Fatalf("no English report: %v", err)
	}
	for _, args := range [][]string{
		{"demo", "--lang", "fr"},
		{"demo", "--respondents", "3"},
		{"demo", "--database", "mysql://x"},
		{"demo", "extra"},
		{"demo", "--firm", "Adviesbureau Demo"},
	} {
		if code, _, _ := runCLI(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestDemoGivesTheOrganisationToTheFirm(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "demo.db")
	ctx := context.Background()
	var ids []string
	// Twice on one database: the second run finds the firm.
	for i := range 2 {
		opts := demoOptions{out: filepath.Join(dir, "rapport.pdf"), respondents: 20, lang: "nl", database: db, seed: uint64(i), firm: "Adviesbureau Demo"}
		if err := opts.validate(); err != nil {
			t.Fatal(err)
		}
		outcome, err := runDemo(ctx, opts, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, outcome.diagnosticID)
	}
	st, err := store.Open(ctx, db, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	firm, err := st.FirmByName(ctx, "Adviesbureau Demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		d, err := st.DiagnosticForFirm(ctx, firm.ID, id)
		if err != nil {
			t.Fatalf("diagnostic %s is not the firm's: %v", id, err)
		}
		if d.Organisation.FirmID != firm.ID {
			t.Errorf("organisation of %s belongs to %q, want %q", id, d.Organisation.FirmID, firm.ID)
		}
	}
}

func TestDemoRejectsAnIncompleteAdviceDir(t *testing.T) {
	dir := t.TempDir()
	writeAdvice(t, dir, "nl.yaml", "language: nl\nroutes: []\n")
	_, err := runDemo(context.Background(), demoOptions{out: filepath.Join(dir, "r.pdf"), respondents: 20, lang: "nl", adviceDir: dir}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nl.yaml:2: ") {
		t.Errorf("got %v, want the advice problems with lines", err)
	}
}

func writeAdvice(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAdviceCheck(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "advice", "check", "../../templates/advice")
	if code != 0 || !strings.Contains(out, "ok (languages en, nl; complete for uitvoeringskracht version 1)") {
		t.Fatalf("the shipped library: exit %d, %s %s", code, out, errOut)
	}
	dir := t.TempDir()
	shipped, err := os.ReadFile("../../templates/advice/nl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A typo in a factor id: loads fine, but does not cover the
	// questionnaire.
	writeAdvice(t, dir, "nl.yaml", strings.Replace(string(shipped), "- id: capacity", "- id: capacty", 1))
	code, _, errOut = runCLI(t, nil, "advice", "check", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{
		filepath.Join(dir, "nl.yaml") + `:13: no advice for factor "capacity"`,
		`factor "capacty" is not a factor of questionnaire uitvoeringskracht version 1`,
		"2 problems in the advice library",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("output lacks %q:\n%s", want, errOut)
		}
	}
	// A syntax error is reported with its line.
	writeAdvice(t, dir, "nl.yaml", "language: nl\nroutes:\n  - id: [\n")
	if code, _, errOut := runCLI(t, nil, "advice", "check", dir); code != 1 || !strings.Contains(errOut, filepath.Join(dir, "nl.yaml")+":4: YAML syntax error") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, "advice", "check"); code != 2 {
		t.Errorf("usage error: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, nil, "advice", "check", filepath.Join(dir, "missing")); code != 1 {
		t.Errorf("missing folder: exit %d, want 1", code)
	}
}
