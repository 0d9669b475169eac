package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// flashOf returns the text of the page's success message, or "".
func flashOf(body string) string {
	m := regexp.MustCompile(`(?s)<div class="flash" role="status"><p>(.*?)</p></div>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// Closing and reopening are never one click: the diagnostic's page leads
// to a page that says what follows, and only its form changes the state.
// Every step then confirms itself after the redirect, once.
func TestCloseAndReopenAskFirstAndConfirmAfter(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, id := createOrgAndDiagnostic(t, b, "link")
		page := "/diagnoses/" + id
		if got := flashOf(b.get(page).body); !strings.Contains(got, "Meting voorjaar") || !strings.Contains(got, "aangemaakt") {
			t.Errorf("after creating: flash %q", got)
		}
		if got := flashOf(b.get(page).body); got != "" {
			t.Errorf("the flash shows again on reload: %q", got)
		}

		// A draft opens with one click: nothing is final yet.
		p := postForm(t, b, page, page+"/openen", nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("open: %d", p.status)
		}
		open := b.get(page)
		if got := flashOf(open.body); !strings.Contains(got, "is open") {
			t.Errorf("after opening: flash %q", got)
		}
		// The main button of an open diagnostic is not "close", and the
		// close button only asks (a GET form).
		actions := open.body[strings.Index(open.body, `<div class="actions">`):]
		actions = actions[:strings.Index(actions, "</div>")]
		first := regexp.MustCompile(`class="button"[^>]*>([^<]*)<`).FindStringSubmatch(actions)
		if first == nil || strings.Contains(first[1], "Sluiten") {
			t.Errorf("the main action of an open diagnostic: %q", first)
		}
		if !strings.Contains(actions, `<form method="get" action="/diagnoses/`+id+`/sluiten"`) || strings.Contains(actions, `method="post" action="/diagnoses/`+id+`/sluiten"`) {
			t.Errorf("closing is not behind a confirmation: %s", actions)
		}

		ask := b.get(page + "/sluiten")
		text := plainText(ask.body)
		for _, want := range []string{"‘Meting voorjaar’ sluiten?", "niet meer invullen", "definitief", "Ja, sluit de diagnose"} {
			if !strings.Contains(text, want) {
				t.Errorf("the close confirmation lacks %q: %s", want, text)
			}
		}
		if d, _ := st.Diagnostic(context.Background(), id); d.State != survey.StateOpen {
			t.Fatalf("showing the confirmation changed the state to %s", d.State)
		}
		p = postForm(t, b, page+"/sluiten", page+"/sluiten", nil)
		if p.status != http.StatusSeeOther || p.location != page {
			t.Fatalf("close: %d %s", p.status, p.location)
		}
		closed := b.get(page)
		if got := flashOf(closed.body); !strings.Contains(got, "gesloten") || !strings.Contains(got, "definitief") {
			t.Errorf("after closing: flash %q", got)
		}
		if !strings.Contains(closed.body, `<form method="get" action="/diagnoses/`+id+`/openen"`) {
			t.Error("a closed diagnostic does not offer to reopen behind a confirmation")
		}

		ask = b.get(page + "/openen")
		text = plainText(ask.body)
		for _, want := range []string{"opnieuw openen?", "weer invullen", "niet meer definitief"} {
			if !strings.Contains(text, want) {
				t.Errorf("the reopen confirmation lacks %q: %s", want, text)
			}
		}
		p = postForm(t, b, page+"/openen", page+"/openen", nil)
		if got := flashOf(b.follow(p).body); !strings.Contains(got, "opnieuw geopend") {
			t.Errorf("after reopening: flash %q", got)
		}

		// Deleting confirms too, on the organisation's page.
		p = postForm(t, b, page+"/verwijderen", page+"/verwijderen", map[string][]string{"responses": {"0"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", p.status)
		}
		if got := flashOf(b.follow(p).body); !strings.Contains(got, "‘Meting voorjaar’ is verwijderd, met alle antwoorden (aantal: 0).") {
			t.Errorf("after deleting: flash %q", got)
		}
	})
}

// A flash is sealed to the session it was made in: another consultant's
// browser given the cookie shows nothing, and a forged one shows nothing.
func TestFlashIsBoundToTheSession(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.browser(t)
		signIn(t, f, a, "Adviesbureau A", "anna@a.example", false)
		orgID, _ := createOrgAndDiagnostic(t, a, "link")
		u, _ := url.Parse(f.srv.URL + "/")
		var flash *http.Cookie
		for _, c := range a.c.Jar.Cookies(u) {
			if c.Name == flashCookie {
				flash = c
			}
		}
		if flash == nil {
			t.Fatal("no flash cookie after creating a diagnostic")
		}
		other := f.browser(t)
		signIn(t, f, other, "Adviesbureau A", "ben@a.example", false)
		other.c.Jar.SetCookies(u, []*http.Cookie{{Name: flashCookie, Value: flash.Value, Path: "/"}})
		if got := flashOf(other.get("/organisaties/" + orgID).body); got != "" {
			t.Errorf("another session shows the flash: %q", got)
		}
		other.c.Jar.SetCookies(u, []*http.Cookie{{Name: flashCookie, Value: "AAAA" + flash.Value[4:], Path: "/"}})
		if got := flashOf(other.get("/organisaties").body); got != "" {
			t.Errorf("a tampered flash shows: %q", got)
		}
	})
}

// Codes follow Post/Redirect/Get: after a refused count the next good
// request lands on a page without the error, with the new count, that
// starts the download; a reload neither repeats it nor dead-ends.
func TestCodesAfterAWrongCount(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, id := createOrgAndDiagnostic(t, b, "codes")
		page, codesURL := "/diagnoses/"+id, "/diagnoses/"+id+"/codes"
		postForm(t, b, page, page+"/openen", nil)

		bad := postForm(t, b, page, codesURL, map[string][]string{"count": {"12,5"}, "format": {"pdf"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Vul een heel aantal in van 1 tot en met 20.000") ||
			!strings.Contains(bad.body, `value="12,5"`) || !strings.Contains(bad.body, `value="pdf" checked`) {
			t.Fatalf("wrong count: %d %s", bad.status, snippet(bad.body))
		}
		// Reloading the address the form posted to is no dead end.
		if g := b.get(codesURL); g.status != http.StatusSeeOther || !strings.HasPrefix(g.location, page) {
			t.Errorf("GET %s: %d %s", codesURL, g.status, g.location)
		}
		d, _ := st.Diagnostic(context.Background(), id)
		if g := b.get("/organisaties/" + d.OrganisationID + "/diagnoses"); g.status != http.StatusSeeOther || g.location != "/organisaties/"+d.OrganisationID {
			t.Errorf("GET of the new-diagnostic form's address: %d %s", g.status, g.location)
		}

		p := postForm(t, b, page, codesURL, map[string][]string{"count": {"1.200"}})
		if p.status != http.StatusSeeOther || p.location != page+"#codes" {
			t.Fatalf("good count: %d %s %s", p.status, p.location, snippet(p.body))
		}
		shown := b.get(page)
		text := plainText(shown.body)
		if strings.Contains(shown.body, "error-summary") || strings.Contains(text, "Vul een heel aantal") {
			t.Error("the error stays after a successful request")
		}
		if !strings.Contains(text, "Uitgegeven toegangscodes: 1.200, waarvan 0 gebruikt.") || !strings.Contains(flashOf(shown.body), "Nieuwe toegangscodes gemaakt (aantal: 1.200)") {
			t.Errorf("the page after making codes: %s", text)
		}
		if got := shown.header.Get("Refresh"); got != "0; url="+codesURL+"/bestand" {
			t.Errorf("the download does not start: Refresh %q", got)
		}
		file := b.get(codesURL + "/bestand")
		codes := csvCodes(t, []byte(file.body))
		if file.status != http.StatusOK || len(codes) != 1200 {
			t.Fatalf("download: %d, %d codes", file.status, len(codes))
		}
		// The codes downloaded are the codes issued.
		fresh := b.get("/d/" + mustToken(t, st, id))
		_, form := formOf(t, fresh.body)
		form.Set("code", codes[17])
		if p := b.post("/d/"+mustToken(t, st, id)+"/code", form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Errorf("a downloaded code is refused: %d %s", p.status, snippet(p.body))
		}
		// After the download a reload shows the count but does not
		// download again; the same batch stays downloadable.
		again := b.get(page)
		if again.header.Get("Refresh") != "" || !strings.Contains(again.body, "/codes/bestand") {
			t.Errorf("reload after the download: Refresh %q", again.header.Get("Refresh"))
		}
		if n, _, _ := st.AccessCodeCounts(context.Background(), id); n != 1200 {
			t.Errorf("%d codes issued, want 1200", n)
		}
		// Another browser of the same consultant has no batch to fetch.
		other := f.browser(t)
		signIn(t, f, other, "Adviesbureau A", "anna@a.example", false)
		if g := other.get(codesURL + "/bestand"); g.status != http.StatusSeeOther || strings.Contains(g.body, codes[0]) {
			t.Errorf("another browser fetches the batch: %d", g.status)
		}
	})
}

func mustToken(t *testing.T, st *store.Store, id string) string {
	t.Helper()
	d, err := st.Diagnostic(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Token
}

// A codes-only diagnostic never says that the link alone is enough.
func TestLinkHintFollowsTheAccess(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, codes := createOrgAndDiagnostic(t, b, "codes")
		_, link := createOrgAndDiagnostic(t, b, "link")
		const everyone = "Iedereen met de link kan de vragenlijst invullen"
		if body := plainText(b.get("/diagnoses/" + codes).body); strings.Contains(body, everyone) || !strings.Contains(body, "Alleen wie ook een toegangscode heeft") {
			t.Errorf("codes-only diagnostic: %s", body)
		}
		if body := plainText(b.get("/diagnoses/" + link).body); !strings.Contains(body, everyone) {
			t.Error("a link diagnostic no longer says who can answer")
		}
		// The link is shown whole, in a box that wraps, with a copy
		// button the script reveals; the page loads only that script.
		body := b.get("/diagnoses/" + link).body
		if !regexp.MustCompile(`<textarea class="textarea link-box" id="respondent-link"[^>]*readonly[^>]*>http://uk\.test/d/[A-Za-z0-9_-]+</textarea>`).MatchString(body) ||
			!strings.Contains(body, `data-copy="respondent-link"`) || !strings.Contains(body, `<script src="/static/copy.js" defer></script>`) {
			t.Errorf("respondent link: %s", snippet(body))
		}
		if strings.Contains(body, "<script>") {
			t.Error("an inline script")
		}
	})
}

