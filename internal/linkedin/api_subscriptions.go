package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/linkedin/restli"
)

// A Subscription registers a webhook for lead notifications of one owner
// (optionally narrowed to an associated entity or a form version).
type Subscription struct {
	// ID is set by LinkedIn; empty when creating.
	ID               string
	Webhook          string
	Owner            Union
	LeadType         string
	AssociatedEntity Union  // optional
	VersionedForm    string // optional versioned form URN
}

type wireSubscription struct {
	ID               json.RawMessage `json:"id,omitempty"`
	Webhook          string          `json:"webhook"`
	Owner            Union           `json:"owner"`
	LeadType         string          `json:"leadType"`
	AssociatedEntity *Union          `json:"associatedEntity,omitempty"`
	VersionedForm    string          `json:"versionedForm,omitempty"`
}

// MarshalJSON writes LinkedIn's request body shape (id only when set).
func (s Subscription) MarshalJSON() ([]byte, error) {
	w := wireSubscription{Webhook: s.Webhook, Owner: s.Owner, LeadType: s.LeadType, VersionedForm: s.VersionedForm}
	if s.ID != "" {
		w.ID, _ = json.Marshal(s.ID)
	}
	if !s.AssociatedEntity.IsZero() {
		w.AssociatedEntity = &s.AssociatedEntity
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a subscription; the id may be a JSON number or string
// (Rest.li keys are longs or strings depending on the resource).
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var w wireSubscription
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subscription{Webhook: w.Webhook, Owner: w.Owner, LeadType: w.LeadType, VersionedForm: w.VersionedForm}
	if w.AssociatedEntity != nil {
		s.AssociatedEntity = *w.AssociatedEntity
	}
	if len(w.ID) > 0 {
		var str string
		if json.Unmarshal(w.ID, &str) == nil {
			s.ID = str
		} else {
			s.ID = string(bytes.TrimSpace(w.ID))
		}
	}
	return nil
}

// Subscribe creates a subscription with POST /rest/leadNotifications and
// returns its id. Rest.li reports a created entity's key in the x-restli-id
// header (LinkedIn also sends x-linkedin-id); the Location header's last
// segment and an "id" in the body are read as fallbacks.
func (c *Client) Subscribe(ctx context.Context, s Subscription) (string, error) {
	if s.Webhook == "" || s.Owner.IsZero() {
		return "", errors.New("subscribe: webhook and owner are required")
	}
	if s.LeadType == "" {
		s.LeadType = LeadTypeSponsored
	}
	s.ID = ""
	res, err := c.do(ctx, call{op: "create subscription", method: http.MethodPost, path: "/rest/leadNotifications", body: s})
	if err != nil {
		return "", err
	}
	for _, h := range []string{"X-RestLi-Id", "X-LinkedIn-Id"} {
		if id := strings.TrimSpace(res.header.Get(h)); id != "" {
			return id, nil
		}
	}
	if loc := res.header.Get("Location"); loc != "" {
		return path.Base(loc), nil
	}
	var created Subscription
	if json.Unmarshal(res.body, &created) == nil && created.ID != "" {
		return created.ID, nil
	}
	return "", fmt.Errorf("create subscription: status %d without an id", res.status)
}

// Subscriptions lists an owner's subscriptions for a lead type (SPONSORED
// when empty) with the criteria finder
// q=criteria&owner=(value:(sponsoredAccount:<urn>))&leadType=(leadType:SPONSORED),
// following pages.
func (c *Client) Subscriptions(ctx context.Context, owner Union, leadType string) ([]Subscription, error) {
	if owner.IsZero() {
		return nil, errors.New("list subscriptions: owner is required")
	}
	if leadType == "" {
		leadType = LeadTypeSponsored
	}
	const pageSize = 100
	var out []Subscription
	for start := 0; ; start += pageSize {
		q := (&restli.Query{}).Add("q", "criteria").
			Add("owner", restli.Object{{Key: "value", Value: owner.restli()}}).
			Add("leadType", restli.Object{{Key: "leadType", Value: leadType}}).
			Add("count", strconv.Itoa(pageSize)).
			Add("start", strconv.Itoa(start))
		res, err := c.do(ctx, call{op: "list subscriptions", method: http.MethodGet, path: "/rest/leadNotifications", rawQuery: q.Encode()})
		if err != nil {
			return nil, err
		}
		var doc struct {
			Elements []Subscription `json:"elements"`
		}
		if err := json.Unmarshal(res.body, &doc); err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		out = append(out, doc.Elements...)
		if len(doc.Elements) < pageSize {
			return out, nil
		}
	}
}

// Unsubscribe deletes a subscription with DELETE /rest/leadNotifications/{id}.
// Errors: *APIError (ErrNotFound for an unknown id).
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("delete subscription: id is required")
	}
	_, err := c.do(ctx, call{op: "delete subscription " + id, method: http.MethodDelete, path: "/rest/leadNotifications/" + restli.EncodeString(id)})
	return err
}
