package store_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// Plain TOTP secrets as a database before migration 0012 holds them:
// base32, distinctive enough to be found in a raw file.
const (
	plainTOTP    = "JBSWY3DPEHPK3PXPQZKTOTPSECRETONE"
	plainPending = "GEZDGNBVGY3TQOJQPENDINGSECRETTWO"
)

func newKey(t *testing.T) *secret.Key {
	t.Helper()
	k, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openUnkeyed opens and migrates a store on dbURL without a secret key, as
// start-up does before it has settled the key.
func openUnkeyed(t *testing.T, dbURL string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dbURL, store.Options{Migrations: uitvoeringskracht.Migrations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// withPlainTOTP gives a consultant the plain secrets a database of
// version 0011 holds, by raw SQL: the store no longer writes plain text.
func withPlainTOTP(t *testing.T, s *store.Store) *survey.Consultant {
	t.Helper()
	c := newConsultant(t, s, newFirm(t, s, "Noord"), "ann@noord.nl", false)
	_, err := store.WriterDB(s).Exec("UPDATE consultants SET totp_secret = '" + plainTOTP + "', totp_enabled = TRUE, totp_pending_secret = '" + plainPending + "' WHERE id = '" + c.ID + "'")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func storedTOTP(t *testing.T, s *store.Store, id string) (totpSecret, pending string) {
	t.Helper()
	err := store.WriterDB(s).QueryRow("SELECT totp_secret, totp_pending_secret FROM consultants WHERE id = '"+id+"'").Scan(&totpSecret, &pending)
	if err != nil {
		t.Fatal(err)
	}
	return totpSecret, pending
}

func TestUseSecretKeyEncryptsPlainSecretsOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := openUnkeyed(t, storetest.DatabaseURL(t, dialect))
			c := withPlainTOTP(t, s)
			if _, err := s.Credentials(ctx, c.ID); err == nil {
				t.Error("Credentials worked without a secret key")
			}
			if recorded, err := s.SecretKeyRecorded(ctx); err != nil || recorded {
				t.Fatalf("SecretKeyRecorded before the first key = %v, %v", recorded, err)
			}
			key := newKey(t)
			n, err := s.UseSecretKey(ctx, key)
			if err != nil || n != 2 {
				t.Fatalf("UseSecretKey = %d, %v; want 2 secrets encrypted", n, err)
			}
			got, pending := storedTOTP(t, s, c.ID)
			for _, v := range []string{got, pending} {
				if !secret.IsSealed(v) || strings.Contains(v, plainTOTP) || strings.Contains(v, plainPending) {
					t.Errorf("stored value %q is not sealed", v)
				}
			}
			creds, err := s.Credentials(ctx, c.ID)
			if err != nil || creds.TOTPSecret != plainTOTP || creds.TOTPPendingSecret != plainPending {
				t.Fatalf("Credentials = %+v, %v", creds, err)
			}
			// The next start finds nothing plain and leaves the values be.
			if n, err := s.UseSecretKey(ctx, key); err != nil || n != 0 {
				t.Fatalf("second UseSecretKey = %d, %v", n, err)
			}
			if again, _ := storedTOTP(t, s, c.ID); again != got {
				t.Error("a second start re-encrypted a sealed secret")
			}
			if recorded, err := s.SecretKeyRecorded(ctx); err != nil || !recorded {
				t.Errorf("SecretKeyRecorded after the first key = %v, %v", recorded, err)
			}
		})
	}
}

func TestWrongSecretKeyIsRefused(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.DatabaseURL(t, dialect)
			s := openUnkeyed(t, dbURL)
			c := withPlainTOTP(t, s)
			if _, err := s.UseSecretKey(ctx, newKey(t)); err != nil {
				t.Fatal(err)
			}
			before, _ := storedTOTP(t, s, c.ID)
			s.Close()
			// A restart with another key, even on a database without any
			// two-factor secret, stops at once.
			s = openUnkeyed(t, dbURL)
			_, err := s.UseSecretKey(ctx, newKey(t))
			if err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
				t.Fatalf("UseSecretKey with another key = %v; want an error naming UK_SECRET_KEY", err)
			}
			if _, err := s.Credentials(ctx, c.ID); err == nil {
				t.Error("Credentials worked after the key was refused")
			}
			if after, _ := storedTOTP(t, s, c.ID); after != before {
				t.Error("a refused key changed a stored secret")
			}
		})
	}
}

