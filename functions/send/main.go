// Command send is the Lambda function that renders and delivers one message per step per contact
// (internal/handler, Handlers.Send).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.Send), nil
	})
}
