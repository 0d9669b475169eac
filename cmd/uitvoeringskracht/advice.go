package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/report"
)

// cmdAdvice validates an advice library folder the way `questionnaire
// check` validates a questionnaire: every problem as FILE:LINE: message,
// then whether the library covers every route, band and factor of the
// questionnaire it will be used with.
func cmdAdvice(args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] != "check" {
		return fmt.Errorf("%w: uitvoeringskracht advice check [--questionnaire FILE] DIR", errUsage)
	}
	fs := newFlagSet("advice check", stderr)
	qfile := fs.String("questionnaire", "", "questionnaire YAML file the advice is for (default: the embedded "+defaultQuestionnaire+")")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: uitvoeringskracht advice check [--questionnaire FILE] DIR", errUsage)
	}
	dir := fs.Arg(0)
	q, err := loadQuestionnaire(*qfile)
	if err != nil {
		return err
	}
	lib, err := report.LoadAdvice(os.DirFS(dir), ".")
	if err == nil {
		err = lib.Check(q)
	}
	var ps *questionnaire.Problems
	switch {
	case errors.As(err, &ps):
		for _, p := range ps.List {
			// Paths inside the folder become paths the shell and an
			// editor can open.
			p.File = filepath.Join(dir, p.File)
			fmt.Fprintln(stderr, p.String())
		}
		return errors.New(plural(len(ps.List), "problem in the advice library", "problems in the advice library"))
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%s; complete for %s version %s)\n", dir, languageList(lib.Languages()), q.ID, q.Version)
	return nil
}

func languageList(langs []string) string {
	if len(langs) == 1 {
		return "language " + langs[0]
	}
	s := "languages "
	for i, l := range langs {
		if i > 0 {
			s += ", "
		}
		s += l
	}
	return s
}
