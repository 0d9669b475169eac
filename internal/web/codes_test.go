package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// codesFixture turns the fixture's diagnostic into one that admits
// respondents with an access code only, and issues two codes.
func codesFixture(t *testing.T, st *store.Store) (*fixture, []string) {
	t.Helper()
	f := newFixture(t, st)
	ctx := context.Background()
	d := &survey.Diagnostic{OrganisationID: f.diag.OrganisationID, Name: "Met codes", Questionnaire: f.diag.Questionnaire,
		Units: f.diag.Units, State: survey.StateOpen, MinGroupSize: 5, Access: survey.AccessCodes}
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	loaded, err := st.Diagnostic(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.diag = loaded
	codes, err := st.CreateAccessCodes(ctx, d.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	return f, codes
}

func TestRespondentWithAccessCode(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, codes := codesFixture(t, st)
		b := f.browser(t)
		landing := b.get("/d/" + f.diag.Token)
		if !strings.Contains(landing.body, `name="code"`) || strings.Contains(landing.body, "/start") {
			t.Fatal("the landing page of a code-only diagnostic offers no code entry, or a start without code")
		}
		_, form := formOf(t, landing.body)
		// Without a code there is no way in.
		if p := b.post("/d/"+f.diag.Token+"/start", form); p.status != http.StatusSeeOther || strings.Contains(p.location, "/stap/") {
			t.Fatalf("start without a code: %d %s", p.status, p.location)
		}
		form.Set("code", "ABCD-EFGH")
		if p := b.post("/d/"+f.diag.Token+"/code", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Deze code kennen we niet") || !strings.Contains(p.body, `value="ABCD-EFGH"`) {
			t.Fatalf("unknown code: %d %s", p.status, snippet(p.body))
		}
		form.Set("code", " "+strings.ToLower(codes[0][:4])+" "+codes[0][4:])
		p := b.post("/d/"+f.diag.Token+"/code", form)
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Fatalf("valid code: %d %s", p.status, p.location)
		}
		review := b.follow(p)
		for i := 0; i < 10 && !strings.Contains(review.body, `name="nonce"`); i++ {
			review = b.follow(b.post(answerAll(t, review.body, nil)))
		}
		action, submit := formOf(t, review.body)
		if p := b.post(action, submit); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Fatalf("submit with a code: %d %s", p.status, p.location)
		}
		if issued, used, _ := st.AccessCodeCounts(context.Background(), f.diag.ID); issued != 2 || used != 1 {
			t.Errorf("codes issued %d used %d, want 2 and 1", issued, used)
		}
		// The used code opens nothing any more.
		other := f.browser(t)
		_, form2 := formOf(t, other.get("/d/"+f.diag.Token).body)
		form2.Set("code", codes[0])
		if p := other.post("/d/"+f.diag.Token+"/code", form2); p.status != http.StatusUnprocessableEntity {
			t.Errorf("a used code: %d", p.status)
		}
	})
}

func TestCodeEntryIsRateLimited(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, _ := codesFixture(t, st)
		b := f.browser(t)
		_, form := formOf(t, b.get("/d/"+f.diag.Token).body)
		form.Set("code", "ABCD-EFGH")
		limited := false
		for i := 0; i < 15 && !limited; i++ {
			p := b.post("/d/"+f.diag.Token+"/code", form)
			limited = p.status == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("15 wrong codes in a row were never refused with 429")
		}
	})
}
