// Command linkedin-sync is the Lambda function the lead queue feeds: it
// syncs each lead once (contact, submission, enrolment) and reports the
// failed messages as partial batch failures (internal/leads,
// internal/queue). LINKEDIN_VERSION is the LinkedIn-Version header
// (YYYYMM); LINKEDIN_TOKEN_SECRET names the secret holding the access
// token (default linkedin-access-token); LINKEDIN_API_URL overrides the
// API host.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/queue"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		version := os.Getenv("LINKEDIN_VERSION")
		if version == "" {
			return nil, errors.New("missing environment variables: LINKEDIN_VERSION")
		}
		token := os.Getenv("LINKEDIN_TOKEN_SECRET")
		if token == "" {
			token = "linkedin-access-token"
		}
		client, err := linkedin.NewClient(linkedin.ClientOptions{BaseURL: os.Getenv("LINKEDIN_API_URL"), Version: version,
			Tokens: leads.SecretToken{Secrets: rt.Secrets, Name: token}, Logger: rt.Logger})
		if err != nil {
			return nil, err
		}
		proc, err := leads.NewProcessor(leads.Options{
			Store: rt.Store, API: client, Enroller: enrol.New(rt.Store, rt.Catalog, rt.Workflow, time.Now), Catalog: rt.Catalog,
			Settings: leads.FromSettings(rt.Settings), Stopper: rt.Workflow, Tasks: rt.Workflow, Logger: rt.Logger,
		})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			return queue.Batch(ctx, ev, proc.Handle, rt.Logger), nil
		}, nil
	})
}
