package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The advice report of a diagnostic, for the consultant (from the results
// page), for integrations (the API) and for directors, who get a link that
// needs no account. Every report is made from the same *results the
// results page shows (loadResults), so the three never disagree with it.

// reportFormat is the file a report is written as.
type reportFormat string

const (
	reportPDF  reportFormat = "pdf"
	reportHTML reportFormat = "html"
)

// The report files, by the last part of their path.
const (
	reportFilePDF  = "rapport.pdf"
	reportFileHTML = "rapport.html"
)

const (
	// actionShare and actionRevokeShare are the audit actions of director
	// links; a download is an actionExport like every other file.
	actionShare        = "share"
	actionRevokeShare  = "revoke_share"
	targetDirectorLink = "director_link"
	// defaultLinkDays is how long a new director link lasts unless the
	// consultant picks another day; a link never lasts longer than a year.
	defaultLinkDays = 30
	// reportLangParam chooses the language of a download (?taal=en).
	reportLangParam = "taal"
)

// reportLanguages are the languages the diagnostic's report may be written
// in: those of the diagnostic's respondents that the report speaks, Dutch
// first, and Dutch when there are none.
func reportLanguages(d *survey.Diagnostic) []string {
	var out []string
	for _, l := range report.Languages() {
		if slices.Contains(d.Languages, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = report.Languages()[:1]
	}
	return out
}

// reportLang is the language of a download: ?taal= when given, which must
// be one of the diagnostic's; otherwise preferred when the diagnostic has
// it, else its first language.
func reportLang(c echo.Context, d *survey.Diagnostic, preferred string) (string, error) {
	langs := reportLanguages(d)
	if q := c.QueryParam(reportLangParam); q != "" {
		if !slices.Contains(langs, q) {
			return "", survey.Errorf(survey.CodeInvalid, "the report of this diagnostic is available in %s, not %q", strings.Join(langs, " and "), q)
		}
		return q, nil
	}
	if slices.Contains(langs, preferred) {
		return preferred, nil
	}
	return langs[0], nil
}

// startOfDay is midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// reportDate is the date a report carries. A preview lasts only until the
// next response and carries today. Closed results carry their closing date,
// pinned at their number of responses, so that every later download gives
// the same bytes: the closing date when the diagnostic closed by its date,
// and otherwise (closed by hand, which records no date) the day its report
// was first made.
func (s *Server) reportDate(ctx context.Context, r *results) (time.Time, error) {
	now := s.now()
	date := startOfDay(now, s.location)
	if r.Availability.Preview {
		return date, nil
	}
	d := r.Diagnostic
	if d.ClosesAt != nil && !now.Before(*d.ClosesAt) {
		date = d.ClosesAt.In(s.location)
	}
	pinned, err := s.store.PinReportDate(ctx, d.ID, r.Count, date)
	if err != nil {
		return time.Time{}, err
	}
	return pinned.In(s.location), nil
}

// reportInput is the report of the results r, which must be available, in
// lang. The firm is the author, so that a report reads the same whoever
// fetches it.
func (s *Server) reportInput(ctx context.Context, r *results, lang string) (report.Input, error) {
	d := r.Diagnostic
	on, err := s.reportDate(ctx, r)
	if err != nil {
		return report.Input{}, err
	}
	author := ""
	if firm, err := s.accounts.FirmByID(ctx, d.Organisation.FirmID); err == nil {
		author = firm.Name
	} else if survey.ErrorCode(err) != survey.CodeNotFound {
		return report.Input{}, err
	}
	look, err := s.brands.full(ctx, d.Organisation.FirmID)
	if err != nil {
		return report.Input{}, err
	}
	if look.Name != "" {
		author = look.Name
	}
	in := report.Input{
		Organisation: d.Organisation,
		Diagnostic:   *d,
		Result:       r.Result,
		Lang:         lang,
		Advice:       s.advice,
		GeneratedOn:  on,
		Author:       author,
		Location:     s.location,
		Branding:     look,
	}
	if d.PreviousID != "" && d.Organisation.FirmID != "" {
		// The previous wave's plan: the report says what was done since.
		// A previous wave deleted since, or of no firm, has no plan to show.
		prev, err := s.store.ActionsForDiagnostic(ctx, d.Organisation.FirmID, d.PreviousID)
		switch {
		case err == nil:
			in.PreviousActions = prev
		case survey.ErrorCode(err) != survey.CodeNotFound:
			return report.Input{}, err
		}
	}
	if r.Result.Index.Shown {
		// loadResults computes the benchmark only for a shown index.
		b := r.Benchmark
		in.Benchmark = &b
	}
	return in, nil
}

// renderReport writes the report of the available results r.
func (s *Server) renderReport(ctx context.Context, r *results, lang string, format reportFormat) ([]byte, error) {
	in, err := s.reportInput(ctx, r, lang)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var body []byte
	if format == reportPDF {
		body, err = report.PDF(in)
	} else {
		body, err = report.HTML(in)
	}
	if err != nil {
		return nil, err
	}
	// Every report is counted here: the consultant's, the API's and the
	// director's.
	s.metrics.countRender(format, time.Since(start))
	return body, nil
}

// reportCSP is the policy of the HTML report: the global policy allows no
// inline styles, and the report's one <style> element is allowed by its
// hash rather than by 'unsafe-inline'. No scripts, no forms.
func reportCSP() string {
	return "default-src 'none'; style-src 'self' " + report.HTMLStyleSource() +
		"; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
}

// reportFileName is the name a downloaded report is saved under.
func reportFileName(d *survey.Diagnostic, lang string, format reportFormat) string {
	file := "rapport"
	if lang == "en" {
		file = "report"
	}
	return exportFileName(d, file+"."+string(format))
}

// sendReport answers with a report: the PDF as a download, the HTML to be
// read in the browser under its own policy.
func sendReport(c echo.Context, d *survey.Diagnostic, lang string, format reportFormat, body []byte) error {
	h := c.Response().Header()
	h.Set("X-Robots-Tag", "noindex, nofollow")
	name := reportFileName(d, lang, format)
	if format == reportPDF {
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
		return c.Blob(http.StatusOK, "application/pdf", body)
	}
	h.Set("Content-Security-Policy", reportCSP())
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf("inline; filename=%q", name))
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, body)
}

