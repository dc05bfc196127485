package tracking

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/content/preference"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Store is what the endpoint reads and writes (store.Store has it).
type Store interface {
	handler.WaitStore
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	UpsertContact(ctx context.Context, bu string, p store.ContactPatch) (store.Contact, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
	ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error)
	Suppress(ctx context.Context, bu string, kind store.AddressKind, address string, reason store.SuppressionReason) error
}

// Links gives a business unit's signed tracking links
// (*handler.ContentRenderers has it).
type Links interface {
	Links(ctx context.Context, bu string) (*ctracking.Links, error)
}

// Config is what New needs; Now, Logger and Seen are optional.
type Config struct {
	Store    Store
	Links    Links
	Settings handler.Settings
	Secrets  settings.SecretSource
	Tasks    handler.TaskAnswerer
	Now      func() time.Time
	Logger   *slog.Logger
	// Seen drops replayed status callbacks (a webhook.MemorySeen when nil).
	Seen webhook.SeenIDs
	// MaxBodyBytes bounds status callback bodies (64 KiB when 0).
	MaxBodyBytes int64
	// Retry, when set, takes a Job for every open or click whose
	// recording or resume failed; a Retrier runs them. When nil, such an
	// open or click is lost for its wait (see record).
	Retry queue.Sender
	// ResumeBackoff waits between the attempts of one resume
	// (handler.Resumer.Backoff; handler.DefaultResumeBackoff when nil).
	ResumeBackoff func(ctx context.Context, attempt int) error
}

// Handler is the tracking endpoint. It is safe for concurrent use.
type Handler struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	prefs map[string]*preference.Handler
}

// New checks cfg and returns the endpoint.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Links == nil || cfg.Settings == nil || cfg.Secrets == nil || cfg.Tasks == nil {
		return nil, errors.New("tracking: Store, Links, Settings, Secrets and Tasks are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Seen == nil {
		cfg.Seen = &webhook.MemorySeen{Now: cfg.Now}
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	return &Handler{cfg: cfg, log: cfg.Logger, prefs: map[string]*preference.Handler{}}, nil
}

// ServeHTTP implements http.Handler. Paths are relative to the mount
// point: strip the prefix (http.StripPrefix) before calling it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case ctracking.OpenPath:
		h.open(w, r)
	case ctracking.ClickPath:
		h.click(w, r)
	case ctracking.UnsubscribePath, ctracking.PreferencesPath:
		h.preferences(w, r)
	case StatusPath:
		h.status(w, r)
	default:
		http.NotFound(w, r)
	}
}

// StatusPath is where providers post status callbacks.
const StatusPath = "/status"

// verified parses a tracking URL's message id and finds its business
// unit's signer. Nothing in the id is trusted until verify says so.
func (h *Handler) verified(ctx context.Context, q url.Values, verify func(*ctracking.Signer, url.Values) error) (channel.MessageRef, bool) {
	ref, err := channel.ParseMessageRef(q.Get(ctracking.ParamMessage))
	if err != nil {
		return ref, false
	}
	links, err := h.cfg.Links.Links(ctx, ref.BU)
	if err != nil {
		return ref, false
	}
	return ref, verify(links.Signer, q) == nil
}

// gif is a transparent 1x1 GIF.
var gif, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

