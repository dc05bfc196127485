// Command linkedin-webhook is the Lambda function behind GET and POST
// /linkedin/webhook: it answers LinkedIn's validation challenge, verifies
// lead notifications and queues them once (internal/linkedin,
// internal/leads). LEAD_QUEUE_URL names the SQS queue;
// LINKEDIN_CLIENT_SECRET names the secret holding the app's client
// secret(s), several separated by spaces during a rotation (default
// linkedin-client-secret).
package main

import (
	"context"
	"os"
	"strings"

	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/linkedin"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		inbox, err := rt.LeadInbox()
		if err != nil {
			return nil, err
		}
		secretName := os.Getenv("LINKEDIN_CLIENT_SECRET")
		if secretName == "" {
			secretName = "linkedin-client-secret"
		}
		secret, err := rt.Secrets.Secret(context.Background(), secretName)
		if err != nil {
			return nil, err
		}
		h, err := linkedin.NewHandler(linkedin.HandlerOptions{ClientSecrets: strings.Fields(secret), Inbox: inbox, Logger: rt.Logger})
		if err != nil {
			return nil, err
		}
		return lambdamain.HTTP(h, rt.Logger), nil
	})
}
