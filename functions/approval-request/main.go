// Command approval-request is the Lambda function approval steps call with
// .waitForTaskToken: it stores the task token and asks the business unit's
// flow for a decision (internal/approval, Service.Task).
package main

import (
	"github.com/journeys-oss/journeys/internal/lambdamain"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		svc, err := rt.Approvals(nil)
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(svc.Task), nil
	})
}
