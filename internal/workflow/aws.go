package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// AWS implements API with the Step Functions service.
type AWS struct {
	client *sfn.Client
	prefix string
}

var _ API = (*AWS)(nil)

// NewAWS returns the AWS implementation over a client the caller built.
// machineArnPrefix ("arn:aws:states:eu-west-1:123456789012:stateMachine:")
// lets it find machines by name without listing them; it may be empty.
func NewAWS(client *sfn.Client, machineArnPrefix string) *AWS {
	return &AWS{client: client, prefix: machineArnPrefix}
}

// Publish updates the machine with publish=true when it exists and creates
// it with publish=true otherwise, so every publish is a new immutable
// version. It looks first rather than relying on CreateStateMachine's
// conflict: create is idempotent for an identical definition, and then
// returns the old version instead of publishing a new one.
func (a *AWS) Publish(ctx context.Context, def Definition) (Published, error) {
	arn, err := a.machineArn(ctx, def.Name)
	if errors.Is(err, ErrNotFound) {
		created, err := a.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name:               aws.String(def.Name),
			Definition:         aws.String(def.ASL),
			RoleArn:            aws.String(def.RoleArn),
			Type:               types.StateMachineTypeStandard,
			Publish:            true,
			VersionDescription: aws.String(def.Description),
		})
		if err != nil {
			return Published{}, fmt.Errorf("create state machine %s: %w", def.Name, mapErr(err))
		}
		return published(aws.ToString(created.StateMachineArn), aws.ToString(created.StateMachineVersionArn))
	}
	if err != nil {
		return Published{}, err
	}
	updated, err := a.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn:    aws.String(arn),
		Definition:         aws.String(def.ASL),
		RoleArn:            aws.String(def.RoleArn),
		Publish:            true,
		VersionDescription: aws.String(def.Description),
	})
	if err != nil {
		return Published{}, fmt.Errorf("update state machine %s: %w", def.Name, mapErr(err))
	}
	return published(arn, aws.ToString(updated.StateMachineVersionArn))
}

// machineArn finds a machine's ARN by name: directly when the ARN prefix
// (arn:aws:states:region:account:stateMachine:) is configured, else by
// listing, since the API has no get-by-name.
func (a *AWS) machineArn(ctx context.Context, name string) (string, error) {
	if a.prefix != "" {
		arn := a.prefix + name
		_, err := a.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			return "", fmt.Errorf("describe state machine %s: %w", name, mapErr(err))
		}
		return arn, nil
	}
	p := sfn.NewListStateMachinesPaginator(a.client, &sfn.ListStateMachinesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list state machines: %w", mapErr(err))
		}
		for _, m := range page.StateMachines {
			if aws.ToString(m.Name) == name {
				return aws.ToString(m.StateMachineArn), nil
			}
		}
	}
	return "", fmt.Errorf("state machine %s: %w", name, ErrNotFound)
}

func published(machineArn, versionArn string) (Published, error) {
	n, err := VersionNumber(versionArn)
	if err != nil {
		return Published{}, err
	}
	return Published{MachineArn: machineArn, VersionArn: versionArn, Version: n}, nil
}

// VersionNumber reads the version number at the end of a version ARN
// (arn:aws:states:region:account:stateMachine:name:3).
func VersionNumber(versionArn string) (int, error) {
	i := strings.LastIndexByte(versionArn, ':')
	n, err := strconv.Atoi(versionArn[i+1:])
	if i < 0 || err != nil || n < 1 {
		return 0, fmt.Errorf("not a state machine version ARN: %q", versionArn)
	}
	return n, nil
}

// SetAlias updates the alias, or creates it when it does not exist yet.
func (a *AWS) SetAlias(ctx context.Context, machineArn, alias, versionArn string) (string, error) {
	routing := []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(versionArn), Weight: 100}}
	aliasArn := machineArn + ":" + alias
	_, err := a.client.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{
		StateMachineAliasArn: aws.String(aliasArn),
		RoutingConfiguration: routing,
	})
	if err == nil {
		return aliasArn, nil
	}
	if !errors.Is(mapErr(err), ErrNotFound) {
		return "", fmt.Errorf("update alias %s: %w", aliasArn, mapErr(err))
	}
	out, err := a.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String(alias),
		RoutingConfiguration: routing,
	})
	if err != nil {
		return "", fmt.Errorf("create alias %s: %w", aliasArn, mapErr(err))
	}
	return aws.ToString(out.StateMachineAliasArn), nil
}

// AliasTarget returns the version the alias routes all traffic to.
func (a *AWS) AliasTarget(ctx context.Context, aliasArn string) (string, error) {
	out, err := a.client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{
		StateMachineAliasArn: aws.String(aliasArn),
	})
	if err != nil {
		return "", fmt.Errorf("describe alias %s: %w", aliasArn, mapErr(err))
	}
	best, weight := "", int32(-1)
	for _, r := range out.RoutingConfiguration {
		if r.Weight > weight {
			best, weight = aws.ToString(r.StateMachineVersionArn), r.Weight
		}
	}
	return best, nil
}

// Versions lists the machine's versions, newest first.
func (a *AWS) Versions(ctx context.Context, machineArn string) ([]Version, error) {
	var vs []Version
	var next *string
	for {
		page, err := a.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{
			StateMachineArn: aws.String(machineArn),
			NextToken:       next,
		})
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", machineArn, mapErr(err))
		}
		for _, v := range page.StateMachineVersions {
			n, err := VersionNumber(aws.ToString(v.StateMachineVersionArn))
			if err != nil {
				return nil, err
			}
			vs = append(vs, Version{Arn: aws.ToString(v.StateMachineVersionArn), Version: n, Created: aws.ToTime(v.CreationDate)})
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	return vs, nil
}

// DeleteVersion deletes one version.
func (a *AWS) DeleteVersion(ctx context.Context, versionArn string) error {
	_, err := a.client.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{
		StateMachineVersionArn: aws.String(versionArn),
	})
	if err != nil {
		return fmt.Errorf("delete version %s: %w", versionArn, mapErr(err))
	}
	return nil
}
