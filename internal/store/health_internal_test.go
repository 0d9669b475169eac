package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestWriteHealth(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	full := survey.Wrap(survey.CodeInternal, errors.New("database or disk is full"), "submit response")
	type event struct {
		at  time.Duration
		err error
	}
	tests := []struct {
		name   string
		events []event
		at     time.Duration
		want   string
	}{
		{"nothing happened", nil, 0, ""},
		{"a failure", []event{{0, full}}, time.Second, full.Error()},
		{"a failure, then a success", []event{{0, full}, {time.Second, nil}}, 2 * time.Second, ""},
		{"a success, then a failure", []event{{0, nil}, {time.Second, full}}, 2 * time.Second, full.Error()},
		{"a failure long ago", []event{{0, full}}, writeFailureMemory + time.Second, ""},
		{"the caller's mistakes do not count", []event{
			{0, survey.Errorf(survey.CodeConflict, "already submitted")},
			{0, survey.Errorf(survey.CodeNotFound, "no draft")},
			{0, survey.Errorf(survey.CodeInvalid, "bad")},
		}, time.Second, ""},
		{"a caller giving up does not count", []event{
			{0, survey.Wrap(survey.CodeInternal, context.Canceled, "submit response")},
			{0, survey.Wrap(survey.CodeInternal, context.DeadlineExceeded, "submit response")},
		}, time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h writeHealth
			for _, e := range tt.events {
				h.record(e.err, t0.Add(e.at))
			}
			if got := h.failing(t0.Add(tt.at)); got != tt.want {
				t.Errorf("failing = %q, want %q", got, tt.want)
			}
		})
	}
}
