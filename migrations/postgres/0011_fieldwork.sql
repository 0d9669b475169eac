-- The actual fieldwork period: opened_at is when a diagnostic first
-- accepted answers by a consultant's hand (closed_at, from 0007, is when it
-- was closed by hand). Pages print the period that really ran rather than
-- "no dates set" when a consultant opened and closed without dates.
ALTER TABLE diagnostics ADD COLUMN opened_at TIMESTAMPTZ;
