package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// benchCallers is the number of concurrent submitters the target is set
// for: 3,000 submissions per second from 64 callers on a 2-core machine.
const benchCallers = 64

// BenchmarkSubmit measures Submit (nonce and response in one transaction)
// with ~64 concurrent callers. The SQLite database lives in
// $UK_BENCH_DIR when set, so that it can be put on the disk of interest
// (TempDir may be a tmpfs, where fsync is free).
func BenchmarkSubmit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchmarkSubmit(b, openBench(b, store.DialectSQLite, true))
	})
	b.Run("sqlite-without-group-commit", func(b *testing.B) {
		benchmarkSubmit(b, openBench(b, store.DialectSQLite, false))
	})
	b.Run("postgres", func(b *testing.B) {
		benchmarkSubmit(b, openBench(b, store.DialectPostgres, true))
	})
}

func openBench(b *testing.B, dialect string, groupCommit bool) *store.Store {
	b.Helper()
	url := storetest.DatabaseURL(b, dialect)
	if dir := os.Getenv("UK_BENCH_DIR"); dir != "" && dialect == store.DialectSQLite {
		path := filepath.Join(dir, fmt.Sprintf("bench-%d.db", os.Getpid()))
		url = "sqlite:" + path
		b.Cleanup(func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		})
	}
	open := store.Open
	if !groupCommit {
		open = store.OpenWithoutGroupCommit
	}
	s, err := open(context.Background(), url, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchmarkSubmit(b *testing.B, s *store.Store) {
	ctx := context.Background()
	diag := newDiagnostic(b, s)
	nonces := make([]string, b.N)
	for i := range nonces {
		nonces[i] = newNonce()
	}
	responses := make([]*survey.Response, b.N)
	for i := range responses {
		responses[i] = testResponse(diag.ID, i)
	}

	var next atomic.Int64
	b.SetParallelism((benchCallers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if err := s.Submit(ctx, nonces[i], responses[i]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
	if n, err := s.CountResponses(ctx, diag.ID); err != nil || n != b.N {
		b.Fatalf("stored %d responses (%v), submitted %d", n, err, b.N)
	}
}
