-- The check value of UK_SECRET_KEY, the key that encrypts the consultants'
-- TOTP secrets (the secrets themselves stay in their columns, sealed; see
-- internal/secret). With it start-up refuses a wrong key at once, instead
-- of every two-factor sign-in failing later. It is an HMAC under the key
-- and tells nothing about the key. A migration cannot encrypt the existing
-- secrets (it does not know the key): start-up does that, once, in the
-- transaction that first records this value.
CREATE TABLE secret_key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    check_value TEXT NOT NULL
);
