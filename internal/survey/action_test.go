package survey

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestActionDueAndOverdue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a       Action
		now     time.Time
		due     *time.Time
		overdue bool
	}{
		{"due date, the day itself", Action{DueDate: day(2026, 3, 1), Status: ActionPlanned}, time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), day(2026, 3, 1), false},
		{"due date, the day after", Action{DueDate: day(2026, 3, 1), Status: ActionDoing}, time.Date(2026, 3, 2, 0, 0, 1, 0, time.UTC), day(2026, 3, 1), true},
		{"done is never overdue", Action{DueDate: day(2026, 3, 1), Status: ActionDone}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), day(2026, 3, 1), false},
		{"stopped is never overdue", Action{DueDate: day(2026, 3, 1), Status: ActionStopped}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), day(2026, 3, 1), false},
		{"sprint of 6 weeks", Action{StartDate: day(2026, 3, 2), SprintWeeks: 6, Status: ActionPlanned}, time.Date(2026, 4, 13, 12, 0, 0, 0, time.UTC), day(2026, 4, 13), false},
		{"sprint of 12 weeks, over", Action{StartDate: day(2026, 3, 2), SprintWeeks: 12, Status: ActionPlanned}, time.Date(2026, 5, 26, 0, 0, 0, 0, time.UTC), day(2026, 5, 25), true},
		{"no dates", Action{Status: ActionPlanned}, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil, false},
	} {
		due := tc.a.Due()
		if (due == nil) != (tc.due == nil) || due != nil && !due.Equal(*tc.due) {
			t.Errorf("%s: due %v, want %v", tc.name, due, tc.due)
		}
		if got := tc.a.Overdue(tc.now); got != tc.overdue {
			t.Errorf("%s: overdue %v", tc.name, got)
		}
	}
}

func TestActionValidateEdges(t *testing.T) {
	long := func(n int) string {
		b := make([]rune, n)
		for i := range b {
			b[i] = 'é'
		}
		return string(b)
	}
	ok := func() Action { return Action{Title: "t", Owner: "o", DueDate: day(2026, 3, 1)} }
	for _, tc := range []struct {
		name  string
		edit  func(*Action)
		valid bool
	}{
		{"minimal", func(*Action) {}, true},
		{"title of 200 characters", func(a *Action) { a.Title = long(MaxActionTitle) }, true},
		{"title of 201 characters", func(a *Action) { a.Title = long(MaxActionTitle + 1) }, false},
		{"sprint of 6 weeks", func(a *Action) { a.DueDate, a.StartDate, a.SprintWeeks = nil, day(2026, 1, 1), 6 }, true},
		{"sprint of 12 weeks", func(a *Action) { a.DueDate, a.StartDate, a.SprintWeeks = nil, day(2026, 1, 1), 12 }, true},
		{"sprint of 5 weeks", func(a *Action) { a.DueDate, a.StartDate, a.SprintWeeks = nil, day(2026, 1, 1), 5 }, false},
		{"sprint of 13 weeks", func(a *Action) { a.DueDate, a.StartDate, a.SprintWeeks = nil, day(2026, 1, 1), 13 }, false},
		{"due on the start day", func(a *Action) { a.StartDate = day(2026, 3, 1) }, true},
		{"due the day before the start", func(a *Action) { a.StartDate = day(2026, 3, 2) }, false},
		{"blank title", func(a *Action) { a.Title = "  " }, false},
	} {
		a := ok()
		tc.edit(&a)
		if err := a.Validate(); (err == nil) != tc.valid {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestPlanGroupsAndChanges(t *testing.T) {
	q := &Questionnaire{
		Factors: []Factor{{ID: "governance"}, {ID: "silos"}, {ID: "capacity"}},
		Routes: []Route{
			{ID: "collaboration", Weights: []RouteWeight{{Factor: "silos", Weight: 0.6}, {Factor: "governance", Weight: 0.4}}},
			{ID: "policy_execution", Weights: []RouteWeight{{Factor: "governance", Weight: 0.4}, {Factor: "capacity", Weight: 0.6}}},
		},
	}
	// A tie goes to the first route; a route is its own route.
	for target, want := range map[string]string{"governance": "collaboration", "silos": "collaboration", "capacity": "policy_execution",
		"policy_execution": "policy_execution", "": "", "unknown": ""} {
		if got := q.RouteOf(target); got != want {
			t.Errorf("RouteOf(%q) = %q, want %q", target, got, want)
		}
	}
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	since := now.Add(-ChangeWindow)
	actions := []Action{
		{ID: "a", Target: "capacity", CreatedAt: since.Add(-time.Second), Notes: []ActionNote{{At: since, To: ActionDoing}, {At: since.Add(-time.Second)}}},
		{ID: "b", Target: "", CreatedAt: since},
		{ID: "c", Target: "silos", CreatedAt: since.Add(-48 * time.Hour), Notes: []ActionNote{{At: now}}},
	}
	groups := GroupActions(q, actions)
	if len(groups) != 3 || groups[0].Route != "collaboration" || groups[1].Route != "policy_execution" || groups[2].Route != "" ||
		groups[0].Actions[0].ID != "c" || groups[2].Actions[0].ID != "b" {
		t.Errorf("groups %+v", groups)
	}
	changes := ChangesSince(actions, since)
	// At the window's edge included, a second before it not; newest first.
	if len(changes) != 3 || changes[0].Action.ID != "c" || changes[0].Note == nil ||
		changes[1].At != since || changes[2].At != since {
		t.Fatalf("changes %+v", changes)
	}
}

func TestTargetName(t *testing.T) {
	q := &Questionnaire{
		Factors: []Factor{{ID: "silos", Name: Text{"nl": "Silo's", "en": "Silos"}}},
		Routes:  []Route{{ID: "collaboration", Name: Text{"nl": "Samenwerking", "en": "Collaboration"}}},
	}
	for _, tc := range []struct {
		id, lang, want string
		ok             bool
	}{
		{"silos", "nl", "Silo's", true},
		{"silos", "en", "Silos", true},
		{"collaboration", "nl", "Samenwerking", true},
		{"", "nl", "", false},
		{"unknown", "en", "", false},
	} {
		if got, ok := q.TargetName(tc.id, tc.lang); got != tc.want || ok != tc.ok {
			t.Errorf("TargetName(%q, %q) = %q, %v; want %q, %v", tc.id, tc.lang, got, ok, tc.want, tc.ok)
		}
	}
}
