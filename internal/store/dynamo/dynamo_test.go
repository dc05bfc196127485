package dynamo

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/storetest"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// client returns a DynamoDB client for the moto server.
func client(t *testing.T) *dynamodb.Client {
	t.Helper()
	ep := testsvc.Moto(t)
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ep),
	})
}

// definition reads the table definition from the template fragment: the
// one source of truth for the key schema.
func definition(t *testing.T) TableDefinition {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "template-fragments", "store.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := TableFromTemplate(raw, "JourneysTable", "")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// createTable creates a uniquely named table from the template in moto.
func createTable(t *testing.T, db *dynamodb.Client) string {
	t.Helper()
	ctx := context.Background()
	def := definition(t)
	name := testsvc.UniqueName(t, "journeys")
	def.Create.TableName = aws.String(name)
	if _, err := db.CreateTable(ctx, def.Create); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	if def.TTL != "" {
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(def.TTL), Enabled: aws.Bool(true)}})
		if err != nil {
			t.Fatalf("enable ttl: %v", err)
		}
	}
	t.Cleanup(func() { db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}) })
	return name
}

// raw scans the whole table: every item as JSON.
func raw(db *dynamodb.Client, table string) func(t *testing.T) []string {
	return func(t *testing.T) []string {
		var out []string
		p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				var m map[string]any
				if err := decode(it, &m); err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(m)
				out = append(out, string(b))
			}
		}
		return out
	}
}

func openTarget(t *testing.T, cfg store.Config) storetest.Target {
	db := client(t)
	table := createTable(t, db)
	s, err := New(db, table, cfg, WithTransactWorkers(1)) // moto: see WithTransactWorkers
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Target{Store: s, Raw: raw(db, table)}
}

// TestConformance runs the store suite against moto. The exactly-once
// races (storetest.RunExactlyOnce) are not run here: moto does not make
// concurrent conditional writes atomic, so they run on the embedded store.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("moto: skipped with -short")
	}
	storetest.Run(t, openTarget)
}

// TestKeyDesign proves the adapter and the template agree: the tables the
// suite uses are created from template-fragments/store.yaml, and the
// attribute and index names the adapter writes are the template's.
func TestKeyDesign(t *testing.T) {
	def := definition(t)
	if d := cmp.Diff(Schema(), def.Describe()); d != "" {
		t.Fatalf("template and adapter disagree on the key schema (-adapter +template):\n%s", d)
	}
	for _, g := range def.Create.GlobalSecondaryIndexes {
		if g.Projection.ProjectionType != types.ProjectionTypeAll {
			t.Errorf("index %s projects %s: the adapter reads whole records from it", aws.ToString(g.IndexName), g.Projection.ProjectionType)
		}
	}
	if def.Create.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %s", def.Create.BillingMode)
	}
	if testing.Short() {
		return
	}
	db := client(t)
	table := createTable(t, db)
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	got := TableDefinition{Create: &dynamodb.CreateTableInput{KeySchema: out.Table.KeySchema}, TTL: def.TTL}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		got.Create.GlobalSecondaryIndexes = append(got.Create.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{IndexName: g.IndexName, KeySchema: g.KeySchema})
	}
	if d := cmp.Diff(Schema(), got.Describe()); d != "" {
		t.Fatalf("the created table differs (-adapter +table):\n%s", d)
	}
	ttl, err := db.DescribeTimeToLive(context.Background(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != Schema().TTL {
		t.Fatalf("ttl attribute %q", aws.ToString(ttl.TimeToLiveDescription.AttributeName))
	}
}
