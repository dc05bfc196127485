package lambdamain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/handler/httpapi"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/queue"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/tracking"
	"github.com/journeys-oss/journeys/internal/webhook"
	"github.com/journeys-oss/journeys/internal/wire"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Runtime is what a function is built from: clients made once per
// container, shared by every invoke.
type Runtime struct {
	Config   Config
	AWS      aws.Config
	Logger   *slog.Logger
	Store    *dynamo.Store
	Secrets  settings.SecretSource
	Settings *settings.Dir
	Catalog  *catalog.Catalog
	Workflow *workflow.AWS
	Content  content.Source
	// Renderers and Outbound are the content and delivery builders the
	// handlers and the tracking endpoint share.
	Renderers *handler.ContentRenderers
	Outbound  *handler.Outbound
}

// New builds the runtime: AWS configuration (LoadDefaultConfig honours
// AWS_ENDPOINT_URL), secrets, the store with its suppression key, the
// catalog and content.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Runtime, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" && awsCfg.BaseEndpoint == nil {
		awsCfg.BaseEndpoint = aws.String(ep)
	}
	rt := &Runtime{Config: cfg, AWS: awsCfg, Logger: log, Settings: settings.NewDir(cfg.SettingsDir)}
	if cfg.SecretsFile != "" {
		rt.Secrets = &settings.LocalSecrets{File: cfg.SecretsFile, Getenv: os.Getenv, NoGenerate: true}
	} else {
		rt.Secrets = settings.NewAWSSecrets(secretsmanager.NewFromConfig(awsCfg), cfg.SecretPrefix, 0, nil)
	}
	key, err := rt.Secrets.Secret(ctx, cfg.SuppressionSecret)
	if err != nil {
		return nil, fmt.Errorf("suppression key: %w", err)
	}
	rt.Store, err = dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.Table, store.Config{
		SuppressionKey: []byte(key), InteractionRetention: cfg.InteractionRetention, StepLogRetention: cfg.StepLogRetention,
	})
	if err != nil {
		return nil, err
	}
	rt.Catalog = catalog.New(rt.Store, nil)
	rt.Workflow = workflow.NewAWS(sfn.NewFromConfig(awsCfg), cfg.StateMachinePrefix)
	rt.Content = NewStoreContent(rt.Store, ContentCache{TTL: cfg.ContentTTL})
	if cfg.ContentDir != "" {
		fs, probs := content.LoadFiles(os.DirFS(cfg.ContentDir), cfg.ContentDir)
		if len(probs) > 0 {
			return nil, fmt.Errorf("content in %s: %w", cfg.ContentDir, probs.Err())
		}
		rt.Content = fs
	}
	rt.Renderers = handler.NewContentRenderers(rt.Content, rt.Settings, rt.Secrets, cfg.TrackingBaseURL)
	rt.Outbound = handler.NewOutbound(rt.Settings, rt.Secrets, handler.OutboundOptions{
		Outbox:    cfg.Outbox,
		StatusURL: func(string) string { return cfg.StatusURL },
		Logger:    log,
	})
	return rt, nil
}

// Handlers returns the task handlers over the runtime.
func (rt *Runtime) Handlers() (*handler.Handlers, error) {
	return handler.New(handler.Config{
		Store: rt.Store, Catalog: rt.Catalog, Settings: rt.Settings, Channels: rt.Outbound, Actions: rt.Outbound,
		Content: rt.Renderers, Tasks: rt.Workflow, Logger: rt.Logger,
	})
}

// Tracking returns the tracking endpoint, mounted under /t; the SQS queue
// at $TRACK_RETRY_QUEUE_URL takes the opens and clicks whose recording or
// resume failed, for the track-retry function.
func (rt *Runtime) Tracking() (http.Handler, error) {
	url := os.Getenv("TRACK_RETRY_QUEUE_URL")
	if url == "" {
		return nil, errors.New("missing environment variables: TRACK_RETRY_QUEUE_URL")
	}
	h, err := tracking.New(tracking.Config{Store: rt.Store, Links: rt.Renderers, Settings: rt.Settings,
		Secrets: rt.Secrets, Tasks: rt.Workflow, Logger: rt.Logger, Retry: queue.NewSQS(sqs.NewFromConfig(rt.AWS), url)})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix("/t", h), nil
}

