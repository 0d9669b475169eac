package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The JSON API under /api/v1, described in docs/openapi.yaml. It offers what
// the workspace pages offer, to scripts holding a consultant's API token,
// with the same tenancy: every lookup goes through the consultant's firm, so
// another firm's ids are not found. Requests are converted into the pages'
// form structs and checked by the pages' helpers, so that the API and the
// pages cannot come to accept different things.

// apiLang is the language of every API message: scripts match on the
// stable codes, and one language keeps the messages predictable for the
// people who read the logs.
const apiLang = "en"

// apiProblem is an API failure the handler describes itself: a status and
// the JSON body to send. apiProblems writes it; it never reaches echo's
// error handler, which knows only codes and messages.
type apiProblem struct {
	status int
	body   apiProblemBody
}

// apiProblemBody is apiError with the messages per field of a validation
// failure, keyed by the JSON name of the field.
type apiProblemBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (p *apiProblem) Error() string { return p.body.Code + ": " + p.body.Message }

func invalidRequest(message string, fields map[string]string) *apiProblem {
	return &apiProblem{status: http.StatusBadRequest, body: apiProblemBody{Code: string(survey.CodeInvalid), Message: message, Fields: fields}}
}

// apiDefaults applies to every path under /api/, unknown ones included, so
// that even echo's own errors there come in the API's language. API answers
// are private to their token and never cached.
func (s *Server) apiDefaults(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Set(ctxLang, apiLang)
			noStore(c)
		}
		return next(c)
	}
}

// apiProblems sends the apiProblem a handler returns; other errors go on to
// echo's error handler.
func (s *Server) apiProblems(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		var p *apiProblem
		if errors.As(err, &p) {
			return c.JSON(p.status, p.body)
		}
		return err
	}
}

// apiNotFound answers API paths without a route. It replaces the group's
// catch-all, which would answer 404 even where only the method is wrong.
func (s *Server) apiNotFound(c echo.Context) error {
	path := c.Request().URL.Path
	var allowed []string
	for _, r := range s.echo.Routes() {
		if r.Method != echo.RouteNotFound && routeMatches(r.Path, path) && !slices.Contains(allowed, r.Method) {
			allowed = append(allowed, r.Method)
		}
	}
	if len(allowed) == 0 {
		return &apiProblem{status: http.StatusNotFound, body: apiProblemBody{
			Code: string(survey.CodeNotFound), Message: "There is no such API path; docs/openapi.yaml lists them.",
		}}
	}
	slices.Sort(allowed)
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
	return &apiProblem{status: http.StatusMethodNotAllowed, body: apiProblemBody{
		Code: "method_not_allowed", Message: fmt.Sprintf("This path does not accept %s; it accepts %s.", c.Request().Method, strings.Join(allowed, ", ")),
	}}
}

// routeMatches reports whether an echo route ("/a/:id/b", "/a/*") matches
// a request path.
func routeMatches(route, path string) bool {
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	for i, r := range rs {
		switch {
		case r == "*":
			return true
		case i >= len(ps):
			return false
		case strings.HasPrefix(r, ":"):
			if ps[i] == "" {
				return false
			}
		case r != ps[i]:
			return false
		}
	}
	return len(rs) == len(ps)
}

// readJSON decodes the request body, a single JSON object, into v. Unknown
// fields are refused rather than ignored: a misspelt optional field would
// otherwise silently fall back to its default.
func readJSON(c echo.Context, v any) error {
	mediaType, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mediaType != echo.MIMEApplicationJSON {
		return &apiProblem{status: http.StatusUnsupportedMediaType, body: apiProblemBody{
			Code: "unsupported_media_type", Message: "Send the request body as JSON, with Content-Type: application/json.",
		}}
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return err
		}
		return invalidRequest("The request body must hold a single JSON object and nothing after it.", nil)
	}
	if bad := controlCharFields(v, "json"); len(bad) > 0 {
		fields := map[string]string{}
		for _, f := range bad {
			fields[f] = "must not hold control characters (such as NUL) other than tab and line breaks"
		}
		return invalidRequest(fmt.Sprintf("The field %q holds a control character.", bad[0]), fields)
	}
	return nil
}

