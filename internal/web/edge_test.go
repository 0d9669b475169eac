package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The tests in this file attack the edge of the service: what a client
// can put into a path, a header, a form or a JSON body.

func TestStaticFilesListNoDirectoryAndServeOneRangeAtMost(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixture(t, st)
	css, err := uitvoeringskracht.Templates.ReadFile("templates/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, header http.Header) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	for _, path := range []string{"/static/", "/static", "/static/.", "/static/./", "/static//"} {
		resp, body := get(path, nil)
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), `href="style.css"`) {
			t.Errorf("GET %s: %d %q lists the directory", path, resp.StatusCode, body)
		}
	}
	if resp, body := get("/static/style.css", nil); resp.StatusCode != http.StatusOK || string(body) != string(css) {
		t.Fatalf("the stylesheet: %d, %d bytes", resp.StatusCode, len(body))
	}

	// One range is served as asked.
	resp, body := get("/static/style.css", http.Header{"Range": {"bytes=0-9"}})
	if resp.StatusCode != http.StatusPartialContent || string(body) != string(css[:10]) {
		t.Errorf("one range: %d %q", resp.StatusCode, body)
	}
	// GO-2026-6609: 3,500 one-byte ranges made a 206 answer 15 times the
	// size of the request. Several ranges now get the file once, with 200.
	ranges := make([]string, 3500)
	for i := range ranges {
		ranges[i] = fmt.Sprintf("%d-%d", i%len(css), i%len(css))
	}
	header := "bytes=" + strings.Join(ranges, ",")
	resp, body = get("/static/style.css", http.Header{"Range": {header}})
	if resp.StatusCode != http.StatusOK || string(body) != string(css) {
		t.Errorf("3,500 ranges: %d, %d bytes (file %d, header %d)", resp.StatusCode, len(body), len(css), len(header))
	}
	for _, h := range [][]string{{"bytes=0-1,5-6"}, {"bytes=0-1", "bytes=5-6"}} {
		resp, body = get("/static/style.css", http.Header{"Range": h})
		if resp.StatusCode != http.StatusOK || len(body) != len(css) || strings.Contains(resp.Header.Get("Content-Type"), "multipart") {
			t.Errorf("ranges %q: %d %s, %d bytes", h, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
}

func TestControlCharactersInPathsAreNotFound(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		tok := f.diag.Token
		_, form := formOf(t, b.get("/d/"+tok).body)
		for _, path := range []string{
			"/d/" + tok + "%00", "/d/" + tok + "%00/stap/1", "/d/" + tok + "%01/controle", "/d/%00",
			"/d/" + tok + "/stap/1%00", "/r/" + tok + "%00", "/r/%7F", "/uitnodiging/x%00", "/diagnoses/x%00", "/organisaties/%1b",
		} {
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, p.status)
			}
		}
		for _, path := range []string{"/d/" + tok + "%00/start", "/d/" + tok + "%00/code", "/uitnodiging/x%00"} {
			if p := b.post(path, form); p.status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, p.status)
			}
		}
		// Before the fix GET /d/TOKEN%00 reached the database, which
		// refused the query: 503 and an ERROR line.
		if logs := f.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("a control character reached the database: %s", logs)
		}
		if p := b.get("/d/" + tok); p.status != http.StatusOK {
			t.Errorf("the real link: %d", p.status)
		}
	})
}

