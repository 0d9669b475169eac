-- Results back to employees, and pulse measurements (issue 14).
--
-- The employee summary is one more release: result_releases gains the kind
-- 'summary' (the organisation's figures of a final release, shown on the
-- respondent link).
ALTER TABLE result_releases DROP CONSTRAINT result_releases_kind_check;
ALTER TABLE result_releases ADD CONSTRAINT result_releases_kind_check CHECK (kind IN ('preview', 'final', 'summary'));

-- Whether a closed diagnostic shows its employee summary on the respondent
-- link, and the directors' message to go with it. The figures are in the
-- summary releases, not here.
CREATE TABLE employee_summaries (
    diagnostic_id TEXT PRIMARY KEY REFERENCES diagnostics (id) ON DELETE CASCADE,
    published     BOOLEAN NOT NULL DEFAULT FALSE,
    message       TEXT NOT NULL DEFAULT '',
    published_at  TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- A pulse is a short diagnostic of its own that follows a full
-- measurement: pulse_of is that measurement. Deleting the measurement
-- leaves the pulse without one.
ALTER TABLE diagnostics ADD COLUMN pulse_of TEXT REFERENCES diagnostics (id) ON DELETE SET NULL;
CREATE INDEX diagnostics_pulse_of ON diagnostics (pulse_of);
