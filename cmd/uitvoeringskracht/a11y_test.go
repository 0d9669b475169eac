package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Accessibility checks for the browser tests: axe-core (WCAG 2.0 and 2.1,
// levels A and AA) and reflow at a phone's width and at 200 % zoom, run on
// every page a journey reaches. docs/accessibility.md explains how to run
// them and what they do not cover.

// axeTags are the axe-core rule tags the service must pass. Rules are never
// disabled here; an exception would be named, with its reason, in
// docs/accessibility.md.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeScriptPath finds axe.min.js: UK_AXE_JS (set by .ci/run from
// .ci/axe.sh), else the copy .ci/axe.sh installs in .ci/node_modules.
func axeScriptPath() string {
	if p := os.Getenv("UK_AXE_JS"); p != "" {
		return p
	}
	return filepath.Join("..", "..", ".ci", "node_modules", "axe-core", "axe.min.js")
}

// axeRule is one rule of an axe-core result, as much of it as the summary
// and the error messages need; the artefact keeps axe's whole JSON.
type axeRule struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResult is what the page script returns.
type axeResult struct {
	URL        string    `json:"url"`
	Violations []axeRule `json:"violations"`
	Incomplete []axeRule `json:"incomplete"`
	Passes     int       `json:"passes"`
	Version    string    `json:"version"`
}

// pageReport is one checked page in the artefact.
type pageReport struct {
	Page       string   `json:"page"`
	URL        string   `json:"url"`
	Violations int      `json:"violations"`
	Incomplete int      `json:"needs_review"`
	Reflow     []string `json:"reflow_problems,omitempty"`
	// Axe is axe-core's answer at each viewport.
	Axe map[string]json.RawMessage `json:"axe,omitempty"`
}

// a11y checks pages and collects their reports for the artefact. One a11y
// serves one top-level test and its subtests.
type a11y struct {
	script string // axe.min.js; empty when axe-core is not installed locally
	dir    string // where the JSON goes
	name   string

	mu      sync.Mutex
	reports []pageReport
	version string // of axe-core, as it reports itself
}

// newA11y loads axe-core. Without it the tests fail when CI is set, and
// otherwise run their journeys and reflow checks without axe.
func newA11y(t *testing.T) *a11y {
	t.Helper()
	a := &a11y{name: regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")}
	data, err := os.ReadFile(axeScriptPath())
	switch {
	case err == nil:
		a.script = string(data)
	case os.Getenv("CI") != "":
		t.Fatalf("axe-core is required in CI (CI is set) but %s cannot be read: %v; .ci/run installs it with .ci/axe.sh and sets UK_AXE_JS", axeScriptPath(), err)
	default:
		t.Logf("axe-core not found (%v): the axe checks are skipped; run bash .ci/axe.sh to install it", err)
	}
	a.dir = os.Getenv("UK_ARTEFACTS")
	if a.dir == "" {
		a.dir = filepath.Join(os.TempDir(), "uk-axe")
	}
	t.Cleanup(func() { a.write(t) })
	return a
}

// check runs axe-core on the page that ctx shows now, at the desktop size
// and at each reflow size (layout decides some rules, such as whether a
// table scrolls and must then be reachable by keyboard), runs the reflow
// checks at the reflow sizes, and reports every problem as a test error.
func (a *a11y) check(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	// Stylesheets and images matter to contrast and layout.
	if err := waitFor(ctx, `document.readyState === 'complete'`); err != nil {
		t.Fatalf("%s did not finish loading: %v", page, err)
	}
	rep := pageReport{Page: page, Axe: map[string]json.RawMessage{}}
	rep.URL, _ = chromedp.Run(ctx, chromedp.Location())
	for _, vp := range checkViewports {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateScale(vp.scale))); err != nil {
			t.Fatalf("viewport %s on %s: %v", vp.name, page, err)
		}
		if a.script != "" {
			raw, res, err := a.runAxe(ctx)
			if err != nil {
				t.Fatalf("axe on %s at %s: %v", page, vp.name, err)
			}
			rep.Axe[vp.name] = raw
			rep.Violations += len(res.Violations)
			if vp.name == checkViewports[0].name {
				rep.Incomplete = len(res.Incomplete)
			}
			a.mu.Lock()
			a.version = res.Version
			a.mu.Unlock()
			for _, v := range res.Violations {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, fmt.Sprintf("%v %s", n.Target, n.HTML))
				}
				t.Errorf("axe on %s at %s: %s (%s): %s\n\t%s", page, vp.name, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
			}
		}
		if !vp.reflow {
			continue
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](reflowScript))
		if err != nil {
			t.Fatalf("reflow check at %s on %s: %v", vp.name, page, err)
		}
		for _, p := range problems {
			rep.Reflow = append(rep.Reflow, vp.name+": "+p)
			t.Errorf("reflow on %s at %s: %s", page, vp.name, p)
		}
	}
	if err := chromedp.Do(ctx, desktopViewport); err != nil {
		t.Fatalf("restore viewport: %v", err)
	}
	t.Logf("a11y: %-34s %d axe violations (%d rules to review), %d reflow problems", page, rep.Violations, rep.Incomplete, len(rep.Reflow))
	a.mu.Lock()
	a.reports = append(a.reports, rep)
	a.mu.Unlock()
}

