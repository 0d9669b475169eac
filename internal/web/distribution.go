package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// codesForm asks for a batch of access codes.
type codesForm struct {
	Count string `form:"count" validate:"required,number,max=5"`
}

// maxCodesPerRequest keeps one download manageable; a ministry asks for
// several batches.
const maxCodesPerRequest = 20000

// createCodes issues a batch of single-use access codes and sends them as a
// CSV file for a mail merge. The codes exist in the clear only in this
// response: the database keeps their hashes.
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
	if s.validate.Struct(form) != nil || convErr != nil || n < 1 || n > maxCodesPerRequest {
		t := s.texts.For(requestLang(c))
		return s.renderDiagnostic(c, d, formErrors{{Field: "count", Message: t.Get("codes.error.count", maxCodesPerRequest)}}, http.StatusUnprocessableEntity)
	}
	codes, err := s.store.CreateAccessCodes(c.Request().Context(), d.ID, n)
	if err != nil {
		return err
	}
	s.audit(c, "create_codes", "diagnostic", d.ID, fmt.Sprintf("%d codes", n))
	link := s.absoluteURL(respondentPath(d, ""))
	var buf bytes.Buffer
	// A byte-order mark and semicolons: what Dutch spreadsheet software
	// opens correctly without an import wizard.
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write([]string{"code", "link"})
	for _, code := range codes {
		_ = w.Write([]string{survey.FormatAccessCode(code), link})
	}
	w.Flush()
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="toegangscodes.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
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