// jsonProblem explains why a body could not be decoded, naming the field
// where there is one.
func jsonProblem(err error) error {
	var (
		he        *echo.HTTPError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &he):
		// The body limit: echo's error handler answers 413.
		return err
	case errors.Is(err, io.EOF):
		return invalidRequest("The request body is empty; send a JSON object.", nil)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return invalidRequest("The request body is not valid JSON.", nil)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return invalidRequest("The request body must be a JSON object.", nil)
		}
		msg := "must be " + jsonTypeName(typeErr.Type)
		return invalidRequest(fmt.Sprintf("The field %q %s.", typeErr.Field, msg), map[string]string{typeErr.Field: msg})
	}
	// encoding/json has no error type for unknown fields, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		return invalidRequest(fmt.Sprintf("The request has an unknown field %q.", name), map[string]string{name: "unknown field"})
	}
	return invalidRequest("The request body cannot be read as JSON.", nil)
}

func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	default:
		return "an object"
	}
}

// invalidFields turns the messages of a form into a validation failure.
// The form messages were written for the pages; where one points at
// something only the page shows ("choose from the list"), the API's own
// message from apiMessages replaces it.
func invalidFields(errs formErrors, apiMessages map[string]string) *apiProblem {
	fields := map[string]string{}
	message := "Some fields are invalid; see fields."
	for _, e := range errs {
		// A list's element ("languages[1]") is reported on the list.
		field, _, _ := strings.Cut(e.Field, "[")
		if field == "" {
			message = e.Message
			continue
		}
		if _, seen := fields[field]; seen {
			continue
		}
		fields[field] = e.Message
		if m, ok := apiMessages[field]; ok {
			fields[field] = m
		}
	}
	return invalidRequest(message, fields)
}

// quotedList writes values as "a", "b" and "c" for messages.
func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// --- Organisations ---

// apiOrganisationRequest is the body of POST /api/v1/organisations. Its
// rules are those of organisationForm.
type apiOrganisationRequest struct {
	Name   string `json:"name"`
	Sector string `json:"sector"`
	// Headcount 0 means unknown, as an empty field on the page.
	Headcount int `json:"headcount"`
}

func (r *apiOrganisationRequest) form() organisationForm {
	form := organisationForm{Name: r.Name, Sector: r.Sector}
	if r.Headcount != 0 {
		form.Headcount = strconv.Itoa(r.Headcount)
	}
	return form
}

// apiOrganisation is an organisation as the API shows it. The API has its
// own types so that a change to the domain's JSON tags cannot change the
// API's contract unnoticed.
type apiOrganisation struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Sector    string    `json:"sector"`
	Headcount int       `json:"headcount"`
	CreatedAt time.Time `json:"created_at"`
}

type apiOrganisationList struct {
	Organisations []apiOrganisation `json:"organisations"`
}

func apiOrganisationOf(o *survey.Organisation) apiOrganisation {
	return apiOrganisation{ID: o.ID, Name: o.Name, Sector: string(o.Sector), Headcount: o.Headcount, CreatedAt: o.CreatedAt}
}

