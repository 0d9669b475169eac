package web

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

const (
	privacyFirm  = "Adviesbureau Noordlicht"
	privacyEmail = "pien@noordlicht.example"
)

// privacyFixture is a server with a retention period of 36 months and a
// diagnostic of privacyFirm with settings unlike the defaults: minimum
// group size 7, three units (one with markup characters in its name) and a
// closing date.
type privacyFixture struct {
	*fixture
	firmID string
}

func newPrivacyFixture(t *testing.T, st *store.Store, access survey.Access) *privacyFixture {
	t.Helper()
	ctx := context.Background()
	cons := ensureConsultant(t, st, privacyFirm, privacyEmail, false)
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	org := &survey.Organisation{FirmID: cons.FirmID, Name: "Gemeente Zeewolde-Zuid", Sector: survey.SectorMunicipality}
	if err := st.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	// Open until 31 May 2027: the diagnostic closes at the start of
	// 1 June, and with 36 months the answers go from 1 June 2030.
	closes := time.Date(2027, 6, 1, 0, 0, 0, 0, time.Local)
	d := &survey.Diagnostic{
		OrganisationID: org.ID, Name: "Meting najaar", Questionnaire: *q, Access: access,
		Units: survey.NewUnits([]string{"Publiekszaken", "Ruimte & *Wonen*", "Bedrijfsvoering"}), State: survey.StateOpen,
		MinGroupSize: 7, ClosesAt: &closes,
	}
	if err := st.CreateDiagnostic(ctx, d); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{BaseURL: "https://uk.test", RetentionMonths: 36}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &privacyFixture{fixture: &fixture{srv: srv, store: st, diag: d, logs: &syncBuffer{}}, firmID: cons.FirmID}
}

// privacyFacts are the sentences that carry this diagnostic's settings, in
// each language: the firm, the minimum group size, the units, the
// retention period and the deletion date.
var privacyFactsByLang = map[string][]string{
	"nl": {
		"Verwerker: " + privacyFirm, "Verwerkingsverantwoordelijke: Gemeente Zeewolde-Zuid",
		"minder dan 7 deelnemers", "Publiekszaken", "Bedrijfsvoering",
		"36 maanden na het sluiten", "31 mei 2027", "1 juni 2030",
		"minstens 10 mensen", "vanaf 14 deelnemers", "Welke rol past het best bij uw werk?", "Korter dan 2 jaar",
		"Weet ik niet / niet van toepassing", "niet het tijdstip", "(HTTPS)",
		"bewaart de server niets van uw antwoorden", "na 30 dagen",
	},
	"en": {
		"Processor: " + privacyFirm, "Controller: Gemeente Zeewolde-Zuid",
		"fewer than 7 participants", "Publiekszaken", "Bedrijfsvoering",
		"36 months after the questionnaire closes", "31 May 2027", "1 June 2030",
		"at least 10 people", "from 14 participants", "Which role fits your work best?", "Less than 2 years",
		"Don't know / not applicable", "not the time", "(HTTPS)",
		"the server keeps nothing of your answers", "after 30 days",
	},
}

// The codes-only paragraph, per language: the code is spent when entered,
// and what that costs.
var privacyCodesText = map[string]string{
	"nl": "Zodra u uw code invult, wordt hij verbruikt en verwijderd, in een eigen databasetransactie die verder niets opslaat",
	"en": "As soon as you enter your code it is spent and deleted, in a database transaction of its own that stores nothing else",
}

func plainText(body string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(body, ""))
}

func TestPrivacyPageShowsTheDiagnosticsSettings(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newPrivacyFixture(t, st, survey.AccessLink)
		b := f.browser(t)
		p := b.get("/d/" + f.diag.Token + "/privacy")
		if p.status != http.StatusOK {
			t.Fatalf("status %d: %s", p.status, snippet(p.body))
		}
		text := plainText(p.body)
		for _, want := range privacyFactsByLang["nl"] {
			if !strings.Contains(text, want) {
				t.Errorf("the notice lacks %q", want)
			}
		}
		if !strings.Contains(p.body, "Ruimte &amp; *Wonen*") {
			t.Error("the notice does not list the unit with markup characters, escaped")
		}
		if !strings.Contains(text, "uk_s0") || strings.Contains(text, "uk_draft") {
			t.Error("the notice does not name the state cookie")
		}
		if !strings.Contains(text, "open link, zonder toegangscodes") || strings.Contains(text, privacyCodesText["nl"]) {
			t.Error("a diagnostic with the open link must say so and not describe access codes")
		}
		if !strings.Contains(p.body, `href="/d/`+f.diag.Token+`"`) {
			t.Error("the notice does not link back to the questionnaire")
		}
		if strings.Contains(p.body, "privacy.md") {
			t.Error("the public notice offers the workspace's download")
		}
		checkPrivacyMarkup(t, p.body)
	})
}

