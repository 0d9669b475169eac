package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The hostile text of TestHostileTextIsShownSafelyEverywhere: markup,
// template syntax, bidirectional controls and spreadsheet formulas, typed
// by a consultant into names and by respondents into open answers.
const (
	payloadScript   = `<script>alert(1)</script>`
	payloadImg      = `"><img src=x onerror=alert(1)>`
	payloadTemplate = `{{.}}{{template "x"}}`
	payloadRLO      = "\u202e" // right-to-left override
	payloadRLM      = "\u200f" // right-to-left mark
	payloadFormula  = `=HYPERLINK("http://x","y")`
)

var (
	// What a consultant types; the service stores and shows it without
	// the direction overrides (cleanText), as hostileOrg and the others.
	typedOrg   = payloadFormula + " " + payloadScript + " {{.}} " + payloadRLO + "Noord" + payloadRLM
	typedDiag  = "+1 " + payloadImg + " " + payloadTemplate + " " + payloadRLM + "Meting"
	typedUnits = []string{
		"-1 </textarea>" + payloadScript,
		"@SUM(A1) " + payloadImg,
		payloadTemplate + " " + payloadRLO + "Zuid" + payloadRLM,
		payloadFormula,
	}
	typedOpen = []string{payloadScript, payloadImg, payloadTemplate, payloadRLO + "omgekeerd" + payloadRLM, payloadFormula, "+1", "-1", "@SUM(A1)"}

	hostileOrg  = cleanText(typedOrg)
	hostileDiag = cleanText(typedDiag)
	// Every unit gets respondents, so every name reaches the answers export.
	// Each stays under the report's 64-character limit for unit names.
	hostileUnits = cleanAll(typedUnits)
	hostileOpen  = cleanAll(typedOpen)
	// hostileMarkup must never reach an HTML page: it would be live markup.
	hostileMarkup = []string{"<script>alert(1)", "<img src=x", "onerror=alert(1)>", "</textarea><"}
)

// hostileRespondents is the number of respondents: at least 10, so that the
// open answers are shown, and 5 per unit, so that every unit is shown in the
// results and in the answers export.
const hostileRespondents = 20

func cleanAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = cleanText(s)
	}
	return out
}

// cut shortens s for a message.
func cut(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

// repeatTo repeats s to exactly n runes.
func repeatTo(s string, n int) string {
	r := []rune(strings.Repeat(s, n/utf8.RuneCountInString(s)+1))
	return string(r[:n])
}

var htmlEscaper = template.Must(template.New("e").Parse(`{{.}}`))

// htmlEscaped is s as html/template writes it in text and in quoted
// attributes.
func htmlEscaped(s string) string {
	var b strings.Builder
	if err := htmlEscaper.Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

// withoutFormatChars drops what the reports drop from names: bidirectional
// controls and other format characters.
func withoutFormatChars(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

// hostileHTMLProblems lists what is unsafe or missing on an HTML page that
// should show the values: raw payload markup anywhere, a value that is not
// shown in its escaped form, template syntax that did not come out
// literally.
func hostileHTMLProblems(body string, shown []string) []string {
	var out []string
	for _, bad := range hostileMarkup {
		if i := strings.Index(body, bad); i >= 0 {
			out = append(out, fmt.Sprintf("raw markup %q: …%s…", bad, body[max(0, i-60):min(len(body), i+60)]))
		}
	}
	literal := false
	for _, s := range shown {
		if !strings.Contains(body, htmlEscaped(s)) {
			out = append(out, fmt.Sprintf("%q is not shown escaped (want %q)", cut(s), cut(htmlEscaped(s))))
		}
		literal = literal || strings.Contains(s, "{{.}}")
	}
	if literal && !strings.Contains(body, "{{.}}") {
		out = append(out, "{{.}} does not appear literally: a template executed it")
	}
	return out
}

func checkHostileHTML(t *testing.T, what string, p page, status int, shown ...string) {
	t.Helper()
	if p.status != status {
		t.Errorf("%s: status %d, want %d: %s", what, p.status, status, snippet(p.body))
		return
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	for _, problem := range hostileHTMLProblems(p.body, shown) {
		t.Errorf("%s: %s", what, problem)
	}
}

// formulaLikeCells lists the cells a spreadsheet could take for a formula.
func formulaLikeCells(rows [][]string) []string {
	var out []string
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				out = append(out, c)
			}
		}
	}
	return out
}

func hasCellValue(rows [][]string, want string) bool {
	for _, row := range rows {
		if slices.Contains(row, want) {
			return true
		}
	}
	return false
}

// hostilePDFText is the text of a PDF by pdftotext, and false when pdftotext is
// missing outside CI; in CI a missing tool fails the test.
func hostilePDFText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pdftotext is required in CI (Debian: apt-get install poppler-utils): %v", err)
		}
		t.Logf("pdftotext not installed, the text of the PDFs is not checked: %v", err)
		return "", false
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out), true
}

