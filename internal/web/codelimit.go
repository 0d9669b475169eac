package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// Ceiling on wrong access codes per diagnostic, over all clients together:
// a burst of codeFailureBurst, then codeFailuresPerHour. The per-client
// limit (codeRateLimit) alone lets many addresses guess in parallel; with
// the ceiling, an attacker with any number of addresses gets 2,400 tries a
// day, and on a questionnaire with 10,000 codes out of 31⁸ (8.5·10¹¹)
// expects a hit after some 35,000 days. Employees who mistype stay far below it; when an attacker
// has spent it, everyone's code entry for that questionnaire waits for the
// refill (one try every 36 seconds) instead of the codes being guessed.
const (
	codeFailureBurst    = 100
	codeFailuresPerHour = 100
)

// failureCeiling counts refused attempts per key (a diagnostic's link
// token) in this instance's memory. Only keys with a failure are kept, so
// unknown links cost nothing.
type failureCeiling struct {
	mu        sync.Mutex
	now       func() time.Time
	limit     rate.Limit
	burst     int
	keys      map[string]*rate.Limiter
	lastSweep time.Time
}

func newFailureCeiling(now func() time.Time, perHour float64, burst int) *failureCeiling {
	return &failureCeiling{now: now, limit: rate.Limit(perHour / 3600), burst: burst, keys: map[string]*rate.Limiter{}}
}

// exhausted reports whether key has no failure left to spend.
func (f *failureCeiling) exhausted(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.keys[key]
	return ok && l.TokensAt(f.now()) < 1
}

// fail spends one failure of key.
func (f *failureCeiling) fail(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	l, ok := f.keys[key]
	if !ok {
		l = rate.NewLimiter(f.limit, f.burst)
		f.keys[key] = l
	}
	l.AllowN(now, 1)
	if now.Sub(f.lastSweep) > 10*time.Minute {
		// A full bucket is the same as none.
		for k, l := range f.keys {
			if l.TokensAt(now) >= float64(f.burst) {
				delete(f.keys, k)
			}
		}
		f.lastSweep = now
	}
}

// codeFailureCeiling refuses code entry on a diagnostic whose ceiling of
// wrong codes is spent (429), and counts every refused code (the handler's
// 422) against it. In memory per instance, like the other limits: with n
// instances the ceiling is n times as high.
func (s *Server) codeFailureCeiling() echo.MiddlewareFunc {
	ceiling := newFailureCeiling(s.now, codeFailuresPerHour, codeFailureBurst)
	retry := strconv.Itoa(int(3600 / codeFailuresPerHour))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Param("token")
			if ceiling.exhausted(key) {
				c.Response().Header().Set("Retry-After", retry)
				return echo.NewHTTPError(http.StatusTooManyRequests)
			}
			err := next(c)
			if err == nil && c.Response().Status == http.StatusUnprocessableEntity {
				ceiling.fail(key)
			}
			return err
		}
	}
}
