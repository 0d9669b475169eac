package web

import (
	"context"
	"testing"
	"time"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// A respondent's state sealed before `key rotate` still opens on an
// instance restarted with the new UK_SECRET_KEY: the rotation re-encrypts
// the sealing keys, it does not replace them.
func TestSealedStateOpensAfterSecretKeyRotation(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.DatabaseURL(t, dialect)
			openStore := func() *store.Store {
				st, err := store.Open(ctx, dbURL, store.Options{Migrations: uitvoeringskracht.Migrations})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				if _, err := st.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return st
			}
			st := openStore()
			storetest.UseSecretKey(t, st)
			f := newFixture(t, st)
			now := time.Now()
			before := &sealer{load: st.SealingKeys, now: func() time.Time { return now }}
			p := newProgress(now)
			p.Answers["risk_culture_1"] = 4
			value, err := before.seal(ctx, f.diag, p)
			if err != nil {
				t.Fatal(err)
			}

			oldKey, _ := secret.Parse(storetest.SecretKey)
			newKey, _ := secret.Parse(secret.Generate())
			if _, err := st.RotateSecretKey(ctx, oldKey, newKey); err != nil {
				t.Fatal(err)
			}
			st.Close()

			restarted := openStore()
			if _, err := restarted.UseSecretKey(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			after := &sealer{load: restarted.SealingKeys, now: func() time.Time { return now }}
			got, err := after.open(ctx, f.diag, value)
			if err != nil || got.Nonce != p.Nonce || got.Answers["risk_culture_1"] != 4 {
				t.Fatalf("state after the rotation = %+v, %v", got, err)
			}
		})
	}
}