func (h *Handler) open(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store, private")
	ref, ok := h.verified(r.Context(), r.URL.Query(), func(s *ctracking.Signer, q url.Values) error {
		_, err := s.VerifyOpen(q)
		return err
	})
	if !ok {
		http.Error(w, "invalid link", http.StatusBadRequest)
		return
	}
	if !ref.Test {
		h.record(r.Context(), ref, store.InteractionOpened, "email.opened", nil)
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Write(gif)
}

func (h *Handler) click(w http.ResponseWriter, r *http.Request) {
	var dest string
	ref, ok := h.verified(r.Context(), r.URL.Query(), func(s *ctracking.Signer, q url.Values) error {
		c, err := s.VerifyClick(q)
		dest = c.URL
		return err
	})
	u, err := url.Parse(dest)
	if !ok || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		http.Error(w, "invalid link", http.StatusBadRequest)
		return
	}
	if !ref.Test {
		h.record(r.Context(), ref, store.InteractionClicked, "email.clicked", map[string]string{"url": dest})
	}
	w.Header().Set("Cache-Control", "no-store, private")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// record appends the interaction and resumes the waits it answers. The
// contact gets the pixel or the redirect whatever happens here: a mail
// client does not reload a pixel, nor a browser a redirect, on our say.
// So a failure is logged and, with a retry queue (Config.Retry), the rest
// of the work is queued as a Job for a Retrier: the interaction, unless it
// was recorded, and the resume (a wait whose answer could not be delivered
// was given back by handler.Resume and waits again). The interaction's id
// is fixed before the first write, so the job cannot record it twice.
// Without a retry queue an interaction that failed to record is lost, and
// a wait that failed to resume waits for a later open or click of the
// message, or ends by its timeout.
func (h *Handler) record(ctx context.Context, ref channel.MessageRef, kind store.InteractionKind, event string, detail map[string]string) {
	log := h.log.With("bu", ref.BU, "journey", ref.Journey, "version", ref.Version, "step", ref.Step, "event", event)
	i := store.Interaction{ID: store.NewID("i-"), Contact: ref.Contact, Kind: kind, Channel: channel.Email, At: h.cfg.Now(),
		Journey: ref.Journey, Version: ref.Version, Step: ref.Step, Message: ref.String(), Detail: detail}
	if _, err := h.cfg.Store.AppendInteraction(ctx, ref.BU, i); err != nil {
		log.ErrorContext(ctx, "record interaction", "error", err.Error())
		h.queueRetry(ctx, log, ref, newJob(ref, i, event, false))
		return
	}
	res := handler.Resumer{Store: h.cfg.Store, Tasks: h.cfg.Tasks, Backoff: h.cfg.ResumeBackoff}
	n, err := res.ResumeWaits(ctx, ref.BU, ref.Contact, event, &ref, "")
	if err != nil {
		log.ErrorContext(ctx, "resume waits", "error", err.Error())
		h.queueRetry(ctx, log, ref, newJob(ref, i, event, true))
	}
	log.InfoContext(ctx, "tracked", "resumed", n)
}

// preferences serves the preference centre of the token's business unit.
func (h *Handler) preferences(w http.ResponseWriter, r *http.Request) {
	bu := tokenBU(r.URL.Query().Get(ctracking.ParamToken))
	if bu == "" {
		http.Error(w, "This link is not valid.", http.StatusBadRequest)
		return
	}
	p, err := h.preferenceHandler(r.Context(), bu)
	if err != nil {
		h.log.WarnContext(r.Context(), "preference centre", "bu", bu, "error", err.Error())
		http.Error(w, "This link is not valid.", http.StatusBadRequest)
		return
	}
	p.ServeHTTP(w, r)
}

// tokenBU reads the business unit out of a subscriber token, unverified:
// it only picks whose keys verify the token.
func tokenBU(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	bu, _, _ := strings.Cut(string(raw), "\n")
	if store.CheckID("bu", bu) != nil {
		return ""
	}
	return bu
}

func (h *Handler) preferenceHandler(ctx context.Context, bu string) (*preference.Handler, error) {
	h.mu.Lock()
	p, ok := h.prefs[bu]
	h.mu.Unlock()
	if ok {
		return p, nil
	}
	links, err := h.cfg.Links.Links(ctx, bu)
	if err != nil {
		return nil, err
	}
	s, err := h.cfg.Settings.For(bu)
	if err != nil {
		return nil, err
	}
	p, err = preference.NewHandler(preference.Config{
		Signer: links.Signer, Store: Consents{Store: h.cfg.Store, Now: h.cfg.Now}, Brand: s.Preferences.Brand,
		Catalog: func(context.Context, string) (preference.Catalog, error) { return catalogOf(s), nil },
		Now:     h.cfg.Now, Logger: h.log,
	})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.prefs[bu] = p
	h.mu.Unlock()
	return p, nil
}

func catalogOf(s *settings.Settings) preference.Catalog {
	var c preference.Catalog
	for _, t := range s.Preferences.Topics {
		c.Topics = append(c.Topics, preference.Topic{ID: t.ID, Label: t.Label, Description: t.Description, Default: t.Default})
	}
	for _, ch := range s.Preferences.Channels {
		c.Channels = append(c.Channels, preference.Channel{ID: ch.ID, Label: ch.Label, Default: ch.Default})
	}
	return c
}