func (s *Server) apiListOrganisations(c echo.Context) error {
	orgs, err := s.store.ListOrganisations(c.Request().Context(), consultantFrom(c).FirmID)
	if err != nil {
		return err
	}
	out := apiOrganisationList{Organisations: make([]apiOrganisation, 0, len(orgs))}
	for i := range orgs {
		out.Organisations = append(out.Organisations, apiOrganisationOf(&orgs[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCreateOrganisation(c echo.Context) error {
	var req apiOrganisationRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	form := req.form()
	o, errs := s.organisationFromForm(&form, s.texts.For(apiLang))
	if len(errs) > 0 {
		return invalidFields(errs, map[string]string{"sector": "Use one of " + quotedList(sectorNames()) + "."})
	}
	o.FirmID = consultantFrom(c).FirmID
	if err := s.store.CreateOrganisation(c.Request().Context(), o); err != nil {
		return err
	}
	s.audit(c, "create", "organisation", o.ID, o.Name)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/organisations/"+o.ID)
	return c.JSON(http.StatusCreated, apiOrganisationOf(o))
}

func sectorNames() []string {
	var names []string
	for _, sector := range survey.Sectors() {
		names = append(names, string(sector))
	}
	return names
}

func (s *Server) apiGetOrganisation(c echo.Context) error {
	o, err := s.store.OrganisationForFirm(c.Request().Context(), consultantFrom(c).FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiOrganisationOf(o))
}

// --- Diagnostics ---

// apiDiagnosticRequest is the body of POST
// /api/v1/organisations/{id}/diagnostics. Its rules are those of
// diagnosticForm; the optional fields default to what the page proposes.
type apiDiagnosticRequest struct {
	Name          string         `json:"name"`
	Questionnaire string         `json:"questionnaire"`
	Languages     []string       `json:"languages"`
	Units         []apiUnitInput `json:"units"`
	OpensOn       string         `json:"opens_on"`
	ClosesOn      string         `json:"closes_on"`
	// MinGroupSize is a pointer so that an explicit 0 is refused rather
	// than taken for the default.
	MinGroupSize *int   `json:"min_group_size"`
	Access       string `json:"access"`
	PreviousID   string `json:"previous_id"`
}

// apiUnitInput is a unit of a new diagnostic; headcount 0 means unknown.
// Units get their ids from the service.
type apiUnitInput struct {
	Name      string `json:"name"`
	Headcount int    `json:"headcount"`
}

// apiUnit is a unit of a diagnostic; headcount 0 means unknown.
type apiUnit struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Headcount int    `json:"headcount"`
}

// form converts the request into the page's form. Units become the page's
// "Name; headcount" lines, so parseUnits applies the same limits; a name
// that would not survive that round trip is refused here, with the message
// returned as the second result.
func (r *apiDiagnosticRequest) form(t Translator) (diagnosticForm, string) {
	form := diagnosticForm{
		Name: r.Name, Questionnaire: r.Questionnaire, Languages: r.Languages,
		OpensOn: r.OpensOn, ClosesOn: r.ClosesOn, Access: r.Access, PreviousID: r.PreviousID,
		MinGroupSize: strconv.Itoa(survey.DefaultMinGroupSize), api: true,
	}
	if r.MinGroupSize != nil {
		form.MinGroupSize = strconv.Itoa(*r.MinGroupSize)
	}
	if form.Access == "" {
		form.Access = string(survey.AccessLink)
	}
	var b strings.Builder
	for i, u := range r.Units {
		name := cleanText(u.Name)
		switch {
		case name == "":
			return form, fmt.Sprintf("Unit %d has no name.", i+1)
		case strings.ContainsFunc(name, func(r rune) bool { return r == ';' || unicode.IsControl(r) }):
			return form, fmt.Sprintf("The name of unit %d may not contain a semicolon or a line break.", i+1)
		case u.Headcount < 0:
			return form, t.Get("diag.error.unit_headcount", name)
		}
		fmt.Fprintf(&b, "%s; %d\n", name, u.Headcount)
	}
	form.Units = b.String()
	return form, ""
}

// apiDiagnostic is a diagnostic as the API shows it. Dates are calendar
// days, as entered: closes_on is the last day respondents can answer.
type apiDiagnostic struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Name           string    `json:"name"`
	Questionnaire  string    `json:"questionnaire"`
	Languages      []string  `json:"languages"`
	Units          []apiUnit `json:"units"`
	OpensOn        string    `json:"opens_on,omitempty"`
	ClosesOn       string    `json:"closes_on,omitempty"`
	MinGroupSize   int       `json:"min_group_size"`
	Access         string    `json:"access"`
	PreviousID     string    `json:"previous_id,omitempty"`
	// State is the effective state: the dates applied to the state set by
	// hand.
	State     survey.State `json:"state"`
	URL       string       `json:"url"`
	Counts    apiCounts    `json:"counts"`
	CreatedAt time.Time    `json:"created_at"`
}

type apiCounts struct {
	Responses   int `json:"responses"`
	CodesIssued int `json:"codes_issued"`
	CodesUsed   int `json:"codes_used"`
}

type apiDiagnosticList struct {
	Diagnostics []apiDiagnostic `json:"diagnostics"`
}

func (s *Server) apiDiagnosticOf(ctx context.Context, d *survey.Diagnostic) (apiDiagnostic, error) {
	out := apiDiagnostic{
		ID: d.ID, OrganisationID: d.OrganisationID, Name: d.Name,
		Questionnaire: questionnaireKey(&d.Questionnaire), Languages: d.Languages,
		Units: make([]apiUnit, 0, len(d.Units)), MinGroupSize: d.MinGroupSize, Access: string(d.Access),
		PreviousID: d.PreviousID, State: d.EffectiveState(s.now()),
		URL: s.absoluteURL(respondentPath(d, "")), CreatedAt: d.CreatedAt,
	}
	for _, u := range d.Units {
		out.Units = append(out.Units, apiUnit{ID: u.ID, Name: u.Name, Headcount: u.Headcount})
	}
	// The same days the edit page shows.
	if d.OpensAt != nil {
		out.OpensOn = d.OpensAt.In(time.Local).Format(time.DateOnly)
	}
	if d.ClosesAt != nil {
		out.ClosesOn = d.ClosesAt.In(time.Local).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	var err error
	if out.Counts.Responses, err = s.store.CountResponses(ctx, d.ID); err != nil {
		return out, err
	}
	if out.Counts.CodesIssued, out.Counts.CodesUsed, err = s.store.AccessCodeCounts(ctx, d.ID); err != nil {
		return out, err
	}
	return out, nil
}

func (s *Server) apiListDiagnostics(c echo.Context) error {
	ctx := c.Request().Context()
	cons := consultantFrom(c)
	o, err := s.store.OrganisationForFirm(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	ds, err := s.store.ListDiagnostics(ctx, cons.FirmID, o.ID)
	if err != nil {
		return err
	}
	out := apiDiagnosticList{Diagnostics: make([]apiDiagnostic, 0, len(ds))}
	for i := range ds {
		d, err := s.apiDiagnosticOf(ctx, &ds[i])
		if err != nil {
			return err
		}
		out.Diagnostics = append(out.Diagnostics, d)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCreateDiagnostic(c echo.Context) error {
	ctx := c.Request().Context()
	cons := consultantFrom(c)
	// The organisation first: another firm's id is not found, whatever
	// the body holds.
	o, err := s.store.OrganisationForFirm(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	var req apiDiagnosticRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	t := s.texts.For(apiLang)
	form, unitsMsg := req.form(t)
	ds, err := s.store.ListDiagnostics(ctx, cons.FirmID, o.ID)
	if err != nil {
		return err
	}
	previous := make([]diagnosticRowView, 0, len(ds))
	for _, p := range ds {
		previous = append(previous, diagnosticRowView{ID: p.ID})
	}
	d := &survey.Diagnostic{OrganisationID: o.ID, State: survey.StateDraft}
	var errs formErrors
	if unitsMsg != "" {
		errs = append(errs, formError{Field: "units", Message: unitsMsg})
	}
	errs = append(errs, s.applyDiagnosticForm(&form, d, previous, false, t)...)
	if len(errs) > 0 {
		return invalidFields(errs, s.apiDiagnosticMessages())
	}
	if err := s.store.CreateDiagnostic(ctx, d); err != nil {
		return err
	}
	s.audit(c, "create", "diagnostic", d.ID, d.Name)
	d.Organisation = *o
	out, err := s.apiDiagnosticOf(ctx, d)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/diagnostics/"+d.ID)
	return c.JSON(http.StatusCreated, out)
}

// apiDiagnosticMessages replace the page's messages that refer to its
// lists and choices.
func (s *Server) apiDiagnosticMessages() map[string]string {
	var keys []string
	for _, q := range s.questionnaires {
		keys = append(keys, questionnaireKey(q))
	}
	return map[string]string{
		"questionnaire": "Use one of " + quotedList(keys) + ".",
		"languages":     "Use only " + quotedList(supportedLanguages()) + "; Dutch is always offered.",
		"access":        "Use " + quotedList([]string{string(survey.AccessLink), string(survey.AccessCodes)}) + ".",
		"previous_id":   "Use the id of another diagnostic of the same organisation.",
	}
}

func (s *Server) apiGetDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	out, err := s.apiDiagnosticOf(c.Request().Context(), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiOpenDiagnostic(c echo.Context) error {
	return s.apiChangeState(c, survey.StateOpen, "open")
}

func (s *Server) apiCloseDiagnostic(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	// The directors named on the diagnostic are mailed in the closing
	// transaction, as the closing page does by default (director_mail.go).
	if _, _, err := s.closeWithDirectorMail(c, d, false); err != nil {
		return err
	}
	s.audit(c, "close", "diagnostic", d.ID, d.Name)
	d.State = survey.StateClosed
	out, err := s.apiDiagnosticOf(c.Request().Context(), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiChangeState(c echo.Context, state survey.State, action string) error {
	d, err := s.setDiagnosticState(c, state, action)
	if err != nil {
		return err
	}
	out, err := s.apiDiagnosticOf(c.Request().Context(), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// --- Progress ---

// apiProgress is the response count of a diagnostic. Units smaller than the
// minimum group size are hidden exactly as on the diagnostic page: a hidden
// unit has no count and no rate at all, not even zero.
type apiProgress struct {
	DiagnosticID string       `json:"diagnostic_id"`
	State        survey.State `json:"state"`
	Total        int          `json:"total"`
	// ResponseRate is a whole percentage; absent when no headcount is
	// known.
	ResponseRate *int              `json:"response_rate,omitempty"`
	MinGroupSize int               `json:"min_group_size"`
	Units        []apiUnitProgress `json:"units"`
	// OtherUnits counts the hidden units together, when that reveals
	// none of them.
	OtherUnits *apiGroupProgress `json:"other_units,omitempty"`
	ByDay      []apiDayCount     `json:"by_day"`
	Codes      apiCodeCounts     `json:"codes"`
}

type apiUnitProgress struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Headcount    int    `json:"headcount"`
	Hidden       bool   `json:"hidden"`
	Count        *int   `json:"count,omitempty"`
	ResponseRate *int   `json:"response_rate,omitempty"`
}

type apiGroupProgress struct {
	Count        int  `json:"count"`
	Headcount    int  `json:"headcount"`
	ResponseRate *int `json:"response_rate,omitempty"`
}

type apiDayCount struct {
	Date  string `json:"date"`
	Count int    `json:"count"`
}

type apiCodeCounts struct {
	Issued int `json:"issued"`
	Used   int `json:"used"`
}

func (s *Server) apiProgress(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, pv, err := s.progressOf(ctx, d)
	if err != nil {
		return err
	}
	out := apiProgress{
		DiagnosticID: d.ID, State: d.EffectiveState(s.now()), Total: pv.Total, ResponseRate: ratePercent(pv.Rate),
		MinGroupSize: pv.MinGroup, Units: make([]apiUnitProgress, 0, len(pv.Units)), ByDay: make([]apiDayCount, 0, len(p.ByDay)),
	}
	// progressFor keeps the order of d.Units.
	for i, u := range pv.Units {
		row := apiUnitProgress{ID: d.Units[i].ID, Name: u.Name, Headcount: u.Headcount, Hidden: u.Hidden}
		if !u.Hidden {
			row.Count, row.ResponseRate = &u.Count, ratePercent(u.Rate)
		}
		out.Units = append(out.Units, row)
	}
	if o := pv.OtherUnits; o != nil {
		out.OtherUnits = &apiGroupProgress{Count: o.Count, Headcount: o.Headcount, ResponseRate: ratePercent(o.Rate)}
	}
	for _, day := range pv.Chart.Days {
		out.ByDay = append(out.ByDay, apiDayCount{Date: day.Date, Count: day.Count})
	}
	if out.Codes.Issued, out.Codes.Used, err = s.store.AccessCodeCounts(ctx, d.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// ratePercent reads a rate of the progress view ("42%") back as a number,
// so that the API reports exactly what the page shows; nil for "".
func ratePercent(rate string) *int {
	n, err := strconv.Atoi(strings.TrimSuffix(rate, "%"))
	if err != nil {
		return nil
	}
	return &n
}

// --- Access codes ---

type apiCodesRequest struct {
	Count int `json:"count"`
}

// apiCodes is a new batch of access codes. The database keeps only their
// hashes, so this answer is the only place they ever appear.
type apiCodes struct {
	DiagnosticID string   `json:"diagnostic_id"`
	URL          string   `json:"url"`
	Codes        []string `json:"codes"`
}

func (s *Server) apiCreateCodes(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var req apiCodesRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.Count < 1 || req.Count > maxCodesPerRequest {
		return invalidFields(formErrors{{Field: "count", Message: s.texts.For(apiLang).Get("codes.error.count", maxCodesPerRequest)}}, nil)
	}
	if d.Access != survey.AccessCodes {
		// The page offers codes only for such diagnostics; anyone with the
		// link can answer the others, so codes would protect nothing.
		return survey.Errorf(survey.CodeConflict, "This diagnostic is answered through its link; access codes are only for diagnostics with access %q.", survey.AccessCodes)
	}
	codes, err := s.store.CreateAccessCodes(c.Request().Context(), d.ID, req.Count)
	if err != nil {
		return err
	}
	s.audit(c, "create_codes", "diagnostic", d.ID, fmt.Sprintf("%d codes", req.Count))
	out := apiCodes{DiagnosticID: d.ID, URL: s.absoluteURL(respondentPath(d, "")), Codes: make([]string, 0, len(codes))}
	for _, code := range codes {
		out.Codes = append(out.Codes, survey.FormatAccessCode(code))
	}
	return c.JSON(http.StatusCreated, out)
}
