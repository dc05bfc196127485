package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

// Limits of POST .../leads/backfill.
const (
	// MaxBackfillLeads bounds the leads of one request: a finder page is
	// at most this many (the CLI's --page-size).
	MaxBackfillLeads = 500
	// MaxBackfillBytes bounds the body. The Client sends each lead's ids
	// only (about 300 bytes); whole finder elements, answers and form
	// included, fit too at the CLI's default page size.
	MaxBackfillBytes = 1 << 20
)

// ActionBackfill is the audit action of an accepted backfill page.
const ActionBackfill = "linkedin-backfill"

// A LeadInbox takes pages of backfilled leads (*leads.Inbox).
type LeadInbox interface {
	BackfillPage(ctx context.Context, bu string, page []linkedin.Lead) (leads.PageStats, error)
}

// BackfillRequest is the body of POST .../leads/backfill: one page of
// leads as LinkedIn's owner finder returns them (leadFormResponses
// elements). The server derives each lead's notification itself
// (leads.NotificationFor); fields beyond the ones it needs (id, owner,
// leadType, versionedLeadGenFormUrn, submittedAt) are read as LinkedIn
// defines them and not used, as the worker fetches every lead from
// LinkedIn.
type BackfillRequest struct {
	Leads []linkedin.Lead `json:"leads"`
}

// backfill serves POST /leads/backfill: the page is checked whole (every
// lead valid, every owner one of the caller's business unit's), then
// each lead goes through the Inbox as the webhook's do.
func (h *Handler) backfill(w http.ResponseWriter, r *http.Request, c caller) error {
	if h.opts.Leads == nil {
		return fmt.Errorf("lead backfill (no lead queue): %w", ErrUnavailable)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBackfillBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &bodyError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("the body is larger than %d bytes: send smaller pages (--page-size)", int64(MaxBackfillBytes))}
	}
	if err != nil {
		return fmt.Errorf("read backfill body: %w", err)
	}
	page, err := parseBackfill(raw)
	if err != nil {
		return err
	}
	st, err := h.opts.Leads.BackfillPage(r.Context(), c.bu, page)
	if errors.Is(err, leads.ErrForeignOwner) {
		return fmt.Errorf("%w (nothing of this page was queued)", err)
	}
	if err != nil {
		return err
	}
	details := map[string]string{"leads": strconv.Itoa(st.Leads), "queued": strconv.Itoa(st.Queued),
		"duplicates": strconv.Itoa(st.Duplicates), "first": page[0].ID, "last": page[len(page)-1].ID}
	if err := h.svc.audit(r.Context(), c.bu, c.actor, ActionBackfill, page[0].Owner.URN, details); err != nil {
		// The leads are queued: failing the request would say otherwise.
		h.opts.Logger.WarnContext(r.Context(), "audit backfill", "bu", c.bu, "error", err.Error())
	}
	return reply(w, http.StatusOK, st)
}

// parseBackfill reads a BackfillRequest strictly: one JSON object whose
// only member is leads, 1 to MaxBackfillLeads of them, each a lead that
// linkedin.ParseLead accepts. Errors are *bodyError (400).
func parseBackfill(raw []byte) ([]linkedin.Lead, error) {
	var req struct {
		Leads []json.RawMessage `json:"leads"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, &bodyError{status: http.StatusBadRequest, msg: "the body is not {\"leads\": [...]}: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &bodyError{status: http.StatusBadRequest, msg: "the body has data after its JSON object"}
	}
	if len(req.Leads) == 0 || len(req.Leads) > MaxBackfillLeads {
		return nil, &bodyError{status: http.StatusBadRequest,
			msg: fmt.Sprintf("give 1 to %d leads, not %d", MaxBackfillLeads, len(req.Leads))}
	}
	page := make([]linkedin.Lead, len(req.Leads))
	for i, el := range req.Leads {
		l, err := linkedin.ParseLead(el)
		if err != nil {
			return nil, &bodyError{status: http.StatusBadRequest, msg: fmt.Sprintf("leads[%d]: %v", i, err)}
		}
		page[i] = l
	}
	return page, nil
}

// backfillBody is what Client.Backfill sends of a lead: what the server
// derives the notification from, no answers, form or metadata (the worker
// fetches the lead itself), so personal data does not travel twice.
func backfillBody(page []linkedin.Lead) BackfillRequest {
	out := BackfillRequest{Leads: make([]linkedin.Lead, len(page))}
	for i, l := range page {
		out.Leads[i] = linkedin.Lead{ID: l.ID, Owner: l.Owner, LeadType: l.LeadType, FormURN: l.FormURN,
			SubmittedAt: l.SubmittedAt, TestLead: l.TestLead, AssociatedEntity: l.AssociatedEntity}
	}
	return out
}
