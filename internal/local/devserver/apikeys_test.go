package devserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

// TestKeyRoutesNeedTheKeyFile: key management on the running dev server
// answers only a caller that shows a secret of the 0600 key file; being
// on loopback is not enough (another user of the machine is there too).
func TestKeyRoutesNeedTheKeyFile(t *testing.T) {
	cfg := devserver.Config{Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t)}
	s, _ := startServer(t, cfg, t0)
	kf, err := devserver.ReadKeyFile(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"bu": "northwind", "name": "ci", "scopes": ["journeys:read"]}`
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer jk_not_in_the_file", http.StatusUnauthorized},
		{"a secret of the key file", "Bearer " + kf.AnyKey(), http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, "http://"+cfg.Addr+"/local/apikeys", strings.NewReader(body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("POST /local/apikeys: %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if keys, err := s.System().Store.ListAPIKeys(t.Context(), "northwind"); err != nil || len(keys) != 2 {
		t.Errorf("%d keys stored (%v), want the local key and the one made with the file's secret", len(keys), err)
	}
}
