package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/rie"
)

// invokeOptions are the flags of journeys invoke.
type invokeOptions struct {
	rie, bootstrap, event, endpoint, root, table, outbox string
	secretPrefix, writeEnv, containerEndpoint            string
	sign                                                 bool
}

// runInvoke runs one built function under the Lambda Runtime Interface
// Emulator against a moto server seeded with the sample data, as `sam
// local invoke` would without Docker: make invoke FN=send builds the
// bootstrap first.
func runInvoke(c *cli, args []string) int {
	var o invokeOptions
	fs := c.newFlagSet("invoke", "--bootstrap build/host/<fn>/bootstrap --event events/<fn>.json [flags]")
	fs.StringVar(&o.rie, "rie", "bin/aws-lambda-rie", "the Lambda Runtime Interface Emulator")
	fs.StringVar(&o.bootstrap, "bootstrap", "", "the function's bootstrap, built for this machine (make invoke builds it)")
	fs.StringVar(&o.event, "event", "", "the event to invoke it with (events/<fn>.json)")
	fs.StringVar(&o.endpoint, "endpoint", "", "an AWS endpoint to use (a running moto server); default: start moto from .venv")
	fs.StringVar(&o.root, "root", ".", "the repository (journeys/, template-fragments/)")
	fs.StringVar(&o.table, "table", "journeys-invoke", "the table to create and seed")
	fs.StringVar(&o.outbox, "outbox", ".journeys/outbox", "where messages are delivered")
	fs.StringVar(&o.secretPrefix, "secret-prefix", "journeys/local/", "the prefix of the seeded secrets' names (the template's Env=dev reads journeys/dev/)")
	fs.BoolVar(&o.sign, "sign", false, "sign the event as its sender would (events, approval callback and LinkedIn webhook samples), with the seeded secrets")
	fs.StringVar(&o.writeEnv, "write-env", "", "write the `sam local invoke --env-vars` file of the seeded sample here (needs --endpoint; --bootstrap and --event optional)")
	fs.StringVar(&o.containerEndpoint, "container-endpoint", "", "the endpoint as a container reaches it, for --write-env (default: --endpoint with host.docker.internal for a loopback host)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if o.writeEnv != "" && o.endpoint == "" {
		fmt.Fprintln(c.stderr, "journeys invoke: --write-env needs --endpoint: a moto server that outlives this command")
		return exitUsage
	}
	if (o.bootstrap == "" || o.event == "") && o.writeEnv == "" {
		fmt.Fprintln(c.stderr, "journeys invoke: --bootstrap and --event are required")
		return exitUsage
	}
	var event []byte
	if o.event != "" {
		var err error
		if event, err = os.ReadFile(o.event); err != nil {
			fmt.Fprintf(c.stderr, "journeys invoke: %v\n", err)
			return exitUsage
		}
	}
	ctx := context.Background()
	if err := invoke(ctx, c, o, event); err != nil {
		fmt.Fprintf(c.stderr, "journeys invoke: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func invoke(ctx context.Context, c *cli, o invokeOptions, event []byte) error {
	if o.endpoint == "" {
		ep, stop, err := startMoto(ctx, filepath.Join(o.root, ".venv", "bin", "moto_server"))
		if err != nil {
			return err
		}
		defer stop()
		o.endpoint = ep
		fmt.Fprintf(c.stderr, "moto server on %s\n", ep)
	}
	cfg := aws.Config{Region: sample.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(o.endpoint)}
	root, _ := filepath.Abs(o.root)
	outbox, _ := filepath.Abs(o.outbox)
	env, err := sample.Seed(ctx, cfg, sample.Options{Root: root, Table: o.table, SecretPrefix: o.secretPrefix, Outbox: outbox, Endpoint: o.endpoint})
	if err != nil {
		return err
	}
	if o.writeEnv != "" {
		if err := writeSAMEnv(o, root, env); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "wrote %s (SECRET_PREFIX=%s, TABLE_NAME=%s)\n", o.writeEnv, o.secretPrefix, o.table)
		if o.bootstrap == "" || event == nil {
			return nil
		}
	}
	if o.sign {
		if event, err = sample.NewSigner(root, cfg, o.secretPrefix).Sign(ctx, event); err != nil {
			return err
		}
	}
	var log bytes.Buffer
	em, err := rie.Start(ctx, rie.Config{RIE: o.rie, Bootstrap: o.bootstrap, Env: env, Log: &log})
	if err != nil {
		return err
	}
	defer em.Close()
	res, err := em.Invoke(ctx, event)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, log.String())
	}
	fmt.Fprintf(c.stderr, "%s", log.String())
	var pretty bytes.Buffer
	if json.Indent(&pretty, res.Payload, "", "  ") != nil {
		pretty.Write(res.Payload)
	}
	fmt.Fprintln(c.stdout, pretty.String())
	fmt.Fprintf(c.stderr, "invoked in %s; messages go to %s\n", res.Duration.Round(time.Millisecond), outbox)
	if res.ErrorType != "" {
		return fmt.Errorf("function error %s: %s", res.ErrorType, res.ErrorMessage)
	}
	return nil
}

// startMoto starts a moto server on a free loopback port and waits for it.
func startMoto(ctx context.Context, server string) (string, func(), error) {
	if _, err := os.Stat(server); err != nil {
		return "", nil, fmt.Errorf("%s is missing: run `make tools` (or give --endpoint)", server)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(server, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	exited, err := rie.StartOwned(cmd)
	if err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	ep := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(ep + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return ep, stop, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return "", nil, fmt.Errorf("moto server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
