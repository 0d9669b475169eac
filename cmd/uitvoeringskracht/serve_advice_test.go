package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A broken --advice-dir stops `serve` at start-up with every problem as
// FILE:LINE, before the service takes a request; a good one starts it.
func TestServeChecksTheAdviceDir(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(t.TempDir(), "uk.db")
	shipped, err := os.ReadFile("../../templates/advice/nl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeAdvice(t, dir, "nl.yaml", strings.Replace(string(shipped), "- id: capacity", "- id: capacty", 1))
	code, _, errOut := runCLI(t, nil, "serve", "--addr", "127.0.0.1:0", "--database", db, "--advice-dir", dir)
	if code != 1 {
		t.Fatalf("serve with a broken advice folder: exit %d, want 1:\n%s", code, errOut)
	}
	for _, want := range []string{
		"--advice-dir " + dir,
		filepath.Join(dir, "nl.yaml") + `:13: no advice for factor "capacity"`,
		"2 problems in the advice library",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("output lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(strings.TrimPrefix(db, "sqlite:")); err == nil {
		t.Error("serve touched the database before it checked the advice")
	}

	// The environment variable works the same; a syntax error has its line.
	writeAdvice(t, dir, "nl.yaml", "language: nl\nroutes:\n  - id: [\n")
	code, _, errOut = runCLI(t, map[string]string{"UK_ADVICE_DIR": dir}, "serve", "--addr", "127.0.0.1:0", "--database", db)
	if code != 1 || !strings.Contains(errOut, filepath.Join(dir, "nl.yaml")+":4: YAML syntax error") {
		t.Errorf("UK_ADVICE_DIR with a syntax error: exit %d:\n%s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "serve", "--addr", "127.0.0.1:0", "--database", db, "--advice-dir", filepath.Join(dir, "missing")); code != 1 || !strings.Contains(errOut, "--advice-dir") {
		t.Errorf("a missing folder: exit %d:\n%s", code, errOut)
	}

	// A complete folder: the service starts, and stops when told to.
	good := t.TempDir()
	for _, name := range []string{"nl.yaml", "en.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../templates/advice", name))
		if err != nil {
			t.Fatal(err)
		}
		writeAdvice(t, good, name, string(data))
	}
	// The deadline stands in for the stop signal once the service runs.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out, errBuf strings.Builder
	if code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database", db, "--advice-dir", good}, strings.NewReader(""), &out, &errBuf, func(string) string { return "" }); code != 0 {
		t.Errorf("serve with a complete advice folder: exit %d:\n%s", code, errBuf.String())
	}
}
