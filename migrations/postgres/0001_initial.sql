-- The respondent side of Uitvoeringskracht: organisations, diagnostics,
-- drafts and anonymous responses.
--
-- Anonymity: response ids are random, so no key records insertion order.
-- PostgreSQL itself still does, for whoever can query the database: the
-- system columns xmin (transaction id) and ctid (physical position) of a row
-- follow insertion, and deleted drafts stay in the heap until VACUUM. Keep
-- track_commit_timestamp off, or commits get exact times as well.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    sector      TEXT NOT NULL,
    headcount   INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL
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
    opens_at              TIMESTAMPTZ,
    closes_at             TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL
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
    updated_at    TIMESTAMPTZ NOT NULL
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
);

CREATE INDEX responses_diagnostic_id ON responses (diagnostic_id);

CREATE TABLE submission_nonces (
    nonce_hash    TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE
);

CREATE INDEX submission_nonces_diagnostic_id ON submission_nonces (diagnostic_id);
