-- The respondent side of Uitvoeringskracht: organisations, diagnostics,
-- drafts and anonymous responses.
--
-- Anonymity: responses and submission_nonces are WITHOUT ROWID tables, so
-- their physical order follows their random primary key and no hidden rowid
-- records the order in which they were inserted.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    sector      TEXT NOT NULL,
    headcount   INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE diagnostics (
    id                    TEXT PRIMARY KEY,
    organisation_id       TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    token                 TEXT NOT NULL UNIQUE,
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    questionnaire         TEXT NOT NULL,
    units                 TEXT NOT NULL,
    state                 TEXT NOT NULL,
    min_group_size        INTEGER NOT NULL,
    opens_at              TIMESTAMP,
    closes_at             TIMESTAMP,
    created_at            TIMESTAMP NOT NULL
);

CREATE INDEX diagnostics_organisation_id ON diagnostics (organisation_id);

-- drafts.id is the SHA-256 (hex) of the draft id in the respondent's cookie,
-- so that reading the database does not hand out cookies. A draft is deleted
-- in the transaction that stores its response.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    nonce         TEXT NOT NULL,
    data          TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE INDEX drafts_diagnostic_id ON drafts (diagnostic_id);
CREATE INDEX drafts_updated_at ON drafts (updated_at);

CREATE TABLE responses (
    id            TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    submitted_on  TEXT NOT NULL,
    background    TEXT NOT NULL,
    answers       TEXT NOT NULL,
    open_answers  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX responses_diagnostic_id ON responses (diagnostic_id);

CREATE TABLE submission_nonces (
    nonce_hash    TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX submission_nonces_diagnostic_id ON submission_nonces (diagnostic_id);
