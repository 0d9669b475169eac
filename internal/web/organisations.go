package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// organisationForm is what a consultant enters for an organisation. Numbers
// are strings so that a mistyped value is shown again as typed.
type organisationForm struct {
	Name      string `form:"name" validate:"required,max=200"`
	Sector    string `form:"sector" validate:"required,oneof=gemeente provincie waterschap ministerie uitvoeringsorganisatie zbo overig"`
	Headcount string `form:"headcount" validate:"omitempty,max=20"`
}

type organisationsPage struct {
	Organisations []survey.Organisation
}

type organisationPage struct {
	Organisation survey.Organisation
	Diagnostics  []diagnosticRowView
}

// diagnosticRowView is a diagnostic in a list.
type diagnosticRowView struct {
	ID        string
	Name      string
	State     survey.State
	Period    string
	Responses int
}

type organisationFormPage struct {
	Form    organisationForm
	Errors  formErrors
	Sectors []survey.Sector
	Action  string
	Editing bool
}

// formError is one message of a workspace form, linked from the error
// summary to its input.
type formError struct {
	Field   string
	Message string
}

func (s *Server) listOrganisations(c echo.Context) error {
	cons := consultantFrom(c)
	orgs, err := s.store.ListOrganisations(c.Request().Context(), cons.FirmID)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	return s.render(c, http.StatusOK, "organisations", t.Get("org.list.title"), organisationsPage{Organisations: orgs}, false)
}

func (s *Server) newOrganisation(c echo.Context) error {
	t := s.texts.For(requestLang(c))
	page := organisationFormPage{Form: organisationForm{Sector: string(survey.SectorMunicipality)}, Sectors: survey.Sectors(), Action: "/organisaties"}
	return s.render(c, http.StatusOK, "organisation_form", t.Get("org.new.title"), page, false)
}

func (s *Server) createOrganisation(c echo.Context) error {
	cons := consultantFrom(c)
	t := s.texts.For(requestLang(c))
	var form organisationForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	page := organisationFormPage{Form: form, Sectors: survey.Sectors(), Action: "/organisaties"}
	o, errs := s.organisationFromForm(&form, t)
	if len(errs) > 0 {
		page.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "organisation_form", t.Get("error.title_prefix")+" "+t.Get("org.new.title"), page, true)
	}
	o.FirmID = cons.FirmID
	if err := s.store.CreateOrganisation(c.Request().Context(), o); err != nil {
		return err
	}
	s.audit(c, "create", "organisation", o.ID, o.Name)
	s.setFlash(c, "org.flash.created", o.Name)
	return c.Redirect(http.StatusSeeOther, "/organisaties/"+o.ID)
}

// organisationFromForm validates the form; it returns the organisation or
// the messages per field.
func (s *Server) organisationFromForm(form *organisationForm, t Translator) (*survey.Organisation, formErrors) {
	form.Name = cleanText(form.Name)
	form.Headcount = strings.TrimSpace(form.Headcount)
	errs := s.validateForm(form, t, map[string]string{
		"Name.required": "org.error.name_required",
		"Name.max":      "org.error.name_long",
		"Sector":        "org.error.sector",
		"Headcount":     "org.error.headcount",
	})
	headcount := 0
	if form.Headcount != "" && errs.For("headcount") == "" {
		// "1.200" is twelve hundred, as Dutch writes it.
		n, err := parseDutchCount(form.Headcount)
		if err != nil || n > 99_999_999 {
			errs = append(errs, formError{Field: "headcount", Message: t.Get("org.error.headcount")})
		}
		headcount = n
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &survey.Organisation{Name: form.Name, Sector: survey.Sector(form.Sector), Headcount: headcount}, nil
}

func (s *Server) showOrganisation(c echo.Context) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	o, err := s.store.OrganisationForFirm(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	ds, err := s.store.ListDiagnostics(ctx, cons.FirmID, o.ID)
	if err != nil {
		return err
	}
	counts, err := s.store.ResponseCounts(ctx, cons.FirmID)
	if err != nil {
		return err
	}
	page := organisationPage{Organisation: *o}
	for _, d := range ds {
		page.Diagnostics = append(page.Diagnostics, diagnosticRowView{ID: d.ID, Name: d.Name, State: d.EffectiveState(s.now()), Period: periodText(&d, s.texts.For(requestLang(c))), Responses: counts[d.ID]})
	}
	return s.render(c, http.StatusOK, "organisation", o.Name, page, false)
}

func (s *Server) editOrganisation(c echo.Context) error {
	cons := consultantFrom(c)
	o, err := s.store.OrganisationForFirm(c.Request().Context(), cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	form := organisationForm{Name: o.Name, Sector: string(o.Sector)}
	if o.Headcount > 0 {
		form.Headcount = formatCount(o.Headcount, "nl")
	}
	page := organisationFormPage{Form: form, Sectors: survey.Sectors(), Action: "/organisaties/" + o.ID, Editing: true}
	return s.render(c, http.StatusOK, "organisation_form", t.Get("org.edit.title"), page, false)
}

func (s *Server) updateOrganisation(c echo.Context) error {
	cons := consultantFrom(c)
	ctx := c.Request().Context()
	existing, err := s.store.OrganisationForFirm(ctx, cons.FirmID, c.Param("id"))
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	var form organisationForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	o, errs := s.organisationFromForm(&form, t)
	if len(errs) > 0 {
		page := organisationFormPage{Form: form, Sectors: survey.Sectors(), Action: "/organisaties/" + existing.ID, Editing: true, Errors: errs}
		return s.render(c, http.StatusUnprocessableEntity, "organisation_form", t.Get("error.title_prefix")+" "+t.Get("org.edit.title"), page, true)
	}
	o.ID, o.FirmID = existing.ID, cons.FirmID
	if err := s.store.UpdateOrganisation(ctx, o); err != nil {
		return err
	}
	s.audit(c, "update", "organisation", o.ID, o.Name)
	s.setFlash(c, "org.flash.updated", o.Name)
	return c.Redirect(http.StatusSeeOther, "/organisaties/"+o.ID)
}
