package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/mail"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/web"
)

// Config is the validated configuration of the service. Every flag has an
// environment variable; a flag given on the command line wins.
type Config struct {
	Addr        string
	DatabaseURL string
	BaseURL     string
	// SecretKey is UK_SECRET_KEY, the key of the TOTP secrets. It has no
	// flag: a flag shows in the process list. See settleSecretKey.
	SecretKey string
	// Migrate applies pending migrations at start-up. When it is not set
	// explicitly, it is on for SQLite (the embedded default, which has no
	// separate deploy step) and off for PostgreSQL, where schema changes
	// should be a deliberate act.
	Migrate   bool
	LogFormat string
	// AdviceDir is a folder with the advice library of the reports; empty
	// means the built-in one.
	AdviceDir string
	// RetentionMonths is how long answers are kept after a diagnostic
	// closes, as the privacy notice of every diagnostic states it; purge
	// deletes them after it unless told --older-than.
	RetentionMonths int
	// RespondentRateLimit is how many questionnaires one client address
	// may start and submit per minute; 0 turns the limit off (load tests).
	RespondentRateLimit int
	// TrustedProxies are the address ranges of reverse proxies whose
	// X-Forwarded-For header names the client, for the rate limits.
	TrustedProxies []string
	// MetricsToken turns on Prometheus metrics at /metrics for scrapers
	// that send it as a bearer token; empty leaves them off.
	MetricsToken string
	// ScrubInterval bounds how long the storage keeps anything that orders
	// the responses or ties a spent code to its time (store.Scrub).
	ScrubInterval time.Duration
	// SMTPURL is the mail server (smtp:// with STARTTLS, smtps:// with
	// implicit TLS); empty writes mail to MailDir as .eml files.
	SMTPURL string
	// SMTPPassword is UK_SMTP_PASSWORD: the server's password, kept out of
	// the URL. It has no flag, like the secret key.
	SMTPPassword string
	// MailFrom is the sender, "Name <address>".
	MailFrom string
	// MailDir receives the .eml files when no mail server is configured.
	MailDir string
	// MailLease is how long an instance holds a message it is sending;
	// after a crash the message goes out again once it ran out.
	MailLease time.Duration
	// MailRetentionDays is how long the outbox keeps a message after it
	// was sent, failed or written as .eml; purge and serve delete it then.
	MailRetentionDays int
	// mailTLS replaces the TLS configuration of the mail client (tests
	// trust their own certificate with it).
	mailTLS *tls.Config
}

const (
	// The scrub rewrites whole tables: more often than every few seconds it
	// would mostly hold the writer; a day is the longest the privacy
	// notice can call short.
	minScrubInterval   = 10 * time.Second
	maxScrubInterval   = 24 * time.Hour
	defaultAddr        = "127.0.0.1:8080"
	defaultDatabaseURL = "sqlite:data/uitvoeringskracht.db"
)

