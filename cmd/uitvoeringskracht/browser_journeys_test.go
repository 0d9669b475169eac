package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The user journeys of the accessibility issue, one test each, in a real
// Chromium. Every page a journey reaches is checked with axe-core and for
// reflow (a11y_test.go). The people of a journey (consultant, employee,
// director) are tabs of one browser, each with its own cookies.

const (
	journeyFirm     = "Bureau Toegankelijk"
	journeyEmail    = "consultant@a11y.example"
	journeyPassword = "groene-giraf-telt-negen-peren"
)

// journey is the shared setting of one journey test: the service on a
// fresh SQLite database with one consultant, a browser, and the store for
// seeding and for checking what was stored.
type journey struct {
	t       *testing.T
	browser context.Context
	base    string
	st      *store.Store
	firmID  string
	a11y    *a11y
}

func newJourney(t *testing.T) *journey {
	t.Helper()
	return newJourneyWith(t, func(dbURL string) string { return startApp(t, dbURL) })
}

// newJourneyWith is newJourney on the service start starts on the
// journey's database, returning its base URL.
func newJourneyWith(t *testing.T, start func(dbURL string) string) *journey {
	t.Helper()
	ctx := newBrowser(t)
	a := newA11y(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "journey.db")
	if code := run(context.Background(), []string{"migrate", "--database", dbURL}, nil, io.Discard, io.Discard, func(string) string { return "" }); code != 0 {
		t.Fatal("migrate failed")
	}
	addConsultant(t, dbURL, journeyFirm, journeyEmail, journeyPassword)
	base := start(dbURL)
	st, err := store.Open(context.Background(), dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	firm, err := st.FirmByName(context.Background(), journeyFirm)
	if err != nil {
		t.Fatal(err)
	}
	return &journey{t: t, browser: ctx, base: base, st: st, firmID: firm.ID, a11y: a}
}

// tab opens a tab with its own cookies (a new browser context) at the
// desktop size.
func (j *journey) tab() context.Context {
	j.t.Helper()
	ctx, cancel := chromedp.NewContext(j.browser, chromedp.WithNewBrowserContext())
	j.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, desktopViewport); err != nil {
		j.t.Fatalf("new tab: %v", err)
	}
	return ctx
}

// check runs the accessibility checks on the page that ctx shows.
func (j *journey) check(ctx context.Context, page string) {
	j.t.Helper()
	j.a11y.check(j.t, ctx, page)
}

// seedDiagnostic stores an open diagnostic of the journey's firm, as the
// workspace would after journey 1, so that each journey runs on its own.
func (j *journey) seedDiagnostic(org string, access survey.Access) *survey.Diagnostic {
	j.t.Helper()
	d, o, err := newDiagnostic(org, "gemeente", "", "Beleid,Uitvoering,Staf", survey.DefaultMinGroupSize, "")
	if err != nil {
		j.t.Fatal(err)
	}
	o.FirmID = j.firmID
	ctx := context.Background()
	if err := j.st.CreateOrganisation(ctx, o); err != nil {
		j.t.Fatal(err)
	}
	d.OrganisationID, d.Access = o.ID, access
	if err := j.st.CreateDiagnostic(ctx, d); err != nil {
		j.t.Fatal(err)
	}
	return d
}

// login signs the consultant in on tab, checking the login page and its
// error state on the way.
func (j *journey) login(tab context.Context, checkPages bool) {
	j.t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(j.base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		j.t.Fatalf("login page: %v", err)
	}
	if checkPages {
		j.check(tab, "login")
		if err := chromedp.Do(tab,
			chromedp.SendKeys(chromedp.CSS("#email"), journeyEmail),
			chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password-for-the-test"),
			chromedp.Submit(chromedp.CSS("#password")),
		); err != nil {
			j.t.Fatalf("login: %v", err)
		}
		j.checkRefused(tab, "login with error")
	}
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.CSS("#email"), journeyEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), journeyPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("nav.workspace-nav")),
	); err != nil {
		j.t.Fatalf("login: %v", err)
	}
}

// visit navigates to path, waits for sel and checks the page.
func (j *journey) visit(tab context.Context, path, sel, page string) {
	j.t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(j.base+path), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		j.t.Fatalf("%s (%s): %v", page, path, err)
	}
	j.check(tab, page)
}

