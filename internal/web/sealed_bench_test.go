package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/questionnaire"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// BenchmarkSealOpen measures what every step of a respondent costs now
// that the progress travels in the cookie: encode and seal, open and
// decode, for a complete state with two short open answers.
func BenchmarkSealOpen(b *testing.B) {
	st := storetest.Open(b, store.DialectSQLite)
	q, err := questionnaire.Load(uitvoeringskracht.Questionnaires, "questionnaires/uitvoeringskracht-v1.yaml")
	if err != nil {
		b.Fatal(err)
	}
	d := &survey.Diagnostic{ID: "bench", Questionnaire: *q, Units: survey.NewUnits([]string{"A", "B", "C"})}
	s := &sealer{load: st.SealingKeys, now: time.Now}
	ctx := context.Background()
	p := newProgress(time.Now())
	p.Reached = len(stepsOf(&d.Questionnaire))
	for i, it := range d.Questionnaire.AllItems() {
		p.Answers[it.ID] = 1 + i%5
	}
	p.Open["obstacle"] = strings.Repeat("Te veel overleg en te weinig tijd om echt iets te doen. ", 8)
	b.ReportAllocs()
	for b.Loop() {
		v, err := s.seal(ctx, d, p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.open(ctx, d, v); err != nil {
			b.Fatal(err)
		}
	}
}
