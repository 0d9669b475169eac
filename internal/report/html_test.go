package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestHTMLStructure(t *testing.T) {
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			in := demoInput(t)
			in.Lang = lang
			b, err := HTML(in)
			if err != nil {
				t.Fatal(err)
			}
			h := string(b)
			if !strings.HasPrefix(h, "<!DOCTYPE html>\n<html lang=\""+lang+"\">") {
				t.Errorf("page does not start with a doctype and lang=%q", lang)
			}
			if n := strings.Count(h, "<h1"); n != 1 {
				t.Errorf("%d h1 elements, want 1", n)
			}
			if strings.Contains(h, "<script") || regexp.MustCompile(`\son[a-z]+=`).MatchString(h) {
				t.Error("the page holds script")
			}
			if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(h) {
				t.Error("the page loads an external resource")
			}
			// Headings never skip a level.
			level := 0
			for _, m := range regexp.MustCompile(`<h([1-6])`).FindAllStringSubmatch(h, -1) {
				l, _ := strconv.Atoi(m[1])
				if l > level+1 {
					t.Errorf("heading h%d follows h%d", l, level)
				}
				level = l
			}
			// Every table has a caption and head cells with a scope.
			tables := strings.Count(h, "<table")
			if c := strings.Count(h, "<caption>"); c != tables {
				t.Errorf("%d tables, %d captions", tables, c)
			}
			if m := regexp.MustCompile(`<th(?:\s[^>]*)?>`).FindAllString(h, -1); len(m) == 0 {
				t.Error("no header cells")
			} else {
				for _, th := range m {
					if !strings.Contains(th, `scope="`) {
						t.Errorf("header cell without scope: %s", th)
					}
				}
			}
			// Every chart is an image with a title and a description, and
			// a table follows it.
			svgs := regexp.MustCompile(`(?s)<svg [^>]*>.*?</svg>`).FindAllString(h, -1)
			if len(svgs) < 10 {
				t.Errorf("only %d charts", len(svgs))
			}
			for _, svg := range svgs {
				id := regexp.MustCompile(`aria-labelledby="([^ "]+)-title ([^ "]+)-desc"`).FindStringSubmatch(svg)
				if !strings.Contains(svg, `role="img"`) || id == nil ||
					!strings.Contains(svg, `<title id="`+id[1]+`-title">`) || !regexp.MustCompile(`<desc id="`+id[1]+`-desc">[^<]{10,}</desc>`).MatchString(svg) {
					t.Errorf("chart without role, title or description: %.200s", svg)
				}
				rest := h[strings.Index(h, svg)+len(svg):]
				if next := strings.Index(rest, "<table"); next < 0 || strings.Contains(rest[:next], "<svg") {
					t.Errorf("chart %s is not followed by its table", id)
				}
			}
			// The traffic lights are never colour alone: every chip stands
			// next to its band word.
			for _, m := range regexp.MustCompile(`<span class="chip band-(red|amber|green)" aria-hidden="true"></span>([^<]*)`).FindAllStringSubmatch(h, -1) {
				word := labelsFor(lang).BandWord(survey.Band(m[1]))
				if !strings.HasPrefix(m[2], word) {
					t.Errorf("chip %s followed by %q, not by %q", m[1], m[2], word)
				}
			}
			// The numbers the PDF prints are in the HTML too.
			n := numbersFor(lang)
			for _, f := range in.Result.Factors {
				if !strings.Contains(h, ">"+n.score(*f.Score.Mean)+"<") {
					t.Errorf("factor %s score missing", f.ID)
				}
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	in := demoInput(t)
	in.Organisation.Name = `<img src=x onerror=alert(1)> & "quotes"`
	units := append([]survey.Unit(nil), in.Diagnostic.Units...)
	units[0].Name = "</td><script>x</script>"
	in.Diagnostic.Units = units
	b, err := HTML(in)
	if err != nil {
		t.Fatal(err)
	}
	h := string(b)
	for _, bad := range []string{"<img src=x", "<script>", "</td><script>"} {
		if strings.Contains(h, bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
	if !strings.Contains(h, "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;") {
		t.Error("the organisation name is not shown escaped")
	}
}

// luminance is the WCAG relative luminance of a colour.
func luminance(c rgb) float64 {
	r, g, b := c.parts()
	lin := func(v int) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b rgb) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestColourContrast checks every text-on-background pair of both
// renderers against WCAG 2.1 AA (4.5:1 for normal text), and that the band
// colours stay apart in a greyscale print.
func TestColourContrast(t *testing.T) {
	pairs := []struct {
		name   string
		fg, bg rgb
	}{
		{"text on white", colText, colWhite},
		{"muted on white", colMuted, colWhite},
		{"accent on white", colAccent, colWhite},
		{"white on accent (cover)", colWhite, colAccent},
		{"text on table head", colText, colHead},
		{"muted on hidden cell", colMuted, colHidden},
		{"text on panel", colText, colPanel},
		{"white on disagree", colWhite, colDisagr},
		{"text on neutral", colText, colNeutral},
		{"text on agree", colText, colAgree},
	}
	for _, b := range []survey.Band{survey.BandRed, survey.BandAmber, survey.BandGreen} {
		pairs = append(pairs, struct {
			name   string
			fg, bg rgb
		}{"ink on " + string(b), bandInk(b), bandFill(b)})
	}
	for _, p := range pairs {
		if c := contrast(p.fg, p.bg); c < 4.5 {
			t.Errorf("%s: contrast %.2f below 4.5", p.name, c)
		}
	}
	grey := func(c rgb) float64 {
		r, g, b := c.parts()
		return 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
	}
	red, amber, green := grey(bandFill(survey.BandRed)), grey(bandFill(survey.BandAmber)), grey(bandFill(survey.BandGreen))
	if !(red+40 < green && green+40 < amber) {
		t.Errorf("band colours are too close in greyscale: red %.0f, green %.0f, amber %.0f", red, green, amber)
	}
	if d, a, n := grey(colDisagr), grey(colAgree), grey(colNeutral); !(d+40 < a && a+40 < n) {
		t.Errorf("distribution colours are too close in greyscale: %.0f %.0f %.0f", d, a, n)
	}
	// The CSS must use the same colours as the checks above.
	for _, c := range []rgb{colText, colMuted, colAccent, bandFill(survey.BandRed), bandFill(survey.BandAmber), bandFill(survey.BandGreen)} {
		if !strings.Contains(htmlTemplate, hex(c)) {
			t.Errorf("colour %s is not in the page's styles", hex(c))
		}
	}
}

func TestHTMLStyleSourceMatchesThePage(t *testing.T) {
	b, err := HTML(demoInput(t))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllSubmatch(b, -1)
	if len(m) != 1 {
		t.Fatalf("%d style elements, want 1", len(m))
	}
	sum := sha256.Sum256(m[0][1])
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; HTMLStyleSource() != want {
		t.Errorf("HTMLStyleSource() = %s, the page needs %s", HTMLStyleSource(), want)
	}
	if bytes.Contains(b, []byte(` style="`)) {
		t.Error("a style attribute would need 'unsafe-inline'")
	}
}
