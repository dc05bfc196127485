package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// FlowConfig configures a Flow.
type FlowConfig struct {
	// Secrets gives the secret requests are signed with.
	Secrets settings.SecretSource
	// SecretName names it (default local.LocalFlowSecret).
	SecretName string
	// Store keeps pending requests across restarts (nil: memory only).
	Store store.KV
	Now   func() time.Time
	// Decide, when set, decides every request on its own right after
	// accepting it, as a flow with a rule would: "approve", "reject", or
	// "" to leave it to a person.
	Decide func(approval.FlowRequest) string
	// Client posts decisions to callback URLs (http.DefaultClient).
	Client *http.Client
	Logger *slog.Logger
}

// A Flow is a local stand-in for a Power Automate approval flow, speaking
// the same protocol: it accepts approval requests (POST, verified with
// Standard Webhooks signatures), keeps them pending, and answers each by
// posting the approval outcome to the request's callback URL. The dev
// server mounts one at /local/flow (GET /local/approvals lists the
// pending requests); `journeys demo` runs one that approves everything. It
// is safe for concurrent use.
type Flow struct {
	cfg     FlowConfig
	mu      sync.Mutex
	pending map[string]approval.FlowRequest
	decided int
	wg      sync.WaitGroup
}

// Decided counts the decisions the callback took (answered 200).
func (f *Flow) Decided() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.decided
}

const kvFlow = "devserver/flow/"

// NewFlow returns a flow.
func NewFlow(cfg FlowConfig) *Flow {
	if cfg.SecretName == "" {
		cfg.SecretName = local.LocalFlowSecret
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Flow{cfg: cfg, pending: map[string]approval.FlowRequest{}}
}

// ServeHTTP accepts one approval request.
func (f *Flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	secrets, err := settings.WebhookSecrets(r.Context(), f.cfg.Secrets, f.cfg.SecretName)
	if err != nil {
		http.Error(w, "flow secret unavailable", http.StatusServiceUnavailable)
		return
	}
	v := webhook.Verifier{Secrets: secrets, Now: f.cfg.Now, Tolerance: 24 * time.Hour}
	if _, err := v.Verify(r.Context(), r.Header, body); err != nil {
		http.Error(w, "signature rejected", http.StatusUnauthorized)
		return
	}
	var req approval.FlowRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Approval == "" || req.CallbackURL == "" {
		http.Error(w, "not an approval request", http.StatusBadRequest)
		return
	}
	if err := f.keep(r.Context(), req); err != nil {
		http.Error(w, "could not keep the request", http.StatusServiceUnavailable)
		return
	}
	f.cfg.Logger.Info("approval requested", "approval", req.Approval, "bu", req.BU, "title", req.Title)
	w.WriteHeader(http.StatusAccepted)
	if f.cfg.Decide == nil {
		return
	}
	if decision := f.cfg.Decide(req); decision != "" {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			if _, err := f.Decide(context.Background(), req.Approval, decision); err != nil {
				f.cfg.Logger.Error("automatic decision", "approval", req.Approval, "error", err.Error())
			}
		}()
	}
}

func (f *Flow) keep(ctx context.Context, req approval.FlowRequest) error {
	if f.cfg.Store != nil {
		raw, err := json.Marshal(req)
		if err != nil {
			return err
		}
		if err := f.cfg.Store.PutKV(ctx, kvFlow+req.Approval, raw); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.pending[req.Approval] = req
	f.mu.Unlock()
	return nil
}

// Pending lists the requests not yet decided, oldest first.
func (f *Flow) Pending(ctx context.Context) ([]approval.FlowRequest, error) {
	f.mu.Lock()
	all := map[string]approval.FlowRequest{}
	for k, v := range f.pending {
		all[k] = v
	}
	f.mu.Unlock()
	if f.cfg.Store != nil {
		page, cursor := store.Page[store.KVPair]{}, ""
		for {
			var err error
			if page, err = f.cfg.Store.ListKV(ctx, kvFlow, cursor, store.MaxLimit); err != nil {
				return nil, err
			}
			for _, p := range page.Items {
				var req approval.FlowRequest
				if json.Unmarshal(p.Value, &req) == nil {
					all[req.Approval] = req
				}
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	out := make([]approval.FlowRequest, 0, len(all))
	for _, r := range all {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RequestedAt.Equal(out[j].RequestedAt) {
			return out[i].RequestedAt.Before(out[j].RequestedAt)
		}
		return out[i].Approval < out[j].Approval
	})
	return out, nil
}

// Decide answers a pending request ("approve" or "reject") by posting the
// outcome to its callback URL, and returns the status the callback
// answered. A decided request is no longer pending whatever the answer
// (409 decided before, 410 expired).
func (f *Flow) Decide(ctx context.Context, id, decision string) (int, error) {
	outcome := map[string]string{"approve": approval.OutcomeApprove, "reject": approval.OutcomeReject}[strings.ToLower(decision)]
	if outcome == "" {
		return 0, fmt.Errorf("decision %q: approve or reject", decision)
	}
	reqs, err := f.Pending(ctx)
	if err != nil {
		return 0, err
	}
	var req *approval.FlowRequest
	for i := range reqs {
		if reqs[i].Approval == id {
			req = &reqs[i]
		}
	}
	if req == nil {
		return 0, fmt.Errorf("approval %s: %w", id, ErrNoRequest)
	}
	body, _ := json.Marshal(approval.Outcome{Outcome: outcome, Responses: []approval.Response{{
		Responder: approval.Responder{DisplayName: "Local flow"}, Comments: "decided in the local flow",
		ResponseDate: f.cfg.Now().UTC().Format(time.RFC3339), ApproverResponse: outcome,
	}}})
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.CallbackURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := f.cfg.Client.Do(hr)
	if err != nil {
		return 0, fmt.Errorf("post decision of %s: %w", id, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return resp.StatusCode, fmt.Errorf("decision of %s: the callback answered 503; try again", id)
	}
	f.mu.Lock()
	delete(f.pending, id)
	if resp.StatusCode == http.StatusOK {
		f.decided++
	}
	f.mu.Unlock()
	if f.cfg.Store != nil {
		if err := f.cfg.Store.DeleteKV(ctx, kvFlow+id); err != nil {
			return resp.StatusCode, err
		}
	}
	f.cfg.Logger.Info("approval decided in the local flow", "approval", id, "outcome", outcome, "status", resp.StatusCode)
	return resp.StatusCode, nil
}

// ErrNoRequest: no pending request has that id.
var ErrNoRequest = errors.New("no such pending approval request")

// Wait waits for the automatic decisions under way.
func (f *Flow) Wait() { f.wg.Wait() }
