package survey

import (
	"testing"
	"time"
)

func TestEffectiveState(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		name   string
		state  State
		opens  *time.Time
		closes *time.Time
		want   State
	}{
		{"draft stays draft", StateDraft, nil, nil, StateDraft},
		{"draft opens on its date", StateDraft, &past, nil, StateOpen},
		{"draft waits for its date", StateDraft, &future, nil, StateDraft},
		{"open by hand", StateOpen, nil, nil, StateOpen},
		{"open before its opening date is not yet open", StateOpen, &future, nil, StateDraft},
		{"open closes on its date", StateOpen, nil, &past, StateClosed},
		{"scheduled draft past both dates is closed", StateDraft, &past, &past, StateClosed},
		{"closing date in the future keeps it open", StateOpen, &past, &future, StateOpen},
		{"closed by hand stays closed", StateClosed, &past, &future, StateClosed},
		{"closing exactly now closes", StateOpen, nil, &now, StateClosed},
	}
	for _, tt := range tests {
		d := Diagnostic{State: tt.state, OpensAt: tt.opens, ClosesAt: tt.closes}
		if got := d.EffectiveState(now); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
		if got := d.AcceptsResponses(now); got != (tt.want == StateOpen) {
			t.Errorf("%s: AcceptsResponses = %v", tt.name, got)
		}
	}
}

func TestBandsClassify(t *testing.T) {
	b := Bands{Amber: 50, Green: 65}
	for score, want := range map[float64]Band{0: BandRed, 49.999: BandRed, 50: BandAmber, 64.9: BandAmber, 65: BandGreen, 100: BandGreen} {
		if got := b.Classify(score); got != want {
			t.Errorf("Classify(%v) = %s, want %s", score, got, want)
		}
	}
}

func TestTextFallsBackToDutch(t *testing.T) {
	tx := Text{"nl": "Hallo", "en": "Hello"}
	if tx.In("en") != "Hello" || tx.In("fy") != "Hallo" || (Text{"en": "Only"}).In("nl") != "Only" {
		t.Error("Text.In does not fall back as documented")
	}
}

func TestErrorCodes(t *testing.T) {
	err := Wrap(CodeNotFound, Errorf(CodeInvalid, "inner"), "outer")
	if ErrorCode(err) != CodeNotFound || ErrorMessage(err) != "outer" {
		t.Errorf("code %s message %q", ErrorCode(err), ErrorMessage(err))
	}
	if ErrorCode(nil) != "" || Wrap(CodeInternal, nil, "x") != nil {
		t.Error("nil handling")
	}
	if ErrorCode(errPlain("x")) != CodeInternal || ErrorMessage(errPlain("x")) != "" {
		t.Error("uncoded errors must be internal with no message")
	}
}

type errPlain string

func (e errPlain) Error() string { return string(e) }

func TestNewUnitsGivesStableIDs(t *testing.T) {
	u := NewUnits([]string{"Beleid", "Uitvoering"})
	if len(u) != 2 || u[0].ID != "u1" || u[1].ID != "u2" || u[1].Name != "Uitvoering" {
		t.Errorf("%+v", u)
	}
}
