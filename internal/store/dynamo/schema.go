package dynamo

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.yaml.in/yaml/v3"
)

// tableResource is the part of an AWS::DynamoDB::Table resource that
// defines keys, indexes and TTL.
type tableResource struct {
	Type       string `yaml:"Type"`
	Properties struct {
		BillingMode          string `yaml:"BillingMode"`
		AttributeDefinitions []struct {
			AttributeName string `yaml:"AttributeName"`
			AttributeType string `yaml:"AttributeType"`
		} `yaml:"AttributeDefinitions"`
		KeySchema              []keyElement `yaml:"KeySchema"`
		GlobalSecondaryIndexes []struct {
			IndexName  string       `yaml:"IndexName"`
			KeySchema  []keyElement `yaml:"KeySchema"`
			Projection struct {
				ProjectionType string `yaml:"ProjectionType"`
			} `yaml:"Projection"`
		} `yaml:"GlobalSecondaryIndexes"`
		TimeToLiveSpecification struct {
			AttributeName string `yaml:"AttributeName"`
			Enabled       bool   `yaml:"Enabled"`
		} `yaml:"TimeToLiveSpecification"`
	} `yaml:"Properties"`
}

type keyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

// TableDefinition is a table as a CloudFormation template declares it.
type TableDefinition struct {
	Create *dynamodb.CreateTableInput
	// TTL is the time-to-live attribute ("" when TTL is off).
	TTL string
}

// TableFromTemplate reads the AWS::DynamoDB::Table resource named resource
// from a CloudFormation template (template-fragments/store.yaml) and
// returns how to create it under name: the single source of truth for the
// key schema, used by tests and local tooling alike.
func TableFromTemplate(template []byte, resource, name string) (TableDefinition, error) {
	var doc struct {
		Resources map[string]tableResource `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		return TableDefinition{}, fmt.Errorf("read table template: %w", err)
	}
	r, ok := doc.Resources[resource]
	if !ok || r.Type != "AWS::DynamoDB::Table" {
		return TableDefinition{}, fmt.Errorf("read table template: no AWS::DynamoDB::Table resource %q", resource)
	}
	p := r.Properties
	in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: types.BillingMode(p.BillingMode), KeySchema: keySchema(p.KeySchema)}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType)})
	}
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema),
			Projection: &types.Projection{ProjectionType: types.ProjectionType(g.Projection.ProjectionType)}})
	}
	def := TableDefinition{Create: in}
	if p.TimeToLiveSpecification.Enabled {
		def.TTL = p.TimeToLiveSpecification.AttributeName
	}
	return def, nil
}

func keySchema(ks []keyElement) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, e := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(e.AttributeName), KeyType: types.KeyType(e.KeyType)})
	}
	return out
}

// Describe returns the key schema a table definition declares, in the
// shape of Schema, so the two can be compared.
func (d TableDefinition) Describe() KeySchema {
	ks := KeySchema{TTL: d.TTL, Indexes: map[string][2]string{}}
	pair := func(es []types.KeySchemaElement) (h, r string) {
		for _, e := range es {
			if e.KeyType == types.KeyTypeHash {
				h = aws.ToString(e.AttributeName)
			} else {
				r = aws.ToString(e.AttributeName)
			}
		}
		return h, r
	}
	ks.PK, ks.SK = pair(d.Create.KeySchema)
	for _, g := range d.Create.GlobalSecondaryIndexes {
		h, r := pair(g.KeySchema)
		ks.Indexes[aws.ToString(g.IndexName)] = [2]string{h, r}
	}
	return ks
}
