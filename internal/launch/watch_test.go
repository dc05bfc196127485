package launch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
)

// watchFixture publishes the newsletter with enrolNewMembers on the
// embedded store and returns a watcher over it.
func watchFixture(t *testing.T, reentry string) (*embeddedFixture, *launch.Watcher) {
	t.Helper()
	f := newEmbedded(t, 0, launch.Config{}, reentry)
	b := newsletter(t, reentry)
	b.Journey.Source = strings.Replace(b.Journey.Source, "    schedule: cron(0 9 1 * ? *)\n", "    schedule: cron(0 9 1 * ? *)\n    enrolNewMembers: true\n", 1)
	p, err := publish.New(f.st, f.api, publish.Config{RoleArn: "arn:aws:iam::123456789012:role/j", Functions: functions()}, f.clock.now, publish.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background(), publish.Request{BU: bu, Bundle: b, By: "test"}); err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(f.st, nil)
	w := &launch.Watcher{Store: f.st, Catalog: cat, Enroller: enrol.New(f.st, cat, f.api, f.clock.now), Now: f.clock.now, Logger: quiet()}
	return f, w
}

func upsert(t *testing.T, f *embeddedFixture, p store.ContactPatch) store.Contact {
	t.Helper()
	c, err := f.st.UpsertContact(context.Background(), bu, p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWatcherEnrolsJoiners: a contact entering the segment is enrolled
// once (a change delivered twice enrols once); one that stays in, or is
// out, is not.
func TestWatcherEnrolsJoiners(t *testing.T) {
	f, w := watchFixture(t, "never")
	ctx := context.Background()
	granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, At: f.clock.now()}}
	before := upsert(t, f, store.ContactPatch{ID: "c-1", Channels: granted})
	after := upsert(t, f, store.ContactPatch{ID: "c-1", Attributes: map[string]store.Value{"newsletterFrequency": store.StringValue("weekly")}})
	for i, want := range []int{1, 0} { // the second delivery of the same change
		n, err := w.ContactChanged(ctx, &before, after)
		if err != nil || n != want {
			t.Fatalf("delivery %d: enrolled %d, %v; want %d", i+1, n, err, want)
		}
	}
	again := upsert(t, f, store.ContactPatch{ID: "c-1", FirstName: store.String("Ada")})
	if n, err := w.ContactChanged(ctx, &after, again); err != nil || n != 0 {
		t.Fatalf("a member changing: enrolled %d, %v", n, err)
	}
	out := upsert(t, f, store.ContactPatch{ID: "c-2", Channels: granted})
	if n, err := w.ContactChanged(ctx, nil, out); err != nil || n != 0 {
		t.Fatalf("a non-member: enrolled %d, %v", n, err)
	}
	es, _ := f.st.ContactEnrolments(ctx, bu, "c-1")
	if len(es) != 1 || es[0].Entry != "join-2" {
		t.Fatalf("enrolments %+v", es)
	}
}

// streamImage is a contact as the DynamoDB adapter stores it, as the
// table's stream delivers it.
func streamImage(t *testing.T, c store.Contact) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	it, err := attributevalue.MarshalMapWithOptions(c, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		t.Fatal(err)
	}
	it["PK"] = &types.AttributeValueMemberS{Value: "B#" + c.BU + "#C#" + c.ID}
	it["SK"] = &types.AttributeValueMemberS{Value: "#P"}
	it["GSI1PK"] = &types.AttributeValueMemberS{Value: "B#" + c.BU + "#CS#07"}
	out := map[string]events.DynamoDBAttributeValue{}
	for k, v := range it {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberL:
		var l []events.DynamoDBAttributeValue
		for _, e := range x.Value {
			l = append(l, streamValue(e))
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		m := map[string]events.DynamoDBAttributeValue{}
		for k, e := range x.Value {
			m[k] = streamValue(e)
		}
		return events.NewMapAttribute(m)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	}
	panic("unexpected attribute type")
}

// TestContactFromImage: a stored contact read back from a stream image is
// the contact; other items are not contacts.
func TestContactFromImage(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := store.Contact{BU: bu, ID: "c-1", Email: "a@example.com", LifecycleStage: "mql", Revision: 4, CreatedAt: at, UpdatedAt: at,
		Attributes: map[string]store.Value{"leadScore": store.NumberValue(72), "tags": store.ListValue("a", "b"), "since": store.TimeValue(at)},
		Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "form", At: at}}}
	got, ok, err := launch.ContactFromImage(streamImage(t, c))
	if err != nil || !ok {
		t.Fatalf("ok %v, %v", ok, err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("contact (-stored +read):\n%s", diff)
	}
	enrolment := map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("B#northwind#C#c-1"), "SK": events.NewStringAttribute("N#welcome#e")}
	if _, ok, _ := launch.ContactFromImage(enrolment); ok {
		t.Error("an enrolment item read as a contact")
	}
}

// TestStreamHandler: stream records of a contact joining the segment
// enrol it; removals and other items are ignored.
func TestStreamHandler(t *testing.T) {
	f, w := watchFixture(t, "never")
	granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, At: f.clock.now()}}
	before := upsert(t, f, store.ContactPatch{ID: "c-1", Channels: granted})
	after := upsert(t, f, store.ContactPatch{ID: "c-1", Attributes: map[string]store.Value{"newsletterFrequency": store.StringValue("monthly")}})
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{SequenceNumber: "1", OldImage: streamImage(t, before), NewImage: streamImage(t, after)}},
		{EventName: "REMOVE", Change: events.DynamoDBStreamRecord{SequenceNumber: "2", OldImage: streamImage(t, after)}},
		{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "3", NewImage: map[string]events.DynamoDBAttributeValue{
			"PK": events.NewStringAttribute("B#northwind#J#welcome"), "SK": events.NewStringAttribute("V#0000000001")}}},
	}}
	resp, err := launch.StreamHandler(w)(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v, %v", resp, err)
	}
	if es, _ := f.st.ContactEnrolments(context.Background(), bu, "c-1"); len(es) != 1 {
		t.Fatalf("enrolments %+v", es)
	}
}
