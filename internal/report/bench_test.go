package report

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report/simulate"
)

// largeFixture is an organisation of 30 units of very different sizes with
// n respondents and a previous wave.
func largeFixture(t testing.TB, n int) *fixture {
	org := simulate.Generic(30, n, rand.New(rand.NewPCG(30, uint64(n))))
	return newFixture(t, n, org, 11, true)
}

// TestLargeReportSize checks the size target for 10,000 respondents and 30
// units: the report must stay under 2 MB.
func TestLargeReportSize(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 18,000 respondents")
	}
	fx := largeFixture(t, 10_000)
	pdf, err := PDF(fx.in)
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf) >= 2<<20 {
		t.Errorf("the 10,000-respondent report is %d bytes, over 2 MB", len(pdf))
	}
	shown, hidden := 0, 0
	for _, g := range fx.in.Result.Units.Groups {
		if g.Shown {
			shown++
		} else {
			hidden++
		}
	}
	if shown == 0 || hidden == 0 {
		t.Errorf("the benchmark organisation should have shown and hidden units: %d, %d", shown, hidden)
	}
	qpdfCheck(t, pdf)
}

func benchmarkPDF(b *testing.B, n int) {
	fx := largeFixture(b, n)
	runtime.GC()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := PDF(fx.in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

// benchmarkReport is the whole path from stored responses to both
// documents: scoring, the PDF and the HTML twin.
func benchmarkReport(b *testing.B, n int) {
	fx := largeFixture(b, n)
	runtime.GC()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		res, err := fx.compute()
		if err != nil {
			b.Fatal(err)
		}
		in := fx.in
		in.Result = res
		pdf, err := PDF(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := HTML(in); err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

func BenchmarkPDF10k(b *testing.B)     { benchmarkPDF(b, 10_000) }
func BenchmarkPDF150k(b *testing.B)    { benchmarkPDF(b, 150_000) }
func BenchmarkReport10k(b *testing.B)  { benchmarkReport(b, 10_000) }
func BenchmarkReport150k(b *testing.B) { benchmarkReport(b, 150_000) }

func BenchmarkHTML10k(b *testing.B) {
	fx := largeFixture(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HTML(fx.in); err != nil {
			b.Fatal(err)
		}
	}
}
