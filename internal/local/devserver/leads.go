package devserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
)

// LinkedInSecret names the LinkedIn app's client secret, which signs lead
// notifications (X-LI-Signature).
const LinkedInSecret = "linkedin-client-secret"

// LeadQueue is the name of the lead queue in the embedded store.
const LeadQueue = "linkedin-leads"

// leadPipeline is the LinkedIn lead path: the webhook's inbox queues
// notifications in the embedded store's queue; the worker syncs each lead
// (fetch, map, upsert, enrol) exactly once.
type leadPipeline struct {
	webhook http.Handler
	inbox   *leads.Inbox // also the management API's backfill route's
	worker  *queue.Worker
	queue   *queue.Store
}

// newLeadPipeline wires the webhook, the queue and the worker from the
// business units' linkedin settings sections. Without a token the webhook
// still accepts and queues notifications, and the worker leaves them
// queued (it cannot fetch leads).
func newLeadPipeline(sys *local.System, queues store.Queue, cfg Config, secrets settings.SecretSource) (*leadPipeline, error) {
	st := sys.Store
	configs, err := leads.LoadConfigs(sys.Settings.Path(), sys.Settings)
	if err != nil {
		return nil, err
	}
	for bu, c := range cfg.LinkedIn.Units {
		if _, ok := configs[bu]; !ok {
			configs[bu] = c
		}
	}
	routes, err := leads.NewRoutes(configs)
	if err != nil {
		return nil, err
	}
	q := queue.NewStore(queues, LeadQueue, queue.StoreOptions{})
	inbox, err := leads.NewInbox(leads.InboxOptions{Store: st, Queue: q, Routes: routes, Now: sys.Now, Logger: sys.Logger()})
	if err != nil {
		return nil, err
	}
	clientSecret, err := secrets.Secret(context.Background(), LinkedInSecret)
	if err != nil {
		return nil, fmt.Errorf("linkedin client secret: %w", err)
	}
	hook, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: []string{clientSecret}, Inbox: inbox, Logger: sys.Logger()})
	if err != nil {
		return nil, err
	}
	p := &leadPipeline{webhook: hook, inbox: inbox, queue: q}
	api := cfg.LinkedIn
	if api.Token == "" {
		p.worker = &queue.Worker{Receiver: idleReceiver{}, Handler: func(context.Context, queue.Message) error { return nil }}
		return p, nil
	}
	if api.Version == "" {
		api.Version = "202501"
	}
	client, err := linkedin.NewClient(linkedin.ClientOptions{BaseURL: api.APIURL, Version: api.Version,
		Tokens: linkedin.StaticToken(api.Token), Logger: sys.Logger()})
	if err != nil {
		return nil, err
	}
	proc, err := leads.NewProcessor(leads.Options{
		Store: st, API: client, Enroller: sys.Enroller, Catalog: sys.Catalog, Stopper: sys.Workflow, Tasks: sys.Workflow,
		Settings: func(_ context.Context, bu string) (leads.Config, error) {
			c, ok := configs[bu]
			if !ok {
				return c, fmt.Errorf("business unit %s has no linkedin settings", bu)
			}
			return c, nil
		},
		Now: sys.Now, Logger: sys.Logger(),
	})
	if err != nil {
		return nil, err
	}
	p.worker = &queue.Worker{Receiver: q, Handler: proc.Handle, Logger: sys.Logger(), Idle: 100 * time.Millisecond}
	return p, nil
}

// idleReceiver is the worker's receiver when leads cannot be fetched: it
// never hands out a message, so queued leads wait for a restart with a
// token.
type idleReceiver struct{}

func (idleReceiver) Receive(context.Context, int) ([]queue.Message, error) { return nil, nil }
func (idleReceiver) Delete(context.Context, queue.Message) error           { return nil }
func (idleReceiver) Retry(context.Context, queue.Message, time.Duration) error {
	return nil
}
