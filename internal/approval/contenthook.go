package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// ContentStore is what the content approval hook and WriteContent read and
// write.
type ContentStore interface {
	PutContent(ctx context.Context, bu string, c store.Content) (store.Content, error)
	GetContent(ctx context.Context, bu string, kind store.ContentKind, id, locale string, version int) (store.Content, error)
	BeginIdempotency(ctx context.Context, bu, key string, lease time.Duration) (store.Idempotency, error)
	CompleteIdempotency(ctx context.Context, bu, key, token string, result []byte, keep time.Duration) error
	ReleaseIdempotency(ctx context.Context, bu, key, token string) error
	AppendAudit(ctx context.Context, bu string, e store.AuditEntry) (store.AuditEntry, error)
}

// PendingContent is what a content approval writes when it is approved:
// the content versions, as the store keeps them, and who asked.
type PendingContent struct {
	V     int             `json:"v"`
	By    string          `json:"by"`
	Items []store.Content `json:"items"`
}

// MaxPendingContent bounds the JSON of one approval's pending content, so
// it fits one store record (a DynamoDB item holds 400 KB).
const MaxPendingContent = 256 << 10

// ErrPendingTooLarge is returned by KeepPendingContent above
// MaxPendingContent.
var ErrPendingTooLarge = errors.New("pending content too large for one approval")

// Audit actions of content approvals.
const (
	ActionApproveContent = "approve-content"
	ActionRejectContent  = "reject-content"
)

const (
	pendingPrefix = "content-pending|"
	writtenPrefix = "content-approved|"
	writeLease    = 2 * time.Minute
)

// KeepPendingContent stores the content approval id writes when approved,
// kept for keep (the approval's life and the callback grace). It is kept
// in an idempotency record under the approval's id: keeping it again is a
// no-op, so a retried request neither fails nor replaces it.
func KeepPendingContent(ctx context.Context, st ContentStore, bu, id string, p PendingContent, keep time.Duration) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("pending content of %s: %w", id, err)
	}
	if len(body) > MaxPendingContent {
		return fmt.Errorf("pending content of %s is %d bytes, more than %d (upload fewer files at once): %w", id, len(body), MaxPendingContent, ErrPendingTooLarge)
	}
	rec, err := st.BeginIdempotency(ctx, bu, pendingPrefix+id, writeLease)
	if err != nil {
		return fmt.Errorf("keep pending content of %s: %w", id, err)
	}
	if rec.State != store.IdempotencyNew {
		return nil // kept by an earlier request for the same content
	}
	if err := st.CompleteIdempotency(ctx, bu, pendingPrefix+id, rec.Token, body, keep); err != nil {
		return fmt.Errorf("keep pending content of %s: %w", id, err)
	}
	return nil
}

// LoadPendingContent returns the content kept for approval id:
// store.ErrNotFound when there is none (never kept, or past its keep).
func LoadPendingContent(ctx context.Context, st ContentStore, bu, id string) (PendingContent, error) {
	rec, err := st.BeginIdempotency(ctx, bu, pendingPrefix+id, time.Second)
	if err != nil {
		return PendingContent{}, fmt.Errorf("load pending content of %s: %w", id, err)
	}
	switch rec.State {
	case store.IdempotencyNew:
		// No record: the lease just taken is dropped again.
		if err := st.ReleaseIdempotency(ctx, bu, pendingPrefix+id, rec.Token); err != nil {
			return PendingContent{}, fmt.Errorf("load pending content of %s: %w", id, err)
		}
		return PendingContent{}, fmt.Errorf("pending content of %s: %w", id, store.ErrNotFound)
	case store.IdempotencyInProgress:
		return PendingContent{}, fmt.Errorf("pending content of %s is being stored: %w", id, store.ErrConflict)
	}
	var p PendingContent
	if err := json.Unmarshal(rec.Result, &p); err != nil {
		return PendingContent{}, fmt.Errorf("pending content of %s: %w", id, err)
	}
	return p, nil
}

// A WriteResult says what WriteContent did with one content version.
type WriteResult struct {
	Content store.Content
	// Unchanged: the version was stored before with the same content.
	Unchanged bool
	// Conflict: the version is stored with other content (nothing written).
	Conflict bool
}

// WriteContent stores content versions under their own version numbers.
// A version stored before with the same content is Unchanged, one stored
// with other content a Conflict; neither is written again, so writing the
// same content twice writes it once.
func WriteContent(ctx context.Context, st ContentStore, bu string, items []store.Content) ([]WriteResult, error) {
	out := make([]WriteResult, 0, len(items))
	for _, c := range items {
		put, err := st.PutContent(ctx, bu, c)
		if err == nil {
			out = append(out, WriteResult{Content: put})
			continue
		}
		if !errors.Is(err, store.ErrExists) {
			return out, fmt.Errorf("put %s %s %s v%d: %w", c.Kind, c.ID, c.Locale, c.Version, err)
		}
		have, err := st.GetContent(ctx, bu, c.Kind, c.ID, c.Locale, c.Version)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, fmt.Errorf("get %s %s %s v%d: %w", c.Kind, c.ID, c.Locale, c.Version, err)
		}
		same := err == nil && SameContent(have, c)
		out = append(out, WriteResult{Content: c, Unchanged: same, Conflict: !same})
	}
	return out, nil
}

