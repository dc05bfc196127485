// Command track is the Lambda function behind the HTTP API's /t routes:
// open pixel, click redirects, the preference centre and provider status
// callbacks (internal/tracking). TRACK_RETRY_QUEUE_URL names the SQS queue
// that takes the opens and clicks whose recording or resume failed, for
// the track-retry function.
package main

import (
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/queue"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		queueURL := os.Getenv("TRACK_RETRY_QUEUE_URL")
		if queueURL == "" {
			return nil, errors.New("missing environment variables: TRACK_RETRY_QUEUE_URL")
		}
		h, err := rt.Tracking(queue.NewSQS(sqs.NewFromConfig(rt.AWS), queueURL))
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
