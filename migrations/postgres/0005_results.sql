-- Results: what the results pages must remember between requests.
--
-- result_previews holds, per diagnostic that is still open, the number of
-- responses when a consultant last asked for a preview: a new preview is
-- refused when it would differ from the last by fewer respondents than the
-- minimum group size, since the two could be subtracted. It holds no
-- respondent data.
CREATE TABLE result_previews (
    diagnostic_id TEXT PRIMARY KEY REFERENCES diagnostics (id) ON DELETE CASCADE,
    responses     INTEGER NOT NULL
);

-- result_summaries holds the organisation-level index of each closed
-- diagnostic whose results were computed, for the sector benchmark of other
-- organisations. The benchmark only ever reports a percentile over at least
-- five organisations; a summary is never shown on its own. index_mean is
-- NULL when the index could not be shown.
CREATE TABLE result_summaries (
    diagnostic_id TEXT PRIMARY KEY REFERENCES diagnostics (id) ON DELETE CASCADE,
    index_mean    DOUBLE PRECISION,
    respondents   INTEGER NOT NULL,
    computed_at   TIMESTAMPTZ NOT NULL
);

-- Pooling and the benchmark look diagnostics up by their questionnaire.
CREATE INDEX diagnostics_questionnaire ON diagnostics (questionnaire_id, questionnaire_version);
