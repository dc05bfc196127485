package local

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// TestFlowPosters: approval requests to the local flow go under the
// business unit's outbound allow-list; the dev configuration adds the
// local flow on loopback and nothing else.
func TestFlowPosters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for bu, body := range map[string]string{
		"northwind": "outbound:\n  allowedHosts: [flows.example]\n",
		"bare":      "",
	} {
		if err := os.WriteFile(settings.FileName(dir, bu), []byte("businessUnit: "+bu+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got atomic.Int32
	flow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	t.Cleanup(flow.Close)
	other := strings.Replace(flow.URL, "127.0.0.1", "127.0.0.2", 1)
	posters := newFlowPosters(settings.NewDir(dir), flow.URL+LocalFlowPath,
		webhook.ClientOptions{Timeout: 5 * time.Second, MaxAttempts: 1})
	for _, tc := range []struct {
		name, bu, url string
		blocked       bool
	}{
		{"the local flow", "northwind", flow.URL + LocalFlowPath, false},
		{"the local flow, unit without an allow-list", "bare", flow.URL + LocalFlowPath, false},
		{"a host outside the unit's allow-list", "northwind", "https://elsewhere.example/flow", true},
		{"any host for a unit without an allow-list", "bare", "https://flows.example/flow", true},
		{"another loopback address", "northwind", other + LocalFlowPath, true},
		{"the cloud metadata address", "northwind", "http://169.254.169.254/latest/meta-data", true},
		{"plain http to an allowed host", "northwind", "http://flows.example/flow", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := posters(ctx, tc.bu)
			if err != nil {
				t.Fatal(err)
			}
			before := got.Load()
			_, err = p.Send(ctx, webhook.Message{URL: tc.url, ID: "ap-1", Body: []byte(`{}`)})
			if blocked := errors.Is(err, webhook.ErrBlocked); blocked != tc.blocked {
				t.Errorf("send: %v, want blocked=%v", err, tc.blocked)
			}
			if delivered := got.Load() > before; delivered == tc.blocked {
				t.Errorf("the flow server got a request: %v, want %v", delivered, !tc.blocked)
			}
		})
	}
	if a, _ := posters(ctx, "northwind"); a != mustPoster(t, posters, "northwind") {
		t.Error("the poster of a business unit was built twice")
	}
	if _, err := posters(ctx, "nowhere"); !errors.Is(err, settings.ErrNotFound) {
		t.Errorf("poster of a unit without settings: %v, want ErrNotFound", err)
	}
}

func mustPoster(t *testing.T, posters func(context.Context, string) (approval.Poster, error), bu string) approval.Poster {
	t.Helper()
	p, err := posters(context.Background(), bu)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFlowPolicy: what the dev configuration's flow URL adds to a unit's
// policy.
func TestFlowPolicy(t *testing.T) {
	unit := webhook.Policy{AllowedHosts: []string{"flows.example"}}
	for _, tc := range []struct {
		name, flow string
		want       webhook.Policy
	}{
		{"loopback address", "http://127.0.0.1:8080/local/flow", webhook.Policy{AllowedHosts: []string{"flows.example", "127.0.0.1"},
			HTTPHosts: []string{"127.0.0.1"}, AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}},
		{"localhost over https", "https://LOCALHOST:8443/flow", webhook.Policy{AllowedHosts: []string{"flows.example", "localhost"},
			AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}}},
		{"IPv6 loopback", "http://[::1]:8080/local/flow", webhook.Policy{AllowedHosts: []string{"flows.example", "::1"},
			HTTPHosts: []string{"::1"}, AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("::1/128")}}},
		{"a flow elsewhere: the unit's policy alone", "https://flows.dev.example/x", unit},
		{"a private address: the unit's policy alone", "http://10.0.0.7/flow", unit},
		{"unparsable", "http://[::1", unit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flowPolicy(&unit, tc.flow)
			if diff := cmp.Diff(tc.want, *got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("policy (-want +got):\n%s", diff)
			}
		})
	}
	if len(unit.AllowedHosts) != 1 {
		t.Errorf("the unit's policy was changed: %+v", unit)
	}
	u, _ := url.Parse("http://127.0.0.1:8080/")
	if err := flowPolicy(&unit, "https://flows.dev.example/x").CheckURL(u); !errors.Is(err, webhook.ErrBlocked) {
		t.Errorf("loopback without the dev configuration naming it: %v, want blocked", err)
	}
}
