package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/scoring"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// The streamed answer table holds exactly what the responses hold: the
// same rows in the same order, every answer (don't know and skipped
// included) and every background answer, also ones JSON must escape.
func TestResponseTableEqualsTheResponses(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		odd := []string{`u1`, `quote " and \ backslash`, `één – ünïcode`, "<tab>\t", ""}
		for i := range 25 {
			r := testResponse(d.ID, i)
			r.Background[survey.BackgroundUnitID] = odd[i%len(odd)]
			if i%4 == 0 {
				delete(r.Answers, "f1_2") // skipped
				delete(r.Background, survey.BackgroundRole)
			}
			r.Answers["not_an_item"] = 3
			if err := s.Submit(ctx, newNonce(), r); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Responses(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		items, background := scoring.TableColumns(&d.Questionnaire)
		got, err := s.ResponseTable(ctx, d.ID, items, background)
		if err != nil {
			t.Fatal(err)
		}
		want := survey.TableOf(rs, items, background)
		if !slices.Equal(got.IDs, want.IDs) || got.Len() != 25 {
			t.Fatalf("ids differ: %d rows, want %d", got.Len(), want.Len())
		}
		skipped := 0
		for _, id := range items {
			if !slices.Equal(got.Item(id), want.Item(id)) {
				t.Errorf("item %s: %v, want %v", id, got.Item(id), want.Item(id))
			}
			for _, v := range got.Item(id) {
				if v == survey.Skipped {
					skipped++
				}
			}
		}
		if skipped != 7 {
			t.Errorf("%d skipped answers, want 7", skipped)
		}
		for _, id := range background {
			for i := range got.Len() {
				if g, w := got.Background(id).Get(i), want.Background(id).Get(i); g != w {
					t.Errorf("row %d, %s: %q, want %q", i, id, g, w)
				}
			}
		}
		if got.Item("not_an_item") != nil {
			t.Error("an answer to an unknown item got a column")
		}
	})
}

// OpenAnswers gives one entry per response, with the open answers the
// responses hold and nothing else.
func TestOpenAnswersHoldTheResponsesOpenAnswers(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDiagnostic(t, s)
		for i := range 12 {
			r := testResponse(d.ID, i)
			if i%3 != 0 {
				r.Open = nil
			}
			if err := s.Submit(ctx, newNonce(), r); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Responses(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.OpenAnswers(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		collect := func(rs []survey.Response) []string {
			var out []string
			for _, r := range rs {
				if r.Background != nil || r.Answers != nil {
					continue
				}
				out = append(out, r.Open["tip"])
			}
			slices.Sort(out)
			return out
		}
		var want []string
		for _, r := range rs {
			want = append(want, r.Open["tip"])
		}
		slices.Sort(want)
		if len(got) != 12 || !slices.Equal(collect(got), want) {
			t.Errorf("%d entries with %q, want 12 with %q", len(got), collect(got), want)
		}
	})
}
