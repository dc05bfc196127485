// Command render is the Lambda function that renders a template for a
// contact as a preview, and sends it as a marked test when asked
// (internal/handler, Handlers.Render). Nothing it does is counted.
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Handlers()
		if err != nil {
			return nil, err
		}
		return h.Render, nil
	})
}
