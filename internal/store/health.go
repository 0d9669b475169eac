package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// DefaultMinFreeDisk is the free space an SQLite store wants on the disk of
// its database file before it calls itself ready. Below it, a load balancer
// should send respondents to an instance that can still store answers
// rather than let them fill in ten minutes of questions for nothing.
const DefaultMinFreeDisk = 64 << 20

// writeFailureMemory is how long a failed write keeps the store "not ready"
// when no write has succeeded since. It is bounded so that an instance that
// no longer receives traffic (because it is not ready) gets another chance:
// the next failing write makes it not ready again.
const writeFailureMemory = 30 * time.Second

// writeHealth remembers whether the last write failed because of the
// database itself (disk full, I/O error, connection lost) rather than
// because of the caller (not found, conflict, invalid).
type writeHealth struct {
	mu          sync.Mutex
	lastFailure time.Time
	lastSuccess time.Time
	cause       string
}

func (h *writeHealth) record(err error, now time.Time) {
	if err != nil && (survey.ErrorCode(err) != survey.CodeInternal || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The caller's mistake or the caller giving up says nothing
		// about the database.
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.lastSuccess = now
		return
	}
	h.lastFailure = now
	h.cause = err.Error()
}

// failing returns the cause of a recent write failure that no write has
// succeeded since, or "".
func (h *writeHealth) failing(now time.Time) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lastFailure.IsZero() || !h.lastFailure.After(h.lastSuccess) || now.Sub(h.lastFailure) > writeFailureMemory {
		return ""
	}
	return h.cause
}

// checkDiskSpace fails when the disk of the SQLite database has less free
// space than the store's minimum. PostgreSQL watches its own disk.
func (s *Store) checkDiskSpace() error {
	if s.path == "" || s.minFreeDisk <= 0 {
		return nil
	}
	free, known := freeDiskBytes(filepath.Dir(s.path))
	if !known || free >= uint64(s.minFreeDisk) {
		return nil
	}
	return survey.Errorf(survey.CodeInternal, "disk nearly full: %s free next to the database, %s needed",
		byteSize(free), byteSize(uint64(s.minFreeDisk)))
}

func byteSize(n uint64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
