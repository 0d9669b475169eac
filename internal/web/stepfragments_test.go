package web

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestStepPagesFromKeptFragmentsEqualFreshOnes walks a respondent through
// a server that keeps the questions' HTML and the step pages' shells (the
// diagnostic cached, as serve runs) and asks every page also from a server
// that executes every page as a whole (no cache, no fragments, no shells),
// with the same cookie: empty steps, answered steps, steps edited from the
// review page, steps with error messages, a typed open answer with markup,
// Dutch and English. The pages must be the same byte for byte (the
// browser's CSRF token is the same on both servers).
func TestStepPagesFromKeptFragmentsEqualFreshOnes(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixtureWith(t, st, st, Config{BaseURL: "http://uk.test", RespondentCacheTTL: time.Hour})
	fresh, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&f.diag.Questionnaire},
	})
	if err != nil {
		t.Fatal(err)
	}
	fresh.fragments = nil // every page executed as a whole, as before
	freshSrv := httptest.NewServer(fresh.Handler())
	t.Cleanup(freshSrv.Close)

	b := f.browser(t)
	compare := func(what, path string) page {
		t.Helper()
		kept := b.get(path)
		again := b.get(path) // from the fragments the first one left
		b.base = freshSrv.URL
		other := b.get(path)
		b.base = f.srv.URL
		if kept.body != again.body || kept.body != other.body {
			t.Errorf("%s: kept fragments give another page than fresh rendering:\n%s\n---\n%s", what, snippet(again.body), snippet(other.body))
		}
		return again
	}
	_, p := f.start(t, b)
	over := map[string]string{"item-risk_culture_1": "0", "open-obstacle": `Te veel <script>alert("x")</script> & overleg`}
	for i := 1; i <= len(stepsOf(&f.diag.Questionnaire)); i++ {
		action, form := formOf(t, p.body)
		path := strings.TrimPrefix(action, f.srv.URL)
		compare("empty step", path)
		compare("English step", path+"?lang=en")
		compare("Dutch step", path+"?lang=nl")
		// Errors: the empty form posted to both servers.
		withErrors := b.post(action, form)
		b.base = freshSrv.URL
		freshErrors := b.post(action, form)
		b.base = f.srv.URL
		if withErrors.status != 422 || withErrors.body != freshErrors.body {
			t.Errorf("step %d with errors differs (%d)", i, withErrors.status)
		}
		action, form = answerAll(t, p.body, over)
		next := b.post(action, form)
		answered := compare("answered step", path)
		compare("step edited from the review page", path+"?vanaf=controle")
		if i == len(stepsOf(&f.diag.Questionnaire)) && !strings.Contains(answered.body, "&lt;script&gt;") {
			t.Error("the typed open answer is not shown escaped")
		}
		p = b.follow(next)
	}
}

// TestReviewLandingThanksFromKeptShellsEqualFreshOnes does the same for the
// other pages of the flow: the landing page (new, with progress, after
// submitting, with odd queries), the review page (Dutch, English, a typed
// answer with markup, a don't-know) and the thanks page. A second
// respondent then gets the shells the first one left: their pages must
// carry their own CSRF token and nonce, never the first respondent's.
func TestReviewLandingThanksFromKeptShellsEqualFreshOnes(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixture(t, st)
	server := func(cfg Config) (*Server, *httptest.Server) {
		s, err := New(cfg, Deps{Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&f.diag.Questionnaire}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		return s, srv
	}
	keeper, keptSrv := server(Config{BaseURL: "http://uk.test", RespondentCacheTTL: time.Hour})
	fresh, freshSrv := server(Config{BaseURL: "http://uk.test"})
	fresh.fragments = nil
	f.srv = keptSrv
	compare := func(b *browser, what, path string) page {
		t.Helper()
		kept := b.get(path)
		again := b.get(path)
		b.base = freshSrv.URL
		other := b.get(path)
		b.base = f.srv.URL
		if kept.status != other.status || kept.body != again.body || kept.body != other.body {
			t.Errorf("%s: kept shells give another page than fresh rendering:\n%s\n---\n%s", what, snippet(again.body), snippet(other.body))
		}
		return again
	}
	landing := "/d/" + f.diag.Token
	review := landing + "/controle"

	first := f.browser(t)
	for _, q := range []string{"", "?lang=en", "?lang=nl", "?verlopen=1", "?lang=en&x=1"} {
		compare(first, "new respondent's landing page "+q, landing+q)
	}
	over := map[string]string{"item-risk_culture_1": strconv.Itoa(survey.DontKnow), "open-obstacle": `Te veel <script>alert("x")</script> & "kwispeldraad"`}
	f.completeQuestionnaire(t, first, over)
	compare(first, "landing page with progress", landing)
	firstReview := compare(first, "review page", review)
	compare(first, "English review page", review+"?lang=en")
	compare(first, "Dutch review page", review+"?lang=nl")
	if !strings.Contains(firstReview.body, "&lt;script&gt;") || strings.Contains(firstReview.body, "<script>") {
		t.Error("the typed open answer is not shown escaped")
	}
	_, firstForm := formOf(t, firstReview.body)

	second := f.browser(t)
	compare(second, "second respondent's landing page", landing)
	f.completeQuestionnaire(t, second, map[string]string{"item-risk_culture_1": "1"})
	secondReview := compare(second, "second respondent's review page", review)
	action, secondForm := formOf(t, secondReview.body)
	for _, name := range []string{"csrf", "nonce"} {
		if secondForm.Get(name) == "" || secondForm.Get(name) == firstForm.Get(name) {
			t.Errorf("second respondent's %s is %q, the first's %q", name, secondForm.Get(name), firstForm.Get(name))
		}
	}
	if strings.Contains(secondReview.body, "&lt;script&gt;") {
		t.Error("the first respondent's typed answer is on the second respondent's review page")
	}

	if thanks := second.post(action, secondForm); thanks.status != 303 {
		t.Fatalf("submit: %d", thanks.status)
	}
	compare(second, "thanks page", landing+"/bedankt")
	compare(second, "English thanks page", landing+"/bedankt?lang=en")
	compare(second, "landing page after submitting", landing)

	// Nothing a respondent typed stays in memory.
	kept := 0
	for _, e := range keeper.fragments.entries {
		for _, m := range []*sync.Map{&e.html, &e.shells} {
			m.Range(func(_, v any) bool {
				kept++
				if strings.Contains(fmt.Sprint(v), "kwispeldraad") {
					t.Errorf("a typed answer is kept: %s", snippet(fmt.Sprint(v)))
				}
				return true
			})
		}
	}
	if kept == 0 {
		t.Error("nothing was kept")
	}
}
