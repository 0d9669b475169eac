package web

import (
	"context"
	"html"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Issue 12, points 1-6: what an employee meets between the link and the
// thank-you page.

const footerNL = "Uw antwoorden zijn anoniem"

// TestBackAfterSubmitSaysItArrived: after a submission, the landing page
// (where Back from the thank-you page leads) says the answers arrived and
// offers no start button; an old step or the start button lead there too.
func TestBackAfterSubmitSaysItArrived(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, nil)
		action, form := formOf(t, review.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Fatalf("submit: %d %s", p.status, p.location)
		}
		landing := b.get("/d/" + f.diag.Token)
		if !strings.Contains(landing.body, "U hebt de vragenlijst al verstuurd. Bedankt.") {
			t.Errorf("landing after submit does not say the answers arrived: %s", snippet(landing.body))
		}
		for _, bad := range []string{"button-start", "Start de vragenlijst", "Ga verder waar u was", "verlopen"} {
			if strings.Contains(landing.body, bad) {
				t.Errorf("landing after submit shows %q", bad)
			}
		}
		// The deliberate second response is explained, not a start button.
		if !strings.Contains(landing.body, `name="opnieuw" value="1"`) || !strings.Contains(landing.body, "Vul de vragenlijst zelf maar één keer in") {
			t.Error("the explained 'once more on this device' is missing")
		}
		if p := b.get("/d/" + f.diag.Token + "/stap/2"); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
			t.Errorf("old step after submit: %d %s", p.status, p.location)
		}
		_, start := formOf(t, landing.body)
		start.Del("opnieuw")
		if p := b.post("/d/"+f.diag.Token+"/start", start); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
			t.Errorf("start after submit: %d %s", p.status, p.location)
		}
	})
}

// TestLanguageSwitchOnStepKeepsTicks: the language buttons of a step save
// what was ticked without validating and show the same step in the other
// language; "Opslaan en verder" stays the form's first (default) button.
func TestLanguageSwitchOnStepKeepsTicks(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		step2 := b.follow(b.post(answerAll(t, step1.body, nil)))

		// Enter submits with the first submit button in tree order.
		next := strings.Index(step2.body, `<button type="submit" class="button">Opslaan en verder</button>`)
		lang := strings.Index(step2.body, `name="actie" value="taal-en"`)
		if next < 0 || lang < 0 || lang < next || strings.Index(step2.body, `type="submit"`) != next+len(`<button `) {
			t.Fatalf("step form: next at %d, language at %d; the main button must come first", next, lang)
		}
		if lang > strings.Index(step2.body, "</form>") {
			t.Error("the language button is outside the step form")
		}
		// The header's link would drop the ticks: a step has none.
		if strings.Contains(step2.body, `hreflang="en"`) {
			t.Error("a step page still has the header's language link")
		}

		action, form := answerAll(t, step2.body, nil)
		names := radioNames(step2.body)
		for i, name := range names {
			if i < 3 {
				form.Set(name, "4")
			} else {
				form.Del(name)
			}
		}
		form.Set("actie", "taal-en")
		p := b.post(action, form)
		if p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token+"/stap/2?lang=en" {
			t.Fatalf("language switch: %d %s %s", p.status, p.location, snippet(p.body))
		}
		en := b.follow(p)
		if !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "Save and continue") {
			t.Fatalf("step 2 is not shown in English: %s", snippet(en.body))
		}
		for i, name := range names {
			ticked := strings.Contains(en.body, `name="`+name+`" value="4" checked`)
			if i < 3 && !ticked {
				t.Errorf("%s is lost by the language switch", name)
			}
			if i >= 3 && regexp.MustCompile(`name="`+name+`" value="[^"]*" checked`).MatchString(en.body) {
				t.Errorf("%s was left open but comes back answered", name)
			}
		}
		if strings.Contains(en.body, "error-summary") {
			t.Error("the language switch showed errors")
		}
		// The step does not count as done.
		if p := b.get("/d/" + f.diag.Token + "/stap/3"); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/2") {
			t.Errorf("step 3 after switching language on a half-answered step 2: %d %s", p.status, p.location)
		}
		// And back to Dutch, from the English page's own button.
		_, form = answerAll(t, en.body, nil)
		form.Set("actie", "taal-nl")
		if p := b.post(action, form); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token+"/stap/2?lang=nl" {
			t.Errorf("switch back: %d %s", p.status, p.location)
		}
		// A step edited from the review page stays so.
		if p := b.post(action+"?vanaf=controle", form); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token+"/stap/2?lang=nl&vanaf=controle" {
			t.Errorf("switch from the review: %d %s", p.status, p.location)
		}
		form.Set("actie", "taal-de")
		if p := b.post(action, form); p.status != http.StatusBadRequest {
			t.Errorf("unknown language: %d", p.status)
		}
	})
}

