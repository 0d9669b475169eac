package web

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The privacy notice of a diagnostic: what is collected and what is not,
// the anonymity rules, who sees what, retention and the roles of the
// organisation (controller) and the consultancy (processor), for the
// respondents, the works council and the DPIA. It is built from the
// diagnostic's own settings by one pure function (privacyNotice) and shown
// as a page (templates/html/privacy.html) or downloaded as Markdown
// (templates/privacy/notice.md.tmpl), so the two always say the same.
// docs/privacy.md describes the guarantees behind each sentence.

const (
	// DefaultRetentionMonths is how long answers are kept after a
	// diagnostic closes when the deployment does not say otherwise.
	DefaultRetentionMonths = 24
	// MaxRetentionMonths bounds the retention period a deployment may set.
	MaxRetentionMonths  = 120
	privacyMarkdownFile = "templates/privacy/notice.md.tmpl"
)

// privacyFacts is what the notice needs to know beyond the diagnostic.
type privacyFacts struct {
	// Firm is the name of the consultancy that runs the service, the
	// processor; empty when the organisation belongs to no firm.
	Firm string
	// RetentionMonths is how long answers are kept after closing.
	RetentionMonths int
	// Secure is set when the service is reached over https.
	Secure bool
	// Today is the day the notice is drawn up.
	Today time.Time
}

// privacyData is the notice, in one language, as text ready to show: the
// HTML page and the Markdown file render exactly these strings.
type privacyData struct {
	Lang      string
	Heading   string
	Caption   string
	Intro     []string
	Sections  []privacySection
	Generated string
}

// privacySection is one headed part of the notice: paragraphs, a list,
// paragraphs.
type privacySection struct {
	ID      string
	Heading string
	Before  []string
	Items   []privacyItem
	After   []string
}

// privacyItem is one entry of a section's list, with an optional list of
// its own (the units of the unit question).
type privacyItem struct {
	Text string
	Sub  []string
}