// checkRefused waits for the error summary of a refused form and checks
// the page.
func (j *journey) checkRefused(tab context.Context, page string) {
	j.t.Helper()
	if err := waitForErrorSummary(tab); err != nil {
		j.t.Fatalf("%s: no error summary: %v", page, err)
	}
	j.check(tab, page)
}

// closeDiagnostic opens the diagnostic page, checked as page, and closes
// the diagnostic: closing asks first (issue 12), the confirmation's form
// posts.
func (j *journey) closeDiagnostic(tab context.Context, d *survey.Diagnostic, page string) {
	j.t.Helper()
	j.visit(tab, "/diagnoses/"+d.ID, `form[action$="/sluiten"] button`, page)
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
		chromedp.Click(chromedp.CSS(`form[method="post"][action$="/sluiten"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/openen"] button`)),
	); err != nil {
		j.t.Fatalf("close the diagnostic: %v", err)
	}
}

// download runs trigger (a click that downloads a file) and returns the
// downloaded file's content and suggested name.
func (j *journey) download(tab context.Context, trigger chromedp.Action[chromedp.Void]) ([]byte, string) {
	j.t.Helper()
	dir := j.t.TempDir()
	yes := true
	if _, err := chromedp.CallBrowser(tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(tab).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    &yes,
	}); err != nil {
		j.t.Fatalf("download behaviour: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(tab, trigger); err != nil {
		j.t.Fatalf("start download: %v", err)
	}
	var name string
	for ev, err := range begins {
		if err != nil {
			j.t.Fatalf("download did not begin: %v", err)
		}
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			j.t.Fatalf("download did not finish: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				j.t.Fatalf("downloaded file: %v", err)
			}
			return data, name
		case browser.DownloadProgressStateCanceled:
			j.t.Fatalf("download of %s was cancelled", name)
		}
	}
	j.t.Fatal("no download")
	return nil, ""
}

// focused describes document.activeElement.
type focused struct {
	Tag          string `json:"tag"`
	Type         string `json:"type"`
	Name         string `json:"name"`
	ID           string `json:"id"`
	Value        string `json:"value"`
	Checked      bool   `json:"checked"`
	GroupChecked bool   `json:"groupChecked"`
	Text         string `json:"text"`
	Href         string `json:"href"`
}

func (f focused) String() string {
	return fmt.Sprintf("<%s type=%q name=%q id=%q value=%q checked=%v text=%q href=%q>", strings.ToLower(f.Tag), f.Type, f.Name, f.ID, f.Value, f.Checked, f.Text, f.Href)
}

const focusedScript = `(() => {
  const el = document.activeElement || document.body;
  const group = el.type === 'radio' ? document.querySelector('input[type=radio][name="' + CSS.escape(el.name) + '"]:checked') : null;
  return {tag: el.tagName, type: el.type || '', name: el.name || '', id: el.id || '', value: el.type === 'textarea' ? '' : (el.value || ''),
    checked: !!el.checked, groupChecked: group !== null, text: (el.textContent || '').trim().slice(0, 80), href: el.getAttribute('href') || ''};
})()`

// active returns the element that has the keyboard focus.
func active(t *testing.T, ctx context.Context) focused {
	t.Helper()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[focused](focusedScript))
	if err != nil {
		t.Fatalf("active element: %v", err)
	}
	return f
}

// press sends keys, as a person types them, to the focused element.
//
// Enter is sent as a keyboard sends it: one keyDown that carries the text,
// then keyUp. KeyEvent's separate char event would reach the element that
// the keyDown moved the focus to; after Enter on a link to a radio button,
// that char event submits the form, which no real keyboard does.
func press(t *testing.T, ctx context.Context, keys string) {
	t.Helper()
	var actions []chromedp.Action[chromedp.Void]
	for _, r := range keys {
		if string(r) != kb.Enter {
			actions = append(actions, chromedp.KeyEvent(string(r)))
			continue
		}
		actions = append(actions, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
			if _, err := cdp.Call(ctx, target, input.DispatchKeyEvent, down); err != nil {
				return err
			}
			up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
			_, err := cdp.Call(ctx, target, input.DispatchKeyEvent, up)
			return err
		}))
	}
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("keys %q: %v", keys, err)
	}
}

