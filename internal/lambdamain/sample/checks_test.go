package sample_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
)

// An answer is what a function answered to one event.
type answer struct {
	out     map[string]any
	errType string
}

// A probe reads back what the functions stored, where that is cheap.
type probe struct {
	ctx    context.Context
	st     *dynamo.Store
	sqs    *sqs.Client
	env    map[string]string
	outbox string
}

// A check says what a function must answer to a sample event, and what
// it must have stored.
type check func(p *probe, a answer) error

// checks hold one check for each function, for its events/<fn>.json as
// committed. A function without one fails the test.
var checks = map[string]check{
	"evaluate": field("result", true),
	// A real send at any time of day: the sample contact's time zone puts
	// the seeding moment at mid-day, far from welcome's quiet hours.
	"send":           all(field("status", "sent"), outboxHas("northwind", ".eml")),
	"sales-task":     all(field("status", "created"), salesTaskStored),
	"webhook-action": all(field("status", "called"), outboxHas(filepath.Join("northwind", "actions"), ".json")),
	"update-contact": all(field("status", "updated"), func(_ *probe, a answer) error {
		if attrs, _ := a.out["attrs"].(map[string]any); attrs["leadScore"] != 72.0 || attrs["lifecycleStage"] != "mql" {
			return fmt.Errorf("want the contact's leadScore 72 and lifecycleStage mql, got %v", a.out["attrs"])
		}
		return nil
	}),
	"wait-register": field("status", "waiting"),
	"finish":        all(field("status", "completed"), enrolmentIs("reengage", store.EnrolmentCompleted)),
	"render": func(_ *probe, a answer) error {
		if a.errType != "" || !strings.Contains(fmt.Sprint(a.out["subject"]), "Amelia") || !strings.Contains(fmt.Sprint(a.out["html"]), "/t/o?") {
			return fmt.Errorf("want a rendered, tracked welcome email for Amelia, got error %q and subject %v", a.errType, a.out["subject"])
		}
		return nil
	},
	"approval-request": all(field("status", "requested"), approvalIs(store.ApprovalPending)),
	// The committed HTTP samples carry no valid credentials: the endpoints
	// answer, and refuse them. signedChecks run them signed.
	"approval-callback": status(401, nil),
	"events":            status(401, nil),
	"linkedin-webhook":  status(401, nil),
	"linkedin-sync":     noFailedMessage,
	// The sample job records an open of the sample welcome email in
	// DynamoDB and finds the wait resumed already (track runs first).
	"track-retry": noFailedMessage,
	"track": func(_ *probe, a answer) error {
		h, _ := a.out["headers"].(map[string]any)
		if a.errType != "" || a.out["statusCode"] != 200.0 || h["Content-Type"] != "image/gif" || a.out["isBase64Encoded"] != true {
			return fmt.Errorf("want a 200 GIF, got error %q and %v", a.errType, a.out)
		}
		return nil
	},
	// GET /manage/northwind/journeys lists what Seed published.
	"manage": status(200, func(_ *probe, body any) error {
		list, _ := body.([]any)
		var ids []string
		for _, j := range list {
			m, _ := j.(map[string]any)
			if m["status"] == "active" && m["current"] == 1.0 {
				ids = append(ids, fmt.Sprint(m["id"]))
			}
		}
		if !slices.Contains(ids, "welcome") || len(ids) < 5 {
			return fmt.Errorf("want the five example journeys active at version 1, got %v", ids)
		}
		return nil
	}),
	// The journey-publish machine's rejection of welcome v1 is audited.
	"publish": all(field("status", "rejected"), audited("journey-publish", "reject", "welcome")),
	// The plan of a launch of the newsletter: one shard per scan segment.
	"segment-launch": func(_ *probe, a answer) error {
		shards, _ := a.out["shards"].([]any)
		if a.errType != "" || a.out["journey"] != "newsletter" || a.out["version"] != 1.0 || a.out["segments"] == nil ||
			float64(len(shards)) != a.out["segments"] || a.out["done"] != false {
			return fmt.Errorf("want a plan of newsletter v1 with a shard per segment, got error %q and %v", a.errType, a.out)
		}
		return nil
	},
	// No schedule fires and no journey is stopped: a tick that launches
	// and sweeps nothing, and fails nowhere.
	"scheduler": func(_ *probe, a answer) error {
		if l, _ := a.out["launches"].([]any); a.errType != "" || len(l) != 0 || a.out["swept"] != 0.0 || a.out["errors"] != nil {
			return fmt.Errorf("want an empty tick, got error %q and %v", a.errType, a.out)
		}
		return nil
	},
	"segment-watch": noFailedMessage,
}