// The copy script is a file under the policy; respondents' pages allow no
// script at all.
func TestScriptPolicy(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		js := b.get("/static/copy.js")
		if js.status != http.StatusOK || !strings.Contains(js.body, "navigator.clipboard") {
			t.Fatalf("copy.js: %d", js.status)
		}
		if csp := js.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("workspace policy %q", csp)
		}
		for _, path := range []string{"/d/" + f.diag.Token, "/r/whatever"} {
			if csp := b.get(path).header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s: policy %q", path, csp)
			}
		}
	})
}

func TestRootLeadsToWorkspaceOrLogin(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		if p := b.get("/"); p.status != http.StatusSeeOther || p.location != "/login" {
			t.Errorf("/ without a session: %d %s", p.status, p.location)
		}
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		if p := b.get("/"); p.status != http.StatusSeeOther || p.location != "/organisaties" {
			t.Errorf("/ signed in: %d %s", p.status, p.location)
		}
	})
}

func TestUnitListReportsEveryBadLine(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		orgID, _ := createOrgAndDiagnostic(t, b, "link")
		form := map[string][]string{
			"name": {"Meting najaar"}, "questionnaire": {"uitvoeringskracht@1"}, "min_group_size": {"5"}, "access": {"link"},
			"units": {"Beleid; 1.200\nUitvoering; 12,5\n; 30\nStaf; veel\nbeleid\nIT; -4\nHR; 1200"},
		}
		p := postForm(t, b, "/organisaties/"+orgID+"/diagnoses/nieuw", "/organisaties/"+orgID+"/diagnoses", form)
		text := plainText(p.body)
		for _, want := range []string{
			"Regel 2: Het aantal medewerkers bij ‘Uitvoering’ is ‘12,5’: vul een heel getal in",
			"Regel 3: Elke regel moet beginnen",
			"Regel 4: Het aantal medewerkers bij ‘Staf’ is ‘veel’",
			"Regel 5: De afdeling ‘beleid’ staat er twee keer in.",
			"Regel 6: Het aantal medewerkers bij ‘IT’ is ‘-4’: een aantal kan niet negatief zijn.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("missing %q", want)
			}
		}
		if p.status != http.StatusUnprocessableEntity || strings.Contains(text, "Regel 1:") || strings.Contains(text, "Regel 7:") {
			t.Errorf("%d %s", p.status, text)
		}
		if !strings.Contains(p.body, "Staf; veel") {
			t.Error("the typed list is lost")
		}

		form["units"] = []string{"Beleid; 1.200\nUitvoering; 300"}
		p = postForm(t, b, "/organisaties/"+orgID+"/diagnoses/nieuw", "/organisaties/"+orgID+"/diagnoses", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("1.200: %d %s", p.status, plainText(p.body))
		}
		id := strings.TrimPrefix(p.location, "/diagnoses/")
		d, err := st.Diagnostic(context.Background(), id)
		if err != nil || d.Units[0].Headcount != 1200 {
			t.Fatalf("stored %+v %v", d.Units, err)
		}
		if body := plainText(b.get(p.location).body); !strings.Contains(body, "1.200") {
			t.Error("the headcount is not printed as 1.200")
		}
		if body := b.get(p.location + "/bewerken").body; !strings.Contains(body, "Beleid; 1.200") {
			t.Error("the edit form does not show 1.200")
		}
	})
}