// tabUntil presses Tab until the focused element matches the CSS selector,
// and fails after limit presses.
func tabUntil(t *testing.T, ctx context.Context, selector string, limit int) focused {
	t.Helper()
	var seen []string
	for range limit {
		press(t, ctx, kb.Tab)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches(%q)`, selector)))
		if err != nil {
			t.Fatal(err)
		}
		f := active(t, ctx)
		if ok {
			return f
		}
		seen = append(seen, f.String())
	}
	t.Fatalf("%d presses of Tab did not reach %s; focus went to:\n\t%s", limit, selector, strings.Join(seen, "\n\t"))
	return focused{}
}

// answerByKeyboard fills the questionnaire step that ctx shows with the
// keyboard only and presses Enter on its button: Tab to the first
// question, Space to choose, the arrow keys to change the choice within a
// group, Tab to the next group, typing in text boxes. The radio groups
// named in leaveOut are passed over without an answer. It returns the
// number of groups answered.
func answerByKeyboard(t *testing.T, ctx context.Context, leaveOut map[string]bool) int {
	t.Helper()
	return answerFrom(t, ctx, tabUntil(t, ctx, `input[type=radio], textarea, form button[type=submit]`, 15), leaveOut)
}

// answerByKeyboardFromHere is answerByKeyboard from the element that has
// the focus now.
func answerByKeyboardFromHere(t *testing.T, ctx context.Context) int {
	t.Helper()
	return answerFrom(t, ctx, active(t, ctx), nil)
}

func answerFrom(t *testing.T, ctx context.Context, f focused, leaveOut map[string]bool) int {
	t.Helper()
	answered := 0
	for range 60 {
		switch {
		case f.Type == "radio":
			group := f.Name
			if !f.GroupChecked && !leaveOut[group] {
				press(t, ctx, " ")
				if g := active(t, ctx); g.Name != group || !g.Checked {
					t.Fatalf("Space did not choose the focused answer of %s: focus on %s", group, g)
				}
				if answered%2 == 1 {
					// Change the answer with an arrow key, as people do.
					before := active(t, ctx)
					press(t, ctx, kb.ArrowDown)
					g := active(t, ctx)
					if g.Name != group || !g.Checked || g.Value == before.Value {
						t.Fatalf("ArrowDown did not move the choice within %s: %s -> %s", group, before, g)
					}
				}
				answered++
			}
			press(t, ctx, kb.Tab)
			f = active(t, ctx)
			if f.Type == "radio" && f.Name == group {
				t.Fatalf("Tab stayed within the radio group %s: %s", group, f)
			}
		case f.Type == "textarea":
			press(t, ctx, "Meer mandaat")
			press(t, ctx, kb.Tab)
			f = active(t, ctx)
		case f.Tag == "BUTTON" && f.Type == "submit":
			press(t, ctx, kb.Enter)
			return answered
		default:
			t.Fatalf("unexpected focus while answering: %s", f)
		}
	}
	t.Fatal("the step's button was never reached")
	return 0
}

// Journey 1: a consultant signs in, creates an organisation and a
// diagnostic with units and access codes, opens it and makes codes.
func TestBrowserJourney1ConsultantSetsUpADiagnostic(t *testing.T) {
	j := newJourney(t)
	tab := j.tab()
	j.login(tab, true)
	j.check(tab, "organisations (empty)")

	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`main a[href="/organisaties/nieuw"]`)), chromedp.WaitVisible(chromedp.CSS("#name"))); err != nil {
		t.Fatalf("new organisation: %v", err)
	}
	j.check(tab, "organisation form")
	if err := chromedp.Do(tab, chromedp.Submit(chromedp.CSS("#name"))); err != nil {
		t.Fatal(err)
	}
	j.checkRefused(tab, "organisation form with errors")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#name"), "Gemeente Toegankelijk"),
		chromedp.SetValue(chromedp.CSS("#sector"), "gemeente"),
		chromedp.SendKeys(chromedp.CSS("#headcount"), "850"),
		chromedp.Submit(chromedp.CSS("#name")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/diagnoses/nieuw"]`)),
	); err != nil {
		t.Fatalf("create organisation: %v", err)
	}
	j.check(tab, "organisation")

	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`a[href$="/diagnoses/nieuw"]`)),
		chromedp.WaitVisible(chromedp.CSS("#units")),
	); err != nil {
		t.Fatalf("new diagnostic: %v", err)
	}
	j.check(tab, "diagnostic form")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#units"), "Beleid; 100\nUitvoering; 650\nStaf; 100"),
		chromedp.Click(chromedp.CSS(`label[for="access-codes"]`)),
		chromedp.Submit(chromedp.CSS("#units")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/openen"] button`)),
	); err != nil {
		t.Fatalf("create diagnostic: %v", err)
	}
	j.check(tab, "diagnostic (draft)")
	draftLink, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#respondent-link")))
	if err != nil || !strings.Contains(draftLink, "/d/") {
		t.Fatalf("respondent link %q: %v", draftLink, err)
	}
	employee := j.tab()
	if status := navigateStatus(t, employee, j.base+draftLink[strings.Index(draftLink, "/d/"):]); status != http.StatusForbidden {
		t.Errorf("the link of a draft diagnostic answers %d, want 403", status)
	}
	j.check(employee, "questionnaire not yet open")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action$="/openen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/sluiten"]`)),
	); err != nil {
		t.Fatalf("open diagnostic: %v", err)
	}
	j.check(tab, "diagnostic (open)")

	// Codes: a CSV download of the codes and the respondent link.
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("#count"), "5")); err != nil {
		t.Fatal(err)
	}
	data, name := j.download(tab, chromedp.Click(chromedp.CSS(`form[action$="/codes"] button`)))
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("codes CSV %s: %v", name, err)
	}
	if len(rows) != 6 || rows[0][0] != "code" {
		t.Fatalf("codes CSV %s has %d rows, want a header and 5 codes: %q", name, len(rows), data)
	}
	link, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#respondent-link")))
	if err != nil || !strings.Contains(link, "/d/") {
		t.Fatalf("respondent link %q: %v", link, err)
	}
	respondentPath := link[strings.Index(link, "/d/"):]
	j.check(tab, "diagnostic (open, codes made)")

	// The rest of the workspace.
	diagPath, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	j.visit(tab, diagPath+"/bewerken", "#units", "diagnostic edit form")
	j.visit(tab, diagPath+"/verwijderen", "main form", "diagnostic delete confirmation")
	j.visit(tab, "/organisaties", "main table", "organisations")
	j.visit(tab, "/account", "#token-name", "account")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#token-name"), "Rapportage"),
		chromedp.Submit(chromedp.CSS("#token-name")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/intrekken"]`)),
	); err != nil {
		t.Fatalf("create API token: %v", err)
	}
	j.check(tab, "account with a new API token")
	j.visit(tab, "/account/tweestapsverificatie", "main form", "two-step verification set-up")
	j.twoStepVerification(tab)
	j.visit(tab, "/team", "#invite-email", "team")
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "collega@a11y.example"),
		chromedp.Submit(chromedp.CSS("#invite-email")),
		chromedp.WaitVisible(chromedp.CSS("main .code-block")),
	); err != nil {
		t.Fatalf("invite: %v", err)
	}
	j.check(tab, "team with an invitation")
	invite, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main .code-block")))
	if err != nil || !strings.Contains(invite, "/uitnodiging/") {
		t.Fatalf("invitation link %q: %v", invite, err)
	}
	j.visit(tab, "/audit", "main h1", "audit log")
	j.visit(tab, "/diagnoses/does-not-exist", "main h1", "error page (not found)")

	// The invited colleague, and an employee, in tabs of their own.
	colleague := j.tab()
	j.visit(colleague, invite[strings.Index(invite, "/uitnodiging/"):], "main form", "invitation")
	j.visit(employee, respondentPath, "#code", "landing with code entry")
	// A code from the downloaded sheet lets the employee in.
	if err := chromedp.Do(employee, chromedp.SendKeys(chromedp.CSS("#code"), rows[1][0]), chromedp.Submit(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(employee, `location.pathname.endsWith('/stap/1') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("the downloaded code %q does not open the questionnaire: %v", rows[1][0], err)
	}
}

// twoStepVerification sets up two-step verification for the consultant
// signed in on tab, and checks the pages of signing in with it.
func (j *journey) twoStepVerification(tab context.Context) {
	t := j.t
	t.Helper()
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`main form[action="/account/tweestapsverificatie"] button`)),
		chromedp.WaitVisible(chromedp.CSS("main .code-block")),
	); err != nil {
		t.Fatalf("start two-step verification: %v", err)
	}
	j.check(tab, "two-step verification key")
	secret, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main .code-block")))
	if err != nil {
		t.Fatal(err)
	}
	code, err := auth.TOTPCode(strings.ReplaceAll(strings.TrimSpace(secret), " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("main ol.code-block")),
	); err != nil {
		t.Fatalf("confirm two-step verification: %v", err)
	}
	j.check(tab, "account with recovery codes")

	// Signing in again asks for a code; a wrong one is refused.
	again := j.tab()
	if err := chromedp.Do(again,
		chromedp.Navigate(j.base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), journeyEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), journeyPassword),
		chromedp.Submit(chromedp.CSS("#password")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(again, `location.pathname === '/login/totp' && document.readyState === 'complete'`); err != nil {
		t.Fatalf("no second step after the password: %v", err)
	}
	j.check(again, "login: second step")
	if err := chromedp.Do(again, chromedp.SendKeys(chromedp.CSS("#code"), "000000"), chromedp.Submit(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(again, `document.readyState === 'complete' && document.querySelector('#code-error') !== null`); err != nil {
		t.Fatalf("a wrong code was not refused: %v", err)
	}
	j.check(again, "login: second step with an error")
	j.visit(again, "/login/totp?herstelcode=1", "#recovery", "login: recovery code")
}

// Journey 2: an employee answers the whole questionnaire with the keyboard
// only, makes a validation error and fixes it, submits, and cannot submit
// a second time.
func TestBrowserJourney2KeyboardOnly(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Toetsenbord", survey.AccessLink)
	tab := j.tab()
	j.visit(tab, "/d/"+d.Token, "button.button-start", "landing")

	// Tab from the top of the page to the start button, then Enter.
	tabUntil(t, tab, "button.button-start", 10)
	press(t, tab, kb.Enter)
	if err := waitFor(tab, `location.pathname.endsWith('/stap/1') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("Enter on the start button: %v", err)
	}
	// The progress bar counts the review page as the last step.
	total, err := chromedp.Run(tab, chromedp.Evaluate[int](`+document.querySelector('progress').max`))
	if err != nil || total < 3 {
		t.Fatalf("number of steps %d: %v", total, err)
	}
	for step := 1; step < total; step++ {
		j.check(tab, fmt.Sprintf("step %d of %d", step, total))
		hasRadios, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('main form input[type=radio]') !== null`))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case step == 2:
			j.makeAndFixAnError(tab)
		case step == 3:
			// Choose the first answer, then show the step with its focus.
			tabUntil(t, tab, "input[type=radio]", 15)
			press(t, tab, " ")
			j.screenshots(tab)
			answerByKeyboardFromHere(t, tab)
		case answerByKeyboard(t, tab, nil) == 0 && hasRadios:
			t.Fatalf("step %d: no question answered", step)
		}
		next := fmt.Sprintf(`location.pathname.endsWith('/stap/%d')`, step+1)
		if step == total-1 {
			next = `location.pathname.endsWith('/controle')`
		}
		if err := waitFor(tab, next+` && document.readyState === 'complete' && !document.querySelector('.error-summary')`); err != nil {
			state, _ := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname + ' ' + document.querySelector('main').innerText.slice(0, 600)`))
			t.Fatalf("step %d did not lead on: %v\n%s", step, err, state)
		}
	}

	j.check(tab, "review")
	tabUntil(t, tab, `form[action$="/verzenden"] button`, 80)
	// Enter twice, as an impatient person does: one response is stored.
	press(t, tab, kb.Enter+kb.Enter)
	if err := waitFor(tab, `location.pathname.endsWith('/bedankt') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("submit: %v", err)
	}
	j.check(tab, "thank-you")

	// Back, as people do after sending: the questionnaire cannot be sent a
	// second time, and nothing invites a second response. Either the
	// browser asks the server again, which shows the landing page saying
	// the answers arrived (the state cookie now says only "submitted"), or
	// it shows the review page from its back/forward cache (Chromium does
	// so at times, no-store or not); sending that again stores nothing.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`history.back()`)); err != nil {
		t.Fatalf("back: %v", err)
	}
	if err := waitFor(tab, `document.readyState === 'complete' && !location.pathname.endsWith('/bedankt')`); err != nil {
		t.Fatalf("back: %v", err)
	}
	restored, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('form[action$="/verzenden"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if restored {
		t.Log("Back showed the review page from the back/forward cache; sending it again")
		tabUntil(t, tab, `form[action$="/verzenden"] button`, 80)
		press(t, tab, kb.Enter)
		if err := waitFor(tab, `document.readyState === 'complete' && document.querySelector('form[action$="/verzenden"]') === null`); err != nil {
			t.Fatalf("sending the review page again: %v", err)
		}
	}
	if n, err := j.st.CountResponses(context.Background(), d.ID); err != nil || n != 1 {
		t.Fatalf("stored responses: %d, %v; want exactly 1", n, err)
	}
	if err := waitFor(tab, `document.readyState === 'complete' && document.querySelector('.button-start') === null && document.querySelector('form[action$="/verzenden"]') === null`); err != nil {
		t.Fatalf("after submitting, the questionnaire was offered again: %v", err)
	}
	// The start page as it greets someone whose answers were sent: no start
	// button, a message that the answers arrived, and only the deliberate
	// "once more on this device" of an open link.
	j.visit(tab, "/d/"+d.Token, ".panel", "landing after submitting")
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "U hebt de vragenlijst al verstuurd. Bedankt.") || !strings.Contains(text, "Nog een keer invullen op dit apparaat") {
		t.Errorf("the landing page after submitting says: %s", text)
	}
	if start, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('.button-start') !== null`)); err != nil || start {
		t.Errorf("the landing page after submitting shows a start button (%v)", err)
	}
}

