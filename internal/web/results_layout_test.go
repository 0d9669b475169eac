package web

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

func TestResultsTablesAndChartsFitTheirWidth(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		rf := newResultsFixture(t, st)
		d := rf.create(t, wave{perUnit: []int{12, 12}, seed: 41})
		p := rf.b.get(resultsPath(d.ID))
		if p.status != 200 {
			t.Fatalf("results: %d", p.status)
		}
		// Heat map columns: a short label, the full name in the title.
		if !strings.Contains(p.body, `<th scope="col"><abbr title="Uitvoeringskracht-index">Index</abbr></th>`) {
			t.Error("the index column has no short label")
		}
		abbr := regexp.MustCompile(`<th scope="col"><abbr title="([^"]+)">([^<]+)</abbr></th>`).FindAllStringSubmatch(p.body, -1)
		if len(abbr) < 2*6 {
			t.Errorf("only %d short column labels in the two heat maps", len(abbr))
		}
		for _, m := range abbr {
			if len([]rune(m[2])) > 14 || strings.Contains(m[2], " ") || len(m[2]) >= len(m[1]) {
				t.Errorf("column label %q for %q is not a short single word", m[2], m[1])
			}
		}
		// Every chart is drawn wide and narrow; the narrow drawing is 320
		// wide, so shown on a 296-360 px phone its text is 13 px scaled by
		// 0.93-1.1: 12 px or more. Its lines fit in the width.
		wide := strings.Count(p.body, `<svg class="chart chart-wide"`)
		narrow := regexp.MustCompile(`(?s)<svg class="chart chart-narrow" viewBox="0 0 (\d+) \d+".*?</svg>`).FindAllStringSubmatch(p.body, -1)
		if wide < 3 || len(narrow) != wide {
			t.Fatalf("%d wide and %d narrow charts", wide, len(narrow))
		}
		font := regexp.MustCompile(`font-size="(\d+)"`)
		line := regexp.MustCompile(`<tspan x="[0-9.]+" y="[0-9.]+">([^<]*)</tspan>`)
		for _, svg := range narrow {
			if svg[1] != "320" {
				t.Errorf("a narrow chart is %s wide", svg[1])
			}
			for _, f := range font.FindAllStringSubmatch(svg[0], -1) {
				if n, _ := strconv.Atoi(f[1]); n < 13 {
					t.Errorf("a narrow chart has %d px text", n)
				}
			}
			for _, l := range line.FindAllStringSubmatch(svg[0], -1) {
				if text := html.UnescapeString(l[1]); len([]rune(text)) > narrowChart.wrap && strings.Contains(text, " ") {
					t.Errorf("a narrow chart's line is too long: %q", text)
				}
			}
		}
		// The style sheet shows one of the two.
		css := rf.b.get("/static/style.css").body
		if !strings.Contains(css, ".chart-narrow { display: none; }") || !strings.Contains(css, "@media (max-width: 40em)") || strings.Contains(css, ".heat-map thead th { overflow-wrap: anywhere") {
			t.Error("the style sheet does not switch the charts or still breaks words anywhere")
		}
	})
}

func TestWrapLinesAtItsEdges(t *testing.T) {
	for _, c := range []struct {
		in   string
		wrap int
		want []string
	}{
		{"", 10, []string{""}},
		{"abc def", 7, []string{"abc def"}},
		{"abc defg", 7, []string{"abc", "defg"}},
		{"Uitvoeringskrachtindex x", 5, []string{"Uitvoeringskrachtindex", "x"}},
		{"a b c d", 3, []string{"a b", "c d"}},
	} {
		if got := wrapLines(c.in, c.wrap); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapLines(%q, %d) = %q, want %q", c.in, c.wrap, got, c.want)
		}
	}
}
