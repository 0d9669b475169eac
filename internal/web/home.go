package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
)

// home answers the bare address of the service, which is what a consultant
// types first: the workspace when signed in, the login page otherwise.
// Respondents and directors always arrive with a link of their own.
func (s *Server) home(c echo.Context) error {
	sess, _, _, err := s.currentSession(c)
	if err != nil {
		return err
	}
	if sess != nil && sess.Stage == auth.StageFull {
		return c.Redirect(http.StatusSeeOther, defaultAfterLoginPath)
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