// makeAndFixAnError leaves the first question of the step unanswered,
// submits, follows the error summary's link to the question with the
// keyboard, answers it and submits again.
func (j *journey) makeAndFixAnError(tab context.Context) {
	t := j.t
	t.Helper()
	first, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('main form input[type=radio]').name`))
	if err != nil {
		t.Fatal(err)
	}
	answerByKeyboard(t, tab, map[string]bool{first: true})
	j.checkRefused(tab, "step 2 with an error")
	link := tabUntil(t, tab, ".error-summary a", 8)
	if link.Href != "#"+first+"-"+firstValue(t, tab, first) {
		t.Errorf("the error links to %s, want the first answer of %s", link.Href, first)
	}
	press(t, tab, kb.Enter)
	// Following the link moves the focus to the question's first answer.
	if err := waitFor(tab, fmt.Sprintf(`document.activeElement && document.activeElement.name === %q`, first)); err != nil {
		// Browsers that only scroll: the next Tab lands on the question.
		tabUntil(t, tab, fmt.Sprintf(`input[name=%q]`, first), 3)
	}
	if n := answerByKeyboardFromHere(t, tab); n != 1 {
		t.Fatalf("fixing the error answered %d questions, want 1", n)
	}
}

// screenshots writes docs/screenshots/questionnaire-{phone,desktop}.png of
// the page that tab shows, when UK_WRITE_SCREENSHOTS=1: CI leaves the work
// tree alone.
func (j *journey) screenshots(tab context.Context) {
	t := j.t
	t.Helper()
	if os.Getenv("UK_WRITE_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	phone := chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile)
	const top = `window.scrollTo(0, 0)`
	const question = `document.activeElement.closest('.form-group').scrollIntoView({block: 'start'})`
	for _, shot := range []struct {
		name   string
		size   chromedp.Action[chromedp.Void]
		scroll string
	}{
		{"questionnaire-phone.png", phone, top},
		{"questionnaire-phone-answers.png", phone, question},
		{"questionnaire-desktop.png", chromedp.EmulateViewport(1280, 800), top},
	} {
		if err := chromedp.Do(tab, shot.size, chromedp.Evaluate[chromedp.Void](shot.scroll)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, shot.name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", filepath.Join(dir, shot.name))
	}
	if err := chromedp.Do(tab, desktopViewport); err != nil {
		t.Fatal(err)
	}
}

// firstValue returns the value of the first answer of a radio group.
func firstValue(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('input[name=%q]').value`, name)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Journey 3: an employee gets in with an access code; a mistyped code is
// refused with an error, a used code too.
func TestBrowserJourney3AccessCode(t *testing.T) {
	j := newJourney(t)
	d := j.seedDiagnostic("Gemeente Toegangscode", survey.AccessCodes)
	codes, err := j.st.CreateAccessCodes(context.Background(), d.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	tab := j.tab()
	j.visit(tab, "/d/"+d.Token, "#code", "code entry")
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#code"), "ABCD-EFGH"), chromedp.Submit(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `document.readyState === 'complete' && document.querySelector('#code-error') !== null`); err != nil {
		t.Fatalf("an unknown code gave no error: %v", err)
	}
	j.check(tab, "code entry with an error")
	// The code as people type it from paper: lower case, with a space.
	typed := strings.ToLower(codes[0][:4] + " " + codes[0][4:])
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("#code"), typed), chromedp.Submit(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname.endsWith('/stap/1') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("a valid code %q did not open the questionnaire: %v", typed, err)
	}
	answerAllSteps(t, tab)
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`form[action$="/verzenden"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(tab, `location.pathname.endsWith('/bedankt') && document.readyState === 'complete'`); err != nil {
		t.Fatalf("submit with a code: %v", err)
	}
	if n, err := j.st.CountResponses(context.Background(), d.ID); err != nil || n != 1 {
		t.Fatalf("stored responses: %d, %v; want 1", n, err)
	}

	// The same code on another device is refused.
	other := j.tab()
	if err := chromedp.Do(other,
		chromedp.Navigate(j.base+"/d/"+d.Token),
		chromedp.SendKeys(chromedp.CSS("#code"), survey.FormatAccessCode(codes[0])),
		chromedp.Submit(chromedp.CSS("#code")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(other, `document.readyState === 'complete' && document.querySelector('#code-error') !== null`); err != nil {
		t.Fatalf("a used code was not refused: %v", err)
	}

	// The accessibility statement, from the footer.
	if err := chromedp.Do(other, chromedp.Click(chromedp.CSS(`footer a[href="/toegankelijkheid"]`))); err != nil {
		t.Fatalf("footer link to the accessibility statement: %v", err)
	}
	if err := waitFor(other, `location.pathname === '/toegankelijkheid' && document.readyState === 'complete'`); err != nil {
		t.Fatal(err)
	}
	j.check(other, "accessibility statement")
	// It names the rules and the version of axe-core that these tests run.
	text, err := chromedp.Run(other, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(axeTags, ", "); !strings.Contains(text, want) {
		t.Errorf("the statement does not name the rule sets %s", want)
	}
	if v := j.a11y.version; v != "" && !strings.Contains(text, "axe-core "+v) {
		t.Errorf("the statement does not name axe-core %s, the version the tests run", v)
	}
	j.visit(other, "/toegankelijkheid?lang=en", "main h1", "accessibility statement (English)")
}

// answerAllSteps answers every step from the current one up to the review
// page, with the keyboard.
func answerAllSteps(t *testing.T, tab context.Context) {
	t.Helper()
	for range 20 {
		onReview, err := chromedp.Run(tab, chromedp.Evaluate[bool](`location.pathname.endsWith('/controle')`))
		if err != nil {
			t.Fatal(err)
		}
		if onReview {
			return
		}
		before, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		answerByKeyboard(t, tab, nil)
		if err := waitFor(tab, fmt.Sprintf(`location.pathname !== %q && document.readyState === 'complete'`, before)); err != nil {
			t.Fatalf("%s did not lead on: %v", before, err)
		}
	}
	t.Fatal("the review page was not reached")
}