// downloadReport returns the handler of the consultant's download of the
// report, in ?taal= or the interface language.
func (s *Server) downloadReport(format reportFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.diagnosticOfFirm(c)
		if err != nil {
			return err
		}
		lang, err := reportLang(c, d, requestLang(c))
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		r, err := s.loadResults(ctx, d)
		if err != nil {
			return err
		}
		if !r.Availability.Available {
			t := s.texts.For(requestLang(c))
			page := errorPage{
				Status:  http.StatusConflict,
				Heading: t.Get("reports.unavailable.heading"),
				Message: t.Get(variant("results.unavailable.", r.Availability.Reason), r.Count, minGroup(d)),
			}
			return s.render(c, http.StatusConflict, "error", page.Heading, page, false)
		}
		body, err := s.renderReport(ctx, r, lang, format)
		if err != nil {
			return err
		}
		s.audit(c, actionExport, "diagnostic", d.ID, fmt.Sprintf("%s: %s (%s)", d.Name, reportFileName(d, lang, format), lang))
		return sendReport(c, d, lang, format, body)
	}
}

// apiReport returns the handler of the API's report: Dutch unless ?taal=
// says otherwise (API messages are English, reports are for directors).
func (s *Server) apiReport(format reportFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		d, err := s.store.DiagnosticForFirm(ctx, consultantFrom(c).FirmID, c.Param("id"))
		if err != nil {
			return err
		}
		lang, err := reportLang(c, d, report.Languages()[0])
		if err != nil {
			return err
		}
		r, err := s.loadResults(ctx, d)
		if err != nil {
			return err
		}
		if !r.Availability.Available {
			return s.apiResultsNotAvailable(c, d, r)
		}
		body, err := s.renderReport(ctx, r, lang, format)
		if err != nil {
			return err
		}
		s.audit(c, actionExport, "diagnostic", d.ID, fmt.Sprintf("%s: %s (%s, API)", d.Name, reportFileName(d, lang, format), lang))
		return sendReport(c, d, lang, format, body)
	}
}

