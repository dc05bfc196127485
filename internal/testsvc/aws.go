package testsvc

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig returns an SDK configuration for the moto server: region
// us-east-1, static test credentials, and every service's endpoint set to
// moto's (use it with the clients' BaseEndpoint option, as MotoEndpoint).
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	ep := Moto(t)
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ep),
	}
}
