package store_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
)

func TestPoolStatsNamesEveryPool(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		if err := s.Ready(context.Background()); err != nil {
			t.Fatal(err)
		}
		stats := s.PoolStats()
		want := []string{store.PoolPrimary}
		if s.Dialect() == store.DialectSQLite {
			want = []string{store.PoolReader, store.PoolWriter}
		}
		if got := slices.Sorted(maps.Keys(stats)); !slices.Equal(got, want) {
			t.Fatalf("pools %v, want %v", got, want)
		}
		for name, st := range stats {
			if st.MaxOpenConnections <= 0 {
				t.Errorf("%s: MaxOpenConnections %d, want a limit", name, st.MaxOpenConnections)
			}
			// Ready pinged every pool, so each holds a connection.
			if st.OpenConnections < 1 || st.InUse+st.Idle != st.OpenConnections {
				t.Errorf("%s: open %d, in use %d, idle %d", name, st.OpenConnections, st.InUse, st.Idle)
			}
		}
		if s.Dialect() == store.DialectSQLite && stats[store.PoolWriter].MaxOpenConnections != 1 {
			t.Errorf("the SQLite writer allows %d connections, want 1", stats[store.PoolWriter].MaxOpenConnections)
		}
	})
}
