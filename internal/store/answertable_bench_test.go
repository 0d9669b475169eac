package store_test

import (
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
)

// BenchmarkResponseTable loads the answers of a large diagnostic the way
// the first computation of its results does. It needs a database made by
// `uitvoeringskracht demo --respondents 150000 --database URL`:
// UK_BENCH_DATABASE is that URL and UK_BENCH_DIAGNOSTIC the diagnostic id
// the demo prints.
func BenchmarkResponseTable(b *testing.B) {
	url, id := os.Getenv("UK_BENCH_DATABASE"), os.Getenv("UK_BENCH_DIAGNOSTIC")
	if url == "" || id == "" {
		b.Skip("set UK_BENCH_DATABASE and UK_BENCH_DIAGNOSTIC to a demo database")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	d, err := st.Diagnostic(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	items, background := scoring.TableColumns(&d.Questionnaire)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tab, err := st.ResponseTable(ctx, id, items, background)
		if err != nil {
			b.Fatal(err)
		}
		n = tab.Len()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(tab)
	}
	b.ReportMetric(float64(n), "respondents")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "table-MB")
}
