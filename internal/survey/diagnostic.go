package survey

import (
	"strconv"
	"time"
)

// Sector is the kind of public organisation.
type Sector string

// The sectors an organisation can belong to.
const (
	SectorMunicipality Sector = "gemeente"
	SectorProvince     Sector = "provincie"
	SectorWaterBoard   Sector = "waterschap"
	SectorMinistry     Sector = "ministerie"
	SectorAgency       Sector = "uitvoeringsorganisatie"
	SectorZBO          Sector = "zbo"
	SectorOther        Sector = "overig"
)

// Sectors returns every sector in display order.
func Sectors() []Sector {
	return []Sector{SectorMunicipality, SectorProvince, SectorWaterBoard, SectorMinistry, SectorAgency, SectorZBO, SectorOther}
}

// Organisation is the public organisation being diagnosed.
type Organisation struct {
	ID string `json:"id"`
	// FirmID is the consultancy that owns the organisation; empty for
	// organisations created on the command line without a firm.
	FirmID    string    `json:"-"`
	Name      string    `json:"name"`
	Sector    Sector    `json:"sector"`
	Headcount int       `json:"headcount,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// State is where a diagnostic is in its life.
type State string

// The states of a diagnostic.
const (
	StateDraft  State = "draft"
	StateOpen   State = "open"
	StateClosed State = "closed"
)

// DefaultMinGroupSize is the smallest group whose results may be shown.
const DefaultMinGroupSize = 5

// Unit is an organisational unit respondents choose from.
type Unit struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Headcount int    `json:"headcount,omitempty"`
}

// Diagnostic is one measurement wave of one organisation.
type Diagnostic struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	// Organisation is filled in by the store when it loads a diagnostic.
	Organisation Organisation `json:"organisation"`
	Name         string       `json:"name"`
	// Token is the secret part of the respondent link /d/{token}.
	Token         string        `json:"-"`
	Questionnaire Questionnaire `json:"questionnaire"`
	Units         []Unit        `json:"units"`
	// Languages are the languages respondents may choose; Dutch first.
	Languages []string `json:"languages"`
	// Access says how respondents get in: through the open link, or only
	// with a single-use access code.
	Access Access `json:"access"`
	// PreviousID is the earlier wave of the same organisation this one
	// follows, for trends; empty for a first measurement.
	PreviousID string `json:"previous_id,omitempty"`
	// PulseOf is the full measurement a pulse follows; empty for a full
	// measurement (docs/methodology.md §18).
	PulseOf string `json:"pulse_of,omitempty"`
	// State is the state set by hand; EffectiveState applies the dates.
	State        State      `json:"state"`
	MinGroupSize int        `json:"min_group_size"`
	OpensAt      *time.Time `json:"opens_at,omitempty"`
	ClosesAt     *time.Time `json:"closes_at,omitempty"`
	// ClosedAt is when a consultant closed the diagnostic by hand; the
	// retention period then runs from it. Set by the store only.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// OpenedAt is when a consultant first opened the diagnostic by hand;
	// with ClosedAt it gives the fieldwork period that really ran. Set by
	// the store only.
	OpenedAt  *time.Time `json:"opened_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Access is how respondents get into a diagnostic.
type Access string

// The ways in.
const (
	AccessLink  Access = "link"
	AccessCodes Access = "codes"
)

// EffectiveState applies the opening and closing dates to the state set by
// hand: a draft with an opening date opens by itself on that date, and an
// open diagnostic closes by itself on its closing date. Closing by hand is
// final until a consultant opens it again.
func (d *Diagnostic) EffectiveState(now time.Time) State {
	state := d.State
	if state == StateDraft && d.OpensAt != nil && !now.Before(*d.OpensAt) {
		state = StateOpen
	}
	if state == StateOpen && d.OpensAt != nil && now.Before(*d.OpensAt) {
		state = StateDraft
	}
	if state == StateOpen && d.ClosesAt != nil && !now.Before(*d.ClosesAt) {
		state = StateClosed
	}
	return state
}

// AcceptsResponses reports whether respondents may answer at time now.
func (d *Diagnostic) AcceptsResponses(now time.Time) bool {
	return d.EffectiveState(now) == StateOpen
}

// Unit returns the unit with the given id.
func (d *Diagnostic) Unit(id string) (Unit, bool) {
	for _, u := range d.Units {
		if u.ID == id {
			return u, true
		}
	}
	return Unit{}, false
}

// NewUnits gives each unit name a short stable id (u1, u2, ...), in order.
// Ids stay fixed for the life of the diagnostic, so renaming a unit later
// does not change which answers belong to it.
func NewUnits(names []string) []Unit {
	units := make([]Unit, 0, len(names))
	for _, n := range names {
		units = append(units, Unit{ID: "u" + strconv.Itoa(len(units)+1), Name: n})
	}
	return units
}

// Progress is the response count of a diagnostic while it runs.
type Progress struct {
	Total  int
	ByUnit map[string]int
	// ByDay counts responses per calendar date (YYYY-MM-DD), oldest first.
	ByDay []DayCount
}

// DayCount is the number of responses submitted on one date.
type DayCount struct {
	Date  string
	Count int
}

// InvitedHeadcount is the number of employees invited, the base of every
// response rate: the sum of the units' headcounts when every unit has one
// (a partial sum would inflate the rate), else the organisation's; 0 when
// neither is known.
func InvitedHeadcount(units []Unit, organisation int) int {
	n := 0
	for _, u := range units {
		if u.Headcount <= 0 {
			n = 0
			break
		}
		n += u.Headcount
	}
	if n == 0 {
		n = organisation
	}
	return max(n, 0)
}
