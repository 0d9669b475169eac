package web

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// codesForm asks for a batch of access codes. Format is codesCSV (the
// default), codesPDF or codesZIP.
type codesForm struct {
	Count  string `form:"count"`
	Format string `form:"format"`
}

// maxCodesPerRequest keeps one download manageable; a ministry asks for
// several batches.
const maxCodesPerRequest = 20000

// A batch of codes is made in two requests, Post/Redirect/Get: the post
// stores the hashes of a batch derived from a random seed and seals the
// seed in a cookie of the consultant's browser (codesBatchTTL, this
// diagnostic's pages only); the page it redirects to shows the new
// count and starts the download, which derives the same codes again. The
// codes in the clear still exist only in the download and for a few
// minutes in that sealed cookie; a reload neither repeats the post nor
// issues more codes.
const (
	codesBatchCookie = "uk_codes"
	codesBatchTTL    = 15 * time.Minute
)

// codesBatch is what the cookie holds.
type codesBatch struct {
	Seed       []byte `json:"s"`
	Count      int    `json:"n"`
	Format     string `json:"f"`
	At         int64  `json:"t"`
	Downloaded bool   `json:"d,omitempty"`
}

func codesBatchAD(sessionID, diagnosticID string) []byte {
	return []byte("uk-codes-v1\x00" + sessionID + "\x00" + diagnosticID)
}

func codesPath(d *survey.Diagnostic) string { return "/diagnoses/" + d.ID + "/codes" }

// deriveCodes expands seed into n distinct access codes: HMAC-SHA256 in
// counter mode, one byte per character with rejection sampling, as
// newCode in the store does with random bytes.
func deriveCodes(seed []byte, n int) []string {
	alphabet := survey.AccessCodeAlphabet
	limit := 256 - 256%len(alphabet)
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	var block []byte
	var counter uint64
	next := func() byte {
		for len(block) == 0 {
			m := hmac.New(sha256.New, seed)
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], counter)
			counter++
			m.Write(ctr[:])
			block = m.Sum(nil)
		}
		b := block[0]
		block = block[1:]
		return b
	}
	code := make([]byte, survey.AccessCodeLength)
	for len(codes) < n {
		for i := range code {
			b := next()
			for int(b) >= limit {
				b = next()
			}
			code[i] = alphabet[int(b)%len(alphabet)]
		}
		if c := string(code); !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes
}

// showCodes answers a reload or a bookmark of the address the form posts
// to: the codes live on the diagnostic's page.
func (s *Server) showCodes(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#codes")
}

// pendingCodes returns the batch made a moment ago in this browser, if any,
// and starts its download once: the Refresh header works without scripts,
// and the page keeps a download link for when it does not.
func (s *Server) pendingCodes(c echo.Context, d *survey.Diagnostic) *codesBatch {
	b := s.codesBatchOf(c, d)
	if b != nil && !b.Downloaded {
		c.Response().Header().Set("Refresh", "0; url="+codesPath(d)+"/bestand")
	}
	return b
}

// createCodes issues a batch of single-use access codes; the page it
// redirects to hands them out as a CSV file for a mail merge, a PDF sheet
// of cards to print, or a ZIP with both.
func (s *Server) createCodes(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	var form codesForm
	if err := c.Bind(&form); err != nil {
		return survey.Errorf(survey.CodeInvalid, "unreadable form")
	}
	form.Count = strings.TrimSpace(form.Count)
	n, convErr := parseDutchCount(form.Count)
	form.Format = cmp.Or(form.Format, codesCSV)
	t := s.texts.For(requestLang(c))
	var errs formErrors
	if convErr != nil || n < 1 || n > maxCodesPerRequest {
		errs = append(errs, formError{Field: "count", Message: t.Get("codes.error.count_form", t.Number(maxCodesPerRequest))})
	}
	if !slices.Contains([]string{codesCSV, codesPDF, codesZIP}, form.Format) {
		errs = append(errs, formError{Field: "format", Message: t.Get("codes.error.format")})
	}
	if d.Access != survey.AccessCodes {
		return survey.Errorf(survey.CodeInvalid, "this diagnostic does not use access codes")
	}
	if len(errs) > 0 {
		return s.renderDiagnosticWith(c, d, errs, http.StatusUnprocessableEntity, func(p *diagnosticPage) { p.CodesForm = form })
	}
	seed := make([]byte, 32)
	_, _ = rand.Read(seed)
	if err := s.store.IssueAccessCodes(c.Request().Context(), d.ID, deriveCodes(seed, n)); err != nil {
		return err
	}
	s.audit(c, "create_codes", "diagnostic", d.ID, fmt.Sprintf("%d codes", n))
	if err := s.setCodesBatch(c, d, &codesBatch{Seed: seed, Count: n, Format: form.Format, At: s.now().Unix()}); err != nil {
		return err
	}
	s.setFlash(c, "codes.flash.created", t.Number(n))
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#codes")
}

// downloadCodes sends the batch made a moment ago in this browser. Without
// one (expired, another browser) it returns to the codes page, which says
// how to make a new batch.
func (s *Server) downloadCodes(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	b := s.codesBatchOf(c, d)
	if b == nil {
		s.setFlash(c, "codes.flash.expired")
		return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#codes")
	}
	file, err := s.codesDownload(c.Request().Context(), d, deriveCodes(b.Seed, b.Count), b.Format)
	if err != nil {
		return err
	}
	if !b.Downloaded {
		b.Downloaded = true
		if err := s.setCodesBatch(c, d, b); err != nil {
			return err
		}
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+file.name+`"`)
	return c.Blob(http.StatusOK, file.contentType, file.data)
}

func (s *Server) setCodesBatch(c echo.Context, d *survey.Diagnostic, b *codesBatch) error {
	sessionID, _ := c.Get(ctxSessionID).(string)
	plain, err := json.Marshal(b)
	if err != nil {
		return err
	}
	value, err := s.sealBytes(c.Request().Context(), codesBatchAD(sessionID, d.ID), plain)
	if err != nil {
		return err
	}
	left := time.Unix(b.At, 0).Add(codesBatchTTL).Sub(s.now())
	c.SetCookie(&http.Cookie{
		Name: codesBatchCookie, Value: value, Path: "/diagnoses/" + d.ID, MaxAge: max(1, int(left/time.Second)),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// codesBatchOf opens this browser's batch for d, or returns nil.
func (s *Server) codesBatchOf(c echo.Context, d *survey.Diagnostic) *codesBatch {
	ck, err := c.Cookie(codesBatchCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	sessionID, _ := c.Get(ctxSessionID).(string)
	plain, err := s.openBytes(c.Request().Context(), codesBatchAD(sessionID, d.ID), ck.Value)
	if err != nil {
		return nil
	}
	var b codesBatch
	if json.Unmarshal(plain, &b) != nil || len(b.Seed) != 32 || b.Count < 1 || b.Count > maxCodesPerRequest ||
		!slices.Contains([]string{codesCSV, codesPDF, codesZIP}, b.Format) {
		return nil
	}
	if age := s.now().Sub(time.Unix(b.At, 0)); age < -time.Minute || age > codesBatchTTL {
		return nil
	}
	return &b
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
