package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
	BackURL string
}

// apiError is the JSON body of every API error: a stable code and a message
// for people.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError is echo's single error handler: it maps coded errors and echo's
// own errors to statuses, logs only internal errors, and answers with a page
// in the user's language (or JSON on the API). Internal details never reach
// the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, errComputing) {
		s.computingPage(c)
		return
	}
	status, key := s.classify(err)
	respondent := strings.HasPrefix(c.Request().URL.Path, "/d/")
	if respondent && status == http.StatusInternalServerError {
		// On the questionnaire an internal error is nearly always the
		// database being unreachable or full. What the respondent
		// answered before is in their sealed cookie, and what they
		// just entered is still in the browser's form: tell them to
		// try again.
		status, key = http.StatusServiceUnavailable, "error.respondent_unavailable"
		c.Response().Header().Set("Retry-After", "30")
	}
	if status >= 500 {
		s.logger.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("route", c.Path()),
			slog.String("error", err.Error()),
		)
	}
	t := s.texts.For(requestLang(c))
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		// In the API's language even when middleware before apiDefaults
		// refused the request (the body limit, a path with a NUL).
		t = s.texts.For(apiLang)
		code := string(survey.ErrorCode(err))
		msg := survey.ErrorMessage(err)
		if status >= 500 || msg == "" {
			msg = t.Get(key)
		}
		if code == string(survey.CodeInternal) && status < 500 {
			code = strings.ReplaceAll(statusText(status), " ", "_")
		}
		_ = c.JSON(status, apiError{Code: code, Message: msg})
		return
	}
	page := errorPage{Status: status, Heading: t.Get(key + ".heading"), Message: t.Get(key)}
	if c.Request().Method == http.MethodPost {
		// Going back returns to the form, whose answers the browser keeps.
		page.BackURL = c.Request().URL.Path
	}
	noStore(c)
	if rerr := s.render(c, status, "error", page.Heading, page, false); rerr != nil {
		s.logger.Error("render error page", slog.String("error", rerr.Error()))
		_ = c.String(status, http.StatusText(status))
	}
}

// classify returns the status and the translation key of the message.
func (s *Server) classify(err error) (int, string) {
	if errors.Is(err, errCSRF) {
		return http.StatusForbidden, "error.csrf"
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return http.StatusNotFound, "error.not_found"
		case http.StatusMethodNotAllowed:
			return http.StatusMethodNotAllowed, "error.method"
		case http.StatusRequestEntityTooLarge:
			return http.StatusRequestEntityTooLarge, "error.too_large"
		case http.StatusUnauthorized:
			return http.StatusUnauthorized, "error.unauthorized"
		case http.StatusTooManyRequests:
			return http.StatusTooManyRequests, "error.rate_limited"
		case http.StatusServiceUnavailable:
			return http.StatusServiceUnavailable, "error.unavailable"
		}
		if he.Code >= 400 && he.Code < 500 {
			return he.Code, "error.bad_request"
		}
		return http.StatusInternalServerError, "error.internal"
	}
	switch survey.ErrorCode(err) {
	case survey.CodeInvalid:
		return http.StatusBadRequest, "error.bad_request"
	case survey.CodeNotFound:
		return http.StatusNotFound, "error.not_found"
	case survey.CodeConflict:
		return http.StatusConflict, "error.conflict"
	case survey.CodeForbidden:
		return http.StatusForbidden, "error.forbidden"
	default:
		return http.StatusInternalServerError, "error.internal"
	}
}

// computingPage answers a request for results that wait for a free
// computation slot (compute.go): the API with 503 and Retry-After, a page
// with a page that says so and reloads itself.
func (s *Server) computingPage(c echo.Context) {
	t := s.texts.For(requestLang(c))
	c.Response().Header().Set("Retry-After", strconv.Itoa(computeRetrySeconds))
	noStore(c)
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(http.StatusServiceUnavailable, apiError{Code: "computing", Message: t.Get("results.computing")})
		return
	}
	page := errorPage{Status: http.StatusServiceUnavailable, Heading: t.Get("results.computing.heading"), Message: t.Get("results.computing")}
	c.Set(ctxRefresh, computeRetrySeconds)
	if err := s.render(c, http.StatusServiceUnavailable, "error", page.Heading, page, false); err != nil {
		s.logger.Error("render computing page", slog.String("error", err.Error()))
		_ = c.String(http.StatusServiceUnavailable, page.Message)
	}
}
