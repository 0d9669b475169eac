package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func countResponses(t *testing.T, f *fixture) int {
	t.Helper()
	n, err := f.store.CountResponses(context.Background(), f.diag.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRespondentFlowStoresOneResponse(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)

		landing := b.get("/d/" + f.diag.Token)
		for _, want := range []string{"Gemeente Voorbeeld", "ongeveer 10 minuten", "Wat we bewaren", "Wat we niet bewaren", `lang="nl"`} {
			if !strings.Contains(landing.body, want) {
				t.Errorf("landing page lacks %q", want)
			}
		}
		review := f.completeQuestionnaire(t, b, map[string]string{"item-risk_culture_1": "0", "open-obstacle": "Te veel overleg <script>alert(1)</script>"})
		if !strings.Contains(review.body, "Weet ik niet") {
			t.Error("review does not show the don't-know answer")
		}
		if strings.Contains(review.body, "<script>alert(1)</script>") || !strings.Contains(review.body, "&lt;script&gt;") {
			t.Error("open answer is not escaped on the review page")
		}
		action, form := formOf(t, review.body)

		submitted := b.post(action, form)
		if submitted.header.Get("Clear-Site-Data") != `"cache"` {
			t.Errorf("the submit does not clear the browser cache: %q", submitted.header.Get("Clear-Site-Data"))
		}
		thanks := b.follow(submitted)
		if thanks.status != http.StatusOK || !strings.Contains(thanks.body, "Bedankt voor het invullen") {
			t.Fatalf("thank-you page: %d %s", thanks.status, snippet(thanks.body))
		}
		// A retry of the same submit (refresh, back button, double click)
		// ends on the thank-you page and stores nothing more.
		again := b.post(action, form)
		if again.status != http.StatusSeeOther || !strings.HasSuffix(again.location, "/bedankt") {
			t.Fatalf("retry: %d %s", again.status, again.location)
		}
		if n := countResponses(t, f); n != 1 {
			t.Fatalf("stored %d responses, want 1", n)
		}
		rs, err := f.store.Responses(context.Background(), f.diag.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := rs[0]
		if r.Answers["risk_culture_1"] != survey.DontKnow || r.Background["role"] != "beleid" || r.Background["unit"] != "u1" {
			t.Errorf("stored response does not hold the answers given: %+v", r)
		}
		if len(r.Answers) != len(f.diag.Questionnaire.AllItems()) {
			t.Errorf("stored %d answers, want %d", len(r.Answers), len(f.diag.Questionnaire.AllItems()))
		}
		if r.Open["obstacle"] != "Te veel overleg <script>alert(1)</script>" {
			t.Errorf("open answer stored as %q", r.Open["obstacle"])
		}
	})
}

func TestConcurrentDoubleSubmitStoresOnce(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, nil)
		action, form := formOf(t, review.body)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = b.post(action, form).status
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != http.StatusSeeOther {
				t.Errorf("a concurrent submit answered %d, want 303", s)
			}
		}
		if n := countResponses(t, f); n != 1 {
			t.Fatalf("stored %d responses, want 1", n)
		}
	})
}

func TestStepValidationKeepsAnswers(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		step2 := b.follow(b.post(answerAll(t, step1.body, nil)))

		// Answer all but the first item, and one out of range.
		action, form := answerAll(t, step2.body, map[string]string{"item-risk_culture_3": "4"})
		names := radioNames(step2.body)
		form.Del(names[0])
		form.Set(names[1], "9")
		p := b.post(action, form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.status)
		}
		for _, want := range []string{"Er is een probleem", "Kies een antwoord bij deze stelling", "Kies een van de antwoorden die op de pagina staan", `href="#` + names[0] + `-1"`, "<title>Fout:"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("error page lacks %q", want)
			}
		}
		if !strings.Contains(p.body, `id="item-risk_culture_3-4" name="item-risk_culture_3" value="4" checked`) {
			t.Error("the answers given are not shown again as chosen")
		}

		// An unknown field is refused with a message, answers kept.
		action, form = answerAll(t, step2.body, nil)
		form.Set("is_admin", "1")
		p = b.post(action, form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "veld dat wij niet kennen") {
			t.Fatalf("unknown field: %d %s", p.status, snippet(p.body))
		}

		// In English the messages are English.
		b.get("/d/" + f.diag.Token + "?lang=en")
		action, form = answerAll(t, step2.body, nil)
		form.Del(names[0])
		p = b.post(action, form)
		if !strings.Contains(p.body, "There is a problem") || !strings.Contains(p.body, "Choose an answer for this statement") || !strings.Contains(p.body, `lang="en"`) {
			t.Errorf("English error page: %s", snippet(p.body))
		}
	})
}

