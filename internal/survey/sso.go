package survey

import "time"

// SSOProvider is a firm's OpenID Connect provider: its consultants whose
// address has one of Domains sign in there instead of (or besides) with a
// password.
type SSOProvider struct {
	FirmID string
	// DisplayName is what the sign-in button says: "Inloggen met <name>".
	DisplayName string
	IssuerURL   string
	ClientID    string
	// ClientSecret is the plain secret; the store keeps it sealed under
	// UK_SECRET_KEY, and no page shows it.
	ClientSecret string
	// Domains are lower-case e-mail domains; each belongs to one firm.
	Domains []string
	// PasswordAllowed keeps password sign-in open for the firm's accounts.
	PasswordAllowed bool
	// JITAllowed gives an uninvited address of an allowed domain an account
	// at its first sign-in.
	JITAllowed bool
	UpdatedAt  time.Time
}

// SSOLogin is a sign-in on its way through a provider. Its state is the
// key it is stored under and is not kept here.
type SSOLogin struct {
	FirmID    string
	Nonce     string
	Next      string
	ExpiresAt time.Time
}

// How an account joined its firm at an SSO sign-in.
const (
	SSOJoinedExisting   = ""
	SSOJoinedInvitation = "invitation"
	SSOJoinedJIT        = "jit"
)