// --- The consultant's report section of the results page ---

// reportsSection is the part of the results page about the report: its
// downloads and the director links.
type reportsSection struct {
	Downloads []exportLink
	Preview   bool
	// CanShare is set when director links can be made: only of closed
	// results, since a preview ends with the next response.
	CanShare  bool
	Links     []directorLinkView
	Languages []languageOption
	Form      directorLinkForm
	Errors    formErrors
	// ExpiresHint gives the default expiry day; MinDate and MaxDate bound
	// the date input.
	ExpiresHint string
	MinDate     string
	MaxDate     string
	// NewLink is the link just made, shown this once.
	NewLink        string
	NewLinkExpires string
	NewLinkLabel   string
}

type languageOption struct {
	Code     string
	Label    string
	Selected bool
}

type directorLinkView struct {
	ID        string
	Label     string
	Created   string
	Expires   string
	Lang      string
	Downloads int
	Status    string
	Active    bool
	// CanUpdate: the link may change the status of actions.
	CanUpdate bool
}

// directorLinkForm is the form that makes a director link.
type directorLinkForm struct {
	ExpiresOn string `form:"expires_on"`
	Lang      string `form:"lang"`
	// Label says whom the link is for, so that the list says which link
	// to revoke; optional.
	Label string `form:"label"`
	// CanUpdate ("ja") gives the link the right to change the status of
	// the plan's actions and add notes.
	CanUpdate string `form:"can_update"`
}

// maxLinkLabel bounds a director link's label.
const maxLinkLabel = 100

// reportsSectionFor builds the report section of the results page.
func (s *Server) reportsSectionFor(ctx context.Context, r *results, t Translator) (*reportsSection, error) {
	d := r.Diagnostic
	links, err := s.store.ListDirectorLinks(ctx, d.Organisation.FirmID, d.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := startOfDay(now, s.location)
	sec := &reportsSection{
		Preview:     r.Availability.Preview,
		CanShare:    r.Availability.Available && !r.Availability.Preview,
		MinDate:     today.Format(time.DateOnly),
		MaxDate:     today.AddDate(1, 0, 0).Format(time.DateOnly),
		ExpiresHint: t.Get("reports.share.expires_hint", formatDate(today.AddDate(0, 0, defaultLinkDays), t)),
		Form:        directorLinkForm{ExpiresOn: today.AddDate(0, 0, defaultLinkDays).Format(time.DateOnly)},
	}
	langs := reportLanguages(d)
	sec.Form.Lang = langs[0]
	if slices.Contains(langs, t.Lang()) {
		sec.Form.Lang = t.Lang()
	}
	for _, l := range langs {
		sec.Languages = append(sec.Languages, languageOption{Code: l, Label: t.Get(variant("reports.lang.", l))})
		if r.Availability.Available {
			q := "?" + reportLangParam + "=" + l
			sec.Downloads = append(sec.Downloads,
				exportLink{URL: "/diagnoses/" + d.ID + "/" + reportFilePDF + q, Label: t.Get("reports.download.pdf", t.Get(variant("reports.lang.", l)))},
				exportLink{URL: "/diagnoses/" + d.ID + "/" + reportFileHTML + q, Label: t.Get("reports.download.html", t.Get(variant("reports.lang.", l)))},
			)
		}
	}
	for _, l := range links {
		v := directorLinkView{
			ID: l.ID, Label: l.Label, Created: formatDate(l.CreatedAt, t), Expires: formatDate(l.ExpiresAt.Add(-time.Nanosecond), t),
			Lang: t.Get(variant("reports.lang.", l.Lang)), Downloads: l.Downloads, Active: l.Usable(now),
			CanUpdate: l.CanUpdate,
		}
		switch {
		case l.RevokedAt != nil:
			v.Status = t.Get("reports.share.status.revoked", formatDate(*l.RevokedAt, t))
		case !v.Active:
			v.Status = t.Get("reports.share.status.expired")
		default:
			v.Status = t.Get("reports.share.status.active")
		}
		sec.Links = append(sec.Links, v)
	}
	return sec, nil
}

// renderResults shows the results page with its report section; edit, when
// given, adds to the section what a form post has to show.
func (s *Server) renderResults(c echo.Context, status int, r *results, edit func(*reportsSection)) error {
	t := s.texts.For(requestLang(c))
	if err := s.openAnswersOf(c.Request().Context(), r); err != nil {
		return err
	}
	page := resultsPageFor(r, t, func(factor string) string { return s.advice.ShortName(factor, t.Lang()) })
	sec, err := s.reportsSectionFor(c.Request().Context(), r, t)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(sec)
	}
	for i := range sec.Languages {
		sec.Languages[i].Selected = sec.Languages[i].Code == sec.Form.Lang
	}
	page.Reports = sec
	title := t.Get("results.title", r.Diagnostic.Name)
	if len(sec.Errors) > 0 {
		title = t.Get("error.title_prefix") + " " + title
	}
	return s.render(c, status, "results", title, page, len(sec.Errors) > 0)
}

