package manage

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler/httpapi"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// A Deployment is what the deployed publish, manage and scheduler
// functions are built from: the publisher, the segment-launch starter and
// the service, configured from the environment their mains pass in.
type Deployment struct {
	Publisher *publish.Publisher
	Starter   launch.MachineStarter
	Launch    launch.Settings
	Service   *Service
}

// NewDeployment reads the publisher's and the launches' settings through
// getenv (publish.ConfigFromEnv, launch.SettingsFromEnv) and builds the
// deployment over the store and the Step Functions API. approvals asks
// for publication approvals (publish.FlowApprovals in a deployment); nil
// records them in the store only (publish.StoreApprovals).
func NewDeployment(st Store, api workflow.API, approvals publish.Approvals, getenv func(string) string, log *slog.Logger) (*Deployment, error) {
	pc, perr := publish.ConfigFromEnv(getenv)
	ls, lerr := launch.SettingsFromEnv(getenv)
	if ls.MachineArn == "" {
		lerr = errors.Join(lerr, errors.New("missing environment variable "+launch.EnvLaunchMachine))
	}
	if err := errors.Join(perr, lerr); err != nil {
		return nil, err
	}
	starter := launch.MachineStarter{Executions: api, MachineArn: ls.MachineArn, Rate: ls.Rate, Segments: ls.Segments}
	if approvals == nil {
		approvals = publish.StoreApprovals{Store: st}
	}
	p, err := publish.New(st, api, pc, time.Now, publish.Options{Approvals: approvals, Launcher: starter, Logger: log,
		ContentFor: StoreContentChecker(st)})
	if err != nil {
		return nil, err
	}
	o := Options{Launcher: starter, Logger: log}
	if flow, ok := approvals.(publish.FlowApprovals); ok && flow.Service != nil {
		o.ContentApprovals = flow.Service // content approvals take the publications' flow
	}
	svc := NewService(st, api, p, Config{}, o)
	return &Deployment{Publisher: p, Starter: starter, Launch: ls, Service: svc}, nil
}

// StoreContentChecker returns publish.Options.ContentFor of a deployment:
// each publication checks the templates and blocks its journey sends
// against the store's content library (the business unit's own and shared
// latest versions), so a journey that sends a missing or broken template
// is refused before its alias moves.
func StoreContentChecker(st lambdamain.ContentStore) func() journey.Content {
	return func() journey.Content {
		return content.NewJourneyContent(lambdamain.NewStoreContent(st, lambdamain.ContentCache{}))
	}
}

// IAMIdentity is the HandlerOptions.Identity of the deployed API: the IAM
// principal (user or role ARN) API Gateway's AWS_IAM authorizer put in the
// request context.
func IAMIdentity(r *http.Request) (string, bool) {
	rc, ok := httpapi.RequestContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.IAM == nil || rc.Authorizer.IAM.UserARN == "" {
		return "", false
	}
	return rc.Authorizer.IAM.UserARN, true
}
