package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// directorMailForm is what the consultant chooses for the directors' mail:
// on the page that sends it on demand and on the page that closes.
type directorMailForm struct {
	// Send mails the directors (the closing page's checkbox).
	Send      bool
	AttachPDF bool
	// NamesText lists the directors, for the closing page.
	NamesText string
}

func directorMailPath(id string) string { return "/diagnoses/" + id + "/directiemail" }

// directorLinkPlaceholder stands in the preview for the link that is made
// when the mail is queued: the token exists only then.
const directorLinkPlaceholder = "…/r/…"

// directorBatch composes the directors' mail of d, whose results must be
// closed and shown. It returns the batch to queue (each message built
// from its director's new link in the store's transaction), the previews,
// and a reason when nothing can be sent.
func (s *Server) directorBatch(ctx context.Context, d *survey.Diagnostic, settings *survey.MailSettings, cons *survey.Consultant, attach bool, t Translator) (survey.DiagnosticMail, []composedMail, string, error) {
	var batch survey.DiagnosticMail
	if len(settings.Directors) == 0 {
		return batch, nil, t.Get("dmail.director.no_directors"), nil
	}
	r, err := s.loadResults(ctx, d)
	if err != nil {
		return batch, nil, "", err
	}
	if !r.Availability.Available || r.Availability.Preview || r.Result == nil {
		// No figures and no working link: the directors would get a
		// page that says the results cannot be shown
		// (docs/methodology.md, mail sentences).
		return batch, nil, t.Get("dmail.director.unavailable"), nil
	}
	from, err := s.senderOf(ctx, d, cons)
	if err != nil {
		return batch, nil, "", err
	}
	langs := reportLanguages(d)
	pdfs := map[string][]byte{}
	expires := startOfDay(s.now(), s.location).AddDate(0, 0, defaultLinkDays+1)
	var previews []composedMail
	for _, rc := range settings.Directors {
		lang := rc.Lang
		if !slices.Contains(langs, lang) {
			lang = langs[0]
		}
		rt := s.texts.For(rc.Lang)
		head := directorHeadlineOf(r, rt)
		var att []survey.Attachment
		if attach {
			if pdfs[lang] == nil {
				if pdfs[lang], err = s.renderReport(ctx, r, lang, reportPDF); err != nil {
					return batch, nil, "", err
				}
			}
			att = []survey.Attachment{{Name: reportFileName(d, lang, reportPDF), ContentType: "application/pdf", Content: pdfs[lang]}}
		}
		preview, err := s.directorMail(d, from, rc, head, s.absoluteURL(directorLinkPlaceholder), expires, attach)
		if err != nil {
			return batch, nil, "", err
		}
		preview.Attachments = att
		previews = append(previews, preview)
		batch.Links = append(batch.Links, survey.DirectorLinkMail{
			Link: survey.DirectorLink{DiagnosticID: d.ID, Lang: lang, Label: rc.Name, ExpiresAt: expires},
			Build: func(token string) (*survey.OutgoingMessage, error) {
				m, err := s.directorMail(d, from, rc, head, s.absoluteURL(directorPath(token)), expires, attach)
				if err != nil {
					return nil, err
				}
				m.Attachments = att
				return m.message(survey.MessageDirectorReport), nil
			},
		})
	}
	return batch, previews, "", nil
}

// directorHeadlineOf gives the three headline figures of the directors'
// mail from the released result (docs/methodology.md, mail sentences): the
// index with its band when the index is shown, the response sentence of
// the directors' page, and the first priority when there is one.
func directorHeadlineOf(r *results, t Translator) directorHeadline {
	d, res := r.Diagnostic, r.Result
	v := resultsViewer{t: t, f: numbersFor(t.Lang()), q: &d.Questionnaire, d: d, min: minGroup(d)}
	var h directorHeadline
	if idx := v.score(res.Index); idx.Shown {
		h.Index = t.Get("dmail.director.index", idx.Mean, idx.BandWord)
	}
	h.Response = directorResponseText(max(res.Responses, res.N), reportHeadcount(d), t)
	if len(res.Priorities) > 0 {
		h.Priority = t.Get("dmail.director.priority", v.measureName(res.Priorities[0].Factor))
	}
	return h
}

// auditLinks records the director links a queued mail made, as the
// workspace records a link it makes: the directors' page names the
// consultant who made it as the contact.
func (s *Server) auditLinks(c echo.Context, d *survey.Diagnostic, batch survey.DiagnosticMail) {
	for _, l := range batch.Links {
		s.audit(c, actionShare, targetDirectorLink, l.Link.ID, fmt.Sprintf("%s: %s, %s (mail)", d.Name, l.Link.Label, l.Link.Lang))
	}
}

// showDirectorMail previews the directors' mail, sent on demand.
func (s *Server) showDirectorMail(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	form := &directorMailForm{AttachPDF: settings.AttachPDF}
	if c.QueryParam("bijlage") != "" {
		form.AttachPDF = c.QueryParam("bijlage") == "1"
	}
	return s.renderDirectorMail(c, d, settings, form, http.StatusOK)
}

