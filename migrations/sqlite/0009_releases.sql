-- Releases: every time figures of a diagnostic leave the service (a
-- recorded preview, the results after closing, again after a reopen and a
-- new close). A later release treats every earlier one as published
-- (docs/methodology.md §11), so each is recorded with what it published:
-- aggregate counts only, never respondent data.
--
-- cells is the JSON array of the analysis base's counts per unit x role
-- ([{"unit":..,"role":..,"count":..}]); shown the JSON object of the groups
-- the breakdowns showed ({"units":[..],"roles":[..]}); result the released
-- result's JSON, served again while the results may not change.
-- result_previews stays for previews recorded before this migration.
CREATE TABLE result_releases (
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('preview', 'final')),
    created_at    TIMESTAMP NOT NULL,
    responses     INTEGER NOT NULL,
    base          INTEGER NOT NULL,
    total_shown   BOOLEAN NOT NULL DEFAULT 0,
    cells         TEXT NOT NULL,
    shown         TEXT NOT NULL,
    result        TEXT NOT NULL,
    PRIMARY KEY (diagnostic_id, seq)
);
