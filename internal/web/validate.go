package web

import "github.com/go-playground/validator/v10"

// newValidator returns the validator for every form. Field names in
// messages come from the form tags, never from Go field names.
func newValidator() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
}
