package web

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// The statement is public, in both languages, says what was tested, and
// every page's footer links to it.
func TestAccessibilityStatement(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.DialectSQLite))
	b := f.browser(t)

	nl := b.get("/toegankelijkheid")
	if nl.status != http.StatusOK {
		t.Fatalf("status %d: %s", nl.status, snippet(nl.body))
	}
	for _, want := range []string{
		"<h1>Toegankelijkheidsverklaring</h1>", "Nalevingsstatus", "axe-core " + statementAxeVersion,
		"wcag2a, wcag2aa, wcag21a, wcag21aa", "25 november 2026", "360 bij 640", "200 %",
		"Bekende beperkingen", "pdf is niet getagd", "Contact en feedback",
	} {
		if !strings.Contains(nl.body, want) {
			t.Errorf("the Dutch statement lacks %q", want)
		}
	}
	en := b.get("/toegankelijkheid?lang=en")
	if en.status != http.StatusOK || !strings.Contains(en.body, "<h1>Accessibility statement</h1>") || !strings.Contains(en.body, "25 November 2026") {
		t.Errorf("the English statement: %d %s", en.status, snippet(en.body))
	}

	for _, path := range []string{"/toegankelijkheid", "/login", "/d/" + f.diag.Token} {
		p := b.get(path)
		if !strings.Contains(p.body, `<footer`) || !strings.Contains(p.body[strings.Index(p.body, "<footer"):], `<a href="/toegankelijkheid">`) {
			t.Errorf("%s: the footer does not link to the statement", path)
		}
	}
}

// The statement names the axe-core version the tests install: the one
// pinned in .ci/package.json and its lock file.
func TestAccessibilityStatementNamesThePinnedAxeVersion(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSONFile(t, filepath.Join("..", "..", ".ci", "package.json"), &pkg)
	if got := pkg.Dependencies["axe-core"]; got != statementAxeVersion {
		t.Errorf(".ci/package.json pins axe-core %q, the statement names %s", got, statementAxeVersion)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	readJSONFile(t, filepath.Join("..", "..", ".ci", "package-lock.json"), &lock)
	if got := lock.Packages["node_modules/axe-core"].Version; got != statementAxeVersion {
		t.Errorf(".ci/package-lock.json locks axe-core %q, the statement names %s", got, statementAxeVersion)
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