// signedChecks hold the checks of the HTTP samples signed as their senders
// would sign them (sample.Signer), so their working path runs.
var signedChecks = map[string]check{
	"approval-callback": all(status(200, jsonField("status", "approved")), approvalIs(store.ApprovalApproved)),
	// The sample contact is enrolled in webinar already (Seed enrols it in
	// every journey): the event is recorded and the entry policy keeps it
	// from entering twice.
	"events": all(status(200, func(_ *probe, body any) error {
		m, _ := body.(map[string]any)
		skipped, _ := m["skipped"].([]any)
		if m["event"] != "reg-77" || m["contact"] != sample.Contact || len(skipped) != 1 ||
			skipped[0].(map[string]any)["journey"] != "webinar" {
			return fmt.Errorf("want reg-77 of %s, webinar skipped as entered already", sample.Contact)
		}
		return nil
	}), interactionStored("i-ev-reg-77")),
	"linkedin-webhook": all(status(200, nil), queued("LEAD_QUEUE_URL")),
}

func all(cs ...check) check {
	return func(p *probe, a answer) error {
		for _, c := range cs {
			if err := c(p, a); err != nil {
				return err
			}
		}
		return nil
	}
}

func noFailedMessage(_ *probe, a answer) error {
	if f, _ := a.out["batchItemFailures"].([]any); a.errType != "" || len(f) != 0 {
		return fmt.Errorf("want no failed message, got error %q and %v", a.errType, a.out)
	}
	return nil
}

func field(name string, want any) check {
	return func(_ *probe, a answer) error {
		if a.errType != "" || a.out[name] != want {
			return fmt.Errorf("want %s %v, got error %q and %v", name, want, a.errType, a.out)
		}
		return nil
	}
}

// status checks an API Gateway answer's status code, then its JSON body.
func status(code float64, body func(p *probe, body any) error) check {
	return func(p *probe, a answer) error {
		if a.errType != "" || a.out["statusCode"] != code {
			return fmt.Errorf("want status %v, got error %q and %v", code, a.errType, a.out)
		}
		if body == nil {
			return nil
		}
		var v any
		if err := json.Unmarshal([]byte(fmt.Sprint(a.out["body"])), &v); err != nil {
			return fmt.Errorf("body is not JSON: %v", err)
		}
		if err := body(p, v); err != nil {
			return fmt.Errorf("status %v, body %v: %w", code, v, err)
		}
		return nil
	}
}

func jsonField(name string, want any) func(*probe, any) error {
	return func(_ *probe, v any) error {
		if m, _ := v.(map[string]any); m[name] != want {
			return fmt.Errorf("want %s %v", name, want)
		}
		return nil
	}
}

func outboxHas(dir, ext string) check {
	return func(p *probe, _ answer) error {
		files, _ := filepath.Glob(filepath.Join(p.outbox, dir, "*"+ext))
		if len(files) == 0 {
			return fmt.Errorf("nothing delivered to the outbox's %s (*%s)", dir, ext)
		}
		return nil
	}
}

func approvalIs(want store.ApprovalStatus) check {
	return func(p *probe, _ answer) error {
		a, err := p.st.GetApproval(p.ctx, sample.BU, sample.ApprovalID())
		if err != nil || a.Status != want {
			return fmt.Errorf("approval %s: want %s, got %q (%v)", sample.ApprovalID(), want, a.Status, err)
		}
		return nil
	}
}

func enrolmentIs(journey string, want store.EnrolmentStatus) check {
	return func(p *probe, _ answer) error {
		e, err := p.st.GetEnrolment(p.ctx, sample.BU, journey, sample.Contact, sample.Entry)
		if err != nil || e.Status != want {
			return fmt.Errorf("enrolment in %s: want %s, got %q (%v)", journey, want, e.Status, err)
		}
		return nil
	}
}

func salesTaskStored(p *probe, _ answer) error {
	tasks, err := p.st.ListSalesTasksByContact(p.ctx, sample.BU, sample.Contact)
	if err != nil || !slices.ContainsFunc(tasks, func(t store.SalesTask) bool { return t.Owner == sample.Owner }) {
		return fmt.Errorf("want a sales task for %s, got %v (%v)", sample.Owner, tasks, err)
	}
	return nil
}

// queued checks that the queue at the environment variable holds a message.
func queued(env string) check {
	return func(p *probe, _ answer) error {
		out, err := p.sqs.GetQueueAttributes(p.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(p.env[env]),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
		if err != nil || out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)] == "0" {
			return fmt.Errorf("want a message on %s, got %v (%v)", env, out, err)
		}
		return nil
	}
}

func audited(actor, action, target string) check {
	return func(p *probe, _ answer) error {
		page, err := p.st.ListAudit(p.ctx, sample.BU, "", 100)
		if err != nil || !slices.ContainsFunc(page.Items, func(e store.AuditEntry) bool {
			return e.Actor == actor && e.Action == action && e.Target == target
		}) {
			return fmt.Errorf("want an audit entry %s %s %s, got %v (%v)", actor, action, target, page.Items, err)
		}
		return nil
	}
}

func interactionStored(id string) check {
	return func(p *probe, _ answer) error {
		page, err := p.st.ListInteractions(p.ctx, sample.BU, sample.Contact, store.InteractionQuery{NewestFirst: true, Limit: 100})
		if err != nil || !slices.ContainsFunc(page.Items, func(i store.Interaction) bool { return i.ID == id }) {
			return fmt.Errorf("want interaction %s of %s stored, got %d interactions (%v)", id, sample.Contact, len(page.Items), err)
		}
		return nil
	}
}
