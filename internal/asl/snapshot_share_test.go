package asl

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

func TestNameIn(t *testing.T) {
	for _, tc := range []struct {
		name, arn, exec string
		shared          bool
	}{
		{"tail of the ARN", "arn:aws:states:us-east-1:1:execution:m:run-1", "run-1", true},
		{"ARN names another execution", "arn:aws:states:us-east-1:1:execution:m:run-12", "run-2", false},
		{"no colon before the name", "arn:aws:states:us-east-1:1:execution:m:xrun-1", "run-1", false},
		{"ARN shorter than the name", "m", "run-1", false},
		{"express ARN ends with a UUID", "arn:aws:states:us-east-1:1:express:m:run-1:0f0e", "run-1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nameIn(tc.arn, tc.exec)
			if got != tc.exec {
				t.Fatalf("nameIn = %q, want %q", got, tc.exec)
			}
			inArn := len(tc.arn) >= len(got) && unsafe.StringData(got) == unsafe.StringData(tc.arn[len(tc.arn)-len(got):])
			if inArn != tc.shared {
				t.Errorf("shares the ARN's memory: %v, want %v", inArn, tc.shared)
			}
		})
	}
}

// TestRestoreSharesValues: a restored waiting execution holds one parsed
// value where the running one held one (the input of the execution, of the
// waiting state and its effective input), and one copy of the strings
// every execution of a machine repeats.
func TestRestoreSharesValues(t *testing.T) {
	ctx := context.Background()
	m, err := Load([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := NewMemoryPersistence()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e1 := NewEngine(WithClock(NewVirtualClock(at)), WithPersistence(p))
	for _, name := range []string{"a", "b"} {
		if _, err := e1.Start(ctx, StartRequest{Machine: m, Name: name, Input: []byte(`{"contact":"c-1","n":[1,2]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e1.RunUntil(ctx, at); err != nil {
		t.Fatal(err)
	}
	e2 := NewEngine(WithClock(NewVirtualClock(at)), WithPersistence(p))
	n, err := e2.Restore(ctx, func(string) (*Machine, error) { return m, nil })
	if err != nil || n != 2 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	var xs []*execution
	for _, x := range e2.execs {
		xs = append(xs, x)
		if x.root == nil || x.root.phase != phWaiting {
			t.Fatalf("%s: not waiting", x.name)
		}
		if x.root.input != x.input || x.root.eff != x.input {
			t.Errorf("%s: input, state input and effective input are not one value", x.name)
		}
		if unsafe.StringData(x.name) != unsafe.StringData(x.arn[len(x.arn)-len(x.name):]) {
			t.Errorf("%s: the name is a copy, not the ARN's tail", x.name)
		}
	}
	if unsafe.StringData(xs[0].smArn) != unsafe.StringData(xs[1].smArn) || unsafe.StringData(xs[0].roleArn) != unsafe.StringData(xs[1].roleArn) {
		t.Error("the state machine and role ARNs are copied per execution")
	}
}
