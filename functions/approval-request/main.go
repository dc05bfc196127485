// Command approval-request is the Lambda function approval steps call with
// .waitForTaskToken: it stores the task token and asks the business unit's
// flow for a decision (internal/approval, Service.Task).
package main

import (
	"errors"
	"os"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/lambdamain"
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
			Client: webhook.ClientOptions{Logger: rt.Logger}})
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(svc.Task), nil
	})
}
