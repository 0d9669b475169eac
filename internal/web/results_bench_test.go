package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// BenchmarkWarmResultsOnDemo times GET /api/v1/diagnostics/{id}/results
// (the handler, JSON included) on a demo database whose results are kept:
// `uitvoeringskracht demo --respondents 150000 --database URL`, then
// UK_BENCH_DATABASE=URL and UK_BENCH_DIAGNOSTIC=the id the demo prints.
// The database is scrubbed first, as serve does when it starts.
func BenchmarkWarmResultsOnDemo(b *testing.B) {
	url, id := os.Getenv("UK_BENCH_DATABASE"), os.Getenv("UK_BENCH_DIAGNOSTIC")
	if url == "" || id == "" {
		b.Skip("set UK_BENCH_DATABASE and UK_BENCH_DIAGNOSTIC to a demo database")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	// As serve starts: a scrub first (on PostgreSQL it rewrites the
	// responses, which used to leave the counting without a visibility map).
	if err := st.Scrub(ctx); err != nil {
		b.Fatal(err)
	}
	d, err := st.Diagnostic(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{BaseURL: "http://uk.test"}, Deps{Store: st, Files: uitvoeringskracht.Templates})
	if err != nil {
		b.Fatal(err)
	}
	get := func() {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/diagnostics/"+id+"/results", nil)
		rec := httptest.NewRecorder()
		c := s.echo.NewContext(req, rec)
		c.SetParamNames("id")
		c.SetParamValues(id)
		c.Set(ctxConsultant, &survey.Consultant{FirmID: d.Organisation.FirmID})
		if err := s.apiResults(c); err != nil || rec.Code != http.StatusOK {
			b.Fatalf("results: %d %v", rec.Code, err)
		}
	}
	get() // the first request computes when nothing is kept yet
	b.ReportAllocs()
	for b.Loop() {
		get()
	}
}
