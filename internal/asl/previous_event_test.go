package asl_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPreviousEventIDs pins previousEventId around Map and Parallel states
// to what Step Functions records (LocalStack's AWS recordings
// test_base_scenarios test_map_state, test_map_state_catch,
// test_map_state_retry, test_parallel_state and test_timeouts
// test_service_lambda_map_timeout): iteration events and the
// MapStateSucceeded/ParallelStateSucceeded events never become the state's
// latest event; every MapIterationStarted of a batch follows the
// MapStateStarted; what follows an iteration or branch follows its last
// event; the aborts a failure causes all follow the failure's event.
func TestPreviousEventIDs(t *testing.T) {
	tests := []struct {
		name, def, input string
		runFor           time.Duration
		want             []string // "id type name <- previous id"
	}{
		{
			name: "map one at a time",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
				"ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `[1,2]`,
			want: []string{
				"1 ExecutionStarted <- 0", "2 MapStateEntered M <- 0", "3 MapStateStarted <- 2",
				"4 MapIterationStarted M <- 3", "5 PassStateEntered H <- 4", "6 PassStateExited H <- 5",
				"7 MapIterationSucceeded M <- 6", "8 MapIterationStarted M <- 6", "9 PassStateEntered H <- 8",
				"10 PassStateExited H <- 9", "11 MapIterationSucceeded M <- 10", "12 MapStateSucceeded <- 11",
				"13 MapStateExited M <- 11", "14 ExecutionSucceeded <- 13",
			},
		},
		{
			name: "map iterations started together, one fails",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map",
				"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","Next":"F"},
				"F":{"Type":"Fail","Error":"Boom"}}},"End":true}}}`,
			input:  `[1,5,5]`,
			runFor: time.Minute,
			want: []string{
				"1 ExecutionStarted <- 0", "2 MapStateEntered M <- 0", "3 MapStateStarted <- 2",
				"4 MapIterationStarted M <- 3", "5 MapIterationStarted M <- 3", "6 MapIterationStarted M <- 3",
				"7 WaitStateEntered W <- 4", "8 WaitStateEntered W <- 5", "9 WaitStateEntered W <- 6",
				"10 WaitStateExited W <- 7", "11 FailStateEntered F <- 10",
				"12 MapIterationFailed M <- 11",
				"13 WaitStateAborted <- 11", "14 MapIterationAborted M <- 11",
				"15 WaitStateAborted <- 11", "16 MapIterationAborted M <- 11",
				"17 MapStateFailed <- 11", "18 ExecutionFailed <- 17",
			},
		},
		{
			name: "map failure caught",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map",
				"ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}},
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"P"}],"End":true},"P":{"Type":"Pass","End":true}}}`,
			input: `[1]`,
			want: []string{
				"1 ExecutionStarted <- 0", "2 MapStateEntered M <- 0", "3 MapStateStarted <- 2",
				"4 MapIterationStarted M <- 3", "5 FailStateEntered F <- 4", "6 MapIterationFailed M <- 5",
				"7 MapStateFailed <- 5", "8 MapStateExited M <- 7", "9 PassStateEntered P <- 8",
				"10 PassStateExited P <- 9", "11 ExecutionSucceeded <- 10",
			},
		},
		{
			name: "map failure retried",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map",
				"ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}},
				"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1,"IntervalSeconds":1}],"End":true}}}`,
			input:  `[1]`,
			runFor: time.Minute,
			want: []string{
				"1 ExecutionStarted <- 0", "2 MapStateEntered M <- 0", "3 MapStateStarted <- 2",
				"4 MapIterationStarted M <- 3", "5 FailStateEntered F <- 4", "6 MapIterationFailed M <- 5",
				"7 MapStateStarted <- 5", "8 MapIterationStarted M <- 7", "9 FailStateEntered F <- 8",
				"10 MapIterationFailed M <- 9", "11 MapStateFailed <- 9", "12 ExecutionFailed <- 11",
			},
		},
		{
			name: "parallel",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"End":true}}}`,
			input: `{}`,
			want: []string{
				"1 ExecutionStarted <- 0", "2 ParallelStateEntered P <- 0", "3 ParallelStateStarted <- 2",
				"4 PassStateEntered A <- 3", "5 PassStateExited A <- 4", "6 PassStateEntered B <- 3",
				"7 PassStateExited B <- 6", "8 ParallelStateSucceeded <- 7", "9 ParallelStateExited P <- 7",
				"10 ExecutionSucceeded <- 9",
			},
		},
		{
			name: "parallel branch fails",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}},
				{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}}],"End":true}}}`,
			input:  `{}`,
			runFor: time.Minute,
			want: []string{
				"1 ExecutionStarted <- 0", "2 ParallelStateEntered P <- 0", "3 ParallelStateStarted <- 2",
				"4 WaitStateEntered W <- 3", "5 FailStateEntered F <- 3", "6 WaitStateAborted <- 5",
				"7 ParallelStateFailed <- 5", "8 ExecutionFailed <- 7",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t)
			arn := start(t, e, mustLoad(t, tc.def), "x", tc.input)
			runUntil(t, e, t0.Add(tc.runFor))
			h, err := e.History(arn)
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			got := make([]string, len(h))
			for i, ev := range h {
				name := ""
				if n := ev.Name(); n != "" {
					name = " " + n
				}
				got[i] = fmt.Sprintf("%d %s%s <- %d", ev.ID, ev.Type, name, ev.PreviousEventID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}
