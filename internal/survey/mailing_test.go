package survey

import (
	"testing"
	"time"
)

func TestCheckEmail(t *testing.T) {
	for in, ok := range map[string]bool{
		"a@b.nl": true, " a.devries@gemeente.nl ": true, "x+y@sub.example.org": true,
		"": false, "a": false, "a@b": false, "a@b.": false, "@b.nl": false,
		"Anna <a@b.nl>": false, "a@b.nl\r\nBcc: c@d.nl": false, "a@b.nl\nx": false,
		"a@b.nl, c@d.nl": false, "a b@c.nl": false, "\"a\"@b.nl": false,
	} {
		if _, got := CheckEmail(in); got != ok {
			t.Errorf("CheckEmail(%q) = %v, want %v", in, got, ok)
		}
	}
}

func TestParseReminders(t *testing.T) {
	for in, want := range map[string]int{
		"": 0, "halfway": 1, "halfway,before:2": 2, "halfway, halfway": 1, "before:1,before:60": 2,
		"date:2027-03-12": 1,
	} {
		got, err := ParseReminders(in)
		if err != nil || len(got) != want {
			t.Errorf("ParseReminders(%q) = %v, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"before:0", "before:61", "before:x", "date:12-3-2027", "weekly",
		"date:2027-01-01,date:2027-01-02,date:2027-01-03,date:2027-01-04,date:2027-01-05,date:2027-01-06,date:2027-01-07,date:2027-01-08,date:2027-01-09,date:2027-01-10,date:2027-01-11"} {
		if _, err := ParseReminders(bad); ErrorCode(err) != CodeInvalid {
			t.Errorf("ParseReminders(%q): %v", bad, err)
		}
	}
}

func TestReminderMoments(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) *time.Time { v := time.Date(y, m, d, 0, 0, 0, 0, loc); return &v }
	// Open on 1 March, last day 14 March (closes at the start of the 15th).
	d := &Diagnostic{OpensAt: day(2027, 3, 1), ClosesAt: day(2027, 3, 15)}
	got := ReminderMoments(d, DefaultReminders, loc)
	if len(got) != 2 {
		t.Fatalf("moments %+v", got)
	}
	if want := time.Date(2027, 3, 8, 0, 0, 0, 0, loc); !got[0].At.Equal(want) || got[0].Setting != ReminderHalfway {
		t.Errorf("halfway at %v, want %v", got[0].At, want)
	}
	// Two days before closing: the morning of 13 March.
	if want := time.Date(2027, 3, 13, 8, 0, 0, 0, loc); !got[1].At.Equal(want) {
		t.Errorf("before:2 at %v, want %v", got[1].At, want)
	}
	if got[0].Key == got[1].Key {
		t.Error("two moments share a key")
	}

	// Moving the closing date moves the moments and changes their keys.
	moved := &Diagnostic{OpensAt: d.OpensAt, ClosesAt: day(2027, 3, 22)}
	if m := ReminderMoments(moved, DefaultReminders, loc); m[1].Key == got[1].Key || m[0].Key == got[0].Key {
		t.Error("moved dates keep the keys")
	}

	// The edges: without a closing date nothing; without a start only the
	// moments that need none; a moment outside the fieldwork is left out.
	if m := ReminderMoments(&Diagnostic{OpensAt: d.OpensAt}, DefaultReminders, loc); len(m) != 0 {
		t.Errorf("no closing date: %+v", m)
	}
	if m := ReminderMoments(&Diagnostic{ClosesAt: d.ClosesAt}, DefaultReminders, loc); len(m) != 1 || m[0].Setting != "before:2" {
		t.Errorf("no start: %+v", m)
	}
	if m := ReminderMoments(d, "before:15,before:30,date:2027-03-15,date:2027-03-14", loc); len(m) != 1 || m[0].Setting != "date:2027-03-14" {
		t.Errorf("outside the fieldwork: %+v", m)
	}
	// Opened by hand: the fieldwork starts then.
	opened := time.Date(2027, 3, 5, 10, 0, 0, 0, loc)
	if m := ReminderMoments(&Diagnostic{OpenedAt: &opened, ClosesAt: d.ClosesAt}, ReminderHalfway, loc); len(m) != 1 || !m[0].At.Equal(opened.Add(d.ClosesAt.Sub(opened)/2)) {
		t.Errorf("opened by hand: %+v", m)
	}
}

func TestDueReminder(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2027, 3, 1, h, 0, 0, 0, time.UTC) }
	moments := []ReminderMoment{{Key: "a", At: at(8)}, {Key: "b", At: at(10)}, {Key: "c", At: at(12)}}
	none := func(string) bool { return false }
	if due, skipped := DueReminder(moments, at(7), none); due != nil || skipped != nil {
		t.Errorf("before the first: %v %v", due, skipped)
	}
	if due, skipped := DueReminder(moments, at(8), none); due == nil || due.Key != "a" || len(skipped) != 0 {
		t.Errorf("at the first: %v %v", due, skipped)
	}
	// Two moments passed unsent: only the latest goes, the other is skipped.
	if due, skipped := DueReminder(moments, at(11), none); due == nil || due.Key != "b" || len(skipped) != 1 || skipped[0].Key != "a" {
		t.Errorf("missed one: %v %v", due, skipped)
	}
	done := func(k string) bool { return k != "c" }
	if due, _ := DueReminder(moments, at(11), done); due != nil {
		t.Errorf("all sent: %v", due)
	}
}
