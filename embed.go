// Package uitvoeringskracht exposes the files that are embedded in the binary.
// It lives at the repository root because go:embed cannot reach parent
// directories; it holds nothing else.
package uitvoeringskracht

import "embed"

// Questionnaires holds the questionnaire definitions (YAML) under questionnaires/.
//
//go:embed questionnaires
var Questionnaires embed.FS

// Templates holds HTML templates, translations and advice texts under templates/.
//
//go:embed templates
var Templates embed.FS

// Migrations holds the SQL schema migrations under migrations/.
//
//go:embed migrations
var Migrations embed.FS