// checkHostilePDF checks a PDF download and that its text holds the names
// without bidirectional or control characters.
func checkHostilePDF(t *testing.T, what string, p page, names ...string) {
	t.Helper()
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") {
		t.Errorf("%s: %d %s %q", what, p.status, p.header.Get("Content-Type"), snippet(p.body))
		return
	}
	text, ok := hostilePDFText(t, []byte(p.body))
	if !ok {
		return
	}
	for _, name := range names {
		if want := withoutSpace(withoutFormatChars(name)); !strings.Contains(withoutSpace(text), want) {
			t.Errorf("%s: the text lacks %q:\n%s", what, want, text)
		}
	}
	for _, r := range text {
		if (unicode.IsControl(r) && !strings.ContainsRune("\n\r\t\f", r)) || unicode.Is(unicode.Cf, r) {
			t.Errorf("%s: the text holds %U", what, r)
			break
		}
	}
}

// checkHostileCSV checks an export in CSV: readable, and no cell a spreadsheet
// would take for a formula.
func checkHostileCSV(t *testing.T, what string, p page) [][]string {
	t.Helper()
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %s", what, p.status, p.header.Get("Content-Type"))
	}
	recs := readCSV(t, p.body)
	for _, c := range formulaLikeCells(recs) {
		t.Errorf("%s: cell %q is not neutralised", what, c)
	}
	return recs
}

// checkHostileXLSX checks an export workbook: no formula anywhere, no text
// cell a spreadsheet would take for one. It returns the rows of every sheet.
func checkHostileXLSX(t *testing.T, what string, p page) [][]string {
	t.Helper()
	if p.status != http.StatusOK || p.header.Get("Content-Type") != xlsxContentType {
		t.Fatalf("%s: %d %s", what, p.status, p.header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
	if err != nil {
		t.Fatalf("%s: the workbook cannot be read: %v", what, err)
	}
	defer f.Close()
	var all [][]string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s: sheet %s: %v", what, sh, err)
		}
		for r, row := range rows {
			for col, v := range row {
				ref, _ := excelize.CoordinatesToCellName(col+1, r+1)
				if fm, err := f.GetCellFormula(sh, ref); err != nil || fm != "" {
					t.Errorf("%s: sheet %s: cell %s holds the formula %q (%v)", what, sh, ref, fm, err)
				}
				// A number is a numeric cell, which no spreadsheet takes for
				// a formula, negative or not; text must not look like one.
				typ, err := f.GetCellType(sh, ref)
				if err != nil {
					t.Fatal(err)
				}
				if _, nerr := strconv.ParseFloat(v, 64); nerr == nil && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
					continue
				}
				if len(formulaLikeCells([][]string{{v}})) > 0 {
					t.Errorf("%s: sheet %s: text cell %s %q is not neutralised", what, sh, ref, v)
				}
			}
		}
		all = append(all, rows...)
	}
	return all
}

