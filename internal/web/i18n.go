package web

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// supportedLanguages lists the interface languages; the first is the default.
func supportedLanguages() []string { return []string{"nl", "en"} }

// catalog maps a message key to its text in one language.
type catalog map[string]string

// Translator looks up interface texts in one language. Templates receive it
// in their data (never through Funcs on a shared template), so a request
// cannot change what another request sees.
type Translator struct {
	lang     string
	messages catalog
}

// Lang returns the language code of the translator.
func (t Translator) Lang() string { return t.lang }

// Get returns the text for key, formatted with args (fmt verbs). A missing
// key shows the key itself, so a mistake is visible rather than blank; the
// start-up check and the tests make sure it never happens in practice.
func (t Translator) Get(key string, args ...any) string {
	msg, ok := t.messages[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// translations holds every language's catalog.
type translations map[string]catalog

// loadTranslations reads every templates/i18n/<lang>/*.yaml file (one per
// area of the service) for every supported language, refuses a key defined
// twice, and checks that all languages define exactly the same keys.
func loadTranslations(fsys fs.FS) (translations, error) {
	all := translations{}
	for _, lang := range supportedLanguages() {
		files, err := fs.Glob(fsys, "templates/i18n/"+lang+"/*.yaml")
		if err != nil {
			return nil, fmt.Errorf("translations: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("translations: no files for %s", lang)
		}
		c := catalog{}
		for _, file := range files {
			data, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("translations: %w", err)
			}
			var part catalog
			if err := yaml.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("translations %s: %w", file, err)
			}
			for k, v := range part {
				if _, dup := c[k]; dup {
					return nil, fmt.Errorf("translations %s: key %q is defined twice", file, k)
				}
				c[k] = v
			}
		}
		all[lang] = c
	}
	base := all[supportedLanguages()[0]]
	for lang, c := range all {
		var missing []string
		for k := range base {
			if _, ok := c[k]; !ok {
				missing = append(missing, lang+": "+k)
			}
		}
		for k := range c {
			if _, ok := base[k]; !ok {
				missing = append(missing, supportedLanguages()[0]+": "+k)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return nil, fmt.Errorf("translations: keys missing in %s", strings.Join(missing, ", "))
		}
	}
	return all, nil
}

// For returns the translator for lang, or for Dutch when lang is unknown.
func (ts translations) For(lang string) Translator {
	if c, ok := ts[lang]; ok {
		return Translator{lang: lang, messages: c}
	}
	def := supportedLanguages()[0]
	return Translator{lang: def, messages: ts[def]}
}

// isSupportedLanguage reports whether lang is an interface language.
func isSupportedLanguage(lang string) bool {
	for _, l := range supportedLanguages() {
		if l == lang {
			return true
		}
	}
	return false
}
