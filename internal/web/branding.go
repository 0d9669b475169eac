package web

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/logo"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// BrandingStore keeps the firms' own look. internal/store implements it.
type BrandingStore interface {
	// Branding returns the firm's look with the logo's bytes; a firm
	// without one gets the zero look.
	Branding(ctx context.Context, firmID string) (*survey.Branding, error)
	// BrandingLook is Branding without the logo's bytes.
	BrandingLook(ctx context.Context, firmID string) (*survey.Branding, error)
	SaveBranding(ctx context.Context, b *survey.Branding) error
	SetBrandingLogo(ctx context.Context, firmID string, png []byte, width, height int) error
}

// brandCache keeps the looks respondent pages link to for as long as the
// respondent pages keep a diagnostic (Config.RespondentCacheTTL), so that
// a questionnaire step costs no extra query; a saved look is forgotten at
// once on this instance.
type brandCache struct {
	BrandingStore
	ttl time.Duration

	mu    sync.Mutex
	looks map[string]cachedLook
}

type cachedLook struct {
	b  *survey.Branding
	at time.Time
}

func newBrandCache(st BrandingStore, ttl time.Duration) *brandCache {
	return &brandCache{BrandingStore: st, ttl: ttl, looks: map[string]cachedLook{}}
}

// look is BrandingLook through the cache.
func (bc *brandCache) look(ctx context.Context, firmID string) (*survey.Branding, error) {
	if firmID == "" {
		return &survey.Branding{}, nil
	}
	if bc.ttl <= 0 {
		return bc.BrandingLook(ctx, firmID)
	}
	now := time.Now()
	bc.mu.Lock()
	cl, ok := bc.looks[firmID]
	bc.mu.Unlock()
	if ok && now.Sub(cl.at) < bc.ttl {
		return cl.b, nil
	}
	b, err := bc.BrandingLook(ctx, firmID)
	if err != nil {
		return nil, err
	}
	bc.mu.Lock()
	if len(bc.looks) > 10000 {
		clear(bc.looks)
	}
	bc.looks[firmID] = cachedLook{b: b, at: now}
	bc.mu.Unlock()
	return b, nil
}

func (bc *brandCache) forget(firmID string) {
	bc.mu.Lock()
	delete(bc.looks, firmID)
	bc.mu.Unlock()
}

// full returns the look with its logo; a firm id of "" (a diagnostic made
// without an account) has none.
func (bc *brandCache) full(ctx context.Context, firmID string) (*survey.Branding, error) {
	if firmID == "" {
		return &survey.Branding{}, nil
	}
	return bc.Branding(ctx, firmID)
}

// pageBrand is what the layout links to for a firm's look.
type pageBrand struct {
	// CSSURL is the firm's colour as a style sheet of this site: the
	// pages' policy allows no inline style.
	CSSURL  string
	LogoURL string
	LogoAlt string
	// LogoW and LogoH are the logo's size at the header's height.
	LogoW, LogoH int
}

const (
	ctxBrand = "brand"
	// headerLogoHeight is the logo's height in CSS pixels in the header.
	headerLogoHeight = 40
)

// brandLinks returns the links of b's look under base ("/d/TOKEN" or
// "/r/TOKEN"), nil when b has neither colour nor logo. The version in the
// query changes the address whenever the look changes.
func brandLinks(base string, b *survey.Branding) *pageBrand {
	if b == nil {
		return nil
	}
	pb := &pageBrand{}
	if c, ok := b.RGB(); ok {
		pb.CSSURL = base + "/huisstijl.css?v=" + strings.TrimPrefix(survey.FormatColor(c), "#")
	}
	if b.LogoVersion != "" && b.LogoWidth > 0 && b.LogoHeight > 0 {
		pb.LogoURL = base + "/logo.png?v=" + url.QueryEscape(b.LogoVersion)
		pb.LogoAlt = b.Name
		pb.LogoH = headerLogoHeight
		pb.LogoW = max(1, int(math.Round(float64(b.LogoWidth)*headerLogoHeight/float64(b.LogoHeight))))
	}
	if pb.CSSURL == "" && pb.LogoURL == "" {
		return nil
	}
	return pb
}