// newHostileFixture is a server whose consultant (an admin, to see the
// audit log) signs in through the real form, with cheap password hashing.
func newHostileFixture(t *testing.T, st *store.Store) (*fixture, *browser, *survey.Consultant) {
	t.Helper()
	ctx := context.Background()
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{
		Store: st, Files: uitvoeringskracht.Templates, Questionnaires: []*survey.Questionnaire{q},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	hasher := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	s.signIn = signInPolicy{hasher: hasher}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, store: st, logs: logs}

	firm := &survey.Firm{Name: "Adviesbureau A"}
	if err := st.CreateFirm(ctx, firm); err != nil {
		t.Fatal(err)
	}
	cons := &survey.Consultant{FirmID: firm.ID, Email: "anna@a.example", IsAdmin: true}
	if err := st.CreateConsultant(ctx, cons, hasher.Hash(testPassword)); err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	if p := login(t, b, cons.Email, testPassword); p.status != http.StatusSeeOther || p.location != defaultAfterLoginPath {
		t.Fatalf("sign in: %d %s %s", p.status, p.location, snippet(p.body))
	}
	return f, b, cons
}

var (
	reHostileName        = regexp.MustCompile(`id="name" name="name" type="text" value="([^"]*)"`)
	reHostileUnits       = regexp.MustCompile(`(?s)<textarea class="textarea" id="units" name="units"[^>]*>(.*?)</textarea>`)
	reHostileExpiry      = regexp.MustCompile(`name="expires_on" type="date" value="(\d{4}-\d{2}-\d{2})"`)
	reHostileAnswer      = regexp.MustCompile(`(?s)<textarea class="textarea" id="open-obstacle-input"[^>]*>(.*?)</textarea>`)
	reHostileMarkdownTag = regexp.MustCompile(`(^|[^\\])<(script|img|/textarea)`)
)

// hostileRespondent walks one respondent of unit through the questionnaire,
// with the open answers given, and submits. It returns every page it saw.
// With tryTooLong it first posts a 10,000-character open answer, which must
// be refused with a clear message and kept in the form.
func hostileRespondent(t *testing.T, b *browser, token, unit string, open map[string]string, tryTooLong bool) map[string]page {
	t.Helper()
	seen := map[string]page{}
	landing := b.get("/d/" + token)
	seen["landing"] = landing
	action, form := formOf(t, landing.body)
	p := b.follow(b.post(action, form))
	over := map[string]string{prefixBackground + survey.BackgroundUnitID: unit}
	for k, v := range open {
		over[prefixOpen+k] = v
	}
	for n := 1; !strings.Contains(p.body, `name="nonce"`); n++ {
		if p.status != http.StatusOK || n > 20 {
			t.Fatalf("step %d: %d %s", n, p.status, snippet(p.body))
		}
		seen[fmt.Sprintf("step %d", n)] = p
		if tryTooLong && strings.Contains(p.body, `name="open-obstacle"`) {
			tooLong := repeatTo(payloadScript, 10000)
			action, form := answerAll(t, p.body, map[string]string{"open-obstacle": tooLong})
			refused := b.post(action, form)
			if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, "Uw antwoord is te lang. Gebruik maximaal 1000 tekens.") {
				t.Errorf("a 10,000-character open answer: %d %s", refused.status, snippet(refused.body))
			}
			checkHostileHTML(t, "step with a 10,000-character open answer", refused, http.StatusUnprocessableEntity, tooLong)
			if m := reHostileAnswer.FindStringSubmatch(refused.body); m == nil || html.UnescapeString(m[1]) != tooLong {
				t.Error("the step does not keep the 10,000-character open answer")
			}
		}
		action, form := answerAll(t, p.body, over)
		p = b.follow(b.post(action, form))
	}
	seen["review"] = p
	action, form = formOf(t, p.body)
	seen["thanks"] = b.follow(b.post(action, form))
	return seen
}

