package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// A FlowRequest is the body POSTed to the flow. Its JSON Schema is what
// the flow's HTTP trigger declares (docs/hooks.md).
type FlowRequest struct {
	V           int          `json:"v"`
	Type        string       `json:"type"` // "approval.requested"
	Approval    string       `json:"approval"`
	Kind        string       `json:"kind"`
	BU          string       `json:"bu"`
	Title       string       `json:"title"`
	Details     string       `json:"details,omitempty"`
	Approvers   string       `json:"approvers,omitempty"`
	Journey     *FlowJourney `json:"journey,omitempty"`
	Contact     *FlowContact `json:"contact,omitempty"`
	RequestedAt time.Time    `json:"requestedAt"`
	ExpiresAt   time.Time    `json:"expiresAt"`
	CallbackURL string       `json:"callbackUrl"`
	Outcomes    []string     `json:"outcomes"`
}

// FlowJourney is the journey context of a request.
type FlowJourney struct {
	ID        string `json:"id"`
	Version   int    `json:"version,omitempty"`
	Step      string `json:"step,omitempty"`
	Execution string `json:"execution,omitempty"`
}

// FlowContact is what a reviewer needs to know about the contact. It goes
// only to the flow, over HTTPS.
type FlowContact struct {
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	Company        string `json:"company,omitempty"`
	JobTitle       string `json:"jobTitle,omitempty"`
	Country        string `json:"country,omitempty"`
	LifecycleStage string `json:"lifecycleStage,omitempty"`
}

// postLease bounds how long a crashed poster blocks a retry.
const postLease = 2 * time.Minute

// post asks the flow once per approval: a completed post record makes a
// repeat a no-op; a failed post releases it for the retry.
func (s *Service) post(ctx context.Context, cfg parsed, sub Subject, a store.Approval) error {
	key := "approval-post|" + a.ID
	rec, err := s.o.Store.BeginIdempotency(ctx, sub.BU, key, postLease)
	if err != nil {
		return fmt.Errorf("approval %s: %w", a.ID, err)
	}
	switch rec.State {
	case store.IdempotencyCompleted:
		return nil
	case store.IdempotencyInProgress:
		return &webhook.DeliveryError{Host: "flow", Err: fmt.Errorf("approval %s is being posted by another invocation", a.ID)}
	}
	body, err := s.body(ctx, cfg, sub, a)
	if err == nil {
		err = s.send(ctx, cfg, sub.BU, a.ID, body)
	}
	if err != nil {
		if rerr := s.o.Store.ReleaseIdempotency(context.WithoutCancel(ctx), sub.BU, key, rec.Token); rerr != nil {
			s.o.Logger.Warn("release approval post", "approval", a.ID, "error", rerr.Error())
		}
		return err
	}
	// Keep the record as long as a retried invocation could come.
	keep := a.ExpiresAt.Sub(s.o.Now()) + store.CallbackGrace
	return s.o.Store.CompleteIdempotency(ctx, sub.BU, key, rec.Token, []byte(a.ID), max(keep, time.Hour))
}

func (s *Service) body(ctx context.Context, cfg parsed, sub Subject, a store.Approval) ([]byte, error) {
	cb, err := CallbackURL(s.o.CallbackURL, cfg.keys[0], sub.BU, a.ID, a.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("approval %s: callback URL: %w", a.ID, err)
	}
	req := FlowRequest{
		V: 1, Type: "approval.requested", Approval: a.ID, Kind: string(a.Kind), BU: sub.BU,
		Title: sub.Title, Details: sub.Details, Approvers: sub.Approvers,
		RequestedAt: a.RequestedAt, ExpiresAt: a.ExpiresAt, CallbackURL: cb,
		Outcomes: []string{OutcomeApprove, OutcomeReject},
	}
	if sub.Journey != "" {
		req.Journey = &FlowJourney{ID: sub.Journey, Version: sub.Version, Step: sub.Step, Execution: sub.Execution}
	}
	if sub.Contact != "" {
		c, err := s.o.Store.GetContact(ctx, sub.BU, sub.Contact)
		if err != nil {
			return nil, fmt.Errorf("approval %s: load contact %s: %w", a.ID, sub.Contact, err)
		}
		req.Contact = &FlowContact{
			ID: c.ID, Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Company: c.Company,
			JobTitle: c.JobTitle, Country: c.Country, LifecycleStage: c.LifecycleStage,
		}
	}
	return json.Marshal(req)
}

// send signs and posts; the approval id is the webhook id and the
// idempotency key, the same on every attempt and every retried invocation.
func (s *Service) send(ctx context.Context, cfg parsed, bu, id string, body []byte) error {
	h := make(map[string][]string)
	if err := webhook.SignHeaders(h, cfg.secrets, id, s.o.Now(), body); err != nil {
		return err
	}
	poster := s.o.Poster
	if s.o.Posters != nil {
		var err error
		if poster, err = s.o.Posters(ctx, bu); err != nil {
			return fmt.Errorf("post approval %s: %w", id, err)
		}
	}
	_, err := poster.Send(ctx, webhook.Message{URL: cfg.flowURL, ID: id, Body: body, Header: h})
	if err != nil {
		return fmt.Errorf("post approval %s: %w", id, err)
	}
	return nil
}
