package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers as long as the process runs.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 only when the database is reachable and its schema is
// current, so a load balancer sends no respondents to an instance that
// cannot store their answers.
func (s *Server) readyz(c echo.Context) error {
	if err := s.store.Ready(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "not ready\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
