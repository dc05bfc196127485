package embedded

import (
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
	bolt "go.etcd.io/bbolt"
)

func open(t *testing.T, cfg store.Config) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), cfg, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// raw lists every key and value of every bucket.
func raw(s *Store) func(t *testing.T) []string {
	return func(t *testing.T) []string {
		var out []string
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				return b.ForEach(func(k, v []byte) error {
					out = append(out, string(name)+" "+string(k)+" "+string(v))
					return nil
				})
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func openTarget(t *testing.T, cfg store.Config) storetest.Target {
	s := open(t, cfg)
	return storetest.Target{Store: s, Raw: raw(s)}
}

func TestConformance(t *testing.T) { storetest.Run(t, openTarget) }
