package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
)

// The load command plays whole respondents, exactly as a browser without
// JavaScript would: landing page, start, every step (reading the form's
// fields from the HTML), review, submit, thank-you page.

// formReader finds a page's form, its inputs and their attributes. The
// service's own templates are regular enough for regular expressions.
type formReader struct {
	input, textarea, attr, action *regexp.Regexp
}

func newFormReader() *formReader {
	return &formReader{
		input:    regexp.MustCompile(`<input[^>]*>`),
		textarea: regexp.MustCompile(`<textarea[^>]*name="([^"]+)"`),
		attr:     regexp.MustCompile(`([a-z-]+)="([^"]*)"`),
		action:   regexp.MustCompile(`<form method="post" action="([^"]+)"`),
	}
}

type loadResult struct {
	completed  int
	errors     int
	firstError string
	latencies  []time.Duration // every request
	submits    []time.Duration // the final submit only
}

// add counts o's respondents and requests in r.
func (r *loadResult) add(o loadResult) {
	r.completed += o.completed
	r.errors += o.errors
	if r.firstError == "" {
		r.firstError = o.firstError
	}
	r.latencies = append(r.latencies, o.latencies...)
	r.submits = append(r.submits, o.submits...)
}

func cmdLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var targets []*url.URL
	fs.Func("url", "respondent link of an open diagnostic, e.g. http://127.0.0.1:8080/d/TOKEN (required); repeat it with the same link on other instances of the service to spread the respondents over them", func(v string) error {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || !strings.HasPrefix(u.Path, "/d/") {
			return errors.New("must be a respondent link such as http://127.0.0.1:8080/d/TOKEN")
		}
		if len(targets) > 0 && u.Path != targets[0].Path {
			return errors.New("every --url must be the same respondent link, on another instance")
		}
		targets = append(targets, u)
		return nil
	})
	concurrency := fs.Int("concurrency", 64, "number of respondents playing at the same time")
	duration := fs.Duration("duration", 30*time.Second, "how long to keep starting respondents")
	database := fs.String("database", "", "database URL of the server; when given, the stored count is checked against the acknowledged count")
	mode := fs.String("mode", "journey", "journey: whole respondents for --duration; submit: first bring --respondents to the review page (not timed), then time their submits; results: --concurrency first requests for the results at --results, then the results and the report one at a time")
	var resultsURL *url.URL
	fs.Func("results", "with --mode results: the API results address of a diagnostic, e.g. http://127.0.0.1:8080/api/v1/diagnostics/ID/results; the API token is read from UK_API_TOKEN", func(v string) (err error) {
		resultsURL, err = parseResultsURL(v)
		return err
	})
	metricsToken := fs.String("metrics-token", "", "the server's metrics token (UK_METRICS_TOKEN of the server; default: UK_METRICS_TOKEN here): when given, the server's own CPU time per completed respondent is read from /metrics of every --url, independent of this client's share of the cores")
	prepared := fs.Int("respondents", 5000, "with --mode submit: how many respondents to prepare and submit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		// The flag package has printed the problem and the flags.
		return fmt.Errorf("%w: loadtest: %v", errUsage, err)
	}
	if *metricsToken == "" {
		*metricsToken = getenv("UK_METRICS_TOKEN")
	}
	if *mode == "results" {
		if resultsURL == nil || *concurrency < 1 || getenv("UK_API_TOKEN") == "" {
			return fmt.Errorf("%w: --mode results needs --results, a positive --concurrency and the API token in UK_API_TOKEN", errUsage)
		}
		l := &resultsLoad{results: resultsURL, apiToken: getenv("UK_API_TOKEN"), metricsToken: *metricsToken, concurrency: *concurrency,
			client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency}, Timeout: 10 * time.Minute}}
		return l.run(ctx, stdout)
	}
	if len(targets) == 0 {
		return fmt.Errorf("%w: --url must be a respondent link such as http://127.0.0.1:8080/d/TOKEN", errUsage)
	}
	if *concurrency < len(targets) || *duration <= 0 {
		return fmt.Errorf("%w: --concurrency (at least one per --url) and --duration must be positive", errUsage)
	}
	u := targets[0]
	token := strings.TrimPrefix(u.Path, "/d/")

	var st *store.Store
	var err error
	before := 0
	if *database != "" {
		st, err = store.Open(ctx, *database, store.Options{Migrations: uitvoeringskracht.Migrations})
		if err != nil {
			return err
		}
		defer st.Close()
		if before, err = countFor(ctx, st, token); err != nil {
			return err
		}
	}

	var cpuBefore float64
	if *metricsToken != "" {
		if cpuBefore, err = serverCPU(ctx, targets, *metricsToken); err != nil {
			return err
		}
	}

	var res loadResult
	var elapsed time.Duration
	switch *mode {
	case "journey":
		res = runLoadOn(ctx, targets, *concurrency, *duration, stdout)
		elapsed = *duration
		fmt.Fprintf(stdout, "respondents completed: %d in %s (%.1f respondents/s)\n", res.completed, elapsed, float64(res.completed)/elapsed.Seconds())
	case "submit":
		if len(targets) > 1 {
			return fmt.Errorf("%w: --mode submit takes one --url", errUsage)
		}
		if *prepared < 1 {
			return fmt.Errorf("%w: --respondents must be positive", errUsage)
		}
		res, elapsed = runSubmits(ctx, u, *concurrency, *prepared, stdout)
		fmt.Fprintf(stdout, "submissions completed: %d in %s (%.1f submissions/s)\n", res.completed, elapsed.Round(time.Millisecond), float64(res.completed)/elapsed.Seconds())
	default:
		return fmt.Errorf("%w: --mode must be journey or submit", errUsage)
	}
	fmt.Fprintf(stdout, "requests: %d, errors: %d\n", len(res.latencies), res.errors)
	fmt.Fprintf(stdout, "request latency: p50 %s, p99 %s, max %s\n", percentile(res.latencies, 50), percentile(res.latencies, 99), percentile(res.latencies, 100))
	fmt.Fprintf(stdout, "submit latency: p50 %s, p99 %s, max %s\n", percentile(res.submits, 50), percentile(res.submits, 99), percentile(res.submits, 100))
	if res.firstError != "" {
		fmt.Fprintf(stdout, "first error: %s\n", res.firstError)
	}
	if *metricsToken != "" {
		cpuAfter, err := serverCPU(ctx, targets, *metricsToken)
		if err != nil {
			return err
		}
		used := cpuAfter - cpuBefore
		fmt.Fprintf(stdout, "server CPU: %.2f s", used)
		if res.completed > 0 {
			fmt.Fprintf(stdout, ", %.2f ms per completed respondent", 1000*used/float64(res.completed))
		}
		fmt.Fprintln(stdout)
	}
	if st != nil {
		after, err := countFor(ctx, st, token)
		if err != nil {
			return err
		}
		stored := after - before
		fmt.Fprintf(stdout, "stored: %d, acknowledged: %d\n", stored, res.completed)
		if stored != res.completed {
			return fmt.Errorf("stored count %d differs from acknowledged count %d", stored, res.completed)
		}
	}
	if res.errors > 0 {
		return fmt.Errorf("%d errors", res.errors)
	}
	return nil
}

