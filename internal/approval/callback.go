package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Callback returns the endpoint flows post decisions to. It can be mounted
// at any path: the approval is named by the signed query (CallbackURL).
//
//	POST <callback URL>  body: the approval outcome
//	200 {"approval": id, "status": "approved"|"rejected"}   the first decision
//	400 malformed body or headers, 401 bad URL signature or Standard Webhooks
//	signature (nothing is read or stored), 404 unknown approval, 405 not POST,
//	409 already decided, 410 expired (link or approval) or the journey no
//	longer waits, 413 body too large, 503 try again.
func (s *Service) Callback() http.Handler { return http.HandlerFunc(s.serveCallback) }

// errorBody is every error answer.
type errorBody struct {
	Error    string `json:"error"`
	Approval string `json:"approval,omitempty"`
	Status   string `json:"status,omitempty"`
}

func (s *Service) serveCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method not allowed"})
		return
	}
	ctx := r.Context()
	t, ok := ReadCallbackURL(r.URL.Query())
	if !ok || store.CheckIDs("bu", t.BU, "approval", t.ID) != nil {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "unsigned callback URL"})
		return
	}
	cfg, err := s.config(ctx, t.BU)
	if errors.Is(err, ErrUnknownBU) {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "unsigned callback URL"})
		return
	}
	if err != nil {
		s.o.Logger.Error("approval callback: settings", "bu", t.BU, "approval", t.ID, "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "settings unavailable"})
		return
	}
	if _, err := CheckCallbackURL(r.URL.Query(), cfg.keys, s.o.Now()); err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, ErrLinkExpired) {
			status = http.StatusGone
		}
		writeJSON(w, status, errorBody{Error: err.Error(), Approval: t.ID})
		return
	}
	d, status, err := s.readDecision(w, r, cfg)
	if err != nil {
		writeJSON(w, status, errorBody{Error: err.Error(), Approval: t.ID})
		return
	}
	status, answer := s.decide(ctx, t.BU, t.ID, d)
	writeJSON(w, status, answer)
}

// readDecision reads the body (limited), checks Standard Webhooks headers
// when the flow sends them, and parses the outcome.
func (s *Service) readDecision(w http.ResponseWriter, r *http.Request, cfg parsed) (store.Decision, int, error) {
	body, err := webhook.ReadBody(w, r, s.o.MaxBody)
	if err != nil {
		return store.Decision{}, webhook.HTTPStatus(err), errors.New("body too large or unreadable")
	}
	if r.Header.Get(webhook.HeaderSignature) != "" || r.Header.Get(webhook.HeaderID) != "" {
		// A decision is taken once (409 after), so replays need no id store.
		v := webhook.Verifier{Secrets: cfg.secrets, Now: s.o.Now}
		if _, err := v.Verify(r.Context(), r.Header, body); err != nil {
			return store.Decision{}, webhook.HTTPStatus(err), errors.New("webhook signature rejected")
		}
	}
	out, err := ParseOutcome(body)
	if err != nil {
		return store.Decision{}, http.StatusBadRequest, err
	}
	who := out.decider()
	return store.Decision{
		Approved: out.Approved(), Decision: out.Outcome,
		Responder: truncate(who.Responder.DisplayName, maxDisplayName), Comments: truncate(who.Comments, maxComments),
	}, 0, nil
}

// decide records the first decision and acts on it. A repeat is 409, and
// finishes what a failed first attempt left undone (a resume, a hook).
func (s *Service) decide(ctx context.Context, bu, id string, d store.Decision) (int, any) {
	a, err := s.o.Store.DecideApproval(ctx, bu, id, d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, errorBody{Error: "unknown approval", Approval: id}
	case errors.Is(err, store.ErrExpired):
		return http.StatusGone, errorBody{Error: "approval expired", Approval: id, Status: string(store.ApprovalExpired)}
	case errors.Is(err, store.ErrConflict):
		if a.ID == "" {
			if a, err = s.o.Store.GetApproval(ctx, bu, id); err != nil {
				return http.StatusServiceUnavailable, errorBody{Error: "try again", Approval: id}
			}
		}
		if _, err := s.act(ctx, a); err != nil {
			return http.StatusServiceUnavailable, errorBody{Error: "try again", Approval: id}
		}
		return http.StatusConflict, errorBody{Error: "already decided", Approval: id, Status: string(a.Status)}
	case err != nil:
		s.o.Logger.Error("approval callback: decide", "bu", bu, "approval", id, "error", err.Error())
		return http.StatusServiceUnavailable, errorBody{Error: "try again", Approval: id}
	}
	s.o.Logger.Info("approval decided", "bu", bu, "approval", id, "kind", a.Kind, "status", a.Status,
		"journey", a.Journey, "execution", a.Execution, "step", a.Step)
	gone, err := s.act(ctx, a)
	if err != nil {
		s.o.Logger.Error("approval callback: act", "bu", bu, "approval", id, "error", err.Error())
		return http.StatusServiceUnavailable, errorBody{Error: "decision recorded; acting on it failed, try again", Approval: id}
	}
	if gone {
		return http.StatusGone, errorBody{Error: "decision recorded, but the journey no longer waits for it", Approval: id, Status: string(a.Status)}
	}
	return http.StatusOK, map[string]string{"approval": id, "status": string(a.Status)}
}

// act resumes the execution of a step approval, or runs the hook of
// another kind. gone reports an execution that no longer waits.
func (s *Service) act(ctx context.Context, a store.Approval) (gone bool, err error) {
	if a.Status != store.ApprovalApproved && a.Status != store.ApprovalRejected {
		return false, nil
	}
	if a.Kind != store.ApprovalStep {
		if h := s.o.Hooks[a.Kind]; h != nil {
			return false, h.OnDecision(ctx, a)
		}
		return false, nil
	}
	cb, err := s.o.Store.ClaimCallback(ctx, a.BU, a.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		return false, nil // resumed before
	case errors.Is(err, store.ErrExpired), errors.Is(err, store.ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	}
	if s.o.Tasks == nil {
		return false, errors.New("no Step Functions client configured")
	}
	if a.Status == store.ApprovalApproved {
		out, _ := json.Marshal(wire.ApprovalOutput{Outcome: "approved", Approval: a.ID})
		err = s.o.Tasks.SendTaskSuccess(ctx, cb.Token, string(out))
	} else {
		err = s.o.Tasks.SendTaskFailure(ctx, cb.Token, wire.ErrRejected, fmt.Sprintf("approval %s rejected", a.ID))
	}
	if errors.Is(err, workflow.ErrTaskGone) {
		return true, nil
	}
	if err != nil {
		// Give the token back, so the flow's retry (it gets 503) resumes
		// the execution instead of its timeout taking over.
		err = fmt.Errorf("resume execution %s: %w", a.Execution, err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if rerr := s.o.Store.ReleaseCallback(rctx, a.BU, cb); rerr != nil {
			return false, errors.Join(err, fmt.Errorf("give back callback %s: %w", cb.ID, rerr))
		}
		return false, err
	}
	return false, nil
}

// releaseTimeout bounds giving a claim back after a failed resume.
const releaseTimeout = 5 * time.Second

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // strings and maps of strings always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
