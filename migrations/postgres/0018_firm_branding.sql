-- A firm's own look (survey.Branding): display name, contact line, primary
-- colour and logo. The logo is a PNG the service encoded itself
-- (internal/logo), never the uploaded file; logo_version is a hash of it
-- that changes the logo's address, so no cache shows an old one. One row
-- per firm, made when an admin first saves the team page's branding form.
CREATE TABLE firm_branding (
    firm_id             TEXT PRIMARY KEY REFERENCES firms (id) ON DELETE CASCADE,
    display_name        TEXT NOT NULL DEFAULT '',
    contact_line        TEXT NOT NULL DEFAULT '',
    primary_color       TEXT NOT NULL DEFAULT '',
    logo                BYTEA,
    logo_width          INTEGER NOT NULL DEFAULT 0,
    logo_height         INTEGER NOT NULL DEFAULT 0,
    logo_version        TEXT NOT NULL DEFAULT '',
    on_respondent_pages BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at          TIMESTAMPTZ NOT NULL
);
