package web

import (
	"context"
	"sync"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// diagnosticCache keeps the diagnostics behind respondent links for a
// moment. Every page of the questionnaire needs its diagnostic, and loading
// one means decoding the questionnaire snapshot: without the cache that was
// a third of the server's work per page. The entries are shared and must
// not be changed. A consultant's change (closing, say) reaches respondents
// within the time to live, on every instance.
type diagnosticCache struct {
	ttl     time.Duration
	max     int
	mu      sync.Mutex
	entries map[string]cachedDiagnostic
}

type cachedDiagnostic struct {
	d       *survey.Diagnostic
	expires time.Time
}

func newDiagnosticCache(ttl time.Duration, max int) *diagnosticCache {
	return &diagnosticCache{ttl: ttl, max: max, entries: map[string]cachedDiagnostic{}}
}

// staleIfError is how long after it expired a cached diagnostic may still
// be used while the database cannot be reached: long enough that a
// respondent in the middle of the questionnaire sees their page, with a
// "try again" message, instead of an error page that loses what they just
// entered.
const staleIfError = 15 * time.Minute

// byToken returns the diagnostic of a respondent link, from the cache when
// it is fresh. Errors (not found included) are never cached, so a link
// starts working as soon as it exists. When loading fails for a reason of
// the database (not "not found"), a recently expired entry is used: the
// page can then keep the respondent's answers on screen, and nothing can
// be stored anyway until the database is back.
func (dc *diagnosticCache) byToken(ctx context.Context, load func(context.Context, string) (*survey.Diagnostic, error), token string, now time.Time) (*survey.Diagnostic, error) {
	dc.mu.Lock()
	e, ok := dc.entries[token]
	dc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.d, nil
	}
	d, err := load(ctx, token)
	if err != nil {
		if ok && survey.ErrorCode(err) == survey.CodeInternal && now.Before(e.expires.Add(staleIfError)) {
			return e.d, nil
		}
		return nil, err
	}
	dc.mu.Lock()
	if len(dc.entries) >= dc.max {
		// Rarely reached (one entry per open diagnostic); starting afresh
		// keeps the cache bounded without bookkeeping.
		clear(dc.entries)
	}
	dc.entries[token] = cachedDiagnostic{d: d, expires: now.Add(dc.ttl)}
	dc.mu.Unlock()
	return d, nil
}
