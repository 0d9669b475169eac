-- Consultant accounts: firms (the tenants), consultants, their sessions,
-- invitations, two-factor secrets and recovery codes, API tokens and the
-- audit log of their actions.
--
-- No secret is stored as given: session ids, invitation tokens, recovery
-- codes and API tokens are kept as their SHA-256, passwords as argon2id.
-- The audit log records who did what to which record, never respondent data.

CREATE TABLE firms (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    require_totp BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE consultants (
    id                  TEXT PRIMARY KEY,
    firm_id             TEXT NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    -- Lower case, so that an address is one account however it is typed.
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    is_admin            BOOLEAN NOT NULL DEFAULT FALSE,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret         TEXT NOT NULL DEFAULT '',
    totp_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    -- The secret being set up, until the consultant confirms it with a code.
    totp_pending_secret TEXT NOT NULL DEFAULT '',
    -- The last 30-second step whose code was accepted: a code is never
    -- accepted twice.
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    last_login_at       TIMESTAMPTZ
);

CREATE INDEX consultants_firm_id ON consultants (firm_id);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    consultant_id TEXT NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_consultant_id ON sessions (consultant_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    firm_id     TEXT NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    is_admin    BOOLEAN NOT NULL DEFAULT FALSE,
    invited_by  TEXT REFERENCES consultants (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX invitations_firm_id ON invitations (firm_id);
CREATE INDEX invitations_email ON invitations (email);

CREATE TABLE recovery_codes (
    code_hash     TEXT PRIMARY KEY,
    consultant_id TEXT NOT NULL REFERENCES consultants (id) ON DELETE CASCADE
);

CREATE INDEX recovery_codes_consultant_id ON recovery_codes (consultant_id);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    consultant_id TEXT NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ
);

CREATE INDEX api_tokens_consultant_id ON api_tokens (consultant_id);

-- seq orders the log: entries made in the same microsecond keep the order
-- in which they were written.
CREATE TABLE audit_log (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    firm_id       TEXT NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    -- Kept when the account goes; email says who it was.
    consultant_id TEXT REFERENCES consultants (id) ON DELETE SET NULL,
    email         TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    target_type   TEXT NOT NULL DEFAULT '',
    target_id     TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    at            TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_log_firm_seq ON audit_log (firm_id, seq);

-- Organisations belong to a firm. Those created before accounts existed
-- (on the command line) have none until a consultant takes them over.
ALTER TABLE organisations ADD COLUMN firm_id TEXT REFERENCES firms (id) ON DELETE CASCADE;

CREATE INDEX organisations_firm_id ON organisations (firm_id);
