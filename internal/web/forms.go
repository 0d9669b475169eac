package web

import (
	"errors"

	"github.com/go-playground/validator/v10"
)

// validateForm validates a workspace form struct and translates each
// failure. keys maps "Field.tag" or "Field" to a translation key; the most
// specific entry wins. Errors keep the order of the struct's fields.
func (s *Server) validateForm(form any, t Translator, keys map[string]string) formErrors {
	if bad := controlCharFields(form, ""); len(bad) > 0 {
		// Checked first and alone: such text must not reach a validator
		// that looks anything up.
		var out formErrors
		for _, field := range bad {
			out = append(out, formError{Field: fieldID(field), Message: t.Get("form.control_characters")})
		}
		return out
	}
	err := s.validate.Struct(form)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return formErrors{{Message: t.Get("error.bad_request")}}
	}
	var out formErrors
	seen := map[string]bool{}
	for _, fe := range ves {
		if seen[fe.Field()] {
			continue
		}
		seen[fe.Field()] = true
		key, ok := keys[fe.Field()+"."+fe.Tag()]
		if !ok {
			key, ok = keys[fe.Field()]
		}
		if !ok {
			key = "error.bad_request"
		}
		out = append(out, formError{Field: fieldID(fe.Field()), Message: t.Get(key)})
	}
	return out
}

// fieldID turns a struct field name into the id of its input: the form tag
// of every workspace form is the snake_case of the field name.
func fieldID(field string) string {
	out := make([]byte, 0, len(field)+4)
	for i := 0; i < len(field); i++ {
		ch := field[i]
		if ch >= 'A' && ch <= 'Z' {
			if i > 0 {
				out = append(out, '_')
			}
			ch += 'a' - 'A'
		}
		out = append(out, ch)
	}
	return string(out)
}

// formErrors are the messages of one form submission.
type formErrors []formError

// For returns the message for one field; templates call it next to the
// input, while the error summary lists them all.
func (errs formErrors) For(field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// All returns every message for one field, in order: the unit list shows
// one per wrong line.
func (errs formErrors) All(field string) []string {
	var out []string
	for _, e := range errs {
		if e.Field == field {
			out = append(out, e.Message)
		}
	}
	return out
}