// The structure a screen reader relies on: one h1, then h2s (and no deeper
// level skipped), lists for lists, no tables, no scripts.
func checkPrivacyMarkup(t *testing.T, body string) {
	t.Helper()
	main := body[strings.Index(body, "<main"):strings.Index(body, "</main>")]
	levels := regexp.MustCompile(`<h([1-6])[ >]`).FindAllStringSubmatch(main, -1)
	if len(levels) < 10 || levels[0][1] != "1" {
		t.Fatalf("headings %v: want an h1 first and a heading per section", levels)
	}
	prev := 1
	for _, l := range levels[1:] {
		n := int(l[1][0] - '0')
		if n == 1 || n > prev+1 {
			t.Errorf("headings %v skip a level or repeat the h1", levels)
			break
		}
		prev = n
	}
	for _, bad := range []string{"<table", "<script", " style="} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %s", bad)
		}
	}
	if strings.Count(main, "<ul>") < 8 {
		t.Errorf("the lists of the notice are not marked up as lists")
	}
	if regexp.MustCompile(`privacy\.[a-z_]+\.[a-z_]+`).MatchString(plainText(body)) {
		t.Errorf("a translation key shows instead of its text")
	}
}

func TestPrivacyPageMentionsAccessCodes(t *testing.T) {
	f := newPrivacyFixture(t, storetest.Open(t, store.DialectSQLite), survey.AccessCodes)
	b := f.browser(t)
	for lang, want := range privacyCodesText {
		p := b.get("/d/" + f.diag.Token + "/privacy?lang=" + lang)
		text := plainText(p.body)
		if p.status != http.StatusOK || !strings.Contains(text, want) || !strings.Contains(text, "hash") {
			t.Errorf("%s: the notice of a diagnostic with codes does not explain them (%d)", lang, p.status)
		}
	}
}

func TestPrivacyPageInEnglish(t *testing.T) {
	f := newPrivacyFixture(t, storetest.Open(t, store.DialectSQLite), survey.AccessLink)
	b := f.browser(t)
	nl := b.get("/d/" + f.diag.Token + "/privacy")
	// The language switch of the page itself.
	m := regexp.MustCompile(`<a href="([^"]+)" lang="en"`).FindStringSubmatch(nl.body)
	if m == nil {
		t.Fatal("the page has no language switch to English")
	}
	en := b.get(html.UnescapeString(m[1]))
	if en.status != http.StatusOK || !strings.Contains(en.body, `<html lang="en">`) || !strings.Contains(en.body, "<h1>Privacy notice</h1>") {
		t.Fatalf("English page: %d %s", en.status, snippet(en.body))
	}
	text := plainText(en.body)
	for _, want := range privacyFactsByLang["en"] {
		if !strings.Contains(text, want) {
			t.Errorf("the English notice lacks %q", want)
		}
	}
	checkPrivacyMarkup(t, en.body)
}

func TestPrivacyPageOfAnUnknownLinkIsNotFound(t *testing.T) {
	f := newPrivacyFixture(t, storetest.Open(t, store.DialectSQLite), survey.AccessLink)
	if p := f.browser(t).get("/d/no-such-token/privacy"); p.status != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", p.status)
	}
}

// The notice is there before the questionnaire opens and after it closes,
// and every respondent page links to it.
func TestPrivacyPageIsLinkedFromTheRespondentPages(t *testing.T) {
	f := newPrivacyFixture(t, storetest.Open(t, store.DialectSQLite), survey.AccessLink)
	b := f.browser(t)
	link := `href="/d/` + f.diag.Token + `/privacy"`
	landing, step := f.start(t, b)
	if strings.Count(landing.body, link) != 2 {
		t.Errorf("the landing page should link to the notice in its privacy section and its footer")
	}
	if !strings.Contains(step.body[strings.Index(step.body, "<footer"):], link) {
		t.Error("the footer of a step does not link to the notice")
	}
	if p := b.get("/toegankelijkheid"); strings.Contains(p.body, "/privacy") {
		t.Error("a page outside the questionnaire links to a notice")
	}
	if err := f.store.SetDiagnosticState(context.Background(), f.diag.ID, survey.StateClosed); err != nil {
		t.Fatal(err)
	}
	closed := f.browser(t)
	if p := closed.get("/d/" + f.diag.Token); p.status != http.StatusGone || !strings.Contains(p.body, link) {
		t.Errorf("the closed page: %d, or no link to the notice", p.status)
	}
	if p := closed.get("/d/" + f.diag.Token + "/privacy"); p.status != http.StatusOK {
		t.Errorf("the notice of a closed diagnostic: %d", p.status)
	}
}

