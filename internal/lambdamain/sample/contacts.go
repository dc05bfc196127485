package sample

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
)

// MiddayZone returns the fixed-offset IANA zone (Etc/GMT±N) in which now
// is between 13:00 and 14:00: a contact there is far from any journey's
// quiet hours (welcome's are 21:00-08:00) for hours after seeding, so
// the sample send is a send at any time of day, never a deferral.
func MiddayZone(now time.Time) string {
	off := 13 - now.UTC().Hour() // -10 (23:00 UTC) .. +13 (00:00 UTC)
	switch {
	case off > 0:
		return fmt.Sprintf("Etc/GMT-%d", off) // the Etc names' signs are POSIX's: GMT-13 is UTC+13
	case off < 0:
		return fmt.Sprintf("Etc/GMT+%d", -off)
	}
	return "Etc/GMT"
}

// SeedContacts adds contacts like the sample contact (same attributes and
// consent, time zone MiddayZone(o.Now)) to a table Seed filled, e.g. one
// per benchmark iteration, so the welcome journey's frequency cap (3
// emails a week per contact) never defers a sample send.
func SeedContacts(ctx context.Context, cfg aws.Config, o Options, ids ...string) error {
	key, err := seedSecrets(ctx, secretsmanager.NewFromConfig(cfg), o.SecretPrefix)
	if err != nil {
		return err
	}
	st, err := dynamo.New(dynamodb.NewFromConfig(cfg), o.Table, store.Config{SuppressionKey: []byte(key)})
	if err != nil {
		return err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return putContacts(ctx, st, o.Now, ids...)
}

func putContacts(ctx context.Context, st *dynamo.Store, now time.Time, ids ...string) error {
	granted := store.Consent{Status: store.ConsentGranted, Source: "sample", At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, id := range ids {
		email := "amelia.hughes@brightline-logistics.example.com"
		if id != Contact { // an email address names one contact
			email = "amelia.hughes+" + id + "@brightline-logistics.example.com"
		}
		_, err := st.UpsertContact(ctx, BU, store.ContactPatch{
			ID: id, Email: store.String(email), Phone: store.String("+447700900123"),
			FirstName: store.String("Amelia"), LastName: store.String("Hughes"), Company: store.String("Brightline Logistics"),
			Country: store.String("GB"), Locale: store.String("en-GB"), Timezone: store.String(MiddayZone(now)), Owner: store.String(Owner),
			LifecycleStage: store.String("mql"),
			Attributes: map[string]store.Value{"leadScore": store.NumberValue(72), "plan": store.StringValue("trial"),
				"industry": store.StringValue("logistics"), "unsubscribed": store.BoolValue(false)},
			Channels: map[string]store.Consent{"email": granted, "sms": granted, "push": granted},
			Topics:   map[string]store.Consent{"onboarding": granted, "newsletter": granted, "events": granted},
		})
		if err != nil {
			return fmt.Errorf("seed contact %s: %w", id, err)
		}
	}
	return nil
}

// The approval step of events/approval-request.json.
const (
	ApprovalStep  = "ask-sales"
	ApprovalToken = "AQCEAAAAKgAAAAMAAAAAAAAAAexampletasktoken"
)

// ApprovalID is the id approval-request gives the approval of
// events/approval-request.json (approval.ApprovalID of its execution,
// step and token), which the signed approval callback names.
func ApprovalID() string {
	sum := sha256.Sum256([]byte(ApprovalToken))
	return approval.ApprovalID(BU, store.ApprovalStep, Execution+"|"+ApprovalStep+"|"+hex.EncodeToString(sum[:8]))
}

// seedApproval stores what approval-request stores for its sample (the
// pending approval and its task token), so the signed approval callback
// has a decision to take even when invoked alone.
func seedApproval(ctx context.Context, st *dynamo.Store, now time.Time) error {
	id, exp := ApprovalID(), now.Add(48*time.Hour) // the step's timeout: 2d
	_, err := st.CreateCallback(ctx, BU, store.Callback{ID: id, Kind: store.CallbackApproval, Token: ApprovalToken,
		Execution: Execution, Contact: Contact, Journey: "welcome", Step: ApprovalStep, ExpiresAt: exp})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("seed: approval callback: %w", err)
	}
	_, err = st.CreateApproval(ctx, BU, store.Approval{ID: id, Kind: store.ApprovalStep, Journey: "welcome", Version: 1,
		Execution: Execution, Step: ApprovalStep, Contact: Contact, RequestedAt: now, ExpiresAt: exp})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("seed: approval: %w", err)
	}
	return nil
}
