package report

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Gemeente Ëde", "Gemeente Ëde"},
		{"  twee\n\nregels\tmet tab  ", "twee regels met tab"},
		{"\u202eadmin\u202c", "admin"},
		{"links\u200e rechts\u200f", "links rechts"},
		{"isolaat \u2066x\u2069", "isolaat x"},
		{"emoji 😀 buiten BMP", "emoji \uFFFD buiten BMP"},
		{"ongeldig \xff utf-8", "ongeldig \uFFFD utf-8"},
		{"nul\x00byte", "nul byte"},
		{"zero\u200bwidth", "zerowidth"},
		{"\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("kort", 10); got != "kort" {
		t.Errorf("short text changed: %q", got)
	}
	got := truncate("Gemeente Zuiderhaven en omliggende kernen", 30)
	if utf8.RuneCountInString(got) > 30 || !strings.HasSuffix(got, "…") || strings.Contains(got, " …") {
		t.Errorf("truncate = %q", got)
	}
	if got != "Gemeente Zuiderhaven en…" {
		t.Errorf("truncate should cut at a word boundary: %q", got)
	}
	long := strings.Repeat("x", 100)
	if got := truncate(long, 10); got != strings.Repeat("x", 9)+"…" {
		t.Errorf("truncate without spaces = %q", got)
	}
}

func TestTypographic(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"risico's", "risico’s"},
		{"silo's tussen afdelingen", "silo’s tussen afdelingen"},
		{"'ongelukvrij rijden' wordt beloond", "‘ongelukvrij rijden’ wordt beloond"},
		{"'s avonds en 't huis", "’s avonds en ’t huis"},
		{"(‘al’)", "(‘al’)"},
		{"geen aanhalingstekens", "geen aanhalingstekens"},
	} {
		if got := typographic(tc.in); got != tc.want {
			t.Errorf("typographic(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	nl, en := numbersFor("nl"), numbersFor("en")
	for _, tc := range []struct {
		got, want string
	}{
		{nl.score(62.45), "62,5"},
		{nl.score(62.449), "62,4"},
		{nl.score(-0.04), "0,0"},
		{en.score(62.45), "62.5"},
		{nl.fixed(0.125, 2), "0,13"},
		{nl.signed(3.14), "+3,1"},
		{nl.signed(-3.14), "−3,1"},
		{nl.signed(0.01), "0,0"},
		{nl.count(10000), "10.000"},
		{en.count(150000), "150,000"},
		{nl.count(999), "999"},
		{nl.percent(0.415), "42%"},
		{nl.interval(survey.Interval{Low: 58.12, High: 66.74}), "58,1–66,7"},
		{nl.interval(survey.Interval{Low: -3.12, High: 5.2}), "−3,1 tot 5,2"},
		{en.interval(survey.Interval{Low: -3.12, High: -1}), "−3.1 to −1.0"},
		{nl.date(time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)), "3 maart 2025"},
		{en.date(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)), "31 December 2025"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
