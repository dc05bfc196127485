package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/store/embedded"
)

// RIEConfig says how the dev server runs the built functions.
//
// The functions are separate processes: they cannot open the embedded
// store (one file, locked by this process). So in this mode the data live
// in DynamoDB, served by a moto server (Endpoint), which the functions and
// the server both use; the functions reach it, and reach Step Functions,
// through a local AWS endpoint that answers Step Functions calls (task
// tokens) with the local engine and passes the rest to moto. moto keeps
// its data in memory: this mode is for exercising the built binaries, not
// for keeping data across restarts (the engine's state starts afresh).
type RIEConfig struct {
	// RIE is the aws-lambda-rie binary (bin/aws-lambda-rie).
	RIE string
	// BuildDir holds <function>/bootstrap for this machine (build/host).
	BuildDir string
	// Functions lists the functions to run built; default: every task
	// function found in BuildDir. The others run in-process.
	Functions []string
	// Endpoint is the moto server's URL.
	Endpoint string
	// Template is the SAM fragment defining the table
	// (template-fragments/store.yaml); Table its name (journeys-dev).
	Template, Table string
	// Log receives the emulators' and functions' output.
	Log io.Writer
}

// taskFunctions are the functions compiled journeys call.
var taskFunctions = []string{"evaluate", "send", "sales-task", "webhook-action", "update-contact", "wait-register", "finish", "approval-request"}

// SuppressionSecret names the suppression key the functions read
// (lambdamain's default).
const SuppressionSecret = "suppression-key"

// rieStore is the data in DynamoDB and the engine's state in the embedded
// store.
type rieStore struct {
	*dynamo.Store
	kv *embedded.Store
}

func (r rieStore) PutKV(ctx context.Context, k string, v []byte) error { return r.kv.PutKV(ctx, k, v) }
func (r rieStore) GetKV(ctx context.Context, k string) ([]byte, error) { return r.kv.GetKV(ctx, k) }
func (r rieStore) DeleteKV(ctx context.Context, k string) error        { return r.kv.DeleteKV(ctx, k) }
func (r rieStore) ListKV(ctx context.Context, prefix, cursor string, limit int) (store.Page[store.KVPair], error) {
	return r.kv.ListKV(ctx, prefix, cursor, limit)
}

func (s *Server) awsConfig(endpoint string) aws.Config {
	return aws.Config{Region: local.DefaultRegion, Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint)}
}

// openDynamo creates the table in moto and opens the DynamoDB store.
func (s *Server) openDynamo(ctx context.Context, kv *embedded.Store, secrets settings.SecretSource, now func() time.Time) (local.Store, error) {
	rc := s.cfg.RIE
	if rc.Table == "" {
		rc.Table = "journeys-dev"
	}
	raw, err := os.ReadFile(rc.Template)
	if err != nil {
		return nil, fmt.Errorf("table definition: %w", err)
	}
	def, err := dynamo.TableFromTemplate(raw, "JourneysTable", rc.Table)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(s.awsConfig(rc.Endpoint))
	_, err = db.CreateTable(ctx, def.Create)
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return nil, fmt.Errorf("create table %s: %w", rc.Table, err)
	}
	key, err := secrets.Secret(ctx, SuppressionSecret)
	if err != nil {
		return nil, err
	}
	st, err := dynamo.New(db, rc.Table, store.Config{Now: now, SuppressionKey: []byte(key)})
	if err != nil {
		return nil, err
	}
	s.cfg.RIE.Table = rc.Table
	return rieStore{Store: st, kv: kv}, nil
}

