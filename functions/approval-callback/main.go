// Command approval-callback is the Lambda function behind POST
// /approvals/callback: flows post approval outcomes there, and the first
// decision resumes the journey, moves a publication's alias or writes
// approved content (internal/approval, Service.Callback).
package main

import (
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		// Publications waiting for approval in the journey-publish machine
		// resume through the publish hook; approved content uploads are
		// written by the content hook.
		svc, err := rt.Approvals(map[store.ApprovalKind]approval.DecisionHook{
			store.ApprovalPublish: publish.DecisionRelay{Store: rt.Store, Tasks: rt.Workflow},
			store.ApprovalContent: approval.ContentHook{Store: rt.Store}})
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(svc.Callback(), rt.Logger), nil
	})
}
