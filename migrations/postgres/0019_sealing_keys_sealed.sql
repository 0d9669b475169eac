-- The keys that seal respondents' progress are encrypted under
-- UK_SECRET_KEY, like the TOTP secrets: a copy of the database alone then
-- opens no respondent's cookie. sealed_key holds the key as
-- internal/secret seals it; key_material is emptied. A migration does not
-- know UK_SECRET_KEY, so start-up moves the existing keys, once, in the
-- transaction that settles the key (internal/store/secrets.go).
ALTER TABLE sealing_keys ADD COLUMN sealed_key TEXT NOT NULL DEFAULT '';
