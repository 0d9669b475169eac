package web

import (
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// TestProgressAfterClosingShowsOnlyReleasedUnits: a unit the final release
// hid (it grew by one since a preview) must not get its count on the
// progress page, or the count difference says where the newcomer sits.
func TestProgressAfterClosingShowsOnlyReleasedUnits(t *testing.T) {
	d := &survey.Diagnostic{MinGroupSize: 5, Units: []survey.Unit{{ID: "u1", Name: "Een"}, {ID: "u2", Name: "Twee"}, {ID: "u3", Name: "Drie"}}}
	p := &survey.Progress{Total: 24, ByUnit: map[string]int{"u1": 7, "u2": 11, "u3": 6}}
	open, err := progressFor(d, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range open.Units {
		if u.Hidden {
			t.Errorf("open: %s hidden", u.Name)
		}
	}
	closed, err := progressFor(d, p, map[string]bool{"u3": true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range closed.Units {
		if u.Hidden != (u.Name != "Drie") || (u.Hidden && u.Count != 0) {
			t.Errorf("closed: %s hidden %v count %d", u.Name, u.Hidden, u.Count)
		}
	}
	if closed.OtherUnits == nil || closed.OtherUnits.Count != 18 {
		t.Errorf("the hidden units together: %+v", closed.OtherUnits)
	}
}
