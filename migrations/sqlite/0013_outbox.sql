-- The outbox and password resets.
--
-- outgoing_messages holds every mail the service sends. A message is
-- inserted in the same transaction as the action that causes it, so a
-- rolled-back action sends nothing; the outbox worker sends it afterwards,
-- at least once, with the same message_id on every attempt. A worker claims
-- a message by setting lease_until and claim_id: another instance skips it
-- until the lease ends, so two instances never send one message at once.
-- Ephemeral messages (personal codes, password resets) lose recipients,
-- body and attachments as soon as they leave the queue.
CREATE TABLE outgoing_messages (
    id              TEXT PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    firm_id         TEXT REFERENCES firms (id) ON DELETE CASCADE,
    diagnostic_id   TEXT REFERENCES diagnostics (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    lang            TEXT NOT NULL,
    -- JSON array of recipients.
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    -- JSON array of {name, content_type, content (base64)}.
    attachments     TEXT NOT NULL,
    ephemeral       BOOLEAN NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    claim_id        TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);

CREATE INDEX outgoing_messages_due ON outgoing_messages (state, next_attempt_at);
CREATE INDEX outgoing_messages_firm_id ON outgoing_messages (firm_id, created_at);
CREATE INDEX outgoing_messages_diagnostic_id ON outgoing_messages (diagnostic_id);

-- password_resets holds the tokens of "wachtwoord vergeten" mails as their
-- SHA-256; a token works once, for an hour.
CREATE TABLE password_resets (
    token_hash    TEXT PRIMARY KEY,
    consultant_id TEXT NOT NULL REFERENCES consultants (id) ON DELETE CASCADE,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP
);

CREATE INDEX password_resets_consultant_id ON password_resets (consultant_id);