// parseConfig parses args into fs and returns the configuration its flags
// and the environment give; a bad value is a usage error (exit 2).
func parseConfig(fs *flag.FlagSet, config func() (Config, error), args []string) (Config, error) {
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	cfg, err := config()
	if err != nil {
		return Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

// configFlags registers the shared flags on fs and returns a function that
// builds the validated Config after fs.Parse.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	addr := fs.String("addr", envOr(getenv, "UK_ADDR", defaultAddr), "listen address (UK_ADDR)")
	db := fs.String("database", envOr(getenv, "UK_DATABASE_URL", defaultDatabaseURL), "database URL: sqlite:PATH or postgres://... (UK_DATABASE_URL)")
	base := fs.String("base-url", getenv("UK_BASE_URL"), "public base URL for printed links, e.g. https://uk.example.nl (UK_BASE_URL; default http://ADDR)")
	migrate := fs.String("migrate", getenv("UK_MIGRATE"), "apply pending migrations at start-up: 1 or 0 (UK_MIGRATE; default 1 for SQLite, 0 for PostgreSQL)")
	logFormat := fs.String("log-format", envOr(getenv, "UK_LOG_FORMAT", "json"), "log format: json or text (UK_LOG_FORMAT)")
	retention := fs.String("retention-months", envOr(getenv, "UK_RETENTION_MONTHS", strconv.Itoa(web.DefaultRetentionMonths)), "months after a diagnostic closes that its answers are kept, 1 to 120, as the privacy notice states it; purge uses the same period unless given --older-than (UK_RETENTION_MONTHS)")
	adviceDir := fs.String("advice-dir", getenv("UK_ADVICE_DIR"), "folder with an advice library (*.yaml) for the reports instead of the built-in one; checked at start-up (UK_ADVICE_DIR)")
	respondentRate := fs.String("respondent-rate-limit", envOr(getenv, "UK_RESPONDENT_RATE_LIMIT", "300"), "questionnaires one client address may start and submit per minute, against scripted stuffing; a whole ministry may share one address, so keep it generous; 0 turns it off (UK_RESPONDENT_RATE_LIMIT)")
	trustedProxies := fs.String("trusted-proxies", getenv("UK_TRUSTED_PROXIES"), "comma-separated address ranges (CIDR) of the load balancers or reverse proxies in front of the service, whose X-Forwarded-For is believed for rate limiting; empty: use the peer address (UK_TRUSTED_PROXIES)")
	scrub := fs.String("scrub-interval", envOr(getenv, "UK_SCRUB_INTERVAL", store.DefaultScrubInterval.String()), "longest time the database files keep the order of responses or traces of spent access codes after respondents wrote; the service then rewrites them (10s to 24h, e.g. 5m) (UK_SCRUB_INTERVAL)")
	smtpURL := fs.String("smtp-url", getenv("UK_SMTP_URL"), "mail server: smtp://USER@HOST:587 (STARTTLS required; add ?tls=none for a local relay without TLS) or smtps://USER@HOST:465; the password preferably in UK_SMTP_PASSWORD; empty: mail is written to --mail-dir and not sent (UK_SMTP_URL)")
	mailFrom := fs.String("mail-from", getenv("UK_MAIL_FROM"), "sender of every mail, \"Name <address>\" (UK_MAIL_FROM; default Uitvoeringskracht <noreply@HOST of --base-url>)")
	mailDir := fs.String("mail-dir", getenv("UK_MAIL_DIR"), "folder for the .eml files of mail that is not sent because no mail server is set (UK_MAIL_DIR; default mail/ next to the SQLite database, data/mail for PostgreSQL)")
	mailLease := fs.String("mail-lease", envOr(getenv, "UK_MAIL_LEASE", defaultMailLease.String()), "how long an instance holds a message while sending it; after a crash the message is sent again (same Message-ID) once this has passed (2s to 1h) (UK_MAIL_LEASE)")
	mailRetention := fs.String("mail-retention-days", envOr(getenv, "UK_MAIL_RETENTION_DAYS", strconv.Itoa(store.DefaultMailRetentionDays)), "days the outbox keeps a message after it was sent, failed or written as .eml, 1 to 3650; serve and purge delete older ones (UK_MAIL_RETENTION_DAYS)")
	// The token's default stays empty, so that -help never prints it.
	metricsFlag := fs.String("metrics-token", "", "bearer token (at least 32 characters) that turns on Prometheus metrics at /metrics; prefer the environment variable, since a flag shows in the process list (UK_METRICS_TOKEN; default off)")
	return func() (Config, error) {
		cfg := Config{Addr: *addr, DatabaseURL: *db, BaseURL: *base, LogFormat: *logFormat, AdviceDir: *adviceDir, MetricsToken: getenv("UK_METRICS_TOKEN"), SecretKey: getenv("UK_SECRET_KEY")}
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "metrics-token" {
				cfg.MetricsToken = *metricsFlag
			}
		})
		cfg.SMTPURL, cfg.SMTPPassword, cfg.MailFrom, cfg.MailDir = strings.TrimSpace(*smtpURL), getenv("UK_SMTP_PASSWORD"), strings.TrimSpace(*mailFrom), strings.TrimSpace(*mailDir)
		lease, err := time.ParseDuration(strings.TrimSpace(*mailLease))
		if err != nil {
			return Config{}, fmt.Errorf("--mail-lease must be a duration such as 2m, not %q", *mailLease)
		}
		cfg.MailLease = lease
		if cfg.MailRetentionDays, err = strconv.Atoi(strings.TrimSpace(*mailRetention)); err != nil {
			return Config{}, fmt.Errorf("--mail-retention-days must be a whole number of days from 1 to %d, not %q", store.MaxMailRetentionDays, *mailRetention)
		}
		rate, err := strconv.Atoi(strings.TrimSpace(*respondentRate))
		if err != nil {
			return Config{}, fmt.Errorf("--respondent-rate-limit must be a whole number, not %q", *respondentRate)
		}
		cfg.RespondentRateLimit = rate
		for _, p := range strings.Split(*trustedProxies, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.TrustedProxies = append(cfg.TrustedProxies, p)
			}
		}
		months, err := strconv.Atoi(strings.TrimSpace(*retention))
		if err != nil {
			return Config{}, fmt.Errorf("--retention-months must be a whole number of months from 1 to %d, not %q", web.MaxRetentionMonths, *retention)
		}
		cfg.RetentionMonths = months
		if cfg.ScrubInterval, err = time.ParseDuration(strings.TrimSpace(*scrub)); err != nil {
			return Config{}, fmt.Errorf("--scrub-interval must be a duration such as 5m or 30s, not %q", *scrub)
		}
		switch strings.ToLower(*migrate) {
		case "":
			cfg.Migrate = strings.HasPrefix(cfg.DatabaseURL, "sqlite:")
		case "1", "true", "yes":
			cfg.Migrate = true
		case "0", "false", "no":
			cfg.Migrate = false
		default:
			return Config{}, fmt.Errorf("--migrate must be 1 or 0, not %q", *migrate)
		}
		if cfg.BaseURL == "" {
			cfg.BaseURL = defaultBaseURL(cfg.Addr)
		}
		cfg = cfg.withMailDefaults()
		return cfg, cfg.validate()
	}
}