// createDirectorLink makes a director link to the closed results and shows
// it once on the results page.
func (s *Server) createDirectorLink(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var form directorLinkForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	ctx := c.Request().Context()
	r, err := s.loadResults(ctx, d)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	if !r.Availability.Available || r.Availability.Preview {
		page := errorPage{Status: http.StatusConflict, Heading: t.Get("reports.unavailable.heading"), Message: t.Get("reports.share.closed_only")}
		return s.render(c, http.StatusConflict, "error", page.Heading, page, false)
	}
	expires, errs := s.checkDirectorLinkForm(&form, d, t)
	if len(errs) > 0 {
		return s.renderResults(c, http.StatusUnprocessableEntity, r, func(sec *reportsSection) {
			sec.Form, sec.Errors = form, errs
		})
	}
	link := &survey.DirectorLink{DiagnosticID: d.ID, Lang: form.Lang, Label: form.Label, ExpiresAt: expires, CanUpdate: form.CanUpdate == "ja"}
	token, err := s.store.CreateDirectorLink(ctx, d.Organisation.FirmID, link)
	if err != nil {
		return err
	}
	last := formatDate(expires.Add(-time.Nanosecond), t)
	detail := fmt.Sprintf("%s: %s, %s", d.Name, last, form.Lang)
	if link.CanUpdate {
		detail += ", " + t.Get("actions.link.audit_update")
	}
	s.audit(c, actionShare, targetDirectorLink, link.ID, detail)
	if err := s.setNewLink(c, d, newLink{Token: token, Label: form.Label, Expires: expires.Unix(), At: s.now().Unix()}); err != nil {
		return err
	}
	if form.Label != "" {
		s.setFlash(c, "reports.share.flash.created_for", form.Label)
	} else {
		s.setFlash(c, "reports.share.flash.created")
	}
	return c.Redirect(http.StatusSeeOther, resultsPath(d.ID)+"#directielinks")
}

// A new director link is shown on the results page the post redirects to,
// and on reloads for newLinkTTL, so that a reload neither makes a second
// link nor loses the first. Its token, which the database keeps only
// hashed, waits in a cookie sealed to the session and the diagnostic.
const (
	newLinkCookie = "uk_newlink"
	newLinkTTL    = 15 * time.Minute
)

type newLink struct {
	Token   string `json:"k"`
	Label   string `json:"l,omitempty"`
	Expires int64  `json:"e"`
	At      int64  `json:"t"`
}