func TestOpenAnswerTooLongIsRefusedAndKept(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, p := f.start(t, b)
		for !strings.Contains(p.body, "open-obstacle") {
			p = b.follow(b.post(answerAll(t, p.body, nil)))
		}
		long := strings.Repeat("é", 1001)
		action, form := answerAll(t, p.body, map[string]string{"open-obstacle": long})
		res := b.post(action, form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "maximaal 1000 tekens") {
			t.Fatalf("too long: %d %s", res.status, snippet(res.body))
		}
		if !strings.Contains(res.body, long) {
			t.Error("the long answer was not kept in the form")
		}
	})
}

func TestStepsCannotBeSkipped(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		landing, _ := f.start(t, b)
		p := b.get("/d/" + f.diag.Token + "/stap/5")
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Fatalf("skipping ahead: %d %s", p.status, p.location)
		}
		p = b.get("/d/" + f.diag.Token + "/controle")
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Fatalf("review before the end: %d %s", p.status, p.location)
		}
		_, csrfForm := formOf(t, landing.body)
		if p := b.post("/d/"+f.diag.Token+"/stap/4", csrfForm); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Fatalf("posting a later step: %d %s", p.status, p.location)
		}
		if p := b.get("/d/" + f.diag.Token + "/stap/99"); p.status != http.StatusNotFound {
			t.Fatalf("step 99: %d", p.status)
		}
	})
}

func TestWithoutStateRespondentStartsAgain(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		p := b.get("/d/" + f.diag.Token + "/stap/1")
		if p.status != http.StatusSeeOther || !strings.Contains(p.location, "verlopen=1") {
			t.Fatalf("no state: %d %s", p.status, p.location)
		}
		if p := b.follow(p); !strings.Contains(p.body, "U kunt de vragenlijst opnieuw beginnen") {
			t.Error("landing does not explain the restart")
		}
	})
}

func TestClosedDiagnosticShowsClosedPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		landing, _ := f.start(t, b)
		if err := st.SetDiagnosticState(context.Background(), f.diag.ID, survey.StateClosed); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"", "/stap/1"} {
			p := b.get("/d/" + f.diag.Token + path)
			if p.status != http.StatusGone || !strings.Contains(p.body, "Deze vragenlijst is gesloten") {
				t.Errorf("GET %q: %d %s", path, p.status, snippet(p.body))
			}
		}
		_, form := formOf(t, landing.body)
		p := b.post("/d/"+f.diag.Token+"/stap/1", form)
		if p.status != http.StatusGone {
			t.Errorf("POST to a closed diagnostic: %d", p.status)
		}
	})
}

func TestUnknownTokenIsNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		p := f.browser(t).get("/d/AAAAAAAAAAAAAAAAAAAAAA")
		if p.status != http.StatusNotFound || !strings.Contains(p.body, "Pagina niet gevonden") {
			t.Fatalf("%d %s", p.status, snippet(p.body))
		}
	})
}

func TestMissingCSRFTokenIsRefused(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		b.get("/d/" + f.diag.Token)
		p := b.post("/d/"+f.diag.Token+"/start", url.Values{})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Uw sessie is verlopen") {
			t.Fatalf("%d %s", p.status, snippet(p.body))
		}
	})
}

func TestOversizedBodyGetsFriendlyPage(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, p := f.start(t, b)
		action, form := answerAll(t, p.body, nil)
		form.Set("bg-role", strings.Repeat("x", 200<<10))
		res := b.post(action, form)
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "Te veel tekst") {
			t.Fatalf("%d %s", res.status, snippet(res.body))
		}
	})
}

func TestSecurityHeadersAndNoStore(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		p := f.browser(t).get("/d/" + f.diag.Token)
		h := p.header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
			if h.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, h.Get(k), v)
			}
		}
	})
}

func TestLogsHoldNoTokenAnswersOrAddresses(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, map[string]string{"open-help": "geheimantwoord"})
		action, form := formOf(t, review.body)
		b.follow(b.post(action, form))
		// Respondent routes have no request line (TestRespondentRequestsLeaveNoTimedLines);
		// /healthz shows that the log is captured at all.
		b.get("/healthz")
		logs := f.logs.String()
		if !strings.Contains(logs, `"route":"/healthz"`) {
			t.Fatalf("the log does not record requests: %s", snippet(logs))
		}
		for _, secret := range []string{f.diag.Token, "geheimantwoord", "127.0.0.1", "remote_ip", form.Get("nonce")} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log contains %q", secret)
			}
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		if p := b.get("/healthz"); p.status != http.StatusOK {
			t.Errorf("healthz %d", p.status)
		}
		if p := b.get("/readyz"); p.status != http.StatusOK {
			t.Errorf("readyz %d", p.status)
		}
		st.Close()
		if p := b.get("/readyz"); p.status != http.StatusServiceUnavailable {
			t.Errorf("readyz with a closed database: %d", p.status)
		}
	})
}
