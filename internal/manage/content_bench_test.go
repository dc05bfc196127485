package manage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// BenchmarkContentUpload checks and writes the whole journeys/content
// folder (one batch) into a fresh memory store per iteration: the parse,
// the check against the store and the writes, without HTTP.
func BenchmarkContentUpload(b *testing.B) {
	files, err := manage.ContentFiles(filepath.Join("..", "..", "journeys", "content"), nil, "", false)
	if err != nil {
		b.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		svc := manage.NewService(memory.New(store.Config{Now: now}), nil, nil, manage.Config{}, manage.Options{Now: now})
		res, err := svc.PutContent(ctx, "northwind", "bench", manage.ContentRequest{Files: files})
		if err != nil || len(res.Items) != len(files) {
			b.Fatalf("%d items, %v", len(res.Items), err)
		}
		n += len(files)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "files/s")
}