// Logger returns the JSON logger functions log with; with a RequestLog,
// every record carries the Lambda request id of its invoke.
func Logger(level slog.Level, rl *RequestLog) *slog.Logger {
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})
	if rl != nil {
		h = rl.Handler(h)
	}
	return slog.New(h)
}

// Run is a function's main: it reads the environment, builds the runtime
// and the handler build returns (a Task or HTTP value, or any handler
// lambda.Start takes), and starts the Lambda runtime; every log record of
// an invoke carries its request id (RequestLog). A configuration
// error is logged and ends the process with status 1, so the init fails
// loudly instead of every invoke.
func Run(build func(rt *Runtime) (any, error)) {
	cfg, err := FromEnv(os.Getenv)
	rl := &RequestLog{}
	log := Logger(cfg.LogLevel, rl)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	rt, err := New(ctx, cfg, log)
	cancel()
	if err != nil {
		log.Error("start", "error", err.Error())
		os.Exit(1)
	}
	h, err := build(rt)
	if err != nil {
		log.Error("build handler", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(rl.Wrap(lambda.NewHandler(h)))
}

// A TaskFunc is a task handler: what compiled machines invoke.
type TaskFunc func(context.Context, wire.StepRequest) (wire.StepResult, error)

// Task wraps a task handler with the named-error boundary: a *wire.Error
// reaches Step Functions under its name (Journey.Deferred, ...).
func Task(fn TaskFunc) TaskFunc {
	return func(ctx context.Context, req wire.StepRequest) (wire.StepResult, error) {
		res, err := fn(ctx, req)
		return res, wire.LambdaError(err)
	}
}

// HTTP serves an http.Handler behind the API Gateway HTTP API.
func HTTP(h http.Handler, log *slog.Logger) any {
	return httpapi.Handler(h, httpapi.Options{Logger: log})
}

// Approvals returns the approval service over the runtime: it asks flows
// and takes their callbacks at $APPROVAL_CALLBACK_URL; hooks relay
// decisions on approvals other than journey steps (publications).
func (rt *Runtime) Approvals(hooks map[store.ApprovalKind]approval.DecisionHook) (*approval.Service, error) {
	url := os.Getenv("APPROVAL_CALLBACK_URL")
	if url == "" {
		return nil, errors.New("missing environment variables: APPROVAL_CALLBACK_URL")
	}
	return approval.NewFromDeps(approval.Deps{Store: rt.Store, Tasks: rt.Workflow, Catalog: rt.Catalog,
		Settings: rt.Settings, Secrets: rt.Secrets, CallbackURL: url, Outbox: rt.Config.Outbox,
		Client: webhook.ClientOptions{Logger: rt.Logger}, Hooks: hooks})
}

// LeadInbox returns the lead pipeline's Inbox: the routes of the business
// units' LinkedIn settings and the SQS queue at $LEAD_QUEUE_URL. The
// webhook's notifications and backfilled leads join it alike.
func (rt *Runtime) LeadInbox() (*leads.Inbox, error) {
	url := os.Getenv("LEAD_QUEUE_URL")
	if url == "" {
		return nil, errors.New("missing environment variables: LEAD_QUEUE_URL")
	}
	configs, err := leads.LoadConfigs(rt.Config.SettingsDir, rt.Settings)
	if err != nil {
		return nil, err
	}
	routes, err := leads.NewRoutes(configs)
	if err != nil {
		return nil, err
	}
	return leads.NewInbox(leads.InboxOptions{Store: rt.Store, Queue: queue.NewSQS(sqs.NewFromConfig(rt.AWS), url),
		Routes: routes, Logger: rt.Logger})
}
