package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/manage"
)

// Environment variables of the management API commands.
const (
	envAPI    = "JOURNEYS_API"     // the API's root URL
	envAPIKey = "JOURNEYS_API_KEY" // an API key of a business unit (never a flag: shells keep history)
)

// apiOptions are the flags every management command takes.
type apiOptions struct {
	url    *string
	iam    *bool
	bu     *string
	asJSON *bool
}

func addAPIFlags(fs *flag.FlagSet) *apiOptions {
	return &apiOptions{
		url:    fs.String("api", os.Getenv(envAPI), "the management API's root URL (default $"+envAPI+"; `journeys dev` serves one locally)"),
		iam:    fs.Bool("iam", false, "sign with your AWS credentials (IAM, /manage/<bu>/) instead of the API key in $"+envAPIKey),
		bu:     fs.String("bu", "", "with --iam: the business unit; against journeys dev: whose local key to use (when it has several)"),
		asJSON: fs.Bool("json", false, "print the answer as JSON"),
	}
}

// client builds the API client, or says what is missing.
func (o *apiOptions) client(ctx context.Context) (*manage.Client, error) {
	if *o.url == "" {
		return nil, fmt.Errorf("no management API: give --api URL or set %s", envAPI)
	}
	c := &manage.Client{BaseURL: *o.url, HTTP: &http.Client{Timeout: 60 * time.Second}}
	if !*o.iam {
		if c.Key = os.Getenv(envAPIKey); c.Key != "" {
			return c, nil
		}
		key, err := devKey(*o.url, *o.bu, os.Getenv) // journeys dev's local key
		if err == nil {
			c.Key = key
			return c, nil
		}
		msg := fmt.Sprintf("no API key: set %s (journeys apikey create makes one), or use --iam --bu BU with AWS credentials", envAPIKey)
		if loopbackURL(*o.url) {
			msg += fmt.Sprintf(" (no local dev key either: %v)", err)
		}
		return nil, errors.New(msg)
	}
	if *o.bu == "" {
		return nil, errors.New("--iam needs --bu BU")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	c.BU = *o.bu
	signer := v4.NewSigner()
	c.Sign = func(r *http.Request, body []byte) error {
		creds, err := cfg.Credentials.Retrieve(r.Context())
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		return signer.SignHTTP(r.Context(), creds, r, hex.EncodeToString(sum[:]), "execute-api", cfg.Region, time.Now())
	}
	return c, nil
}

// apiFailed reports an error of a management command and returns the exit
// code: a journey that does not check is invalid (3), like validate.
func (c *cli) apiFailed(cmd string, err error) int {
	var apiErr *manage.APIError
	if errors.As(err, &apiErr) && len(apiErr.Detail.Problems) > 0 {
		fmt.Fprintf(c.stderr, "journeys %s: %s\n", cmd, apiErr.Detail.Message)
		fmt.Fprint(c.stderr, journey.Problems(apiErr.Detail.Problems).Format(0))
		return exitInvalid
	}
	fmt.Fprintf(c.stderr, "journeys %s: %v\n", cmd, err)
	return exitFailed
}

// oneJourney checks that exactly one journey id was given.
func (c *cli) oneJourney(cmd string, args []string) (string, bool) {
	if len(args) != 1 {
		fmt.Fprintf(c.stderr, "journeys %s: give one journey id (journeys %s --help)\n", cmd, cmd)
		return "", false
	}
	return args[0], true
}
