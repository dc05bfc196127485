package launch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/launch"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/store/dynamo/dynamotest"
	"github.com/journeys-oss/journeys/internal/testsvc"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// motoStarts is the one adaptation moto needs: it cannot start through a
// version ARN, so starts go to the version's machine. Everything else is
// the AWS implementation talking to moto.
type motoStarts struct{ *workflow.AWS }

func (m motoStarts) Start(ctx context.Context, target, name, input string) (string, error) {
	if i := strings.LastIndexByte(target, ':'); i > 0 && !strings.HasSuffix(target[:i], ":stateMachine") {
		target = target[:i]
	}
	return m.AWS.Start(ctx, target, name, input)
}

// motoTable creates a table named for the test from the template fragment.
func motoTable(t *testing.T, cfg aws.Config) (*dynamodb.Client, string) {
	return dynamotest.Table(t, cfg, "journeys")
}

// TestLaunchOnMoto launches the newsletter to 2,000 contacts kept by the
// DynamoDB adapter, starting executions through the Step Functions client,
// both against moto; then launches again under a new id. Everyone is
// enrolled once and moto holds one execution per enrolment.
//
// It counts the requests the launches make (a counting transport under
// both clients): starting a member costs one PutItem (the enrolment), one
// StartExecution and one UpdateItem (its execution), and reading is per
// page, not per contact: the journey record and the page's enrolments (a
// few index queries) are read once for the page. That is what DynamoDB
// bills, and what makes this test fast: moto answers each Query by
// reading the whole table, so the two reads per member it once made
// (4.9 and 2.3 requests per contact for the two launches, now 2.1 and
// 0.13) took six minutes, now under two. The second launch finding
// the first one's enrolments through those queries is what keeps it from
// enrolling anyone again.
func TestLaunchOnMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the moto server")
	}
	const n = 2000
	ctx := context.Background()
	cfg := testsvc.AWSConfig(t)
	requests := newRequestCounter()
	cfg.HTTPClient = &http.Client{Transport: requests}
	db, table := motoTable(t, cfg)
	clock := newClock()
	st, err := dynamo.New(db, table, store.Config{Now: clock.now, SuppressionKey: []byte("test-key")})
	if err != nil {
		t.Fatal(err)
	}
	client := sfn.NewFromConfig(cfg)
	api := workflow.NewAWS(client, "arn:aws:states:us-east-1:123456789012:stateMachine:")
	prefix := testsvc.UniqueName(t, "j")
	publishNewsletter(t, st, prefixed{motoStarts{api}, prefix}, clock.now, "never")
	// Without an email address an upsert is one conditional PutItem: moto
	// copies every table for each TransactWriteItems (minutes for 2,000
	// contacts) and fails concurrent ones. The launch reads no email.
	start := time.Now()
	addContacts(t, st, n, 4, false, clock.now())
	t.Logf("added %d contacts in %s", n, time.Since(start))

	cat := catalog.New(st, nil)
	en := enrol.New(st, cat, motoStarts{api}, clock.now)
	l := launch.New(st, cat, en, launch.Config{Rate: 1e6, Segments: 8}, launch.Options{Now: clock.now, Sleep: clock.sleep, Logger: quiet()})
	members, consenting := expected(n)
	for _, tt := range []struct {
		id   string
		want launch.Totals
	}{
		{"2026-03-01", launch.Totals{Listed: n, Members: int64(members), Enrolled: int64(consenting),
			Skipped: map[string]int64{noConsent: int64(members - consenting)}}},
		{"2026-04-01", launch.Totals{Listed: n, Members: int64(members),
			Skipped: map[string]int64{noConsent: int64(members - consenting), "already in the journey": int64(consenting)}}},
	} {
		start := time.Now()
		requests.take()
		s, err := launch.Run(ctx, l, launch.State{V: 1, BU: bu, Journey: "newsletter", Launch: tt.id})
		made := requests.take()
		t.Logf("launch %s in %s: %s", tt.id, time.Since(start), perContact(made, n))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, s.Totals); diff != "" {
			t.Errorf("launch %s (-want +got):\n%s", tt.id, diff)
		}
		started := int(tt.want.Enrolled)
		if made["StartExecution"] != started || made["UpdateItem"] != started {
			t.Errorf("launch %s: %d starts and %d enrolment updates, want %d of each", tt.id, made["StartExecution"], made["UpdateItem"], started)
		}
		if reads := made["GetItem"] + made["Query"]; reads > n/4 {
			t.Errorf("launch %s: %d reads for %d contacts; the launch reads per page, not per contact", tt.id, reads, n)
		}
	}
	j, err := st.GetVersion(ctx, bu, "newsletter", 1)
	if err != nil {
		t.Fatal(err)
	}
	machine := j.StateMachineVersion[:strings.LastIndexByte(j.StateMachineVersion, ':')]
	p := sfn.NewListExecutionsPaginator(client, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	count := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count += len(page.Executions)
	}
	if count != consenting {
		t.Errorf("moto holds %d executions, want %d", count, consenting)
	}
}

// prefixed gives the test's machines a unique name prefix on a shared
// moto server: publishing goes through it.
type prefixed struct {
	motoStarts
	prefix string
}

func (p prefixed) Publish(ctx context.Context, def workflow.Definition) (workflow.Published, error) {
	def.Name = p.prefix + "-" + def.Name
	return p.motoStarts.Publish(ctx, def)
}
