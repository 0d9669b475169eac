-- A director link may carry a label that says whom it was made for ("MT
-- Uitvoering", "J. de Vries"), so that a consultant knows which link to
-- revoke. It is the consultant's note, shown only in the workspace.
ALTER TABLE director_links ADD COLUMN label TEXT NOT NULL DEFAULT '';
