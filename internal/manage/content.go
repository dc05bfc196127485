package manage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/store"
)

// Content upload limits.
const (
	// MaxContentFiles bounds the files of one upload.
	MaxContentFiles = 500
	// MaxContentFileBytes bounds one file (the content library's limit on
	// one template part or block source).
	MaxContentFileBytes = 256 << 10
	maxContentBytes     = 4 << 20
	// ContentApprovalTTL is how long a content approval waits.
	ContentApprovalTTL = 7 * 24 * time.Hour
)

// A ContentFile is one file as written under journeys/content: its name
// relative to that folder (templates/welcome-intro.de.liquid,
// blocks/footer@2.liquid, units/<bu>/templates/...) and its text. Shared
// stores it as shared content, which every business unit sees.
type ContentFile struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Shared bool   `json:"shared,omitempty"`
}

// ContentRequest is the body of POST .../content: one file (Name, Source,
// Shared) or a batch (Files). RequireApproval holds the whole upload for
// one approval instead of writing it.
type ContentRequest struct {
	Name            string        `json:"name,omitempty"`
	Source          string        `json:"source,omitempty"`
	Shared          bool          `json:"shared,omitempty"`
	Files           []ContentFile `json:"files,omitempty"`
	RequireApproval bool          `json:"requireApproval,omitempty"`
}

// files returns the request's files: the batch, or the one file.
func (r ContentRequest) files() ([]ContentFile, error) {
	if len(r.Files) > 0 {
		if r.Name != "" || r.Source != "" || r.Shared {
			return nil, &bodyError{status: http.StatusBadRequest, msg: "give either files or one file's name and source"}
		}
		return r.Files, nil
	}
	if r.Name == "" {
		return nil, &bodyError{status: http.StatusBadRequest, msg: "give the content file's name and source, or files"}
	}
	return []ContentFile{{Name: r.Name, Source: r.Source, Shared: r.Shared}}, nil
}

// Content statuses.
const (
	ContentWritten   = "written"
	ContentUnchanged = "unchanged" // the version was stored before with the same text
	ContentPending   = "pending"   // waits for approval
)

// A ContentItem is one content version an upload wrote or holds.
type ContentItem struct {
	Kind     store.ContentKind `json:"kind"`
	ID       string            `json:"id"`
	Locale   string            `json:"locale"`
	Version  int               `json:"version"`
	Shared   bool              `json:"shared,omitempty"`
	Status   string            `json:"status"`
	Approval string            `json:"approval,omitempty"`
}

// A ContentResult answers an upload: every version it holds, blocks
// first; the approval that holds them when pending; and what was not
// checked.
type ContentResult struct {
	Items     []ContentItem `json:"items"`
	Approval  string        `json:"approval,omitempty"`
	Unchecked string        `json:"unchecked,omitempty"`
}

// ContentApprovals requests content approvals (*approval.Service).
type ContentApprovals interface {
	Request(ctx context.Context, sub approval.Subject) (store.Approval, error)
}

// Audit actions of content uploads.
const (
	ActionPutContent            = "put-content"
	ActionRequestContentApprove = "request-content-approval"
)

// PutContent checks an upload and writes its versions (the version each
// file names: a block's @N, a template's front-matter version), or, with
// RequireApproval, keeps them for a content approval and asks for it.
// Errors: *ContentError when it does not check, store.ErrConflict when a
// version is stored with other text, ErrUnavailable when approval is asked
// and no approval flow is configured, or content comes from files here
// (Options.FileContent).
func (s *Service) PutContent(ctx context.Context, bu, actor string, r ContentRequest) (ContentResult, error) {
	if s.files != "" {
		return ContentResult{}, fmt.Errorf("this system serves content from the files under %s, not from its store: edit them there (journeys content publish uploads to a deployed system): %w", s.files, ErrUnavailable)
	}
	files, err := r.files()
	if err != nil {
		return ContentResult{}, err
	}
	if len(files) > MaxContentFiles {
		return ContentResult{}, &bodyError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("at most %d files per upload", MaxContentFiles)}
	}
	for _, f := range files {
		if len(f.Source) > MaxContentFileBytes {
			return ContentResult{}, &bodyError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("%s is larger than %d bytes", f.Name, MaxContentFileBytes)}
		}
	}
	items, unchecked, err := s.checkUpload(ctx, bu, files)
	if err != nil {
		return ContentResult{Unchecked: unchecked}, err
	}
	res := ContentResult{Unchecked: unchecked, Items: make([]ContentItem, 0, len(items))}
	fresh, err := s.unstored(ctx, bu, items, &res)
	if err != nil || len(fresh) == 0 {
		return res, err
	}
	if r.RequireApproval {
		return s.requestContentApproval(ctx, bu, actor, fresh, res)
	}
	written, err := approval.WriteContent(ctx, s.store, bu, fresh)
	if err != nil {
		return res, err
	}
	labels := make([]string, 0, len(written))
	for _, w := range written {
		st := ContentWritten
		switch {
		case w.Conflict:
			return res, fmt.Errorf("%s was stored meanwhile with other text: %w", approval.ContentLabel(w.Content), store.ErrConflict)
		case w.Unchanged:
			st = ContentUnchanged
		}
		res.Items = append(res.Items, itemOf(w.Content, st))
		labels = append(labels, approval.ContentLabel(w.Content))
	}
	return res, s.audit(ctx, bu, actor, ActionPutContent, "content", map[string]string{"content": truncate(strings.Join(labels, ","), 1000)})
}

