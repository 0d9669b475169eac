-- Settings a consultant chooses per diagnostic: the respondents' languages,
-- how respondents get in (the open link or single-use codes) and the earlier
-- wave this one follows.
ALTER TABLE diagnostics ADD COLUMN languages TEXT NOT NULL DEFAULT '["nl","en"]';
ALTER TABLE diagnostics ADD COLUMN access TEXT NOT NULL DEFAULT 'link';
ALTER TABLE diagnostics ADD COLUMN previous_id TEXT REFERENCES diagnostics (id) ON DELETE SET NULL;
