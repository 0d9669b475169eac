package survey

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionStatus is where an action of an action plan stands. The values are
// the Dutch words the seeds and the organisations use; the pages translate
// them.
type ActionStatus string

// The statuses of an action, in the order a plan shows them.
const (
	ActionPlanned ActionStatus = "gepland"
	ActionDoing   ActionStatus = "bezig"
	ActionDone    ActionStatus = "klaar"
	ActionStopped ActionStatus = "gestopt"
)

// ActionStatuses lists every status in display order.
func ActionStatuses() []ActionStatus {
	return []ActionStatus{ActionPlanned, ActionDoing, ActionDone, ActionStopped}
}

// Valid reports whether s is one of the four statuses.
func (s ActionStatus) Valid() bool {
	switch s {
	case ActionPlanned, ActionDoing, ActionDone, ActionStopped:
		return true
	}
	return false
}

// Open reports whether work on an action with this status still has to
// happen: only open actions can be overdue.
func (s ActionStatus) Open() bool { return s == ActionPlanned || s == ActionDoing }

// The bounds of a sprint in weeks: the seeds plan execution in short
// sprints of six to twelve weeks with a result at the end.
const (
	MinSprintWeeks = 6
	MaxSprintWeeks = 12
)

// Limits on the free text of an action, so that a plan fits its one-page
// dashboard and nobody stores a document in a title.
const (
	MaxActionTitle = 200
	MaxActionOwner = 100
	MaxActionGoal  = 400
	MaxActionNote  = 1000
)

