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

// countingSource counts the Source calls, to show that renders after the
// first use the compiled cache.
type countingSource struct {
	Source
	calls atomic.Int64
}

func (c *countingSource) Template(ctx context.Context, bu, id, locale string, version int) (*Template, error) {
	c.calls.Add(1)
	return c.Source.Template(ctx, bu, id, locale, version)
}

func (c *countingSource) Block(ctx context.Context, bu, name, locale string, version int) (*Block, error) {
	c.calls.Add(1)
	return c.Source.Block(ctx, bu, name, locale, version)
}

func TestCompiledOnce(t *testing.T) {
	src, _ := LoadFiles(mapFS(benchFiles()), "content")
	cs := &countingSource{Source: src}
	l := NewLibrary(cs, Options{Schema: testSchema(), Links: testLinks(t)})
	mustRender(t, l, benchRequest())
	first := cs.calls.Load()
	if first == 0 {
		t.Fatal("the first render read nothing from the source")
	}
	for i := 0; i < 20; i++ {
		mustRender(t, l, benchRequest())
	}
	if n := cs.calls.Load(); n != first {
		t.Errorf("renders after the first read the source %d more times", n-first)
	}
	l.Invalidate()
	mustRender(t, l, benchRequest())
	if n := cs.calls.Load(); n != 2*first {
		t.Errorf("after Invalidate the source was read %d times, want %d", n-first, first)
	}
}

func TestTemplateVersionsAndUnits(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid":            "---\nchannel: sms\nkind: transactional\nversion: 2\n---\nshared v2",
		"units/emea/templates/t.liquid": smsFile("emea v1"),
	})
	for _, tc := range []struct {
		bu      string
		version int
		want    string
	}{{"northwind", 0, "shared v2"}, {"northwind", 2, "shared v2"}, {"emea", 0, "emea v1"}} {
		req := testRequest("t")
		req.BU, req.Version = tc.bu, tc.version
		if m := mustRender(t, l, req); m.Text != tc.want {
			t.Errorf("%s v%d = %q, want %q", tc.bu, tc.version, m.Text, tc.want)
		}
	}
	req := testRequest("t")
	req.Version = 1
	if _, err := l.Render(context.Background(), req); !errors.Is(err, ErrNotFound) {
		t.Errorf("version 1 of a version-2 template: %v, want ErrNotFound", err)
	}
}
