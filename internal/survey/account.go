package survey

import "time"

// Firm is a consultancy: the tenant that owns organisations, diagnostics and
// consultants. Nothing of one firm is visible to another.
type Firm struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// RequireTOTP makes two-factor sign-in compulsory for every consultant
	// of the firm.
	RequireTOTP bool      `json:"require_totp"`
	CreatedAt   time.Time `json:"created_at"`
}

// Consultant is a user account of a firm.
type Consultant struct {
	ID          string     `json:"id"`
	FirmID      string     `json:"firm_id"`
	FirmName    string     `json:"firm_name"`
	Email       string     `json:"email"`
	IsAdmin     bool       `json:"is_admin"`
	Disabled    bool       `json:"disabled"`
	TOTPEnabled bool       `json:"totp_enabled"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// AuditEntry records one consultant action. It never holds respondent data.
type AuditEntry struct {
	ID           string    `json:"id"`
	FirmID       string    `json:"firm_id"`
	ConsultantID string    `json:"consultant_id,omitempty"`
	Email        string    `json:"email,omitempty"`
	Action       string    `json:"action"`
	TargetType   string    `json:"target_type,omitempty"`
	TargetID     string    `json:"target_id,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	At           time.Time `json:"at"`
}