// pageBrandOf is the look of the page being rendered: what the handler
// chose (the director page), or on respondent pages the firm's look when
// the firm opted in. A look that cannot be loaded is left out: a
// respondent must never be stopped by a logo.
func (s *Server) pageBrandOf(c echo.Context, name string) *pageBrand {
	if pb, ok := c.Get(ctxBrand).(*pageBrand); ok {
		return pb
	}
	token := c.Param("token")
	if name == "error" || token == "" || !strings.HasPrefix(c.Path(), "/d/:token") {
		return nil
	}
	ctx := c.Request().Context()
	d, err := s.diagnostics.byToken(ctx, s.store.DiagnosticByToken, token, s.now())
	if err != nil {
		return nil
	}
	b, err := s.brands.look(ctx, d.Organisation.FirmID)
	if err != nil {
		s.logStoreFailure(c, err)
		return nil
	}
	if !b.OnRespondentPages {
		return nil
	}
	return brandLinks(respondentPath(d, ""), b)
}

// --- serving the look ---

// serveLogo sends a logo internal/logo encoded, as a PNG that nothing can
// run: a strict type, no sniffing, and a policy that allows nothing.
func serveLogo(c echo.Context, b *survey.Branding) error {
	if !b.HasLogo() {
		return survey.Errorf(survey.CodeNotFound, "no logo")
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(echo.HeaderContentDisposition, `inline; filename="logo.png"`)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, max-age=86400")
	}
	return c.Blob(http.StatusOK, "image/png", b.Logo)
}

// serveBrandCSS sends the firm's colour as a style sheet. The colour is
// written from its parsed value, never from what was typed, and it passed
// the contrast rule against the white text the header and buttons keep.
func serveBrandCSS(c echo.Context, b *survey.Branding) error {
	rgb, ok := b.RGB()
	if !ok {
		return survey.Errorf(survey.CodeNotFound, "no colour")
	}
	if _, pass := survey.CheckBrandColor(rgb); !pass {
		return survey.Errorf(survey.CodeNotFound, "no usable colour")
	}
	col := survey.FormatColor(rgb)
	css := "/* The firm's colour; white text on it meets WCAG 2.1 AA. */\n" +
		".header { background: " + col + "; }\n" +
		".button:not([class*=\"button-\"]) { background: " + col + "; box-shadow: 0 2px 0 #0b0c0c; }\n" +
		".button:not([class*=\"button-\"]):hover { background: " + col + "; filter: brightness(.85); }\n"
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, max-age=86400")
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(css))
}

// respondentBrand is the look of the respondent link's firm, or not found
// when the firm did not choose to show it to respondents.
func (s *Server) respondentBrand(c echo.Context, withLogo bool) (*survey.Branding, error) {
	ctx := c.Request().Context()
	d, err := s.diagnostics.byToken(ctx, s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return nil, err
	}
	var b *survey.Branding
	if withLogo {
		b, err = s.brands.full(ctx, d.Organisation.FirmID)
	} else {
		b, err = s.brands.look(ctx, d.Organisation.FirmID)
	}
	if err != nil {
		return nil, err
	}
	if !b.OnRespondentPages {
		return nil, survey.Errorf(survey.CodeNotFound, "no look on respondent pages")
	}
	return b, nil
}

func (s *Server) respondentLogo(c echo.Context) error {
	b, err := s.respondentBrand(c, true)
	if err != nil {
		return err
	}
	return serveLogo(c, b)
}

func (s *Server) respondentBrandCSS(c echo.Context) error {
	b, err := s.respondentBrand(c, false)
	if err != nil {
		return err
	}
	return serveBrandCSS(c, b)
}

// directorBrand is the look of the director link's firm while the link
// can be used.
func (s *Server) directorBrand(c echo.Context, withLogo bool) (*survey.Branding, error) {
	ctx := c.Request().Context()
	link, err := s.store.DirectorLinkByToken(ctx, c.Param("token"))
	if err != nil {
		return nil, err
	}
	if !link.Usable(s.now()) {
		return nil, survey.Errorf(survey.CodeNotFound, "director link ended")
	}
	if withLogo {
		return s.brands.full(ctx, link.FirmID)
	}
	return s.brands.look(ctx, link.FirmID)
}

