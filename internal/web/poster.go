package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// QR image sizes in pixels: about 270 dpi on the poster's 112 mm and on a
// card's 30 mm, whole pixels per module either way.
const (
	posterQRPixels = 1200
	cardQRPixels   = 330
)

// The formats in which new access codes are downloaded.
const (
	codesCSV = "csv"
	codesPDF = "pdf"
	codesZIP = "zip"
)

// posterPDF serves an A4 poster with the QR code and the link, for staff
// who do not sit at a desk and never see the e-mail invitation.
func (s *Server) posterPDF(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	pdf, err := s.posterOf(c.Request().Context(), d)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+posterFileName+`"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// posterFileName is the poster's name as a download and as an attachment.
const posterFileName = "poster-vragenlijst.pdf"

// posterOf renders the poster of d; the invitation mail attaches it too.
func (s *Server) posterOf(ctx context.Context, d *survey.Diagnostic) ([]byte, error) {
	link := s.absoluteURL(respondentPath(d, ""))
	qr, err := qrPNG(link, posterQRPixels)
	if err != nil {
		return nil, err
	}
	look, err := s.brands.full(ctx, d.Organisation.FirmID)
	if err != nil {
		return nil, err
	}
	p := report.Poster{
		Branding:     look,
		Organisation: d.Organisation.Name,
		Link:         link,
		QR:           qr,
		Minutes:      d.Questionnaire.MinutesToComplete,
		English:      slices.Contains(d.Languages, "en"),
		NeedsCode:    d.Access == survey.AccessCodes,
		GeneratedOn:  s.now(),
	}
	if d.ClosesAt != nil {
		p.ClosesOn = lastDay(*d.ClosesAt, s.location)
	}
	return report.PosterPDF(p)
}

// lastDay is the last calendar day on which respondents can answer: a
// diagnostic closes at the start of the day after it.
func lastDay(closesAt time.Time, loc *time.Location) time.Time {
	return closesAt.In(loc).AddDate(0, 0, -1)
}

// codesFile is a download of new access codes.
type codesFile struct {
	name, contentType string
	data              []byte
}

// codesDownload builds the download of a new batch of codes in the chosen
// format. The database keeps only the codes' hashes, so this is the one
// chance to hand them out: both files of the ZIP come from the same batch.
func (s *Server) codesDownload(ctx context.Context, d *survey.Diagnostic, codes []string, format string) (codesFile, error) {
	link := s.absoluteURL(respondentPath(d, ""))
	switch format {
	case codesPDF:
		pdf, err := s.codeSheet(ctx, d, link, codes)
		return codesFile{"toegangscodes.pdf", "application/pdf", pdf}, err
	case codesZIP:
		pdf, err := s.codeSheet(ctx, d, link, codes)
		if err != nil {
			return codesFile{}, err
		}
		data, err := zipFiles(s.now(), codesFile{name: "toegangscodes.csv", data: codesCSVData(link, codes)}, codesFile{name: "toegangscodes.pdf", data: pdf})
		return codesFile{"toegangscodes.zip", "application/zip", data}, err
	}
	return codesFile{"toegangscodes.csv", "text/csv; charset=utf-8", codesCSVData(link, codes)}, nil
}

// codesCSVData is the CSV for a mail merge: one code and the link per row.
func codesCSVData(link string, codes []string) []byte {
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
	return buf.Bytes()
}

// codeSheet renders the codes as printable cards with the link's QR code.
func (s *Server) codeSheet(ctx context.Context, d *survey.Diagnostic, link string, codes []string) ([]byte, error) {
	qr, err := qrPNG(link, cardQRPixels)
	if err != nil {
		return nil, err
	}
	look, err := s.brands.full(ctx, d.Organisation.FirmID)
	if err != nil {
		return nil, err
	}
	return report.CodeSheetPDF(report.CodeSheet{
		Branding:     look,
		Organisation: d.Organisation.Name,
		Link:         link,
		QR:           qr,
		Codes:        codes,
		English:      slices.Contains(d.Languages, "en"),
		GeneratedOn:  s.now(),
	})
}

func zipFiles(modified time.Time, files ...codesFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
