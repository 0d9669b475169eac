package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

// plainSealingKey is a sealing key as a database before version 0019 holds
// it: distinctive bytes, so that a raw file search finds it.
var plainSealingKey = []byte("PLAIN-SEALING-KEY-0123456789abcd")

// withPlainSealingKey stores plainSealingKey as key 1 the way version 0018
// did, by raw SQL: the store no longer writes plain keys.
func withPlainSealingKey(t *testing.T, s *store.Store) {
	t.Helper()
	if len(plainSealingKey) != store.SealingKeySize {
		t.Fatal("the fixture key has the wrong size")
	}
	lit := "X'" + hex.EncodeToString(plainSealingKey) + "'"
	if s.Dialect() == store.DialectPostgres {
		lit = "'\\x" + hex.EncodeToString(plainSealingKey) + "'::bytea"
	}
	if _, err := store.WriterDB(s).Exec("INSERT INTO sealing_keys (id, key_material, created_on) VALUES (1, " + lit + ", '2026-01-05')"); err != nil {
		t.Fatal(err)
	}
}

// sealCookie seals a value with a sealing key the way a respondent's state
// is sealed (XChaCha20-Poly1305), standing in for a cookie a respondent
// holds across the upgrade.
func sealCookie(t *testing.T, key []byte) (nonce, sealed []byte) {
	t.Helper()
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	nonce = make([]byte, a.NonceSize())
	_, _ = rand.Read(nonce)
	return nonce, a.Seal(nil, nonce, []byte("progress of a respondent"), []byte("diagnostic"))
}

func opensCookie(key, nonce, sealed []byte) bool {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return false
	}
	_, err = a.Open(nil, nonce, sealed, []byte("diagnostic"))
	return err == nil
}

// TestPlainSealingKeysAreSealedOnceAtStart: the upgrade seals the plain
// keys under UK_SECRET_KEY in the start-up transaction, keeps their value
// (a respondent's cookie sealed before still opens), and a key rotation
// keeps it too.
func TestPlainSealingKeysAreSealedOnceAtStart(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.DatabaseURL(t, dialect)
			s := openUnkeyed(t, dbURL)
			withPlainSealingKey(t, s)
			nonce, cookie := sealCookie(t, plainSealingKey)
			if _, _, err := s.SealingKeys(ctx); err == nil {
				t.Error("SealingKeys worked without a secret key")
			}
			key := newKey(t)
			if _, err := s.UseSecretKey(ctx, key); err != nil {
				t.Fatal(err)
			}
			var material []byte
			var sealed string
			if err := store.WriterDB(s).QueryRow("SELECT key_material, sealed_key FROM sealing_keys WHERE id = 1").Scan(&material, &sealed); err != nil {
				t.Fatal(err)
			}
			if len(material) != 0 || !secret.IsSealed(sealed) || strings.Contains(sealed, string(plainSealingKey)) {
				t.Fatalf("after the upgrade key_material = %q, sealed_key = %q", material, sealed)
			}
			keys, current, err := s.SealingKeys(ctx)
			if err != nil || current != 1 || !bytes.Equal(keys[1], plainSealingKey) {
				t.Fatalf("SealingKeys after the upgrade = %x, %d, %v", keys[1], current, err)
			}
			if !opensCookie(keys[current], nonce, cookie) {
				t.Fatal("a cookie sealed before the upgrade does not open after it")
			}
			// A second start leaves the sealed key as it is.
			if _, err := s.UseSecretKey(ctx, key); err != nil {
				t.Fatal(err)
			}
			var again string
			if err := store.WriterDB(s).QueryRow("SELECT sealed_key FROM sealing_keys WHERE id = 1").Scan(&again); err != nil || again != sealed {
				t.Fatalf("a second start changed the sealed key (%v)", err)
			}

			newer := newKey(t)
			if _, err := s.RotateSecretKey(ctx, key, newer); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s = openUnkeyed(t, dbURL)
			if _, err := s.UseSecretKey(ctx, newer); err != nil {
				t.Fatal(err)
			}
			keys, current, err = s.SealingKeys(ctx)
			if err != nil || !opensCookie(keys[current], nonce, cookie) {
				t.Fatalf("a cookie sealed before the rotation does not open after it (%v)", err)
			}
			var rotated string
			if err := store.WriterDB(s).QueryRow("SELECT sealed_key FROM sealing_keys WHERE id = 1").Scan(&rotated); err != nil {
				t.Fatal(err)
			}
			if _, err := key.Open(rotated, "sealing_keys/1/key"); err == nil {
				t.Error("the rotated sealing key still opens with the old UK_SECRET_KEY")
			}
		})
	}
}

