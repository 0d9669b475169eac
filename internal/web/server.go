// Package web serves the HTML pages and the HTTP API. It is the only package
// that imports echo.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Store is what the web layer needs from persistence. internal/store
// implements it; keeping the interface here lets the web layer stay
// independent of bun.
type Store interface {
	Ready(ctx context.Context) error
	DiagnosticByToken(ctx context.Context, token string) (*survey.Diagnostic, error)
	// SealingKeys returns the keys that seal respondents' progress (by id)
	// and the id of the one that seals new states; see sealed.go.
	SealingKeys(ctx context.Context) (map[byte][]byte, byte, error)
	SpendAccessCode(ctx context.Context, diagnosticID, code string) error
	Submit(ctx context.Context, nonce string, r *survey.Response) error

	// The consultants' workspace. Every lookup takes the consultant's
	// firm, so another firm's ids are simply not found.
	CreateOrganisation(ctx context.Context, o *survey.Organisation) error
	ListOrganisations(ctx context.Context, firmID string) ([]survey.Organisation, error)
	OrganisationForFirm(ctx context.Context, firmID, id string) (*survey.Organisation, error)
	UpdateOrganisation(ctx context.Context, o *survey.Organisation) error
	CreateDiagnostic(ctx context.Context, d *survey.Diagnostic) error
	ListDiagnostics(ctx context.Context, firmID, organisationID string) ([]survey.Diagnostic, error)
	ListFirmDiagnostics(ctx context.Context, firmID string) ([]survey.Diagnostic, error)
	ResponseCounts(ctx context.Context, firmID string) (map[string]int, error)
	DiagnosticForFirm(ctx context.Context, firmID, id string) (*survey.Diagnostic, error)
	UpdateDiagnostic(ctx context.Context, d *survey.Diagnostic) error
	SetDiagnosticState(ctx context.Context, id string, state survey.State) error
	DeleteDiagnostic(ctx context.Context, id string) (int, error)
	CountResponses(ctx context.Context, diagnosticID string) (int, error)
	Progress(ctx context.Context, diagnosticID string) (*survey.Progress, error)
	CreateAccessCodes(ctx context.Context, diagnosticID string, n int) ([]string, error)
	IssueAccessCodes(ctx context.Context, diagnosticID string, codes []string) error
	AccessCodeCounts(ctx context.Context, diagnosticID string) (issued, used int, err error)

	// Results and exports.
	Responses(ctx context.Context, diagnosticID string) ([]survey.Response, error)
	OpenAnswers(ctx context.Context, diagnosticID string) ([]survey.Response, error)
	ResponseTable(ctx context.Context, diagnosticID string, items, background []string) (*survey.AnswerTable, error)
	PreviewedAt(ctx context.Context, diagnosticID string) (int, error)
	RecordPreview(ctx context.Context, diagnosticID string, allow func(previewedAt, responses int) error) (int, error)
	Releases(ctx context.Context, diagnosticID string) ([]survey.Release, error)
	RecordRelease(ctx context.Context, diagnosticID string, after int, rel survey.Release) (survey.Release, error)
	AllReleases(ctx context.Context, diagnosticID string) ([]survey.Release, error)
	EmployeeSummary(ctx context.Context, diagnosticID string) (survey.EmployeeSummary, error)
	SetEmployeeSummary(ctx context.Context, diagnosticID string, published bool, message string) (survey.EmployeeSummary, error)
	Pulses(ctx context.Context, fullID string) ([]*survey.Diagnostic, error)
	SaveResultSummary(ctx context.Context, diagnosticID string, indexMean *float64, respondents int) error
	BenchmarkPeers(ctx context.Context, firmID, questionnaireID, version string, sector survey.Sector, now time.Time) ([]survey.BenchmarkPeer, error)
	PooledResponses(ctx context.Context, diagnosticID, questionnaireID, version string, now time.Time, limit int) ([]survey.Response, error)

	// Reports and director links. Functions that take a firm id treat
	// another firm's diagnostic as not found.
	PinReportDate(ctx context.Context, diagnosticID string, responses int, date time.Time) (time.Time, error)
	CreateDirectorLink(ctx context.Context, firmID string, l *survey.DirectorLink) (string, error)
	// The action plan; see internal/store/actions.go.
	CreateAction(ctx context.Context, firmID string, a *survey.Action) error
	ActionsForDiagnostic(ctx context.Context, firmID, diagnosticID string) ([]survey.Action, error)
	Action(ctx context.Context, firmID, id string) (*survey.Action, error)
	UpdateAction(ctx context.Context, firmID string, a *survey.Action, author string, at time.Time) error
	ChangeAction(ctx context.Context, firmID, diagnosticID, actionID string, ch survey.ActionChange) (*survey.Action, error)
	DeleteAction(ctx context.Context, firmID, diagnosticID, actionID string) error
	ListDirectorLinks(ctx context.Context, firmID, diagnosticID string) ([]survey.DirectorLink, error)
	RevokeDirectorLink(ctx context.Context, firmID, diagnosticID, id string, now time.Time) error
	DirectorLinkByToken(ctx context.Context, token string) (*survey.DirectorLink, error)
	CountDirectorDownload(ctx context.Context, id string) error
}

