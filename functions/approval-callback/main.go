// Command approval-callback is the Lambda function behind POST
// /approvals/callback: flows post approval outcomes there, and the first
// decision resumes the journey (internal/approval, Service.Callback).
package main

import (
	"errors"
	"os"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		url := os.Getenv("APPROVAL_CALLBACK_URL")
		if url == "" {
			return nil, errors.New("missing environment variables: APPROVAL_CALLBACK_URL")
		}
		svc, err := approval.NewFromDeps(approval.Deps{Store: rt.Store, Tasks: rt.Workflow, Catalog: rt.Catalog,
			Settings: rt.Settings, Secrets: rt.Secrets, CallbackURL: url, Outbox: rt.Config.Outbox,
			Client: webhook.ClientOptions{Logger: rt.Logger},
			// Publications waiting for approval in the journey-publish
			// machine resume through the publish hook.
			Hooks: map[store.ApprovalKind]approval.DecisionHook{store.ApprovalPublish: publish.DecisionRelay{Store: rt.Store, Tasks: rt.Workflow}}})
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(svc.Callback(), rt.Logger), nil
	})
}
