package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

// envData names the local data folder for commands that read it (journeys
// dev's --data; the dev server's key file lives there).
const envData = "JOURNEYS_DATA"

// dataDir is the local data folder: $JOURNEYS_DATA, else .journeys.
func dataDir(getenv func(string) string) string {
	if d := getenv(envData); d != "" {
		return d
	}
	return ".journeys"
}

// loopbackURL reports whether u names a loopback host.
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	if p.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(p.Hostname())
	return ip != nil && ip.IsLoopback()
}

// errNoDevKey says the local dev server's key file cannot serve a request.
var errNoDevKey = errors.New("no local dev key")

// devKey returns the local API key the dev server at api keeps for a
// business unit (bu may be empty when it serves one): api must be a
// loopback URL on the port the key file names.
func devKey(api, bu string, getenv func(string) string) (string, error) {
	if !loopbackURL(api) {
		return "", fmt.Errorf("%s is not a local dev server: %w", api, errNoDevKey)
	}
	dir := dataDir(getenv)
	kf, err := devserver.ReadKeyFile(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no %s in %s (is journeys dev running with this data folder? set %s): %w", devserver.KeyFileName, dir, envData, errNoDevKey)
	}
	if err != nil {
		return "", err
	}
	if !samePort(kf.URL, api) {
		return "", fmt.Errorf("the dev server of %s listens on %s, not %s: %w", dir, kf.URL, api, errNoDevKey)
	}
	if bu != "" {
		if k := kf.Keys[bu]; k != "" {
			return k, nil
		}
		return "", fmt.Errorf("the dev server has no key of business unit %s: %w", bu, errNoDevKey)
	}
	var bus []string
	for b := range kf.Keys {
		bus = append(bus, b)
	}
	slices.Sort(bus)
	if len(bus) != 1 {
		return "", fmt.Errorf("the dev server has keys of %s: give --bu: %w", strings.Join(bus, ", "), errNoDevKey)
	}
	return kf.Keys[bus[0]], nil
}

// samePort reports whether two loopback URLs reach the same port.
func samePort(a, b string) bool {
	pa, errA := url.Parse(a)
	pb, errB := url.Parse(b)
	return errA == nil && errB == nil && pa.Port() != "" && pa.Port() == pb.Port()
}