// startRIE serves the local AWS endpoint and starts one emulator per
// built task function; the engine runs those, the rest in-process.
func (s *Server) startRIE(ctx context.Context, secrets *settings.LocalSecrets) error {
	rc := s.cfg.RIE
	upstream, err := url.Parse(rc.Endpoint)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	facade := &http.Server{Handler: local.NewAWSFacade(s.sys.Workflow, upstream), ReadHeaderTimeout: 10 * time.Second}
	go facade.Serve(l)
	s.closers = append(s.closers, func() error { return facade.Close() })
	fns := rc.Functions
	if len(fns) == 0 {
		for _, fn := range taskFunctions {
			if fn == "approval-request" && !s.allUnitsHave("approvals") {
				// The built function reads the approvals section; the
				// local flow that stands in for a missing one is in-process.
				continue
			}
			if _, err := os.Stat(filepath.Join(rc.BuildDir, fn, "bootstrap")); err == nil {
				fns = append(fns, fn)
			}
		}
	}
	if len(fns) == 0 {
		return fmt.Errorf("no built functions in %s (run `make build-host`)", rc.BuildDir)
	}
	env, err := s.functionEnv(ctx, secrets, "http://"+l.Addr().String())
	if err != nil {
		return err
	}
	inv, err := local.StartRIE(ctx, local.RIEConfig{RIE: rc.RIE, BuildDir: rc.BuildDir, Functions: fns, Env: env, Log: rc.Log})
	if err != nil {
		return err
	}
	s.closers = append(s.closers, inv.Close)
	s.sys.UseInvoker(mixedInvoker{built: inv, names: inv.Functions(), inProcess: s.sys.Functions()})
	s.log.Info("task functions run built under the emulator", "functions", inv.Functions())
	return nil
}

// functionEnv is the built functions' environment (internal/lambdamain):
// the table, the settings and content folders, the secrets file (every
// secret the settings name is made first), the tracking URL, the outbox,
// and the local AWS endpoint.
func (s *Server) functionEnv(ctx context.Context, secrets *settings.LocalSecrets, endpoint string) ([]string, error) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	for _, name := range []string{SuppressionSecret, local.LocalFlowSecret, local.LocalCallbackKeySecret} {
		if _, err := secrets.Secret(ctx, name); err != nil {
			return nil, err
		}
	}
	if err := s.makeSettingsSecrets(ctx, secrets); err != nil {
		return nil, err
	}
	env := []string{
		"TABLE_NAME=" + s.cfg.RIE.Table,
		"SETTINGS_DIR=" + abs(s.sys.Settings.Path()),
		"CONTENT_DIR=" + abs(filepath.Join(s.cfg.Root, "content")),
		"SECRETS_FILE=" + abs(secrets.File),
		"TRACKING_BASE_URL=" + s.url + local.TrackingPath,
		"STATE_MACHINE_ARN_PREFIX=arn:aws:states:" + local.DefaultRegion + ":" + local.DefaultAccount + ":stateMachine:",
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_REGION=" + local.DefaultRegion,
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"LOG_LEVEL=warn",
	}
	if s.cfg.Deliver == DeliverOutbox {
		env = append(env, "OUTBOX_DIR="+abs(s.OutboxDir()))
	}
	return env, nil
}

// makeSettingsSecrets generates every secret the settings files name, so
// the functions (which never generate one) find them in the file.
func (s *Server) makeSettingsSecrets(ctx context.Context, secrets settings.SecretSource) error {
	files, _ := filepath.Glob(filepath.Join(s.sys.Settings.Path(), "*.settings.yaml"))
	sort.Strings(files)
	for _, f := range files {
		bu := filepath.Base(f)
		bu = bu[:len(bu)-len(".settings.yaml")]
		st, err := s.sys.Settings.For(bu)
		if err != nil {
			return err
		}
		var names []string
		for _, k := range st.Tracking.Keys {
			names = append(names, k.Secret)
		}
		for _, c := range st.Channels {
			names = append(names, c.Secret)
		}
		for _, a := range st.Actions {
			names = append(names, a.Secret)
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			if _, err := secrets.Secret(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// mixedInvoker runs the built functions under the emulator and the others
// in-process.
type mixedInvoker struct {
	built     asl.TaskInvoker
	names     []string
	inProcess asl.Functions
}

func (m mixedInvoker) Invoke(ctx context.Context, req *asl.TaskRequest) ([]byte, error) {
	name := asl.FunctionName(req.FunctionName)
	for _, n := range m.names {
		if n == name {
			return m.built.Invoke(ctx, req)
		}
	}
	return m.inProcess.Invoke(ctx, req)
}

// allUnitsHave reports whether every business unit's settings file has a
// section.
func (s *Server) allUnitsHave(section string) bool {
	files, _ := filepath.Glob(filepath.Join(s.sys.Settings.Path(), "*.settings.yaml"))
	for _, f := range files {
		bu := filepath.Base(f)
		st, err := s.sys.Settings.For(bu[:len(bu)-len(".settings.yaml")])
		if err != nil {
			return false
		}
		if _, ok := st.Sections[section]; !ok {
			return false
		}
	}
	return len(files) > 0
}
