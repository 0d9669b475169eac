package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. Browser tests fail when CI is set
// and it is missing (.ci/run installs it), and skip otherwise.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("UK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is required in CI (CI is set) but was not found; .ci/run installs Debian's chromium")
	}
	t.Skip("Chromium not found; install Debian's chromium or set UK_CHROMIUM")
	return ""
}

// newBrowser starts a headless Chromium with the flags this workplace needs:
// no sandbox (root), no background networking (the network is closed) and a
// fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout, or
	// the timeout would stop the browser itself.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// addConsultant creates the first account through the real command, with
// the password on standard input as an administrator would.
func addConsultant(t *testing.T, databaseURL, firm, email, password string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"user", "add", "--database", databaseURL, "--firm", firm, "--email", email, "--admin"},
		strings.NewReader(password+"\n"), &out, &errOut, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("user add exited %d: %s", code, errOut.String())
	}
}

func TestBrowserConsultantAndEmployeeJourney(t *testing.T) {
	ctx := newBrowser(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "browser.db")
	if code := run(context.Background(), []string{"migrate", "--database", dbURL}, nil, io.Discard, io.Discard, func(string) string { return "" }); code != 0 {
		t.Fatal("migrate failed")
	}
	const password = "paarse-olifant-rekent-zeven-appels"
	addConsultant(t, dbURL, "Bureau Browser", "consultant@browser.example", password)
	base := startApp(t, dbURL)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), "consultant@browser.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("nav.workspace-nav")),

		chromedp.Navigate(base+"/organisaties/nieuw"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Gemeente Browserdam"),
		chromedp.SetValue(chromedp.CSS("#sector"), "gemeente"),
		chromedp.SendKeys(chromedp.CSS("#headcount"), "900"),
		chromedp.Submit(chromedp.CSS("#name")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/diagnoses/nieuw"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/diagnoses/nieuw"]`)),
		chromedp.WaitVisible(chromedp.CSS("#units")),
		chromedp.SendKeys(chromedp.CSS("#units"), "Beleid; 100\nUitvoering; 700\nStaf; 100"),
		chromedp.Submit(chromedp.CSS("#units")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/openen"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/openen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/sluiten"]`)),
	)
	if err != nil {
		t.Fatalf("consultant journey: %v", err)
	}
	linkValue, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#respondent-link")))
	if err != nil || !strings.Contains(linkValue, "/d/") {
		t.Fatalf("respondent link %q: %v", linkValue, err)
	}
	respondentPath := linkValue[strings.Index(linkValue, "/d/"):]

	// The employee answers in a second tab, with their own cookies.
	employee, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(employee,
		chromedp.Navigate(base+respondentPath),
		chromedp.WaitVisible(chromedp.CSS("button.button-start")),
		chromedp.Click(chromedp.CSS("button.button-start")),
	); err != nil {
		t.Fatalf("employee start: %v", err)
	}
	for step := 0; step < 12; step++ {
		// Wait for this step's page itself, not the page still showing
		// while the browser navigates.
		here := fmt.Sprintf(`(document.querySelector('#progress')||{}).textContent === 'Stap %d van 8'`, step+1)
		if err := waitFor(employee, here); err != nil {
			t.Fatalf("step %d was not reached: %v", step+1, err)
		}
		onReview, err := chromedp.Run(employee, chromedp.Evaluate[bool](`document.querySelector('input[name="nonce"]') !== null`))
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if onReview {
			break
		}
		names, err := chromedp.Run(employee, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll('input[type=radio]')].map(r => r.name))]`))
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		var actions []chromedp.Action[chromedp.Void]
		for i, name := range names {
			// Click the label, as a person taps it; values differ per item.
			actions = append(actions, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-%s"]`, name, firstChoice(name, i)))))
		}
		if err := chromedp.Do(employee, actions...); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		// Under load a click can land while the page still moves; check
		// that every question got its answer before going on.
		unanswered := `[...new Set([...document.querySelectorAll('input[type=radio]')].map(r => r.name))].filter(n => !document.querySelector('input[name="' + n + '"]:checked'))`
		if err := waitFor(employee, unanswered+`.length === 0`); err != nil {
			missing, _ := chromedp.Run(employee, chromedp.Evaluate[[]string](unanswered))
			t.Fatalf("step %d: questions left unanswered after clicking: %v", step+1, missing)
		}
		if err := chromedp.Do(employee, chromedp.Click(chromedp.CSS(`form button[type=submit]`))); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	if err := chromedp.Do(employee,
		chromedp.Click(chromedp.CSS(`form[action$="/verzenden"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".panel h1")),
	); err != nil {
		t.Fatalf("submit: %v", err)
	}
	thanks, err := chromedp.Run(employee, chromedp.Text(chromedp.CSS(".panel h1")))
	if err != nil || !strings.Contains(thanks, "Bedankt") {
		t.Fatalf("thank-you heading %q: %v", thanks, err)
	}

	// The consultant sees the count go up.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main .lead"))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	countText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main .lead")))
	if err != nil || !strings.Contains(countText, "1 ingevulde") {
		t.Fatalf("progress after one response: %q %v", countText, err)
	}
}

// waitForErrorSummary waits for a page that was refused: the error summary
// at its top.
func waitForErrorSummary(ctx context.Context) error {
	return waitFor(ctx, `document.readyState === 'complete' && document.querySelector('.error-summary') !== null`)
}

// waitFor polls a JavaScript predicate across navigations: a poll does not
// survive the page it runs in being replaced, so it is started again.
func waitFor(ctx context.Context, expr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s (last error: %v)", expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// firstChoice picks an answer for a radio group: background questions take
// their first option id as rendered; items a value on the scale.
func firstChoice(name string, i int) string {
	switch name {
	case "bg-role":
		return "uitvoering"
	case "bg-unit":
		return "u2"
	case "bg-tenure":
		return "2to5"
	}
	return fmt.Sprint(1 + i%5)
}
