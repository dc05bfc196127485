package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// An Inbox takes verified notifications. Accept should be quick (store the
// raw notification and queue it): LinkedIn wants a fast 2xx. It reports
// whether the notification was a duplicate (already accepted); an error makes
// the handler answer 500 so LinkedIn delivers again.
type Inbox interface {
	Accept(ctx context.Context, n Notification, raw []byte) (duplicate bool, err error)
}

// DefaultMaxBody bounds notification bodies; documented ones are under 1 KiB.
const DefaultMaxBody = 64 << 10

// maxChallengeCode bounds the challenge code echoed back (LinkedIn sends a UUID).
const maxChallengeCode = 256

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// ClientSecrets are the app's client secrets. Notifications signed with
	// any of them are accepted (rotation); the first answers challenges.
	ClientSecrets []string
	// Inbox receives every verified, parsed notification.
	Inbox Inbox
	// MaxBody bounds request bodies (413 above); DefaultMaxBody when zero.
	MaxBody int64
	// Logger gets one line per notification (lead id and action, never
	// lead data); slog.Default when nil.
	Logger *slog.Logger
}

// NewHandler returns the webhook endpoint LinkedIn calls:
//
//   - GET ?challengeCode=... answers 200 application/json
//     {"challengeCode": ..., "challengeResponse": hex HMAC} at once;
//   - POST reads at most MaxBody bytes (413), verifies X-LI-Signature over
//     the raw body before anything else (401, nothing stored), parses the
//     notification (400), hands it to the Inbox (500 on error) and answers
//     200 {"status":"accepted"|"duplicate"};
//   - other methods get 405.
//
// The handler is safe for concurrent use.
func NewHandler(opts HandlerOptions) (http.Handler, error) {
	if len(opts.ClientSecrets) == 0 || opts.ClientSecrets[0] == "" {
		return nil, errors.New("linkedin handler: a client secret is required")
	}
	if opts.Inbox == nil {
		return nil, errors.New("linkedin handler: an Inbox is required")
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &handler{opts: opts}, nil
}

type handler struct {
	opts HandlerOptions
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.challenge(w, r)
	case http.MethodPost:
		h.notification(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

func (h *handler) challenge(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("challengeCode")
	if code == "" || len(code) > maxChallengeCode {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "challengeCode missing or too long"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"challengeCode":     code,
		"challengeResponse": ChallengeResponse(h.opts.ClientSecrets[0], code),
	})
}

func (h *handler) notification(w http.ResponseWriter, r *http.Request) {
	raw, err := webhook.ReadBody(w, r, h.opts.MaxBody)
	if err != nil {
		writeJSON(w, webhook.HTTPStatus(err), map[string]string{"error": "body too large or unreadable"})
		return
	}
	if err := VerifySignature(h.opts.ClientSecrets, r.Header.Get(SignatureHeader), raw); err != nil {
		h.opts.Logger.Warn("linkedin notification rejected", "reason", err.Error())
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid signature"})
		return
	}
	n, err := ParseNotification(raw)
	if err != nil {
		h.opts.Logger.Warn("linkedin notification unreadable", "error", err.Error())
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	dup, err := h.opts.Inbox.Accept(r.Context(), n, raw)
	if err != nil {
		h.opts.Logger.Error("linkedin notification not stored", "lead", n.LeadID, "action", n.Action, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "not stored, retry"})
		return
	}
	status := "accepted"
	if dup {
		status = "duplicate"
	}
	h.opts.Logger.Info("linkedin notification", "lead", n.LeadID, "action", n.Action, "form", n.Form.URN(), "status", status)
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // maps of strings always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