// runAxe injects axe-core and runs the WCAG rules on the whole document.
// DevTools' Runtime.evaluate is not subject to the page's Content Security
// Policy, which allows no scripts at all.
func (a *a11y) runAxe(ctx context.Context) (json.RawMessage, axeResult, error) {
	var res axeResult
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		return nil, res, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](a.script)); err != nil {
			return nil, res, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(axeTags)
	js := `axe.run(document, {runOnly: {type: 'tag', values: ` + string(tags) + `}, resultTypes: ['violations']})
		.then(r => ({url: r.url, version: r.testEngine.version, passes: r.passes.length,
			violations: r.violations, incomplete: r.incomplete}))`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, res, err
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, res, err
	}
	return raw, res, nil
}

// checkViewports are the layouts every checked page is checked at: the
// desktop size the tests otherwise run at, then the reflow sizes, which
// must fit without horizontal scrolling: a small phone, and a 1280 px
// wide screen at 200 % zoom (640 CSS pixels wide, drawn at two device
// pixels per CSS pixel).
var checkViewports = []struct {
	name          string
	width, height int64
	scale         float64
	reflow        bool
}{
	{"1280x1000", 1280, 1000, 1, false},
	{"360x640", 360, 640, 1, true},
	{"200% zoom", 640, 400, 2, true},
}

// desktopViewport is the size the browser tests otherwise run at.
var desktopViewport = chromedp.EmulateViewport(1280, 1000)

// reflowScript returns the problems of the page's layout at the current
// viewport: a document wider than the viewport, elements that stick out of
// it (outside a scrolling container such as a data table), and controls,
// labels and headings that overlap each other.
const reflowScript = `(() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const sw = document.documentElement.scrollWidth;
  if (sw > vw || sw > window.innerWidth) problems.push('the page scrolls horizontally: scrollWidth ' + sw + ' > viewport ' + Math.min(vw, window.innerWidth));
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  // clipped: a scrolling or clipping ancestor holds el. An absolutely
  // positioned element escapes every such ancestor below its containing
  // block (its nearest positioned ancestor).
  const clipped = el => {
    let pos = getComputedStyle(el).position;
    if (pos === 'fixed') return false;
    let abs = pos === 'absolute';
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      const containing = s.position !== 'static';
      if ((!abs || containing) && s.overflowX !== 'visible') return true;
      if (s.position === 'fixed') return false;
      if (abs && containing) abs = s.position === 'absolute';
    }
    return false;
  };
  const visible = el => {
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0 && !el.closest('.visually-hidden');
  };
  // Elements that stick out of the viewport, outermost only.
  const out = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right <= 0) continue; // r.right <= 0: parked off-screen (skip link)
    if (r.right > vw + 1 && !clipped(el)) {
      out.add(el);
      if (!out.has(el.parentElement)) problems.push(name(el) + ' sticks out of the viewport: right edge ' + Math.round(r.right) + ' > ' + vw);
    }
  }
  const boxes = [];
  for (const el of document.body.querySelectorAll('a, button, input:not([type=hidden]):not(.radio-input), select, textarea, label, legend, h1, h2, h3, summary, .error-message, .hint')) {
    if (!visible(el)) continue;
    for (const r of el.getClientRects()) if (r.width >= 2 && r.height >= 2 && r.right > 0) boxes.push({el, r});
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (w > 2 && h > 2) problems.push(name(a.el) + ' overlaps ' + name(b.el));
  }
  return [...new Set(problems)].slice(0, 20);
})()`