func (s *Server) directorLogo(c echo.Context) error {
	b, err := s.directorBrand(c, true)
	if err != nil {
		return err
	}
	return serveLogo(c, b)
}

func (s *Server) directorBrandCSS(c echo.Context) error {
	b, err := s.directorBrand(c, false)
	if err != nil {
		return err
	}
	return serveBrandCSS(c, b)
}

// teamLogo is the consultant's own firm's logo, for the branding page.
func (s *Server) teamLogo(c echo.Context) error {
	b, err := s.brands.full(c.Request().Context(), consultantFrom(c).FirmID)
	if err != nil {
		return err
	}
	return serveLogo(c, b)
}

// --- the branding page (firm admins) ---

const (
	actionBranding = "branding"
	brandingPath   = "/team/huisstijl"
	// logoUploadPath takes a larger body than every other form.
	logoUploadPath = brandingPath + "/logo"
	// logoUploadBodyLimit leaves room around logo.MaxUpload for the
	// multipart framing, so that a file just too large still gets the
	// page's own message rather than the generic one.
	logoUploadBodyLimit = "2M"
)

type brandingForm struct {
	Name        string `form:"name" validate:"max=80"`
	Contact     string `form:"contact" validate:"max=160"`
	Color       string `form:"color" validate:"max=32"`
	Respondents string `form:"respondents"`
}

type brandingPage struct {
	Form   brandingForm
	Errors formErrors
	// LogoURL shows the current logo; empty without one.
	LogoURL      string
	LogoW, LogoH int
	// Contrast is the saved colour's contrast with white text in words.
	Contrast string
}

func (s *Server) brandingView(c echo.Context) (*brandingPage, error) {
	b, err := s.brands.BrandingLook(c.Request().Context(), consultantFrom(c).FirmID)
	if err != nil {
		return nil, err
	}
	page := &brandingPage{Form: brandingForm{Name: b.Name, Contact: b.Contact, Color: b.Color}}
	if b.OnRespondentPages {
		page.Form.Respondents = "1"
	}
	if links := brandLinks(brandingPath, b); links != nil && links.LogoURL != "" {
		page.LogoURL = links.LogoURL
		page.LogoW, page.LogoH = b.LogoWidth, b.LogoHeight
		if page.LogoW > 320 {
			page.LogoW, page.LogoH = 320, max(1, b.LogoHeight*320/b.LogoWidth)
		}
	}
	if rgb, ok := b.RGB(); ok {
		t := s.texts.For(requestLang(c))
		ratio, _ := survey.CheckBrandColor(rgb)
		page.Contrast = t.Get("branding.contrast", survey.FormatColor(rgb), contrastText(ratio, t.Lang()))
	}
	return page, nil
}

// contrastText writes a contrast ratio with two decimals, cut rather than
// rounded: 4.496 must not read as the 4,50 it fails to reach.
func contrastText(ratio float64, lang string) string {
	s := strconv.FormatFloat(math.Floor(ratio*100)/100, 'f', 2, 64)
	if lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + ":1"
}

func (s *Server) showBranding(c echo.Context) error {
	page, err := s.brandingView(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "branding", t.Get("branding.title"), page, false)
}

func (s *Server) renderBrandingErrors(c echo.Context, form *brandingForm, errs formErrors) error {
	page, err := s.brandingView(c)
	if err != nil {
		return err
	}
	if form != nil {
		page.Form = *form
	}
	page.Errors = errs
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusUnprocessableEntity, "branding", t.Get("error.title_prefix")+" "+t.Get("branding.title"), page, true)
}