func newLinkAD(sessionID, diagnosticID string) []byte {
	return []byte("uk-newlink-v1\x00" + sessionID + "\x00" + diagnosticID)
}

func (s *Server) setNewLink(c echo.Context, d *survey.Diagnostic, l newLink) error {
	sessionID, _ := c.Get(ctxSessionID).(string)
	plain, err := json.Marshal(l)
	if err != nil {
		return err
	}
	value, err := s.sealBytes(c.Request().Context(), newLinkAD(sessionID, d.ID), plain)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: newLinkCookie, Value: value, Path: "/diagnoses/" + d.ID, MaxAge: int(newLinkTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// newLinkOf returns the link made a moment ago in this session, if any.
func (s *Server) newLinkOf(c echo.Context, d *survey.Diagnostic) *newLink {
	ck, err := c.Cookie(newLinkCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	sessionID, _ := c.Get(ctxSessionID).(string)
	plain, err := s.openBytes(c.Request().Context(), newLinkAD(sessionID, d.ID), ck.Value)
	if err != nil {
		return nil
	}
	var l newLink
	if json.Unmarshal(plain, &l) != nil || l.Token == "" {
		return nil
	}
	if age := s.now().Sub(time.Unix(l.At, 0)); age < -time.Minute || age > newLinkTTL {
		return nil
	}
	return &l
}

// checkDirectorLinkForm validates the form and returns the moment the link
// ends: the end of the chosen day, as a closing date does.
func (s *Server) checkDirectorLinkForm(form *directorLinkForm, d *survey.Diagnostic, t Translator) (time.Time, formErrors) {
	var errs formErrors
	today := startOfDay(s.now(), s.location)
	latest := today.AddDate(1, 0, 0)
	form.ExpiresOn = strings.TrimSpace(form.ExpiresOn)
	form.Label = cleanText(form.Label)
	day, err := time.ParseInLocation(time.DateOnly, form.ExpiresOn, s.location)
	if err != nil {
		// Without a date picker people type the Dutch way: 31-12-2026.
		day, err = time.ParseInLocation("2-1-2006", form.ExpiresOn, s.location)
	}
	example := formatDate(today.AddDate(0, 0, defaultLinkDays), t)
	switch {
	case form.ExpiresOn == "":
		errs = append(errs, formError{Field: "expires_on", Message: t.Get("reports.error.date_empty", example)})
	case err != nil:
		errs = append(errs, formError{Field: "expires_on", Message: t.Get("reports.error.date_invalid", form.ExpiresOn, example)})
	case day.Before(today):
		errs = append(errs, formError{Field: "expires_on", Message: t.Get("reports.error.date_past")})
	case day.After(latest):
		errs = append(errs, formError{Field: "expires_on", Message: t.Get("reports.error.date_far", formatDate(latest, t))})
	}
	if len([]rune(form.Label)) > maxLinkLabel {
		errs = append(errs, formError{Field: "label", Message: t.Get("reports.error.label_long", maxLinkLabel)})
	}
	if !slices.Contains(reportLanguages(d), form.Lang) {
		errs = append(errs, formError{Field: "lang", Message: t.Get("reports.error.lang")})
	}
	return day.AddDate(0, 0, 1), errs
}

// directorLinksPage is the address of the page a link was made on, which
// its language switch points at: the links live on the results page.
func (s *Server) directorLinksPage(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, resultsPath(d.ID)+"#directielinks")
}

// revokeDirectorLink ends a director link at once.
func (s *Server) revokeDirectorLink(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	id := c.Param("link")
	if err := s.store.RevokeDirectorLink(c.Request().Context(), d.Organisation.FirmID, d.ID, id, s.now()); err != nil {
		return err
	}
	s.audit(c, actionRevokeShare, targetDirectorLink, id, d.Name)
	s.setFlash(c, "reports.share.flash.revoked")
	return c.Redirect(http.StatusSeeOther, resultsPath(d.ID)+"#directielinks")
}

// --- The director's pages ---

func directorPath(token string) string { return "/r/" + token }

// directorHeaders keeps the director's pages private: the token in the
// path must not reach search engines, caches or other sites.
func directorHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("Referrer-Policy", "no-referrer")
		noStore(c)
		return next(c)
	}
}

