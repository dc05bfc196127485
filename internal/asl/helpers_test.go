package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// t0 is where test engines' virtual clocks start.
var t0 = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

func mustLoad(t testing.TB, def string) *asl.Machine {
	t.Helper()
	m, err := asl.Load([]byte(def))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return m
}

// testEngine is an engine on a virtual clock with a seeded random source.
func testEngine(t testing.TB, opts ...asl.Option) (*asl.Engine, *asl.VirtualClock) {
	t.Helper()
	vc := asl.NewVirtualClock(t0)
	e := asl.NewEngine(append([]asl.Option{asl.WithClock(vc), asl.WithSeed(42)}, opts...)...)
	return e, vc
}

func start(t testing.TB, e *asl.Engine, m *asl.Machine, name, input string) string {
	t.Helper()
	arn, err := e.Start(context.Background(), asl.StartRequest{Machine: m, Name: name, Input: []byte(input)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return arn
}

func runUntil(t testing.TB, e *asl.Engine, at time.Time) {
	t.Helper()
	if err := e.RunUntil(context.Background(), at); err != nil {
		t.Fatalf("run until %s: %v", at, err)
	}
}

func describe(t testing.TB, e *asl.Engine, arn string) asl.Description {
	t.Helper()
	d, err := e.Describe(arn)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	return d
}

// eventTypes lists the types (and state names) of an execution's events.
func eventTypes(t testing.TB, e *asl.Engine, arn string) []string {
	t.Helper()
	h, err := e.History(arn)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	out := make([]string, len(h))
	for i, ev := range h {
		out[i] = string(ev.Type)
		if n := ev.Name(); n != "" {
			out[i] += " " + n
		}
	}
	return out
}

// canon re-encodes JSON text with sorted keys, for comparisons.
func canon(t testing.TB, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("canon %q: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// recorder is an in-process function that records its payloads and answers
// from a script.
type recorder struct {
	calls []string
	reply func(n int, payload []byte) ([]byte, error)
}

func (r *recorder) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r.calls = append(r.calls, string(payload))
	if r.reply == nil {
		return payload, nil
	}
	return r.reply(len(r.calls), payload)
}

func jsonField(t testing.TB, doc []byte, path ...string) any {
	t.Helper()
	v, err := jsonv.Parse(doc)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	for _, p := range path {
		o, ok := v.(*jsonv.Object)
		if !ok {
			t.Fatalf("%s: no field %s", doc, p)
		}
		v, _ = o.Get(p)
	}
	return v
}

var errBoom = errors.New("boom")

func wrapped(err error) error { return fmt.Errorf("send welcome: %w", err) }
