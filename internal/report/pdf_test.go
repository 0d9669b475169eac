package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// number parses a number as the report prints it (Dutch: 1.234,5 and a
// true minus sign).
func number(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.ReplaceAll(s, ".", "")
	s = strings.ReplaceAll(s, ",", ".")
	s = strings.ReplaceAll(s, "−", "-")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// squash joins the lines of pdftotext output with single spaces, so that
// labels wrapped over two lines read as one.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// jsonResult is the part of the results JSON the summary prints. The test
// reads the JSON rather than the Go values, so that it checks the report
// against what the API hands out.
type jsonResult struct {
	N         int `json:"n"`
	Responses int `json:"responses"`
	Index     struct {
		N    int      `json:"n"`
		Mean *float64 `json:"mean"`
	} `json:"index"`
	Factors []struct {
		ID    string `json:"id"`
		Score struct {
			N    int      `json:"n"`
			Mean *float64 `json:"mean"`
			Band string   `json:"band"`
		} `json:"score"`
	} `json:"factors"`
	Routes []struct {
		ID    string `json:"id"`
		Score struct {
			Mean *float64 `json:"mean"`
		} `json:"score"`
	} `json:"routes"`
	Priorities []struct {
		Rank     int      `json:"rank"`
		Factor   string   `json:"factor"`
		Score    float64  `json:"score"`
		Impact   *float64 `json:"impact"`
		Strength string   `json:"strength"`
		Basis    string   `json:"basis"`
	} `json:"priorities"`
}

func resultJSON(t *testing.T, res *survey.Result) jsonResult {
	t.Helper()
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var jr jsonResult
	if err := json.Unmarshal(data, &jr); err != nil {
		t.Fatal(err)
	}
	return jr
}

// near reports whether a printed one-decimal number is the JSON value
// rounded.
func near(printed, value float64) bool { return math.Abs(printed-value) <= 0.05+1e-9 }

func TestPDFSummaryMatchesResultsJSON(t *testing.T) {
	in := demoInput(t)
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	jr := resultJSON(t, in.Result)
	q := &in.Diagnostic.Questionnaire
	cover := squash(pdfText(t, pdf, 1, 1))
	// The summary runs onto a second page when the gap paragraph names
	// several factors; chapter 2 starts on a new page after it.
	summary := squash(pdfText(t, pdf, 2, 3))

	if !strings.Contains(cover, "Respondenten "+strconv.Itoa(jr.Responses)+" ("+strconv.Itoa(jr.N)+" volledig genoeg om mee te tellen)") {
		t.Errorf("cover does not print the responses %d and the base n = %d:\n%s", jr.Responses, jr.N, cover)
	}
	// The index panel: the big number, then the name, the interval and n.
	m := regexp.MustCompile(`1 Samenvatting (\d+,\d) Uitvoeringskracht-index bandbreedte [^·]+ · n = (\d+)`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no index panel in the summary:\n%s", summary)
	}
	if got := number(t, m[1]); !near(got, *jr.Index.Mean) {
		t.Errorf("index printed %v, JSON %v", got, *jr.Index.Mean)
	}
	if got, _ := strconv.Atoi(m[2]); got != jr.Index.N {
		t.Errorf("index n printed %d, JSON %d", got, jr.Index.N)
	}
	words := map[string]string{"red": "rood", "amber": "oranje", "green": "groen"}
	for _, f := range jr.Factors {
		fac, _ := q.Factor(f.ID)
		name := typographic(fac.Name.In("nl"))
		re := regexp.MustCompile(regexp.QuoteMeta(name) + ` (\d+,\d) (rood|oranje|groen)`)
		m := re.FindStringSubmatch(summary)
		if m == nil {
			t.Errorf("factor %s (%q) has no score and traffic light in the summary", f.ID, name)
			continue
		}
		if got := number(t, m[1]); !near(got, *f.Score.Mean) {
			t.Errorf("factor %s printed %v, JSON %v", f.ID, got, *f.Score.Mean)
		}
		if m[2] != words[f.Score.Band] {
			t.Errorf("factor %s traffic light %q, JSON band %q", f.ID, m[2], f.Score.Band)
		}
	}
	if len(jr.Priorities) != 3 {
		t.Fatalf("the demo should have 3 priorities, JSON has %d", len(jr.Priorities))
	}
	for _, p := range jr.Priorities {
		fac, _ := q.Factor(p.Factor)
		name := typographic(fac.Name.In("nl"))
		// The words of the link are those of the JSON's strength, and a
		// priority chosen for its score says so (methodology section 15).
		words := survey.LinkStrength(p.Strength).Label(*p.Impact < 0).In("nl")
		if p.Basis == string(survey.BasisScore) {
			words = "gekozen om de lage score, " + words
		}
		re := regexp.MustCompile(strconv.Itoa(p.Rank) + " " + regexp.QuoteMeta(name) + ` score (\d+,\d), \p{L}+; ` +
			regexp.QuoteMeta(words) + ` met het resultaat \(r = (−?\d+,\d\d)\)`)
		m := re.FindStringSubmatch(summary)
		if m == nil {
			t.Errorf("priority %d (%s) is not printed as such:\n%s", p.Rank, name, summary)
			continue
		}
		if got := number(t, m[1]); !near(got, p.Score) {
			t.Errorf("priority %d printed score %v, JSON %v", p.Rank, got, p.Score)
		}
		if got := number(t, m[2]); math.Abs(got-*p.Impact) > 0.005+1e-9 {
			t.Errorf("priority %d printed impact %v, JSON %v", p.Rank, got, *p.Impact)
		}
	}
	// Priorities appear in rank order.
	last := -1
	for _, p := range jr.Priorities {
		fac, _ := q.Factor(p.Factor)
		i := strings.Index(summary, strconv.Itoa(p.Rank)+" "+typographic(fac.Name.In("nl"))+" score")
		if i < last {
			t.Errorf("priority %d printed before priority %d", p.Rank, p.Rank-1)
		}
		last = i
	}
	for _, r := range jr.Routes {
		route := q.Routes[slicesIndex(q.Routes, r.ID)]
		re := regexp.MustCompile(regexp.QuoteMeta(typographic(route.Name.In("nl"))) + ` (\d+,\d) (rood|oranje|groen)`)
		m := re.FindStringSubmatch(summary)
		if m == nil || !near(number(t, m[1]), *r.Score.Mean) {
			t.Errorf("route %s: printed %v, JSON %v", r.ID, m, *r.Score.Mean)
		}
	}
}

func slicesIndex(routes []survey.Route, id string) int {
	for i, r := range routes {
		if r.ID == id {
			return i
		}
	}
	return -1
}

func TestPDFPassesQPDFAndHasMetadata(t *testing.T) {
	in := demoInput(t)
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	for _, want := range []string{"/Lang (nl)", "/DisplayDocTitle true", "/Outlines", "/CreationDate (D:20250414090000"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
	info := pdfInfo(t, pdf)
	for key, want := range map[string]string{
		"Title":   "Adviesrapport uitvoeringskracht – Gemeente Zuiderhaven",
		"Author":  "Adviesbureau De Brug",
		"Subject": "Meting voorjaar 2025",
	} {
		if info[key] != want {
			t.Errorf("%s = %q, want %q", key, info[key], want)
		}
	}
	if size := len(pdf); size > 2<<20 {
		t.Errorf("PDF is %d bytes", size)
	}
}

// pdfInfo reads the document information with pdfinfo.
func pdfInfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	tool := needTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := execOutput(tool, "-enc", "UTF-8", path)
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	info := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

func TestPDFAndHTMLAreDeterministic(t *testing.T) {
	in := demoInput(t)
	a, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same input differ")
	}
	h1, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h1, h2) {
		t.Error("two HTML renderings of the same input differ")
	}
}

