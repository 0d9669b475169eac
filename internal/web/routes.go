package web

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the service in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError

	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Use(s.requestLogger)
	e.Use(middleware.Recover())
	e.Use(s.securityHeaders)
	e.Use(middleware.BodyLimit(s.cfg.BodyLimit))
	e.Use(s.chooseLanguage)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", echo.WrapHandler(s.static))

	// The respondent flow. Every form is protected against CSRF.
	d := e.Group("/d/:token", s.csrf())
	d.GET("", s.landing)
	d.POST("/start", s.start)
	d.GET("/stap/:step", s.showStep)
	d.POST("/stap/:step", s.saveStep)
	d.GET("/controle", s.review)
	d.POST("/verzenden", s.submit)
	d.GET("/bedankt", s.thanks)

	return e
}

// newRequestID returns a random id; it is unrelated to anything stored.
func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