// Config holds what the web layer needs to know about its deployment.
type Config struct {
	// BaseURL is the public address of the service, e.g. https://uk.example.nl.
	// Cookies are marked Secure when it uses https.
	BaseURL string
	// BodyLimit caps every request body, e.g. "64K".
	BodyLimit string
	// RespondentCacheTTL is how long a diagnostic is reused for respondent
	// pages; 0 turns the cache off (tests that change a diagnostic and
	// look at once).
	RespondentCacheTTL time.Duration
	// RetentionMonths is how long answers are kept after a diagnostic
	// closes, as the privacy notice states it; 0 means
	// DefaultRetentionMonths. The purge command does the deleting.
	RetentionMonths int
	// RespondentRateLimit is how many questionnaires one client may start
	// and submit per minute; 0 means no limit.
	RespondentRateLimit int
	// TrustedProxies are CIDR ranges of reverse proxies whose
	// X-Forwarded-For names the client; empty means the peer address.
	TrustedProxies []string
	// MetricsToken turns on /metrics for scrapers that send it as a bearer
	// token (at least 32 characters); empty leaves /metrics unknown (404).
	MetricsToken string
	// SMTPConfigured says that mail leaves the machine through a mail
	// server; without one, messages are written as .eml files, and
	// personal invitations (address and code side by side) are refused.
	SMTPConfigured bool
}

// Deps are the collaborators of the web layer.
type Deps struct {
	Store Store
	Files fs.FS // the embedded templates/ tree
	// Questionnaires are the instruments new diagnostics can use, oldest
	// first.
	Questionnaires []*survey.Questionnaire
	// Pulse is the pulse instrument a closed full measurement can start
	// (its PulseOf names the full instrument); nil offers no pulse.
	Pulse *survey.Questionnaire
	// Accounts keeps consultants, sessions and the audit log; nil means
	// Store, which must then implement AccountStore (internal/store does).
	Accounts AccountStore
	// Brands keeps the firms' own look; nil means Store or else Accounts,
	// one of which must then implement BrandingStore (internal/store does).
	Brands BrandingStore
	// Advice is the advice library of the reports; nil means the one in
	// Files (templates/advice).
	Advice *report.Library
	// Pools reports the database connection pools for /metrics; nil means
	// Store when it implements PoolStatser (internal/store does).
	Pools PoolStatser
	// Mail keeps the outbox and the account mail; nil means Store when it
	// implements MailStore (internal/store does).
	Mail MailStore
	// MailWake, when set, tells the outbox worker that a message was
	// queued, so that it need not wait for its next poll.
	MailWake func()
	// SSO signs consultants in at their firm's OpenID Connect provider;
	// nil means a client with the default timeouts. Single sign-on is on
	// when Accounts also implements SSOStore (internal/store does).
	SSO    *sso.Client
	Logger *slog.Logger
	Now    func() time.Time
}

// Server is the HTTP front of the service.
type Server struct {
	// respondentRequests counts the requests on respondent routes, which
	// have no log line of their own (requestLogger).
	respondentRequests atomic.Int64

	cfg            Config
	store          Store
	logger         *slog.Logger
	now            func() time.Time
	pages          *pages
	texts          translations
	validate       *validator.Validate
	secure         bool
	static         http.Handler
	echo           *echo.Echo
	location       *time.Location
	questionnaires []*survey.Questionnaire
	pulse          *survey.Questionnaire
	diagnostics    *diagnosticCache
	fragments      *stepFragments
	accounts       AccountStore
	brands         *brandCache
	signIn         signInPolicy
	advice         *report.Library
	privacyMD      *privacyMarkdown
	// trustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; see clientAddress.
	trustedProxies []*net.IPNet
	// metrics is nil unless Config.MetricsToken is set.
	metrics *metrics
	// sealer seals respondents' progress into their cookies.
	sealer *sealer
	// compute bounds the computations of results (compute.go).
	compute *computeGate
	// mailTemplates write the mails about a diagnostic (mailcontent.go).
	mailTemplates *mailTemplates
	// mail is the outbox and account mail (messages.go); nil turns the
	// mail pages off.
	mail mailParts
	// sso and ssoStore run single sign-on (sso.go); ssoStore is nil when
	// the account store cannot keep providers.
	sso      *sso.Client
	ssoStore SSOStore
}