// privacyNotice builds the notice of d from its settings. It reads d and
// changes nothing, so it may be given a cached diagnostic.
func privacyNotice(d *survey.Diagnostic, f privacyFacts, t Translator) privacyData {
	lang := t.Lang()
	q := &d.Questionnaire
	org := d.Organisation.Name
	firm := f.Firm
	if firm == "" {
		firm = t.Get("privacy.firm_unknown")
	}
	minSize := d.MinGroupSize
	if minSize <= 0 {
		minSize = survey.DefaultMinGroupSize
	}
	months := f.RetentionMonths
	if months <= 0 {
		months = DefaultRetentionMonths
	}

	out := privacyData{
		Lang:    lang,
		Heading: t.Get("privacy.heading"),
		Caption: org + " · " + d.Name,
		Intro: []string{
			t.Get("privacy.intro", d.Name, org),
			t.Get("privacy.audience"),
		},
		Generated: t.Get("privacy.generated", formatDate(f.Today, t), months),
	}

	// Who is responsible.
	roles := privacySection{ID: "rollen", Heading: t.Get("privacy.roles.heading")}
	roles.Items = append(roles.Items, privacyItem{Text: t.Get("privacy.roles.controller", org)})
	if f.Firm != "" {
		roles.Items = append(roles.Items, privacyItem{Text: t.Get("privacy.roles.processor", f.Firm, org)})
	} else {
		roles.Items = append(roles.Items, privacyItem{Text: t.Get("privacy.roles.processor_unknown", org, org)})
	}
	roles.After = []string{t.Get("privacy.roles.agreement")}

	// The purpose.
	var factors []string
	for _, fc := range q.Factors {
		factors = append(factors, fc.Name.In(lang))
	}
	purpose := privacySection{ID: "doel", Heading: t.Get("privacy.purpose.heading"), Before: []string{
		t.Get("privacy.purpose.text", org, len(q.Factors), strings.Join(factors, ", ")),
		t.Get("privacy.purpose.not"),
	}}

	// What is collected: the questionnaire's sections as this diagnostic
	// asks them.
	collected := privacySection{ID: "verzameld", Heading: t.Get("privacy.collected.heading"), Before: []string{t.Get("privacy.collected.intro")}}
	collected.Items = append(collected.Items, privacyItem{Text: t.Get("privacy.collected.items",
		len(q.AllItems()), q.Scale.Min, scaleLabel(q, q.Scale.Min, lang), q.Scale.Max, scaleLabel(q, q.Scale.Max, lang), q.Scale.DontKnow.In(lang))})
	for _, b := range q.Background {
		text := b.Text.In(lang)
		if !b.Required {
			text += " " + t.Get("privacy.optional")
		}
		if b.Kind == survey.BackgroundUnit {
			item := privacyItem{Text: t.Get("privacy.collected.units", text)}
			for _, u := range d.Units {
				item.Sub = append(item.Sub, u.Name)
			}
			if len(item.Sub) == 0 {
				item.Text = t.Get("privacy.collected.units_none", text)
			}
			collected.Items = append(collected.Items, item)
			continue
		}
		var options []string
		for _, o := range b.Options {
			options = append(options, o.Label.In(lang))
		}
		collected.Items = append(collected.Items, privacyItem{Text: t.Get("privacy.collected.background", text, strings.Join(options, ", "))})
	}
	for _, o := range q.Open {
		collected.Items = append(collected.Items, privacyItem{Text: t.Get("privacy.collected.open", o.Text.In(lang), o.MaxLength)})
	}
	collected.Items = append(collected.Items,
		privacyItem{Text: t.Get("privacy.collected.date")},
		privacyItem{Text: t.Get("privacy.collected.id")},
	)
	if len(q.Open) > 0 {
		collected.After = []string{t.Get("privacy.collected.open_warning")}
	}

	// What is not collected.
	notCollected := privacySection{ID: "niet-verzameld", Heading: t.Get("privacy.notcollected.heading"), Before: []string{t.Get("privacy.notcollected.intro")}, Items: []privacyItem{
		{Text: t.Get("privacy.notcollected.identity")},
		{Text: t.Get("privacy.notcollected.technical")},
		{Text: t.Get("privacy.notcollected.time")},
	}}
	if d.Access == survey.AccessCodes {
		notCollected.Items = append(notCollected.Items, privacyItem{Text: t.Get("privacy.notcollected.code")})
		notCollected.After = []string{t.Get("privacy.access_mode.codes")}
	} else {
		notCollected.After = []string{t.Get("privacy.access_mode.link")}
	}
	notCollected.Items = append(notCollected.Items, privacyItem{Text: t.Get("privacy.notcollected.cookies")})

	// Cookies and the progress kept in them.
	cookies := privacySection{ID: "cookies", Heading: t.Get("privacy.cookies.heading"),
		Before: []string{t.Get("privacy.cookies.intro")},
		Items: []privacyItem{
			{Text: t.Get("privacy.cookies.state")},
			{Text: t.Get("privacy.cookies.csrf")},
			{Text: t.Get("privacy.cookies.lang")},
		},
		After: []string{t.Get("privacy.cookies.progress", StateExpiryDays)},
	}

	// The anonymity rules, with this diagnostic's numbers.
	anonymity := privacySection{ID: "anonimiteit", Heading: t.Get("privacy.anonymity.heading"),
		Before: []string{t.Get("privacy.anonymity.intro")},
		Items: []privacyItem{
			{Text: t.Get("privacy.anonymity.min", minSize, minSize)},
			{Text: t.Get("privacy.anonymity.complementary")},
		},
		After: []string{t.Get("privacy.anonymity.residual", minSize)},
	}
	if len(q.Open) > 0 {
		anonymity.Items = append(anonymity.Items, privacyItem{Text: t.Get("privacy.anonymity.open", scoring.DefaultOpenThreshold)})
	}
	anonymity.Items = append(anonymity.Items,
		privacyItem{Text: t.Get("privacy.anonymity.preview", 2*minSize, minSize)},
		privacyItem{Text: t.Get("privacy.anonymity.releases", minSize-1)},
		privacyItem{Text: t.Get("privacy.anonymity.audit", minSize-1)},
		privacyItem{Text: t.Get("privacy.anonymity.progress", minSize)},
		privacyItem{Text: t.Get("privacy.anonymity.export")},
	)

	// Who sees what.
	access := privacySection{ID: "toegang", Heading: t.Get("privacy.access.heading"), Items: []privacyItem{
		{Text: t.Get("privacy.access.consultants", firm)},
		{Text: t.Get("privacy.access.directors", org, defaultLinkDays)},
		{Text: t.Get("privacy.access.organisation", org)},
		{Text: t.Get("privacy.access.admins", firm)},
		{Text: t.Get("privacy.access.benchmark", org, scoring.MinBenchmarkOthers, scoring.MinBenchmarkFirms)},
		{Text: t.Get("privacy.access.pooling", scoring.PoolingThreshold)},
	}}

	// Retention, with the concrete date where the diagnostic has one.
	retention := privacySection{ID: "bewaartermijn", Heading: t.Get("privacy.retention.heading"), Items: []privacyItem{
		{Text: t.Get("privacy.retention.answers", months)},
	}}
	switch {
	case d.State == survey.StateClosed && d.ClosedAt != nil:
		// Closed by hand: purge counts from that moment.
		closed, deleted := formatDate(d.ClosedAt.In(f.Today.Location()), t), formatDate(d.ClosedAt.In(f.Today.Location()).AddDate(0, months, 0), t)
		retention.Items = append(retention.Items, privacyItem{Text: t.Get("privacy.retention.closed_on", closed, deleted)})
	case d.ClosesAt != nil && d.State != survey.StateClosed:
		// ClosesAt is the first moment the diagnostic is closed; the
		// last day to answer is the day before. purge deletes once
		// that moment lies longer ago than the retention period.
		last, deleted := formatDate(d.ClosesAt.AddDate(0, 0, -1), t), formatDate(d.ClosesAt.AddDate(0, months, 0), t)
		if d.ClosesAt.After(f.Today) {
			retention.Items = append(retention.Items, privacyItem{Text: t.Get("privacy.retention.date", last, deleted)})
		} else {
			retention.Items = append(retention.Items, privacyItem{Text: t.Get("privacy.retention.date_past", last, deleted)})
		}
	case d.State == survey.StateClosed:
		retention.Items = append(retention.Items, privacyItem{Text: t.Get("privacy.retention.closed", months)})
	default:
		retention.Items = append(retention.Items, privacyItem{Text: t.Get("privacy.retention.no_date", months)})
	}
	retention.Items = append(retention.Items,
		privacyItem{Text: t.Get("privacy.retention.kept")},
		privacyItem{Text: t.Get("privacy.retention.backups")},
	)

	// Where the data are.
	storage := privacySection{ID: "opslag", Heading: t.Get("privacy.storage.heading"), Items: []privacyItem{
		{Text: t.Get("privacy.storage.database", firm)},
	}}
	if f.Secure {
		storage.Items = append(storage.Items, privacyItem{Text: t.Get("privacy.storage.https")})
	} else {
		storage.Items = append(storage.Items, privacyItem{Text: t.Get("privacy.storage.http")})
	}
	storage.Items = append(storage.Items,
		privacyItem{Text: t.Get("privacy.storage.logs")},
		privacyItem{Text: t.Get("privacy.storage.ratelimit")},
	)
	storage.After = []string{t.Get("privacy.storage.hosting", firm)}

	// Rights and contact.
	rights := privacySection{ID: "rechten", Heading: t.Get("privacy.rights.heading"), Before: []string{
		t.Get("privacy.rights.anonymous"),
		t.Get("privacy.rights.before"),
		t.Get("privacy.rights.general", org),
	}}
	contact := privacySection{ID: "contact", Heading: t.Get("privacy.contact.heading"), Before: []string{
		t.Get("privacy.contact.text", org, firm),
	}}

	out.Sections = []privacySection{roles, purpose, collected, notCollected, cookies, anonymity, access, retention, storage, rights, contact}
	return out
}