// informalYou matches the informal forms of "you" as whole words.
var informalYou = regexp.MustCompile(`(?i)\b(je|jij|jou|jouw|jullie|jezelf)\b`)

// TestRespondentsAreAddressedAsU: every Dutch text a respondent reads says
// "u": the translations of the respondent pages, the privacy notice and the
// accessibility statement, and every page of a whole questionnaire as
// rendered (instrument, templates and error messages).
func TestRespondentsAreAddressedAsU(t *testing.T) {
	if !informalYou.MatchString("…bij je werk?: Kies een van de antwoorden.") || informalYou.MatchString("Jeugdzorg en uw jeugd") {
		t.Fatal("informalYou does not tell the forms apart")
	}
	for _, file := range []string{"respondent", "privacy", "accessibility"} {
		data, err := fs.ReadFile(uitvoeringskracht.Templates, "templates/i18n/nl/"+file+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var texts map[string]string
		if err := yaml.Unmarshal(data, &texts); err != nil {
			t.Fatal(err)
		}
		for key, text := range texts {
			if m := informalYou.FindString(text); m != "" {
				t.Errorf("%s.yaml %s uses %q: %q", file, key, m, text)
			}
		}
	}

	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		check := func(where string, p page) {
			t.Helper()
			if m := informalYou.FindString(visibleText(p.body)); m != "" {
				t.Errorf("%s uses %q", where, m)
			}
		}
		landing, p := f.start(t, b)
		check("landing", landing)
		for i := 0; i < 10 && !strings.Contains(p.body, `name="nonce"`); i++ {
			check("step", p)
			// Each step with its errors too: the legends go into the summary.
			action, _ := formOf(t, p.body)
			_, csrf := formOf(t, p.body)
			check("step with errors", b.post(action, csrf))
			p = b.follow(b.post(answerAll(t, p.body, nil)))
		}
		check("review", p)
		action, form := formOf(t, p.body)
		check("thanks", b.follow(b.post(action, form)))
		check("landing after submit", b.get("/d/"+f.diag.Token))
		check("privacy notice", b.get("/d/"+f.diag.Token+"/privacy"))
	})
}

var (
	reTags   = regexp.MustCompile(`(?s)<[^>]*>`)
	reHeadEl = regexp.MustCompile(`(?s)<head>.*?</head>`)
)

// visibleText is the text of a page as read, without its markup.
func visibleText(body string) string {
	return html.UnescapeString(reTags.ReplaceAllString(reHeadEl.ReplaceAllString(body, ""), " "))
}

// TestFooterOnlyOnRespondentPages: the promise "Uw antwoorden zijn anoniem"
// is for respondents; the login, workspace, accessibility and not-found
// pages do not make it.
func TestFooterOnlyOnRespondentPages(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		pf := newPrivacyFixture(t, st, survey.AccessLink)
		b := pf.browser(t)
		for _, path := range []string{"", "/privacy"} {
			if p := b.get("/d/" + pf.diag.Token + path); !strings.Contains(p.body, footerNL) {
				t.Errorf("respondent page %q lacks the footer", path)
			}
		}
		_, step1 := pf.start(t, b)
		if !strings.Contains(step1.body, footerNL) {
			t.Error("step 1 lacks the footer")
		}
		for _, path := range []string{"/login", "/toegankelijkheid", "/bestaat-niet", "/d/onbekend-token-1234567890", "/r/onbekend-token-1234567890"} {
			p := b.get(path)
			if p.status == 0 || strings.Contains(p.body, footerNL) {
				t.Errorf("%s (%d) shows the respondents' footer", path, p.status)
			}
		}
		consultant := pf.browser(t)
		signIn(t, pf.fixture, consultant, privacyFirm, privacyEmail, false)
		for _, path := range []string{"/organisaties", "/diagnoses/" + pf.diag.ID, "/diagnoses/" + pf.diag.ID + "/privacy"} {
			p := consultant.get(path)
			if p.status != http.StatusOK || strings.Contains(p.body, footerNL) {
				t.Errorf("workspace %s (%d) shows the respondents' footer", path, p.status)
			}
		}
	})
}