// TestHostileTextIsShownSafelyEverywhere: organisation, unit and diagnostic
// names and open answers holding HTML, script, template syntax, bidi
// controls and spreadsheet formulas are shown escaped on every page, come
// out of the PDFs without bidi or control characters, and out of the CSV
// and XLSX exports without a cell that could start a formula. A
// 10,000-character name or answer is refused with a clear message, and the
// text stays in the form.
func TestHostileTextIsShownSafelyEverywhere(t *testing.T) {
	// The checkers themselves must catch what they look for: a page whose
	// template marks a name as safe HTML fails, an unneutralised cell is
	// found.
	unsafe := template.Must(template.New("p").Parse(`<h1>{{.}}</h1>`))
	for _, c := range []struct {
		value any
		fails bool
	}{{template.HTML(hostileOrg), true}, {hostileOrg, false}} {
		var b strings.Builder
		if err := unsafe.Execute(&b, c.value); err != nil {
			t.Fatal(err)
		}
		if got := len(hostileHTMLProblems(b.String(), []string{hostileOrg})) > 0; got != c.fails {
			t.Fatalf("hostileHTMLProblems(%T page) found problems: %v, want %v", c.value, got, c.fails)
		}
	}
	if len(formulaLikeCells([][]string{{"'" + payloadFormula, payloadFormula}})) != 1 {
		t.Fatal("formulaLikeCells misses a formula")
	}

	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		f, b, cons := newHostileFixture(t, st)
		ctx := context.Background()

		// A 10,000-character organisation name is refused, and kept.
		tooLong := repeatTo(payloadScript, 10000)
		p := postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{
			"name": {tooLong}, "sector": {"gemeente"}, "headcount": {""},
		})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "De naam mag maximaal 200 tekens hebben.") {
			t.Fatalf("a 10,000-character organisation name: %d %s", p.status, snippet(p.body))
		}
		checkHostileHTML(t, "organisation form with a 10,000-character name", p, http.StatusUnprocessableEntity, tooLong)
		if m := reHostileName.FindStringSubmatch(p.body); m == nil || html.UnescapeString(m[1]) != tooLong {
			t.Error("the organisation form does not keep the 10,000-character name")
		}

		// The hostile names are accepted: the validators limit length, not
		// characters.
		p = postForm(t, b, "/organisaties/nieuw", "/organisaties", map[string][]string{
			"name": {typedOrg}, "sector": {"gemeente"}, "headcount": {"1200"},
		})
		if p.status != http.StatusSeeOther {
			t.Fatalf("create organisation: %d %s", p.status, snippet(p.body))
		}
		orgID := strings.TrimPrefix(p.location, "/organisaties/")
		newDiag := "/organisaties/" + orgID + "/diagnoses/nieuw"
		diagForm := func(name, units string) map[string][]string {
			return map[string][]string{
				"name": {name}, "questionnaire": {"uitvoeringskracht@1"}, "languages": {"en"}, "units": {units},
				"min_group_size": {"5"}, "access": {"link"}, "opens_on": {""}, "closes_on": {""},
			}
		}

		// So are a 10,000-character diagnostic name and unit name.
		tooLongUnit := repeatTo(payloadImg, 10000)
		p = postForm(t, b, newDiag, "/organisaties/"+orgID+"/diagnoses", diagForm(repeatTo(payloadImg, 10000), "Staf\n"+tooLongUnit))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a 10,000-character diagnostic and unit name: %d %s", p.status, snippet(p.body))
		}
		for _, want := range []string{"De naam mag maximaal 200 tekens hebben.", "De naam van een afdeling mag maximaal 100 tekens hebben."} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the diagnostic form lacks %q", want)
			}
		}
		checkHostileHTML(t, "diagnostic form with 10,000-character names", p, http.StatusUnprocessableEntity, repeatTo(payloadImg, 10000), "Staf\n"+tooLongUnit)
		if m := reHostileName.FindStringSubmatch(p.body); m == nil || html.UnescapeString(m[1]) != repeatTo(payloadImg, 10000) {
			t.Error("the diagnostic form does not keep the 10,000-character name")
		}
		if m := reHostileUnits.FindStringSubmatch(p.body); m == nil || strings.TrimSpace(html.UnescapeString(m[1])) != "Staf\n"+tooLongUnit {
			t.Error("the diagnostic form does not keep the 10,000-character unit name")
		}

		units := strings.Join(hostileUnits, "\n")
		p = postForm(t, b, newDiag, "/organisaties/"+orgID+"/diagnoses", diagForm(typedDiag, strings.Join(typedUnits, "\n")))
		m := reDiagnosticID.FindStringSubmatch(p.location)
		if p.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create diagnostic: %d %s %s", p.status, p.location, snippet(p.body))
		}
		diagID := m[1]
		d, err := st.DiagnosticForFirm(ctx, cons.FirmID, diagID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != hostileDiag || d.Organisation.Name != hostileOrg || len(d.Units) != len(hostileUnits) {
			t.Fatalf("stored as %q, %q, %+v", d.Name, d.Organisation.Name, d.Units)
		}
		if strings.Contains(d.Name+d.Organisation.Name+fmt.Sprint(d.Units), payloadRLO) {
			t.Error("a direction override was stored: it could reverse the rest of a line on every page")
		}
		for i, u := range d.Units {
			if u.Name != hostileUnits[i] {
				t.Errorf("unit %d stored as %q, want %q", i, u.Name, hostileUnits[i])
			}
		}

		// The edit forms give back exactly what was typed: saving them
		// unchanged changes nothing.
		editOrg := b.get("/organisaties/" + orgID + "/bewerken")
		checkHostileHTML(t, "organisation edit form", editOrg, http.StatusOK, hostileOrg)
		if m := reHostileName.FindStringSubmatch(editOrg.body); m == nil || html.UnescapeString(m[1]) != hostileOrg {
			t.Errorf("the organisation edit form holds %v", m)
		}
		if p := postForm(t, b, "/organisaties/"+orgID+"/bewerken", "/organisaties/"+orgID, map[string][]string{
			"name": {html.UnescapeString(reHostileName.FindStringSubmatch(editOrg.body)[1])}, "sector": {"gemeente"}, "headcount": {"1200"},
		}); p.status != http.StatusSeeOther {
			t.Errorf("save the organisation unchanged: %d %s", p.status, snippet(p.body))
		}
		editDiag := b.get("/diagnoses/" + diagID + "/bewerken")
		checkHostileHTML(t, "diagnostic edit form", editDiag, http.StatusOK, hostileOrg, hostileDiag, units)
		if m := reHostileName.FindStringSubmatch(editDiag.body); m == nil || html.UnescapeString(m[1]) != hostileDiag {
			t.Errorf("the diagnostic edit form holds the name %v", m)
		}
		if m := reHostileUnits.FindStringSubmatch(editDiag.body); m == nil || strings.TrimSpace(html.UnescapeString(m[1])) != units {
			t.Errorf("the diagnostic edit form holds the units %v", m)
		}
		if p := postForm(t, b, "/diagnoses/"+diagID+"/bewerken", "/diagnoses/"+diagID+"/bewerken", diagForm(hostileDiag, units)); p.status != http.StatusSeeOther {
			t.Errorf("save the diagnostic unchanged: %d %s", p.status, snippet(p.body))
		}
		if o, err := st.OrganisationForFirm(ctx, cons.FirmID, orgID); err != nil || o.Name != hostileOrg {
			t.Errorf("after saving unchanged the organisation is %q (%v)", o.Name, err)
		}

		// Respondents answer with the same payloads.
		if p := postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/openen", nil); p.status != http.StatusSeeOther {
			t.Fatalf("open: %d %s", p.status, snippet(p.body))
		}
		// Two respondents walk the real forms: the first with every payload
		// in one answer and a 1,000-character answer (the most allowed),
		// and every page it sees is checked. The others, to reach 5 per
		// unit, are stored directly: walking the forms costs a second each.
		allPayloads := strings.Join(hostileOpen, "\n")
		longAnswer := repeatTo(payloadScript, 1000)
		pages := hostileRespondent(t, f.browser(t), d.Token, d.Units[0].ID, map[string]string{"obstacle": allPayloads, "help": longAnswer}, true)
		hostileRespondent(t, f.browser(t), d.Token, d.Units[1].ID, map[string]string{"obstacle": payloadFormula, "help": payloadRLO + "omgekeerd" + payloadRLM}, false)
		for i := 2; i < hostileRespondents; i++ {
			r := &survey.Response{
				DiagnosticID: diagID, SubmittedOn: time.Now().Format(time.DateOnly),
				Background: map[string]string{"role": "beleid", survey.BackgroundUnitID: d.Units[i%len(d.Units)].ID, "tenure": "lt2"},
				Answers:    map[string]int{},
				Open:       map[string]string{"obstacle": hostileOpen[i%len(hostileOpen)], "help": hostileOpen[(i+3)%len(hostileOpen)]},
			}
			for _, it := range d.Questionnaire.AllItems() {
				r.Answers[it.ID] = 1 + i%5
			}
			if err := st.Submit(ctx, freshNonce(), r); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := st.CountResponses(ctx, diagID); err != nil || n != hostileRespondents {
			t.Fatalf("%d responses stored (%v), want %d", n, err, hostileRespondents)
		}
		rs, err := st.Responses(ctx, diagID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rs, func(r survey.Response) bool { return r.Open["obstacle"] == allPayloads && r.Open["help"] == longAnswer }) {
			t.Error("the answers given through the form are not stored as typed")
		}
		for name, pg := range pages {
			var shown []string
			switch name {
			case "landing", "thanks":
				shown = []string{hostileOrg}
			case "step 1":
				shown = hostileUnits
			case "review":
				shown = []string{hostileUnits[0], allPayloads, longAnswer}
			}
			checkHostileHTML(t, "respondent "+name, pg, http.StatusOK, shown...)
		}
		rb := f.browser(t)
		checkHostileHTML(t, "respondent privacy page", rb.get("/d/"+d.Token+"/privacy"), http.StatusOK, append([]string{hostileOrg, hostileDiag}, hostileUnits...)...)

		if p := postForm(t, b, "/diagnoses/"+diagID, "/diagnoses/"+diagID+"/sluiten", nil); p.status != http.StatusSeeOther {
			t.Fatalf("close: %d %s", p.status, snippet(p.body))
		}
		checkHostileHTML(t, "respondent link after closing", rb.get("/d/"+d.Token), http.StatusGone, hostileOrg)

		// Every workspace page that shows the names.
		results := b.get(resultsPath(diagID))
		for what, c := range map[string]struct {
			p     page
			shown []string
		}{
			"organisation list":      {b.get("/organisaties"), []string{hostileOrg}},
			"organisation page":      {b.get("/organisaties/" + orgID), []string{hostileOrg, hostileDiag}},
			"new diagnostic form":    {b.get(newDiag), []string{hostileOrg, hostileDiag}},
			"diagnostic page":        {b.get("/diagnoses/" + diagID), append([]string{hostileOrg, hostileDiag}, hostileUnits...)},
			"delete confirmation":    {b.get("/diagnoses/" + diagID + "/verwijderen"), []string{hostileDiag}},
			"workspace privacy page": {b.get("/diagnoses/" + diagID + "/privacy"), append([]string{hostileOrg, hostileDiag}, hostileUnits...)},
			"results page":           {results, append(append([]string{hostileOrg, hostileDiag, allPayloads, longAnswer}, hostileUnits...), hostileOpen...)},
			"audit log":              {b.get("/audit"), []string{hostileOrg, hostileDiag}},
		} {
			checkHostileHTML(t, what, c.p, http.StatusOK, c.shown...)
		}

		// The privacy notice as Markdown: names as literal text.
		md := b.get("/diagnoses/" + diagID + "/privacy.md")
		if md.status != http.StatusOK || !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") {
			t.Errorf("privacy.md: %d %s", md.status, md.header.Get("Content-Type"))
		}
		if m := reHostileMarkdownTag.FindString(md.body); m != "" {
			t.Errorf("privacy.md holds the live tag %q", m)
		}
		for _, s := range append([]string{hostileOrg, hostileDiag}, hostileUnits...) {
			if want := markdownSpecial.Replace(s); !strings.Contains(md.body, want) {
				t.Errorf("privacy.md lacks %q", want)
			}
		}

		// The reports: the HTML report drops bidi controls, as the PDF does.
		reportShown := []string{withoutFormatChars(hostileOrg), withoutFormatChars(hostileDiag)}
		for _, u := range hostileUnits {
			reportShown = append(reportShown, withoutFormatChars(u))
		}
		checkReport := func(what string, p page) {
			t.Helper()
			checkHostileHTML(t, what, p, http.StatusOK, reportShown...)
			if strings.ContainsAny(p.body, payloadRLO+payloadRLM) {
				t.Errorf("%s: a bidi control reached the report", what)
			}
		}
		checkReport("HTML report", b.get(reportPath(diagID, reportFileHTML)))
		// Unit names are cut to fit the heat map of the PDF; the HTML report
		// above shows them whole.
		checkHostilePDF(t, "PDF report", b.get(reportPath(diagID, reportFilePDF)), hostileOrg, hostileDiag)

		// A director link: the page that shows it, the director's page and
		// reports.
		mm := reHostileExpiry.FindStringSubmatch(results.body)
		if mm == nil {
			t.Fatalf("no expiry date on the results page: %s", snippet(results.body))
		}
		// The link's label is hostile text too; the page it redirects to
		// shows it in the success message, the new link and the list.
		made := postForm(t, b, resultsPath(diagID), "/diagnoses/"+diagID+"/directielinks", map[string][]string{"expires_on": {mm[1]}, "lang": {"nl"}, "label": {hostileDiag}})
		if made.status != http.StatusSeeOther {
			t.Fatalf("director link: %d %s", made.status, snippet(made.body))
		}
		shared := b.get(resultsPath(diagID))
		checkHostileHTML(t, "results page with a new director link", shared, http.StatusOK, hostileOrg, hostileDiag)
		link := reDirectorLink.FindStringSubmatch(shared.body)
		if link == nil {
			t.Fatalf("no director link: %s", snippet(shared.body))
		}
		director := f.browser(t)
		checkHostileHTML(t, "director page", director.get("/r/"+link[1]), http.StatusOK, hostileOrg, hostileDiag)
		checkReport("director's HTML report", director.get("/r/"+link[1]+"/"+reportFileHTML))

		// The exports: every cell that could start a formula is neutralised,
		// and the names are there, neutralised.
		agg := checkHostileCSV(t, "aggregates CSV", b.get(exportPath(diagID, exportAggregatesCSV)))
		aggX := checkHostileXLSX(t, "aggregates XLSX", b.get(exportPath(diagID, exportAggregatesXLSX)))
		for what, rows := range map[string][][]string{"aggregates CSV": agg, "aggregates XLSX": aggX} {
			for _, want := range []string{neutralise(hostileOrg), neutralise(hostileDiag)} {
				if !hasCellValue(rows, want) {
					t.Errorf("%s lacks the cell %q", what, want)
				}
			}
		}
		for what, rows := range map[string][][]string{"aggregates CSV": agg, "aggregates XLSX": aggX} {
			for _, u := range hostileUnits {
				if !hasCellValue(rows, neutralise(u)) {
					t.Errorf("%s lacks the unit cell %q", what, neutralise(u))
				}
			}
		}
	})
}
