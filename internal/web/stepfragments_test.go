package web

import (
	"net/http/httptest"
	"strings"
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
