package main

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report/simulate"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// defaultAdviceDir is the embedded advice library.
const defaultAdviceDir = "templates/advice"

// demoPeers are the other municipalities whose closed diagnostics make the
// sector benchmark of the demo; scoring.Benchmark needs at least five, of
// at least three firms other than the demo organisation's (demoPeerFirms,
// in turn).
func demoPeers() []string {
	return []string{
		"Gemeente Noorderveld", "Gemeente Oosterbroek", "Gemeente Westmeer",
		"Gemeente Hoogwoude", "Gemeente Lagevaart", "Gemeente Middenrade",
	}
}

// demoPeerFirms are the consultancies of the demo peers.
func demoPeerFirms() []string {
	return []string{"Adviesbureau Noord", "Adviesbureau Oost", "Adviesbureau West"}
}

// demoOptions are the validated flags of the demo command.
type demoOptions struct {
	out         string
	htmlOut     string
	respondents int
	lang        string
	database    string
	adviceDir   string
	seed        uint64
	author      string
	firm        string
}

// cmdDemo builds a realistic demo organisation through the real store
// (a previous wave, this wave and sector peers, all simulated respondents
// submitted one by one), scores it with scoring.Compute, closes the
// diagnostic and writes the advice report as PDF and as its HTML twin.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	out := fs.String("out", "rapport.pdf", "PDF file to write; the HTML twin is written next to it (.html)")
	htmlOut := fs.String("html", "", "HTML file to write (default: --out with .html)")
	respondents := fs.Int("respondents", 400, "number of simulated respondents in this wave (20 to 200000)")
	lang := fs.String("lang", "nl", "report language: "+strings.Join(report.Languages(), " or "))
	database := fs.String("database", "", "database URL (sqlite:PATH or postgres://...); default: a temporary SQLite database that is removed afterwards")
	adviceDir := fs.String("advice-dir", "", "folder with an advice library (*.yaml) to use instead of the built-in one")
	seed := fs.Uint64("seed", 2025, "seed of the simulation; the same seed gives the same answers")
	author := fs.String("author", "Uitvoeringskracht (demo)", "author named in the report")
	firm := fs.String("firm", "", "consultancy firm that gets the demo organisation (created when missing), so that its consultants open it in the workspace and through the API; needs --database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	opts := demoOptions{out: *out, htmlOut: *htmlOut, respondents: *respondents, lang: *lang,
		database: *database, adviceDir: *adviceDir, seed: *seed, author: *author, firm: strings.TrimSpace(*firm)}
	if err := opts.validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	_, err := runDemo(ctx, opts, stdout)
	return err
}

