package sample_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/rie"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// benchTarget is a built bootstrap, its environment and an event maker.
type benchTarget struct {
	name, bootstrap string
	env             []string
	// event returns the i-th event; its setup (seeding) is not timed.
	event func(b *testing.B, i int) []byte
	// ok checks an answer: send must send, never defer.
	ok func(res rie.Result) error
}

func benchTargets(b *testing.B) []benchTarget {
	b.Helper()
	root := testsvc.Root(b)
	dir := b.TempDir()
	for pkg, out := range map[string]string{"./functions/send": "send", "./internal/rie/testdata/hello": "hello"} {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, out), pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", pkg, err, o)
		}
	}
	name := testsvc.UniqueName(b, "journeys")
	cfg := testsvc.AWSConfig(b)
	o := sample.Options{Root: root, Table: name, SecretPrefix: name + "/", Outbox: b.TempDir(), Endpoint: testsvc.Moto(b)}
	env, err := sample.Seed(context.Background(), cfg, o)
	if err != nil {
		b.Fatal(err)
	}
	send, _ := os.ReadFile(filepath.Join(root, "events", "send.json"))
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	return []benchTarget{
		{name: "hello", bootstrap: filepath.Join(dir, "hello"), event: func(*testing.B, int) []byte { return []byte(`{"name":"bench"}`) },
			ok: func(res rie.Result) error { return answerError(res) }},
		{name: "send", bootstrap: filepath.Join(dir, "send"), env: env, event: func(b *testing.B, i int) []byte {
			// A new execution and a new contact each time: the step is done
			// anew, not answered from its stored result, and welcome's
			// frequency cap (3 emails a week per contact) defers nothing.
			contact := "c-bench-" + run + "-" + strconv.Itoa(i+1)
			if err := sample.SeedContacts(context.Background(), cfg, o, contact); err != nil {
				b.Fatal(err)
			}
			ev := bytes.Replace(send, []byte("welcome-sample"), []byte("welcome-bench-"+run+"-"+strconv.Itoa(i+1)), 1)
			return bytes.Replace(ev, []byte(`"`+sample.Contact+`"`), []byte(`"`+contact+`"`), 1)
		}, ok: func(res rie.Result) error {
			var out struct{ Status string }
			if err := answerError(res); err != nil {
				return err
			}
			if json.Unmarshal(res.Payload, &out); out.Status != "sent" {
				return fmt.Errorf("send answered %s, want status sent", res.Payload)
			}
			return nil
		}},
	}
}

// answerError fails every function error, Journey.Deferred included: a
// deferred send measures the deferral path, not a send.
func answerError(res rie.Result) error {
	if res.ErrorType != "" {
		return fmt.Errorf("function error %s: %s", res.ErrorType, res.ErrorMessage)
	}
	return nil
}

// BenchmarkColdStart measures, per function, the time from starting the
// emulator process to the first response (the function starts lazily on
// it, as in Lambda): the emulator's own Init Duration is unreliable.
func BenchmarkColdStart(b *testing.B) {
	rieBin := testsvc.Tool(b, "bin/aws-lambda-rie")
	for _, tg := range benchTargets(b) {
		b.Run(tg.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				event := tg.event(b, i)
				start := time.Now()
				em, err := rie.Start(context.Background(), rie.Config{RIE: rieBin, Bootstrap: tg.bootstrap, Env: tg.env})
				if err != nil {
					b.Fatal(err)
				}
				res, err := em.Invoke(context.Background(), event)
				total += time.Since(start)
				em.Close()
				if err != nil {
					b.Fatalf("invoke: %v", err)
				}
				if err := tg.ok(res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/cold-start")
		})
	}
}

// BenchmarkWarmInvoke measures invokes of a started function.
func BenchmarkWarmInvoke(b *testing.B) {
	rieBin := testsvc.Tool(b, "bin/aws-lambda-rie")
	for _, tg := range benchTargets(b) {
		b.Run(tg.name, func(b *testing.B) {
			em, err := rie.Start(context.Background(), rie.Config{RIE: rieBin, Bootstrap: tg.bootstrap, Env: tg.env})
			if err != nil {
				b.Fatal(err)
			}
			defer em.Close()
			res, err := em.Invoke(context.Background(), tg.event(b, -1)) // the cold one
			if err == nil {
				err = tg.ok(res)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				event := tg.event(b, i)
				b.StartTimer()
				res, err := em.Invoke(context.Background(), event)
				if err != nil {
					b.Fatalf("invoke: %v", err)
				}
				if err := tg.ok(res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
		})
	}
}
