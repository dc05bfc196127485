package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// Start starts an execution. Step Functions answers a repeated start with
// the same name and input of a running Standard execution with that same
// execution, and ExecutionAlreadyExists otherwise.
func (a *AWS) Start(ctx context.Context, target, name, input string) (string, error) {
	out, err := a.client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(target),
		Name:            aws.String(name),
		Input:           aws.String(input),
	})
	if err != nil {
		return "", fmt.Errorf("start execution %s: %w", name, mapErr(err))
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Describe describes one execution.
func (a *AWS) Describe(ctx context.Context, executionArn string) (ExecutionInfo, error) {
	out, err := a.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionArn)})
	if err != nil {
		return ExecutionInfo{}, fmt.Errorf("describe execution %s: %w", executionArn, mapErr(err))
	}
	return ExecutionInfo{
		Arn:        aws.ToString(out.ExecutionArn),
		Name:       aws.ToString(out.Name),
		Status:     string(out.Status),
		VersionArn: aws.ToString(out.StateMachineVersionArn),
		Output:     aws.ToString(out.Output),
		Error:      aws.ToString(out.Error),
		Cause:      aws.ToString(out.Cause),
		StartedAt:  aws.ToTime(out.StartDate),
		StoppedAt:  aws.ToTime(out.StopDate),
	}, nil
}

// Running lists running executions of a machine or a version, up to limit.
func (a *AWS) Running(ctx context.Context, machineOrVersionArn string, limit int) ([]ExecutionInfo, error) {
	// ListExecutions takes a version ARN in StateMachineArn as well.
	in := &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(machineOrVersionArn),
		StatusFilter:    types.ExecutionStatusRunning,
	}
	var out []ExecutionInfo
	p := sfn.NewListExecutionsPaginator(a.client, in)
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list running executions of %s: %w", machineOrVersionArn, mapErr(err))
		}
		for _, e := range page.Executions {
			out = append(out, ExecutionInfo{
				Arn: aws.ToString(e.ExecutionArn), Name: aws.ToString(e.Name), Status: string(e.Status),
				VersionArn: aws.ToString(e.StateMachineVersionArn), StartedAt: aws.ToTime(e.StartDate),
			})
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Stop stops a running execution with an error name and cause.
func (a *AWS) Stop(ctx context.Context, executionArn, errName, cause string) error {
	_, err := a.client.StopExecution(ctx, &sfn.StopExecutionInput{
		ExecutionArn: aws.String(executionArn), Error: aws.String(errName), Cause: aws.String(cause),
	})
	if err != nil {
		return fmt.Errorf("stop execution %s: %w", executionArn, mapErr(err))
	}
	return nil
}

// SendTaskSuccess resumes a waiting task with its output.
func (a *AWS) SendTaskSuccess(ctx context.Context, token, output string) error {
	_, err := a.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(output)})
	if err != nil {
		return fmt.Errorf("send task success: %w", mapErr(err))
	}
	return nil
}

// SendTaskFailure fails a waiting task with an error name and cause.
func (a *AWS) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	_, err := a.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(token), Error: aws.String(errName), Cause: aws.String(cause),
	})
	if err != nil {
		return fmt.Errorf("send task failure: %w", mapErr(err))
	}
	return nil
}

// SendTaskHeartbeat tells a waiting task its worker is alive.
func (a *AWS) SendTaskHeartbeat(ctx context.Context, token string) error {
	_, err := a.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	if err != nil {
		return fmt.Errorf("send task heartbeat: %w", mapErr(err))
	}
	return nil
}

// mapErr turns the service's error codes into this package's sentinels,
// keeping the original in the chain.
func mapErr(err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch api.ErrorCode() {
	case "StateMachineDoesNotExist", "ExecutionDoesNotExist", "ResourceNotFound":
		return errors.Join(ErrNotFound, err)
	case "ExecutionAlreadyExists":
		return errors.Join(ErrExecutionExists, err)
	case "InvalidToken", "TaskDoesNotExist", "TaskTimedOut":
		return errors.Join(ErrTaskGone, err)
	case "ExecutionLimitExceeded":
		return errors.Join(ErrThrottled, ErrExecutionLimit, err)
	case "ThrottlingException", "TooManyRequestsException":
		return errors.Join(ErrThrottled, err)
	}
	return err
}