// scaleLabel is the label of a scale value, or the number when it has none.
func scaleLabel(q *survey.Questionnaire, value int, lang string) string {
	for _, p := range q.Scale.Points {
		if p.Value == value {
			if l := p.Label.In(lang); l != "" {
				return l
			}
		}
	}
	return fmt.Sprint(value)
}

// privacyPage is the data of the privacy page: the notice and the links
// around it.
type privacyPage struct {
	Notice    privacyData
	BackURL   string
	BackLabel string
	// MarkdownURL is the download of the same notice; workspace only.
	MarkdownURL string
}

// privacyFactsFor collects the facts of d's notice: the firm's name, the
// deployment's retention period and scheme, today.
func (s *Server) privacyFactsFor(ctx context.Context, d *survey.Diagnostic) (privacyFacts, error) {
	f := privacyFacts{RetentionMonths: s.cfg.RetentionMonths, Secure: s.secure, Today: s.now()}
	if d.Organisation.FirmID == "" {
		return f, nil
	}
	firm, err := s.accounts.FirmByID(ctx, d.Organisation.FirmID)
	switch survey.ErrorCode(err) {
	case "":
		f.Firm = firm.Name
	case survey.CodeNotFound:
	default:
		return f, err
	}
	return f, nil
}

// respondentPrivacy shows the notice to anyone with the respondent link,
// whatever the diagnostic's state: people read it before, while and after
// the questionnaire runs.
func (s *Server) respondentPrivacy(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.diagnostics.byToken(ctx, s.store.DiagnosticByToken, c.Param("token"), s.now())
	if err != nil {
		return err
	}
	facts, err := s.privacyFactsFor(ctx, d)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := privacyPage{
		Notice:    privacyNotice(d, facts, t),
		BackURL:   respondentPath(d, ""),
		BackLabel: t.Get("privacy.back"),
	}
	return s.render(c, http.StatusOK, "privacy", t.Get("privacy.title", d.Organisation.Name), page, false)
}

