package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Channels gives the delivery provider of a business unit's channel.
type Channels interface {
	Provider(ctx context.Context, bu, channel string) (channel.Provider, error)
}

// Actions gives the endpoint of a business unit's outbound webhook action.
type Actions interface {
	Action(ctx context.Context, bu, name string) (*ActionTarget, error)
}

// An ActionTarget is where a webhook step's action calls.
type ActionTarget struct {
	URL    string
	Method string
	Sender channel.Sender
}

// ErrNoChannel is returned (wrapped) for a channel or action the business
// unit's settings do not configure.
var ErrNoChannel = errors.New("handler: not configured in the business unit's settings")

// Outbound builds channel providers and action senders from settings and
// secrets, once per business unit and name. It implements Channels and
// Actions and is safe for concurrent use.
type Outbound struct {
	settings Settings
	secrets  settings.SecretSource
	opts     OutboundOptions

	mu        sync.Mutex
	providers map[[2]string]channel.Provider
	actions   map[[2]string]*ActionTarget
}

// OutboundOptions tune Outbound.
type OutboundOptions struct {
	// Outbox, when set, delivers every channel of every business unit to
	// this folder (<Outbox>/<bu>) instead of its provider: the dev server
	// and local invokes never send real messages.
	Outbox string
	// StatusURL returns where providers send status callbacks for a
	// business unit ("" for none).
	StatusURL func(bu string) string
	// Client is the template of every webhook client (timeouts, retries,
	// clock, logger); Policy, Secrets and Timeout come from the settings.
	Client webhook.ClientOptions
	Now    func() time.Time
	Logger *slog.Logger
}

// NewOutbound returns the builder.
func NewOutbound(s Settings, secrets settings.SecretSource, opts OutboundOptions) *Outbound {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Outbound{settings: s, secrets: secrets, opts: opts,
		providers: map[[2]string]channel.Provider{}, actions: map[[2]string]*ActionTarget{}}
}

// Provider implements Channels.
func (o *Outbound) Provider(ctx context.Context, bu, name string) (channel.Provider, error) {
	k := [2]string{bu, name}
	o.mu.Lock()
	p, ok := o.providers[k]
	o.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := o.provider(ctx, bu, name)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.providers[k] = p
	o.mu.Unlock()
	return p, nil
}

func (o *Outbound) provider(ctx context.Context, bu, name string) (channel.Provider, error) {
	if o.opts.Outbox != "" {
		return channel.NewOutbox(filepath.Join(o.opts.Outbox, bu), o.opts.Now), nil
	}
	s, err := o.settings.For(bu)
	if err != nil {
		return nil, err
	}
	ch, ok := s.Channels[name]
	if !ok {
		return nil, fmt.Errorf("channel %s of %s: %w", name, bu, ErrNoChannel)
	}
	if ch.Provider == settings.ProviderOutbox {
		dir := ch.Folder
		if dir == "" {
			dir = "outbox"
		}
		return channel.NewOutbox(filepath.Join(dir, bu), o.opts.Now), nil
	}
	client, err := o.client(ctx, s, ch.Secret, false, ch.Timeout.Duration)
	if err != nil {
		return nil, fmt.Errorf("channel %s of %s: %w", name, bu, err)
	}
	status := ""
	if o.opts.StatusURL != nil {
		status = o.opts.StatusURL(bu)
	}
	return channel.NewWebhookProvider(client, ch.URL, status), nil
}

// Action implements Actions.
func (o *Outbound) Action(ctx context.Context, bu, name string) (*ActionTarget, error) {
	k := [2]string{bu, name}
	o.mu.Lock()
	a, ok := o.actions[k]
	o.mu.Unlock()
	if ok {
		return a, nil
	}
	s, err := o.settings.For(bu)
	if err != nil {
		return nil, err
	}
	if o.opts.Outbox != "" {
		a = &ActionTarget{URL: "outbox:" + name, Method: "POST", Sender: outboxActions{dir: filepath.Join(o.opts.Outbox, bu, "actions")}}
		o.mu.Lock()
		o.actions[k] = a
		o.mu.Unlock()
		return a, nil
	}
	act, ok := s.Actions[name]
	if !ok {
		return nil, fmt.Errorf("webhook action %s of %s: %w", name, bu, ErrNoChannel)
	}
	client, err := o.client(ctx, s, act.Secret, act.Unsigned, act.Timeout.Duration)
	if err != nil {
		return nil, fmt.Errorf("webhook action %s of %s: %w", name, bu, err)
	}
	method := strings.ToUpper(act.Method)
	if method == "" {
		method = "POST"
	}
	a = &ActionTarget{URL: act.URL, Method: method, Sender: client}
	o.mu.Lock()
	o.actions[k] = a
	o.mu.Unlock()
	return a, nil
}

func (o *Outbound) client(ctx context.Context, s *settings.Settings, secret string, unsigned bool, timeout time.Duration) (*webhook.Client, error) {
	opts := o.opts.Client
	policy, err := s.Outbound.Policy()
	if err != nil {
		return nil, err
	}
	opts.Policy, opts.Unsigned = policy, unsigned
	switch {
	case timeout > 0:
		opts.Timeout = timeout
	case opts.Timeout <= 0:
		opts.Timeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = o.opts.Logger
	}
	if !unsigned {
		if opts.Secrets, err = settings.WebhookSecrets(ctx, o.secrets, secret); err != nil {
			return nil, err
		}
	}
	return webhook.NewClient(opts)
}

// outboxActions writes webhook action calls into a folder instead of
// calling out (local invokes and the dev server): one <key>.json each.
type outboxActions struct{ dir string }

func (o outboxActions) Send(_ context.Context, m webhook.Message) (*webhook.Response, error) {
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return nil, err
	}
	name := filepath.Join(o.dir, filepath.Base(m.ID)+".json")
	if err := os.WriteFile(name, m.Body, 0o640); err != nil {
		return nil, err
	}
	return &webhook.Response{StatusCode: 200, Attempts: 1}, nil
}