// TestLandingPutsTheActionFirst: a short intro, then the button (or the
// code field), then the details; the consultancy that processes the answers
// is named.
func TestLandingPutsTheActionFirst(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		for _, access := range []survey.Access{survey.AccessLink, survey.AccessCodes} {
			pf := newPrivacyFixture(t, st, access)
			p := pf.browser(t).get("/d/" + pf.diag.Token)
			main := p.body[strings.Index(p.body, "<main"):]
			action := strings.Index(main, `class="button button-start"`)
			intro := strings.Index(main, "vraagt uw mening over hoe beleid bij u wordt uitgevoerd")
			details := strings.Index(main, "<h2>Waarom deze vragenlijst</h2>")
			privacy := strings.Index(main, "<h2>Uw privacy</h2>")
			if intro < 0 || action < intro || details < action || privacy < details {
				t.Errorf("%s: intro at %d, button at %d, details at %d, privacy at %d; want that order", access, intro, action, details, privacy)
			}
			if access == survey.AccessCodes && strings.Index(main, `id="code"`) > details {
				t.Errorf("%s: the code field comes after the details", access)
			}
			firm := "Het adviesbureau " + privacyFirm + " beheert deze vragenlijst in opdracht van Gemeente Zeewolde-Zuid"
			if !strings.Contains(p.body, firm) {
				t.Errorf("%s: the landing page does not name the consultancy: %s", access, snippet(main))
			}
		}
		// Without a firm there is nobody to name, and no empty sentence.
		f := newFixture(t, st)
		if p := f.browser(t).get("/d/" + f.diag.Token); strings.Contains(p.body, "Het adviesbureau") || p.status != http.StatusOK {
			t.Errorf("landing without a firm: %d", p.status)
		}
	})
}

// TestStepHeadingsAreNeutral: respondents read the step titles of the
// questionnaire, never the factor names (which name the problem); a
// questionnaire copied without step titles gets numbered headings.
func TestStepHeadingsAreNeutral(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		factors := f.diag.Questionnaire.Factors
		walk := func(d *survey.Diagnostic, want func(i int, fac survey.Factor) string) {
			t.Helper()
			b := f.browser(t)
			landing := b.get("/d/" + d.Token)
			action, form := formOf(t, landing.body)
			p := b.follow(b.post(action, form))
			p = b.follow(b.post(answerAll(t, p.body, nil))) // past the background step
			for i, fac := range factors {
				if h := "<h1>" + html.EscapeString(want(i, fac)) + "</h1>"; !strings.Contains(p.body, h) {
					t.Errorf("step %d lacks %s", i+2, h)
				}
				if name := fac.Name.In("nl"); strings.Contains(html.UnescapeString(p.body), name) {
					t.Errorf("step %d shows the factor name %q", i+2, name)
				}
				p = b.follow(b.post(answerAll(t, p.body, nil)))
			}
			review := b.follow(b.post(answerAll(t, p.body, nil)))
			for _, fac := range factors {
				if name := fac.Name.In("nl"); strings.Contains(html.UnescapeString(review.body), name) {
					t.Errorf("the review page shows the factor name %q", name)
				}
			}
		}
		walk(f.diag, func(_ int, fac survey.Factor) string { return fac.StepTitle.In("nl") })

		old := *f.diag
		old.ID, old.Token = "", ""
		old.Questionnaire.Factors = make([]survey.Factor, len(factors))
		for i, fac := range factors {
			fac.StepTitle = nil
			old.Questionnaire.Factors[i] = fac
		}
		if err := st.CreateDiagnostic(context.Background(), &old); err != nil {
			t.Fatal(err)
		}
		walk(&old, func(i int, _ survey.Factor) string { return "Stellingen, deel " + string(rune('1'+i)) })
	})
}
