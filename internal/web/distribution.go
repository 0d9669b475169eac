package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// codesForm asks for a batch of access codes. Format is codesCSV (the
// default), codesPDF or codesZIP.
type codesForm struct {
	Count  string `form:"count" validate:"required,number,max=5"`
	Format string `form:"format"`
}

// maxCodesPerRequest keeps one download manageable; a ministry asks for
// several batches.
const maxCodesPerRequest = 20000

// createCodes issues a batch of single-use access codes and sends them as a
// CSV file for a mail merge, a PDF sheet of cards to print, or a ZIP with
// both. The codes exist in the clear only in this response: the database
// keeps their hashes.
func (s *Server) createCodes(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var form codesForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	n, convErr := strconv.Atoi(strings.TrimSpace(form.Count))
	format := cmp.Or(form.Format, codesCSV)
	t := s.texts.For(requestLang(c))
	var errs formErrors
	if s.validate.Struct(form) != nil || convErr != nil || n < 1 || n > maxCodesPerRequest {
		errs = append(errs, formError{Field: "count", Message: t.Get("codes.error.count", maxCodesPerRequest)})
	}
	if !slices.Contains([]string{codesCSV, codesPDF, codesZIP}, format) {
		errs = append(errs, formError{Field: "format", Message: t.Get("codes.error.format")})
	}
	if len(errs) > 0 {
		return s.renderDiagnostic(c, d, errs, http.StatusUnprocessableEntity)
	}
	codes, err := s.store.CreateAccessCodes(c.Request().Context(), d.ID, n)
	if err != nil {
		return err
	}
	s.audit(c, "create_codes", "diagnostic", d.ID, fmt.Sprintf("%d codes", n))
	file, err := s.codesDownload(d, codes, format)
	if err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+file.name+`"`)
	return c.Blob(http.StatusOK, file.contentType, file.data)
}

// qrCodePNG serves the QR code of the respondent link as a PNG for
// newsletters and slides.
func (s *Server) qrCodePNG(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	data, err := qrPNG(s.absoluteURL(respondentPath(d, "")), 600)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="qr-vragenlijst.png"`)
	return c.Blob(http.StatusOK, "image/png", data)
}

// qrCodeSVG serves the same QR code as SVG, which prints sharp at any size.
func (s *Server) qrCodeSVG(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	data, err := qrSVG(s.absoluteURL(respondentPath(d, "")), t.Get("qr.alt", d.Organisation.Name))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="qr-vragenlijst.svg"`)
	return c.Blob(http.StatusOK, "image/svg+xml", data)
}
