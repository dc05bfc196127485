// Package dynamotest gives tests outside the DynamoDB adapter a fresh
// journeys table on the moto server, created from the template fragment
// the deployment uses.
package dynamotest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/testsvc"
)

// Table creates a table named for the test (prefix, then a unique part)
// from template-fragments/store.yaml on the endpoint of cfg, deletes it
// when the test ends, and returns the client and the table's name.
func Table(t testing.TB, cfg aws.Config, prefix string) (*dynamodb.Client, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "template-fragments", "store.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	name := testsvc.UniqueName(t, prefix)
	def, err := dynamo.TableFromTemplate(raw, "JourneysTable", name)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(context.Background(), def.Create); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}) })
	return db, name
}