func (o *demoOptions) validate() error {
	var problems []string
	if o.out == "" {
		problems = append(problems, "--out is empty")
	}
	if o.respondents < 20 || o.respondents > 200_000 {
		problems = append(problems, "--respondents must be between 20 and 200000")
	}
	if !slices.Contains(report.Languages(), o.lang) {
		problems = append(problems, fmt.Sprintf("--lang must be %s", strings.Join(report.Languages(), " or ")))
	}
	if o.database != "" && !strings.HasPrefix(o.database, "sqlite:") && !strings.HasPrefix(o.database, "postgres://") && !strings.HasPrefix(o.database, "postgresql://") {
		problems = append(problems, "--database must start with sqlite:, postgres:// or postgresql://")
	}
	if o.firm != "" && o.database == "" {
		// The temporary database is removed afterwards: nobody could sign
		// in to see the firm's organisation.
		problems = append(problems, "--firm needs --database")
	}
	if o.htmlOut == "" {
		o.htmlOut = strings.TrimSuffix(o.out, filepath.Ext(o.out)) + ".html"
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// demoOutcome tells a test where to look.
type demoOutcome struct {
	diagnosticID string
	result       *survey.Result
}

func runDemo(ctx context.Context, o demoOptions, stdout io.Writer) (outcome *demoOutcome, err error) {
	q, err := loadQuestionnaire("")
	if err != nil {
		return nil, err
	}
	lib, err := loadAdvice(o.adviceDir, q)
	if err != nil {
		return nil, err
	}
	dbURL := o.database
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "uitvoeringskracht-demo-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		dbURL = "sqlite:" + filepath.Join(dir, "demo.db")
	}
	st, err := store.Open(ctx, dbURL, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}

	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(o.seed, 1))
	org := simulate.Demo(o.respondents)
	profile := simulate.DemoProfile()
	d := demo{st: st, q: q, today: today, rng: rng}

	orgRec := &survey.Organisation{Name: org.Name, Sector: org.Sector, Headcount: org.Headcount()}
	if o.firm != "" {
		if orgRec.FirmID, err = demoFirm(ctx, st, o.firm); err != nil {
			return nil, err
		}
	}
	if err := st.CreateOrganisation(ctx, orgRec); err != nil {
		return nil, err
	}
	// The previous wave, a year ago: governance was weaker, capacity a
	// little better, and fewer people answered.
	prevProfile := profile.Shifted(0, map[string]float64{"governance": -0.3, "capacity": 0.15})
	prev, err := d.wave(ctx, orgRec.ID, org, "Nulmeting "+strconv.Itoa(today.Year()-1), "", prevProfile, o.respondents*4/5, today.AddDate(-1, 0, -35))
	if err != nil {
		return nil, fmt.Errorf("previous wave: %w", err)
	}
	prevResult, err := d.score(ctx, prev.ID, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("previous wave: %w", err)
	}
	// The plan made after the previous wave, mostly carried out: this
	// wave's report says what was done since.
	prevPlan, err := demoPlan(ctx, st, orgRec.FirmID, prev, prevResult, lib, o.lang, today.AddDate(-1, 0, 0),
		[]survey.ActionStatus{survey.ActionDone, survey.ActionDone, survey.ActionStopped, survey.ActionDoing})
	if err != nil {
		return nil, fmt.Errorf("previous plan: %w", err)
	}
	current, err := d.wave(ctx, orgRec.ID, org, "Meting "+strconv.Itoa(today.Year()), prev.ID, profile, o.respondents, today.AddDate(0, 0, -35))
	if err != nil {
		return nil, err
	}
	// Sector peers for the benchmark: small municipalities with their own
	// climate, scored and summarised the way the service does it.
	var firms []string
	for _, name := range demoPeerFirms() {
		if name == o.firm {
			// The benchmark compares with other firms only.
			continue
		}
		id, err := demoFirm(ctx, st, name)
		if err != nil {
			return nil, err
		}
		firms = append(firms, id)
	}
	for i, name := range demoPeers() {
		peer := simulate.Demo(40)
		peer.Name = name
		rec := &survey.Organisation{FirmID: firms[i%len(firms)], Name: name, Sector: peer.Sector, Headcount: peer.Headcount()}
		if err := st.CreateOrganisation(ctx, rec); err != nil {
			return nil, err
		}
		shift := 0.5 * (rng.Float64() - 0.5)
		pd, err := d.wave(ctx, rec.ID, peer, "Meting "+strconv.Itoa(today.Year()), "", profile.Shifted(shift, nil), 40+5*i, today.AddDate(0, -2, 0))
		if err != nil {
			return nil, fmt.Errorf("peer %s: %w", name, err)
		}
		res, err := d.score(ctx, pd.ID, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("peer %s: %w", name, err)
		}
		if err := st.SaveResultSummary(ctx, pd.ID, res.Index.Mean, res.N); err != nil {
			return nil, err
		}
	}

	var pooled []survey.Response
	if o.respondents < scoring.PoolingThreshold {
		pooled, err = st.PooledResponses(ctx, current.ID, q.ID, q.Version, now, 5000)
		if err != nil {
			return nil, err
		}
	}
	result, err := d.score(ctx, current.ID, prevResult, pooled)
	if err != nil {
		return nil, err
	}
	if err := st.SaveResultSummary(ctx, current.ID, result.Index.Mean, result.N); err != nil {
		return nil, err
	}
	var bench *survey.BenchmarkResult
	if result.Index.Mean != nil {
		peers, err := st.BenchmarkPeers(ctx, orgRec.FirmID, q.ID, q.Version, orgRec.Sector, now)
		if err != nil {
			return nil, err
		}
		b := scoring.Benchmark(*result.Index.Mean, orgRec.FirmID, peers)
		bench = &b
	}
	diag, err := st.Diagnostic(ctx, current.ID)
	if err != nil {
		return nil, err
	}
	in := report.Input{
		Organisation:    diag.Organisation,
		Diagnostic:      *diag,
		Result:          result,
		Benchmark:       bench,
		Lang:            o.lang,
		Advice:          lib,
		GeneratedOn:     now.Truncate(time.Second),
		Author:          o.author,
		PreviousActions: prevPlan,
	}
	pdf, err := report.PDF(in)
	if err != nil {
		return nil, err
	}
	page, err := report.HTML(in)
	if err != nil {
		return nil, err
	}
	if err := writeReportFile(o.out, pdf); err != nil {
		return nil, err
	}
	if err := writeReportFile(o.htmlOut, page); err != nil {
		return nil, err
	}
	// This wave's plan, begun three weeks ago, printed as the weekly
	// meeting's one-page overview.
	plan, err := demoPlan(ctx, st, orgRec.FirmID, diag, result, lib, o.lang, today.AddDate(0, 0, -21),
		[]survey.ActionStatus{survey.ActionDoing, survey.ActionDoing})
	if err != nil {
		return nil, fmt.Errorf("action plan: %w", err)
	}
	planPDF, err := report.ActionPlanPDF(report.ActionPlan{
		Organisation: diag.Organisation.Name, Diagnostic: diag.Name, Questionnaire: &diag.Questionnaire,
		Actions: plan, Lang: o.lang, Today: today,
	})
	if err != nil {
		return nil, err
	}
	if err := writeReportFile(planFile(o.out), planPDF); err != nil {
		return nil, err
	}
	summaryOut, summaryPDF, err := d.employeeSummary(ctx, diag, o, now)
	if err != nil {
		return nil, err
	}
	index := "hidden"
	if result.Index.Mean != nil {
		index = fmt.Sprintf("%.1f (%s)", *result.Index.Mean, result.Index.Band)
	}
	fmt.Fprintf(stdout, "Demo: %s, %d respondents, %d complete enough to score (previous wave %d), index %s.\n", org.Name, result.Responses, result.N, prevResult.N, index)
	fmt.Fprintf(stdout, "Wrote %s (%d KB) and %s (%d KB).\n", o.out, (len(pdf)+1023)/1024, o.htmlOut, (len(page)+1023)/1024)
	fmt.Fprintf(stdout, "Wrote the action plan, %d actions, to %s (%d KB).\n", len(plan), planFile(o.out), (len(planPDF)+1023)/1024)
	fmt.Fprintf(stdout, "Wrote the employee summary %s (%d KB).\n", summaryOut, (len(summaryPDF)+1023)/1024)
	if o.firm != "" {
		fmt.Fprintf(stdout, "The organisation belongs to %s; diagnostic %s.\n", o.firm, current.ID)
	}
	return &demoOutcome{diagnosticID: current.ID, result: result}, nil
}

