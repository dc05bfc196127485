package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// Config is one business unit's custom event configuration, secrets
// resolved (Section is how the settings file names them).
type Config struct {
	// Secrets are the whsec_ secrets a signed post may use (several during
	// a rotation). Without any, only API keys are accepted.
	Secrets []string
}

// ErrUnknownBU is what a Settings function wraps for a business unit that
// has no settings: a signed event naming one is refused (401).
var ErrUnknownBU = errors.New("intake: no settings for this business unit")

// ScopeEvents is the API key scope that allows posting events; a key
// without scopes may do everything its business unit may.
const ScopeEvents = "events:write"

// Store is what the Handler reads and writes.
type Store interface {
	Idempotencies
	GetAPIKey(ctx context.Context, hash string) (store.APIKey, error)
	GetContact(ctx context.Context, bu, id string) (store.Contact, error)
	FindContactByEmail(ctx context.Context, bu, email string) (store.Contact, error)
	AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error)
	ListJourneys(ctx context.Context, bu string) ([]store.Journey, error)
	WaitStore
}

// Enroller enrols a contact (*enrol.Enroller).
type Enroller interface {
	Enrol(ctx context.Context, r enrol.Request) (enrol.Outcome, error)
}

// Catalog gives checked journey versions (*catalog.Catalog).
type Catalog interface {
	Version(ctx context.Context, bu, id string, version int) (*catalog.Version, error)
}

// Tasks resumes waiting executions (workflow.Executions has it).
type Tasks interface {
	SendTaskSuccess(ctx context.Context, token, output string) error
}

// Options configure New. Everything but Now, MaxBody, Keep and Logger is
// required.
type Options struct {
	Store    Store
	Enroller Enroller
	Catalog  Catalog
	Tasks    Tasks
	// Settings returns a business unit's events configuration.
	Settings func(ctx context.Context, bu string) (Config, error)
	Now      func() time.Time
	// MaxBody bounds request bodies (413 above); DefaultMaxBody when 0.
	MaxBody int64
	// Keep is how long an event id is remembered; DefaultKeep when 0.
	Keep   time.Duration
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultMaxBody = 64 << 10
	DefaultKeep    = 30 * 24 * time.Hour
	eventLease     = time.Minute
)

// A Handler serves POST /events. It is safe for concurrent use.
type Handler struct {
	o Options
}

// New checks the options and returns the handler.
func New(o Options) (*Handler, error) {
	if o.Store == nil || o.Enroller == nil || o.Catalog == nil || o.Tasks == nil || o.Settings == nil {
		return nil, errors.New("intake: store, enroller, catalog, tasks and settings are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Handler{o: o}, nil
}

// httpError is an answer other than 200.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func fail(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP answers:
//
//	200 the result (a repeat of an event id: the first result, duplicate true)
//	400 malformed body or headers, 401 no or bad credentials, stale or wrong
//	signature, 403 a key of another business unit or without the events
//	scope, 405 not POST, 409 a replayed webhook id, 413 body too large,
//	422 unknown contact, 503 try again (the same event id is in progress,
//	or the store failed).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	res, err := h.serve(r.Context(), w, r)
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			h.o.Logger.Error("event failed", "error", err.Error())
			he = fail(http.StatusServiceUnavailable, "the event could not be processed; send it again")
		}
		if he.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5")
		}
		writeJSON(w, he.status, map[string]string{"error": he.msg})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) serve(ctx context.Context, w http.ResponseWriter, r *http.Request) (*Result, error) {
	body, err := webhook.ReadBody(w, r, h.o.MaxBody)
	if err != nil {
		return nil, fail(webhook.HTTPStatus(err), "body too large or unreadable")
	}
	bu, err := h.authenticate(ctx, r, body)
	if err != nil {
		return nil, err
	}
	ev, err := ParseEvent(body)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "%s", err.Error())
	}
	if ev.BU != "" && ev.BU != bu {
		return nil, fail(http.StatusForbidden, "the credentials are not for business unit %s", ev.BU)
	}
	ev.BU = bu
	return h.Accept(ctx, ev)
}

// authenticate returns the business unit the request may act for.
func (h *Handler) authenticate(ctx context.Context, r *http.Request, body []byte) (string, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		key, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || key == "" {
			return "", fail(http.StatusUnauthorized, "authorization must be a bearer API key")
		}
		k, err := h.o.Store.GetAPIKey(ctx, HashAPIKey(key))
		if errors.Is(err, store.ErrNotFound) {
			return "", fail(http.StatusUnauthorized, "unknown API key")
		}
		if err != nil {
			return "", err
		}
		if len(k.Scopes) > 0 && !slices.Contains(k.Scopes, ScopeEvents) {
			return "", fail(http.StatusForbidden, "the API key lacks the %s scope", ScopeEvents)
		}
		return k.BU, nil
	}
	if r.Header.Get(webhook.HeaderSignature) == "" {
		return "", fail(http.StatusUnauthorized, "send an API key or a Standard Webhooks signature")
	}
	// The business unit picks the secret; the signature then covers it.
	var head struct {
		BU string `json:"bu"`
	}
	if err := json.Unmarshal(body, &head); err != nil || store.CheckID("bu", head.BU) != nil {
		return "", fail(http.StatusBadRequest, "a signed event must name its business unit (bu)")
	}
	cfg, err := h.o.Settings(ctx, head.BU)
	if errors.Is(err, ErrUnknownBU) {
		return "", fail(http.StatusUnauthorized, "business unit %s accepts no signed events", head.BU)
	}
	if err != nil {
		return "", err
	}
	secrets, err := webhook.ParseSecrets(cfg.Secrets...)
	if err != nil || len(secrets) == 0 {
		return "", fail(http.StatusUnauthorized, "business unit %s accepts no signed events", head.BU)
	}
	v := webhook.Verifier{Secrets: secrets, Now: h.o.Now, Seen: SeenIDs{Store: h.o.Store, BU: head.BU, Now: h.o.Now}}
	if _, err := v.Verify(ctx, r.Header, body); err != nil {
		status := webhook.HTTPStatus(err)
		if status == http.StatusInternalServerError {
			return "", err
		}
		return "", fail(status, "%s", err.Error())
	}
	return head.BU, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
