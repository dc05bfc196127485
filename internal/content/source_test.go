package content

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// flakySource fails block loads while down is set, as a store would during
// an outage.
type flakySource struct {
	Source
	down atomic.Bool
}

var errOutage = errors.New("store unavailable")

func (f *flakySource) Block(ctx context.Context, bu, name, locale string, version int) (*Block, error) {
	if f.down.Load() {
		return nil, errOutage
	}
	return f.Source.Block(ctx, bu, name, locale, version)
}

// TestSourceFailureNotCached: a Source outage fails the render with the
// Source's error, and the template renders once the Source is back.
func TestSourceFailureNotCached(t *testing.T) {
	src, _ := LoadFiles(mapFS(map[string]string{
		"templates/t.liquid":  email(`{% render 'sig' %}`),
		"blocks/sig@1.liquid": "sig",
	}), "content")
	flaky := &flakySource{Source: src}
	flaky.down.Store(true)
	l := NewLibrary(flaky, Options{Schema: testSchema(), Links: testLinks(t)})
	_, err := l.Render(context.Background(), testRequest("t"))
	var ps Problems
	if !errors.Is(err, errOutage) || errors.As(err, &ps) {
		t.Fatalf("during the outage: %v, want the source error and no Problems", err)
	}
	flaky.down.Store(false)
	if m := mustRender(t, l, testRequest("t")); m.HTML != "sig" {
		t.Errorf("after the outage: %q", m.HTML)
	}
}
