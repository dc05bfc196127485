// Command update-contact is the Lambda function that sets contact attributes
// (internal/handler, Handlers.Update).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.Update), nil
	})
}
