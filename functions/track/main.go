// Command track is the Lambda function behind the HTTP API's /t routes:
// open pixel, click redirects, the preference centre and provider status
// callbacks (internal/tracking). TRACK_RETRY_QUEUE_URL names the SQS queue
// that takes the opens and clicks whose recording or resume failed, for
// the track-retry function.
package main

import "github.com/journeys-oss/journeys/internal/lambdamain"

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		h, err := rt.Tracking()
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