// write saves every page's report as JSON in the artefact directory and
// logs a summary line per page and where the file is.
func (a *a11y) write(t *testing.T) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.reports) == 0 {
		return
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		t.Errorf("artefact dir: %v", err)
		return
	}
	out := struct {
		Test  string       `json:"test"`
		Tags  []string     `json:"axe_tags"`
		Pages []pageReport `json:"pages"`
	}{t.Name(), axeTags, a.reports}
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Errorf("axe JSON: %v", err)
		return
	}
	path := filepath.Join(a.dir, "axe-"+a.name+".json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Errorf("axe JSON: %v", err)
		return
	}
	var summary strings.Builder
	violations := 0
	for _, r := range a.reports {
		violations += r.Violations
		fmt.Fprintf(&summary, "%-36s %2d axe violations %2d to review %2d reflow problems  %s\n", r.Page, r.Violations, r.Incomplete, len(r.Reflow), r.URL)
	}
	fmt.Fprintf(&summary, "%d pages, %d axe violations; full axe JSON: %s\n", len(a.reports), violations, path)
	_ = os.WriteFile(filepath.Join(a.dir, "axe-"+a.name+"-summary.txt"), []byte(summary.String()), 0o644)
	t.Logf("accessibility summary (%s):\n%s", t.Name(), summary.String())
}

// The checks must find what they look for; a checker that sees nothing
// would pass every page. A page with known faults proves they do.
func TestBrowserA11yCheckerFindsProblems(t *testing.T) {
	ctx := newBrowser(t)
	const faulty = `<!DOCTYPE html><html lang="nl"><head><title>Fouten</title>
<style>.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); } .scroll { overflow-x: auto; }</style></head>
<body><main><h1>Fouten</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color: #bbb; background: #fff">Te weinig contrast</p>
<div class="scroll"><table><tr><td><span style="display: inline-block; width: 900px">Breed</span> <span class="vh">verborgen</span></td></tr></table></div>
<button style="position: relative; top: 0">Een</button><button style="position: relative; left: -30px">Twee</button>
</main></body></html>`
	if err := chromedp.Do(ctx, chromedp.Navigate("data:text/html;charset=utf-8,"+url.PathEscape(faulty)), chromedp.EmulateViewport(360, 640)); err != nil {
		t.Fatal(err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](reflowScript))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scrolls horizontally", "span.vh sticks out", "button overlaps button"} {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("the reflow check missed %q; it found %q", want, problems)
		}
	}

	a := &a11y{}
	data, err := os.ReadFile(axeScriptPath())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is required in CI: %v", err)
		}
		t.Skipf("axe-core not installed (%v)", err)
	}
	a.script = string(data)
	_, res, err := a.runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, v := range res.Violations {
		found[v.ID] = true
	}
	for _, want := range []string{"image-alt", "color-contrast"} {
		if !found[want] {
			t.Errorf("axe-core missed %s; it found %v", want, found)
		}
	}
}

// The privacy notice of a diagnostic: the public page in both languages,
// reached from the landing page, and the workspace's page.
func TestBrowserA11yPrivacyNotice(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Privacy", survey.AccessCodes)
	employee := j.tab()
	j.visit(employee, "/d/"+d.Token, "#code", "landing with code entry")
	if err := chromedp.Do(employee, chromedp.Click(chromedp.CSS(`main a[href$="/privacy"]`))); err != nil {
		t.Fatalf("the landing page's link to the privacy notice: %v", err)
	}
	if err := waitFor(employee, `location.pathname.endsWith('/privacy') && document.readyState === 'complete'`); err != nil {
		t.Fatal(err)
	}
	j.check(employee, "privacy notice")
	j.visit(employee, "/d/"+d.Token+"/privacy?lang=en", "main h1", "privacy notice (English)")
	consultant := j.tab()
	j.login(consultant, false)
	j.visit(consultant, "/diagnoses/"+d.ID+"/privacy", "main h1", "privacy notice (workspace)")
}