// summaryPath is where the demo writes the employee summary: next to the
// report, as rapport-medewerkers.pdf for rapport.pdf.
func summaryPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + "-medewerkers.pdf"
}

// employeeSummary publishes the demo's employee summary as the workspace
// would (a summary release after the final one, and the switch with a
// message from the directors) and writes its one-page PDF.
func (d *demo) employeeSummary(ctx context.Context, diag *survey.Diagnostic, o demoOptions, now time.Time) (string, []byte, error) {
	rels, err := d.st.Releases(ctx, diag.ID)
	if err != nil {
		return "", nil, err
	}
	if len(rels) == 0 || rels[len(rels)-1].Kind != survey.ReleaseFinal {
		return "", nil, fmt.Errorf("the demo has no final release to summarise")
	}
	final := rels[len(rels)-1]
	rel, err := d.st.RecordRelease(ctx, diag.ID, final.Seq, scoring.SummaryReleaseOf(final))
	if err != nil {
		return "", nil, err
	}
	message := "Dank u wel voor uw openheid. Wij beginnen direct na de zomer met de drie prioriteiten en laten u elk kwartaal weten hoe het gaat."
	if o.lang == "en" {
		message = "Thank you for your candour. We start on the three priorities straight after the summer and will tell you every quarter how it is going."
	}
	if _, err := d.st.SetEmployeeSummary(ctx, diag.ID, true, message); err != nil {
		return "", nil, err
	}
	actions, err := d.st.ActionsForDiagnostic(ctx, diag.Organisation.FirmID, diag.ID)
	if err != nil {
		return "", nil, err
	}
	headcount := survey.InvitedHeadcount(diag.Units, diag.Organisation.Headcount)
	in := report.EmployeeSummary{
		Organisation: diag.Organisation.Name, Diagnostic: diag.Name, Questionnaire: &diag.Questionnaire,
		Result: rel.Result, Headcount: headcount, Message: message, Lang: o.lang, GeneratedOn: now.Truncate(time.Second),
	}
	for _, a := range actions {
		in.Actions = append(in.Actions, report.SummaryActionOf(a, &diag.Questionnaire, o.lang))
	}
	pdf, err := report.EmployeeSummaryPDF(in)
	if err != nil {
		return "", nil, err
	}
	out := summaryPath(o.out)
	if err := writeReportFile(out, pdf); err != nil {
		return "", nil, err
	}
	return out, pdf, nil
}

