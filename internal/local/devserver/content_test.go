package devserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

// TestContentUploadRefused: the dev server renders content from the files
// under <root>/content and reads none from its store, so POST /content is
// refused (501) with the folder to edit, rather than written where nothing
// reads it.
func TestContentUploadRefused(t *testing.T) {
	cfg := devserver.Config{Root: "../../../journeys", DataDir: t.TempDir(), Addr: freeAddr(t)}
	startServer(t, cfg, t0)
	body := `{"name": "blocks/footer@9.liquid", "source": "<p>x</p>"}`
	resp, err := http.Post("http://"+cfg.Addr+"/manage/northwind/content", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(out), "journeys/content") {
		t.Errorf("POST /content: %d %s, want 501 naming the content folder", resp.StatusCode, out)
	}
}
