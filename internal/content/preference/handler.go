package preference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// Config configures the preference centre.
type Config struct {
	Signer *tracking.Signer
	Store  Store
	// Catalog returns the topics and channels shown to bu's contacts.
	Catalog func(ctx context.Context, bu string) (Catalog, error)
	// Brand names the sender on the page, e.g. "Northwind Analytics".
	Brand string
	// Now is the clock (consent times, nonces). Default time.Now.
	Now func() time.Time
	// NonceTTL is how long a served form can be submitted. Default 24h.
	NonceTTL time.Duration
	// Logger receives errors, with business unit ids only. Default: discard.
	Logger *slog.Logger
}

// Handler serves GET and POST for the unsubscribe and preference URLs
// (tracking.UnsubscribePath, tracking.PreferencesPath) wherever it is
// mounted. It is safe for concurrent use.
type Handler struct {
	cfg Config
}

// NewHandler checks cfg and returns the handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Signer == nil || cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("preference: Signer, Store and Catalog are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NonceTTL <= 0 {
		cfg.NonceTTL = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Brand == "" {
		cfg.Brand = "us"
	}
	return &Handler{cfg: cfg}, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSafetyHeaders(w.Header())
	token, sub, err := h.cfg.Signer.VerifyUnsubscribe(r.URL.Query())
	if err != nil {
		h.fail(w, http.StatusBadRequest, "This link is not valid. Please use the newest link from one of our emails.")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.page(w, r, token, sub, r.URL.Query().Get("saved") == "1")
	case http.MethodPost:
		h.post(w, r, token, sub)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.fail(w, http.StatusMethodNotAllowed, "Method not allowed.")
	}
}

func setSafetyHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request, token string, sub tracking.Subscriber) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" && r.PostForm.Get("nonce") == "" {
		h.oneClick(w, r, sub)
		return
	}
	if crossSite(r) {
		h.fail(w, http.StatusForbidden, "This form can only be sent from our own page.")
		return
	}
	if err := h.verifyNonce(token, r.PostForm.Get("nonce")); err != nil {
		h.fail(w, http.StatusForbidden, "This form has expired. Please reload the page and try again.")
		return
	}
	cat, current, err := h.load(r.Context(), sub)
	if err != nil {
		h.internal(w, sub, "load preferences", err)
		return
	}
	changes := h.changes(cat, current, r.PostForm)
	if len(changes) > 0 {
		if err := h.cfg.Store.SetConsents(r.Context(), sub.BU, sub.Contact, changes); err != nil {
			h.internal(w, sub, "save preferences", err)
			return
		}
	}
	// A query-only reference keeps the path the browser used: the handler
	// is mounted under a prefix it does not see (http.StripPrefix), so
	// r.URL.Path is not the public path.
	q := url.Values{tracking.ParamToken: {token}, "saved": {"1"}}
	w.Header().Set("Location", "?"+q.Encode())
	w.WriteHeader(http.StatusSeeOther)
}

// oneClick handles RFC 8058: opt out of the message's topic, or of email
// when the message had none.
func (h *Handler) oneClick(w http.ResponseWriter, r *http.Request, sub tracking.Subscriber) {
	c := Consent{Scope: ScopeChannel, Name: "email", Source: SourceOneClick, At: h.cfg.Now()}
	if sub.Topic != "" {
		c.Scope, c.Name = ScopeTopic, sub.Topic
	}
	if err := h.cfg.Store.SetConsents(r.Context(), sub.BU, sub.Contact, []Consent{c}); err != nil {
		h.internal(w, sub, "one-click unsubscribe", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "You are unsubscribed.")
}

// changes compares the submitted form with the recorded state and returns
// what differs. "unsubscribe-all" opts out of every topic and channel.
func (h *Handler) changes(cat Catalog, current map[key]bool, form url.Values) []Consent {
	all := form.Get("action") == "unsubscribe-all"
	source := SourcePage
	if all {
		source = SourceUnsubscribeAll
	}
	checked := func(field, id string) bool {
		if all {
			return false
		}
		for _, v := range form[field] {
			if v == id {
				return true
			}
		}
		return false
	}
	now := h.cfg.Now()
	var out []Consent
	add := func(scope Scope, id string, want bool) {
		if current[key{scope, id}] != want {
			out = append(out, Consent{Scope: scope, Name: id, Granted: want, Source: source, At: now})
		}
	}
	for _, t := range cat.Topics {
		add(ScopeTopic, t.ID, checked("topic", t.ID))
	}
	for _, c := range cat.Channels {
		add(ScopeChannel, c.ID, checked("channel", c.ID))
	}
	return out
}

type key struct {
	scope Scope
	name  string
}

// load returns the catalog and the effective state: recorded consents over
// the catalog's defaults.
func (h *Handler) load(ctx context.Context, sub tracking.Subscriber) (Catalog, map[key]bool, error) {
	cat, err := h.cfg.Catalog(ctx, sub.BU)
	if err != nil {
		return Catalog{}, nil, fmt.Errorf("catalog: %w", err)
	}
	recorded, err := h.cfg.Store.Consents(ctx, sub.BU, sub.Contact)
	if err != nil {
		return Catalog{}, nil, fmt.Errorf("consents: %w", err)
	}
	state := map[key]bool{}
	for _, t := range cat.Topics {
		state[key{ScopeTopic, t.ID}] = t.Default
	}
	for _, c := range cat.Channels {
		state[key{ScopeChannel, c.ID}] = c.Default
	}
	for _, c := range recorded {
		state[key{c.Scope, c.Name}] = c.Granted
	}
	return cat, state, nil
}

// crossSite reports a browser request sent from another site. Origin is
// "null" for forms on our own page, whose Referrer-Policy is no-referrer,
// so only a named foreign origin counts; Sec-Fetch-Site is not affected by
// the referrer policy.
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

const purposeForm = "preference-form/v1"

// nonce returns a form nonce for token: "<key>.<unix time>.<sig>".
func (h *Handler) nonce(token string) string {
	issued := strconv.FormatInt(h.cfg.Now().Unix(), 10)
	kid, sig := h.cfg.Signer.Sign(purposeForm, token, issued)
	return kid + "." + issued + "." + sig
}

func (h *Handler) verifyNonce(token, nonce string) error {
	parts := strings.Split(nonce, ".")
	if len(parts) != 3 {
		return tracking.ErrMalformed
	}
	if err := h.cfg.Signer.Verify(purposeForm, parts[0], parts[2], token, parts[1]); err != nil {
		return err
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return tracking.ErrMalformed
	}
	age := h.cfg.Now().Sub(time.Unix(sec, 0))
	if age < -time.Minute || age > h.cfg.NonceTTL {
		return errors.New("preference: form nonce expired")
	}
	return nil
}

func (h *Handler) internal(w http.ResponseWriter, sub tracking.Subscriber, op string, err error) {
	h.cfg.Logger.Error("preference centre failed", "op", op, "bu", sub.BU, "err", err)
	h.fail(w, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a few minutes.")
}
