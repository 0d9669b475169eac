package web

import (
	"reflect"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
)

// newValidator returns the validator for every form. Field names in
// messages come from the form tags, never from Go field names.
func newValidator() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
}

// cleanText trims s and removes the Unicode controls that embed, override
// or isolate a run of text in another writing direction (U+202A–U+202E,
// U+2066–U+2069). A name or answer holding one could visually reverse the
// rest of a line on every page that quotes it ("Trojan Source"). The
// plain direction marks U+200E and U+200F stay: Hebrew and Arabic names
// need them and they reorder nothing beyond their neighbours.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// hasControlChars reports whether s holds a control character other than
// tab, line feed and carriage return (NUL, the other C0 and C1 controls,
// DEL). No form field or JSON string has a use for one, a NUL makes the
// database layer build a query that must fail, and the others would be
// invisible wherever the text is shown. Every entry point refuses them
// before anything is looked up or stored.
func hasControlChars(s string) bool {
	for _, r := range s {
		if r != '\t' && r != '\n' && r != '\r' && unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// controlCharsProblem is the message for a form value with a control
// character, or "" when it has none.
func controlCharsProblem(v string, t Translator) string {
	if hasControlChars(v) {
		return t.Get("form.control_characters")
	}
	return ""
}

// controlCharFields returns the names of the struct fields of v (a struct
// or a pointer to one) whose text, or the text of any element or nested
// field, holds a control character (hasControlChars). A field is named by
// its tag (form or json); with an empty tag, by its Go name.
func controlCharFields(v any, tag string) []string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil
	}
	var fields []string
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if !f.IsExported() || !valueHasControlChars(rv.Field(i)) {
			continue
		}
		name := f.Name
		if tag != "" {
			if t, _, _ := strings.Cut(f.Tag.Get(tag), ","); t != "" && t != "-" {
				name = t
			}
		}
		fields = append(fields, name)
	}
	return fields
}

func valueHasControlChars(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return hasControlChars(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && valueHasControlChars(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if valueHasControlChars(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if valueHasControlChars(k) || valueHasControlChars(v.MapIndex(k)) {
				return true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && valueHasControlChars(v.Field(i)) {
				return true
			}
		}
	}
	return false
}