// A sealed sealing key copied to another id does not open: the row is
// part of the associated data.
func TestSealedSealingKeyMovedToAnotherIDDoesNotOpen(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, _, err := s.SealingKeys(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := store.WriterDB(s).Exec("INSERT INTO sealing_keys (id, key_material, sealed_key, created_on) SELECT 2, key_material, sealed_key, created_on FROM sealing_keys WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SealingKeys(ctx); err == nil {
			t.Error("a sealing key copied to id 2 opened")
		}
	})
}

// TestNoPlainSealingKeyInTheDatabaseFiles reads the storage itself after
// the upgrade: the SQLite file and its WAL, and PostgreSQL's heap pages
// with their dead tuples.
func TestNoPlainSealingKeyInTheDatabaseFiles(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := openUnkeyed(t, storetest.DatabaseURL(t, dialect))
			withPlainSealingKey(t, s)
			if _, err := s.UseSecretKey(ctx, newKey(t)); err != nil {
				t.Fatal(err)
			}
			// A key made after the upgrade is never written plain either.
			if _, err := store.WriterDB(s).Exec("DELETE FROM sealing_keys"); err != nil {
				t.Fatal(err)
			}
			fresh, _, err := s.SealingKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			needles := [][]byte{plainSealingKey, fresh[1]}
			if dialect == store.DialectPostgres {
				schema := pageinspect(t, s)
				if _, err := store.WriterDB(s).Exec("CHECKPOINT"); err != nil {
					t.Fatal(err)
				}
				tuples := heapTuples(t, s, schema, "sealing_keys")
				if len(tuples) == 0 {
					t.Fatal("read no tuple of sealing_keys")
				}
				for _, tu := range tuples {
					for _, n := range needles {
						if bytes.Contains(tu.data, n) {
							t.Errorf("a tuple of sealing_keys (xmax %d) holds a plain sealing key", tu.xmax)
						}
					}
				}
				return
			}
			path := store.SQLitePath(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			dir := strings.TrimSuffix(path, lastElem(path))
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			read := 0
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), lastElem(path)) {
					continue
				}
				b, err := os.ReadFile(dir + e.Name())
				if err != nil {
					t.Fatal(err)
				}
				read++
				for i, n := range needles {
					if bytes.Contains(b, n) {
						t.Errorf("%s holds plain sealing key %d", e.Name(), i)
					}
				}
			}
			if read == 0 {
				t.Fatal("read no database file")
			}
		})
	}
}

// TestPostgresSealingKeyUpgradeWaitsForOlderSnapshots: VACUUM FULL keeps a
// dead tuple that a transaction from before the update could still see, so
// the plain key survived the upgrade whenever another session of the
// database (a parallel test, a long report query) held such a snapshot.
// The upgrade now waits for it, as the scrub does.
func TestPostgresSealingKeyUpgradeWaitsForOlderSnapshots(t *testing.T) {
	ctx := context.Background()
	s := openUnkeyed(t, storetest.DatabaseURL(t, store.DialectPostgres))
	withPlainSealingKey(t, s)
	schema := pageinspect(t, s)
	holder, err := store.WriterDB(s).BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// Its snapshot is what matters; reading sealing_keys itself would
	// hold a lock that makes VACUUM FULL wait anyway.
	var n int
	if err := holder.QueryRow("SELECT count(*) FROM secret_key_check").Scan(&n); err != nil {
		t.Fatalf("holder: %v", err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(time.Second)
		_ = holder.Rollback()
		close(released)
	}()
	if _, err := s.UseSecretKey(ctx, newKey(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-released:
	default:
		t.Fatal("the upgrade's VACUUM FULL ran while a transaction from before it was still open")
	}
	for _, tu := range heapTuples(t, s, schema, "sealing_keys") {
		if bytes.Contains(tu.data, plainSealingKey) {
			t.Errorf("a tuple of sealing_keys (xmax %d) holds the plain sealing key", tu.xmax)
		}
	}
}
