package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// pageNames lists every page template the service renders. parsePages fails
// when one is missing, so a deployment with an incomplete template set never
// starts.
func pageNames() []string {
	return []string{
		"landing", "step", "review", "thanks", "closed", "error",
		"organisations", "organisation", "organisation_form",
		"diagnostic", "diagnostic_form", "diagnostic_delete", "diagnostic_state", "results",
		"login", "totp", "account", "team", "team_sso", "audit", "invite",
		"accessibility", "privacy",
		"director",
		"overview",
		"branding",
		"diagnostic_mail", "personal_invitations",
		"messages", "message", "password_forgot", "password_reset", "password_change",
		"summary", "summary_admin", "pulses",
		"actions", "action_edit",
	}
}

// planPages are the pages that show the action plan with the shared
// blocks of templates/html/plan.html.
func planPages() []string { return []string{"actions", "action_edit", "director"} }

// newPasswordPages are the pages that ask for a new password with the
// shared fields of templates/html/newpassword.html.
func newPasswordPages() []string { return []string{"invite", "password_reset", "password_change"} }

// pages holds one parsed template set per page: the shared layout plus the
// page's own "content" block. They are parsed once at start-up and only
// executed afterwards, which html/template allows concurrently.
type pages struct {
	byName map[string]*template.Template
	// bufs reuses the buffers pages are executed into: a questionnaire
	// step is some 20 kB, grown afresh for every page otherwise.
	bufs sync.Pool
}

func parsePages(fsys fs.FS) (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames() {
		files := []string{"templates/html/layout.html", "templates/html/formerrors.html", "templates/html/messagelist.html"}
		if slices.Contains(planPages(), name) {
			files = append(files, "templates/html/plan.html")
		}
		if slices.Contains(newPasswordPages(), name) {
			files = append(files, "templates/html/newpassword.html")
		}
		t, err := template.ParseFS(fsys, append(files, "templates/html/"+name+".html")...)
		if err != nil {
			return nil, fmt.Errorf("templates: page %q: %w", name, err)
		}
		for _, block := range []string{"layout", "content"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("templates: page %q defines no %q block", name, block)
			}
		}
		p.byName[name] = t
	}
	return p, nil
}

// langLink is one entry of the visible language switch.
type langLink struct {
	Code    string
	Label   string
	URL     string
	Current bool
}

// view is the data every page receives; Page holds the page's own data.
type view struct {
	T         Translator
	Lang      string
	Title     string
	HasErrors bool
	CSRF      string
	LangLinks []langLink
	// Consultant is the signed-in consultant on workspace pages, nil on
	// respondent and public pages.
	Consultant *survey.Consultant
	// PrivacyURL is the privacy notice of the respondent link, on
	// respondent pages only; the footer's promise of anonymity goes with it.
	PrivacyURL string
	// LangInForm is set on questionnaire steps, whose language switch
	// belongs to the step's form (templates/html/step.html) so that what
	// was ticked is saved: the header then has none.
	LangInForm bool
	// Flash confirms the action that led to this workspace page.
	Flash string
	// CopyScript loads the copy buttons' script on the pages that show
	// links to hand on; no other page loads any script.
	CopyScript bool
	// Refresh, when positive, reloads the page after that many seconds:
	// only the page that says the results are being computed does.
	Refresh int
	// Brand is the firm's look on respondent pages (when the firm opted
	// in) and on the director page; nil shows the service's own.
	Brand *pageBrand
	Page  any
}

// render executes a page into a buffer first, so a template error never
// leaves a half-written page behind.
func (s *Server) render(c echo.Context, status int, name, title string, page any, hasErrors bool) error {
	buf := s.pages.buffer()
	defer s.pages.release(buf)
	if err := s.renderInto(buf, c, name, title, page, hasErrors); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// renderInto executes a page into buf.
func (s *Server) renderInto(buf *bytes.Buffer, c echo.Context, name, title string, page any, hasErrors bool) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("render: unknown page %q", name)
	}
	lang := requestLang(c)
	v := view{
		T:         s.texts.For(lang),
		Lang:      lang,
		Title:     title,
		HasErrors: hasErrors,
		CSRF:      csrfToken(c),
		LangLinks: langLinks(c, lang),
		Page:      page,
	}
	v.PrivacyURL = respondentPrivacyURL(c, name)
	v.LangInForm = name == "step"
	v.Refresh, _ = c.Get(ctxRefresh).(int)
	v.Brand = s.pageBrandOf(c, name)
	if cons, ok := c.Get(ctxConsultant).(*survey.Consultant); ok {
		v.Consultant = cons
		v.Flash = s.takeFlash(c, v.T)
		v.CopyScript = name == "diagnostic" || name == "results"
	}
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// buffer is an empty buffer to execute a page into; release returns it
// once the page has been written.
func (p *pages) buffer() *bytes.Buffer {
	if buf, ok := p.bufs.Get().(*bytes.Buffer); ok {
		return buf
	}
	return new(bytes.Buffer)
}

func (p *pages) release(buf *bytes.Buffer) {
	// A rare huge page is not kept, so the pool holds no more than
	// ordinary pages need.
	if buf.Cap() <= 256<<10 {
		buf.Reset()
		p.bufs.Put(buf)
	}
}

// langLinks builds the language switch: a link to the same page with
// ?lang=xx. POST results link to the page's GET address, which shows the same
// step from the saved state.
func langLinks(c echo.Context, current string) []langLink {
	path := c.Request().URL.Path
	q := c.Request().URL.Query()
	labels := map[string]string{"nl": "Nederlands", "en": "English"}
	var links []langLink
	for _, l := range supportedLanguages() {
		q.Set("lang", l)
		links = append(links, langLink{Code: l, Label: labels[l], URL: path + "?" + q.Encode(), Current: l == current})
	}
	return links
}

// requestLang is the language chosen by middleware for this request.
func requestLang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok && l != "" {
		return l
	}
	return supportedLanguages()[0]
}

func csrfToken(c echo.Context) string {
	if t, ok := c.Get(ctxCSRF).(string); ok {
		return t
	}
	return ""
}

// noStore marks a response as private to the respondent's device, so shared
// caches and the back/forward cache of a shared computer keep no answers.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}

// statusText is a fallback for statuses without a translated message.
func statusText(code int) string { return strings.ToLower(http.StatusText(code)) }
