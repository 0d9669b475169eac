package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/auth"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Audit actions of the command line, named as the web layer names them.
const (
	auditUserCreate  = "user_create"
	auditTokenCreate = "token_create"
)

// cmdUser creates consultant accounts; "user add --admin" makes the first
// one of a firm, who invites the others from the web. The password is read
// from standard input, never from a flag: flags end up in shell histories
// and process lists.
func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: uitvoeringskracht user add --firm NAME --email ADDRESS [--admin]", errUsage)
	}
	fs := newFlagSet("user add", stderr)
	config := configFlags(fs, getenv)
	firmName := fs.String("firm", "", "name of the consultancy firm; created when missing (required)")
	email := fs.String("email", "", "e-mail address the consultant signs in with (required)")
	admin := fs.Bool("admin", false, "make the consultant an administrator of the firm")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: uitvoeringskracht user add --firm NAME --email ADDRESS [--admin] [flags]")
		fmt.Fprintln(stderr, "The password is asked for, or read as one line from standard input.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	name := strings.TrimSpace(*firmName)
	if name == "" {
		return fmt.Errorf("%w: --firm is required", errUsage)
	}
	address, err := validEmail(*email)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	if problem := auth.CheckPassword(password, address, name); problem != "" {
		return errors.New(problem.Message())
	}

	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	firm, err := st.FirmByName(ctx, name)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		firm = &survey.Firm{Name: name}
		if err := st.CreateFirm(ctx, firm); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created firm %q.\n", firm.Name)
	} else if err != nil {
		return err
	}
	cons := &survey.Consultant{FirmID: firm.ID, Email: address, IsAdmin: *admin}
	if err := st.CreateConsultant(ctx, cons, auth.NewHasher(auth.DefaultParams()).Hash(password)); err != nil {
		return err
	}
	if err := st.AddAudit(ctx, &survey.AuditEntry{
		FirmID: firm.ID, Action: auditUserCreate, TargetType: "consultant", TargetID: cons.ID, Detail: cons.Email,
	}); err != nil {
		return err
	}
	role := "consultant"
	if cons.IsAdmin {
		role = "administrator"
	}
	fmt.Fprintf(stdout, "Created %s %s in firm %q. Sign in at %s\n", role, cons.Email, firm.Name, signInURL(cfg))
	return nil
}

// cmdToken creates API tokens for scripts: the token is printed once, alone
// on standard output, so that it can be piped into a secret store.
func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: uitvoeringskracht token create --email ADDRESS [--name NAME]", errUsage)
	}
	fs := newFlagSet("token create", stderr)
	config := configFlags(fs, getenv)
	email := fs.String("email", "", "e-mail address of the consultant the token acts for (required)")
	name := fs.String("name", "command line", "what the token is for, as shown on the account page")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if strings.TrimSpace(*email) == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	if strings.TrimSpace(*name) == "" || len(*name) > 100 {
		return fmt.Errorf("%w: --name must have 1 to 100 characters", errUsage)
	}
	st, err := openPreparedStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	cons, err := st.ConsultantByEmail(ctx, *email)
	if survey.ErrorCode(err) == survey.CodeNotFound {
		return fmt.Errorf("no consultant has the e-mail address %s", auth.NormaliseEmail(*email))
	}
	if err != nil {
		return err
	}
	if cons.Disabled {
		return fmt.Errorf("the account %s is disabled", cons.Email)
	}
	tok, secret, err := st.CreateAPIToken(ctx, cons.ID, *name)
	if err != nil {
		return err
	}
	if err := st.AddAudit(ctx, &survey.AuditEntry{
		FirmID: cons.FirmID, ConsultantID: cons.ID, Email: cons.Email,
		Action: auditTokenCreate, TargetType: "api_token", TargetID: tok.ID, Detail: tok.Name,
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "Created API token %q for %s. It is shown only this once: store it now. Send it as \"Authorization: Bearer TOKEN\".\n", tok.Name, cons.Email)
	return nil
}

// parseFlags parses args; a mistake in them is a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}

// validEmail returns the normalised address, or why it is not one.
func validEmail(email string) (string, error) {
	address := auth.NormaliseEmail(email)
	if address == "" {
		return "", errors.New("--email is required")
	}
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Address != address || len(address) > 254 {
		return "", fmt.Errorf("--email %q is not an e-mail address", email)
	}
	return address, nil
}

// maxPasswordInput bounds what is read from standard input.
const maxPasswordInput = 4096

// readPassword asks twice without echo when standard input is a terminal,
// and otherwise reads one line (for scripts: printf '%s\n' "$PW" | ...).
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password (at least 12 characters): ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Repeat the password: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	if stdin == nil {
		return "", errors.New("no password: give it on standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, maxPasswordInput)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: give it on standard input, as one line")
	}
	return line, nil
}
