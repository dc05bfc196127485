// Command wait-register is the Lambda function that stores a wait-for-event task token under an opaque single-use id
// (internal/handler, Handlers.WaitRegister).
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return lambdamain.Task(h.WaitRegister), nil
	})
}
