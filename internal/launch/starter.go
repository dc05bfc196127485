package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/journeys-oss/journeys/internal/workflow"
)

// A MachineStarter starts launches as executions of the segment-launch
// state machine. Starting the same launch twice is one execution (the
// name is derived from the launch).
type MachineStarter struct {
	Executions workflow.Executions
	MachineArn string // the segment-launch state machine
	// Rate and Segments are the launches' settings (0: the launcher's
	// defaults).
	Rate     float64
	Segments int
}

// StartLaunch starts a launch and returns its execution's ARN.
func (m MachineStarter) StartLaunch(ctx context.Context, bu, journeyID, launchID, by string) (string, error) {
	in, err := json.Marshal(State{V: 1, BU: bu, Journey: journeyID, Launch: launchID, By: by, Rate: m.Rate, Segments: m.Segments})
	if err != nil {
		return "", err
	}
	name := ExecutionName(bu, journeyID, launchID, 0)
	arn, err := m.Executions.Start(ctx, m.MachineArn, name, string(in))
	if errors.Is(err, workflow.ErrExecutionExists) {
		return executionArn(m.MachineArn, name), nil
	}
	if err != nil {
		return "", fmt.Errorf("start launch %s of %s: %w", launchID, journeyID, err)
	}
	return arn, nil
}

// executionArn builds an execution ARN from its machine's ARN and name.
func executionArn(machineArn, name string) string {
	const sm, ex = ":stateMachine:", ":execution:"
	for i := 0; i+len(sm) <= len(machineArn); i++ {
		if machineArn[i:i+len(sm)] == sm {
			return machineArn[:i] + ex + machineArn[i+len(sm):] + ":" + name
		}
	}
	return name
}

// An InProcess starter runs launches with Run in this process (the local
// runtime, the CLI without Step Functions). Wait makes StartLaunch return
// only when the launch is done; otherwise it runs in the background and
// errors go to the launcher's log.
type InProcess struct {
	Launcher *Launcher
	Wait     bool
	Rate     float64
	Segments int
}

// StartLaunch runs the launch and returns its first execution's name.
func (p InProcess) StartLaunch(ctx context.Context, bu, journeyID, launchID, by string) (string, error) {
	s := State{V: 1, BU: bu, Journey: journeyID, Launch: launchID, By: by, Rate: p.Rate, Segments: p.Segments}
	name := ExecutionName(bu, journeyID, launchID, 0)
	if p.Wait {
		_, err := Run(ctx, p.Launcher, s)
		return name, err
	}
	go func() {
		if _, err := Run(context.WithoutCancel(ctx), p.Launcher, s); err != nil {
			p.Launcher.log.Error("segment launch failed", "bu", bu, "journey", journeyID, "launch", launchID, "error", err)
		}
	}()
	return name, nil
}
