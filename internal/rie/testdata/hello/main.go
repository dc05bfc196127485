// Command hello is the smallest Go Lambda: the baseline that `make bench`
// measures the project's functions against, and what the rie tests run.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Name string `json:"name"`
	Fail bool   `json:"fail"`
}

func handle(_ context.Context, e event) (map[string]string, error) {
	if e.Fail {
		return nil, errors.New("asked to fail")
	}
	return map[string]string{"hello": e.Name}, nil
}

func main() { lambda.Start(handle) }
