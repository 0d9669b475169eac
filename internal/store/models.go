package store

import (
	"time"

	"github.com/uptrace/bun"
)

// The row types mirror the tables of the migrations; the domain types in
// package survey stay free of database tags. JSON columns are TEXT holding
// what encoding/json wrote, so both dialects store the same bytes.

type organisationRow struct {
	bun.BaseModel `bun:"table:organisations,alias:o"`

	ID        string    `bun:"id,pk"`
	FirmID    string    `bun:"firm_id,nullzero"`
	Name      string    `bun:"name"`
	Sector    string    `bun:"sector"`
	Headcount int       `bun:"headcount"`
	CreatedAt time.Time `bun:"created_at"`
}

type diagnosticRow struct {
	bun.BaseModel `bun:"table:diagnostics,alias:d"`

	ID                   string     `bun:"id,pk"`
	OrganisationID       string     `bun:"organisation_id"`
	Name                 string     `bun:"name"`
	Token                string     `bun:"token"`
	QuestionnaireID      string     `bun:"questionnaire_id"`
	QuestionnaireVersion string     `bun:"questionnaire_version"`
	Questionnaire        string     `bun:"questionnaire"`
	Units                string     `bun:"units"`
	Languages            string     `bun:"languages"`
	Access               string     `bun:"access"`
	PreviousID           string     `bun:"previous_id,nullzero"`
	PulseOf              string     `bun:"pulse_of,nullzero"`
	State                string     `bun:"state"`
	MinGroupSize         int        `bun:"min_group_size"`
	OpensAt              *time.Time `bun:"opens_at"`
	ClosesAt             *time.Time `bun:"closes_at"`
	ClosedAt             *time.Time `bun:"closed_at"`
	OpenedAt             *time.Time `bun:"opened_at"`
	CreatedAt            time.Time  `bun:"created_at"`

	Organisation *organisationRow `bun:"rel:belongs-to,join:organisation_id=id"`
}

type accessCodeRow struct {
	bun.BaseModel `bun:"table:access_codes,alias:ac"`

	CodeHash     string `bun:"code_hash,pk"`
	DiagnosticID string `bun:"diagnostic_id"`
}

type accessCodeBatchRow struct {
	bun.BaseModel `bun:"table:access_code_batches,alias:acb"`

	ID           string    `bun:"id,pk"`
	DiagnosticID string    `bun:"diagnostic_id"`
	Issued       int       `bun:"issued"`
	CreatedAt    time.Time `bun:"created_at"`
}

// responseRow is deliberately poor: an id, the diagnostic, a date and the
// answers. Adding a column here is an anonymity decision.
type responseRow struct {
	bun.BaseModel `bun:"table:responses,alias:r"`

	ID           string `bun:"id,pk"`
	DiagnosticID string `bun:"diagnostic_id"`
	SubmittedOn  string `bun:"submitted_on"`
	Background   string `bun:"background"`
	Answers      string `bun:"answers"`
	OpenAnswers  string `bun:"open_answers"`
}

type submissionNonceRow struct {
	bun.BaseModel `bun:"table:submission_nonces,alias:sn"`

	NonceHash    string `bun:"nonce_hash,pk"`
	DiagnosticID string `bun:"diagnostic_id"`
}
