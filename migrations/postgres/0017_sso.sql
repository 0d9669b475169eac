-- Single sign-on with OpenID Connect (issue 16): one provider per firm.
--
-- client_secret is sealed under UK_SECRET_KEY (internal/secret) with
-- "sso_providers/<firm_id>/client_secret" as associated data, like the
-- TOTP secrets; `key rotate` re-encrypts it.
CREATE TABLE sso_providers (
    firm_id          TEXT PRIMARY KEY REFERENCES firms (id) ON DELETE CASCADE,
    display_name     TEXT NOT NULL,
    issuer_url       TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    client_secret    TEXT NOT NULL DEFAULT '',
    -- Whether the firm's consultants may still sign in with a password.
    password_allowed BOOLEAN NOT NULL DEFAULT TRUE,
    -- Whether an uninvited address of an allowed domain gets an account at
    -- its first sign-in.
    jit_allowed      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- The e-mail domains whose holders sign in through a firm's provider. A
-- domain belongs to one firm at most: the sign-in page finds the provider
-- from the address typed.
CREATE TABLE sso_domains (
    domain  TEXT PRIMARY KEY,
    firm_id TEXT NOT NULL REFERENCES sso_providers (firm_id) ON DELETE CASCADE
);

CREATE INDEX sso_domains_firm_id ON sso_domains (firm_id);

-- A sign-in on its way through the provider, found by the SHA-256 of its
-- state and deleted when the provider sends the browser back, so that a
-- state (and with it a code) works once. The PKCE verifier is not here: it
-- travels sealed in the browser's cookie.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    firm_id    TEXT NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    nonce      TEXT NOT NULL,
    next_path  TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sso_logins_expires_at ON sso_logins (expires_at);

-- How a session signed in: 'password' (with a second factor where set up)
-- or 'sso', after which the provider's own MFA counts and the firm's TOTP
-- requirement is not asked again.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
