package web

import (
	"sync"
	"time"
)

// addressLimiter allows an event per key (an e-mail address) at most max
// times per window. It keeps only recent events of at most maxKeys keys:
// when that many are tracked, old ones are dropped first, so a flood of
// made-up addresses cannot grow it without bound.
type addressLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
}

const addressLimiterKeys = 10000

func newAddressLimiter(max int, window time.Duration) *addressLimiter {
	return &addressLimiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// allow records an event for key at now and reports whether it is within
// the limit; refused events are not recorded.
func (l *addressLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.max {
		l.hits[key] = recent
		return false
	}
	if _, known := l.hits[key]; !known && len(l.hits) >= addressLimiterKeys {
		l.prune(now)
	}
	l.hits[key] = append(recent, now)
	return true
}

// prune drops the keys without recent events, and when none qualify, all.
func (l *addressLimiter) prune(now time.Time) {
	for k, ts := range l.hits {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
			delete(l.hits, k)
		}
	}
	if len(l.hits) >= addressLimiterKeys {
		clear(l.hits)
	}
}
