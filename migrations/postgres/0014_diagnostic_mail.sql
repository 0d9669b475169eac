-- Who hears about a diagnostic by mail, and when.
--
-- diagnostic_recipients are the organisation's contact persons (they get the
-- invitation to pass on and the reminders) and its directors (they get the
-- report through a director link of their own). They are officials named by
-- the consultant, never respondents: employees invited personally are not
-- stored anywhere but in their queued message (docs/privacy.md).
CREATE TABLE diagnostic_recipients (
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('contact', 'director')),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('nl', 'en')),
    PRIMARY KEY (diagnostic_id, role, position)
);

-- reminders: the moments of the reminders to the contact persons
-- ("halfway,before:2"); director_attach_pdf: whether the directors' mail
-- carries the report as a PDF besides their link.
ALTER TABLE diagnostics ADD COLUMN reminders TEXT NOT NULL DEFAULT 'halfway,before:2';
ALTER TABLE diagnostics ADD COLUMN director_attach_pdf BOOLEAN NOT NULL DEFAULT false;

-- Every mail the scheduler queues by itself (a reminder, the directors' mail
-- of a diagnostic that closed on its date) is recorded here in the same
-- transaction as its message: the primary key lets one instance queue it,
-- once, however many instances try.
CREATE TABLE diagnostic_mail_events (
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    event         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (diagnostic_id, event)
);
