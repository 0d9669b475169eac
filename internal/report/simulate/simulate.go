// Package simulate makes fictional organisations and respondents whose
// answers have the structure of real ones: a general attitude that colours
// every answer, unit climates, execution staff who see less capacity than
// policy staff, managers who see everything a little brighter, one factor
// that is clearly weak, "weet ik niet" answers that cluster on the items
// about money, and skipped items. The demo command and the report's tests
// and benchmarks use it; it never touches a database.
//
// It is deterministic for a given *rand.Rand.
package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Kind is what a unit mostly does; it decides the roles of its staff.
type Kind int

// The kinds of units.
const (
	Policy Kind = iota
	Execution
	Support
)

// Unit is a unit of a fictional organisation.
type Unit struct {
	Name      string
	Headcount int
	Kind      Kind
}

// Organisation is a fictional organisation.
type Organisation struct {
	Name   string
	Sector survey.Sector
	Units  []Unit
}

// Headcount is the sum of the units' headcounts.
func (o Organisation) Headcount() int {
	n := 0
	for _, u := range o.Units {
		n += u.Headcount
	}
	return n
}

// SurveyUnits returns the units as a diagnostic holds them (ids u1, u2, ...).
func (o Organisation) SurveyUnits() []survey.Unit {
	names := make([]string, len(o.Units))
	for i, u := range o.Units {
		names[i] = u.Name
	}
	units := survey.NewUnits(names)
	for i := range units {
		units[i].Headcount = o.Units[i].Headcount
	}
	return units
}

// demoUnits are the units of the demo municipality with their share of the
// staff. Two are small enough to be hidden at a few hundred respondents.
func demoUnits() []Unit {
	return []Unit{
		{"Bestuursondersteuning en strategie", 28, Policy},
		{"Beleid Ruimte en Wonen", 70, Policy},
		{"Beleid Sociaal Domein", 62, Policy},
		{"Economie en Duurzaamheid", 34, Policy},
		{"Vergunningen, Toezicht en Handhaving", 96, Execution},
		{"Wijkteams", 118, Execution},
		{"Werk en Inkomen", 104, Execution},
		{"Klantcontactcentrum", 66, Execution},
		{"Openbare Ruimte", 142, Execution},
		{"Belastingen", 38, Execution},
		{"Financiën en Control", 44, Support},
		{"HR en Organisatieontwikkeling", 30, Support},
		{"Informatievoorziening en ICT", 52, Support},
		{"Juridische Zaken", 8, Support},
		{"Communicatie", 6, Support},
	}
}

// Demo returns the demo organisation, sized so that respondents answer at
// a response rate of about 62 %.
func Demo(respondents int) Organisation {
	units := demoUnits()
	base := 0
	for _, u := range units {
		base += u.Headcount
	}
	target := max(int(math.Ceil(float64(respondents)/0.62)), base/4)
	for i := range units {
		units[i].Headcount = max(1, int(math.Round(float64(units[i].Headcount)*float64(target)/float64(base))))
	}
	return Organisation{Name: "Gemeente Zuiderhaven", Sector: survey.SectorMunicipality, Units: units}
}

// Generic returns an organisation of n units of very different sizes
// (log-normal: a few large directorates, many small teams), for benchmarks.
func Generic(n, respondents int, rng *rand.Rand) Organisation {
	weights := make([]float64, n)
	total := 0.0
	for i := range weights {
		weights[i] = math.Exp(2 * rng.NormFloat64())
		total += weights[i]
	}
	staff := float64(respondents) / 0.6
	o := Organisation{Name: fmt.Sprintf("Organisatie met %d onderdelen", n), Sector: survey.SectorAgency}
	for i, w := range weights {
		o.Units = append(o.Units, Unit{
			Name:      fmt.Sprintf("Onderdeel %02d", i+1),
			Headcount: max(1, int(math.Round(staff*w/total))),
			Kind:      Kind(i % 3),
		})
	}
	return o
}

// Profile shapes the answers of an organisation. Levels are in standard
// deviations of the latent attitude: 0 answers around the midpoint.
type Profile struct {
	// Level is the organisation's level per factor id.
	Level map[string]float64
	// ExecutionShift is added for execution staff, per factor id: negative
	// means they see that factor as weaker than policy staff do.
	ExecutionShift map[string]float64
	// ManagementShift is added for managers on every factor.
	ManagementShift float64
	// UnitSpread is the standard deviation of the unit climates.
	UnitSpread float64
	// DontKnow and Skip are the base rates of "weet ik niet" and skipped
	// items; DontKnowItems raises the don't-know rate of single items.
	DontKnow      float64
	Skip          float64
	DontKnowItems map[string]float64
}

