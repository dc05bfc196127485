package sample_test

import (
	"bytes"
	"context"
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
	event           func(i int) []byte
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
	env, err := sample.Seed(context.Background(), testsvc.AWSConfig(b), sample.Options{Root: root, Table: name,
		SecretPrefix: name + "/", Outbox: b.TempDir(), Endpoint: testsvc.Moto(b)})
	if err != nil {
		b.Fatal(err)
	}
	send, _ := os.ReadFile(filepath.Join(root, "events", "send.json"))
	return []benchTarget{
		{name: "hello", bootstrap: filepath.Join(dir, "hello"), event: func(int) []byte { return []byte(`{"name":"bench"}`) }},
		{name: "send", bootstrap: filepath.Join(dir, "send"), env: env, event: func(i int) []byte {
			// A new execution each time: the step is done anew, not answered
			// from its stored result.
			return bytes.Replace(send, []byte("welcome-sample"), []byte("welcome-bench-"+strconv.Itoa(i)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)), 1)
		}},
	}
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
				start := time.Now()
				em, err := rie.Start(context.Background(), rie.Config{RIE: rieBin, Bootstrap: tg.bootstrap, Env: tg.env})
				if err != nil {
					b.Fatal(err)
				}
				res, err := em.Invoke(context.Background(), tg.event(i))
				total += time.Since(start)
				em.Close()
				if err != nil || res.ErrorType != "" && res.ErrorType != "Journey.Deferred" {
					b.Fatalf("invoke: %v %s %s", err, res.ErrorType, res.ErrorMessage)
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
			if _, err := em.Invoke(context.Background(), tg.event(-1)); err != nil { // the cold one
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				res, err := em.Invoke(context.Background(), tg.event(i))
				if err != nil || res.ErrorType != "" && res.ErrorType != "Journey.Deferred" {
					b.Fatalf("invoke: %v %s %s", err, res.ErrorType, res.ErrorMessage)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
		})
	}
}
