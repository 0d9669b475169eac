package survey

import "testing"

func TestInvitedHeadcount(t *testing.T) {
	for _, tc := range []struct {
		name         string
		units        []Unit
		organisation int
		want         int
	}{
		{"every unit has one", []Unit{{Headcount: 40}, {Headcount: 60}}, 500, 100},
		{"one unit lacks it: the organisation's", []Unit{{Headcount: 40}, {}}, 500, 500},
		{"no units", nil, 120, 120},
		{"nothing known", []Unit{{}}, 0, 0},
		{"a negative organisation is unknown", nil, -3, 0},
	} {
		if got := InvitedHeadcount(tc.units, tc.organisation); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