// Once opened, the unit names stay fixed, but a headcount can be
// corrected: it only feeds response rates.
func TestHeadcountCorrectedAfterOpening(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		signIn(t, f, b, "Adviesbureau A", "anna@a.example", false)
		_, id := createOrgAndDiagnostic(t, b, "link")
		page := "/diagnoses/" + id
		postForm(t, b, page, page+"/openen", nil)
		d, _ := st.Diagnostic(context.Background(), id)
		edit := b.get(page + "/bewerken")
		if strings.Contains(edit.body, `<textarea class="textarea" id="units"`) || !strings.Contains(edit.body, `name="headcount-`+d.Units[0].ID+`"`) {
			t.Fatalf("edit form of an opened diagnostic: %s", snippet(edit.body))
		}
		form := url.Values{"csrf": {csrfOf(t, b, page+"/bewerken")}, "name": {"Meting voorjaar"}, "min_group_size": {"5"}}
		form.Set("headcount-"+d.Units[1].ID, "1.200")
		form.Set("headcount-"+d.Units[0].ID, "40,5")
		form.Set("units", "Iets anders; 3")
		p := b.post(page+"/bewerken", form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(plainText(p.body), "Het aantal medewerkers bij ‘Beleid’ is ‘40,5’") || !strings.Contains(p.body, `value="1.200"`) {
			t.Fatalf("bad headcount: %d %s", p.status, plainText(p.body))
		}
		form.Set("headcount-"+d.Units[0].ID, "")
		if p := b.post(page+"/bewerken", form); p.status != http.StatusSeeOther {
			t.Fatalf("correct headcount: %d %s", p.status, plainText(p.body))
		}
		got, _ := st.Diagnostic(context.Background(), id)
		if got.Units[1].Headcount != 1200 || got.Units[0].Headcount != 0 || got.Units[0].Name != "Beleid" || len(got.Units) != 3 {
			t.Errorf("stored units %+v", got.Units)
		}
		if got := flashOf(b.get(page).body); !strings.Contains(got, "opgeslagen") {
			t.Errorf("after editing: flash %q", got)
		}
	})
}

