// Command uitvoeringskracht runs the Uitvoeringskracht service and its
// administrative tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `Uitvoeringskracht: measure why public organisations fail to carry out their own policy.

Usage:
  uitvoeringskracht serve [flags]                      run the web service
  uitvoeringskracht migrate [flags]                    apply pending database migrations
  uitvoeringskracht questionnaire check FILE...        validate questionnaire files
  uitvoeringskracht diagnostic create --org NAME --units "A,B,C" [flags]
                                                       create an organisation and an open diagnostic
  uitvoeringskracht user add --firm NAME --email ADDRESS [--admin]
                                                       create a consultant (and the firm); reads the password from stdin
  uitvoeringskracht token create --email ADDRESS [--name NAME]
                                                       print a new API token for a consultant
  uitvoeringskracht advice check [--questionnaire FILE] DIR
                                                       validate an advice library folder
  uitvoeringskracht demo [--out rapport.pdf] [--respondents 400] [--lang nl] [flags]
                                                       build a demo organisation and write its advice report (PDF and HTML)
  uitvoeringskracht loadtest --url URL [flags]         play whole respondents against a running server
  uitvoeringskracht purge --older-than 24mo            delete answers of diagnostics closed before the retention period
  uitvoeringskracht privacy-audit --diagnostic ID      check that nothing released can single out respondents
  uitvoeringskracht backup --out FILE                  write a consistent copy of the SQLite database
  uitvoeringskracht key generate                       print a new secret key for UK_SECRET_KEY
  uitvoeringskracht key rotate [--database URL]        re-encrypt the secrets from UK_SECRET_KEY to UK_NEW_SECRET_KEY
                                                       (either may come from stdin instead, one per line)
  uitvoeringskracht mail test --to ADDRESS             send a test message and print the mail server's answer
  uitvoeringskracht healthcheck [--url URL]            exit 0 when a running instance is ready
  uitvoeringskracht version                            print the version

Run "uitvoeringskracht COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, osGetenv)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

// run executes one command and returns the process exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], stderr, getenv)
	case "migrate":
		err = cmdMigrate(ctx, args[1:], stdout, stderr, getenv)
	case "questionnaire":
		err = cmdQuestionnaire(args[1:], stdout, stderr)
	case "diagnostic":
		err = cmdDiagnostic(ctx, args[1:], stdout, stderr, getenv)
	case "user":
		err = cmdUser(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "token":
		err = cmdToken(ctx, args[1:], stdout, stderr, getenv)
	case "advice":
		err = cmdAdvice(args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "loadtest":
		err = cmdLoadtest(ctx, args[1:], stdout, stderr, getenv)
	case "purge":
		err = cmdPurge(ctx, args[1:], stdout, stderr, getenv, time.Now())
	case "privacy-audit":
		err = cmdPrivacyAudit(ctx, args[1:], stdout, stderr, getenv)
	case "backup":
		err = cmdBackup(ctx, args[1:], stdout, stderr, getenv)
	case "key":
		err = cmdKey(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "mail":
		err = cmdMail(ctx, args[1:], stdout, stderr, getenv)
	case "healthcheck":
		err = cmdHealthcheck(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "uitvoeringskracht", buildVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, err)
		return 2
	default:
		fmt.Fprintln(stderr, "uitvoeringskracht:", err)
		return 1
	}
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev+" + s.Value[:12]
			}
		}
	}
	return version
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("serve", stderr)
	config := configFlags(fs, getenv)
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogFormat)
	app, err := NewApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	return app.Run(ctx)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("migrate", stderr)
	config := configFlags(fs, getenv)
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg.LogFormat))
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "The database schema is up to date.")
	}
	for _, v := range applied {
		fmt.Fprintln(stdout, "applied", v)
	}
	return nil
}
