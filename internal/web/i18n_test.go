package web

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uitvoeringskracht/uitvoeringskracht"
)

// Every key a template or handler asks for must exist in every catalog.
func TestEveryUsedTranslationKeyExists(t *testing.T) {
	texts, err := loadTranslations(uitvoeringskracht.Templates)
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`\.Get "([a-z_.]+)"|t\.Get\("([a-z_.]+)"`)
	used := map[string]bool{}
	collect := func(src string) {
		for _, m := range keyRe.FindAllStringSubmatch(src, -1) {
			used[m[1]+m[2]] = true
		}
	}
	err = fs.WalkDir(uitvoeringskracht.Templates, "templates/html", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(uitvoeringskracht.Templates, path)
		collect(string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, _ := fs.Glob(osDir("."), "*.go")
	for _, name := range goFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, _ := fs.ReadFile(osDir("."), name)
		collect(string(data))
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys; the pattern is broken", len(used))
	}
	for key := range used {
		if strings.HasSuffix(key, ".") {
			// A prefix completed at run time ("month."+n); the keys it
			// makes are checked by the pages that use them.
			continue
		}
		for _, lang := range supportedLanguages() {
			if _, ok := texts[lang][key]; !ok {
				t.Errorf("%s: key %q is used but not defined", lang, key)
			}
		}
	}
	// Error pages look up "<key>.heading" for each status key.
	for key := range texts["nl"] {
		if strings.HasPrefix(key, "error.") && strings.HasSuffix(key, ".heading") {
			if _, ok := texts["nl"][strings.TrimSuffix(key, ".heading")]; !ok {
				t.Errorf("heading %q has no message", key)
			}
		}
	}
}

func TestTranslationsMustHaveTheSameKeys(t *testing.T) {
	files := fstest.MapFS{
		"templates/i18n/nl/x.yaml": {Data: []byte("a: A\nb: B\n")},
		"templates/i18n/en/x.yaml": {Data: []byte("a: A\n")},
	}
	_, err := loadTranslations(files)
	if err == nil || !strings.Contains(err.Error(), "en: b") {
		t.Fatalf("want an error naming en: b, got %v", err)
	}
}

func TestMissingPageTemplateFailsAtStartUp(t *testing.T) {
	files := fstest.MapFS{
		"templates/html/layout.html":     {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)},
		"templates/html/formerrors.html": {Data: []byte(`{{define "formerrors"}}{{end}}`)},
		// The shared partial of the message lists (messages.go).
		"templates/html/messagelist.html": {Data: []byte(`{{define "messagelist"}}{{end}}`)},
		"templates/html/plan.html":        {Data: []byte(`{{define "plan-dashboard"}}{{end}}`)},
		"templates/html/newpassword.html": {Data: []byte(`{{define "newpassword"}}{{end}}`)},
	}
	for _, name := range pageNames() {
		files["templates/html/"+name+".html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}x{{end}}`)}
	}
	if _, err := parsePages(files); err != nil {
		t.Fatalf("complete set: %v", err)
	}
	delete(files, "templates/html/review.html")
	if _, err := parsePages(files); err == nil || !strings.Contains(err.Error(), "review") {
		t.Fatalf("want an error naming the review page, got %v", err)
	}
	// A page that uses the shared new-password fields needs their file.
	files["templates/html/review.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}x{{end}}`)}
	delete(files, "templates/html/newpassword.html")
	if _, err := parsePages(files); err == nil || !strings.Contains(err.Error(), "newpassword") {
		t.Fatalf("want an error naming the new-password partial, got %v", err)
	}
}

func TestTranslationKeyDefinedTwiceFails(t *testing.T) {
	files := fstest.MapFS{
		"templates/i18n/nl/a.yaml": {Data: []byte("a: A\n")},
		"templates/i18n/nl/b.yaml": {Data: []byte("a: B\n")},
		"templates/i18n/en/a.yaml": {Data: []byte("a: A\n")},
	}
	if _, err := loadTranslations(files); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Fatalf("want a duplicate-key error, got %v", err)
	}
}

func osDir(dir string) fs.FS { return os.DirFS(dir) }
