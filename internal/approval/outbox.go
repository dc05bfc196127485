package approval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// Outbox is a Poster that writes each flow request into a folder instead
// of calling out, as the dev server and local invokes deliver everything:
// <Dir>/<bu>/approvals/<approval id>.json (the bu is read from the
// request). A developer answers it by posting an outcome to its
// callbackUrl. It is safe for concurrent use.
type Outbox struct {
	Dir string
}

var _ Poster = Outbox{}

// Send implements Poster.
func (o Outbox) Send(_ context.Context, m webhook.Message) (*webhook.Response, error) {
	bu := "unknown"
	if i := strings.Index(string(m.Body), `"bu":"`); i >= 0 {
		rest := string(m.Body)[i+6:]
		if j := strings.IndexByte(rest, '"'); j > 0 && !strings.ContainsAny(rest[:j], `/\.`) {
			bu = rest[:j]
		}
	}
	dir := filepath.Join(o.Dir, bu, "approvals")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("approval outbox: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(m.ID)+".json"), m.Body, 0o640); err != nil {
		return nil, fmt.Errorf("approval outbox: %w", err)
	}
	return &webhook.Response{StatusCode: 202, Attempts: 1}, nil
}