func TestControlCharactersInFormsAreRefusedAndKept(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Noord", "ann@noord.example", true)

		// Sign-in: a NUL in the address answered 500.
		b := f.browser(t)
		p := login(t, b, "ann\x00@noord.example", testPassword)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "onzichtbaar stuurteken") || !strings.Contains(p.body, `value="ann`) {
			t.Errorf("login with a NUL: %d %s", p.status, snippet(p.body))
		}
		b.get("/login?lang=en")
		if p := login(t, b, "ann\x01@noord.example", testPassword); !strings.Contains(p.body, "invisible control character") {
			t.Errorf("login with a control character, English: %d %s", p.status, snippet(p.body))
		}

		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)
		for _, name := range []string{"Gemeente\x00Noord", "Gemeente \x1b[31mNoord", "Gemeente\u0085Noord"} {
			p := postWithCSRF(t, admin, "/organisaties/nieuw", "/organisaties", url.Values{"name": {name}, "sector": {"gemeente"}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "onzichtbaar stuurteken") || !strings.Contains(p.body, "Noord") {
				t.Errorf("organisation %q: %d %s", name, p.status, snippet(p.body))
			}
		}
		if p := postWithCSRF(t, admin, "/team", "/team/uitnodigingen", url.Values{"email": {"dirk\x00@noord.example"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "onzichtbaar stuurteken") {
			t.Errorf("invitation with a NUL: %d %s", p.status, snippet(p.body))
		}
		if p := postWithCSRF(t, admin, "/account", "/account/tokens", url.Values{"name": {"script\x00"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "onzichtbaar stuurteken") {
			t.Errorf("token name with a NUL: %d %s", p.status, snippet(p.body))
		}
		// Tab and line breaks are text, not controls.
		if p := postWithCSRF(t, admin, "/organisaties/nieuw", "/organisaties", url.Values{"name": {"Gemeente\tNoord"}, "sector": {"gemeente"}}); p.status != http.StatusSeeOther {
			t.Errorf("a name with a tab: %d %s", p.status, snippet(p.body))
		}
		if logs := f.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("a control character reached the database: %s", logs)
		}
	})
}

func TestControlCharactersInOpenAnswersAreRefusedAndKept(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, p := f.start(t, b)
		for !strings.Contains(p.body, "open-obstacle") {
			p = b.follow(b.post(answerAll(t, p.body, nil)))
		}
		action, form := answerAll(t, p.body, map[string]string{"open-obstacle": "Te veel\x00 overleg"})
		res := b.post(action, form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "onzichtbaar stuurteken") || !strings.Contains(res.body, "overleg") {
			t.Fatalf("open answer with a NUL: %d %s", res.status, snippet(res.body))
		}
		action, form = answerAll(t, p.body, map[string]string{"open-obstacle": "Te veel overleg,\r\nte weinig mandaat"})
		if res := b.post(action, form); res.status != http.StatusSeeOther {
			t.Fatalf("open answer with a line break: %d %s", res.status, snippet(res.body))
		}
	})
}

func TestControlCharactersInAPIRequestsAreRefused(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAPIFixture(t, st)
		_, token := f.consultant(t, "Adviesbureau Noord", "ann@noord.example")
		for _, path := range []string{"/api/v1/diagnostics/x%00", "/api/v1/organisations/%00", "/api/v1/diagnostics/x%00/results"} {
			f.call(t, token, http.MethodGet, path, nil).problem(t, http.StatusNotFound, "not_found")
		}
		p := f.call(t, token, http.MethodPost, "/api/v1/organisations", `{"name": "Gemeente\u0000Noord", "sector": "gemeente"}`).problem(t, http.StatusBadRequest, "invalid")
		if p.Fields["name"] == "" || !strings.Contains(p.Message, `"name"`) {
			t.Errorf("NUL in a JSON string: %+v", p)
		}
		p = f.call(t, token, http.MethodPost, "/api/v1/organisations", `{"name": "Gemeente Noord", "sector": "gemeente\u001b"}`).problem(t, http.StatusBadRequest, "invalid")
		if p.Fields["sector"] == "" {
			t.Errorf("ESC in a JSON string: %+v", p)
		}
		var list apiOrganisationList
		f.call(t, token, http.MethodGet, "/api/v1/organisations", nil).decode(t, &list)
		if len(list.Organisations) != 0 {
			t.Errorf("a refused request created %+v", list)
		}
	})
}

func TestAPIBodyLimitIsOneJSONError(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newAPIFixture(t, st)
	_, token := f.consultant(t, "Adviesbureau Noord", "ann@noord.example")
	body := `{"name": "` + strings.Repeat("x", 70_000) + `", "sector": "zbo"}`
	var answers []apiProblemBody
	for _, chunked := range []bool{false, true} {
		var r io.Reader = strings.NewReader(body)
		if chunked {
			// No Content-Length: the limit strikes while the body is read.
			r = io.MultiReader(strings.NewReader(body))
		}
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/organisations", r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a := apiAnswer{status: resp.StatusCode, header: resp.Header, body: data}
		answers = append(answers, a.problem(t, http.StatusRequestEntityTooLarge, "request_entity_too_large"))
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("chunked %v: content type %q", chunked, ct)
		}
	}
	if len(answers) == 2 && (answers[0].Code != answers[1].Code || answers[0].Message != answers[1].Message) {
		t.Errorf("with and without Content-Length: %+v and %+v", answers[0], answers[1])
	}
	if len(answers) == 2 && !strings.Contains(answers[0].Message, "process") {
		t.Errorf("not the API's language (English): %q", answers[0].Message)
	}
}

