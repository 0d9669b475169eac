package store

import (
	"context"
	"crypto/rand"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/secret"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// SealingKeySize is the length of a sealing key in bytes (AES-256).
const SealingKeySize = 32

// A sealing key is kept sealed under UK_SECRET_KEY in sealed_key. Before
// version 0019 it was kept plain in key_material, which start-up empties
// when it seals the key (UseSecretKey).
type sealingKeyRow struct {
	bun.BaseModel `bun:"table:sealing_keys,alias:sk"`

	ID          int    `bun:"id,pk"`
	KeyMaterial []byte `bun:"key_material"`
	SealedKey   string `bun:"sealed_key"`
	CreatedOn   string `bun:"created_on"`
}

// sealingKeyAD binds a sealed sealing key to its row: a key copied to
// another id does not open.
func sealingKeyAD(id int) string { return "sealing_keys/" + strconv.Itoa(id) + "/key" }

// SealingKeys returns the keys that seal respondents' progress by their id
// (1 to 255), and the id of the newest, which seals new states. The first
// key is made on first use. Instances that start at the same moment race
// to insert key 1; the loser's insert does nothing and both read the
// winner's key, so every instance seals with the same key. The keys are
// stored sealed under UK_SECRET_KEY, so the store needs UseSecretKey first.
func (s *Store) SealingKeys(ctx context.Context) (map[byte][]byte, byte, error) {
	key, err := s.secretKey()
	if err != nil {
		return nil, 0, err
	}
	keys, current, err := s.readSealingKeys(ctx, key)
	if err != nil || len(keys) > 0 {
		return keys, current, err
	}
	material := make([]byte, SealingKeySize)
	_, _ = rand.Read(material)
	row := sealingKeyRow{ID: 1, KeyMaterial: []byte{}, SealedKey: key.Seal(string(material), sealingKeyAD(1)), CreatedOn: s.now().UTC().Format("2006-01-02")}
	err = s.writeStatement(ctx, "create sealing key", func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(&row).On("CONFLICT (id) DO NOTHING").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return s.readSealingKeys(ctx, key)
}

func (s *Store) readSealingKeys(ctx context.Context, key *secret.Key) (map[byte][]byte, byte, error) {
	var rows []sealingKeyRow
	// The writer pool: a key another instance has just made must be seen
	// at once, and a reader of SQLite may lag behind by a snapshot.
	if err := s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, 0, dbError(err, "load sealing keys")
	}
	keys := make(map[byte][]byte, len(rows))
	var current byte
	for _, r := range rows {
		plain, err := key.Open(r.SealedKey, sealingKeyAD(r.ID))
		if err != nil || r.SealedKey == "" {
			return nil, 0, survey.Errorf(survey.CodeInternal, "sealing key %d does not open with UK_SECRET_KEY", r.ID)
		}
		if r.ID < 1 || r.ID > 255 || len(plain) != SealingKeySize {
			return nil, 0, survey.Errorf(survey.CodeInternal, "sealing key %d is malformed", r.ID)
		}
		keys[byte(r.ID)] = []byte(plain)
		current = max(current, byte(r.ID))
	}
	return keys, current, nil
}

// sealPlainSealingKeys seals the sealing keys still stored plain (before
// version 0019) under key and empties their plain column, within tx. It
// returns how many it sealed.
func sealPlainSealingKeys(ctx context.Context, tx bun.Tx, key *secret.Key) (int, error) {
	var rows []sealingKeyRow
	if err := tx.NewSelect().Model(&rows).Where("sealed_key = ''").Order("id").Scan(ctx); err != nil {
		return 0, err
	}
	for _, r := range rows {
		if len(r.KeyMaterial) != SealingKeySize {
			return 0, survey.Errorf(survey.CodeInternal, "sealing key %d is malformed", r.ID)
		}
		_, err := tx.NewUpdate().Model((*sealingKeyRow)(nil)).Where("id = ?", r.ID).
			Set("sealed_key = ?", key.Seal(string(r.KeyMaterial), sealingKeyAD(r.ID))).
			Set("key_material = ?", []byte{}).
			Exec(ctx)
		if err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// resealSealingKeys re-encrypts every sealing key from oldKey to newKey
// within tx, for a key rotation. The keys themselves stay: states sealed
// before the rotation still open.
func resealSealingKeys(ctx context.Context, tx bun.Tx, oldKey, newKey *secret.Key) error {
	var rows []sealingKeyRow
	if err := tx.NewSelect().Model(&rows).Column("id", "sealed_key").Order("id").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		plain, err := oldKey.Open(r.SealedKey, sealingKeyAD(r.ID))
		if err != nil || r.SealedKey == "" {
			return survey.Errorf(survey.CodeInternal, "sealing key %d does not open with the old UK_SECRET_KEY; nothing was changed", r.ID)
		}
		_, err = tx.NewUpdate().Model((*sealingKeyRow)(nil)).Where("id = ?", r.ID).
			Set("sealed_key = ?", newKey.Seal(plain, sealingKeyAD(r.ID))).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// vacuumSealingKeys rewrites the PostgreSQL table without the dead tuples
// that still hold the plain keys an update replaced; SQLite's
// secure_delete has already zeroed them. VACUUM FULL keeps a dead tuple
// that a transaction older than the update could still see, so it first
// waits for those to end, as the scrub does; if one outlives the wait the
// next scrub, which also rewrites sealing_keys, drops the tuple.
func (s *Store) vacuumSealingKeys(ctx context.Context) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return dbError(err, "vacuum sealing keys")
	}
	defer conn.Close()
	if err := s.awaitScrubHorizon(ctx, conn); err != nil {
		return dbError(err, "vacuum sealing keys")
	}
	_, err = conn.ExecContext(ctx, "VACUUM FULL sealing_keys")
	return dbError(err, "vacuum sealing keys")
}
