// Command finish is the Lambda function that records how a contact left a journey
// (internal/handler, Handlers.Finish).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.Finish), nil
	})
}
