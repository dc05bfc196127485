// Command evaluate is the Lambda function that evaluates conditions, loads attributes for native Choice rules and computes times of day
// (internal/handler, Handlers.Evaluate).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.Evaluate), nil
	})
}
