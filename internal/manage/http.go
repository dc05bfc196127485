package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
)

// Body limits.
const (
	maxJSONBytes    = 1 << 20
	maxPublishBytes = store.MaxVersionBytes + 1<<20
)

// PublishRequest is the body of POST .../journeys.
type PublishRequest struct {
	Bundle          journey.Bundle `json:"bundle"`
	By              string         `json:"by,omitempty"`
	RequireApproval bool           `json:"requireApproval,omitempty"`
}

// ReasonRequest is the body of pause and stop.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// RollbackRequest is the body of rollback.
type RollbackRequest struct {
	Version int `json:"version"`
}

// LaunchRequest is the body of POST .../journeys/{id}/launches.
type LaunchRequest struct {
	Launch string `json:"launch,omitempty"`
}

// LaunchResponse answers a launch request.
type LaunchResponse struct {
	Launch    string `json:"launch"`
	Execution string `json:"execution"`
}

// HandlerOptions configure the HTTP handler.
type HandlerOptions struct {
	// Identity returns the IAM principal API Gateway authorized for a
	// /manage request (lambdamain reads it from the request context); nil
	// refuses every /manage request.
	Identity func(*http.Request) (string, bool)
	// Previews renders templates and makes test sends; nil answers 501.
	Previews Previewer
	// Leads takes backfilled leads (POST /leads/backfill); nil answers 501.
	Leads  LeadInbox
	Logger *slog.Logger
}

// Handler serves the management API. It is safe for concurrent use.
type Handler struct {
	svc    *Service
	opts   HandlerOptions
	routes *http.ServeMux
}

// NewHandler returns the management API over a service.
func NewHandler(svc *Service, o HandlerOptions) *Handler {
	if o.Logger == nil {
		o.Logger = svc.log
	}
	h := &Handler{svc: svc, opts: o, routes: http.NewServeMux()}
	h.route("GET /journeys", ScopeJourneysRead, h.listJourneys)
	h.route("POST /journeys", ScopeJourneysPublish, h.publish)
	h.route("GET /journeys/{id}", ScopeJourneysRead, h.status)
	h.route("GET /journeys/{id}/versions", ScopeJourneysRead, h.versions)
	h.route("GET /journeys/{id}/funnel", ScopeJourneysRead, h.funnel)
	h.route("POST /journeys/{id}/pause", ScopeJourneysOperate, h.pause)
	h.route("POST /journeys/{id}/resume", ScopeJourneysOperate, h.resume)
	h.route("POST /journeys/{id}/stop", ScopeJourneysOperate, h.stop)
	h.route("POST /journeys/{id}/rollback", ScopeJourneysOperate, h.rollback)
	h.route("POST /journeys/{id}/launches", ScopeJourneysOperate, h.launch)
	h.route("GET /contacts/{id}/trace", ScopeContactsRead, h.trace)
	h.route("DELETE /contacts/{id}", ScopeContactsErase, h.erase)
	h.route("POST /contacts/import", ScopeContactsWrite, h.importContacts)
	h.route("GET /audit", ScopeAuditRead, h.auditLog)
	h.route("POST /previews", ScopeContentPreview, h.preview)
	h.route("POST /leads/backfill", ScopeLeadsWrite, h.backfill)
	h.route("POST /content", ScopeContentWrite, h.putContent)
	return h
}

// route registers an operation that needs a scope.
func (h *Handler) route(pattern, scope string, fn func(w http.ResponseWriter, r *http.Request, c caller) error) {
	h.routes.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := callerOf(r.Context())
		if !c.may(scope) {
			h.fail(w, r, fmt.Errorf("the key lacks the scope %s: %w", scope, errForbidden))
			return
		}
		if err := fn(w, r, c); err != nil {
			h.fail(w, r, err)
		}
	})
}

// ServeHTTP authenticates the request, resolves its business unit and
// serves the route below the prefix: /manage/{bu}/... or /api/....
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var c caller
	var rest string
	var err error
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		rest = r.URL.Path[len("/api"):]
		c, err = h.keyCaller(r)
	case strings.HasPrefix(r.URL.Path, "/manage/"):
		bu, tail, _ := strings.Cut(r.URL.Path[len("/manage/"):], "/")
		rest = "/" + tail
		c, err = h.iamCaller(r, bu)
	default:
		h.fail(w, r, fmt.Errorf("no route %s: %w", r.URL.Path, store.ErrNotFound))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), callerKey{}, c))
	r2.URL.Path, r2.URL.RawPath = rest, ""
	h.routes.ServeHTTP(w, r2)
}