func TestInvitationDoesNotRevealOtherFirmsAccounts(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		ensureConsultant(t, st, "Adviesbureau Zuid", "zara@zuid.example", false)
		admin := f.browser(t)
		signIn(t, f.fixture, admin, "Adviesbureau Noord", "ann@noord.example", true)

		// The attack: an administrator of Noord invites an address and
		// accepts the invitation, to learn whether it has an account
		// elsewhere. Before the fix: 409 "Er bestaat al een account"
		// against 303.
		accept := func(email string) page {
			t.Helper()
			link := invite(t, admin, email)
			b := f.browser(t)
			b.get(link)
			return postWithCSRF(t, b, link, link, url.Values{"password": {"Nieuwe zebra danst tango"}, "password_confirm": {"Nieuwe zebra danst tango"}})
		}
		taken := accept("zara@zuid.example")
		fresh := accept("nieuw@elders.example")
		if taken.status != fresh.status || taken.location != fresh.location || taken.body != fresh.body {
			t.Errorf("an address with an account answers %d %s %q, a new one %d %s %q",
				taken.status, taken.location, snippet(taken.body), fresh.status, fresh.location, snippet(fresh.body))
		}
		// The existing account is untouched and its own password still
		// signs in; the invitation's password does not.
		if p := login(t, f.browser(t), "zara@zuid.example", testPassword); p.status != http.StatusSeeOther {
			t.Errorf("the existing account no longer signs in: %d", p.status)
		}
		if p := login(t, f.browser(t), "zara@zuid.example", "Nieuwe zebra danst tango"); p.status == http.StatusSeeOther {
			t.Error("the invitation's password took over another firm's account")
		}
		cons, err := st.ConsultantByEmail(context.Background(), "zara@zuid.example")
		if err != nil {
			t.Fatal(err)
		}
		if firm, _ := st.FirmByName(context.Background(), "Adviesbureau Zuid"); firm == nil || cons.FirmID != firm.ID {
			t.Error("the account moved to another firm")
		}
		// The link is used up either way.
		if p := admin.get("/team"); strings.Contains(p.body, "zara@zuid.example") {
			t.Error("the invitation is still open")
		}
	})
}

func TestClientKeyGroupsIPv6On64(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not an address", "not an address"},
	} {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRateLimitsKeyIPv6ClientsOnTheir64(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixtureWith(t, st, st, Config{BaseURL: "http://uk.test", RespondentRateLimit: 1, TrustedProxies: []string{"127.0.0.1/32"}})
	// A budget of 2 for 2001:db8:1:2::/64, however the client picks its
	// interface identifier.
	for i, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2"} {
		if got := startFrom(t, f, addr); got != http.StatusSeeOther {
			t.Fatalf("start %d of the /64: %d", i+1, got)
		}
	}
	if got := startFrom(t, f, "2001:db8:1:2:dead:beef:0:1"); got != http.StatusTooManyRequests {
		t.Errorf("a new address in the same /64: %d, want 429", got)
	}
	if got := startFrom(t, f, "2001:db8:1:3::1"); got != http.StatusSeeOther {
		t.Errorf("the next /64: %d, want 303", got)
	}
}