// TestPDFGoldenText compares the text of the demo report with a snapshot.
// Run with -update after an intended change and review the diff.
func TestPDFGoldenText(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			in := demoInput(t)
			in.Lang = lang
			pdf, err := PDF(in)
			if err != nil {
				t.Fatal(err)
			}
			got := pdfText(t, pdf, 0, 0)
			golden := filepath.Join("testdata", "demo-"+lang+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestPDFGoldenText -update)", err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("text differs from %s at line %d:\n got: %q\nwant: %q\n(run with -update if intended)", golden, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("text differs from %s in length: %d lines, want %d", golden, len(gl), len(wl))
			}
		})
	}
}

func TestPDFEnglish(t *testing.T) {
	in := demoInput(t)
	in.Lang = "en"
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pdf, []byte("/Lang (en)")) {
		t.Error("no /Lang (en)")
	}
	text := squash(pdfText(t, pdf, 0, 0))
	for _, want := range []string{"1 Summary", "Execution power index", "Three priorities", "Page 2 of", "Cronbach’s alpha"} {
		if !strings.Contains(text, want) {
			t.Errorf("English report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Samenvatting", "duidelijk verschil", "bandbreedte"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("English report contains Dutch %q", unwanted)
		}
	}
}

// TestPDFHostileNames feeds names no one should type but someone will:
// 10,000 characters, right-to-left marks and overrides, control characters,
// characters outside the font's plane, HTML.
func TestPDFHostileNames(t *testing.T) {
	in := demoInput(t)
	long := strings.Repeat("Gemeente Ëë één–€ ’s-Hertogenbosch ", 300) // 10,500 characters
	in.Organisation.Name = "\u202e" + long + "\u200f\x00\x1b😀"
	in.Diagnostic.Name = "<script>alert('x')</script>\nmet regeleinde\tén tab"
	in.Author = strings.Repeat("W", 10000)
	units := append([]survey.Unit(nil), in.Diagnostic.Units...)
	units[1].Name = "\u05e9\u05dc\u05d5\u05dd \u200f" + strings.Repeat("Zeer-lange-afdelingsnaam-zonder-spaties", 20)
	units[2].Name = ""
	in.Diagnostic.Units = units
	pdf, err := PDF(in)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, pdf)
	normal, err := PDF(demoInput(t))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := pageCount(t, pdf), pageCount(t, normal); a != b {
		t.Errorf("hostile names changed the page count from %d to %d", b, a)
	}
	text := pdfText(t, pdf, 1, 1)
	if !strings.Contains(text, "…") || !strings.Contains(text, "Gemeente Ëë één–€ ’s-Hertogenbosch") {
		t.Errorf("the organisation name should be printed, cut with an ellipsis:\n%s", text)
	}
	if strings.ContainsAny(text, "\u202e\u200f\x00\x1b") {
		t.Error("control or direction characters reached the PDF")
	}
	h, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(h, []byte("<script>")) {
		t.Error("the HTML twin does not escape the diagnostic name")
	}
}

func pageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	n, err := strconv.Atoi(pdfInfo(t, pdf)["Pages"])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPDFSparseResult renders a result in which almost nothing may be
// shown: the report must say so instead of failing.
func TestPDFSparseResult(t *testing.T) {
	q := loadQuestionnaire(t)
	hidden := survey.Score{Reason: survey.ReasonTooSmall}
	res := &survey.Result{
		QuestionnaireID: q.ID, QuestionnaireVersion: q.Version, N: 5, MinGroupSize: 5,
		Index: hidden, Outcome: hidden, Priorities: []survey.Priority{},
		Units: survey.Breakdown{Dimension: survey.DimensionUnit, Groups: []survey.Group{{ID: "u1", Reason: survey.ReasonTooSmall}}},
		Roles: survey.Breakdown{Dimension: survey.DimensionRole},
		Gaps: []survey.Comparison{{ID: survey.ComparisonPolicyExecution, GroupA: survey.RolePolicy, GroupB: survey.RoleExecution,
			Differences: []survey.Difference{{Measure: survey.MeasureIndex, Reason: survey.ReasonTooSmall}}}},
	}
	for _, f := range q.Factors {
		res.Factors = append(res.Factors, survey.FactorResult{ID: f.ID, Score: hidden, Reliability: survey.Reliability{InterpretWithCare: true}})
	}
	for _, r := range q.Routes {
		res.Routes = append(res.Routes, survey.RouteResult{ID: r.ID, Score: hidden})
	}
	in := Input{
		Organisation: survey.Organisation{Name: "Klein Waterschap"},
		Diagnostic:   survey.Diagnostic{Name: "Proef", Questionnaire: *q, Units: []survey.Unit{{ID: "u1", Name: "Alles"}}},
		Result:       res,
		GeneratedOn:  fixtureDate,
	}
	for _, lang := range Languages() {
		in.Lang = lang
		pdf, err := PDF(in)
		if err != nil {
			t.Fatal(err)
		}
		qpdfCheck(t, pdf)
		if _, err := HTML(in); err != nil {
			t.Fatal(err)
		}
		if lang == "nl" {
			text := squash(pdfText(t, pdf, 2, 2))
			for _, want := range []string{"minder respondenten dan de minimale groepsgrootte", "geen prioriteiten", "kan niet worden getoond"} {
				if !strings.Contains(text, want) {
					t.Errorf("summary of a sparse result lacks %q:\n%s", want, text)
				}
			}
		}
	}
}

func TestBuildRejectsUnusableInput(t *testing.T) {
	good := demoInput(t)
	for name, mutate := range map[string]func(*Input){
		"no result":        func(in *Input) { in.Result = nil },
		"no date":          func(in *Input) { in.GeneratedOn = time.Time{} },
		"unknown language": func(in *Input) { in.Lang = "fr" },
		"other questionnaire": func(in *Input) {
			r := *in.Result
			r.QuestionnaireID = "other"
			in.Result = &r
		},
	} {
		t.Run(name, func(t *testing.T) {
			in := good
			mutate(&in)
			_, err := PDF(in)
			if survey.ErrorCode(err) != survey.CodeInvalid {
				t.Errorf("PDF: got %v, want an invalid-input error", err)
			}
			_, err = HTML(in)
			if survey.ErrorCode(err) != survey.CodeInvalid {
				t.Errorf("HTML: got %v, want an invalid-input error", err)
			}
		})
	}
}

func TestResponseRate(t *testing.T) {
	res := &survey.Result{N: 120}
	for _, tc := range []struct {
		name  string
		units []survey.Unit
		org   int
		want  string
	}{
		{"unit headcounts", []survey.Unit{{Headcount: 100}, {Headcount: 200}}, 999, "40% (120 van 300 medewerkers)"},
		{"a unit without headcount: organisation", []survey.Unit{{Headcount: 100}, {}}, 1000, "12% (120 van 1.000 medewerkers)"},
		{"unknown", []survey.Unit{{}}, 0, ""},
		{"headcount below respondents", nil, 100, "120 van 100 medewerkers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &builder{d: &doc{num: numbersFor("nl")}, res: res, lang: "nl",
				in: Input{Organisation: survey.Organisation{Headcount: tc.org}, Diagnostic: survey.Diagnostic{Units: tc.units}}}
			if got := b.responseRate(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