func (s *Server) renderDirectorMail(c echo.Context, d *survey.Diagnostic, settings *survey.MailSettings, form *directorMailForm, status int) error {
	t := s.texts.For(requestLang(c))
	_, previews, blocked, err := s.directorBatch(c.Request().Context(), d, settings, consultantFrom(c), form.AttachPDF, t)
	if err != nil {
		return err
	}
	page := invitationPage{
		Diagnostic: *d, Previews: previewsOf(previews, directorMailPath(d.ID)+"/html/"),
		Heading: t.Get("dmail.director.page_heading"), Intro: t.Get("dmail.director.page_intro"),
		Directors: form, Blocked: blocked,
	}
	if blocked == "" {
		page.Action = directorMailPath(d.ID)
	}
	return s.render(c, status, "diagnostic_mail", t.Get("dmail.director.page_title", d.Name), page, false)
}

// sendDirectorMail queues the directors' mail on demand: a new link for
// every director.
func (s *Server) sendDirectorMail(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t := s.texts.For(requestLang(c))
	attach := c.FormValue("attach_pdf") != ""
	batch, _, blocked, err := s.directorBatch(ctx, d, settings, consultantFrom(c), attach, t)
	if err != nil {
		return err
	}
	if blocked != "" {
		return survey.Errorf(survey.CodeConflict, "%s", blocked)
	}
	if _, err := s.mailStore().QueueDiagnosticMail(ctx, d.Organisation.FirmID, d.ID, batch); err != nil {
		return err
	}
	s.queued()
	s.auditLinks(c, d, batch)
	s.setFlash(c, "dmail.flash.directors", strconv.Itoa(len(batch.Links)))
	return c.Redirect(http.StatusSeeOther, "/diagnoses/"+d.ID+"#berichten")
}

// directorMailHTML serves the HTML part of one previewed directors' mail.
func (s *Server) directorMailHTML(c echo.Context) error {
	d, settings, err := s.mailOf(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(settings.Directors) {
		return echo.ErrNotFound
	}
	one := *settings
	one.Directors = settings.Directors[n-1 : n]
	_, previews, blocked, err := s.directorBatch(c.Request().Context(), d, &one, consultantFrom(c), false, s.texts.For(requestLang(c)))
	if err != nil {
		return err
	}
	if blocked != "" {
		return echo.ErrNotFound
	}
	return serveMailHTML(c, previews[0])
}

// closeWithDirectorMail closes d and, when the consultant left the box
// ticked and the results can be shown, queues the directors' mail in the
// same transaction. It reports how many directors were mailed and, when
// none could be, why.
//
// The closing page asks (its boxes); the API mails the named directors,
// with the PDF as the diagnostic's setting says, as the page's default.
func (s *Server) closeWithDirectorMail(c echo.Context, d *survey.Diagnostic, fromForm bool) (int, string, error) {
	ms := s.mailStore()
	ctx := c.Request().Context()
	if ms == nil || (fromForm && c.FormValue("mail_directors") == "") {
		return 0, "", s.store.SetDiagnosticState(ctx, d.ID, survey.StateClosed)
	}
	settings, err := ms.MailSettings(ctx, d.ID)
	if err != nil {
		return 0, "", err
	}
	if len(settings.Directors) == 0 {
		return 0, "", s.store.SetDiagnosticState(ctx, d.ID, survey.StateClosed)
	}
	attach := settings.AttachPDF
	if fromForm {
		attach = c.FormValue("attach_pdf") != ""
	}
	// The results as they are once closed: computing them now records
	// the final release that the directors' links will show.
	closed := *d
	now := s.now()
	closed.State, closed.ClosedAt = survey.StateClosed, &now
	t := s.texts.For(requestLang(c))
	batch, _, blocked, err := s.directorBatch(ctx, &closed, settings, consultantFrom(c), attach, t)
	if err != nil {
		return 0, "", err
	}
	if err := ms.CloseDiagnosticWithMail(ctx, d.Organisation.FirmID, d.ID, batch); err != nil {
		return 0, "", err
	}
	if !batch.Empty() {
		s.queued()
	}
	s.auditLinks(c, d, batch)
	return len(batch.Links), blocked, nil
}

// closingMailForm is the directors' part of the closing page.
func (s *Server) closingMailForm(ctx context.Context, d *survey.Diagnostic) (*directorMailForm, error) {
	ms := s.mailStore()
	if ms == nil {
		return nil, nil
	}
	settings, err := ms.MailSettings(ctx, d.ID)
	if err != nil || len(settings.Directors) == 0 {
		return nil, err
	}
	f := &directorMailForm{Send: true, AttachPDF: settings.AttachPDF}
	names := make([]string, len(settings.Directors))
	for i, r := range settings.Directors {
		names[i] = r.Name
	}
	f.NamesText = strings.Join(names, ", ")
	return f, nil
}
