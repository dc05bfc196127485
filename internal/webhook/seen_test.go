package webhook

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestMemorySeen(t *testing.T) {
	now := time.Unix(1000, 0)
	m := &MemorySeen{Now: func() time.Time { return now }, Capacity: 3}
	ctx := context.Background()
	remember := func(id string, until time.Time) bool {
		t.Helper()
		first, err := m.Remember(ctx, id, until)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	if !remember("a", now.Add(time.Minute)) {
		t.Fatal("a: want first time")
	}
	if remember("a", now.Add(time.Minute)) {
		t.Fatal("a again: want replay")
	}
	now = now.Add(2 * time.Minute)
	if !remember("a", now.Add(time.Minute)) {
		t.Fatal("a after expiry: want first time")
	}
	// Capacity: b, c fill it; d evicts the earliest expiry (b).
	remember("b", now.Add(10*time.Second))
	remember("c", now.Add(time.Hour))
	remember("d", now.Add(time.Hour))
	if got := m.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3", got)
	}
	if remember("c", now.Add(time.Hour)) {
		t.Error("c evicted too early")
	}
	if !remember("b", now.Add(time.Hour)) {
		t.Error("b should have been evicted first")
	}
}

func TestMemorySeenConcurrent(t *testing.T) {
	m := &MemorySeen{}
	ctx := context.Background()
	until := time.Now().Add(time.Hour)
	firsts := make(chan bool, 800)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				first, _ := m.Remember(ctx, fmt.Sprint("id-", i), until)
				firsts <- first
			}
			done <- struct{}{}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(firsts)
	n := 0
	for f := range firsts {
		if f {
			n++
		}
	}
	if n != 100 {
		t.Errorf("%d first sightings of 100 ids, want 100", n)
	}
}
