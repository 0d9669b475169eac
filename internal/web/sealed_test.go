package web

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// stateCookies returns the state cookies the browser holds for d's path,
// by name.
func (b *browser) stateCookies(t *testing.T, token string) map[string]string {
	t.Helper()
	u, _ := url.Parse(b.base + "/d/" + token + "/stap/1")
	out := map[string]string{}
	for _, c := range b.c.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, stateCookie) {
			out[c.Name] = c.Value
		}
	}
	return out
}

// setStateCookie puts a state cookie into the browser for d's path.
func (b *browser) setStateCookie(t *testing.T, token, name, value string) {
	t.Helper()
	u, _ := url.Parse(b.base + "/d/" + token)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/d/" + token}})
}

// A state that does not open is no state: whatever the browser sends (a
// changed byte, a cut-off value, another questionnaire's state, a key that
// does not exist, garbage), the respondent lands on the landing page with
// a message and can start again; never an error page.
func TestBrokenStateIsNoState(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		b.follow(b.post(answerAll(t, step1.body, nil)))
		good := b.stateCookies(t, f.diag.Token)[stateCookie+"0"]
		if good == "" {
			t.Fatal("no state cookie after a saved step")
		}
		if p := b.get("/d/" + f.diag.Token + "/stap/2"); p.status != http.StatusOK {
			t.Fatalf("the intact state does not open step 2: %d", p.status)
		}

		// The same questionnaire, another diagnostic: its state opens
		// nothing here.
		other := newFixture(t, st)
		ob := other.browser(t)
		_, ostep := other.start(t, ob)
		ob.follow(ob.post(answerAll(t, ostep.body, nil)))
		foreign := ob.stateCookies(t, other.diag.Token)[stateCookie+"0"]

		raw, err := base64.RawURLEncoding.DecodeString(good)
		if err != nil {
			t.Fatal(err)
		}
		flip := func(i int) string {
			c := append([]byte(nil), raw...)
			c[i] ^= 0x01
			return base64.RawURLEncoding.EncodeToString(c)
		}
		for name, value := range map[string]string{
			"a changed ciphertext byte": flip(len(raw) - 20),
			"a changed tag byte":        flip(len(raw) - 1),
			"a changed nonce byte":      flip(3),
			"an unknown key id":         flip(0),
			"cut off":                   good[:len(good)-10],
			"cut to the key id":         good[:2],
			"another diagnostic's":      foreign,
			"not base64":                "%%%not-a-state",
		} {
			t.Run(name, func(t *testing.T) {
				nb := f.browser(t)
				nb.setStateCookie(t, f.diag.Token, stateCookie+"0", value)
				p := nb.get("/d/" + f.diag.Token + "/stap/2")
				if p.status != http.StatusSeeOther || !strings.Contains(p.location, "verlopen=1") {
					t.Fatalf("step 2 with %s state: %d %s", name, p.status, p.location)
				}
				landing := nb.follow(p)
				if landing.status != http.StatusOK || !strings.Contains(landing.body, "kon niet meer worden gelezen") {
					t.Fatalf("landing with %s state: %d %s", name, landing.status, snippet(landing.body))
				}
				// The landing page alone says so too, and offers a new start.
				if p := nb.get("/d/" + f.diag.Token); p.status != http.StatusOK || !strings.Contains(p.body, "kon niet meer worden gelezen") || !strings.Contains(p.body, "/start") {
					t.Errorf("landing with %s state: %d", name, p.status)
				}
				if p := nb.post("/d/"+f.diag.Token+"/verzenden", url.Values{"nonce": {"x"}, "csrf": {csrfOf(t, nb, "/d/"+f.diag.Token)}}); p.status != http.StatusSeeOther {
					t.Errorf("submit with %s state: %d", name, p.status)
				}
				_, form := formOf(t, landing.body)
				if p := nb.post("/d/"+f.diag.Token+"/start", form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
					t.Errorf("start with %s state: %d %s", name, p.status, p.location)
				}
			})
		}
		if n := countResponses(t, f); n != 0 {
			t.Errorf("%d responses stored from broken states", n)
		}
	})
}

