package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPolicyCheckURL(t *testing.T) {
	p := &Policy{
		AllowedHosts:    []string{"hooks.example.com", "*.flows.example.net", "93.184.216.34", "127.0.0.1", "10.1.2.3"},
		HTTPHosts:       []string{"127.0.0.1"},
		AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
	}
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"allowed https", "https://hooks.example.com/x?sig=secret", true},
		{"allowed, trailing dot and case", "https://HOOKS.example.com./x", true},
		{"wildcard subdomain", "https://eu.flows.example.net/run", true},
		{"wildcard is not apex", "https://flows.example.net/run", false},
		{"not listed", "https://evil.example.org/", false},
		{"suffix trick", "https://hooks.example.com.evil.org/", false},
		{"http not allowed", "http://hooks.example.com/", false},
		{"http allowed for listed host", "http://127.0.0.1:8080/", true},
		{"other scheme", "ftp://hooks.example.com/", false},
		{"credentials", "https://user:pw@hooks.example.com/", false},
		{"no host", "https:///path", false},
		{"public IP literal", "https://93.184.216.34/", true},
		{"private IP literal listed", "https://10.1.2.3/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			err = p.CheckURL(u)
			if tt.ok != (err == nil) {
				t.Fatalf("CheckURL(%s) = %v, want ok=%v", tt.url, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBlocked) {
				t.Errorf("error %v does not wrap ErrBlocked", err)
			}
			if err != nil && (strings.Contains(err.Error(), "sig=") || strings.Contains(err.Error(), "pw@")) {
				t.Errorf("error %q leaks the query string", err)
			}
		})
	}
}

func TestPolicyCheckAddr(t *testing.T) {
	p := &Policy{AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}}
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"93.184.216.34", false},
		{"2606:2800:220:1:248:1893:25c8:1946", false},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"10.0.0.1", true},
		{"172.16.5.4", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true}, // AWS IPv6 metadata
		{"169.254.169.254", true},
		{"169.254.170.2", true}, // ECS task metadata
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.128.0.1", false},
		{"224.0.0.251", true},
		{"ff02::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"64:ff9b::a9fe:a9fe", true},  // NAT64 of 169.254.169.254
		{"64:ff9b::5db8:d822", false}, // NAT64 of a public address
		{"2002:7f00:1::", true},       // 6to4 of 127.0.0.1
		{"192.0.0.192", true},
		{"10.9.1.1", false}, // explicitly allowed network
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := p.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.blocked != (err != nil) {
				t.Fatalf("CheckAddr(%s) = %v, want blocked=%v", tt.addr, err, tt.blocked)
			}
		})
	}
}

// A host name that passes the allow-list but resolves to loopback is refused
// when connecting: the check runs on the resolved address (DNS rebinding).
func TestPolicyBlocksResolvedLoopbackAtConnect(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := &Policy{AllowedHosts: []string{"localhost"}, HTTPHosts: []string{"localhost"}}
	target := "http://localhost:" + u.Port() + "/"
	if err := p.CheckURL(mustURL(t, target)); err != nil {
		t.Fatalf("CheckURL should pass a listed name: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	_, err := p.HTTPClient().Do(req)
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("Do = %v, want ErrBlocked", err)
	}
	if hits != 0 {
		t.Errorf("server saw %d requests, want 0", hits)
	}
}

func TestPolicyRedirects(t *testing.T) {
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer final.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/elsewhere":
			http.Redirect(w, r, "https://not-allowed.example/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ok":
			http.Redirect(w, r, final.URL+"/done", http.StatusTemporaryRedirect)
		}
	}))
	defer redirector.Close()
	p := loopbackPolicy()
	tests := []struct {
		path string
		ok   bool
	}{
		{"/ok", true},
		{"/metadata", false},
		{"/elsewhere", false},
		{"/loop", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := p.HTTPClient().Get(redirector.URL + tt.path)
			if tt.ok {
				if err != nil || resp.StatusCode != http.StatusNoContent {
					t.Fatalf("Get: %v", err)
				}
				resp.Body.Close()
				return
			}
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("Get = %v, want ErrBlocked", err)
			}
		})
	}
}

func TestPolicyNoRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/other", http.StatusFound)
	}))
	defer srv.Close()
	p := loopbackPolicy()
	p.MaxRedirects = -1
	if _, err := p.HTTPClient().Get(srv.URL); !errors.Is(err, ErrBlocked) {
		t.Fatalf("Get = %v, want ErrBlocked", err)
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// loopbackPolicy allows the tests' httptest servers, by configuration.
func loopbackPolicy() *Policy {
	return &Policy{
		AllowedHosts:    []string{"127.0.0.1"},
		HTTPHosts:       []string{"127.0.0.1"},
		AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
	}
}
