package report

import (
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The report words every benchmark position as docs/methodology.md §9
// says, never with a percentile or a count, and says why there is none.
func TestReportBenchmarkSentence(t *testing.T) {
	in := demoInput(t)
	tests := []struct {
		lang string
		b    *survey.BenchmarkResult
		want string
	}{
		{"nl", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkLowest}, "staat de organisatie bij de laagste 20 % van de gemeenten die deze vragenlijst gebruikten (ten minste vijf, van andere adviesbureaus)."},
		{"nl", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkBelowMiddle}, "staat de organisatie onder het midden van de gemeenten"},
		{"nl", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkMiddle}, "staat de organisatie rond het midden van de gemeenten"},
		{"nl", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkAboveMiddle}, "staat de organisatie boven het midden van de gemeenten"},
		{"nl", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkHighest}, "staat de organisatie bij de hoogste 20 % van de gemeenten"},
		{"en", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkLowest}, "the organisation is among the lowest 20 % of the municipalities that used this questionnaire (at least five, of other consultancies)."},
		{"en", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkBelowMiddle}, "the organisation is below the middle of the municipalities"},
		{"en", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkMiddle}, "the organisation is around the middle of the municipalities"},
		{"en", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkAboveMiddle}, "the organisation is above the middle of the municipalities"},
		{"en", &survey.BenchmarkResult{Available: true, Position: survey.BenchmarkHighest}, "the organisation is among the highest 20 % of the municipalities"},
		{"nl", &survey.BenchmarkResult{}, "nog niet beschikbaar: daarvoor zijn afgeronde metingen van ten minste vijf organisaties uit dezelfde sector nodig, van ten minste drie andere adviesbureaus."},
		{"nl", nil, "nog niet beschikbaar"},
		{"en", &survey.BenchmarkResult{Available: true, Position: "unknown"}, "not yet available"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+string(func() survey.BenchmarkPosition {
			if tt.b == nil {
				return "nil"
			}
			return tt.b.Position
		}()), func(t *testing.T) {
			in.Lang = tt.lang
			in.Benchmark = tt.b
			d, err := build(in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(d.BenchmarkText, tt.want) || strings.Contains(d.BenchmarkText, "%!") || strings.Contains(d.BenchmarkText, "percentile") || strings.Contains(d.BenchmarkText, "percentiel") {
				t.Errorf("got %q, want it to contain %q", d.BenchmarkText, tt.want)
			}
		})
	}
}
