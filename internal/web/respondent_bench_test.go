package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// BenchmarkRespondent walks one whole respondent through the running
// handlers per iteration: landing, start, every step shown and posted,
// review, submit and thanks, over loopback HTTP as a browser would. The
// client's share (parsing the pages for the form fields) is included; the
// CPU profile separates it.
func BenchmarkRespondent(b *testing.B) {
	for _, dialect := range []string{store.DialectSQLite, store.DialectPostgres} {
		b.Run(dialect, func(b *testing.B) {
			// The diagnostic cache as serve configures it.
			st := storetest.Open(b, dialect)
			f := newFixtureWith(b, st, st, Config{BaseURL: "http://uk.test", RespondentCacheTTL: 2 * time.Second})
			b.ReportAllocs()
			for b.Loop() {
				br := f.browser(b)
				review := f.completeQuestionnaire(b, br, nil)
				action, form := formOf(b, review.body)
				if thanks := br.follow(br.post(action, form)); thanks.status != http.StatusOK || !strings.Contains(thanks.body, "Bedankt") {
					b.Fatalf("thanks: %d", thanks.status)
				}
			}
		})
	}
}
