package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// overviewPage is /diagnoses: every diagnostic of the firm across its
// organisations, filtered on the server by a GET form so that it works
// without JavaScript and a filtered view can be bookmarked.
type overviewPage struct {
	Query   string
	Status  string
	States  []survey.State
	Rows    []overviewRow
	Total   int
	Matched bool
}

// overviewRow is one diagnostic in the overview.
type overviewRow struct {
	ID           string
	Name         string
	Organisation string
	OrgID        string
	State        survey.State
	Responses    int
	Rate         string
	Closing      string
}

// showOverview lists the firm's diagnostics. q matches the diagnostic's or
// the organisation's name, case-insensitively; status keeps one state as
// the dates make it now.
func (s *Server) showOverview(c echo.Context) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	page := overviewPage{
		Query:  strings.TrimSpace(c.QueryParam("q")),
		Status: c.QueryParam("status"),
		States: []survey.State{survey.StateOpen, survey.StateDraft, survey.StateClosed},
	}
	if len([]rune(page.Query)) > 200 {
		page.Query = string([]rune(page.Query)[:200])
	}
	switch survey.State(page.Status) {
	case survey.StateOpen, survey.StateDraft, survey.StateClosed:
	default:
		page.Status = ""
	}
	ds, err := s.store.ListFirmDiagnostics(ctx, cons.FirmID)
	if err != nil {
		return err
	}
	counts, err := s.store.ResponseCounts(ctx, cons.FirmID)
	if err != nil {
		return err
	}
	page.Total = len(ds)
	needle := strings.ToLower(page.Query)
	now := s.now()
	for i := range ds {
		d := &ds[i]
		state := d.EffectiveState(now)
		if page.Status != "" && string(state) != page.Status {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(d.Name), needle) && !strings.Contains(strings.ToLower(d.Organisation.Name), needle) {
			continue
		}
		row := overviewRow{
			ID: d.ID, Name: d.Name, Organisation: d.Organisation.Name, OrgID: d.OrganisationID, State: state,
			Responses: counts[d.ID], Rate: responseRate(counts[d.ID], progressHeadcount(d)),
		}
		row.Closing = closingText(d, state, t)
		page.Rows = append(page.Rows, row)
	}
	page.Matched = len(page.Rows) > 0
	return s.render(c, http.StatusOK, "overview", t.Get("overview.title"), page, false)
}

// closingText says when the diagnostic closes or closed: the last day, or
// that it closes by hand.
func closingText(d *survey.Diagnostic, state survey.State, t Translator) string {
	_, end := fieldwork(d)
	switch {
	case end != nil && state == survey.StateClosed:
		return t.Get("overview.closed_on", formatDate(*end, t))
	case end != nil:
		return t.Get("overview.closes_after", formatDate(*end, t))
	case state == survey.StateClosed:
		return t.Get("overview.closed")
	default:
		return t.Get("overview.by_hand")
	}
}

// followPreviousWave fills a new diagnostic's form from the organisation's
// latest diagnostic: the next wave usually asks the same units, and trends
// need it to follow the earlier one. The consultant sees and can change
// everything before saving.
func (s *Server) followPreviousWave(c echo.Context, page *diagnosticFormPage) error {
	if len(page.Previous) == 0 {
		return nil
	}
	// diagnosticFormPageFor lists the organisation's diagnostics newest first.
	prev, err := s.diagnosticOfFirmByID(c, page.Previous[0].ID)
	if err != nil {
		return err
	}
	page.Form.Units = unitsText(prev.Units)
	page.Form.PreviousID = prev.ID
	page.CopiedFrom = prev.Name
	return nil
}

func (s *Server) diagnosticOfFirmByID(c echo.Context, id string) (*survey.Diagnostic, error) {
	return s.store.DiagnosticForFirm(c.Request().Context(), consultantFrom(c).FirmID, id)
}