// A state expires 30 days after it was made; one from the future (a
// clock set wrong) opens only within a day.
func TestStateExpires(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixture(t, st)
	now := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	s := &sealer{load: st.SealingKeys, now: func() time.Time { return now }}
	ctx := context.Background()
	p := newProgress(now)
	p.Answers["risk_culture_1"] = 3
	value, err := s.seal(ctx, f.diag, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		later time.Duration
		opens bool
	}{
		{0, true},
		{30 * 24 * time.Hour, true},
		{30*24*time.Hour + 2*time.Minute, false}, // day 31
		{-24 * time.Hour, true},
		{-48 * time.Hour, false},
	} {
		s.now = func() time.Time { return now.Add(tc.later) }
		got, err := s.open(ctx, f.diag, value)
		if tc.opens && (err != nil || got.Answers["risk_culture_1"] != 3) {
			t.Errorf("%v later: %v, want the state", tc.later, err)
		}
		if !tc.opens && err != errBadState {
			t.Errorf("%v later: %v, want no state", tc.later, err)
		}
	}
}

// A key made by another instance after this one loaded its keys is found:
// an unknown key id makes the sealer load the keys again.
func TestSealerReloadsOnAnUnknownKey(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixture(t, st)
	ctx := context.Background()
	now := time.Now()
	keys := map[byte][]byte{1: make([]byte, 32)}
	loads := 0
	load := func(context.Context) (map[byte][]byte, byte, error) {
		loads++
		cur := byte(0)
		for id := range keys {
			cur = max(cur, id)
		}
		return keys, cur, nil
	}
	old := &sealer{load: load, now: func() time.Time { return now }}
	if _, _, err := old.keys(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// Another instance rotates to key 2 and seals with it.
	keys = map[byte][]byte{1: make([]byte, 32), 2: []byte("0123456789abcdef0123456789abcdef")}
	newer := &sealer{load: load, now: func() time.Time { return now }}
	value, err := newer.seal(ctx, f.diag, newProgress(now))
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(keyReloadInterval)
	if _, err := old.open(ctx, f.diag, value); err != nil {
		t.Fatalf("the older instance does not open a state of the newer key: %v", err)
	}
	before := loads
	// A forged key id does not make every request query the database.
	forged, _ := base64.RawURLEncoding.DecodeString(value)
	forged[0] = 99
	for range 5 {
		if _, err := old.open(ctx, f.diag, base64.RawURLEncoding.EncodeToString(forged)); err != errBadState {
			t.Fatalf("forged key id: %v", err)
		}
	}
	if loads-before > 0 {
		t.Errorf("a forged key id made %d key loads within the reload interval", loads-before)
	}
}

// The longest state there can be (every answer given, both open answers at
// their maximum length in 4-byte characters that do not compress) is split
// over cookies a browser keeps, goes through to the stored response intact,
// and its extra cookies are cleared once a shorter state replaces it.
func TestLongestStateTravelsInChunks(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rng := rand.New(rand.NewPCG(1, 2))
		long := func() string {
			var b strings.Builder
			for range 1000 {
				// Any scalar value above the BMP: four bytes each, and
				// random enough that compression gains nothing.
				b.WriteRune(rune(0x10000 + rng.IntN(0x100000)))
			}
			return b.String()
		}
		obstacle, help := long(), long()
		b := f.browser(t)
		_, p := f.start(t, b)
		var biggest *http.Response
		for i := 0; i < 10 && !strings.Contains(p.body, `name="nonce"`); i++ {
			action, form := answerAll(t, p.body, map[string]string{"open-obstacle": obstacle, "open-help": help})
			// The raw response, to see the Set-Cookie headers.
			req, _ := http.NewRequest(http.MethodPost, b.base+action, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("step: %d", resp.StatusCode)
			}
			biggest = resp
			p = b.get(resp.Header.Get("Location"))
		}
		if !strings.Contains(p.body, `name="nonce"`) {
			t.Fatalf("review not reached: %s", snippet(p.body))
		}
		var names []string
		for _, line := range biggest.Header.Values("Set-Cookie") {
			if !strings.HasPrefix(line, stateCookie) {
				continue
			}
			names = append(names, line[:strings.IndexByte(line, '=')])
			// Browsers keep cookies up to 4096 bytes of name, value and
			// attributes.
			if len(line) > 4096 {
				t.Errorf("a state cookie of %d bytes: browsers drop it", len(line))
			}
			for _, attr := range []string{"Path=/d/" + f.diag.Token, "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(line, attr) {
					t.Errorf("state cookie without %s: %.80s…", attr, line)
				}
			}
			if strings.Contains(line, "Max-Age") || strings.Contains(line, "Expires") {
				t.Errorf("the state cookie outlives the browser session: %.80s…", line)
			}
		}
		sort.Strings(names)
		if len(names) < 3 {
			t.Fatalf("the longest state went in %d cookies (%v); want it split", len(names), names)
		}
		t.Logf("the longest state takes %d cookies", len(names))
		if !strings.Contains(p.body, obstacle) || !strings.Contains(p.body, help) {
			t.Fatal("the review page does not show both long open answers")
		}
		action, form := formOf(t, p.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Fatalf("submit: %d %s", p.status, p.location)
		}
		rs, err := st.Responses(context.Background(), f.diag.ID)
		if err != nil || len(rs) != 1 {
			t.Fatalf("responses: %d %v", len(rs), err)
		}
		if rs[0].Open["obstacle"] != obstacle || rs[0].Open["help"] != help {
			t.Error("the long open answers were not stored intact")
		}
		// The "submitted" marker fits one cookie; the other chunks are gone.
		left := b.stateCookies(t, f.diag.Token)
		if len(left) != 1 || left[stateCookie+"0"] == "" {
			t.Errorf("after the submit the browser keeps state cookies %v, want only %s0", keys(left), stateCookie)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// After sending, this browser is told the answers arrived and is not
// invited to answer again: no start button, Back and old pages lead to that
// message, and a replayed submit stores nothing. Only a deliberate,
// explained button starts a second, empty questionnaire, and only where the
// open link admits anyone.
func TestSubmittedBrowserIsNotInvitedAgain(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		review := f.completeQuestionnaire(t, b, nil)
		action, form := formOf(t, review.body)
		b.follow(b.post(action, form))

		landing := b.get("/d/" + f.diag.Token)
		for _, want := range []string{"U hebt de vragenlijst al verstuurd. Bedankt.", "Nog een keer invullen op dit apparaat (bijvoorbeeld voor een collega)", `name="opnieuw"`} {
			if !strings.Contains(landing.body, want) {
				t.Errorf("the landing page after sending lacks %q", want)
			}
		}
		if strings.Contains(landing.body, "button-start") || strings.Contains(landing.body, "Start de vragenlijst") || strings.Contains(landing.body, "kon niet meer worden gelezen") {
			t.Error("the landing page after sending offers to start, or calls the state broken")
		}
		if en := b.get("/d/" + f.diag.Token + "?lang=en"); !strings.Contains(en.body, "You have already submitted the questionnaire. Thank you.") {
			t.Error("the English landing page does not say the questionnaire was submitted")
		}
		// Back to a step, the review page or a replayed start: the landing page.
		for _, path := range []string{"/stap/1", "/stap/3", "/controle"} {
			if p := b.get("/d/" + f.diag.Token + path); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
				t.Errorf("%s after sending: %d %s", path, p.status, p.location)
			}
		}
		_, plain := formOf(t, landing.body)
		plain.Del("opnieuw")
		if p := b.post("/d/"+f.diag.Token+"/start", plain); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
			t.Errorf("start after sending: %d %s", p.status, p.location)
		}
		// The review form sent again: the answers are in already.
		if p := b.post(action, form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Errorf("the submit replayed: %d %s", p.status, p.location)
		}
		if n := countResponses(t, f); n != 1 {
			t.Fatalf("stored %d responses, want 1", n)
		}

		// The deliberate second questionnaire starts empty, with a new nonce.
		again, againForm := formOf(t, landing.body)
		step1 := b.follow(b.post(again, againForm))
		if step1.status != http.StatusOK || strings.Contains(step1.body, " checked") {
			t.Fatalf("the second questionnaire: %d, or it is not empty", step1.status)
		}
		second := f.completeQuestionnaireFrom(t, b, step1)
		_, secondForm := formOf(t, second.body)
		if secondForm.Get("nonce") == form.Get("nonce") {
			t.Fatal("the second questionnaire has the first one's nonce")
		}
		b.follow(b.post(action, secondForm))
		if n := countResponses(t, f); n != 2 {
			t.Fatalf("stored %d responses after the deliberate second one, want 2", n)
		}
	})
}