// SameContent reports whether a and b are the same version with the same
// text: kind, id, locale, version, channel, sharing, body and fields.
func SameContent(a, b store.Content) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Locale == b.Locale && a.Version == b.Version &&
		a.Channel == b.Channel && a.Shared == b.Shared && a.Body == b.Body && fieldsEqual(a.Fields, b.Fields)
}

func fieldsEqual(a, b map[string]string) bool {
	drop := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if v != "" {
				out[k] = v
			}
		}
		return out
	}
	return maps.Equal(drop(a), drop(b))
}

// ContentLabel names a content version in audit details and answers:
// template/welcome-intro/de@3.
func ContentLabel(c store.Content) string {
	return string(c.Kind) + "/" + c.ID + "/" + c.Locale + "@" + strconv.Itoa(c.Version)
}

// ContentHook is the DecisionHook of content approvals: an approval writes
// the pending content (KeepPendingContent) under its own version numbers,
// once however often the decision is repeated; a rejection writes nothing.
// Both are audited once, with the approver as actor. A version stored
// meanwhile with other content is not overwritten: the audit entry lists
// it under "conflicts".
type ContentHook struct {
	Store ContentStore
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

var _ DecisionHook = ContentHook{}

// OnDecision implements DecisionHook. Other kinds are ignored.
func (h ContentHook) OnDecision(ctx context.Context, a store.Approval) error {
	if a.Kind != store.ApprovalContent {
		return nil
	}
	if a.Status != store.ApprovalApproved {
		return h.audit(ctx, a, ActionRejectContent, nil)
	}
	guard, err := h.Store.BeginIdempotency(ctx, a.BU, writtenPrefix+a.ID, writeLease)
	if err != nil {
		return fmt.Errorf("approved content %s: %w", a.ID, err)
	}
	switch guard.State {
	case store.IdempotencyCompleted:
		return nil // written and audited before
	case store.IdempotencyInProgress:
		return fmt.Errorf("approved content %s is being written: %w", a.ID, store.ErrConflict)
	}
	err = h.write(ctx, a)
	if err != nil {
		if rerr := h.Store.ReleaseIdempotency(context.WithoutCancel(ctx), a.BU, writtenPrefix+a.ID, guard.Token); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}
	keep := max(a.ExpiresAt.Sub(h.now())+store.CallbackGrace, time.Hour)
	return h.Store.CompleteIdempotency(ctx, a.BU, writtenPrefix+a.ID, guard.Token, []byte("written"), keep)
}

func (h ContentHook) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h ContentHook) write(ctx context.Context, a store.Approval) error {
	p, err := LoadPendingContent(ctx, h.Store, a.BU, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		// Nothing can ever be written: record that, do not fail forever.
		return h.audit(ctx, a, ActionApproveContent, map[string]string{"error": "the pending content is gone"})
	}
	if err != nil {
		return err
	}
	res, err := WriteContent(ctx, h.Store, a.BU, p.Items)
	if err != nil {
		return fmt.Errorf("approved content %s: %w", a.ID, err)
	}
	var written, conflicts []string
	for _, r := range res {
		switch {
		case r.Conflict:
			conflicts = append(conflicts, ContentLabel(r.Content))
		default:
			written = append(written, ContentLabel(r.Content))
		}
	}
	details := map[string]string{"content": truncate(strings.Join(written, ","), 1000)}
	if len(conflicts) > 0 {
		details["conflicts"] = truncate(strings.Join(conflicts, ","), 1000)
	}
	if p.By != "" {
		details["requestedBy"] = truncate(p.By, 200)
	}
	return h.audit(ctx, a, ActionApproveContent, details)
}

// audit writes the decision's entry (DecisionAudit).
func (h ContentHook) audit(ctx context.Context, a store.Approval, action string, details map[string]string) error {
	e := DecisionAudit(a, action, "content", details, h.now())
	if _, err := h.Store.AppendAudit(ctx, a.BU, e); err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("audit %s of %s: %w", action, a.ID, err)
	}
	return nil
}

// DecisionAudit is the audit entry of a decision on a, one per decision:
// its id is derived from the approval and its time is the decision's (now
// when that is unknown), so a retried decision finds its entry stored
// (ErrExists) and adds none. details gain the approval id and the
// reviewer's comments.
func DecisionAudit(a store.Approval, action, target string, details map[string]string, now time.Time) store.AuditEntry {
	if details == nil {
		details = map[string]string{}
	}
	details["approval"] = a.ID
	if a.Comments != "" {
		details["comments"] = truncate(a.Comments, 500)
	}
	actor := a.Responder
	if actor == "" {
		actor = "approver"
	}
	at := a.DecidedAt
	if at.IsZero() {
		at = now
	}
	return store.AuditEntry{ID: "decision-" + a.ID, At: at, Actor: actor, Action: action, Target: target, Details: details}
}
