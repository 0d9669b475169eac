package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/sso"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/web"
)

// shutdownGrace is how long in-flight requests may take after a stop signal.
const shutdownGrace = 10 * time.Second

// mailScheduleInterval is how often the mail scheduler looks for due
// reminders: a reminder goes out at most this long after its moment.
const mailScheduleInterval = time.Minute

// App is the runnable service: the store, the web server and the listener.
// Tests start it on 127.0.0.1:0 and read the bound address from Addr.
type App struct {
	cfg      Config
	logger   *slog.Logger
	store    *store.Store
	server   *http.Server
	web      *web.Server
	listener net.Listener
	// mail sends the outbox; it runs while Run does.
	mail *mail.Worker
}

// NewApp opens the database, checks (or migrates) its schema, and binds the
// listen address, so that a caller knows the address before Run.
func NewApp(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	// The files come first: a broken advice folder stops the service
	// before it touches the database, rather than failing a download.
	q, err := loadQuestionnaire("")
	if err != nil {
		return nil, err
	}
	pulse, err := questionnaire.Load(uitvoeringskracht.Questionnaires, pulseQuestionnaire)
	if err != nil {
		return nil, err
	}
	advice, err := serveAdvice(cfg.AdviceDir, q)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := prepareSchema(ctx, st, cfg); err != nil {
		st.Close()
		return nil, err
	}
	if err := settleSecretKey(ctx, st, cfg, logger); err != nil {
		st.Close()
		return nil, err
	}
	// Scrubs now (a crash may have left a WAL behind), after respondents
	// wrote, and once more in Run's st.Close.
	if err := st.StartScrubbing(ctx, cfg.ScrubInterval); err != nil {
		st.Close()
		return nil, err
	}
	cfg = cfg.withMailDefaults()
	mailer, err := mail.New(cfg.mailConfig())
	if err != nil {
		st.Close()
		return nil, err
	}
	// The worker also deletes finished messages past the retention, at
	// start and hourly: the outbox is no archive of who was mailed.
	worker := &mail.Worker{Queue: st, Mailer: mailer, Log: logger, Lease: cfg.MailLease, Retention: cfg.mailRetention()}
	srv, err := web.New(web.Config{BaseURL: cfg.BaseURL, RespondentCacheTTL: 2 * time.Second, RetentionMonths: cfg.RetentionMonths, RespondentRateLimit: cfg.RespondentRateLimit, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken, SMTPConfigured: mailer.Configured()}, web.Deps{
		Store:          st,
		Accounts:       st,
		Files:          uitvoeringskracht.Templates,
		Logger:         logger,
		Questionnaires: []*survey.Questionnaire{q},
		Pulse:          pulse,
		Advice:         advice,
		MailWake:       worker.Wake,
		// Single sign-on at the firms' OpenID Connect providers; each
		// request to a provider gives up after 10 seconds.
		SSO: sso.New(sso.Options{Timeout: 10 * time.Second}),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return &App{
		cfg:    cfg,
		logger: logger,
		store:  st,
		web:    srv,
		server: &http.Server{
			Handler:           srv.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    32 << 10,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		listener: ln,
		mail:     worker,
	}, nil
}

// serveAdvice loads the advice library of the reports, the built-in one or
// dir, and checks that it covers the questionnaire. The problems of a
// folder are named as DIR/FILE:LINE, as `advice check` names them.
func serveAdvice(dir string, q *survey.Questionnaire) (*report.Library, error) {
	if dir == "" {
		return loadAdvice("", q)
	}
	lib, err := report.LoadAdvice(os.DirFS(dir), ".")
	if err == nil {
		err = lib.Check(q)
	}
	var ps *questionnaire.Problems
	switch {
	case errors.As(err, &ps):
		lines := make([]string, len(ps.List))
		for i, p := range ps.List {
			p.File = filepath.Join(dir, p.File)
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("--advice-dir %s: %s:\n%s", dir, plural(len(ps.List), "problem in the advice library", "problems in the advice library"), strings.Join(lines, "\n"))
	case err != nil:
		return nil, fmt.Errorf("--advice-dir %s: %w", dir, err)
	}
	return lib, nil
}

func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, cfg.DatabaseURL, store.Options{Migrations: uitvoeringskracht.Migrations, Logger: logger})
}

// openPreparedStore opens the configured database for a command and makes
// sure its schema is current (migrating when allowed).
func openPreparedStore(ctx context.Context, cfg Config, stderr io.Writer) (*store.Store, error) {
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg.LogFormat))
	if err != nil {
		return nil, err
	}
	if err := prepareSchema(ctx, st, cfg); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// prepareSchema migrates when allowed and otherwise refuses an out-of-date
// schema: serving with a schema the code does not expect corrupts data.
func prepareSchema(ctx context.Context, st *store.Store, cfg Config) error {
	if cfg.Migrate {
		// The store logs each migration it applies.
		_, err := st.Migrate(ctx)
		return err
	}
	pending, err := st.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("the database schema is out of date (pending: %s); run `uitvoeringskracht migrate` or start with --migrate (UK_MIGRATE=1)", strings.Join(pending, ", "))
	}
	return nil
}

// Addr is the address the app listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves until ctx is cancelled, then stops accepting connections,
// lets in-flight requests finish (up to shutdownGrace) and closes the
// database.
func (a *App) Run(ctx context.Context) error {
	a.logger.Info("serving", "addr", a.Addr(), "base_url", a.cfg.BaseURL, "database", redactDatabaseURL(a.cfg.DatabaseURL))
	if a.mail.Mailer.Configured() {
		a.logger.Info("mail", "smtp", a.mail.Mailer.Server())
	} else {
		a.logger.Info("mail", "smtp", "none", "eml_dir", a.mail.Mailer.Dir(), "note", "no mail server configured: messages are written as .eml files and not sent")
	}
	// The worker stops with ctx; a message it is sending is finished and
	// recorded first, before the database closes.
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		a.mail.Run(mailCtx)
	}()
	// The reminders and the directors' mail of diagnostics that close on
	// their date are queued by every instance; each mail once.
	scheduleDone := make(chan struct{})
	go func() {
		defer close(scheduleDone)
		a.web.RunMailSchedule(mailCtx, mailScheduleInterval)
	}()
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	shutdownErr := a.server.Shutdown(shutdownCtx)
	stopMail()
	<-mailDone
	<-scheduleDone
	closeErr := a.store.Close()
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	// A total, with no time per request: respondent requests have no
	// log line of their own.
	a.logger.Info("stopped", "respondent_requests", a.web.RespondentRequests())
	return errors.Join(serveErr, shutdownErr, closeErr)
}

// redactDatabaseURL hides a password in a PostgreSQL URL before logging it.
func redactDatabaseURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo := rest[:at]
		if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
			return scheme + "://" + user + ":xxxxx@" + rest[at+1:]
		}
	}
	return raw
}