// directorRateLimit limits each client to a burst of 30 director requests,
// then one every two seconds: enough for a director, too little to guess
// tokens or to keep the server making reports. The client's address is a
// key in memory only; it is never stored or logged.
func (s *Server) directorRateLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(0.5), Burst: 30, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: clientAddress,
		ErrorHandler:        func(echo.Context, error) error { return echo.NewHTTPError(http.StatusBadRequest) },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return echo.NewHTTPError(http.StatusTooManyRequests)
		},
	})
}

// directorPage is the data of the director's page: the summary, or why
// there is none.
type directorPage struct {
	// State is "summary", "gone" (revoked or expired: 410) or
	// "unavailable" (the results cannot be shown now: 409).
	State   string
	Heading string
	Message string
	// Other says the same in the other language, for a director who landed
	// on a page in a language they do not read.
	Other *directorNotice

	Organisation string
	Diagnostic   string
	Period       string
	Intro        string
	IndexCard    scoreCard
	IndexText    string
	BandLegend   []bandView
	Factors      []factorView
	Priorities   []directorPriority
	Gap          string
	Downloads    []exportLink
	Expires      string
	// ResponseRate, MadeBy, Contact and ScoreHint: see addDirectorContext.
	ResponseRate string
	MadeBy       string
	Contact      string
	ScoreHint    string
	// FirmContact is the contact line of the firm's own look.
	FirmContact string
	// look is the firm's look, for the layout (pageBrandOf).
	look *survey.Branding

	// PriorityHead, PriorityBasis and PrioritiesNone follow the rules of
	// methodology section 15, as the results page does.
	PriorityHead   string
	PriorityBasis  string
	PrioritiesNone string

	// Plan is the action plan (actions.go); nil on the notices.
	Plan *directorPlan
}

type directorNotice struct {
	Lang    string
	Heading string
	Message string
}

type directorPriority struct {
	Rank     int
	FactorID string
	Factor   string
	Score    string
	Band     survey.Band
	BandWord string
	// Why is the ground it was chosen on and its link with the outcome.
	Why string
	// Steps are the first steps of the report's advice for the factor.
	Steps []string
}

// directorAccess finds the link of the request and the results it shows.
// When the link has ended or the results cannot be shown, it answers the
// request itself and returns done.
func (s *Server) directorAccess(c echo.Context) (link *survey.DirectorLink, r *results, done bool, err error) {
	ctx := c.Request().Context()
	link, err = s.store.DirectorLinkByToken(ctx, c.Param("token"))
	if err != nil {
		return nil, nil, false, err
	}
	if !isSupportedLanguage(c.QueryParam("lang")) {
		// The consultant chose the director's language with the link.
		c.Set(ctxLang, link.Lang)
	}
	if !link.Usable(s.now()) {
		return nil, nil, true, s.renderDirectorNotice(c, http.StatusGone, link)
	}
	d, err := s.store.DiagnosticForFirm(ctx, link.FirmID, link.DiagnosticID)
	if err != nil {
		return nil, nil, false, err
	}
	if r, err = s.loadResults(ctx, d); err != nil {
		return nil, nil, false, err
	}
	if !r.Availability.Available || r.Availability.Preview {
		return nil, nil, true, s.renderDirectorNotice(c, http.StatusConflict, link)
	}
	return link, r, false, nil
}

