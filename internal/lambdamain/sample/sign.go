package sample

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// The routes of the sample HTTP events a Signer signs.
const (
	RouteEvents   = "POST /events"
	RouteApproval = "POST /approvals/callback"
	RouteLinkedIn = "POST /linkedin/webhook"
)

// LinkedInSecret is the secret the linkedin-webhook function reads its
// client secret from when LINKEDIN_CLIENT_SECRET is not set.
const LinkedInSecret = "linkedin-client-secret"

// ErrNotSignable is returned by Sign for an event none of the sample's
// senders signs.
var ErrNotSignable = errors.New("sample: only the events, approval callback and LinkedIn webhook samples are signed")

// A Signer signs the sample HTTP events (events/events.json,
// events/approval-callback.json, events/linkedin-webhook.json) as their
// senders would, with the secrets Seed stored: a Standard Webhooks
// signature for a custom event, a signed callback URL for the approval
// flow's decision, X-LI-Signature for LinkedIn. The committed files carry
// no valid credentials (a Standard Webhooks signature is only good for
// five minutes): their functions answer them 401.
type Signer struct {
	// Settings are the business units' settings (journeys/settings).
	Settings *settings.Dir
	// Secrets are the seeded secrets.
	Secrets settings.SecretSource
	// Now is the signing moment (time.Now when nil).
	Now func() time.Time
}

// NewSigner returns the Signer of what Seed stored under prefix, for the
// settings in root.
func NewSigner(root string, cfg aws.Config, prefix string) *Signer {
	return &Signer{Settings: settings.NewDir(filepath.Join(root, "journeys", "settings")),
		Secrets: settings.NewAWSSecrets(secretsmanager.NewFromConfig(cfg), prefix, 0, nil)}
}

// Sign returns the API Gateway event with valid credentials for its route
// (ErrNotSignable for other routes).
func (s *Signer) Sign(ctx context.Context, event []byte) ([]byte, error) {
	var head struct {
		RouteKey string `json:"routeKey"`
	}
	json.Unmarshal(event, &head)
	switch head.RouteKey {
	case RouteEvents, RouteApproval, RouteLinkedIn:
	default:
		return nil, fmt.Errorf("%w (route %q)", ErrNotSignable, head.RouteKey)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, fmt.Errorf("sample: sign: %w", err)
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var err error
	switch ev.RouteKey {
	case RouteEvents:
		err = s.signEvent(ctx, &ev, now)
	case RouteApproval:
		err = s.signCallback(ctx, &ev, now)
	case RouteLinkedIn:
		err = s.signLead(ctx, &ev)
	}
	if err != nil {
		return nil, fmt.Errorf("sample: sign %s: %w", ev.RouteKey, err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err = enc.Encode(ev)
	return b.Bytes(), err
}

// signEvent replaces the API key with a Standard Webhooks signature under
// a fresh webhook-id (the intake drops replayed ids).
func (s *Signer) signEvent(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, now time.Time) error {
	cfg, err := intake.FromSettings(s.Settings, s.Secrets)(ctx, BU)
	if err != nil {
		return err
	}
	secrets, err := webhook.ParseSecrets(cfg.Secrets...)
	if err != nil {
		return err
	}
	id := "msg_sample_" + strconv.FormatInt(now.UnixNano(), 36)
	sig, err := webhook.Signature(secrets, id, now, []byte(ev.Body))
	if err != nil {
		return err
	}
	ev.Headers = withHeaders(ev.Headers, "authorization", "", "webhook-id", id,
		"webhook-timestamp", strconv.FormatInt(now.Unix(), 10), "webhook-signature", sig)
	return nil
}

// signCallback points the callback URL at the sample approval (ApprovalID)
// and signs it for an hour, as approval-request does for a flow.
func (s *Signer) signCallback(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, now time.Time) error {
	config, _ := approval.FromSettings(s.Settings, s.Secrets, webhook.ClientOptions{})
	cfg, err := config(ctx, BU)
	if err != nil {
		return err
	}
	signed, err := cfg.SignCallback("https://localhost"+ev.RawPath, BU, ApprovalID(), now.Add(time.Hour))
	if err != nil {
		return err
	}
	u, err := url.Parse(signed)
	if err != nil {
		return err
	}
	ev.RawQueryString = u.RawQuery
	ev.QueryStringParameters = map[string]string{}
	for k, v := range u.Query() {
		ev.QueryStringParameters[k] = v[0]
	}
	return nil
}

// signLead signs the notification with the app's (first) client secret.
func (s *Signer) signLead(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) error {
	secret, err := s.Secrets.Secret(ctx, LinkedInSecret)
	if err != nil {
		return err
	}
	ev.Headers = withHeaders(ev.Headers, "x-li-signature", linkedin.Sign(first(strings.Fields(secret)), []byte(ev.Body)))
	return nil
}

// withHeaders sets (or, for an empty value, deletes) lower-case headers.
func withHeaders(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}