// completeQuestionnaireFrom answers every step from p to the review page.
func (f *fixture) completeQuestionnaireFrom(t *testing.T, b *browser, p page) page {
	t.Helper()
	for i := 0; i < 10 && !strings.Contains(p.body, `name="nonce"`); i++ {
		p = b.follow(b.post(answerAll(t, p.body, nil)))
	}
	if !strings.Contains(p.body, `name="nonce"`) {
		t.Fatal("review page not reached")
	}
	return p
}

// With access codes there is no second questionnaire on the same device:
// each needs a code of its own.
func TestSubmittedWithCodeOffersNoSecondQuestionnaire(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f, codes := codesFixture(t, st)
	b := f.browser(t)
	f.reviewWithCode(t, b, codes[0], "tekst")
	review := b.get("/d/" + f.diag.Token + "/controle")
	action, form := formOf(t, review.body)
	b.follow(b.post(action, form))
	landing := b.get("/d/" + f.diag.Token)
	if !strings.Contains(landing.body, "U hebt de vragenlijst al verstuurd") || strings.Contains(landing.body, "opnieuw") || strings.Contains(landing.body, `name="code"`) {
		t.Errorf("the landing page of a code diagnostic after sending: %s", snippet(landing.body))
	}
	start := url.Values{"csrf": {form.Get("csrf")}, "opnieuw": {"1"}}
	if p := b.post("/d/"+f.diag.Token+"/start", start); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
		t.Errorf("a second questionnaire with codes: %d %s", p.status, p.location)
	}
}

