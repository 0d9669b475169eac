-- Results back to employees, and pulse measurements (issue 14).
--
-- The employee summary is one more release: result_releases gains the kind
-- 'summary' (the organisation's figures of a final release, shown on the
-- respondent link). SQLite cannot change a CHECK constraint in place, so the
-- table is copied; nothing refers to it.
CREATE TABLE result_releases_new (
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('preview', 'final', 'summary')),
    created_at    TIMESTAMP NOT NULL,
    responses     INTEGER NOT NULL,
    base          INTEGER NOT NULL,
    total_shown   BOOLEAN NOT NULL DEFAULT 0,
    cells         TEXT NOT NULL,
    shown         TEXT NOT NULL,
    result        TEXT NOT NULL,
    PRIMARY KEY (diagnostic_id, seq)
);
INSERT INTO result_releases_new (diagnostic_id, seq, kind, created_at, responses, base, total_shown, cells, shown, result)
    SELECT diagnostic_id, seq, kind, created_at, responses, base, total_shown, cells, shown, result FROM result_releases;
DROP TABLE result_releases;
ALTER TABLE result_releases_new RENAME TO result_releases;

-- Whether a closed diagnostic shows its employee summary on the respondent
-- link, and the directors' message to go with it. The figures are in the
-- summary releases, not here.
CREATE TABLE employee_summaries (
    diagnostic_id TEXT PRIMARY KEY REFERENCES diagnostics (id) ON DELETE CASCADE,
    published     BOOLEAN NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    published_at  TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL
);

-- A pulse is a short diagnostic of its own that follows a full
-- measurement: pulse_of is that measurement. Deleting the measurement
-- leaves the pulse without one.
ALTER TABLE diagnostics ADD COLUMN pulse_of TEXT REFERENCES diagnostics (id) ON DELETE SET NULL;
CREATE INDEX diagnostics_pulse_of ON diagnostics (pulse_of);
