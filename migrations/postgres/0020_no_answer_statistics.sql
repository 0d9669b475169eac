-- ANALYZE (autovacuum's too) samples every column into pg_statistic: the
-- most common values and histograms of the answer columns would keep
-- answers in the catalogue, beyond a purge and out of the scrub's reach.
-- The planner never filters on these columns, so they need no statistics.
ALTER TABLE responses
    ALTER COLUMN background SET STATISTICS 0,
    ALTER COLUMN answers SET STATISTICS 0,
    ALTER COLUMN open_answers SET STATISTICS 0;
-- ANALYZE then skips the columns but leaves what it sampled before;
-- changing a column to its own type drops those entries without
-- rewriting the table.
ALTER TABLE responses
    ALTER COLUMN background TYPE TEXT,
    ALTER COLUMN answers TYPE TEXT,
    ALTER COLUMN open_answers TYPE TEXT;