// The code is spent the moment it is entered, before any answer: the state
// then carries only "accepted". The same code in another browser, even
// before the first respondent sends anything, gets the friendly refusal,
// and the page says what a lost cookie costs.
func TestCodeIsSpentWhenEntered(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, codes := codesFixture(t, st)
		ctx := context.Background()
		b := f.browser(t)
		landing := b.get("/d/" + f.diag.Token)
		if !strings.Contains(landing.body, "Hij is verbruikt zodra u hem invult") {
			t.Error("the code entry does not say that the code is spent when entered")
		}
		_, form := formOf(t, landing.body)
		form.Set("code", codes[0])
		if p := b.post("/d/"+f.diag.Token+"/code", form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/1") {
			t.Fatalf("valid code: %d %s", p.status, p.location)
		}
		if _, used, err := st.AccessCodeCounts(ctx, f.diag.ID); err != nil || used != 1 {
			t.Fatalf("after entering a code: used %d (%v), want 1", used, err)
		}
		state := b.stateCookies(t, f.diag.Token)[stateCookie+"0"]
		if strings.Contains(state, codes[0]) || strings.Contains(state, codeHashOf(f.diag.ID, codes[0])) {
			t.Error("the state cookie carries the code")
		}
		other := f.browser(t)
		_, form2 := formOf(t, other.get("/d/"+f.diag.Token).body)
		form2.Set("code", codes[0])
		if p := other.post("/d/"+f.diag.Token+"/code", form2); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "al gebruikt") {
			t.Errorf("the spent code in another browser: %d", p.status)
		}
		// The state is opened on every step without the database knowing
		// the respondent.
		if p := b.get("/d/" + f.diag.Token + "/stap/1"); p.status != http.StatusOK {
			t.Errorf("step 1 after the code: %d", p.status)
		}
	})
}

// Two instances on one database share the sealing key: a questionnaire
// started on one continues on the other, and survives a restart.
func TestStateOpensOnAnotherInstance(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		next := b.post(answerAll(t, step1.body, nil))
		if next.status != http.StatusSeeOther {
			t.Fatalf("step 1 on A: %d", next.status)
		}
		// Instance B: a new server on the same database.
		g := newFixture(t, st)
		b.base = g.srv.URL
		p := b.get(next.location)
		if p.status != http.StatusOK || !strings.Contains(p.body, "Stap 2 van") {
			t.Fatalf("step 2 on B: %d %s", p.status, snippet(p.body))
		}
		review := f.completeQuestionnaireFrom(t, b, p)
		action, form := formOf(t, review.body)
		if p := b.post(action, form); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/bedankt") {
			t.Fatalf("submit on B: %d %s", p.status, p.location)
		}
		if n := countResponses(t, f); n != 1 {
			t.Fatalf("stored %d, want 1", n)
		}
	})
}