// Action is one step of a diagnostic's action plan: what is done, for which
// factor or route, by whom, by when, and what will be visible when it works.
// An action says nothing about respondents; it is written by the consultant
// or the organisation's directors.
type Action struct {
	ID           string `json:"id"`
	DiagnosticID string `json:"diagnostic_id"`
	Title        string `json:"title"`
	// Target is the id of the factor or route the action serves (e.g.
	// "mandate" or "collaboration"); "" when it serves the plan as a whole.
	Target string `json:"target,omitempty"`
	// Owner is a name or a role, free text: owners need no account.
	Owner string `json:"owner"`
	// StartDate and DueDate are calendar days (UTC midnight). An action is
	// planned either with both dates or as a sprint of SprintWeeks from
	// StartDate; a sprint's due date is derived.
	StartDate   *time.Time `json:"start_date,omitempty"`
	DueDate     *time.Time `json:"due_date,omitempty"`
	SprintWeeks int        `json:"sprint_weeks,omitempty"`
	// Goal is the lead indicator: what will be visible when it works.
	Goal   string       `json:"goal"`
	Status ActionStatus `json:"status"`
	// Source is the advice step the action was taken from ("" for an action
	// written from scratch); kept so that a step already chosen is shown as
	// such.
	Source    string       `json:"source,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	Notes     []ActionNote `json:"notes"`
}

// ActionNote is a dated progress note or status change of an action. Author
// is the consultant's e-mail address or the label of the director link it
// came through, never a respondent.
type ActionNote struct {
	ID       string    `json:"id"`
	ActionID string    `json:"action_id"`
	At       time.Time `json:"at"`
	Author   string    `json:"author"`
	Text     string    `json:"text,omitempty"`
	// From and To are set when the note records a change of status.
	From ActionStatus `json:"from,omitempty"`
	To   ActionStatus `json:"to,omitempty"`
}

// Due returns the day the action should be done: its due date, or the end
// of its sprint; nil when it has neither.
func (a *Action) Due() *time.Time {
	if a.DueDate != nil {
		return a.DueDate
	}
	if a.SprintWeeks > 0 && a.StartDate != nil {
		d := a.StartDate.AddDate(0, 0, 7*a.SprintWeeks)
		return &d
	}
	return nil
}

// Overdue reports whether the action is still open after its due day at
// now. The due day itself is not overdue.
func (a *Action) Overdue(now time.Time) bool {
	due := a.Due()
	if due == nil || !a.Status.Open() {
		return false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return today.After(*due)
}

// Validate checks an action before it is stored and normalises its text
// and dates. The message names the first problem; the web layer shows its
// own translated messages per field.
func (a *Action) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	a.Owner = strings.TrimSpace(a.Owner)
	a.Goal = strings.TrimSpace(a.Goal)
	a.Target = strings.TrimSpace(a.Target)
	if a.Status == "" {
		a.Status = ActionPlanned
	}
	a.StartDate = dayPtr(a.StartDate)
	a.DueDate = dayPtr(a.DueDate)
	switch {
	case a.Title == "":
		return Errorf(CodeInvalid, "an action needs a title")
	case utf8.RuneCountInString(a.Title) > MaxActionTitle:
		return Errorf(CodeInvalid, "the title of an action is at most %d characters", MaxActionTitle)
	case a.Owner == "":
		return Errorf(CodeInvalid, "an action needs an owner")
	case utf8.RuneCountInString(a.Owner) > MaxActionOwner:
		return Errorf(CodeInvalid, "the owner of an action is at most %d characters", MaxActionOwner)
	case utf8.RuneCountInString(a.Goal) > MaxActionGoal:
		return Errorf(CodeInvalid, "the goal of an action is at most %d characters", MaxActionGoal)
	case !a.Status.Valid():
		return Errorf(CodeInvalid, "unknown action status %q", a.Status)
	case a.SprintWeeks != 0 && (a.SprintWeeks < MinSprintWeeks || a.SprintWeeks > MaxSprintWeeks):
		return Errorf(CodeInvalid, "a sprint lasts %d to %d weeks", MinSprintWeeks, MaxSprintWeeks)
	case a.SprintWeeks != 0 && a.DueDate != nil:
		return Errorf(CodeInvalid, "an action has a due date or a sprint, not both")
	case a.SprintWeeks != 0 && a.StartDate == nil:
		return Errorf(CodeInvalid, "a sprint needs a start date")
	case a.StartDate != nil && a.DueDate != nil && a.DueDate.Before(*a.StartDate):
		return Errorf(CodeInvalid, "the due date of an action is before its start date")
	case a.DueDate == nil && a.SprintWeeks == 0:
		// The seeds' rule: no step without a moment at which it is done.
		return Errorf(CodeInvalid, "an action needs a due date or a sprint")
	}
	return nil
}

// ValidateNote checks the text of a progress note.
func ValidateNote(text string) (string, error) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxActionNote {
		return "", Errorf(CodeInvalid, "a note is at most %d characters", MaxActionNote)
	}
	return text, nil
}

// dayPtr truncates a date to its calendar day in UTC.
func dayPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// ActionChange is what a status or note update changes; nil fields are
// left alone.
type ActionChange struct {
	Status *ActionStatus
	Note   string
	// Author is recorded with the note: the consultant's address or the
	// director link's label.
	Author string
	// At is the moment of the change, from the caller's clock as other
	// timed writes take it; zero means the store's clock.
	At time.Time
}

// RouteOf returns the route a factor or route id belongs to: the id itself
// when it is a route, else the route in which the factor weighs most (the
// first such route on a tie); "" when it is neither.
func (q *Questionnaire) RouteOf(target string) string {
	best, weight := "", 0.0
	for _, r := range q.Routes {
		if r.ID == target {
			return r.ID
		}
		for _, w := range r.Weights {
			if w.Factor == target && w.Weight > weight {
				best, weight = r.ID, w.Weight
			}
		}
	}
	return best
}

// TargetName is the name of the factor or route an action serves, in lang;
// false when the id is neither (as "", the plan as a whole).
func (q *Questionnaire) TargetName(id, lang string) (string, bool) {
	if f, ok := q.Factor(id); ok {
		return f.Name.In(lang), true
	}
	for _, r := range q.Routes {
		if r.ID == id {
			return r.Name.In(lang), true
		}
	}
	return "", false
}

// ActionGroup is the part of a plan that serves one route; Route "" holds
// the actions for the plan as a whole.
type ActionGroup struct {
	Route   string
	Actions []Action
}

// GroupActions sorts a plan by route, in the questionnaire's route order,
// with the actions for no route last; groups without actions are left
// out. Within a group the plan's order is kept.
func GroupActions(q *Questionnaire, actions []Action) []ActionGroup {
	var groups []ActionGroup
	add := func(route string) {
		var g ActionGroup
		g.Route = route
		for _, a := range actions {
			if q.RouteOf(a.Target) == route {
				g.Actions = append(g.Actions, a)
			}
		}
		if len(g.Actions) > 0 {
			groups = append(groups, g)
		}
	}
	for _, r := range q.Routes {
		add(r.ID)
	}
	add("")
	return groups
}

// PlanChange is one thing that happened to a plan: a new action (Note is
// nil) or a note or status change.
type PlanChange struct {
	At     time.Time
	Action Action
	Note   *ActionNote
}

// ChangesSince lists what changed in the plan at or after since, newest
// first: the weekly meeting's "what changed since last week".
func ChangesSince(actions []Action, since time.Time) []PlanChange {
	var out []PlanChange
	for _, a := range actions {
		if !a.CreatedAt.Before(since) {
			out = append(out, PlanChange{At: a.CreatedAt, Action: a})
		}
		for i := range a.Notes {
			if !a.Notes[i].At.Before(since) {
				out = append(out, PlanChange{At: a.Notes[i].At, Action: a, Note: &a.Notes[i]})
			}
		}
	}
	// Newest first; a stable order for equal times keeps pages reproducible.
	slices.SortStableFunc(out, func(a, b PlanChange) int { return b.At.Compare(a.At) })
	return out
}

// Overdue returns the plan's open actions past their due day at now.
func Overdue(actions []Action, now time.Time) []Action {
	var out []Action
	for _, a := range actions {
		if a.Overdue(now) {
			out = append(out, a)
		}
	}
	return out
}

// ChangeWindow is how far back the weekly dashboard looks.
const ChangeWindow = 7 * 24 * time.Hour
