// Package sample seeds an AWS endpoint (a moto server, in practice) with
// what the sample events in events/ need: the journeys table (created from
// template-fragments/store.yaml), the secrets in Secrets Manager, a sample
// contact and sales owner of northwind, every example journey published as
// version 1, and the content library. `journeys invoke` and the tests that
// run the built functions under the Lambda emulator use it, and it returns
// the environment a function needs to run against what it seeded.
package sample

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/content"
	ctracking "github.com/journeys-oss/journeys/internal/content/tracking"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
)

// The sample's fixed ids, which events/*.json name.
const (
	BU        = "northwind"
	Contact   = "c-0001"
	Owner     = "u-sales-044"
	Entry     = "e-sample"
	Account   = "123456789012"
	Region    = "us-east-1"
	Execution = "arn:aws:states:us-east-1:123456789012:execution:journeys-northwind-welcome:welcome-sample"
	// TrackingKey is the sample tracking key (local invokes only): the
	// signed URLs of events/track.json verify with it.
	TrackingKey = "sample-tracking-key-for-local-invokes-only"
	// TrackingBase is the tracking base URL of the sample.
	TrackingBase = "http://localhost:8080/t"
)

// Options say where to seed.
type Options struct {
	// Root is the repository (journeys/, template-fragments/).
	Root string
	// Table is the table to create (kept if it exists).
	Table string
	// SecretPrefix prefixes the secrets' names.
	SecretPrefix string
	// Outbox is where the functions deliver (OUTBOX_DIR).
	Outbox string
	// Endpoint is the AWS endpoint (moto) the functions are pointed at.
	Endpoint string
	// Now is the seeding moment (time.Now when zero): the sample contacts'
	// time zone puts it at mid-day (MiddayZone).
	Now time.Time
}

// Seed creates and fills everything, and returns the environment
// (KEY=value) of a function running against it.
func Seed(ctx context.Context, cfg aws.Config, o Options) ([]string, error) {
	if err := createTable(ctx, dynamodb.NewFromConfig(cfg), o); err != nil {
		return nil, err
	}
	key, err := seedSecrets(ctx, secretsmanager.NewFromConfig(cfg), o.SecretPrefix)
	if err != nil {
		return nil, err
	}
	st, err := dynamo.New(dynamodb.NewFromConfig(cfg), o.Table, store.Config{SuppressionKey: []byte(key)})
	if err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := seedData(ctx, st, o); err != nil {
		return nil, err
	}
	leadQueue, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(o.Table + "-leads")})
	if err != nil {
		return nil, fmt.Errorf("seed: lead queue: %w", err)
	}
	retryQueue, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(o.Table + "-track-retry")})
	if err != nil {
		return nil, fmt.Errorf("seed: tracking retry queue: %w", err)
	}
	return []string{
		"APPROVAL_CALLBACK_URL=http://localhost:8080/approvals/callback",
		"LEAD_QUEUE_URL=" + aws.ToString(leadQueue.QueueUrl),
		"TRACK_RETRY_QUEUE_URL=" + aws.ToString(retryQueue.QueueUrl),
		"LINKEDIN_VERSION=202601",
		"TABLE_NAME=" + o.Table,
		"SETTINGS_DIR=" + filepath.Join(o.Root, "journeys", "settings"),
		"SECRET_PREFIX=" + o.SecretPrefix,
		"TRACKING_BASE_URL=" + TrackingBase,
		"OUTBOX_DIR=" + o.Outbox,
		"STATE_MACHINE_ARN_PREFIX=arn:aws:states:" + Region + ":" + Account + ":stateMachine:",
		"AWS_ENDPOINT_URL=" + o.Endpoint,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"LOG_LEVEL=debug",
		// The deploy functions (publish, manage, scheduler, segment-launch):
		// the role journey machines run under, the task functions and the
		// fixed machines (internal/publish, internal/launch).
		"JOURNEY_ROLE_ARN=arn:aws:iam::" + Account + ":role/journeys-machines",
		"SEND_FUNCTION_ARN=arn:aws:lambda:" + Region + ":" + Account + ":function:journeys-send",
		"FINISH_FUNCTION_ARN=arn:aws:lambda:" + Region + ":" + Account + ":function:journeys-finish",
		"SEGMENT_LAUNCH_MACHINE_ARN=arn:aws:states:" + Region + ":" + Account + ":stateMachine:journeys-local-segment-launch",
		"MACHINE_NAME_PREFIX=journeys-local_",
	}, nil
}

func createTable(ctx context.Context, db *dynamodb.Client, o Options) error {
	raw, err := os.ReadFile(filepath.Join(o.Root, "template-fragments", "store.yaml"))
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	def, err := dynamo.TableFromTemplate(raw, "JourneysTable", o.Table)
	if err != nil {
		return err
	}
	_, err = db.CreateTable(ctx, def.Create)
	var inUse *ddbtypes.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("seed: create table %s: %w", o.Table, err)
	}
	if def.TTL != "" {
		_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(o.Table),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(def.TTL), Enabled: aws.Bool(true)}})
	}
	return err
}

// Secrets are the secrets the sample settings name; their values are
// generated, but the tracking key is fixed so sample URLs verify.
var Secrets = []string{"suppression-key", "tracking-key", "channel-email", "channel-sms", "channel-push", "action-crm-upsert",
	"approval-flow-url", "approval-flow-signing", "approval-callback-key", "events-signing", "linkedin-client-secret", "linkedin-access-token"}

