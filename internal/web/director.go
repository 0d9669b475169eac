package web

import (
	"context"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// directorStepsPerPriority is how many of the advice's steps the directors'
// page lists under each priority; the report has them all.
const directorStepsPerPriority = 3

// addDirectorContext adds to the directors' page what a director reading it
// alone needs: how many took part, who made the report and whom to ask, the
// first steps per priority, and how to read a score. Everything comes from
// the released result r (results.go release()), as the report does.
func (s *Server) addDirectorContext(ctx context.Context, p *directorPage, r *results, link *survey.DirectorLink, t Translator) error {
	d, res := r.Diagnostic, r.Result
	p.ScoreHint = t.Get("reports.director.score_hint")
	p.ResponseRate = directorResponseText(max(res.Responses, res.N), reportHeadcount(d), t)

	firm := ""
	if f, err := s.accounts.FirmByID(ctx, d.Organisation.FirmID); err == nil {
		firm = f.Name
	} else if survey.ErrorCode(err) != survey.CodeNotFound {
		return err
	}
	// The firm's own look names the firm as it wants to be named, adds its
	// contact line, and gives the page its logo and colour.
	look, err := s.brands.look(ctx, link.FirmID)
	if err != nil {
		return err
	}
	if look.Name != "" {
		firm = look.Name
	}
	p.FirmContact = look.Contact
	p.look = look
	contact, err := s.directorLinkContact(ctx, link)
	if err != nil {
		return err
	}
	switch {
	case firm != "" && contact != "":
		p.MadeBy = t.Get("reports.director.made_by_contact", firm)
		p.Contact = contact
	case firm != "":
		p.MadeBy = t.Get("reports.director.made_by", firm)
	}

	sel := report.SelectAdvice(res, &d.Questionnaire, s.advice, t.Lang())
	steps := map[string][]string{}
	for _, fa := range sel.Factors {
		for _, st := range fa.Steps {
			if len(steps[fa.Factor]) == directorStepsPerPriority {
				break
			}
			steps[fa.Factor] = append(steps[fa.Factor], st.Text)
		}
	}
	for i := range p.Priorities {
		p.Priorities[i].Steps = steps[p.Priorities[i].FactorID]
	}
	return nil
}

// directorLinkContact is the e-mail address of the consultant who made the
// link, read from the audit log that records it, while that consultant is
// still an active member of the firm; "" otherwise.
func (s *Server) directorLinkContact(ctx context.Context, link *survey.DirectorLink) (string, error) {
	e, err := s.accounts.FirstAudit(ctx, link.FirmID, actionShare, targetDirectorLink, link.ID)
	if survey.ErrorCode(err) == survey.CodeNotFound || err == nil && e.ConsultantID == "" {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	cons, err := s.accounts.ConsultantByID(ctx, link.FirmID, e.ConsultantID)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if cons.Disabled {
		return "", nil
	}
	return cons.Email, nil
}

// directorResponseText is the response sentence of the directors' page
// (methodology §14.3): the rate with its counts, only the count when the
// headcount is unknown or below it.
func directorResponseText(n, headcount int, t Translator) string {
	if headcount <= 0 || n > headcount {
		return t.Get("reports.director.response_count", t.Number(n))
	}
	return t.Get("reports.director.response_rate", responseRate(n, headcount), t.Number(n), t.Number(headcount))
}