// decode reads a JSON body of at most limit bytes into v, refusing
// unknown fields.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &bodyError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the body is larger than %d bytes", limit)}
		}
		return &bodyError{status: http.StatusBadRequest, msg: "the body is not the expected JSON: " + err.Error()}
	}
	return nil
}

// A bodyError is a request body that cannot be used.
type bodyError struct {
	status int
	msg    string
}

func (e *bodyError) Error() string { return e.msg }

func reply(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (h *Handler) listJourneys(w http.ResponseWriter, r *http.Request, c caller) error {
	js, err := h.svc.Journeys(r.Context(), c.bu)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, js)
}

func (h *Handler) publish(w http.ResponseWriter, r *http.Request, c caller) error {
	var req PublishRequest
	if err := decode(w, r, maxPublishBytes, &req); err != nil {
		return err
	}
	res, err := h.svc.Publish(r.Context(), c.bu, c.actor, req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Status != "published" {
		status = http.StatusAccepted
	}
	return reply(w, status, res)
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, c caller) error {
	st, err := h.svc.Status(r.Context(), c.bu, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, st)
}

func (h *Handler) versions(w http.ResponseWriter, r *http.Request, c caller) error {
	vs, err := h.svc.Versions(r.Context(), c.bu, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, vs)
}

func (h *Handler) funnel(w http.ResponseWriter, r *http.Request, c caller) error {
	f, err := h.svc.Funnel(r.Context(), c.bu, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, f)
}

func (h *Handler) pause(w http.ResponseWriter, r *http.Request, c caller) error {
	var req ReasonRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	j, err := h.svc.Pause(r.Context(), c.bu, c.actor, r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, j)
}

func (h *Handler) resume(w http.ResponseWriter, r *http.Request, c caller) error {
	j, err := h.svc.Resume(r.Context(), c.bu, c.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, j)
}

func (h *Handler) stop(w http.ResponseWriter, r *http.Request, c caller) error {
	var req ReasonRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	res, err := h.svc.Stop(r.Context(), c.bu, c.actor, r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, res)
}

func (h *Handler) rollback(w http.ResponseWriter, r *http.Request, c caller) error {
	var req RollbackRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	res, err := h.svc.Rollback(r.Context(), c.bu, c.actor, r.PathValue("id"), req.Version)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, res)
}

func (h *Handler) launch(w http.ResponseWriter, r *http.Request, c caller) error {
	var req LaunchRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, maxJSONBytes, &req); err != nil {
			return err
		}
	}
	id, exec, err := h.svc.Launch(r.Context(), c.bu, c.actor, r.PathValue("id"), req.Launch)
	if err != nil {
		return err
	}
	return reply(w, http.StatusAccepted, LaunchResponse{Launch: id, Execution: exec})
}

func (h *Handler) trace(w http.ResponseWriter, r *http.Request, c caller) error {
	tr, err := h.svc.Trace(r.Context(), c.bu, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, tr)
}

func (h *Handler) erase(w http.ResponseWriter, r *http.Request, c caller) error {
	er, err := h.svc.Erase(r.Context(), c.bu, c.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, er)
}

func (h *Handler) importContacts(w http.ResponseWriter, r *http.Request, c caller) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		return &bodyError{status: http.StatusUnsupportedMediaType, msg: "send the contacts as text/csv (header first)"}
	}
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes)
	rep, err := h.svc.Import(r.Context(), c.bu, c.actor, body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &bodyError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("imports are at most %d bytes: import the file in parts", MaxImportBytes)}
	}
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, rep)
}

func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, c caller) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := h.svc.store.ListAudit(r.Context(), c.bu, r.URL.Query().Get("cursor"), min(max(limit, 0), store.MaxLimit))
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []store.AuditEntry{}
	}
	return reply(w, http.StatusOK, struct {
		Items []store.AuditEntry `json:"items"`
		Next  string             `json:"next,omitempty"`
	}{page.Items, page.Next})
}