// serverCPU adds up process_cpu_seconds_total of the instances behind
// targets, read from their /metrics with the metrics token.
func serverCPU(ctx context.Context, targets []*url.URL, token string) (float64, error) {
	total := 0.0
	for _, t := range targets {
		v, err := serverMetric(ctx, t, token, "process_cpu_seconds_total")
		if err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// metricValue finds an unlabelled sample in the Prometheus text format.
func metricValue(text, name string) (float64, bool) {
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(line, name+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		return v, err == nil
	}
	return 0, false
}

func countFor(ctx context.Context, st *store.Store, token string) (int, error) {
	d, err := st.DiagnosticByToken(ctx, token)
	if err != nil {
		return 0, err
	}
	return st.CountResponses(ctx, d.ID)
}

// runLoadOn spreads the concurrent respondents evenly over the targets
// (instances of one service) and adds up what they did; with more than one
// target it prints each instance's share.
func runLoadOn(ctx context.Context, targets []*url.URL, concurrency int, duration time.Duration, out io.Writer) loadResult {
	results := make([]loadResult, len(targets))
	var wg sync.WaitGroup
	for i, target := range targets {
		share := concurrency / len(targets)
		if i < concurrency%len(targets) {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runLoad(ctx, target, share, duration)
		}()
	}
	wg.Wait()
	var total loadResult
	for i, r := range results {
		if len(targets) > 1 {
			fmt.Fprintf(out, "instance %s: %d respondents completed, %d errors\n", targets[i].Host, r.completed, r.errors)
		}
		total.add(r)
	}
	return total
}

func runLoad(ctx context.Context, target *url.URL, concurrency int, duration time.Duration) loadResult {
	transport := &http.Transport{MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, IdleConnTimeout: 30 * time.Second}
	defer transport.CloseIdleConnections()
	forms := newFormReader()
	deadline := time.Now().Add(duration)
	var mu sync.Mutex
	var total loadResult
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			var local loadResult
			for time.Now().Before(deadline) && ctx.Err() == nil {
				r := &respondent{target: target, rng: rng, transport: transport, forms: forms}
				err := r.play(ctx)
				local.latencies = append(local.latencies, r.latencies...)
				if err != nil {
					local.errors++
					if local.firstError == "" {
						local.firstError = err.Error()
					}
					continue
				}
				local.completed++
				local.submits = append(local.submits, r.submitLatency)
			}
			mu.Lock()
			total.add(local)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// runSubmits prepares n respondents up to their review page, then submits
// them all with the given concurrency and times only the submits: the
// figure for the write path, apart from the pages before it.
func runSubmits(ctx context.Context, target *url.URL, concurrency, n int, progress io.Writer) (loadResult, time.Duration) {
	transport := &http.Transport{MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, IdleConnTimeout: 30 * time.Second}
	defer transport.CloseIdleConnections()
	forms := newFormReader()
	type ready struct {
		r      *respondent
		action string
		form   url.Values
	}
	var res loadResult
	var mu sync.Mutex
	readyCh := make(chan ready, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for range jobs {
				r := &respondent{target: target, rng: rng, transport: transport, forms: forms}
				action, form, err := r.prepare(ctx)
				if err != nil {
					mu.Lock()
					res.errors++
					if res.firstError == "" {
						res.firstError = "prepare: " + err.Error()
					}
					mu.Unlock()
					continue
				}
				readyCh <- ready{r, action, form}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(readyCh)
	fmt.Fprintf(progress, "prepared %d respondents on their review page\n", len(readyCh))

	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range readyCh {
				p.r.latencies = nil
				err := p.r.submit(ctx, p.action, p.form)
				mu.Lock()
				res.latencies = append(res.latencies, p.r.latencies...)
				if err != nil {
					res.errors++
					if res.firstError == "" {
						res.firstError = err.Error()
					}
				} else {
					res.completed++
					res.submits = append(res.submits, p.r.submitLatency)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res, time.Since(start)
}

// respondent is one simulated person with their own cookies.
type respondent struct {
	target        *url.URL
	rng           *rand.Rand
	transport     http.RoundTripper
	forms         *formReader
	client        *http.Client
	latencies     []time.Duration
	submitLatency time.Duration
}

func (r *respondent) play(ctx context.Context) error {
	action, form, err := r.prepare(ctx)
	if err != nil {
		return err
	}
	return r.submit(ctx, action, form)
}

// prepare plays the respondent from the landing page up to the review page
// and returns the review page's submit form.
func (r *respondent) prepare(ctx context.Context) (string, url.Values, error) {
	jar, _ := cookiejar.New(nil)
	r.client = &http.Client{Transport: r.transport, Jar: jar, Timeout: 30 * time.Second}
	page, err := r.do(ctx, http.MethodGet, r.target.String(), nil)
	if err != nil {
		return "", nil, err
	}
	for range 20 {
		action, form, err := r.fillForm(page)
		if err != nil {
			return "", nil, err
		}
		if strings.HasSuffix(action, "/verzenden") {
			return action, form, nil
		}
		page, err = r.do(ctx, http.MethodPost, r.target.ResolveReference(&url.URL{Path: action}).String(), form)
		if err != nil {
			return "", nil, err
		}
	}
	return "", nil, errors.New("no submit form reached after 20 pages")
}

// submit sends the review page's form and checks the thank-you page.
func (r *respondent) submit(ctx context.Context, action string, form url.Values) error {
	start := time.Now()
	page, err := r.do(ctx, http.MethodPost, r.target.ResolveReference(&url.URL{Path: action}).String(), form)
	if err != nil {
		return err
	}
	r.submitLatency = time.Since(start)
	if !strings.Contains(page, `class="panel"`) {
		return errors.New("submit did not end on the thank-you page")
	}
	return nil
}

// fillForm answers every question of the page's form at random (with some
// "don't know" answers) and returns its action and values.
func (r *respondent) fillForm(page string) (string, url.Values, error) {
	m := r.forms.action.FindStringSubmatch(page)
	if m == nil {
		return "", nil, errors.New("page has no form")
	}
	action := html.UnescapeString(m[1])
	form := url.Values{}
	radios := map[string][]string{}
	var order []string
	for _, tag := range r.forms.input.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, a := range r.forms.attr.FindAllStringSubmatch(tag, -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		switch attrs["type"] {
		case "hidden":
			form.Set(attrs["name"], attrs["value"])
		case "radio":
			if _, ok := radios[attrs["name"]]; !ok {
				order = append(order, attrs["name"])
			}
			radios[attrs["name"]] = append(radios[attrs["name"]], attrs["value"])
		}
	}
	for _, name := range order {
		values := radios[name]
		if strings.HasPrefix(name, "item-") && len(values) > 1 && r.rng.IntN(20) > 0 {
			values = values[:len(values)-1] // "don't know" one time in twenty
		}
		form.Set(name, values[r.rng.IntN(len(values))])
	}
	for _, m := range r.forms.textarea.FindAllStringSubmatch(page, -1) {
		if r.rng.IntN(3) == 0 {
			form.Set(m[1], "Meer tijd en een duidelijke opdrachtgever.")
		}
	}
	return action, form, nil
}

func (r *respondent) do(ctx context.Context, method, target string, form url.Values) (string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	r.latencies = append(r.latencies, time.Since(start))
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return "", fmt.Errorf("%s %s: status 429: the server's per-address limit refuses this load; start the server with --respondent-rate-limit 0 for a load test", method, resp.Request.URL.Path)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s %s: status %d", method, resp.Request.URL.Path, resp.StatusCode)
	}
	return string(data), nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[min(i, len(sorted)-1)]
}
