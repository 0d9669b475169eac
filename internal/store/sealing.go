package store

import (
	"context"
	"crypto/rand"

	"github.com/uptrace/bun"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// SealingKeySize is the length of a sealing key in bytes (AES-256).
const SealingKeySize = 32

type sealingKeyRow struct {
	bun.BaseModel `bun:"table:sealing_keys,alias:sk"`

	ID          int    `bun:"id,pk"`
	KeyMaterial []byte `bun:"key_material"`
	CreatedOn   string `bun:"created_on"`
}

// SealingKeys returns the keys that seal respondents' progress by their id
// (1 to 255), and the id of the newest, which seals new states. The first
// key is made on first use. Instances that start at the same moment race
// to insert key 1; the loser's insert does nothing and both read the
// winner's key, so every instance seals with the same key.
func (s *Store) SealingKeys(ctx context.Context) (map[byte][]byte, byte, error) {
	keys, current, err := s.readSealingKeys(ctx)
	if err != nil || len(keys) > 0 {
		return keys, current, err
	}
	row := sealingKeyRow{ID: 1, KeyMaterial: make([]byte, SealingKeySize), CreatedOn: s.now().UTC().Format("2006-01-02")}
	_, _ = rand.Read(row.KeyMaterial)
	err = s.writeStatement(ctx, "create sealing key", func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(&row).On("CONFLICT (id) DO NOTHING").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return s.readSealingKeys(ctx)
}

func (s *Store) readSealingKeys(ctx context.Context) (map[byte][]byte, byte, error) {
	var rows []sealingKeyRow
	// The writer pool: a key another instance has just made must be seen
	// at once, and a reader of SQLite may lag behind by a snapshot.
	if err := s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, 0, dbError(err, "load sealing keys")
	}
	keys := make(map[byte][]byte, len(rows))
	var current byte
	for _, r := range rows {
		if r.ID < 1 || r.ID > 255 || len(r.KeyMaterial) != SealingKeySize {
			return nil, 0, survey.Errorf(survey.CodeInternal, "sealing key %d is malformed", r.ID)
		}
		keys[byte(r.ID)] = r.KeyMaterial
		current = max(current, byte(r.ID))
	}
	return keys, current, nil
}
