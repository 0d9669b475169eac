package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Pulse measurements: a short diagnostic of its own that follows a closed
// full measurement, with the same units, minimum group size and access,
// its own link and its own releases. The trend page puts the released
// figures of the full measurements and their pulses side by side; it
// shows nothing that their results pages did not release.

const actionPulseStart = "pulse_start"

// startPulse creates and opens a pulse after a closed full measurement and
// leads to its page, where its link is.
func (s *Server) startPulse(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	switch {
	case s.pulse == nil || d.PulseOf != "" || d.Questionnaire.IsPulse() || d.Questionnaire.ID != s.pulse.PulseOf:
		return survey.Errorf(survey.CodeConflict, "no pulse can follow this diagnostic")
	case d.EffectiveState(s.now()) != survey.StateClosed:
		return survey.Errorf(survey.CodeConflict, "a pulse follows a closed measurement")
	}
	t := s.texts.For(requestLang(c))
	langs := []string{}
	for _, l := range d.Languages {
		if slices.Contains(s.pulse.Languages, l) {
			langs = append(langs, l)
		}
	}
	p := &survey.Diagnostic{
		OrganisationID: d.OrganisationID,
		Name:           t.Get("pulse.name", d.Name, formatDate(s.now(), t)),
		Questionnaire:  *s.pulse,
		Units:          slices.Clone(d.Units),
		Languages:      langs,
		Access:         d.Access,
		State:          survey.StateDraft,
		MinGroupSize:   d.MinGroupSize,
		PulseOf:        d.ID,
	}
	if err := s.store.CreateDiagnostic(ctx, p); err != nil {
		return err
	}
	if err := s.store.SetDiagnosticState(ctx, p.ID, survey.StateOpen); err != nil {
		return err
	}
	s.audit(c, actionPulseStart, targetDiagnostic, p.ID, p.Name)
	s.setFlash(c, "pulse.flash.started", p.Name)
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+p.ID)
}

// pulsePage is the trend across the full measurements and their pulses.
type pulsePage struct {
	Full         *survey.Diagnostic
	Measurements []pulseMeasurement
	// Rows are the index and then every factor.
	Rows       []pulseFactorRow
	HasChanges bool
	// Noticed has a table per pulse with results: the pulse's own question
	// for the organisation and per unit.
	Noticed  []pulseNoticed
	CanStart bool
}

type pulseMeasurement struct {
	ID, Name, Kind, Period string
	Pulse                  bool
	// Available is set when the measurement's results are released;
	// Reason says why not otherwise.
	Available bool
	Reason    string
	N         int
}

type pulseFactorRow struct {
	Name  string
	Cells []pulseCell
	// Change is the sentence comparing the last pulse with the full
	// measurement before it (scoring.ComparePulse).
	Change string
}

type pulseCell struct {
	Score scoreView
	// Basis says on how many items a pulse's score rests.
	Basis string
}

type pulseNoticed struct {
	Pulse string
	Rows  []pulseNoticedRow
}

type pulseNoticedRow struct {
	Name  string
	Score scoreView
}

// measured is one measurement with its released result (nil when none).
type measured struct {
	d   *survey.Diagnostic
	res *survey.Result
	why string
}

// showPulses shows the trend page of the measurement series that the
// diagnostic (a full measurement or a pulse) belongs to.
func (s *Server) showPulses(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	full := d
	if d.PulseOf != "" {
		if full, err = s.store.DiagnosticForFirm(ctx, d.Organisation.FirmID, d.PulseOf); err != nil {
			return err
		}
	}
	series, err := s.pulseSeries(ctx, full)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := pulsePageFor(full, series, t)
	page.CanStart = s.pulse != nil && full.Questionnaire.ID == s.pulse.PulseOf && full.EffectiveState(s.now()) == survey.StateClosed
	return s.render(c, http.StatusOK, "pulses", t.Get("pulse.title", full.Name), page, false)
}

