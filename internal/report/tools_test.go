package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// needTool returns the path of an external tool. Locally a missing tool
// skips the test; in CI (env CI set) it fails it, so that a broken CI image
// can never turn the PDF checks into silent passes.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI (Debian: apt-get install poppler-utils qpdf): %v", name, err)
	}
	t.Skipf("%s not installed: %v", name, err)
	return ""
}

// pdfText extracts the text of a PDF with pdftotext -raw: strings in the
// order they are drawn, which keeps a chart's label next to its value.
// first and last select pages; 0 means all.
func pdfText(t *testing.T, pdf []byte, first, last int) string {
	t.Helper()
	tool := needTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-enc", "UTF-8", "-raw"}
	if first > 0 {
		args = append(args, "-f", itoa(first), "-l", itoa(last))
	}
	args = append(args, path, "-")
	var out, stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return out.String()
}

// qpdfCheck runs qpdf --check on a PDF and fails the test on any problem.
func qpdfCheck(t *testing.T, pdf []byte) {
	t.Helper()
	tool := needTool(t, "qpdf")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "--check", path).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("WARNING")) {
		t.Fatalf("qpdf --check warns:\n%s", out)
	}
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
