package devserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/manage"
)

// routes is the dev server's mux: the deployed API's routes, then the
// local ones under /local and /outbox.
//
//	/t/...                 tracking: open pixel, clicks, unsubscribe, preferences, status
//	POST /approvals/callback  approval decisions from flows
//	POST /events           custom events
//	GET, POST /linkedin/webhook  LinkedIn lead notifications and challenge
//	/manage/{bu}/..., /api/...  the management API (journeys, contacts, audit, lead backfill)
//	POST /local/flow       the built-in approval flow's trigger
//	GET /local/approvals   its pending requests; POST /local/approvals/{id}/{approve|reject}
//	GET /local/executions  the engine's executions (status, version, name)
//	/local/apikeys         API keys, for `journeys apikey` while the server holds the store (loopback only)
//	GET /outbox            delivered messages (JSON); /outbox/files/... the files
//	GET /healthz
func (s *Server) routes() http.Handler {
	sys := s.sys
	mux := http.NewServeMux()
	mux.Handle(local.TrackingPath+"/", http.StripPrefix(local.TrackingPath, sys.Tracking))
	mux.Handle(local.ApprovalCallbackPath, sys.Approvals.Callback())
	mux.Handle("/events", sys.Intake)
	if s.leads != nil {
		mux.Handle("/linkedin/webhook", s.leads.webhook)
	}
	// The management API: /api/... with API keys; /manage/{bu}/... is the
	// operator's (IAM on AWS), here whoever reaches the loopback port.
	mo := manage.HandlerOptions{Logger: s.log, Previews: sys.Handlers,
		Identity: func(*http.Request) (string, bool) { return LocalOperator, true }}
	if s.leads != nil {
		mo.Leads = s.leads.inbox // backfilled leads join the webhook's queue
	}
	mgmt := manage.NewHandler(sys.Manage, mo)
	mux.Handle("/manage/", mgmt)
	mux.Handle("/api/", mgmt)
	mux.Handle(local.LocalFlowPath, s.flow)
	mux.HandleFunc("GET /local/approvals", s.listApprovals)
	mux.HandleFunc("POST /local/approvals/{id}/{decision}", s.decideApproval)
	mux.HandleFunc("GET /local/executions", s.listExecutions)
	s.keyRoutes(mux)
	mux.HandleFunc("GET /outbox", s.listOutbox)
	mux.Handle("GET /outbox/files/", http.StripPrefix("/outbox/files/", http.FileServer(http.Dir(s.OutboxDir()))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "time": s.sys.Now().UTC()})
	})
	return mux
}

// LocalOperator is who /manage requests act as on the dev server (the
// audit log's actor).
const LocalOperator = "local-operator"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// An OutboxMessage is one delivered message as GET /outbox lists it.
type OutboxMessage struct {
	channel.OutboxEntry
	BU   string `json:"bu"`
	URL  string `json:"url"`            // the .eml or .json file
	Page string `json:"page,omitempty"` // the HTML of an email
}

// Outbox lists the delivered messages of every business unit, oldest
// first.
func (s *Server) Outbox() ([]OutboxMessage, error) {
	dirs, err := os.ReadDir(s.OutboxDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []OutboxMessage
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		entries, err := channel.ListOutbox(filepath.Join(s.OutboxDir(), d.Name()))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			m := OutboxMessage{OutboxEntry: e, BU: d.Name(), URL: s.fileURL(e.File)}
			if e.HTML != "" {
				m.Page = s.fileURL(e.HTML)
			}
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func (s *Server) fileURL(path string) string {
	rel, err := filepath.Rel(s.OutboxDir(), path)
	if err != nil {
		return ""
	}
	return s.url + "/outbox/files/" + filepath.ToSlash(rel)
}

func (s *Server) listOutbox(w http.ResponseWriter, _ *http.Request) {
	msgs, err := s.Outbox()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	if msgs == nil {
		msgs = []OutboxMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"folder": s.OutboxDir(), "messages": msgs})
}

func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.flow.Pending(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	type item struct {
		Approval, BU, Title, Approvers, Journey, Step string
		Approve, Reject                               string
	}
	out := []item{}
	for _, q := range reqs {
		it := item{Approval: q.Approval, BU: q.BU, Title: q.Title, Approvers: q.Approvers,
			Approve: s.url + "/local/approvals/" + q.Approval + "/approve", Reject: s.url + "/local/approvals/" + q.Approval + "/reject"}
		if q.Journey != nil {
			it.Journey, it.Step = q.Journey.ID, q.Journey.Step
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pending": out})
}

func (s *Server) decideApproval(w http.ResponseWriter, r *http.Request) {
	status, err := s.flow.Decide(r.Context(), r.PathValue("id"), r.PathValue("decision"))
	switch {
	case errors.Is(err, ErrNoRequest):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"approval": r.PathValue("id"), "callbackStatus": status})
	}
}

// listExecutions lists the engine's executions: ?status=RUNNING filters.
func (s *Server) listExecutions(w http.ResponseWriter, r *http.Request) {
	want := strings.ToUpper(r.URL.Query().Get("status"))
	type item struct {
		Name, Status, Version, Error string
		Started, Stopped             string `json:",omitempty"`
	}
	out := []item{}
	for _, d := range s.sys.Workflow.Engine().Executions() {
		if want != "" && string(d.Status) != want {
			continue
		}
		it := item{Name: d.Name, Status: string(d.Status), Version: d.StateMachineArn, Error: d.Error,
			Started: d.StartDate.UTC().Format("2006-01-02T15:04:05Z")}
		if d.Status != asl.StatusRunning {
			it.Stopped = d.StopDate.UTC().Format("2006-01-02T15:04:05Z")
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"executions": out})
}