// pulseSeries lists the full measurements of the chain that ends in full
// (same organisation and instrument, oldest first), each followed by its
// pulses, with their released results.
func (s *Server) pulseSeries(ctx context.Context, full *survey.Diagnostic) ([]measured, error) {
	chain := []*survey.Diagnostic{full}
	seen := map[string]bool{full.ID: true}
	for cur := full; cur.PreviousID != "" && !seen[cur.PreviousID] && len(chain) <= maxPreviousWaves; {
		p, err := s.store.DiagnosticForFirm(ctx, full.Organisation.FirmID, cur.PreviousID)
		if survey.ErrorCode(err) == survey.CodeNotFound {
			break
		}
		if err != nil {
			return nil, err
		}
		if p.OrganisationID != full.OrganisationID || p.Questionnaire.ID != full.Questionnaire.ID {
			break
		}
		seen[p.ID] = true
		chain = append(chain, p)
		cur = p
	}
	slices.Reverse(chain)
	var out []measured
	for _, f := range chain {
		pulses, err := s.store.Pulses(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range append([]*survey.Diagnostic{f}, pulses...) {
			if m.Organisation.FirmID != full.Organisation.FirmID {
				continue
			}
			res, why, err := s.releasedResult(ctx, m)
			if err != nil {
				return nil, err
			}
			out = append(out, measured{d: m, res: res, why: why})
		}
	}
	return out, nil
}

// releasedResult is a measurement's final released result, released now
// when it is closed and was never shown (as its results page would); nil
// with the reason when its results cannot be shown.
func (s *Server) releasedResult(ctx context.Context, d *survey.Diagnostic) (*survey.Result, string, error) {
	r, err := s.loadResults(ctx, d)
	if err != nil {
		return nil, "", err
	}
	if !r.Availability.Available || r.Availability.Preview || r.Result == nil {
		reason := r.Availability.Reason
		if r.Availability.Preview {
			reason = survey.AvailabilityNotClosed
		}
		return nil, reason, nil
	}
	return r.Result, "", nil
}

// pulsePageFor lays out the series: a column per measurement, a row per
// factor, the change of the last pulse against its full measurement, and
// the pulses' own question per unit.
func pulsePageFor(full *survey.Diagnostic, series []measured, t Translator) pulsePage {
	page := pulsePage{Full: full}
	f := numbersFor(t.Lang())
	for _, m := range series {
		pm := pulseMeasurement{ID: m.d.ID, Name: m.d.Name, Pulse: m.d.PulseOf != "", Available: m.res != nil}
		pm.Kind = t.Get("pulse.kind.full")
		if pm.Pulse {
			pm.Kind = t.Get("pulse.kind.pulse")
		}
		if start, end := fieldwork(m.d); start != nil || end != nil {
			pm.Period = periodText(m.d, t)
		}
		if m.res != nil {
			pm.N = m.res.N
		} else {
			why := m.why
			if why == "" {
				why = survey.AvailabilityNotClosed
			}
			pm.Reason = t.Get(variant("pulse.unavailable.", why))
		}
		page.Measurements = append(page.Measurements, pm)
	}
	// lastFull and lastPulse: the pulse to compare is the last one with
	// results after the last full measurement with results.
	lastFull, lastPulse := -1, -1
	for i, m := range series {
		switch {
		case m.res == nil:
		case m.d.PulseOf == "":
			lastFull, lastPulse = i, -1
		case lastFull >= 0:
			lastPulse = i
		}
	}
	row := func(name string, scoreOf func(*survey.Result, *survey.Diagnostic) (survey.Score, int)) pulseFactorRow {
		r := pulseFactorRow{Name: name}
		for _, m := range series {
			cell := pulseCell{Score: scoreView{Hidden: t.Get("pulse.no_results")}}
			if m.res != nil {
				v := resultsViewer{t: t, f: f, q: &m.d.Questionnaire, d: m.d, min: minGroup(m.d)}
				sc, items := scoreOf(m.res, m.d)
				cell.Score = v.score(sc)
				if m.d.PulseOf != "" && items > 0 {
					cell.Basis = t.Get(variant("pulse.basis.", itemsWord(items)))
				}
			}
			r.Cells = append(r.Cells, cell)
		}
		if lastFull >= 0 && lastPulse >= 0 {
			a, _ := scoreOf(series[lastFull].res, series[lastFull].d)
			b, _ := scoreOf(series[lastPulse].res, series[lastPulse].d)
			r.Change = t.Get("pulse.change."+string(scoring.ComparePulse(a, b)), name)
		}
		return r
	}
	index := row(t.Get("results.index"), func(res *survey.Result, d *survey.Diagnostic) (survey.Score, int) {
		return res.Index, 0
	})
	index.Cells = indexBasis(index.Cells, series, t)
	page.Rows = append(page.Rows, index)
	for _, fac := range full.Questionnaire.Factors {
		page.Rows = append(page.Rows, row(fac.Name.In(t.Lang()), func(res *survey.Result, d *survey.Diagnostic) (survey.Score, int) {
			items := 0
			if qf, ok := d.Questionnaire.Factor(fac.ID); ok {
				items = len(qf.Items)
			}
			for _, fr := range res.Factors {
				if fr.ID == fac.ID {
					return fr.Score, items
				}
			}
			return survey.Score{Reason: survey.ReasonNotApplicable}, 0
		}))
	}
	for _, r := range page.Rows {
		page.HasChanges = page.HasChanges || r.Change != ""
	}
	for _, m := range series {
		if m.d.PulseOf == "" || m.res == nil {
			continue
		}
		v := resultsViewer{t: t, f: f, q: &m.d.Questionnaire, d: m.d, min: minGroup(m.d)}
		pn := pulseNoticed{Pulse: m.d.Name}
		pn.Rows = append(pn.Rows, pulseNoticedRow{Name: t.Get("pulse.noticed_all"), Score: v.score(m.res.Outcome)})
		for _, g := range m.res.Units.Groups {
			name := v.groupName(survey.DimensionUnit, g.ID)
			sc := survey.Score{Reason: g.Reason}
			for _, cell := range g.Cells {
				if cell.Measure == survey.MeasureOutcome {
					sc = cell.Score
				}
			}
			if !g.Shown {
				sc = survey.Score{Reason: g.Reason}
			}
			pn.Rows = append(pn.Rows, pulseNoticedRow{Name: name, Score: v.score(sc)})
		}
		page.Noticed = append(page.Noticed, pn)
	}
	return page
}

// indexBasis marks a pulse's index as resting on its few items.
func indexBasis(cells []pulseCell, series []measured, t Translator) []pulseCell {
	for i, m := range series {
		if m.d.PulseOf != "" && m.res != nil {
			cells[i].Basis = t.Get("pulse.basis.index", len(m.d.Questionnaire.AllItems())-len(m.d.Questionnaire.Outcomes))
		}
	}
	return cells
}

func itemsWord(n int) string {
	if n == 1 {
		return "one"
	}
	return "two"
}
