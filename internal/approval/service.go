package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Store is what the Service reads and writes.
type Store interface {
	CreateApproval(ctx context.Context, bu string, a store.Approval) (store.Approval, error)
	GetApproval(ctx context.Context, bu, id string) (store.Approval, error)
	DecideApproval(ctx context.Context, bu, id string, d store.Decision) (store.Approval, error)
	CreateCallback(ctx context.Context, bu string, c store.Callback) (store.Callback, error)
	ClaimCallback(ctx context.Context, bu, id string) (store.Callback, error)
	ReleaseCallback(ctx context.Context, bu string, claim store.Callback) error
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
}

// Tasks answers task tokens (workflow.Executions has it).
type Tasks interface {
	SendTaskSuccess(ctx context.Context, token, output string) error
	SendTaskFailure(ctx context.Context, token, errName, cause string) error
}

// Catalog gives checked journey versions (*catalog.Catalog).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// Poster sends a message with retries (*webhook.Client). The Service signs
// messages itself, per business unit, so the client is built Unsigned.
type Poster interface {
	Send(ctx context.Context, m webhook.Message) (*webhook.Response, error)
}

// A DecisionHook acts on the decision of an approval that is not a journey
// step's (content, publish). It must be idempotent: it runs again when the
// flow repeats its callback after a failure.
type DecisionHook interface {
	OnDecision(ctx context.Context, a store.Approval) error
}

// Options configure New. Store, Poster or Posters, Settings and
// CallbackURL are required; Tasks and Catalog for step approvals.
type Options struct {
	Store   Store
	Tasks   Tasks
	Catalog Catalog
	// Poster posts every business unit's requests; Posters, when set,
	// gives each unit its own (its outbound allow-list: FromSettings).
	Poster  Poster
	Posters func(ctx context.Context, bu string) (Poster, error)
	// Settings returns a business unit's approval configuration.
	Settings func(ctx context.Context, bu string) (Config, error)
	// CallbackURL is the public URL of the callback endpoint, e.g.
	// https://api.example.com/approvals/callback.
	CallbackURL string
	// Hooks act on decisions by approval kind (not ApprovalStep).
	Hooks map[store.ApprovalKind]DecisionHook
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxBody bounds callback bodies (413 above); DefaultMaxBody when 0.
	MaxBody int64
	Logger  *slog.Logger
}

// DefaultMaxBody bounds callback bodies.
const DefaultMaxBody = 64 << 10

// A Service requests approvals and takes their decisions. It is safe for
// concurrent use.
type Service struct {
	o Options
}

// New checks the options and returns a Service.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Poster == nil && o.Posters == nil || o.Settings == nil || o.CallbackURL == "" {
		return nil, errors.New("approval: store, poster, settings and callback URL are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{o: o}, nil
}

// A Subject is what is to be approved.
type Subject struct {
	BU   string
	Kind store.ApprovalKind
	// Key says what makes this request unique within the business unit
	// and kind ("<journey>|<version>" for a publication); the approval id
	// is derived from it, so asking again returns the same approval.
	Key string
	// Title and Details are what the reviewer reads; Approvers names who
	// the flow should ask.
	Title, Details, Approvers string
	// Journey context (all optional for content).
	Journey   string
	Version   int
	Step      string
	Execution string
	// Contact, for a step approval: the flow gets the name and company a
	// reviewer needs.
	Contact string
	// Token is the task token of a step approval, stored under the
	// approval's id until the decision.
	Token string
	// Expires is when the request lapses.
	Expires time.Time
}

// Request stores the approval (and its task token) and asks the flow, once:
// asking again for the same subject returns the stored approval without
// posting again. Errors: a *webhook.DeliveryError when the flow cannot be
// reached (webhook.ErrTransient or ErrPermanent), store errors, a bad
// configuration.
func (s *Service) Request(ctx context.Context, sub Subject) (store.Approval, error) {
	cfg, err := s.config(ctx, sub.BU)
	if err != nil {
		return store.Approval{}, err
	}
	id := ApprovalID(sub.BU, sub.Kind, sub.Key)
	if sub.Token != "" {
		_, err := s.o.Store.CreateCallback(ctx, sub.BU, store.Callback{
			ID: id, Kind: store.CallbackApproval, Token: sub.Token, Execution: sub.Execution, Contact: sub.Contact,
			Journey: sub.Journey, Step: sub.Step, ExpiresAt: sub.Expires,
		})
		if err != nil && !errors.Is(err, store.ErrExists) {
			return store.Approval{}, fmt.Errorf("store token of approval %s: %w", id, err)
		}
	}
	a, err := s.o.Store.CreateApproval(ctx, sub.BU, store.Approval{
		ID: id, Kind: sub.Kind, Journey: sub.Journey, Version: sub.Version, Execution: sub.Execution,
		Step: sub.Step, Contact: sub.Contact, RequestedAt: s.o.Now(), ExpiresAt: sub.Expires,
	})
	if errors.Is(err, store.ErrExists) {
		a, err = s.o.Store.GetApproval(ctx, sub.BU, id)
	}
	if err != nil {
		return store.Approval{}, fmt.Errorf("store approval %s: %w", id, err)
	}
	return a, s.post(ctx, cfg, sub, a)
}

// ApprovalID derives the approval id of a subject: opaque, stable.
func ApprovalID(bu string, kind store.ApprovalKind, key string) string {
	sum := sha256.Sum256([]byte(bu + "\x00" + string(kind) + "\x00" + key))
	return "ap-" + hex.EncodeToString(sum[:13])
}

func (s *Service) config(ctx context.Context, bu string) (parsed, error) {
	c, err := s.o.Settings(ctx, bu)
	if err != nil {
		return parsed{}, fmt.Errorf("approval settings of %s: %w", bu, err)
	}
	p, err := c.parse()
	if err != nil {
		return parsed{}, fmt.Errorf("approval settings of %s: %w", bu, err)
	}
	return p, nil
}