func seedSecrets(ctx context.Context, sm *secretsmanager.Client, prefix string) (suppression string, err error) {
	for _, name := range Secrets {
		v := TrackingKey
		if name != "tracking-key" {
			if v, err = settings.GenerateSecret(); err != nil {
				return "", err
			}
		}
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(prefix + name), SecretString: aws.String(v)})
		var exists *smtypes.ResourceExistsException
		if errors.As(err, &exists) {
			out, gerr := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(prefix + name)})
			if gerr != nil {
				return "", gerr
			}
			v, err = aws.ToString(out.SecretString), nil
		}
		if err != nil {
			return "", fmt.Errorf("seed: secret %s: %w", name, err)
		}
		if name == "suppression-key" {
			suppression = v
		}
	}
	return suppression, nil
}

func seedData(ctx context.Context, st *dynamo.Store, o Options) error {
	if err := putContacts(ctx, st, o.Now, Contact); err != nil {
		return err
	}
	if err := st.PutOwner(ctx, BU, store.Owner{ID: Owner, Name: "Jordan Reyes"}); err != nil {
		return err
	}
	if err := publishAll(ctx, st, o.Root); err != nil {
		return err
	}
	if err := seedApproval(ctx, st, o.Now); err != nil {
		return err
	}
	return seedContent(ctx, st, filepath.Join(o.Root, "journeys", "content"))
}

// publishAll stores every example journey as version 1, active.
func publishAll(ctx context.Context, st *dynamo.Store, root string) error {
	dir := filepath.Join(root, "journeys")
	lib, probs := journey.LoadDir(dir)
	if len(probs) > 0 {
		return fmt.Errorf("seed: journeys library: %v", probs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.journey.yaml"))
	sort.Strings(files)
	for _, f := range files {
		checked, probs := journey.ReadJourney(f, lib)
		if len(probs) > 0 {
			return fmt.Errorf("seed: %v", probs)
		}
		b, err := journey.NewBundle(checked, lib)
		if err != nil {
			return err
		}
		raw, err := b.Marshal()
		if err != nil {
			return err
		}
		j := checked.Journey
		machine := "arn:aws:states:" + Region + ":" + Account + ":stateMachine:journeys-" + BU + "-" + j.ID
		err = st.CreateVersion(ctx, BU, store.JourneyVersion{Journey: j.ID, Version: 1, Source: raw,
			StateMachineVersion: machine + ":1", PublishedBy: "sample", PublishedAt: time.Now()})
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("seed: publish %s: %w", j.ID, err)
		}
		_, err = st.PutJourney(ctx, BU, store.Journey{ID: j.ID, Name: j.Name, Status: store.JourneyActive, Current: 1})
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("seed: journey %s: %w", j.ID, err)
		}
		_, err = st.CreateEnrolment(ctx, BU, store.Enrolment{Journey: j.ID, Contact: Contact, Entry: Entry, Version: 1, Execution: Execution})
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("seed: enrol in %s: %w", j.ID, err)
		}
	}
	return nil
}

// seedContent copies the content library's latest templates and blocks
// into the store as shared content.
func seedContent(ctx context.Context, st *dynamo.Store, dir string) error {
	src, probs := content.LoadFiles(os.DirFS(dir), dir)
	if len(probs) > 0 {
		return fmt.Errorf("seed: content: %v", probs.Err())
	}
	idx, err := src.List(ctx, BU)
	if err != nil {
		return err
	}
	for _, e := range idx.Templates {
		t, err := src.Template(ctx, BU, e.ID, e.Locale, e.Version)
		if err != nil {
			return err
		}
		if err := putContent(ctx, st, lambdamain.ContentRecord(t)); err != nil {
			return err
		}
	}
	for _, e := range idx.Blocks {
		b, err := src.Block(ctx, BU, e.Name, e.Locale, e.Version)
		if err != nil {
			return err
		}
		if err := putContent(ctx, st, lambdamain.BlockRecord(b)); err != nil {
			return err
		}
	}
	return nil
}

func putContent(ctx context.Context, st *dynamo.Store, c store.Content) error {
	if _, err := st.PutContent(ctx, BU, c); err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("seed: content %s/%s: %w", c.Kind, c.ID, err)
	}
	return nil
}

// TrackEvent is events/track.json: an API Gateway HTTP API event opening
// the sample's welcome email (GET /t/o, signed with TrackingKey).
func TrackEvent() ([]byte, error) {
	signer, err := ctracking.NewSigner(ctracking.Key{ID: "k1", Secret: []byte(TrackingKey)})
	if err != nil {
		return nil, err
	}
	links, err := ctracking.NewLinks(TrackingBase, signer, "")
	if err != nil {
		return nil, err
	}
	ref := channel.MessageRef{BU: BU, Contact: Contact, Journey: "welcome", Version: 1, Step: "send-intro", Exec: channel.ExecTag(Execution, "send-intro")}
	u, err := url.Parse(links.Open(ref.String()))
	if err != nil {
		return nil, err
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /t/o", RawPath: u.Path, RawQueryString: u.RawQuery,
		Headers: map[string]string{"host": "localhost:8080", "user-agent": "Mozilla/5.0 (sample)"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "GET /t/o", AccountID: Account, Stage: "$default", RequestID: "sample-request", APIID: "sample",
			DomainName: "localhost", TimeEpoch: 1796000000000,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: u.Path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.10", UserAgent: "Mozilla/5.0 (sample)"},
		},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err = enc.Encode(ev)
	return b.Bytes(), err
}
