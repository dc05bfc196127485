package approval

import (
	"context"

	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Deps is what the two approval functions build a Service from; the
// functions' mains fill it from lambdamain.Runtime.
type Deps struct {
	Store    Store
	Tasks    Tasks
	Catalog  Catalog
	Settings SettingsSource
	Secrets  settings.SecretSource
	// CallbackURL is the public URL of the callback route.
	CallbackURL string
	// Outbox, when set, writes flow requests there instead of posting them
	// (local invokes, the dev server).
	Outbox string
	// Client is the template of the per-unit flow clients.
	Client webhook.ClientOptions
	Hooks  map[store.ApprovalKind]DecisionHook
}

// NewFromDeps builds the Service of a function: settings sections read
// through FromSettings, flow posts through each unit's allow-list (or the
// outbox).
func NewFromDeps(d Deps) (*Service, error) {
	config, posters := FromSettings(d.Settings, d.Secrets, d.Client)
	o := Options{Store: d.Store, Tasks: d.Tasks, Catalog: d.Catalog, Settings: config, Posters: posters,
		CallbackURL: d.CallbackURL, Hooks: d.Hooks, Logger: d.Client.Logger}
	if d.Outbox != "" {
		o.Posters = func(context.Context, string) (Poster, error) { return Outbox{Dir: d.Outbox}, nil }
	}
	return New(o)
}
