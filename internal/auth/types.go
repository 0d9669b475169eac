package auth

import "time"

// Credentials are the secrets and sign-in state of one consultant. They
// never leave the server: no page or API response shows them.
type Credentials struct {
	ConsultantID string
	PasswordHash string
	// TOTPSecret is set while two-factor sign-in is on.
	TOTPSecret string
	// TOTPPendingSecret is the secret being set up, until it is confirmed.
	TOTPPendingSecret string
	// TOTPLastStep is the step of the last code accepted.
	TOTPLastStep int64
	FailedLogins int
	LockedUntil  *time.Time
}

// Locked reports whether the account refuses every sign-in at now.
func (c *Credentials) Locked(now time.Time) bool {
	return c.LockedUntil != nil && now.Before(*c.LockedUntil)
}

// Stage is how far a session got in signing in.
type Stage string

// The stages of a session.
const (
	// StageSecondFactor: the password was right and the session waits for a
	// code; it opens nothing but the code page.
	StageSecondFactor Stage = "second_factor"
	// StageFull: signed in.
	StageFull Stage = "full"
)

// Session is a server-side session. Its id exists only in the consultant's
// cookie; the database holds its SHA-256.
type Session struct {
	ConsultantID string
	Stage        Stage
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	// FirmRequiresTOTP is the firm's policy, loaded with the session so that
	// a request costs one query.
	FirmRequiresTOTP bool
	// Method is how the session signed in; empty means MethodPassword.
	Method Method
}

// Valid reports whether the session may still be used at now: before its
// absolute end and not idle for too long.
func (s *Session) Valid(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Sub(s.LastSeenAt) < SessionIdle
}

// Invitation lets the person at Email create an account in a firm.
type Invitation struct {
	ID        string
	FirmID    string
	FirmName  string
	Email     string
	IsAdmin   bool
	InvitedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the invitation no longer works at now.
func (i *Invitation) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// APIToken describes a token for the HTTP API; the token itself is shown
// once, when it is made, and stored as its SHA-256.
type APIToken struct {
	ID           string
	ConsultantID string
	Name         string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// NoPasswordHash is the password hash of an account made at a single
// sign-on: it is no argon2id hash, so no password ever matches it.
const NoPasswordHash = "!sso-only"

// Method is how a session signed in.
type Method string

// The sign-in methods.
const (
	MethodPassword Method = "password"
	// MethodSSO: through the firm's OpenID Connect provider, whose own
	// multi-factor authentication counts instead of TOTP.
	MethodSSO Method = "sso"
)

// SSOLoginLifetime is how long a sign-in may take at the provider.
const SSOLoginLifetime = 10 * time.Minute
