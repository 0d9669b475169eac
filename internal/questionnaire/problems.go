package questionnaire

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a questionnaire file, at a line (1-based)
// so that an editor can jump to it.
type Problem struct {
	File    string
	Line    int
	Message string
}

// String formats the problem the way compilers do, FILE:LINE: message, which
// editors and CI logs recognise.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
}

// Problems is the error Parse returns for an invalid file. It holds every
// problem found, not just the first, sorted by line, so that an author can
// fix a file in one go.
type Problems struct {
	List []Problem
}

// Error prints one FILE:LINE: message per line.
func (p *Problems) Error() string {
	var b strings.Builder
	for i, pr := range p.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pr.String())
	}
	return b.String()
}