func TestPrivacyNoticeInTheWorkspace(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f := newPrivacyFixture(t, st, survey.AccessCodes)
		path := "/diagnoses/" + f.diag.ID + "/privacy"

		// Without an account: to the login page.
		anon := f.browser(t)
		for _, p := range []string{path, path + ".md"} {
			if r := anon.get(p); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
				t.Errorf("GET %s without signing in: %d %s", p, r.status, r.location)
			}
		}

		b := f.browser(t)
		signIn(t, f.fixture, b, privacyFirm, privacyEmail, false)
		diag := b.get("/diagnoses/" + f.diag.ID)
		if !strings.Contains(diag.body, `href="`+path+`"`) || !strings.Contains(diag.body, `href="`+path+`.md"`) {
			t.Error("the diagnostic page does not link to the notice and its download")
		}
		page := b.get(path)
		if page.status != http.StatusOK {
			t.Fatalf("workspace notice: %d %s", page.status, snippet(page.body))
		}
		text := plainText(page.body)
		for _, want := range append(privacyFactsByLang["nl"], privacyCodesText["nl"]) {
			if !strings.Contains(text, want) {
				t.Errorf("the workspace notice lacks %q", want)
			}
		}
		if !strings.Contains(page.body, `href="`+path+`.md"`) || !strings.Contains(page.body, `nav class="workspace-nav"`) {
			t.Error("the workspace notice lacks its download link or the workspace navigation")
		}
		checkPrivacyMarkup(t, page.body)

		md := b.get(path + ".md")
		if md.status != http.StatusOK {
			t.Fatalf("Markdown: %d %s", md.status, snippet(md.body))
		}
		if ct := md.header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := md.header.Get("Content-Disposition"); cd != `attachment; filename="uitvoeringskracht-meting-najaar-privacyverklaring.md"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if !strings.HasPrefix(md.body, "# Privacyverklaring\n\nGemeente Zeewolde-Zuid · Meting najaar\n") {
			t.Errorf("the Markdown does not start with its title: %s", snippet(md.body))
		}
		for _, want := range append(privacyFactsByLang["nl"], privacyCodesText["nl"], "## Wat wordt verzameld", "  - Ruimte & \\*Wonen\\*") {
			if !strings.Contains(md.body, want) {
				t.Errorf("the Markdown lacks %q", want)
			}
		}
		mdEN := b.get(path + ".md?lang=en")
		if !strings.HasPrefix(mdEN.body, "# Privacy notice\n") || !strings.Contains(mdEN.header.Get("Content-Disposition"), "privacy-notice.md") {
			t.Errorf("the English Markdown: %s %s", mdEN.header.Get("Content-Disposition"), snippet(mdEN.body))
		}
		for _, want := range privacyFactsByLang["en"] {
			if !strings.Contains(mdEN.body, want) {
				t.Errorf("the English Markdown lacks %q", want)
			}
		}

		// Another firm's consultant finds nothing.
		other := f.browser(t)
		signIn(t, f.fixture, other, "Bureau Elders", "eva@elders.example", true)
		for _, p := range []string{path, path + ".md"} {
			if r := other.get(p); r.status != http.StatusNotFound {
				t.Errorf("GET %s by another firm: %d, want 404", p, r.status)
			}
		}
	})
}

// The page and the Markdown file say the same: every text of the notice
// is in both.
func TestPrivacyMarkdownAndPageHoldTheSameText(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	md, err := parsePrivacyMarkdown(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	closes := time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)
	for i, d := range []*survey.Diagnostic{
		{Name: "Meting [1]", Organisation: survey.Organisation{Name: "Provincie <Oost>"}, Questionnaire: *q, Access: survey.AccessCodes,
			Units: survey.NewUnits([]string{"# Team_A", "1. Staf", "Beleid & advies"}), MinGroupSize: 9, ClosesAt: &closes},
		{Name: "Meting", Organisation: survey.Organisation{Name: "Waterschap"}, Questionnaire: *q, State: survey.StateClosed},
		{Name: "Meting", Organisation: survey.Organisation{Name: "Waterschap"}, Questionnaire: *q, State: survey.StateOpen},
	} {
		for _, lang := range supportedLanguages() {
			notice := privacyNotice(d, privacyFacts{Firm: "Bureau *Ster*", RetentionMonths: 12, Today: closes}, texts.For(lang))
			out, err := md.render(notice)
			if err != nil {
				t.Fatal(err)
			}
			doc := string(out)
			all := append([]string{notice.Heading, notice.Caption, notice.Generated}, notice.Intro...)
			for _, sec := range notice.Sections {
				all = append(all, sec.Heading)
				all = append(all, sec.Before...)
				all = append(all, sec.After...)
				for _, it := range sec.Items {
					all = append(all, it.Text)
					all = append(all, it.Sub...)
				}
			}
			for _, s := range all {
				if s == "" || strings.HasPrefix(s, "privacy.") {
					t.Errorf("%s: empty text or missing key %q", lang, s)
				}
				if !strings.Contains(doc, markdownText(s)) {
					t.Errorf("%s: the Markdown lacks %q", lang, s)
				}
			}
			for _, want := range []string{"  - \\# Team\\_A", "  - 1\\. Staf", "Provincie \\<Oost\\>", "Meting \\[1\\]", "Bureau \\*Ster\\*"} {
				if i == 0 && !strings.Contains(doc, want) {
					t.Errorf("%s: the Markdown lacks %q:\n%s", lang, want, doc)
				}
			}
		}
	}
}

func TestMarkdownText(t *testing.T) {
	for in, want := range map[string]string{
		"Gemeente Utrecht":       "Gemeente Utrecht",
		"Team *Noord* & Zuid":    `Team \*Noord\* & Zuid`,
		"<b>vet</b>":             `\<b\>vet\</b\>`,
		"# kop":                  `\# kop`,
		"- punt":                 `\- punt`,
		"2026. Jaar":             `2026\. Jaar`,
		"a_b [c](d) `e` | f ~ g": "a\\_b \\[c\\](d) \\`e\\` \\| f \\~ g",
		"&amp; en &#39;":         `\&amp; en \&#39;`,
		"regel\nnog een":         "regel nog een",
		`back\slash`:             `back\\slash`,
	} {
		if got := markdownText(in); got != want {
			t.Errorf("markdownText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetentionMonthsIsChecked(t *testing.T) {
	st := storetest.Open(t, store.DialectSQLite)
	for _, months := range []int{-1, MaxRetentionMonths + 1} {
		if _, err := New(Config{BaseURL: "http://uk.test", RetentionMonths: months}, Deps{Store: st, Files: uitvoeringskracht.Templates}); err == nil {
			t.Errorf("RetentionMonths %d: want an error", months)
		}
	}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil || s.cfg.RetentionMonths != DefaultRetentionMonths {
		t.Errorf("default retention: %v %d", err, s.cfg.RetentionMonths)
	}
}

// The retention section gives a date only where the diagnostic's settings
// fix it: a closing date that has not been overridden by closing by hand.
func TestPrivacyRetentionDate(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 3, 2, 12, 0, 0, 0, time.Local)
	future := time.Date(2026, 7, 1, 0, 0, 0, 0, time.Local)
	past := time.Date(2026, 2, 1, 0, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name   string
		d      survey.Diagnostic
		want   string
		absent string
	}{
		{"open with a closing date", survey.Diagnostic{State: survey.StateOpen, ClosesAt: &future},
			"De laatste dag om in te vullen is 30 juni 2026. De antwoorden worden dan verwijderd vanaf 1 juli 2028.", ""},
		{"closed by its date", survey.Diagnostic{State: survey.StateOpen, ClosesAt: &past},
			"De laatste dag om in te vullen was 31 januari 2026. De antwoorden worden verwijderd vanaf 1 februari 2028.", ""},
		{"closed by hand", survey.Diagnostic{State: survey.StateClosed, ClosesAt: &future, ClosedAt: &past},
			"Deze vragenlijst is gesloten op 1 februari 2026. De antwoorden worden verwijderd vanaf 1 februari 2028.", "juli"},
		{"closed, moment unknown", survey.Diagnostic{State: survey.StateClosed, ClosesAt: &future},
			"Deze vragenlijst is gesloten; de antwoorden worden 24 maanden na de dag van sluiten verwijderd.", "2028"},
		{"no closing date", survey.Diagnostic{State: survey.StateDraft},
			"Deze vragenlijst heeft nog geen sluitdatum. De termijn van 24 maanden begint op de dag dat de adviseur haar sluit.", "2028"},
	} {
		n := privacyNotice(&tc.d, privacyFacts{RetentionMonths: 24, Today: today}, texts.For("nl"))
		var retention []string
		for _, s := range n.Sections {
			if s.ID == "bewaartermijn" {
				for _, it := range s.Items {
					retention = append(retention, it.Text)
				}
			}
		}
		all := strings.Join(retention, "\n")
		if !strings.Contains(all, tc.want) || (tc.absent != "" && strings.Contains(all, tc.absent)) {
			t.Errorf("%s: retention says\n%s\nwant %q", tc.name, all, tc.want)
		}
	}
}
