package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// defaultQuestionnaire is the embedded instrument new diagnostics use.
const defaultQuestionnaire = "questionnaires/uitvoeringskracht-v1.yaml"

// pulseQuestionnaire is the embedded pulse instrument, started from a
// closed full measurement in the workspace.
const pulseQuestionnaire = "questionnaires/uitvoeringskracht-pulse-v1.yaml"

// cmdDiagnostic creates an organisation with an open diagnostic and prints
// its respondent link. It is the way in until consultant accounts exist.
func cmdDiagnostic(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: uitvoeringskracht diagnostic create --org NAME --units \"A,B,C\"", errUsage)
	}
	fs := newFlagSet("diagnostic create", stderr)
	config := configFlags(fs, getenv)
	org := fs.String("org", "", "name of the organisation (required)")
	sector := fs.String("sector", string(survey.SectorOther), "sector: gemeente, provincie, waterschap, ministerie, uitvoeringsorganisatie, zbo or overig")
	name := fs.String("name", "", "name of the diagnostic (default: the organisation's name and the current year)")
	units := fs.String("units", "", "comma-separated list of organisational units (required)")
	minGroup := fs.Int("min-group-size", survey.DefaultMinGroupSize, "smallest group whose results are shown (5 to 10)")
	qfile := fs.String("questionnaire", "", "questionnaire YAML file (default: the embedded "+defaultQuestionnaire+")")
	cfg, err := parseConfig(fs, config, args[1:])
	if err != nil {
		return err
	}
	d, o, err := newDiagnostic(*org, *sector, *name, *units, *minGroup, *qfile)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CreateOrganisation(ctx, o); err != nil {
		return err
	}
	d.OrganisationID = o.ID
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created diagnostic %q for %s (%d units, open).\n", d.Name, o.Name, len(d.Units))
	fmt.Fprintf(stdout, "Respondent link: %s/d/%s\n", strings.TrimRight(cfg.BaseURL, "/"), d.Token)
	return nil
}

// newDiagnostic validates the command's input and builds the records.
func newDiagnostic(org, sector, name, units string, minGroup int, qfile string) (*survey.Diagnostic, *survey.Organisation, error) {
	org = strings.TrimSpace(org)
	if org == "" {
		return nil, nil, fmt.Errorf("--org is required")
	}
	validSector := false
	for _, s := range survey.Sectors() {
		validSector = validSector || string(s) == sector
	}
	if !validSector {
		return nil, nil, fmt.Errorf("--sector %q is not one of the sectors", sector)
	}
	var names []string
	seen := map[string]bool{}
	for _, u := range strings.Split(units, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if seen[strings.ToLower(u)] {
			return nil, nil, fmt.Errorf("--units names %q twice", u)
		}
		seen[strings.ToLower(u)] = true
		names = append(names, u)
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("--units needs at least one unit")
	}
	if minGroup < 5 || minGroup > 10 {
		return nil, nil, fmt.Errorf("--min-group-size must be between 5 and 10")
	}
	q, err := loadQuestionnaire(qfile)
	if err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = org
	}
	o := &survey.Organisation{Name: org, Sector: survey.Sector(sector)}
	d := &survey.Diagnostic{
		Name:          name,
		Questionnaire: *q,
		Units:         survey.NewUnits(names),
		State:         survey.StateOpen,
		MinGroupSize:  minGroup,
	}
	return d, o, nil
}

func loadQuestionnaire(path string) (*survey.Questionnaire, error) {
	if path == "" {
		return questionnaire.Load(uitvoeringskracht.Questionnaires, defaultQuestionnaire)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return questionnaire.Parse(path, data)
}
