package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
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
// token) in this instance's memory: a token bucket per key. An attempt
// takes a token before it is checked and gives it back when it was not
// refused, so that parallel attempts cannot overshoot the ceiling. A full
// bucket is dropped, so keys without failures (unknown links included)
// cost nothing.
type failureCeiling struct {
	mu      sync.Mutex
	now     func() time.Time
	perSec  float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newFailureCeiling(now func() time.Time, perHour float64, burst int) *failureCeiling {
	return &failureCeiling{now: now, perSec: perHour / 3600, burst: float64(burst), buckets: map[string]*bucket{}}
}

// refill brings key's bucket up to now; the caller holds mu.
func (f *failureCeiling) refill(key string, now time.Time) *bucket {
	b, ok := f.buckets[key]
	if !ok {
		b = &bucket{tokens: f.burst, last: now}
		f.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(f.burst, b.tokens+elapsed.Seconds()*f.perSec)
		b.last = now
	}
	return b
}

// take spends one attempt of key; false when none is left.
func (f *failureCeiling) take(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.refill(key, f.now())
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// giveBack returns the attempt of an accepted code.
func (f *failureCeiling) giveBack(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.refill(key, f.now())
	b.tokens = min(f.burst, b.tokens+1)
	if b.tokens >= f.burst {
		delete(f.buckets, key)
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
			if !ceiling.take(key) {
				c.Response().Header().Set("Retry-After", retry)
				return echo.NewHTTPError(http.StatusTooManyRequests)
			}
			err := next(c)
			if err != nil || c.Response().Status != http.StatusUnprocessableEntity {
				ceiling.giveBack(key)
			}
			return err
		}
	}
}