// DemoProfile is a municipality that is clearly short of capacity, middling
// on governance and silos, and fairly good at keeping talent, where
// execution staff see capacity and collaboration as weaker than policy
// staff do.
func DemoProfile() Profile {
	return Profile{
		Level: map[string]float64{
			"risk_culture": 0.45,
			"governance":   0.3,
			"talent":       0.9,
			"silos":        0.5,
			"capacity":     -0.2,
		},
		ExecutionShift: map[string]float64{
			"capacity":     -0.85,
			"silos":        -0.55,
			"governance":   -0.3,
			"risk_culture": -0.15,
		},
		ManagementShift: 0.35,
		UnitSpread:      0.15,
		DontKnow:        0.04,
		Skip:            0.02,
		DontKnowItems: map[string]float64{
			"capacity_5":   0.22,
			"capacity_6":   0.18,
			"governance_2": 0.12,
			"silos_6":      0.15,
		},
	}
}

// Shifted returns a copy of p with every factor level moved by delta plus
// the per-factor moves in by.
func (p Profile) Shifted(delta float64, by map[string]float64) Profile {
	q := p
	q.Level = map[string]float64{}
	for k, v := range p.Level {
		q.Level[k] = v + delta + by[k]
	}
	return q
}

// roleShares gives the chance of each role option for a unit kind.
func roleShares(k Kind) []float64 {
	// beleid, uitvoering, management, ondersteuning
	switch k {
	case Policy:
		return []float64{0.74, 0.1, 0.11, 0.05}
	case Execution:
		return []float64{0.06, 0.79, 0.1, 0.05}
	default:
		return []float64{0.08, 0.05, 0.11, 0.76}
	}
}

// roleID is the role option id of a roleShares index.
func roleID(i int) string {
	return [...]string{survey.RolePolicy, survey.RoleExecution, survey.RoleManagement, "ondersteuning"}[i]
}

func pick(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// cut maps a latent value to the 1-5 scale.
func cut(z float64) int {
	switch {
	case z < -1.25:
		return 1
	case z < -0.42:
		return 2
	case z < 0.42:
		return 3
	case z < 1.25:
		return 4
	default:
		return 5
	}
}

// Responses draws n respondents of organisation o (whose units are units,
// in the same order) answering questionnaire q. IDs, diagnostic and dates
// are left for the caller.
func Responses(q *survey.Questionnaire, o Organisation, units []survey.Unit, p Profile, n int, rng *rand.Rand) []survey.Response {
	climate := make([]float64, len(o.Units))
	weights := make([]float64, len(o.Units))
	for i, u := range o.Units {
		climate[i] = p.UnitSpread * rng.NormFloat64()
		// Execution staff answer surveys a little less often.
		propensity := 1.0
		if u.Kind == Execution {
			propensity = 0.85
		}
		weights[i] = float64(u.Headcount) * propensity
	}
	tenure := []string{"lt2", "2to5", "5to10", "10to20", "20plus"}
	tenureShare := []float64{0.16, 0.24, 0.22, 0.23, 0.15}
	// Item difficulty: some statements are easier to agree with than
	// others, so that a factor has a strongest and a weakest item.
	difficulty := map[string]float64{}
	for _, f := range q.Factors {
		for j, it := range f.Items {
			difficulty[it.ID] = 0.28 * math.Sin(float64(3*j+len(f.ID)))
		}
	}
	outcomeWeight := map[string]float64{"capacity": 0.34, "governance": 0.3, "silos": 0.16, "risk_culture": 0.1, "talent": 0.1}
	out := make([]survey.Response, n)
	for i := range out {
		u := pick(rng, weights)
		role := pick(rng, roleShares(o.Units[u].Kind))
		general := 0.45 * rng.NormFloat64()
		answers := make(map[string]int, 40)
		outcome := 0.0
		for _, f := range q.Factors {
			lat := p.Level[f.ID] + climate[u] + general + 0.75*rng.NormFloat64()
			switch roleID(role) {
			case survey.RoleExecution:
				lat += p.ExecutionShift[f.ID]
			case survey.RoleManagement:
				lat += p.ManagementShift
			}
			outcome += outcomeWeight[f.ID] * lat
			for _, it := range f.Items {
				v := cut(0.8*lat + difficulty[it.ID] + 0.62*rng.NormFloat64())
				if it.Reverse {
					v = 6 - v
				}
				if x := rng.Float64(); x < p.Skip {
					continue
				} else if x < p.Skip+p.DontKnow+p.DontKnowItems[it.ID] {
					v = survey.DontKnow
				}
				answers[it.ID] = v
			}
		}
		for _, it := range q.Outcomes {
			v := cut(0.9*outcome + 0.55*rng.NormFloat64())
			if rng.Float64() < p.Skip {
				continue
			}
			answers[it.ID] = v
		}
		out[i] = survey.Response{
			Background: map[string]string{
				survey.BackgroundUnitID: units[u].ID,
				survey.BackgroundRole:   roleID(role),
				"tenure":                tenure[pick(rng, tenureShare)],
			},
			Answers: answers,
		}
	}
	return out
}
