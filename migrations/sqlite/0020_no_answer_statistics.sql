-- The PostgreSQL twin turns off the statistics of the answer columns.
-- SQLite keeps statistics only of indexes (sqlite_stat1, sqlite_stat4),
-- and no index covers an answer column, so nothing is needed here; the
-- file keeps both dialects at the same version.
SELECT 1;