func TestWrongCodesHaveACeilingPerDiagnostic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, codes := codesFixture(t, st)
		s, err := New(Config{BaseURL: "http://uk.test", TrustedProxies: []string{"127.0.0.1/32"}}, Deps{
			Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{&f.diag.Questionnaire},
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		f.srv = srv
		b := f.browser(t)
		_, form := formOf(t, b.get("/d/"+f.diag.Token).body)
		try := func(i int, code string) int {
			t.Helper()
			form.Set("code", code)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/d/"+f.diag.Token+"/code", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// Every try from a new client: the per-client limit never
			// strikes.
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:%x::1", i))
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for i := range codeFailureBurst {
			if got := try(i, "ABCD-EFGH"); got != http.StatusUnprocessableEntity {
				t.Fatalf("wrong code %d: %d, want 422", i+1, got)
			}
		}
		if got := try(codeFailureBurst, "ABCD-EFGH"); got != http.StatusTooManyRequests {
			t.Errorf("a wrong code beyond the ceiling: %d, want 429", got)
		}
		if got := try(codeFailureBurst+1, codes[0]); got != http.StatusTooManyRequests {
			t.Errorf("a right code beyond the ceiling is not tried: %d, want 429", got)
		}
		if issued, used, _ := st.AccessCodeCounts(context.Background(), f.diag.ID); issued != 2 || used != 0 {
			t.Errorf("codes %d issued, %d used", issued, used)
		}
	})
}

func TestFailureCeilingRefills(t *testing.T) {
	clock := newTestClock()
	f := newFailureCeiling(clock.Now, 100, 3)
	for i := range 3 {
		if !f.take("d") {
			t.Fatalf("try %d within the burst refused", i+1)
		}
	}
	if f.take("d") {
		t.Fatal("a fourth try with the burst spent")
	}
	if !f.take("other") {
		t.Fatal("another diagnostic shares the ceiling")
	}
	clock.Advance(35 * time.Second)
	if f.take("d") {
		t.Fatal("a try before one refill (36 s at 100 an hour)")
	}
	clock.Advance(time.Second)
	if !f.take("d") {
		t.Fatal("no try after one refill")
	}
	// An accepted code gives its try back; a full bucket is forgotten.
	f.giveBack("other")
	if _, kept := f.buckets["other"]; kept {
		t.Error("a full bucket is kept")
	}
}

func TestCSRFTokenOnlyFromTheBodyOrHeader(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newAuthFixture(t, st)
		b := f.browser(t)
		signIn(t, f.fixture, b, "Adviesbureau Noord", "ann@noord.example", true)
		token := csrfFrom(t, b, "/organisaties/nieuw")
		form := url.Values{"name": {"Gemeente Noord"}, "sector": {"gemeente"}}
		// The review's attack: the token in the query string.
		if p := b.post("/organisaties?csrf="+url.QueryEscape(token), form); p.status != http.StatusForbidden {
			t.Errorf("token in the query string: %d, want 403", p.status)
		}
		withBoth := url.Values{"name": {"Gemeente Noord"}, "sector": {"gemeente"}, "csrf": {token}}
		if p := b.post("/organisaties?csrf="+url.QueryEscape(token), withBoth); p.status != http.StatusForbidden {
			t.Errorf("token in the query string and the body: %d, want 403", p.status)
		}
		req, _ := http.NewRequest(http.MethodPost, b.base+"/organisaties", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", token)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("token in the header: %d, want 303", resp.StatusCode)
		}
		if p := b.post("/organisaties", withBoth); p.status != http.StatusSeeOther {
			t.Errorf("token in the body: %d, want 303", p.status)
		}
	})
}

func TestCSRFCookieHasTheHostPrefixUnderHTTPS(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	s, err := New(Config{BaseURL: "https://uk.example"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "csrf") {
			csrf = c
		}
	}
	if csrf == nil || csrf.Name != "__Host-uk_csrf" || !csrf.Secure || csrf.Path != "/" || csrf.Domain != "" || !csrf.HttpOnly {
		t.Fatalf("CSRF cookie under https: %+v", csrf)
	}
	// A token planted by a sibling subdomain arrives under the old name,
	// without the prefix: it counts for nothing.
	_, form := formOf(t, string(body))
	planted := "planted-by-a-sibling-subdomain-0123"
	post := func(cookie *http.Cookie, token string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{
			"csrf": {token}, "email": {"ann@noord.example"}, "password": {"wrong password"},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(&http.Cookie{Name: "uk_csrf", Value: planted}, planted); got != http.StatusForbidden {
		t.Errorf("a planted unprefixed cookie: %d, want 403", got)
	}
	if got := post(&http.Cookie{Name: "__Host-uk_csrf", Value: csrf.Value}, form.Get("csrf")); got == http.StatusForbidden {
		t.Errorf("the real cookie and token: %d", got)
	}
}
