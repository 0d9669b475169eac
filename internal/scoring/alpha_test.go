package scoring

import (
	"fmt"
	"math"
	"testing"
)

func TestCronbachAlphaMatchesPsych(t *testing.T) {
	_, rows := readCSV(t, "alpha_expected.csv")
	want := map[string]map[string]float64{}
	for _, r := range rows {
		if want[r[0]] == nil {
			want[r[0]] = map[string]float64{}
		}
		want[r[0]][r[1]] = parseNum(t, r[2])
	}
	// Data set c holds the answers as given, with i2 reverse-keyed; R recodes
	// 6 - x, the test recodes on the theoretical scale like the engine does.
	reverse := map[string]map[string]bool{"c": {"i2": true}}
	for _, set := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		t.Run(set, func(t *testing.T) {
			header, data := readCSV(t, fmt.Sprintf("alpha_%s.csv", set))
			cols := make([][]float64, len(header))
			for j, item := range header {
				for _, r := range data {
					v := parseNum(t, r[j])
					if reverse[set][item] {
						v = 1 + 5 - v
					}
					cols[j] = append(cols[j], v)
				}
			}
			got := CronbachAlpha(cols)
			worst := 0.0
			defer func() { t.Logf("largest difference from psych %.3g", worst) }()
			note := func(g, w float64) {
				if !math.IsNaN(w) {
					worst = math.Max(worst, math.Abs(g-w))
				}
			}
			note(got.Raw, want[set]["(total)"])
			for j, item := range header {
				note(got.RDrop[j], want[set][item])
			}
			if w := want[set]["(total)"]; !closeTo(got.Raw, w, 1e-12) {
				t.Errorf("raw_alpha = %.17g, psych %.17g", got.Raw, w)
			}
			for j, item := range header {
				if w := want[set][item]; !closeTo(got.RDrop[j], w, 1e-12) {
					t.Errorf("r.drop %s = %.17g, psych %.17g", item, got.RDrop[j], w)
				}
			}
		})
	}
}

func TestCronbachAlphaUndefined(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	tests := []struct {
		name string
		cols [][]float64
	}{
		{"one item", [][]float64{{1, 2, 3}}},
		{"second item constant", [][]float64{{1, 2, 3}, {2, 2, 2}}},
		{"no overlap", [][]float64{{1, 2, nan, nan}, {nan, nan, 3, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CronbachAlpha(tt.cols); got.Raw == got.Raw {
				t.Errorf("alpha = %v, want NaN", got.Raw)
			}
		})
	}
}