// demoFirm returns the id of the firm called name, creating it when missing:
// a demo database given with --database may hold it already.
func demoFirm(ctx context.Context, st *store.Store, name string) (string, error) {
	f, err := st.FirmByName(ctx, name)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		f = &survey.Firm{Name: name}
		err = st.CreateFirm(ctx, f)
	}
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

// writeReportFile writes data through a temporary file in the same folder, so
// that a reader never sees half a report.
func writeReportFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadAdvice loads the advice library (the embedded one, or dir) and
// checks it against the questionnaire.
func loadAdvice(dir string, q *survey.Questionnaire) (*report.Library, error) {
	var lib *report.Library
	var err error
	if dir == "" {
		lib, err = report.LoadAdvice(uitvoeringskracht.Templates, defaultAdviceDir)
	} else {
		lib, err = report.LoadAdvice(os.DirFS(dir), ".")
	}
	if err == nil {
		err = lib.Check(q)
	}
	if err != nil {
		return nil, fmt.Errorf("advice library %s:\n%w", adviceName(dir), err)
	}
	return lib, nil
}

func adviceName(dir string) string {
	if dir == "" {
		return "(built in)"
	}
	return dir
}

// demo creates diagnostics and their respondents through the store.
type demo struct {
	st    *store.Store
	q     *survey.Questionnaire
	today time.Time
	rng   *rand.Rand
}

// wave creates an open diagnostic of org, lets n simulated respondents
// submit it over four weeks from opens, and closes it.
func (d *demo) wave(ctx context.Context, orgID string, org simulate.Organisation, name, previousID string, p simulate.Profile, n int, opens time.Time) (*survey.Diagnostic, error) {
	closes := opens.AddDate(0, 0, 28)
	diag := &survey.Diagnostic{
		OrganisationID: orgID,
		Name:           name,
		Questionnaire:  *d.q,
		Units:          org.SurveyUnits(),
		State:          survey.StateOpen,
		MinGroupSize:   survey.DefaultMinGroupSize,
		OpensAt:        &opens,
		ClosesAt:       &closes,
		PreviousID:     previousID,
	}
	if err := d.st.CreateDiagnostic(ctx, diag); err != nil {
		return nil, err
	}
	responses := simulate.Responses(d.q, org, diag.Units, p, n, d.rng)
	for i := range responses {
		responses[i].DiagnosticID = diag.ID
		// Most people answer in the first days after the invitation and
		// the reminder.
		day := int(28 * d.rng.Float64() * d.rng.Float64())
		responses[i].SubmittedOn = opens.AddDate(0, 0, day).Format(time.DateOnly)
	}
	if err := d.submit(ctx, responses); err != nil {
		return nil, err
	}
	if err := d.st.SetDiagnosticState(ctx, diag.ID, survey.StateClosed); err != nil {
		return nil, err
	}
	return diag, nil
}

// submit stores the responses the way the respondent flow does: a
// submission with a fresh nonce (a respondent's sealed state carries one).
// A few workers at a time let the SQLite store group their commits.
func (d *demo) submit(ctx context.Context, responses []survey.Response) error {
	const workers = 8
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &responses[i]
				if err := d.st.Submit(ctx, cryptorand.Text(), r); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for i := range responses {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// score loads a closed diagnostic and its responses back from the store,
// scores them and records the result as the diagnostic's final release.
func (d *demo) score(ctx context.Context, id string, previous *survey.Result, pooled []survey.Response) (*survey.Result, error) {
	diag, err := d.st.Diagnostic(ctx, id)
	if err != nil {
		return nil, err
	}
	responses, err := d.st.Responses(ctx, id)
	if err != nil {
		return nil, err
	}
	res, err := scoring.Compute(scoring.Input{
		Questionnaire: &diag.Questionnaire,
		Responses:     responses,
		MinGroupSize:  diag.MinGroupSize,
		Units:         diag.Units,
		Pooled:        pooled,
		Previous:      previous,
	})
	if err != nil {
		return nil, err
	}
	// The report releases these figures, as the results page would: record
	// the release, so that the workspace serves the same figures and
	// privacy-audit checks what the report shows.
	if _, err := d.st.RecordRelease(ctx, id, 0, scoring.ReleaseOf(survey.ReleaseFinal, res)); err != nil {
		return nil, err
	}
	return res, nil
}
