package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The results mode of the load command asks a running server for the
// results of one diagnostic the way consultants do: a burst of concurrent
// first requests, then single requests for the results and the report.
// With the metrics token it samples the server's resident memory meanwhile.

// resultsLoad is what the results mode needs.
type resultsLoad struct {
	results      *url.URL // .../api/v1/diagnostics/ID/results
	apiToken     string
	metricsToken string
	concurrency  int
	client       *http.Client
}

func parseResultsURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || !strings.HasPrefix(u.Path, "/api/v1/diagnostics/") || !strings.HasSuffix(u.Path, "/results") {
		return nil, errors.New("--results must be the API results address of a diagnostic, such as http://127.0.0.1:8080/api/v1/diagnostics/ID/results")
	}
	return u, nil
}

// get times one request and checks its status.
func (l *resultsLoad) get(ctx context.Context, u string) (time.Duration, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.apiToken)
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode, err
}

func (l *resultsLoad) run(ctx context.Context, out io.Writer) error {
	var peak float64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	if l.metricsToken != "" {
		// The server's own figure: resident memory from /metrics, sampled
		// often enough to see a computation's peak.
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			for {
				if v, err := serverMetric(ctx, l.results, l.metricsToken, "process_resident_memory_bytes"); err == nil && v > peak {
					peak = v
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
	}
	var wg sync.WaitGroup
	times := make([]time.Duration, l.concurrency)
	codes := make([]int, l.concurrency)
	errs := make([]error, l.concurrency)
	for i := range l.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			times[i], codes[i], errs[i] = l.get(ctx, l.results.String())
		}()
	}
	wg.Wait()
	fmt.Fprintf(out, "%d concurrent requests: slowest %s, statuses %v\n", l.concurrency, percentile(times, 100).Round(time.Millisecond), codes)
	var failed error
	for i := range errs {
		if errs[i] == nil && codes[i] != http.StatusOK && codes[i] != http.StatusServiceUnavailable {
			errs[i] = fmt.Errorf("status %d", codes[i])
		}
		failed = errors.Join(failed, errs[i])
	}
	report := strings.TrimSuffix(l.results.String(), "/results") + "/report.pdf"
	for _, p := range []struct{ name, url string }{{"results", l.results.String()}, {"report.pdf", report}} {
		var ds []string
		for range 3 {
			d, code, err := l.get(ctx, p.url)
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("%s: status %d", p.name, code)
			}
			failed = errors.Join(failed, err)
			ds = append(ds, d.Round(100*time.Microsecond).String())
		}
		fmt.Fprintf(out, "%s, one at a time: %s\n", p.name, strings.Join(ds, ", "))
	}
	close(stop)
	sampler.Wait()
	if l.metricsToken != "" {
		fmt.Fprintf(out, "server resident memory: highest sample %.0f MB\n", peak/(1<<20))
	}
	return failed
}

// serverMetric reads one unlabelled sample from the /metrics of the server
// behind u.
func serverMetric(ctx context.Context, u *url.URL, token, name string) (float64, error) {
	m := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/metrics"}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.String(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("server metrics: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("server metrics: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("server metrics of %s: %s (is --metrics-token the server's token?)", u.Host, resp.Status)
	}
	v, ok := metricValue(string(body), name)
	if !ok {
		return 0, fmt.Errorf("server metrics of %s: no %s", u.Host, name)
	}
	return v, nil
}
