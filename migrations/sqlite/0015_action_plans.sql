-- Action plans: the steps an organisation takes after a diagnostic, with a
-- named owner, a due date or a sprint, a lead indicator and dated notes.
-- Nothing here refers to respondents; owners and authors are free text the
-- consultant or a director typed.
CREATE TABLE actions (
    id            TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    -- The factor or route the action serves, by id; '' for the plan as a whole.
    target        TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL,
    start_date    TIMESTAMP,
    due_date      TIMESTAMP,
    -- A sprint of 6 to 12 weeks from start_date instead of a due date; 0 for none.
    sprint_weeks  INTEGER NOT NULL DEFAULT 0,
    goal          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'gepland',
    -- The advice step the action was taken from; '' when written from scratch.
    source        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE INDEX actions_diagnostic_id ON actions (diagnostic_id);

-- action_notes holds the dated progress notes and status changes of an
-- action: the weekly dashboard shows what changed since last week from it.
-- author is the consultant's address or the director link's label.
CREATE TABLE action_notes (
    id          TEXT PRIMARY KEY,
    action_id   TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    at          TIMESTAMP NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT ''
);

CREATE INDEX action_notes_action_id ON action_notes (action_id, at);

-- A director link may carry the right to update the status of actions and
-- add notes; the consultant chooses it when making the link.
ALTER TABLE director_links ADD COLUMN can_update BOOLEAN NOT NULL DEFAULT FALSE;
