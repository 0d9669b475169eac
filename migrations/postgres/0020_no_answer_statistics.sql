-- ANALYZE (autovacuum's too) samples columns into pg_statistic: most
-- common values and histograms. For the columns below that would keep, in
-- the catalogue and out of the scrub's and the erasure's reach, sampled
-- answers (beyond a purge), hashes of access codes and nonces after they
-- were spent and deleted, and the addresses and codes of personal
-- invitations after the outbox erased them. The planner never filters on
-- them by value distribution, so they need no statistics.
ALTER TABLE responses
    ALTER COLUMN background SET STATISTICS 0,
    ALTER COLUMN answers SET STATISTICS 0,
    ALTER COLUMN open_answers SET STATISTICS 0;
ALTER TABLE access_codes ALTER COLUMN code_hash SET STATISTICS 0;
ALTER TABLE submission_nonces ALTER COLUMN nonce_hash SET STATISTICS 0;
ALTER TABLE outgoing_messages
    ALTER COLUMN recipients SET STATISTICS 0,
    ALTER COLUMN subject SET STATISTICS 0,
    ALTER COLUMN text_body SET STATISTICS 0,
    ALTER COLUMN html_body SET STATISTICS 0,
    ALTER COLUMN attachments SET STATISTICS 0,
    ALTER COLUMN last_error SET STATISTICS 0;
-- ANALYZE then skips these columns but leaves what it sampled before;
-- changing a column to its own type drops those entries without
-- rewriting the table.
ALTER TABLE responses
    ALTER COLUMN background TYPE TEXT,
    ALTER COLUMN answers TYPE TEXT,
    ALTER COLUMN open_answers TYPE TEXT;
ALTER TABLE access_codes ALTER COLUMN code_hash TYPE TEXT;
ALTER TABLE submission_nonces ALTER COLUMN nonce_hash TYPE TEXT;
ALTER TABLE outgoing_messages
    ALTER COLUMN recipients TYPE TEXT,
    ALTER COLUMN subject TYPE TEXT,
    ALTER COLUMN text_body TYPE TEXT,
    ALTER COLUMN html_body TYPE TEXT,
    ALTER COLUMN attachments TYPE TEXT,
    ALTER COLUMN last_error TYPE TEXT;
