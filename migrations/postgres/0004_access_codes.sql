-- Single-use access codes. Only a hash of each unused code is kept; a code
-- is deleted when it is used, in a transaction of its own, before the
-- answers are stored. Nothing in the database then links a code to a
-- response: the row is gone, and no id, time, order or transaction is shared.
CREATE TABLE access_codes (
    code_hash     TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE
);

CREATE INDEX access_codes_diagnostic_id ON access_codes (diagnostic_id);

-- How many codes were issued, so that "used" is issued minus remaining.
CREATE TABLE access_code_batches (
    id            TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    issued        INTEGER NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX access_code_batches_diagnostic_id ON access_code_batches (diagnostic_id);

-- A respondent who entered a valid code works in a draft that remembers the
-- code's hash until it is used, and whether it has been used, so that a
-- retried submit does not need the code twice. The draft is deleted when the
-- answers are stored.
ALTER TABLE drafts ADD COLUMN code_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN code_used BOOLEAN NOT NULL DEFAULT false;
