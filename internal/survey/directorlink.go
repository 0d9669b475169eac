package survey

import "time"

// DirectorLink lets a director read the summary of a closed diagnostic and
// download its report without an account. The link's token is a secret that
// the store keeps only as a hash: it is shown to the consultant once, when
// the link is made.
type DirectorLink struct {
	ID           string `json:"id"`
	DiagnosticID string `json:"diagnostic_id"`
	// FirmID is the firm that owns the diagnostic; the store fills it in
	// when it looks a link up by its token.
	FirmID string `json:"firm_id"`
	// Lang is the report language chosen when the link was made.
	Lang string `json:"lang"`
	// Label says whom the link was made for; the consultant's own note.
	Label string `json:"label,omitempty"`
	// CanUpdate lets the link's holders change the status of the plan's
	// actions and add notes; without it the link only reads.
	CanUpdate bool       `json:"can_update"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Downloads counts the reports fetched through the link.
	Downloads int `json:"downloads"`
}

// Usable reports whether the link may be used at now: not revoked and not
// expired.
func (l *DirectorLink) Usable(now time.Time) bool {
	return l.RevokedAt == nil && now.Before(l.ExpiresAt)
}