func TestAccessCodeErrorSaysWhatIsWrong(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, _ := codesFixture(t, st)
		b := f.browser(t)
		for typed, want := range map[string]string{
			"abcd-1234": "U typte ‘1’, maar dat komt in een toegangscode niet voor",
			"ABCD-EFG":  "U hebt 7 tekens ingevuld, maar een toegangscode heeft er 8",
			"ABCD_EFGH": "De code bevat ‘_’.",
			"L0CK-B0X2": "U typte ‘L’ en ‘0’",
		} {
			landing := b.get("/d/" + f.diag.Token)
			_, form := formOf(t, landing.body)
			form.Set("code", typed)
			p := b.post("/d/"+f.diag.Token+"/code", form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(plainText(p.body), want) {
				t.Errorf("%q: %d, want %q in %s", typed, p.status, want, plainText(p.body))
			}
		}
	})
}

func TestDirectorLinkLabelAndDateMessages(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newReportsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{10, 10}, seed: 26})
		expires := rf.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		p := postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", map[string][]string{"expires_on": {""}, "lang": {"nl"}, "label": {"MT Uitvoering"}})
		text := plainText(p.body)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(text, "Vul in tot en met welke dag de link geldig is, bijvoorbeeld") || !strings.Contains(p.body, `value="MT Uitvoering"`) {
			t.Errorf("empty date: %d %s", p.status, text)
		}
		p = postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", map[string][]string{"expires_on": {"morgen"}, "lang": {"nl"}})
		if !strings.Contains(plainText(p.body), "‘morgen’ is geen datum die we kunnen lezen") {
			t.Errorf("bad date: %s", plainText(p.body))
		}
		p = postForm(t, rf.b, resultsPath(d.ID), "/diagnoses/"+d.ID+"/directielinks", map[string][]string{"expires_on": {expires}, "lang": {"nl"}, "label": {"MT Uitvoering"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("labelled link: %d", p.status)
		}
		p = rf.b.get(resultsPath(d.ID))
		if got := flashOf(p.body); !strings.Contains(got, "De directielink voor MT Uitvoering is gemaakt") {
			t.Errorf("after making a link: flash %q", got)
		}
		// A reload shows the same link again and makes no second one.
		again := rf.b.get(resultsPath(d.ID))
		if m1, m2 := reDirectorLink.FindStringSubmatch(p.body), reDirectorLink.FindStringSubmatch(again.body); m1 == nil || m2 == nil || m1[1] != m2[1] {
			t.Errorf("the new link on reload: %v %v", m1, m2)
		}
		if links, _ := st.ListDirectorLinks(context.Background(), d.Organisation.FirmID, d.ID); len(links) != 1 {
			t.Errorf("%d links stored, want 1", len(links))
		}
		// Another session of the same consultant does not see the token.
		other := rf.browser(t)
		signIn(t, rf.fixture, other, "Adviesbureau A", "anna@a.example", false)
		if m := reDirectorLink.FindStringSubmatch(other.get(resultsPath(d.ID)).body); m != nil {
			t.Error("another session shows the new link's token")
		}
		if p.status != http.StatusOK || !strings.Contains(plainText(p.body), "Directielink voor MT Uitvoering") || !regexp.MustCompile(`<textarea class="textarea link-box" id="new-link"`).MatchString(p.body) {
			t.Fatalf("labelled link: %d %s", p.status, plainText(p.body))
		}
		list := rf.b.get(resultsPath(d.ID))
		if !strings.Contains(list.body, "<td>MT Uitvoering</td>") || !strings.Contains(list.body, "directielink voor MT Uitvoering van") {
			t.Errorf("the list of links does not show the label")
		}
	})
}

func TestParseDutchCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  error
	}{
		{"1200", 1200, nil}, {"1.200", 1200, nil}, {" 12.000.000 ", 12_000_000, nil}, {"1 200", 1200, nil}, {"0", 0, nil},
		{"1,5", 0, errCountDecimal}, {"1.5", 0, errCountDecimal}, {"12.50", 0, errCountDecimal},
		{"1.2000", 0, errCountDecimal}, {"1.200.5", 0, errCountNotDigit}, {"1234.567", 0, errCountNotDigit},
		{"-3", 0, errCountNegative}, {"", 0, errCountEmpty}, {"veel", 0, errCountNotDigit}, {"1e3", 0, errCountNotDigit},
		{"9999999999", 0, errCountTooLarge},
	} {
		got, err := parseDutchCount(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("parseDutchCount(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct {
		n      int
		nl, en string
	}{{0, "0", "0"}, {999, "999", "999"}, {1000, "1.000", "1,000"}, {1200, "1.200", "1,200"}, {12345678, "12.345.678", "12,345,678"}, {-1200, "-1.200", "-1,200"}} {
		if got := formatCount(tc.n, "nl"); got != tc.nl {
			t.Errorf("formatCount(%d, nl) = %q", tc.n, got)
		}
		if got := formatCount(tc.n, "en"); got != tc.en {
			t.Errorf("formatCount(%d, en) = %q", tc.n, got)
		}
	}
}

// deriveCodes is deterministic per seed, gives distinct valid codes, and
// different seeds give different codes.
func TestDeriveCodes(t *testing.T) {
	seed := make([]byte, 32)
	a, b := deriveCodes(seed, 500), deriveCodes(seed, 500)
	seen := map[string]bool{}
	for i, c := range a {
		if n, ok := survey.NormalizeAccessCode(c); !ok || n != c || seen[c] || b[i] != c {
			t.Fatalf("code %d %q", i, c)
		}
		seen[c] = true
	}
	seed[0] = 1
	if deriveCodes(seed, 1)[0] == a[0] {
		t.Error("another seed gives the same code")
	}
}

// The new pages answer 404 for another firm's ids, as every workspace
// route does.
func TestNewPagesCrossFirmNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.browser(t)
		signIn(t, f, a, "Adviesbureau A", "anna@a.example", false)
		orgID, diagID := createOrgAndDiagnostic(t, a, "codes")
		other := f.browser(t)
		signIn(t, f, other, "Bureau B", "bob@b.example", true)
		for _, path := range []string{"/diagnoses/" + diagID + "/openen", "/diagnoses/" + diagID + "/sluiten", "/diagnoses/" + diagID + "/codes",
			"/diagnoses/" + diagID + "/codes/bestand", "/organisaties/" + orgID + "/diagnoses"} {
			if p := other.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d, want 404", path, p.status)
			}
		}
	})
}