func (c Config) validate() error {
	var problems []string
	if c.Addr == "" {
		problems = append(problems, "--addr is empty")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		problems = append(problems, "--database must start with sqlite:, postgres:// or postgresql://")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "--base-url must be an absolute http(s) URL")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		problems = append(problems, "--log-format must be json or text")
	}
	if c.ScrubInterval < minScrubInterval || c.ScrubInterval > maxScrubInterval {
		problems = append(problems, fmt.Sprintf("--scrub-interval must be from %s to %s", minScrubInterval, maxScrubInterval))
	}
	if c.RetentionMonths < 1 || c.RetentionMonths > web.MaxRetentionMonths {
		problems = append(problems, fmt.Sprintf("--retention-months must be from 1 to %d", web.MaxRetentionMonths))
	}
	if c.RespondentRateLimit < 0 {
		problems = append(problems, "--respondent-rate-limit must be 0 (off) or positive")
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			problems = append(problems, fmt.Sprintf("--trusted-proxies: %q is not an address range such as 10.0.0.0/8", p))
		}
	}
	if c.MetricsToken != "" && web.CheckMetricsToken(c.MetricsToken) != nil {
		problems = append(problems, "--metrics-token must be empty (metrics off) or at least 32 characters without spaces")
	}
	if c.MailRetentionDays < 1 || c.MailRetentionDays > store.MaxMailRetentionDays {
		problems = append(problems, fmt.Sprintf("--mail-retention-days must be from 1 to %d", store.MaxMailRetentionDays))
	}
	if c.MailLease < 2*time.Second || c.MailLease > time.Hour {
		problems = append(problems, "--mail-lease must be from 2s to 1h")
	}
	if _, err := mail.New(c.mailConfig()); err != nil {
		// mail's messages never hold the password.
		problems = append(problems, strings.TrimPrefix(err.Error(), "mail: "))
	}
	if len(problems) > 0 {
		return errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

// withMailDefaults fills in the mail settings that were left empty.
func (c Config) withMailDefaults() Config {
	if c.MailFrom == "" {
		c.MailFrom = defaultMailFrom(c.BaseURL)
	}
	if c.MailDir == "" {
		c.MailDir = defaultMailDir(c.DatabaseURL)
	}
	if c.MailLease == 0 {
		c.MailLease = defaultMailLease
	}
	return c
}

// defaultMailLease is the default of --mail-lease.
const defaultMailLease = 2 * time.Minute

// mailConfig is the configuration of the mailer.
func (c Config) mailConfig() mail.Config {
	// One delivery must end well within the lease, or a second instance
	// could take the message while it is still being sent.
	timeout := min(c.MailLease/2, 30*time.Second)
	return mail.Config{SMTPURL: c.SMTPURL, Password: c.SMTPPassword, From: c.MailFrom, Dir: c.MailDir, Timeout: timeout, TLSConfig: c.mailTLS}
}

// defaultMailFrom is noreply at the host of the base URL.
func defaultMailFrom(baseURL string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if net.ParseIP(host) != nil {
		// An address literal is no mail domain.
		host = "localhost"
	}
	return "Uitvoeringskracht <noreply@" + host + ">"
}

// defaultMailDir is mail/ next to the SQLite database (data/mail for the
// default database), or data/mail for PostgreSQL.
func defaultMailDir(databaseURL string) string {
	if path, ok := strings.CutPrefix(databaseURL, "sqlite:"); ok {
		return filepath.Join(filepath.Dir(path), "mail")
	}
	return filepath.Join("data", "mail")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// osGetenv is the production environment lookup; tests pass their own.
func osGetenv(key string) string { return os.Getenv(key) }

// defaultBaseURL is the address printed links use when --base-url is not
// given: the listen address, with a wildcard host (":8080", "0.0.0.0:8080",
// "[::]:8080") replaced by localhost, since nobody can open a wildcard.
// serve and every subcommand that prints a link derive it here, so that
// they print the same address.
func defaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// signInURL is the login page under the base URL.
func signInURL(cfg Config) string { return strings.TrimRight(cfg.BaseURL, "/") + "/login" }
