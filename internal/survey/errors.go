// Package survey holds the domain types of Uitvoeringskracht and its one
// coded error type. It depends on the standard library only.
package survey

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every layer can react to it without
// knowing where it came from: the web layer maps it to an HTTP status.
type Code string

// The error codes. Only CodeInternal errors are logged: the others are the
// caller's mistake or an expected state, and are reported to the user.
const (
	CodeInvalid   Code = "invalid"
	CodeNotFound  Code = "not_found"
	CodeConflict  Code = "conflict"
	CodeForbidden Code = "forbidden"
	CodeInternal  Code = "internal"
)

// Error is the coded error of the domain. Message is safe to show to a user;
// Err, when set, is the underlying cause and is only logged.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	default:
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a coded error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns a coded error around cause. A nil cause gives nil.
func Wrap(code Code, cause error, message string) error {
	if cause == nil {
		return nil
	}
	return &Error{Code: code, Message: message, Err: cause}
}

// ErrorCode returns the code of err: CodeInternal for any error that is not
// a coded one, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of err, or "" when err is not
// a coded error (internal details are never shown).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
