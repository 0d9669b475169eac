-- When a diagnostic was closed by hand, so that answers can be deleted once
-- the retention period after closing has passed (uitvoeringskracht purge).
-- A diagnostic that closed by its date has closes_at instead.
ALTER TABLE diagnostics ADD COLUMN closed_at TIMESTAMP;
