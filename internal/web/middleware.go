package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Context keys set by middleware.
const (
	ctxLang      = "lang"
	ctxCSRF      = "csrf"
	ctxRequestID = "request_id"
	// ctxConsultant holds the signed-in *survey.Consultant.
	ctxConsultant = "consultant"
)

const langCookie = "uk_lang"

// errCSRF marks a state-changing request without a valid CSRF token; the
// error handler shows a friendly "please try again" page for it.
var errCSRF = errors.New("csrf token missing or invalid")

// requestLogger writes one structured line per request. It deliberately logs
// the route pattern (/d/:token) instead of the URI and never the client's IP
// address: respondent tokens, access codes and the addresses of respondents
// must not end up in logs.
//
// Respondent routes (/d/...) get no line at all (the metrics count them):
// the time of a request and the size of the page, which depends on the
// answers, would date every response. Their internal errors are still
// logged, by the error handler, with the time cut to the hour
// (respondentLogHandler).
func (s *Server) requestLogger(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isRespondentPath(c.Request().URL.Path) {
			req := c.Request()
			c.SetRequest(req.WithContext(context.WithValue(req.Context(), respondentLogKey{}, true)))
			if err := next(c); err != nil {
				c.Error(err)
			}
			s.respondentRequests.Add(1)
			return nil
		}
		start := time.Now()
		err := next(c)
		if err != nil {
			// Let the error handler write the response now, so the
			// logged status is the one the client receives.
			c.Error(err)
		}
		res := c.Response()
		route := c.Path()
		if route == "" {
			route = "(no route)"
		}
		s.logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		)
		return nil
	}
}

// securityHeaders sets the headers every response carries. The policy allows
// only script files of this site, and only outside respondents' and
// directors' pages (the copy buttons and the live progress of the
// workspace, which also fetches from this site), never inline
// script: every page works without JavaScript.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		script := "script-src 'self'; connect-src 'self'; "
		if p := c.Request().URL.Path; isRespondentPath(p) || strings.HasPrefix(p, "/r/") {
			// Respondents' and directors' pages load no script at all.
			script = ""
		}
		h.Set("Content-Security-Policy", "default-src 'none'; "+script+"style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "public, max-age=3600")
		} else {
			// Pages hold answers, results or account data: no cache, the
			// browser's included, may keep them.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// chooseLanguage picks the interface language: ?lang= (remembered in a
// cookie), else the cookie, else Dutch.
func (s *Server) chooseLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := ""
		if q := c.QueryParam("lang"); isSupportedLanguage(q) {
			lang = q
			c.SetCookie(&http.Cookie{
				Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
			})
		} else if ck, err := c.Cookie(langCookie); err == nil && isSupportedLanguage(ck.Value) {
			lang = ck.Value
		}
		if lang == "" {
			lang = supportedLanguages()[0]
		}
		c.Set(ctxLang, lang)
		return next(c)
	}
}

// csrf protects every state-changing form with a token in a cookie and a
// hidden field (double submit), so it needs no server-side session and
// works the same on every instance. The token counts only from the form's
// body or the X-CSRF-Token header, never from the query string: a token in
// a URL leaks through history, logs and shared links. Under https the
// cookie has the __Host- prefix, which browsers accept only when it is
// Secure, for this host alone and for the whole path, so a sibling
// subdomain cannot plant a token of its choosing.
func (s *Server) csrf() echo.MiddlewareFunc {
	check := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + csrfField + ",header:X-CSRF-Token",
		ContextKey:     ctxCSRF,
		CookieName:     s.csrfCookieName(),
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   func(error, echo.Context) error { return errCSRF },
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		checked := check(next)
		return func(c echo.Context) error {
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			default:
				// echo's form lookup reads the query string too.
				if c.Request().URL.Query().Has(csrfField) {
					return errCSRF
				}
			}
			return checked(c)
		}
	}
}

// csrfField is the name of the hidden form field with the CSRF token.
const csrfField = "csrf"

// csrfCookieName is the CSRF cookie's name: with the __Host- prefix under
// https (see csrf).
func (s *Server) csrfCookieName() string {
	if s.secure {
		return "__Host-uk_csrf"
	}
	return "uk_csrf"
}

// respondentRateLimit counts the questionnaires a client starts and
// submits, against scripts that stuff a diagnostic with answers. The limit
// is generous (Config.RespondentRateLimit a minute, burst as large): every
// employee of a ministry may sit behind one address. Starting and
// submitting share one budget, so a respondent costs two. Addresses are
// held in memory only. With a zero limit it lets everything through.
func (s *Server) respondentRateLimit() echo.MiddlewareFunc {
	if s.cfg.RespondentRateLimit == 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	perMinute := float64(2 * s.cfg.RespondentRateLimit)
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(perMinute / 60), Burst: 2 * s.cfg.RespondentRateLimit, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: clientAddress,
		ErrorHandler:        func(echo.Context, error) error { return echo.NewHTTPError(http.StatusForbidden) },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return echo.NewHTTPError(http.StatusTooManyRequests)
		},
	})
}

// codeRateLimit slows down guessing of access codes: each client may try a
// few codes a minute. The client's address is held in memory only, for
// counting; it is never stored or logged.
func (s *Server) codeRateLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(10.0 / 60), Burst: 10, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: clientAddress,
		ErrorHandler:        func(echo.Context, error) error { return echo.NewHTTPError(http.StatusForbidden) },
		DenyHandler: func(echo.Context, string, error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests)
		},
	})
}

// refuseControlCharsInPath answers 404 for a path that holds a control
// character (such as %00): no id, token or page name has one, and it must
// never reach a database lookup.
func refuseControlCharsInPath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if hasControlChars(c.Request().URL.Path) || strings.ContainsAny(c.Request().URL.Path, "\t\n\r") {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// isRespondentPath reports whether path is one of a respondent's pages.
func isRespondentPath(path string) bool { return strings.HasPrefix(path, "/d/") }

// respondentLogKey marks the context of a respondent's request.
type respondentLogKey struct{}

// respondentLogHandler cuts the time of every record about a respondent's
// request to the hour: a record made with the request's context, or one
// whose route attribute is a respondent route. The hour is enough to find
// an outage in other logs, and too coarse to tell the respondents of a
// diagnostic apart by the moment they answered.
type respondentLogHandler struct {
	slog.Handler
}

func (h respondentLogHandler) Handle(ctx context.Context, r slog.Record) error {
	respondent, _ := ctx.Value(respondentLogKey{}).(bool)
	if !respondent {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "route" && isRespondentPath(a.Value.String()) {
				respondent = true
				return false
			}
			return true
		})
	}
	if respondent {
		r.Time = r.Time.Truncate(time.Hour)
	}
	return h.Handler.Handle(ctx, r)
}

func (h respondentLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return respondentLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h respondentLogHandler) WithGroup(name string) slog.Handler {
	return respondentLogHandler{h.Handler.WithGroup(name)}
}

// RespondentRequests returns how many requests on respondent routes the
// server has answered: their only trace besides the metrics, logged as a
// total when the service stops.
func (s *Server) RespondentRequests() int64 { return s.respondentRequests.Load() }
