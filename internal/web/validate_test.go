package web

import "testing"

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  Gemeente Zuiderhaven ":             "Gemeente Zuiderhaven",
		"\u202eGemeente\u202c":                "Gemeente",
		"a\u202ab\u202bc\u202dd\u2066e\u2069": "abcde",
		"\u05e9\u05dc\u05d5\u05dd \u200f":     "\u05e9\u05dc\u05d5\u05dd \u200f",
		"links\u200e":                         "links\u200e",
		"\u2067\u2068":                        "",
		"<script>{{.}}</script>":              "<script>{{.}}</script>",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
