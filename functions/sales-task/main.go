// Command sales-task is the Lambda function that creates a task for the contact's sales owner
// (internal/handler, Handlers.SalesTask).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.SalesTask), nil
	})
}