// renderDirectorNotice explains, in both languages, why a link shows
// nothing: it has ended (410) or the results cannot be shown now (409).
func (s *Server) renderDirectorNotice(c echo.Context, status int, link *survey.DirectorLink) error {
	lang := requestLang(c)
	notice := func(t Translator) directorNotice {
		n := directorNotice{Lang: t.Lang()}
		switch {
		case status == http.StatusConflict:
			n.Heading, n.Message = t.Get("reports.director.unavailable.heading"), t.Get("reports.director.unavailable")
		case link.RevokedAt != nil:
			n.Heading, n.Message = t.Get("reports.director.gone.heading"), t.Get("reports.director.gone.revoked")
		default:
			n.Heading, n.Message = t.Get("reports.director.gone.heading"), t.Get("reports.director.gone.expired", formatDate(link.ExpiresAt.Add(-time.Nanosecond), t))
		}
		return n
	}
	own := notice(s.texts.For(lang))
	page := directorPage{State: "gone", Heading: own.Heading, Message: own.Message}
	if status == http.StatusConflict {
		page.State = "unavailable"
	}
	for _, l := range supportedLanguages() {
		if l != lang {
			other := notice(s.texts.For(l))
			page.Other = &other
			break
		}
	}
	return s.render(c, status, "director", own.Heading, page, false)
}

// showDirector shows the director the summary of the results and the
// downloads of the report.
func (s *Server) showDirector(c echo.Context) error {
	link, r, done, err := s.directorAccess(c)
	if done || err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := directorPageFor(r, t, c.Param("token"))
	if err := s.addDirectorContext(c.Request().Context(), &page, r, link, t); err != nil {
		return err
	}
	page.Expires = t.Get("reports.director.expires", formatDate(link.ExpiresAt.Add(-time.Nanosecond), t))
	if links := brandLinks(directorPath(url.PathEscape(c.Param("token"))), page.look); links != nil {
		c.Set(ctxBrand, links)
	}
	if err := s.addDirectorPlan(c, &page, link, r, t); err != nil {
		return err
	}
	page.Plan.Updated = c.QueryParam("bijgewerkt")
	return s.render(c, http.StatusOK, "director", t.Get("reports.director.title", r.Diagnostic.Organisation.Name), page, false)
}

// directorReport returns the handler of a director's download, in the
// language chosen with the link; every download is counted.
func (s *Server) directorReport(format reportFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		link, r, done, err := s.directorAccess(c)
		if done || err != nil {
			return err
		}
		ctx := c.Request().Context()
		body, err := s.renderReport(ctx, r, link.Lang, format)
		if err != nil {
			return err
		}
		if err := s.store.CountDirectorDownload(ctx, link.ID); err != nil {
			// The director gets the report; the count misses one.
			s.logger.Warn("director download not counted", "link", link.ID, "error", err.Error())
		}
		return sendReport(c, r.Diagnostic, link.Lang, format, body)
	}
}

// directorPageFor is the summary a director sees: the index and the factors
// with their colours in words, the three priorities and the gap between
// policy and execution. It reuses the results page's views, so that the
// numbers read the same.
func directorPageFor(r *results, t Translator, token string) directorPage {
	d, res := r.Diagnostic, r.Result
	v := resultsViewer{t: t, f: numbersFor(t.Lang()), q: &d.Questionnaire, d: d, min: minGroup(d)}
	p := directorPage{
		State:        "summary",
		Organisation: d.Organisation.Name,
		Diagnostic:   d.Name,
		Intro:        t.Get("reports.director.intro", res.N, minGroup(d)),
		BandLegend:   v.bandLegend(),
		Gap:          v.gapConclusion(res),
	}
	if start, end := fieldwork(d); start != nil || end != nil {
		p.Period = periodText(d, t)
	}
	index := v.score(res.Index)
	p.IndexCard = scoreCard{Label: t.Get("results.index"), Score: index, IntervalWord: t.Get("results.col.interval"), HiddenWord: t.Get("results.hidden")}
	if index.Shown {
		meaning := t.Get(variant("results.band_meaning.", string(index.Band)))
		p.IndexText = t.Get("reports.director.index_text", index.Mean, index.BandWord, meaning)
	}
	_, p.Factors = v.factors(res)
	for _, pr := range res.Priorities {
		if len(p.Priorities) == 3 {
			break
		}
		dp := directorPriority{Rank: pr.Rank, FactorID: pr.Factor, Factor: v.measureName(pr.Factor), Score: v.f.dec(pr.Score, 1), Why: v.linkWords(pr)}
		if pr.Basis != survey.BasisImpact {
			dp.Why = t.Get("reports.director.for_score", dp.Why)
		}
		for _, fr := range res.Factors {
			if fr.ID == pr.Factor && fr.Score.Shown {
				dp.Band, dp.BandWord = fr.Score.Band, v.bandWord(fr.Score.Band)
			}
		}
		p.Priorities = append(p.Priorities, dp)
	}
	p.PriorityBasis, p.PrioritiesNone = v.priorityBasis(res)
	p.PriorityHead = t.Get("reports.director.priorities_heading")
	if len(p.Priorities) != scoring.PriorityCount {
		p.PriorityHead = t.Get("results.priorities.heading")
	}
	base := directorPath(token) + "/"
	p.Downloads = []exportLink{
		{URL: base + reportFilePDF, Label: t.Get("reports.director.download_pdf")},
		{URL: base + reportFileHTML, Label: t.Get("reports.director.download_html")},
	}
	return p
}