// saveBranding stores the name, contact line, colour and the respondent
// pages' choice. A colour that fails the contrast rule is refused with
// its ratio, and everything typed stays in the form.
func (s *Server) saveBranding(c echo.Context) error {
	cons := consultantFrom(c)
	t := s.texts.For(requestLang(c))
	var form brandingForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	form.Name, form.Contact, form.Color = strings.TrimSpace(form.Name), strings.TrimSpace(form.Contact), strings.TrimSpace(form.Color)
	errs := s.validateForm(&form, t, map[string]string{
		"Name":    "branding.error.name_long",
		"Contact": "branding.error.contact_long",
		"Color":   "branding.error.color_format",
	})
	b := &survey.Branding{FirmID: cons.FirmID, Name: form.Name, Contact: form.Contact, OnRespondentPages: form.Respondents == "1"}
	if len(errs) == 0 && form.Color != "" {
		rgb, err := survey.ParseColor(form.Color)
		if err != nil {
			errs = append(errs, formError{Field: "color", Message: t.Get("branding.error.color_format")})
		} else if ratio, ok := survey.CheckBrandColor(rgb); !ok {
			errs = append(errs, formError{Field: "color", Message: t.Get("branding.error.color_contrast",
				survey.FormatColor(rgb), contrastText(ratio, t.Lang()), contrastText(survey.MinBrandContrast, t.Lang()))})
		} else {
			b.Color = survey.FormatColor(rgb)
		}
	}
	if len(errs) > 0 {
		return s.renderBrandingErrors(c, &form, errs)
	}
	if err := s.brands.SaveBranding(c.Request().Context(), b); err != nil {
		return err
	}
	s.brands.forget(cons.FirmID)
	s.audit(c, actionBranding, targetFirm, cons.FirmID, "look")
	s.setFlash(c, "branding.flash.saved")
	return c.Redirect(http.StatusSeeOther, brandingPath)
}

// uploadLogo takes a PNG or SVG, judged by its content, and stores what
// internal/logo makes of it: a PNG the service encoded itself.
func (s *Server) uploadLogo(c echo.Context) error {
	cons := consultantFrom(c)
	t := s.texts.For(requestLang(c))
	fh, err := c.FormFile("logo")
	if err != nil || fh.Size == 0 {
		return s.renderBrandingErrors(c, nil, formErrors{{Field: "logo", Message: t.Get("branding.error.logo_required")}})
	}
	f, err := fh.Open()
	if err != nil {
		return survey.Wrap(survey.CodeInternal, err, "open upload")
	}
	data, err := io.ReadAll(io.LimitReader(f, logo.MaxUpload+1))
	f.Close()
	if err != nil {
		return survey.Wrap(survey.CodeInternal, err, "read upload")
	}
	img, err := logo.Normalise(data)
	if err != nil {
		return s.renderBrandingErrors(c, nil, formErrors{{Field: "logo", Message: logoMessage(err, t)}})
	}
	if err := s.brands.SetBrandingLogo(c.Request().Context(), cons.FirmID, img.PNG, img.Width, img.Height); err != nil {
		return err
	}
	s.brands.forget(cons.FirmID)
	s.audit(c, actionBranding, targetFirm, cons.FirmID, "logo")
	s.setFlash(c, "branding.flash.logo_saved")
	return c.Redirect(http.StatusSeeOther, brandingPath)
}

func (s *Server) removeLogo(c echo.Context) error {
	cons := consultantFrom(c)
	if err := s.brands.SetBrandingLogo(c.Request().Context(), cons.FirmID, nil, 0, 0); err != nil {
		return err
	}
	s.brands.forget(cons.FirmID)
	s.audit(c, actionBranding, targetFirm, cons.FirmID, "logo removed")
	s.setFlash(c, "branding.flash.logo_removed")
	return c.Redirect(http.StatusSeeOther, brandingPath)
}

// logoMessage words a refused logo for the admin.
func logoMessage(err error, t Translator) string {
	var le *logo.Error
	if !errors.As(err, &le) {
		return t.Get("branding.error.logo_unreadable")
	}
	switch le.Kind {
	case logo.TooLarge:
		return t.Get("branding.error.logo_too_large", "1 MB")
	case logo.Empty:
		return t.Get("branding.error.logo_required")
	case logo.WrongType:
		return t.Get("branding.error.logo_type")
	case logo.TooManyPixels:
		return t.Get("branding.error.logo_pixels", logo.MaxSourcePixels/4096, 4096)
	case logo.BadSize:
		return t.Get("branding.error.logo_size", logo.MinSide)
	case logo.Unsafe:
		return t.Get("branding.error.logo_unsafe", le.Detail)
	}
	return t.Get("branding.error.logo_unreadable")
}

// isLogoUpload is the body limit middleware's exception: only the logo
// upload may send more than Config.BodyLimit.
func isLogoUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Request().URL.Path == logoUploadPath
}
