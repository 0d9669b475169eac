package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
)

// cmdQuestionnaire validates questionnaire files and prints one
// FILE:LINE: message per problem.
func cmdQuestionnaire(args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "check" {
		return fmt.Errorf("%w: uitvoeringskracht questionnaire check FILE [FILE ...]", errUsage)
	}
	failed := 0
	for _, path := range args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			failed++
			continue
		}
		q, err := questionnaire.Parse(path, data)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s version %s: %d factors, %d items)\n", path, q.ID, q.Version, len(q.Factors), len(q.AllItems()))
	}
	if failed > 0 {
		return errors.New(plural(failed, "file has problems", "files have problems"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
