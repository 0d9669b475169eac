-- Respondents' progress no longer lives on the server: it travels sealed
-- (AEAD) in the respondent's own cookie, and access codes are spent when
-- entered. A draft row held answers, open answers, a code hash and a time
-- of day, and its dead tuples outlived it in the heap, the WAL and base
-- backups: so the table goes. Drafts in progress at the upgrade are lost.
DROP INDEX IF EXISTS drafts_diagnostic_id;
DROP INDEX IF EXISTS drafts_updated_at;
DROP TABLE drafts;

-- The keys that seal respondents' progress. Every instance behind a load
-- balancer reads the same keys, and a restart keeps them, so a respondent
-- may start on one instance and submit on another. The id travels in every
-- sealed value, so a newer key can take over while older states still open.
-- created_on is a calendar date (YYYY-MM-DD, as responses.submitted_on):
-- the day a key was made says nothing about any respondent.
CREATE TABLE sealing_keys (
    id           SMALLINT PRIMARY KEY CHECK (id BETWEEN 1 AND 255),
    key_material BYTEA NOT NULL,
    created_on   TEXT NOT NULL
);
