package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Action plans belong to a diagnostic and so to the firm of its
// organisation. Every function takes the firm's id and treats another
// firm's diagnostic or action as missing. An empty firm id skips that check:
// it is for callers that authorised the request by a token of the
// diagnostic itself (a director link, the respondent link), never for a
// consultant's request.

type actionRow struct {
	bun.BaseModel `bun:"table:actions,alias:a"`

	ID           string     `bun:"id,pk"`
	DiagnosticID string     `bun:"diagnostic_id"`
	Title        string     `bun:"title"`
	Target       string     `bun:"target"`
	Owner        string     `bun:"owner"`
	StartDate    *time.Time `bun:"start_date"`
	DueDate      *time.Time `bun:"due_date"`
	SprintWeeks  int        `bun:"sprint_weeks"`
	Goal         string     `bun:"goal"`
	Status       string     `bun:"status"`
	Source       string     `bun:"source"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

type actionNoteRow struct {
	bun.BaseModel `bun:"table:action_notes,alias:an"`

	ID         string    `bun:"id,pk"`
	ActionID   string    `bun:"action_id"`
	At         time.Time `bun:"at"`
	Author     string    `bun:"author"`
	Text       string    `bun:"text"`
	FromStatus string    `bun:"from_status"`
	ToStatus   string    `bun:"to_status"`
}

func (r *actionRow) action() survey.Action {
	return survey.Action{
		ID: r.ID, DiagnosticID: r.DiagnosticID, Title: r.Title, Target: r.Target, Owner: r.Owner,
		StartDate: utcPtr(r.StartDate), DueDate: utcPtr(r.DueDate), SprintWeeks: r.SprintWeeks,
		Goal: r.Goal, Status: survey.ActionStatus(r.Status), Source: r.Source,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Notes: []survey.ActionNote{},
	}
}

func (r *actionNoteRow) note() survey.ActionNote {
	return survey.ActionNote{
		ID: r.ID, ActionID: r.ActionID, At: r.At.UTC(), Author: r.Author, Text: r.Text,
		From: survey.ActionStatus(r.FromStatus), To: survey.ActionStatus(r.ToStatus),
	}
}

func storedDay(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := storedTime(*t)
	return &d
}

// scopedDiagnostic selects the diagnostic's id, within the firm unless
// firmID is empty.
func scopedDiagnostic(db bun.IDB, firmID, diagnosticID string) *bun.SelectQuery {
	if firmID == "" {
		return db.NewSelect().Model((*diagnosticRow)(nil)).Column("d.id").Where("d.id = ?", diagnosticID)
	}
	return firmDiagnostic(db, firmID, diagnosticID)
}

// firmActions selects the ids of the firm's actions.
func firmActions(db bun.IDB, firmID string) *bun.SelectQuery {
	q := db.NewSelect().Model((*actionRow)(nil)).Column("a.id").
		Join("JOIN diagnostics AS d ON d.id = a.diagnostic_id")
	if firmID != "" {
		q = q.Join("JOIN organisations AS o ON o.id = d.organisation_id").Where("o.firm_id = ?", firmID)
	}
	return q
}

// CreateAction adds an action to the plan of the firm's diagnostic, filling
// in its ID and times. The action is validated first. A CreatedAt already
// set is the caller's clock and kept; zero means now.
func (s *Store) CreateAction(ctx context.Context, firmID string, a *survey.Action) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := s.timestamp()
	if !a.CreatedAt.IsZero() {
		now = storedTime(a.CreatedAt)
	}
	row := actionRow{
		ID: newID(), DiagnosticID: a.DiagnosticID, Title: a.Title, Target: a.Target, Owner: a.Owner,
		StartDate: storedDay(a.StartDate), DueDate: storedDay(a.DueDate), SprintWeeks: a.SprintWeeks,
		Goal: a.Goal, Status: string(a.Status), Source: a.Source, CreatedAt: now, UpdatedAt: now,
	}
	err := s.write(ctx, "create action", func(ctx context.Context, tx bun.Tx) error {
		if err := diagnosticExists(ctx, scopedDiagnostic(tx, firmID, a.DiagnosticID)); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	*a = row.action()
	return nil
}

// ActionsForDiagnostic returns the action plan of the diagnostic with the
// notes of every action (oldest first), ordered by target, due day and
// title. A diagnostic of another firm gives not found; a diagnostic without
// actions gives an empty plan. firmID "" is for token-authorised callers
// only (see the top of this file).
func (s *Store) ActionsForDiagnostic(ctx context.Context, firmID, diagnosticID string) ([]survey.Action, error) {
	var id string
	if err := scopedDiagnostic(s.read, firmID, diagnosticID).Scan(ctx, &id); err != nil {
		return nil, notFound(err, "diagnostic not found", "load actions")
	}
	var rows []actionRow
	if err := s.read.NewSelect().Model(&rows).Where("a.diagnostic_id = ?", diagnosticID).
		OrderExpr("a.created_at, a.id").Scan(ctx); err != nil {
		return nil, dbError(err, "load actions")
	}
	if len(rows) == 0 {
		return []survey.Action{}, nil
	}
	var notes []actionNoteRow
	if err := s.read.NewSelect().Model(&notes).
		Join("JOIN actions AS a ON a.id = an.action_id").
		Where("a.diagnostic_id = ?", diagnosticID).
		OrderExpr("an.at, an.id").Scan(ctx); err != nil {
		return nil, dbError(err, "load action notes")
	}
	out := make([]survey.Action, len(rows))
	index := make(map[string]int, len(rows))
	for i := range rows {
		out[i] = rows[i].action()
		index[rows[i].ID] = i
	}
	for i := range notes {
		if j, ok := index[notes[i].ActionID]; ok {
			out[j].Notes = append(out[j].Notes, notes[i].note())
		}
	}
	return out, nil
}

// Action returns one action of the firm with its notes; firmID "" is for
// token-authorised callers, who must then check the diagnostic themselves.
func (s *Store) Action(ctx context.Context, firmID, id string) (*survey.Action, error) {
	var row actionRow
	if err := s.read.NewSelect().Model(&row).Where("a.id IN (?)", firmActions(s.read, firmID).Where("a.id = ?", id)).
		Scan(ctx); err != nil {
		return nil, notFound(err, "action not found", "load action")
	}
	a := row.action()
	var notes []actionNoteRow
	if err := s.read.NewSelect().Model(&notes).Where("an.action_id = ?", id).OrderExpr("an.at, an.id").Scan(ctx); err != nil {
		return nil, dbError(err, "load action notes")
	}
	for i := range notes {
		a.Notes = append(a.Notes, notes[i].note())
	}
	return &a, nil
}

// UpdateAction replaces the title, target, owner, dates, goal and status of
// the firm's action a.ID (the consultant's edit). A change of status is
// recorded as a note by author, so the weekly dashboard sees it; at, when not
// zero, is the moment of the change from the caller's clock.
func (s *Store) UpdateAction(ctx context.Context, firmID string, a *survey.Action, author string, at time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := s.timestamp()
	if !at.IsZero() {
		now = storedTime(at)
	}
	err := s.write(ctx, "update action", func(ctx context.Context, tx bun.Tx) error {
		var old actionRow
		q := tx.NewSelect().Model(&old).Where("a.id IN (?)", firmActions(tx, firmID).Where("a.id = ?", a.ID))
		if err := s.forUpdate(q).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.CodeNotFound, "action not found")
		} else if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*actionRow)(nil)).
			Set("title = ?", a.Title).Set("target = ?", a.Target).Set("owner = ?", a.Owner).
			Set("start_date = ?", storedDay(a.StartDate)).Set("due_date = ?", storedDay(a.DueDate)).
			Set("sprint_weeks = ?", a.SprintWeeks).Set("goal = ?", a.Goal).
			Set("status = ?", string(a.Status)).Set("updated_at = ?", now).
			Where("id = ?", a.ID).Exec(ctx); err != nil {
			return err
		}
		if old.Status != string(a.Status) {
			return insertNote(ctx, tx, a.ID, now, author, "", old.Status, string(a.Status))
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := s.Action(ctx, firmID, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

// ChangeAction sets the status of an action of the diagnostic and/or adds
// a dated note, as a director with an updating link or a consultant does on
// the plan page. A status change and a note made together become one note.
// The action must belong to diagnosticID (and to the firm unless firmID is
// empty); otherwise it is not found.
func (s *Store) ChangeAction(ctx context.Context, firmID, diagnosticID, actionID string, ch survey.ActionChange) (*survey.Action, error) {
	text, err := survey.ValidateNote(ch.Note)
	if err != nil {
		return nil, err
	}
	if ch.Status != nil && !ch.Status.Valid() {
		return nil, survey.Errorf(survey.CodeInvalid, "unknown action status %q", *ch.Status)
	}
	now := s.timestamp()
	if !ch.At.IsZero() {
		now = storedTime(ch.At)
	}
	err = s.write(ctx, "change action", func(ctx context.Context, tx bun.Tx) error {
		var old actionRow
		q := tx.NewSelect().Model(&old).
			Where("a.id IN (?)", firmActions(tx, firmID).Where("a.id = ?", actionID)).
			Where("a.diagnostic_id = ?", diagnosticID)
		if err := s.forUpdate(q).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return survey.Errorf(survey.CodeNotFound, "action not found")
		} else if err != nil {
			return err
		}
		from, to := "", ""
		if ch.Status != nil && string(*ch.Status) != old.Status {
			from, to = old.Status, string(*ch.Status)
		}
		if text == "" && to == "" {
			return survey.Errorf(survey.CodeInvalid, "nothing to change: give a new status or a note")
		}
		upd := tx.NewUpdate().Model((*actionRow)(nil)).Set("updated_at = ?", now).Where("id = ?", actionID)
		if to != "" {
			upd = upd.Set("status = ?", to)
		}
		if _, err := upd.Exec(ctx); err != nil {
			return err
		}
		return insertNote(ctx, tx, actionID, now, ch.Author, text, from, to)
	})
	if err != nil {
		return nil, err
	}
	return s.Action(ctx, firmID, actionID)
}

// forUpdate locks the selected action for the rest of the transaction on
// PostgreSQL, so that two status changes at once record their notes in turn;
// SQLite has one writer and no FOR UPDATE.
func (s *Store) forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if s.dialect == DialectPostgres {
		return q.For("UPDATE OF a")
	}
	return q
}

func insertNote(ctx context.Context, tx bun.Tx, actionID string, at time.Time, author, text, from, to string) error {
	n := actionNoteRow{ID: newID(), ActionID: actionID, At: at, Author: author, Text: text, FromStatus: from, ToStatus: to}
	_, err := tx.NewInsert().Model(&n).Exec(ctx)
	return err
}

// DeleteAction removes an action of the firm's diagnostic with its notes.
func (s *Store) DeleteAction(ctx context.Context, firmID, diagnosticID, actionID string) error {
	return s.write(ctx, "delete action", func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*actionRow)(nil)).
			Where("id = ?", actionID).
			Where("diagnostic_id = ?", diagnosticID).
			Where("diagnostic_id IN (?)", scopedDiagnostic(tx, firmID, diagnosticID)).
			Exec(ctx)
		if err != nil {
			return err
		}
		return mustAffect(res, "action not found")
	})
}