// workspacePrivacy shows the notice of one of the firm's diagnostics, with
// the Markdown download for the works council and the DPIA.
func (s *Server) workspacePrivacy(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	facts, err := s.privacyFactsFor(c.Request().Context(), d)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	page := privacyPage{
		Notice:      privacyNotice(d, facts, t),
		BackURL:     "/diagnoses/" + url.PathEscape(d.ID),
		BackLabel:   d.Name,
		MarkdownURL: "/diagnoses/" + url.PathEscape(d.ID) + "/privacy.md",
	}
	return s.render(c, http.StatusOK, "privacy", t.Get("privacy.title", d.Organisation.Name), page, false)
}

// workspacePrivacyMarkdown sends the notice as a Markdown file.
func (s *Server) workspacePrivacyMarkdown(c echo.Context) error {
	d, err := s.diagnosticOfFirm(c)
	if err != nil {
		return err
	}
	facts, err := s.privacyFactsFor(c.Request().Context(), d)
	if err != nil {
		return err
	}
	t := s.texts.For(requestLang(c))
	body, err := s.privacyMD.render(privacyNotice(d, facts, t))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", exportFileName(d, t.Get("privacy.file"))))
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", body)
}

// respondentPrivacyURL is the privacy page of the respondent link a page
// belongs to, for the footer of every respondent page; empty elsewhere and
// on error pages (whose link may not exist).
func respondentPrivacyURL(c echo.Context, page string) string {
	if page == "error" || !strings.HasPrefix(c.Path(), "/d/:token") || c.Param("token") == "" {
		return ""
	}
	return "/d/" + url.PathEscape(c.Param("token")) + "/privacy"
}

// privacyMarkdown is the parsed Markdown template of the notice.
type privacyMarkdown struct {
	t *texttemplate.Template
}

// parsePrivacyMarkdown parses the Markdown template once, at start-up.
func parsePrivacyMarkdown(fsys fs.FS) (*privacyMarkdown, error) {
	data, err := fs.ReadFile(fsys, privacyMarkdownFile)
	if err != nil {
		return nil, fmt.Errorf("templates: privacy notice: %w", err)
	}
	t, err := texttemplate.New("notice").Funcs(texttemplate.FuncMap{"md": markdownText}).Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("templates: privacy notice: %w", err)
	}
	return &privacyMarkdown{t: t}, nil
}

func (m *privacyMarkdown) render(d privacyData) ([]byte, error) {
	var buf bytes.Buffer
	if err := m.t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render privacy notice: %w", err)
	}
	return buf.Bytes(), nil
}

var (
	// markdownSpecial are the characters that could start markup anywhere
	// in a line.
	markdownSpecial = strings.NewReplacer(
		`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
		`<`, `\<`, `>`, `\>`, `|`, `\|`, `~`, `\~`,
	)
	// markdownEntity is an & that would start a character reference.
	markdownEntity = regexp.MustCompile(`&(#?[A-Za-z0-9]+;)`)
	// markdownLineStart is what makes a line a heading, a list item, a
	// quote or a rule.
	markdownLineStart = regexp.MustCompile(`^(\s*)([#+=-]|\d+[.)])`)
)

// markdownText writes s as literal Markdown text on one line: names typed
// by consultants ("Team *Noord*", "<b>") come out as typed, never as markup.
func markdownText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = markdownSpecial.Replace(s)
	s = markdownEntity.ReplaceAllString(s, `\&$1`)
	if m := markdownLineStart.FindStringSubmatchIndex(s); m != nil {
		// Escape the last character of the marker: "\#", "\-", "1\.".
		end := m[5] - 1
		s = s[:end] + `\` + s[end:]
	}
	return s
}
