package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by every refusal of the outbound Policy.
var ErrBlocked = errors.New("outbound destination blocked")

// A BlockedError says why a destination was refused. It wraps ErrBlocked.
// It names the host or address, never the full URL: webhook URLs often carry
// secrets in their query (Power Automate's sig parameter).
type BlockedError struct {
	Target string
	Reason string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrBlocked, e.Target, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Unwrap() error { return ErrBlocked }

// DefaultMaxRedirects is the redirect limit when Policy.MaxRedirects is 0.
const DefaultMaxRedirects = 3

// A Policy decides which outbound destinations may be called. The zero Policy
// allows nothing: list hosts in AllowedHosts (or set AnyHost). Addresses in
// loopback, private (RFC 1918, fc00::/7), link-local (169.254.0.0/16 with the
// cloud metadata address, fe80::/10), CGNAT (100.64.0.0/10), multicast,
// unspecified and other reserved ranges are refused at connect time unless a
// prefix in AllowedNetworks contains them. A Policy is read-only once in use
// and safe for concurrent use.
type Policy struct {
	// AllowedHosts lists host names (case-insensitive, no port) that may be
	// called; "*.example.com" allows every subdomain of example.com but not
	// example.com itself. IP literals may be listed too.
	AllowedHosts []string
	// AnyHost allows every host name; addresses are still checked.
	AnyHost bool
	// HTTPHosts lists hosts that may be called over plain http; every other
	// host needs https. A host listed here must also be allowed.
	HTTPHosts []string
	// AllowedNetworks are address ranges allowed although a blocked range
	// contains them, e.g. 127.0.0.1/32 for a test server.
	AllowedNetworks []netip.Prefix
	// MaxRedirects bounds redirects followed; DefaultMaxRedirects when 0,
	// none when negative. Every redirect target is checked like the first URL.
	MaxRedirects int
}

// CheckURL checks a URL before any connection: scheme, credentials, host
// allow-list, and the address itself when the host is an IP literal.
// Errors are *BlockedError.
func (p *Policy) CheckURL(u *url.URL) error {
	host := normalizeHost(u.Hostname())
	if host == "" {
		return &BlockedError{Target: "(no host)", Reason: "URL has no host"}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !matchHost(p.HTTPHosts, host) {
			return &BlockedError{Target: host, Reason: "plain http is not allowed for this host (use https)"}
		}
	default:
		return &BlockedError{Target: host, Reason: fmt.Sprintf("scheme %q is not allowed", u.Scheme)}
	}
	if u.User != nil {
		return &BlockedError{Target: host, Reason: "credentials in the URL are not allowed"}
	}
	if !p.AnyHost && !matchHost(p.AllowedHosts, host) {
		return &BlockedError{Target: host, Reason: "host is not in the allow-list"}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.CheckAddr(ip)
	}
	return nil
}

// CheckAddr refuses an address in a blocked range unless AllowedNetworks
// contains it. Errors are *BlockedError.
func (p *Policy) CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	for _, n := range p.AllowedNetworks {
		if n.Contains(ip) {
			return nil
		}
	}
	if why, blocked := blockedRange(ip); blocked {
		return &BlockedError{Target: ip.String(), Reason: why + " address"}
	}
	return nil
}

// Control is a net.Dialer ControlContext function: it runs after name
// resolution, on the address actually being connected, which is what defeats
// DNS rebinding (a name that resolved to a public address for CheckURL and to
// 169.254.169.254 a moment later).
func (p *Policy) Control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Target: address, Reason: "unparsable dial address"}
	}
	return p.CheckAddr(ap.Addr())
}

// Transport returns an http.Transport whose every connection goes through
// Control. It ignores proxy settings from the environment: a proxy would make
// the checked address the proxy's, not the destination's.
func (p *Policy) Transport() *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, ControlContext: p.Control}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 0, // the caller's context bounds each attempt
	}
}

// CheckRedirect is an http.Client CheckRedirect function enforcing the
// redirect limit and checking every redirect target with CheckURL.
func (p *Policy) CheckRedirect(req *http.Request, via []*http.Request) error {
	limit := p.MaxRedirects
	if limit == 0 {
		limit = DefaultMaxRedirects
	}
	if len(via) > limit || limit < 0 {
		return &BlockedError{Target: normalizeHost(req.URL.Hostname()), Reason: fmt.Sprintf("more than %d redirects", max(limit, 0))}
	}
	return p.CheckURL(req.URL)
}

// HTTPClient returns an http.Client that applies the policy on every
// connection and redirect. Timeouts come from the request context.
func (p *Policy) HTTPClient() *http.Client {
	return &http.Client{Transport: p.Transport(), CheckRedirect: p.CheckRedirect}
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func matchHost(patterns []string, host string) bool {
	for _, p := range patterns {
		p = normalizeHost(strings.TrimSpace(p))
		if suffix, ok := strings.CutPrefix(p, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if p == host {
			return true
		}
	}
	return false
}

// blockedRange names the special-purpose range holding ip, if any. IPv6
// forms that embed an IPv4 address (NAT64, 6to4) are judged by that address.
func blockedRange(ip netip.Addr) (string, bool) {
	switch {
	case !ip.IsValid():
		return "invalid", true
	case ip.IsUnspecified():
		return "unspecified", true
	case ip.IsLoopback():
		return "loopback", true
	case ip.IsPrivate():
		return "private", true
	case ip.IsLinkLocalUnicast():
		return "link-local (cloud metadata)", true
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast", true
	}
	for _, r := range reservedRanges() {
		if r.prefix.Contains(ip) {
			return r.name, true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		if nat64 := netip.MustParsePrefix("64:ff9b::/96"); nat64.Contains(ip) {
			return blockedRange(netip.AddrFrom4([4]byte(b[12:16])))
		}
		if sixToFour := netip.MustParsePrefix("2002::/16"); sixToFour.Contains(ip) {
			return blockedRange(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return "", false
}

type namedRange struct {
	prefix netip.Prefix
	name   string
}

// reservedRanges lists the ranges netip's predicates do not cover.
func reservedRanges() []namedRange {
	return []namedRange{
		{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
		{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT"},
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
		{netip.MustParsePrefix("2001::/32"), "Teredo"},
		{netip.MustParsePrefix("100::/64"), "discard-only"},
	}
}
