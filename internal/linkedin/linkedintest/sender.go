package linkedintest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin"
)

// A Sender plays LinkedIn's side of a webhook: the validation challenge and
// signed notification posts.
type Sender struct {
	// ClientSecret keys the HMACs.
	ClientSecret string
	// HTTPClient makes the calls; http.DefaultClient when nil.
	HTTPClient *http.Client
	// WithPrefix writes the header as "hmacsha256=<hex>" instead of bare hex.
	WithPrefix bool
	// ChallengeCode is sent by Validate; a random UUID-like code when empty.
	ChallengeCode string
}

// ChallengeTimeout is how long LinkedIn waits for a validation answer.
const ChallengeTimeout = 3 * time.Second

// Validate performs LinkedIn's webhook validation: GET
// <url>?challengeCode=<code>, which must answer 200 application/json within
// 3 seconds with the same challengeCode and challengeResponse = hex
// HMAC-SHA256(code, client secret).
func (s *Sender) Validate(ctx context.Context, webhookURL string) error {
	code := s.ChallengeCode
	if code == "" {
		code = newChallengeCode()
	}
	u, err := url.Parse(webhookURL)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	q := u.Query()
	q.Set("challengeCode", code)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, ChallengeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("validate: status %d, want 200", resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("validate: content type %q, want application/json", mt)
	}
	var got struct {
		ChallengeCode     string `json:"challengeCode"`
		ChallengeResponse string `json:"challengeResponse"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&got); err != nil {
		return fmt.Errorf("validate: body: %w", err)
	}
	if got.ChallengeCode != code {
		return errors.New("validate: challengeCode not echoed")
	}
	if got.ChallengeResponse != linkedin.ChallengeResponse(s.ClientSecret, code) {
		return errors.New("validate: challengeResponse does not match")
	}
	return nil
}

// Notify POSTs body, signed, to the webhook and returns the status code.
func (s *Sender) Notify(ctx context.Context, webhookURL string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	sig := linkedin.Sign(s.ClientSecret, body)
	if s.WithPrefix {
		sig = "hmacsha256=" + sig
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(linkedin.SignatureHeader, sig)
	resp, err := s.client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}

func (s *Sender) client() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return http.DefaultClient
}

// NotificationFor returns the LEAD_ACTION body LinkedIn sends for lead.
func NotificationFor(l linkedin.Lead, action string, occurredAt time.Time) []byte {
	n := map[string]any{
		"type":                linkedin.TypeLeadAction,
		"leadGenFormResponse": linkedin.LeadURN(l.ID),
		"leadGenForm":         l.FormURN,
		"owner":               l.Owner,
		"leadType":            l.LeadType,
		"leadAction":          action,
		"occurredAt":          occurredAt.UnixMilli(),
	}
	if l.AssociatedEntity != nil {
		n["associatedEntity"] = l.AssociatedEntity
	}
	b, _ := json.Marshal(n) // strings, numbers and Unions always marshal
	return b
}

// A Delivery is one notification post made by Publish.
type Delivery struct {
	SubscriptionID string
	Webhook        string
	Status         int
	Err            error
}

// Publish does what LinkedIn does when a lead is created or deleted: it
// stores (CREATED) or removes (DELETED) the lead, then posts a signed
// notification to every subscription of the lead's owner and lead type.
func (s *Server) Publish(ctx context.Context, l linkedin.Lead, action string, occurredAt time.Time) []Delivery {
	if action == linkedin.ActionDeleted {
		s.DeleteLead(l.ID)
	} else {
		s.AddLead(l)
	}
	body := NotificationFor(l, action, occurredAt)
	snd := &Sender{ClientSecret: s.opts.ClientSecret, HTTPClient: s.opts.HTTPClient}
	var out []Delivery
	for _, sub := range s.Subscriptions() {
		if sub.Owner != l.Owner || sub.LeadType != l.LeadType {
			continue
		}
		status, err := snd.Notify(ctx, sub.Webhook, body)
		out = append(out, Delivery{SubscriptionID: sub.ID, Webhook: sub.Webhook, Status: status, Err: err})
	}
	return out
}

func newChallengeCode() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
