package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
)

const apiKeyUsage = `<create|list|revoke> --bu BU [--table T [--endpoint URL] | --data DIR] [flags]

Manage a business unit's API keys (the /api routes' "Authorization: Bearer
jk_..."), writing to the store directly with your own access: the first key
cannot need a key.

  journeys apikey create --bu BU --scopes a,b [--name N] [--expires D]
  journeys apikey list --bu BU
  journeys apikey revoke --bu BU NAME

The store is the DynamoDB table --table (the default AWS credential chain;
--endpoint for another endpoint, such as moto), or else the local project
store in --data (default $JOURNEYS_DATA, else .journeys). While journeys dev
holds that store, the command asks the dev server (loopback only).

create prints the secret once: only its SHA-256 hash is stored. Scopes: *,
journeys:read, journeys:publish, journeys:operate, contacts:read,
contacts:write, contacts:erase, audit:read, content:preview, leads:write
(explicit only: * does not grant it). --expires takes a duration (90d, 12h)
or a date (2027-01-31, or RFC 3339); without it the key never expires.
revoke removes every key of the unit with that name.`

// apiKeyOptions are the flags every apikey subcommand takes.
type apiKeyOptions struct {
	bu, table, endpoint, data string
	asJSON                    bool
}

func (o *apiKeyOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&o.bu, "bu", "", "the business unit (required)")
	fs.StringVar(&o.table, "table", "", "the DynamoDB table (default: the local store in --data)")
	fs.StringVar(&o.endpoint, "endpoint", "", "with --table: the DynamoDB endpoint URL (moto, DynamoDB Local)")
	fs.StringVar(&o.data, "data", dataDir(getenv), "the local data folder journeys dev uses (env "+envData+")")
	fs.BoolVar(&o.asJSON, "json", false, "print JSON")
}

func runAPIKey(c *cli, args []string) int { return runAPIKeyEnv(c, args, os.Getenv) }

// runAPIKeyEnv is runAPIKey with the environment passed in, for tests.
func runAPIKeyEnv(c *cli, args []string, getenv func(string) string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := c.newFlagSet("apikey", apiKeyUsage)
		if code := c.parse(fs, args); code >= 0 {
			return code
		}
		fs.SetOutput(c.stderr)
		fs.Usage()
		return exitUsage
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "create":
		return apiKeyCreate(c, rest, getenv)
	case "list":
		return apiKeyList(c, rest, getenv)
	case "revoke":
		return apiKeyRevoke(c, rest, getenv)
	default:
		fmt.Fprintf(c.stderr, "journeys apikey: unknown subcommand %q (want create, list or revoke)\n", sub)
		return exitUsage
	}
}

func apiKeyCreate(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("apikey create", "--bu BU --scopes a,b [--name N] [--expires D] [--table T [--endpoint URL] | --data DIR] [--json]")
	var o apiKeyOptions
	o.register(fs, getenv)
	scopes := fs.String("scopes", "", "comma-separated scopes (required; * for all but the explicit-only leads:write)")
	name := fs.String("name", "", "the key's name, unique in the business unit; the audit log's actor is key:<name> (default key-<UTC time>)")
	expires := fs.String("expires", "", "when the key stops working: a duration (90d, 12h) or a date (2027-01-31, RFC 3339); default never")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if !o.check(c, "create", fs.NArg(), 0) {
		return exitUsage
	}
	if *scopes == "" {
		fmt.Fprintln(c.stderr, "journeys apikey create: --scopes is required (journeys apikey --help lists them)")
		return exitUsage
	}
	now := time.Now()
	exp, err := parseExpiry(*expires, now)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys apikey create: --expires: %v\n", err)
		return exitUsage
	}
	if *name == "" {
		*name = "key-" + now.UTC().Format("20060102T150405Z")
	}
	ctx := context.Background()
	b, err := o.backend(ctx)
	if err != nil {
		return c.apiKeyFailed("create", err)
	}
	defer b.close()
	secret, key, err := b.create(ctx, manage.KeyRequest{BU: o.bu, Name: *name, Scopes: splitScopes(*scopes)}, exp)
	if err != nil {
		return c.apiKeyFailed("create", err)
	}
	if o.asJSON {
		return c.printJSON(struct {
			Secret string       `json:"secret"`
			Key    store.APIKey `json:"key"`
		}{secret, key})
	}
	fmt.Fprintln(c.stdout, secret)
	fmt.Fprintf(c.stderr, "created API key %q of %s (scopes %s%s) in %s; the secret above is shown only now\n",
		key.Name, key.BU, strings.Join(key.Scopes, ","), expiresText(key.ExpiresAt), b.where())
	return exitOK
}

