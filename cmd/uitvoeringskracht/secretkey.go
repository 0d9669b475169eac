package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
)

// keyFilePath returns the file that holds the secret key of an SQLite
// database when UK_SECRET_KEY is not set: next to the database, so that the
// README's commands work without a key, and named after it, so that two
// databases in one folder keep two keys.
func keyFilePath(databaseURL string) (string, bool) {
	path, ok := strings.CutPrefix(databaseURL, "sqlite:")
	if !ok {
		return "", false
	}
	return path + ".key", true
}

// settleSecretKey gives the store its secret key before it serves: from
// UK_SECRET_KEY; on SQLite without it from the key file, made on the first
// start. With PostgreSQL, where instances must share one key, a missing key
// stops start-up. A key that is not the database's stops start-up too, here
// rather than at a sign-in.
func settleSecretKey(ctx context.Context, st *store.Store, cfg Config, logger *slog.Logger) error {
	key, err := loadSecretKey(ctx, st, cfg, logger)
	if err != nil {
		return err
	}
	_, err = st.UseSecretKey(ctx, key)
	return err
}

func loadSecretKey(ctx context.Context, st *store.Store, cfg Config, logger *slog.Logger) (*secret.Key, error) {
	if cfg.SecretKey != "" {
		return secret.Parse(cfg.SecretKey)
	}
	path, sqlite := keyFilePath(cfg.DatabaseURL)
	if !sqlite {
		return nil, errors.New("UK_SECRET_KEY is not set: with PostgreSQL every instance must be given the same key; make one with `uitvoeringskracht key generate`, keep it with the database's credentials, and set UK_SECRET_KEY")
	}
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	// A database whose secrets are encrypted and whose key file is gone
	// (restored without it, say) must not get a new key: the secrets would
	// be lost and the service would seem to work until a sign-in.
	recorded, err := st.SecretKeyRecorded(ctx)
	if err != nil {
		return nil, err
	}
	if recorded {
		return nil, fmt.Errorf("UK_SECRET_KEY is not set and %s is missing, but this database's secrets are encrypted: restore the key file or set UK_SECRET_KEY to the key in use (see docs/operations.md, \"Secret key\")", path)
	}
	text := secret.Generate()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write the new secret key to %s: %w", path, err)
	}
	_, err = f.WriteString(text + "\n")
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write the new secret key to %s: %w", path, err)
	}
	logger.Warn("generated the secret key of the two-factor secrets and sealing keys: back it up apart from the database, or set UK_SECRET_KEY", "file", path)
	return secret.Parse(text)
}

func readKeyFile(path string) (*secret.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := secret.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// writeKeyFile writes a key file with owner-only permissions, replacing
// any file of that name.
func writeKeyFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text + "\n")
	if err = errors.Join(err, f.Sync(), f.Close(), os.Chmod(path, 0o600)); err != nil {
		return err
	}
	return nil
}

func cmdKey(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: key needs a subcommand: generate or rotate", errUsage)
	}
	switch args[0] {
	case "generate":
		if len(args) > 1 {
			return fmt.Errorf("%w: key generate takes no arguments", errUsage)
		}
		fmt.Fprintln(stdout, secret.Generate())
		return nil
	case "rotate":
		return cmdKeyRotate(ctx, args[1:], stdin, stdout, stderr, getenv)
	}
	return fmt.Errorf("%w: unknown key subcommand %q: use generate or rotate", errUsage, args[0])
}

// cmdKeyRotate re-encrypts the secrets under a new key. The keys never come
// from flags, which show in the process list and the shell's history: the
// old key is UK_SECRET_KEY (on SQLite else the key file), the new one
// UK_NEW_SECRET_KEY, and either missing is read from stdin, old first.
func cmdKeyRotate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("key rotate", stderr)
	config := configFlags(fs, getenv)
	cfg, err := parseConfig(fs, config, args)
	if err != nil {
		return err
	}
	var lines *bufio.Scanner
	readLine := func(what string) (string, error) {
		if stdin == nil {
			return "", fmt.Errorf("%w: %s is not set and there is no standard input to read it from", errUsage, what)
		}
		if lines == nil {
			lines = bufio.NewScanner(stdin)
		}
		if !lines.Scan() {
			return "", fmt.Errorf("%w: %s is not set and standard input has no line for it", errUsage, what)
		}
		return lines.Text(), nil
	}

	keyFile, sqlite := keyFilePath(cfg.DatabaseURL)
	var oldKey *secret.Key
	fromFile := false
	switch {
	case cfg.SecretKey != "":
		oldKey, err = secret.Parse(cfg.SecretKey)
	case sqlite && fileExists(keyFile):
		oldKey, err = readKeyFile(keyFile)
		fromFile = true
	default:
		var text string
		if text, err = readLine("UK_SECRET_KEY (the old key)"); err == nil {
			oldKey, err = secret.Parse(text)
		}
	}
	if err != nil {
		return fmt.Errorf("the old key: %w", err)
	}
	newText := getenv("UK_NEW_SECRET_KEY")
	if newText == "" {
		if newText, err = readLine("UK_NEW_SECRET_KEY (the new key)"); err != nil {
			return err
		}
	}
	newKey, err := secret.Parse(newText)
	if err != nil {
		return fmt.Errorf("the new key (UK_NEW_SECRET_KEY): %w", err)
	}
	if newKey.Matches(oldKey.CheckValue()) {
		return fmt.Errorf("%w: the new key is the old key", errUsage)
	}

	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	providers, err := st.SSOProviderCount(ctx)
	if err != nil {
		return err
	}
	// The new key is on disk before the secrets are encrypted under it, so
	// that no crash leaves secrets under a key that exists nowhere.
	staged := keyFile + ".new"
	if fromFile {
		if err := writeKeyFile(staged, newKey.String()); err != nil {
			return fmt.Errorf("stage the new key in %s: %w", staged, err)
		}
	}
	n, err := st.RotateSecretKey(ctx, oldKey, newKey)
	if err != nil {
		if fromFile {
			os.Remove(staged)
		}
		return err
	}
	fmt.Fprintf(stdout, "Re-encrypted the two-factor secrets of %s, the respondents' sealing keys and the client secrets of %s under the new key.\n",
		plural(n, "consultant", "consultants"), plural(providers, "single sign-on provider", "single sign-on providers"))
	if fromFile {
		if err := os.Rename(staged, keyFile); err != nil {
			return fmt.Errorf("the secrets are encrypted under the new key, which is in %s; move it to %s: %w", staged, keyFile, err)
		}
		fmt.Fprintf(stdout, "%s now holds the new key; back it up and restart the service.\n", keyFile)
		return nil
	}
	fmt.Fprintln(stdout, "Start every instance with the new key as UK_SECRET_KEY, and keep the old one until the backups made under it have expired.")
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
