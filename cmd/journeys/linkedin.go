package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
)

// Environment variables read by `journeys linkedin` (flags win over them).
const (
	envLinkedInAPIURL    = "LINKEDIN_API_URL"
	envLinkedInVersion   = "LINKEDIN_VERSION"
	envLinkedInTokenFile = "LINKEDIN_TOKEN_FILE"
)

const linkedInUsage = `<subscribe|unsubscribe|subscriptions|backfill> [flags]

Manage LinkedIn lead notification subscriptions (POST, GET and DELETE
/rest/leadNotifications). The API base URL, version and access token come from
--api-url, --version, --token-file or the environment variables
LINKEDIN_API_URL, LINKEDIN_VERSION and LINKEDIN_TOKEN_FILE.

  journeys linkedin subscribe --webhook URL --owner URN [--lead-type SPONSORED]
  journeys linkedin unsubscribe --id ID
  journeys linkedin subscriptions --owner URN [--lead-type SPONSORED]
  journeys linkedin backfill --since DATE [--until DATE] --owner URN --bu BU
  journeys linkedin backfill --since DATE [--until DATE] --owner URN --api URL

backfill queues the leads of a time range as the webhook does: into the local
store, or, with --api (default $JOURNEYS_API), into a deployed system through
its management API (an API key in $JOURNEYS_API_KEY with the scope
leads:write, or --iam --bu BU).`

func runLinkedIn(c *cli, args []string) int { return runLinkedInEnv(c, args, os.Getenv) }

// runLinkedInEnv is runLinkedIn with the environment passed in, for tests.
func runLinkedInEnv(c *cli, args []string, getenv func(string) string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := c.newFlagSet("linkedin", linkedInUsage)
		if code := c.parse(fs, args); code >= 0 {
			return code
		}
		fs.SetOutput(c.stderr)
		fs.Usage()
		return exitUsage
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "subscribe":
		return linkedInSubscribe(c, rest, getenv)
	case "unsubscribe":
		return linkedInUnsubscribe(c, rest, getenv)
	case "subscriptions":
		return linkedInSubscriptions(c, rest, getenv)
	case "backfill":
		return linkedInBackfill(c, rest, getenv)
	}
	fmt.Fprintf(c.stderr, "journeys linkedin: unknown subcommand %q (want subscribe, unsubscribe, subscriptions or backfill)\n", sub)
	return exitUsage
}

// linkedInAPI holds the flags every subcommand shares.
type linkedInAPI struct {
	url, version, tokenFile string
	json                    bool
}

func (a *linkedInAPI) register(fs *flag.FlagSet, getenv func(string) string) {
	url := getenv(envLinkedInAPIURL)
	if url == "" {
		url = linkedin.DefaultBaseURL
	}
	fs.StringVar(&a.url, "api-url", url, "API base URL (env "+envLinkedInAPIURL+")")
	fs.StringVar(&a.version, "version", getenv(envLinkedInVersion), "LinkedIn-Version, YYYYMM (env "+envLinkedInVersion+")")
	fs.StringVar(&a.tokenFile, "token-file", getenv(envLinkedInTokenFile), "file holding the OAuth access token (env "+envLinkedInTokenFile+")")
	fs.BoolVar(&a.json, "json", false, "print JSON")
}

// client builds the API client, or reports a usage problem on stderr.
func (a *linkedInAPI) client(c *cli) (*linkedin.Client, bool) {
	if a.tokenFile == "" {
		fmt.Fprintf(c.stderr, "journeys linkedin: no token file (set --token-file or %s)\n", envLinkedInTokenFile)
		return nil, false
	}
	cl, err := linkedin.NewClient(linkedin.ClientOptions{
		BaseURL: a.url, Version: a.version, Tokens: tokenFile(a.tokenFile),
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin: %v (set --version or %s)\n", err, envLinkedInVersion)
		return nil, false
	}
	return cl, true
}

// tokenFile reads the token on every call, so a refreshed file is used.
type tokenFile string

func (f tokenFile) Token(context.Context) (string, error) {
	b, err := os.ReadFile(string(f))
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("token file is empty")
	}
	return tok, nil
}

func linkedInContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

func linkedInSubscribe(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("linkedin subscribe", "--webhook URL --owner URN [--lead-type SPONSORED]")
	var api linkedInAPI
	api.register(fs, getenv)
	webhookURL := fs.String("webhook", "", "webhook URL LinkedIn will call (https)")
	owner := fs.String("owner", "", "owner URN: urn:li:sponsoredAccount:N or urn:li:organization:N")
	leadType := fs.String("lead-type", linkedin.LeadTypeSponsored, "SPONSORED, EVENT, COMPANY or ORGANIZATION_PRODUCT")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if *webhookURL == "" || *owner == "" {
		fmt.Fprintln(c.stderr, "journeys linkedin subscribe: --webhook and --owner are required")
		return exitUsage
	}
	ownerUnion, err := linkedin.OwnerFromURN(*owner)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin subscribe: --owner: %v\n", err)
		return exitUsage
	}
	cl, ok := api.client(c)
	if !ok {
		return exitUsage
	}
	ctx, cancel := linkedInContext()
	defer cancel()
	id, err := cl.Subscribe(ctx, linkedin.Subscription{Webhook: *webhookURL, Owner: ownerUnion, LeadType: *leadType})
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin subscribe: %v\n", err)
		return exitFailed
	}
	if api.json {
		return c.printJSON(map[string]string{"id": id})
	}
	fmt.Fprintf(c.stdout, "subscribed: id %s\n", id)
	return exitOK
}

func linkedInUnsubscribe(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("linkedin unsubscribe", "--id ID")
	var api linkedInAPI
	api.register(fs, getenv)
	id := fs.String("id", "", "subscription id (from `journeys linkedin subscriptions`)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if *id == "" {
		fmt.Fprintln(c.stderr, "journeys linkedin unsubscribe: --id is required")
		return exitUsage
	}
	cl, ok := api.client(c)
	if !ok {
		return exitUsage
	}
	ctx, cancel := linkedInContext()
	defer cancel()
	if err := cl.Unsubscribe(ctx, *id); err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin unsubscribe: %v\n", err)
		return exitFailed
	}
	if api.json {
		return c.printJSON(map[string]string{"deleted": *id})
	}
	fmt.Fprintf(c.stdout, "deleted subscription %s\n", *id)
	return exitOK
}

func linkedInSubscriptions(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("linkedin subscriptions", "--owner URN [--lead-type SPONSORED]")
	var api linkedInAPI
	api.register(fs, getenv)
	owner := fs.String("owner", "", "owner URN: urn:li:sponsoredAccount:N or urn:li:organization:N")
	leadType := fs.String("lead-type", linkedin.LeadTypeSponsored, "SPONSORED, EVENT, COMPANY or ORGANIZATION_PRODUCT")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if *owner == "" {
		fmt.Fprintln(c.stderr, "journeys linkedin subscriptions: --owner is required")
		return exitUsage
	}
	ownerUnion, err := linkedin.OwnerFromURN(*owner)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin subscriptions: --owner: %v\n", err)
		return exitUsage
	}
	cl, ok := api.client(c)
	if !ok {
		return exitUsage
	}
	ctx, cancel := linkedInContext()
	defer cancel()
	subs, err := cl.Subscriptions(ctx, ownerUnion, *leadType)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys linkedin subscriptions: %v\n", err)
		return exitFailed
	}
	if api.json {
		type row struct {
			ID       string `json:"id"`
			Webhook  string `json:"webhook"`
			Owner    string `json:"owner"`
			LeadType string `json:"leadType"`
		}
		rows := []row{}
		for _, s := range subs {
			rows = append(rows, row{s.ID, s.Webhook, s.Owner.URN, s.LeadType})
		}
		return c.printJSON(rows)
	}
	if len(subs) == 0 {
		fmt.Fprintf(c.stdout, "no %s subscriptions for %s\n", *leadType, *owner)
		return exitOK
	}
	for _, s := range subs {
		fmt.Fprintf(c.stdout, "%s\t%s\t%s\n", s.ID, s.LeadType, s.Webhook)
	}
	return exitOK
}
