package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The accessibility statement (toegankelijkheidsverklaring) at
// /toegankelijkheid, in the form the Dutch government uses. Its texts are in
// templates/i18n/*/accessibility.yaml; what it says was tested is what the
// browser tests in cmd/uitvoeringskracht do (docs/accessibility.md).

const (
	// statementAxeVersion is the axe-core version the browser tests run;
	// a test keeps it equal to the version pinned in .ci/package.json.
	statementAxeVersion = "4.14.1"
	// statementDate is the day the statement was last checked against a
	// passing run of the browser tests.
	statementDate = "2026-11-25"
)

// statementAxeTags are the axe-core rule sets the tests run: WCAG 2.0 and
// 2.1, levels A and AA.
func statementAxeTags() []string { return []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"} }

// accessibilityPage is the data of the statement.
type accessibilityPage struct {
	AxeVersion string
	AxeTags    string
	Date       string
}

// showAccessibility shows the accessibility statement. It is public: the
// footer of every page links to it.
func (s *Server) showAccessibility(c echo.Context) error {
	t := s.texts.For(requestLang(c))
	day, err := time.ParseInLocation("2006-01-02", statementDate, time.Local)
	if err != nil {
		return err
	}
	page := accessibilityPage{AxeVersion: statementAxeVersion, AxeTags: strings.Join(statementAxeTags(), ", "), Date: formatDate(day, t)}
	return s.render(c, http.StatusOK, "accessibility", t.Get("statement.title"), page, false)
}