// New builds the server: it parses templates and translations once and
// checks them for completeness, so a broken deployment fails at start-up
// rather than on a respondent's phone.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Store == nil || deps.Files == nil {
		return nil, errors.New("web: store and files are required")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("web: base URL must be an absolute http or https URL")
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "64K"
	}
	if cfg.RetentionMonths == 0 {
		cfg.RetentionMonths = DefaultRetentionMonths
	}
	if cfg.RetentionMonths < 1 || cfg.RetentionMonths > MaxRetentionMonths {
		return nil, fmt.Errorf("web: the retention period must be 1 to %d months", MaxRetentionMonths)
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = slog.New(respondentLogHandler{logger.Handler()})
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	texts, err := loadTranslations(deps.Files)
	if err != nil {
		return nil, err
	}
	pg, err := parsePages(deps.Files)
	if err != nil {
		return nil, err
	}
	privacyMD, err := parsePrivacyMarkdown(deps.Files)
	if err != nil {
		return nil, err
	}
	mailTmpl, err := parseMailTemplates(deps.Files)
	if err != nil {
		return nil, err
	}
	accounts := deps.Accounts
	if accounts == nil {
		accounts, _ = deps.Store.(AccountStore)
	}
	if accounts == nil {
		return nil, errors.New("web: an account store is required")
	}
	brands := deps.Brands
	if brands == nil {
		brands, _ = deps.Store.(BrandingStore)
	}
	if brands == nil {
		// A store wrapped for a test keeps its accounts beside it.
		brands, _ = accounts.(BrandingStore)
	}
	if brands == nil {
		return nil, errors.New("web: a branding store is required")
	}
	advice := deps.Advice
	if advice == nil {
		if advice, err = report.LoadAdvice(deps.Files, "templates/advice"); err != nil {
			return nil, fmt.Errorf("web: advice library: %w", err)
		}
	}
	staticFS, err := fs.Sub(deps.Files, "templates/static")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:            cfg,
		store:          deps.Store,
		logger:         logger,
		now:            now,
		pages:          pg,
		texts:          texts,
		validate:       newValidator(),
		secure:         base.Scheme == "https",
		static:         staticHandler(staticFS),
		location:       time.Local,
		questionnaires: deps.Questionnaires,
		pulse:          deps.Pulse,
		diagnostics:    newDiagnosticCache(cfg.RespondentCacheTTL, 10000),
		fragments:      newStepFragments(1000),
		accounts:       accounts,
		brands:         newBrandCache(brands, cfg.RespondentCacheTTL),
		signIn:         newSignInPolicy(),
		advice:         advice,
		privacyMD:      privacyMD,
		sealer:         &sealer{load: deps.Store.SealingKeys, now: now},
		compute:        newComputeGate(computeSlots()),
		mailTemplates:  mailTmpl,
	}
	if err := s.setUpMail(deps); err != nil {
		return nil, err
	}
	s.ssoStore, _ = accounts.(SSOStore)
	if s.sso = deps.SSO; s.sso == nil {
		s.sso = sso.New(sso.Options{Now: now})
	}
	// Load the sealing keys now, so the first respondent does not wait for
	// them; if the database is not there yet, the first state loads them.
	warm, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, _, _ = s.sealer.keys(warm, 0)
	cancel()
	pools := deps.Pools
	if pools == nil {
		pools, _ = deps.Store.(PoolStatser)
	}
	if s.metrics, err = newMetrics(cfg.MetricsToken, pools); err != nil {
		return nil, err
	}
	for _, cidr := range cfg.TrustedProxies {
		_, ipNet, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q is not an address range", cidr)
		}
		s.trustedProxies = append(s.trustedProxies, ipNet)
	}
	if cfg.RespondentRateLimit < 0 {
		return nil, errors.New("web: the respondent rate limit must not be negative")
	}
	s.echo = s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the service.
func (s *Server) Handler() http.Handler { return s.echo }

// absoluteURL joins the base URL and a path for links shown to people.
func (s *Server) absoluteURL(path string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path
}