// unstored returns the versions not stored yet; those stored with the same
// text go into res as unchanged. A version stored with other text is
// store.ErrConflict, and nothing is written.
func (s *Service) unstored(ctx context.Context, bu string, items []store.Content, res *ContentResult) ([]store.Content, error) {
	var conflicts []string
	var out []store.Content
	for _, c := range items {
		have, err := s.store.GetContent(ctx, bu, c.Kind, c.ID, c.Locale, c.Version)
		switch {
		case err == nil && have.Shared == c.Shared && approval.SameContent(have, c):
			res.Items = append(res.Items, itemOf(c, ContentUnchanged))
		case err == nil && have.Shared == c.Shared:
			conflicts = append(conflicts, approval.ContentLabel(c))
		case err == nil, isNotFound(err):
			out = append(out, c)
		default:
			return nil, err
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("%s: already stored with other text (versions are immutable: raise the version: in the template's front matter, or name the block file <name>@<next version>): %w",
			strings.Join(conflicts, ", "), store.ErrConflict)
	}
	return out, nil
}

func itemOf(c store.Content, status string) ContentItem {
	return ContentItem{Kind: c.Kind, ID: c.ID, Locale: c.Locale, Version: c.Version, Shared: c.Shared, Status: status}
}

// requestContentApproval keeps the versions for the approval and asks for
// it. The approval id is derived from the content, so asking again for the
// same upload returns the same approval.
func (s *Service) requestContentApproval(ctx context.Context, bu, actor string, items []store.Content, res ContentResult) (ContentResult, error) {
	if s.approvals == nil {
		return res, fmt.Errorf("content approval is not configured here: %w", ErrUnavailable)
	}
	pending := approval.PendingContent{V: 1, By: actor, Items: items}
	body, _ := json.Marshal(pending.Items)
	sum := sha256.Sum256(body)
	key := hex.EncodeToString(sum[:16])
	id := approval.ApprovalID(bu, store.ApprovalContent, key)
	now := s.now()
	if err := approval.KeepPendingContent(ctx, s.store, bu, id, pending, ContentApprovalTTL+store.CallbackGrace); err != nil {
		return res, err
	}
	labels := make([]string, 0, len(items))
	for _, c := range items {
		labels = append(labels, approval.ContentLabel(c))
	}
	a, err := s.approvals.Request(ctx, approval.Subject{
		BU: bu, Kind: store.ApprovalContent, Key: key,
		Title:   fmt.Sprintf("Publish content: %s", truncate(strings.Join(labels, ", "), 200)),
		Details: fmt.Sprintf("%s asks to publish %d content version(s): %s", actor, len(items), truncate(strings.Join(labels, ", "), 2000)),
		Expires: now.Add(ContentApprovalTTL),
	})
	if errors.Is(err, approval.ErrUnknownBU) {
		return res, fmt.Errorf("business unit %s has no approval flow (the approvals section of its settings): %w", bu, ErrUnavailable)
	}
	if err != nil {
		return res, fmt.Errorf("request content approval: %w", err)
	}
	res.Approval = a.ID
	for _, c := range items {
		it := itemOf(c, ContentPending)
		it.Approval = a.ID
		res.Items = append(res.Items, it)
	}
	// One entry per approval (its id and request time): asking again for
	// the same upload adds none.
	_, err = s.store.AppendAudit(ctx, bu, store.AuditEntry{ID: "request-" + a.ID, Actor: actor, Action: ActionRequestContentApprove,
		Target: "content", Details: map[string]string{"approval": a.ID, "content": truncate(strings.Join(labels, ","), 1000)}, At: a.RequestedAt})
	if errors.Is(err, store.ErrExists) {
		err = nil
	}
	return res, err
}

func (h *Handler) putContent(w http.ResponseWriter, r *http.Request, c caller) error {
	var req ContentRequest
	if err := decode(w, r, maxContentBytes, &req); err != nil {
		return err
	}
	files, err := req.files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.Shared && !c.may(ScopeContentShare) {
			return fmt.Errorf("%s is marked shared, which reaches every business unit: the key lacks the scope %s: %w", f.Name, ScopeContentShare, errForbidden)
		}
	}
	res, err := h.svc.PutContent(r.Context(), c.bu, c.actor, req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	for _, it := range res.Items {
		switch it.Status {
		case ContentPending:
			status = http.StatusAccepted
		case ContentWritten:
			status = max(status, http.StatusCreated)
		}
	}
	if len(req.Files) == 0 && len(res.Items) == 1 {
		return reply(w, status, struct {
			ContentItem
			Unchecked string `json:"unchecked,omitempty"`
		}{res.Items[0], res.Unchecked})
	}
	return reply(w, status, res)
}

// PutContent uploads content files through the API (always the batch
// form): the versions written, unchanged or pending approval.
func (c *Client) PutContent(ctx context.Context, req ContentRequest) (ContentResult, error) {
	var out ContentResult
	err := c.json(ctx, http.MethodPost, "/content", req, &out)
	return out, err
}