func apiKeyList(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("apikey list", "--bu BU [--table T [--endpoint URL] | --data DIR] [--json]")
	var o apiKeyOptions
	o.register(fs, getenv)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if !o.check(c, "list", fs.NArg(), 0) {
		return exitUsage
	}
	ctx := context.Background()
	b, err := o.backend(ctx)
	if err != nil {
		return c.apiKeyFailed("list", err)
	}
	defer b.close()
	keys, err := b.list(ctx, o.bu)
	if err != nil {
		return c.apiKeyFailed("list", err)
	}
	if o.asJSON {
		if keys == nil {
			keys = []store.APIKey{}
		}
		return c.printJSON(map[string]any{"keys": keys})
	}
	w := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSCOPES\tCREATED\tEXPIRES\tHASH")
	for _, k := range keys {
		sc, exp := strings.Join(k.Scopes, ","), "never"
		if sc == "" {
			sc = "(all but explicit-only)"
		}
		if !k.ExpiresAt.IsZero() {
			exp = k.ExpiresAt.UTC().Format(time.RFC3339)
			if k.Expired(time.Now()) {
				exp += " (expired)"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.12s\n", k.Name, sc, k.CreatedAt.UTC().Format(time.RFC3339), exp, k.Hash)
	}
	w.Flush()
	return exitOK
}

func apiKeyRevoke(c *cli, args []string, getenv func(string) string) int {
	fs := c.newFlagSet("apikey revoke", "--bu BU [--table T [--endpoint URL] | --data DIR] NAME")
	var o apiKeyOptions
	o.register(fs, getenv)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if !o.check(c, "revoke", fs.NArg(), 1) {
		return exitUsage
	}
	ctx := context.Background()
	b, err := o.backend(ctx)
	if err != nil {
		return c.apiKeyFailed("revoke", err)
	}
	defer b.close()
	n, err := b.revoke(ctx, o.bu, fs.Arg(0))
	if err != nil {
		return c.apiKeyFailed("revoke", err)
	}
	if o.asJSON {
		return c.printJSON(map[string]int{"revoked": n})
	}
	fmt.Fprintf(c.stdout, "revoked %d API key(s) %q of %s\n", n, fs.Arg(0), o.bu)
	return exitOK
}

// check reports usage problems common to the subcommands.
func (o *apiKeyOptions) check(c *cli, sub string, nargs, want int) bool {
	switch {
	case o.bu == "":
		fmt.Fprintf(c.stderr, "journeys apikey %s: --bu is required\n", sub)
	case o.endpoint != "" && o.table == "":
		fmt.Fprintf(c.stderr, "journeys apikey %s: --endpoint goes with --table\n", sub)
	case nargs != want && want == 0:
		fmt.Fprintf(c.stderr, "journeys apikey %s: unexpected arguments\n", sub)
	case nargs != want:
		fmt.Fprintf(c.stderr, "journeys apikey %s: give the key's name\n", sub)
	default:
		return true
	}
	return false
}

// apiKeyFailed reports an error and returns its exit code: bad input
// (unknown scope, name taken, no such key) is a usage error.
func (c *cli) apiKeyFailed(sub string, err error) int {
	fmt.Fprintf(c.stderr, "journeys apikey %s: %v\n", sub, err)
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrNotFound) {
		return exitUsage
	}
	return exitFailed
}

func splitScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// An expiry is --expires: a span from now, or a moment.
type expiry struct {
	in time.Duration
	at time.Time
}

// from returns the moment the key expires for a store whose time is now
// (zero: never).
func (e expiry) from(now time.Time) time.Time {
	if e.in > 0 {
		return now.Add(e.in)
	}
	return e.at
}

// parseExpiry reads --expires: Nd, a Go duration, a date or an RFC 3339
// time, which must lie in the future.
func parseExpiry(s string, now time.Time) (expiry, error) {
	if s == "" {
		return expiry{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return expiry{in: time.Duration(n) * 24 * time.Hour}, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return expiry{}, fmt.Errorf("%q is not a positive duration", s)
		}
		return expiry{in: d}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			if !t.After(now) {
				return expiry{}, fmt.Errorf("%s is not in the future", s)
			}
			return expiry{at: t}, nil
		}
	}
	return expiry{}, fmt.Errorf("%q is neither a duration (90d, 12h) nor a date (2027-01-31, RFC 3339)", s)
}

func expiresText(t time.Time) string {
	if t.IsZero() {
		return ", never expires"
	}
	return ", expires " + t.UTC().Format(time.RFC3339)
}
