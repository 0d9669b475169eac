package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Config is the validated configuration of the service. Every flag has an
// environment variable; a flag given on the command line wins.
type Config struct {
	Addr        string
	DatabaseURL string
	BaseURL     string
	// Migrate applies pending migrations at start-up. When it is not set
	// explicitly, it is on for SQLite (the embedded default, which has no
	// separate deploy step) and off for PostgreSQL, where schema changes
	// should be a deliberate act.
	Migrate   bool
	LogFormat string
	// AdviceDir is a folder with the advice library of the reports; empty
	// means the built-in one.
	AdviceDir string
}

const (
	defaultAddr        = "127.0.0.1:8080"
	defaultDatabaseURL = "sqlite:data/uitvoeringskracht.db"
)

// configFlags registers the shared flags on fs and returns a function that
// builds the validated Config after fs.Parse.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	addr := fs.String("addr", envOr(getenv, "UK_ADDR", defaultAddr), "listen address (UK_ADDR)")
	db := fs.String("database", envOr(getenv, "UK_DATABASE_URL", defaultDatabaseURL), "database URL: sqlite:PATH or postgres://... (UK_DATABASE_URL)")
	base := fs.String("base-url", getenv("UK_BASE_URL"), "public base URL for printed links, e.g. https://uk.example.nl (UK_BASE_URL; default http://ADDR)")
	migrate := fs.String("migrate", getenv("UK_MIGRATE"), "apply pending migrations at start-up: 1 or 0 (UK_MIGRATE; default 1 for SQLite, 0 for PostgreSQL)")
	logFormat := fs.String("log-format", envOr(getenv, "UK_LOG_FORMAT", "json"), "log format: json or text (UK_LOG_FORMAT)")
	adviceDir := fs.String("advice-dir", getenv("UK_ADVICE_DIR"), "folder with an advice library (*.yaml) for the reports instead of the built-in one; checked at start-up (UK_ADVICE_DIR)")
	return func() (Config, error) {
		cfg := Config{Addr: *addr, DatabaseURL: *db, BaseURL: *base, LogFormat: *logFormat, AdviceDir: *adviceDir}
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
			cfg.BaseURL = "http://" + cfg.Addr
		}
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
	if len(problems) > 0 {
		return errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// osGetenv is the production environment lookup; tests pass their own.
func osGetenv(key string) string { return os.Getenv(key) }