// The encoding keeps every answer a state can hold and refuses bytes that
// do not describe this questionnaire.
func TestProgressEncodingRoundTrip(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	f := newFixture(t, st)
	d := f.diag
	p := newProgress(time.Now())
	p.CodeAccepted, p.Reached = true, 3
	p.Background[survey.BackgroundUnitID] = d.Units[2].ID
	p.Background[survey.BackgroundRole] = "beleid"
	items := d.Questionnaire.AllItems()
	p.Answers[items[0].ID] = survey.DontKnow
	p.Answers[items[1].ID] = d.Questionnaire.Scale.Max
	p.Open["obstacle"] = "Minder overleg, meer doen. Minder overleg, meer doen."
	data, err := (&stateCodec{}).encode(d, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&stateCodec{}).decode(d, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Nonce != p.Nonce || !got.CodeAccepted || got.Reached != 3 || got.Background[survey.BackgroundUnitID] != d.Units[2].ID ||
		got.Answers[items[0].ID] != survey.DontKnow || got.Answers[items[1].ID] != d.Questionnaire.Scale.Max || len(got.Answers) != 2 ||
		got.Open["obstacle"] != p.Open["obstacle"] || len(got.Open) != 1 {
		t.Fatalf("decoded %+v, want %+v", got, p)
	}
	for i := range data {
		if _, err := (&stateCodec{}).decode(d, data[:i]); err == nil {
			t.Errorf("a state cut to %d of %d bytes decodes", i, len(data))
		}
	}
	if _, err := (&stateCodec{}).decode(d, append(data, 0)); err == nil {
		t.Error("a state with a trailing byte decodes")
	}
}

// "Previous step" with part of a step answered keeps what was ticked (issue
// 12): the page is saved without checking it, and the step does not count
// as done, so the next one cannot be skipped to.
func TestPreviousStepKeepsWhatWasTicked(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := f.browser(t)
		_, step1 := f.start(t, b)
		step2 := b.follow(b.post(answerAll(t, step1.body, nil)))
		action, form := answerAll(t, step2.body, nil)
		names := radioNames(step2.body)
		if len(names) < 5 {
			t.Fatalf("step 2 has %d questions", len(names))
		}
		// Three answered (not the first choice), the rest left open.
		for i, name := range names {
			if i < 3 {
				form.Set(name, "4")
			} else {
				form.Del(name)
			}
		}
		form.Set("actie", "terug")
		p := b.post(action, form)
		if p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token+"/stap/1" {
			t.Fatalf("previous step: %d %s", p.status, p.location)
		}
		again := b.get(action)
		for i, name := range names {
			ticked := strings.Contains(again.body, `name="`+name+`" value="4" checked`)
			if i < 3 && !ticked {
				t.Errorf("%s is not kept after going back", name)
			}
			if i >= 3 && regexp.MustCompile(`name="`+name+`" value="[^"]*" checked`).MatchString(again.body) {
				t.Errorf("%s was left open but comes back answered", name)
			}
		}
		if strings.Contains(again.body, "error-summary") {
			t.Error("going back showed errors")
		}
		if p := b.get("/d/" + f.diag.Token + "/stap/3"); p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/stap/2") {
			t.Errorf("step 3 after going back from a half-answered step 2: %d %s", p.status, p.location)
		}
		// From step 1 "Previous step" leads to the landing page, which offers to continue.
		_, form1 := answerAll(t, step1.body, nil)
		form1.Set("actie", "terug")
		if p := b.post("/d/"+f.diag.Token+"/stap/1", form1); p.status != http.StatusSeeOther || p.location != "/d/"+f.diag.Token {
			t.Errorf("previous step from step 1: %d %s", p.status, p.location)
		}
		if p := b.get("/d/" + f.diag.Token); !strings.Contains(p.body, "Ga verder waar u was") {
			t.Error("the landing page does not offer to continue")
		}
	})
}
