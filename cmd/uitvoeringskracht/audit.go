package main

import (
	"context"
	"fmt"
	"io"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
)

// cmdPrivacyAudit re-checks everything a diagnostic released so far with
// the cell-level attacker of scoring.AuditReleases and prints what it
// checked and what, if anything, could be derived: output a consultant can
// hand to the works council. It exits 1 when something could be derived or
// the search could not finish.
func cmdPrivacyAudit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("privacy-audit", stderr)
	config := configFlags(fs, getenv)
	id := fs.String("diagnostic", "", "the id of the diagnostic to audit")
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	if *id == "" {
		return fmt.Errorf("%w: --diagnostic is required", errUsage)
	}
	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.Diagnostic(ctx, *id)
	if err != nil {
		return err
	}
	rels, err := st.AllReleases(ctx, d.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Privacy audit of %q (%s), %s\n", d.Name, d.ID, d.Organisation.Name)
	if len(rels) == 0 {
		fmt.Fprintln(stdout, "No results of this diagnostic have been released: nothing can be derived.")
		return nil
	}
	a := scoring.AuditReleases(rels, d.MinGroupSize)
	fmt.Fprintln(stdout, "Checked:")
	for _, c := range a.Checked {
		fmt.Fprintln(stdout, "  -", c)
	}
	if len(a.Findings) == 0 && a.Complete {
		fmt.Fprintf(stdout, "Result: nothing can be derived about any set of 1 to %d respondents from everything released so far.\n", d.MinGroupSize-1)
		return nil
	}
	fmt.Fprintln(stdout, "Found:")
	for _, f := range a.Findings {
		fmt.Fprintln(stdout, "  -", f)
	}
	return fmt.Errorf("the audit found %d problem(s)", len(a.Findings))
}