// gapConclusion is the paragraph on the gap between policy and execution
// (methodology section 15): the index's verdict in the engine's words,
// always said to be about the index as a whole, then every factor with a
// clear difference, so that the index sentence never reads as "no
// difference anywhere".
func (v resultsViewer) gapConclusion(res *survey.Result) string {
	var cmp *survey.Comparison
	var diff *survey.Difference
	for i := range res.Gaps {
		if res.Gaps[i].ID != survey.ComparisonPolicyExecution {
			continue
		}
		cmp = &res.Gaps[i]
		for j := range cmp.Differences {
			if cmp.Differences[j].Measure == survey.MeasureIndex {
				diff = &cmp.Differences[j]
			}
		}
	}
	policy, execution := survey.RolePolicy, survey.RoleExecution
	if cmp != nil {
		policy, execution = cmp.GroupA, cmp.GroupB
	}
	a, b := strings.ToLower(v.groupName(survey.DimensionRole, policy)), strings.ToLower(v.groupName(survey.DimensionRole, execution))
	var out string
	switch {
	case diff == nil || !diff.Shown || diff.Diff == nil || diff.MeanA == nil || diff.MeanB == nil:
		out = v.t.Get("reports.director.gap_hidden")
	case diff.Verdict == survey.VerdictNone:
		out = v.t.Get("reports.director.gap_none", diff.Verdict.Label().In(v.t.Lang()), a, v.f.dec(*diff.MeanA, 1), b, v.f.dec(*diff.MeanB, 1))
	default:
		words := diff.Verdict.Label().In(v.t.Lang())
		words = strings.ToUpper(words[:1]) + words[1:]
		if diff.Verdict == survey.VerdictPossible {
			words += " (" + v.possibleDetail(*diff) + ")"
		}
		high, low, meanA, meanB := a, b, v.f.dec(*diff.MeanA, 1), v.f.dec(*diff.MeanB, 1)
		if *diff.Diff < 0 {
			high, low, meanA, meanB = b, a, meanB, meanA
		}
		out = v.t.Get("reports.director.gap_text", words, high, low, meanA, meanB, v.f.dec(math.Abs(*diff.Diff), 1))
	}
	if cmp != nil {
		var items []string
		for _, fd := range scoring.ClearGaps(*cmp) {
			high := a
			if *fd.Diff < 0 {
				high = b
			}
			items = append(items, v.t.Get("reports.director.gap_factor", v.measureName(fd.Measure), high, v.f.dec(math.Abs(*fd.Diff), 1)))
		}
		if len(items) > 0 {
			list := strings.Join(items[:len(items)-1], ", ")
			if list != "" {
				list += v.t.Get("reports.director.and")
			}
			list += items[len(items)-1]
			out += " " + v.t.Get("reports.director.gap_factors", a, b, list)
		}
	}
	return out
}