func TestSealedSecretMovedToAnotherRowDoesNotOpen(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		ann := newConsultant(t, s, firm, "ann@noord.nl", false)
		bob := newConsultant(t, s, firm, "bob@noord.nl", false)
		if err := s.SetPendingTOTP(ctx, ann.ID, "ANNSECRET"); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableTOTP(ctx, ann.ID, "ANNSECRET", 1, nil); err != nil {
			t.Fatal(err)
		}
		// Someone with write access to the table copies Ann's secret to Bob
		// to sign in as Bob with Ann's authenticator.
		_, err := store.WriterDB(s).Exec("UPDATE consultants SET totp_enabled = TRUE, totp_secret = (SELECT totp_secret FROM consultants WHERE id = '" + ann.ID + "') WHERE id = '" + bob.ID + "'")
		if err != nil {
			t.Fatal(err)
		}
		if creds, err := s.Credentials(ctx, bob.ID); err == nil {
			t.Fatalf("Bob's credentials opened with Ann's sealed secret: %+v", creds)
		}
		if creds, err := s.Credentials(ctx, ann.ID); err != nil || creds.TOTPSecret != "ANNSECRET" {
			t.Fatalf("Ann's credentials = %+v, %v", creds, err)
		}
	})
}

func TestRotateSecretKeyRoundTrip(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.DatabaseURL(t, dialect)
			s := openUnkeyed(t, dbURL)
			c := withPlainTOTP(t, s)
			oldKey, newKey, stranger := newKey(t), newKey(t), newKey(t)
			if _, err := s.UseSecretKey(ctx, oldKey); err != nil {
				t.Fatal(err)
			}
			sealedOld, _ := storedTOTP(t, s, c.ID)
			if _, err := s.RotateSecretKey(ctx, stranger, newKey); err == nil || !strings.Contains(err.Error(), "UK_SECRET_KEY") {
				t.Fatalf("rotation from a wrong old key = %v; want an error naming UK_SECRET_KEY", err)
			}
			if now, _ := storedTOTP(t, s, c.ID); now != sealedOld {
				t.Fatal("a refused rotation changed a secret")
			}
			n, err := s.RotateSecretKey(ctx, oldKey, newKey)
			if err != nil || n != 1 {
				t.Fatalf("RotateSecretKey = %d, %v; want 1 consultant", n, err)
			}
			s.Close()

			s = openUnkeyed(t, dbURL)
			if _, err := s.UseSecretKey(ctx, oldKey); err == nil {
				t.Fatal("the old key is still accepted after rotation")
			}
			if _, err := s.UseSecretKey(ctx, newKey); err != nil {
				t.Fatalf("the new key is refused after rotation: %v", err)
			}
			creds, err := s.Credentials(ctx, c.ID)
			if err != nil || creds.TOTPSecret != plainTOTP || creds.TOTPPendingSecret != plainPending {
				t.Fatalf("Credentials after rotation = %+v, %v", creds, err)
			}
			sealedNew, _ := storedTOTP(t, s, c.ID)
			if _, err := oldKey.Open(sealedNew, "consultants/"+c.ID+"/totp_secret"); err == nil {
				t.Error("the rotated secret still opens with the old key")
			}
		})
	}
}

// TestNoPlainTOTPSecretInTheSQLiteFile reads the database file itself: an
// encrypted column is no help if the plain value survives in a free page or
// the WAL.
func TestNoPlainTOTPSecretInTheSQLiteFile(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.DatabaseURL(t, store.DialectSQLite)
	s := openUnkeyed(t, dbURL)
	withPlainTOTP(t, s)
	path := store.SQLitePath(s)
	if _, err := s.UseSecretKey(ctx, newKey(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(strings.TrimSuffix(path, "/"+lastElem(path)))
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), lastElem(path)) {
			continue
		}
		b, err := os.ReadFile(strings.TrimSuffix(path, lastElem(path)) + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		read++
		for _, plain := range []string{plainTOTP, plainPending} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("%s holds the plain secret %s", e.Name(), plain)
			}
		}
	}
	if read == 0 {
		t.Fatal("read no database file")
	}
}

func lastElem(path string) string { return path[strings.LastIndex(path, "/")+1:] }
