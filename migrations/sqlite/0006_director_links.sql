-- Director links and report dates.
--
-- director_links lets a director open the summary and the report of a closed
-- diagnostic without an account. The token of the link is kept only as its
-- SHA-256: reading the database gives nobody a working link. Nothing about
-- the people who use a link is kept, only how many reports were fetched.
CREATE TABLE director_links (
    id            TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    -- The report language chosen when the link was made.
    lang          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    downloads     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX director_links_diagnostic_id ON director_links (diagnostic_id);

-- report_dates pins the date printed on the report of a closed diagnostic,
-- so that every download of the same results gives the same bytes. It is
-- tied to the number of responses: when a reopened diagnostic gets more,
-- the report is new and so is its date.
CREATE TABLE report_dates (
    diagnostic_id TEXT PRIMARY KEY REFERENCES diagnostics (id) ON DELETE CASCADE,
    responses     INTEGER NOT NULL,
    generated_on  TIMESTAMP NOT NULL
);
