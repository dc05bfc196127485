package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Client calls the management API: with an API key on /api/..., or,
// when Sign is set, signed with IAM credentials on /manage/{BU}/....
type Client struct {
	// BaseURL is the API's root (https://<id>.execute-api.<region>.amazonaws.com).
	BaseURL string
	// Key is the API key (Authorization: Bearer).
	Key string
	// Sign signs a request whose body is given (SigV4 for execute-api);
	// BU names the business unit then.
	Sign func(r *http.Request, body []byte) error
	BU   string
	// HTTP defaults to http.DefaultClient.
	HTTP *http.Client
}

// An APIError is an error answer of the API.
type APIError struct {
	Status int
	Detail ErrorDetail
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d %s)", e.Detail.Message, e.Status, e.Detail.Code)
}

// do sends a request and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	base := strings.TrimRight(c.BaseURL, "/")
	if c.Sign != nil {
		base += "/manage/" + url.PathEscape(c.BU)
	} else {
		base += "/api"
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.Sign != nil {
		if err := c.Sign(req, body); err != nil {
			return fmt.Errorf("sign request: %w", err)
		}
	} else if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Error.Code == "" {
			eb.Error = ErrorDetail{Code: "http", Message: strings.TrimSpace(string(raw))}
		}
		return &APIError{Status: resp.StatusCode, Detail: eb.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode the answer to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) json(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
		ct = "application/json"
	}
	return c.do(ctx, method, path, ct, body, out)
}

func jpath(id string, rest ...string) string {
	return "/journeys/" + url.PathEscape(id) + strings.Join(rest, "")
}

// Journeys lists the business unit's journeys.
func (c *Client) Journeys(ctx context.Context) ([]store.Journey, error) {
	var out []store.Journey
	return out, c.json(ctx, http.MethodGet, "/journeys", nil, &out)
}

// Publish publishes a bundle.
func (c *Client) Publish(ctx context.Context, r PublishRequest) (publish.Result, error) {
	var out publish.Result
	return out, c.json(ctx, http.MethodPost, "/journeys", r, &out)
}

// Status reports a journey.
func (c *Client) Status(ctx context.Context, id string) (JourneyStatus, error) {
	var out JourneyStatus
	return out, c.json(ctx, http.MethodGet, jpath(id), nil, &out)
}

// Versions lists a journey's versions.
func (c *Client) Versions(ctx context.Context, id string) ([]VersionInfo, error) {
	var out []VersionInfo
	return out, c.json(ctx, http.MethodGet, jpath(id, "/versions"), nil, &out)
}

// Pause pauses a journey.
func (c *Client) Pause(ctx context.Context, id, reason string) (store.Journey, error) {
	var out store.Journey
	return out, c.json(ctx, http.MethodPost, jpath(id, "/pause"), ReasonRequest{Reason: reason}, &out)
}

// Resume resumes a journey.
func (c *Client) Resume(ctx context.Context, id string) (store.Journey, error) {
	var out store.Journey
	return out, c.json(ctx, http.MethodPost, jpath(id, "/resume"), struct{}{}, &out)
}

// Stop stops a journey for everyone.
func (c *Client) Stop(ctx context.Context, id, reason string) (StopResult, error) {
	var out StopResult
	return out, c.json(ctx, http.MethodPost, jpath(id, "/stop"), ReasonRequest{Reason: reason}, &out)
}

// Rollback moves a journey back to a version.
func (c *Client) Rollback(ctx context.Context, id string, version int) (publish.Result, error) {
	var out publish.Result
	return out, c.json(ctx, http.MethodPost, jpath(id, "/rollback"), RollbackRequest{Version: version}, &out)
}

// Launch starts a segment launch.
func (c *Client) Launch(ctx context.Context, id, launch string) (LaunchResponse, error) {
	var out LaunchResponse
	return out, c.json(ctx, http.MethodPost, jpath(id, "/launches"), LaunchRequest{Launch: launch}, &out)
}

// Trace returns a contact's trace.
func (c *Client) Trace(ctx context.Context, contact string) (Trace, error) {
	var out Trace
	return out, c.json(ctx, http.MethodGet, "/contacts/"+url.PathEscape(contact)+"/trace", nil, &out)
}

// Import uploads a CSV file of contacts.
func (c *Client) Import(ctx context.Context, csv []byte) (ImportReport, error) {
	var out ImportReport
	return out, c.do(ctx, http.MethodPost, "/contacts/import", "text/csv", csv, &out)
}

// Backfill sends one page of leads, as LinkedIn's owner finder returned
// them, to be queued like the webhook's (each lead's ids only: the worker
// fetches the lead from LinkedIn). A page with a lead of another business
// unit's owner is refused whole (*APIError, HTTP 403).
func (c *Client) Backfill(ctx context.Context, page []linkedin.Lead) (leads.PageStats, error) {
	var out leads.PageStats
	return out, c.json(ctx, http.MethodPost, "/leads/backfill", backfillBody(page), &out)
}
