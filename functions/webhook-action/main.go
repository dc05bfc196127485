// Command webhook-action is the Lambda function that calls a journey's outbound webhook action
// (internal/handler, Handlers.Webhook).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.Webhook), nil
	})
}
