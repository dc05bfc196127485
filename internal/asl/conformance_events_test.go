package asl_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// gotEvent is an event we produced, in the recordings' terms.
type gotEvent struct {
	Type, Name          string
	Input, Output       any
	HasInput, HasOutput bool
	Error, Cause        any
	Index, Length       any
	Assigned            map[string]string
}

func (g gotEvent) key() string { return g.Type + "\x00" + g.Name }

func toGotEvents(events []asl.HistoryEvent) []gotEvent {
	out := make([]gotEvent, 0, len(events))
	for i := range events {
		ev := &events[i]
		g := gotEvent{Type: string(ev.Type), Name: ev.Name()}
		parse := func(s string) any {
			v, err := jsonv.ParseString(s)
			if err != nil {
				return s
			}
			return v
		}
		fail := func(err, cause *string) {
			if err != nil {
				g.Error = *err
			}
			if cause != nil {
				g.Cause = *cause
			}
		}
		switch {
		case ev.ExecutionStartedEventDetails != nil:
			g.Input, g.HasInput = parse(ev.ExecutionStartedEventDetails.Input), true
		case ev.StateEnteredEventDetails != nil:
			g.Input, g.HasInput = parse(ev.StateEnteredEventDetails.Input), true
		case ev.StateExitedEventDetails != nil:
			g.Output, g.HasOutput = parse(ev.StateExitedEventDetails.Output), true
			g.Assigned = ev.StateExitedEventDetails.AssignedVariables
		case ev.ExecutionSucceededEventDetails != nil:
			g.Output, g.HasOutput = parse(ev.ExecutionSucceededEventDetails.Output), true
		case ev.ExecutionFailedEventDetails != nil:
			fail(ev.ExecutionFailedEventDetails.Error, ev.ExecutionFailedEventDetails.Cause)
		case ev.ExecutionAbortedEventDetails != nil:
			fail(ev.ExecutionAbortedEventDetails.Error, ev.ExecutionAbortedEventDetails.Cause)
		case ev.ExecutionTimedOutEventDetails != nil:
			fail(ev.ExecutionTimedOutEventDetails.Error, ev.ExecutionTimedOutEventDetails.Cause)
		case ev.MapStateStartedEventDetails != nil:
			g.Length = jsonv.Int(int64(ev.MapStateStartedEventDetails.Length))
		case ev.EvaluationFailedEventDetails != nil:
			fail(ev.EvaluationFailedEventDetails.Error, ev.EvaluationFailedEventDetails.Cause)
		}
		for _, d := range []*asl.MapIterationDetails{ev.MapIterationStartedEventDetails, ev.MapIterationSucceededDetails,
			ev.MapIterationFailedEventDetails, ev.MapIterationAbortedEventDetails} {
			if d != nil {
				g.Index = jsonv.Int(int64(d.Index))
			}
		}
		out = append(out, g)
	}
	return out
}

// sortParallelStretches applies the recorder's re-ordering of Parallel
// stretches (see the README) and returns the ranges it sorted.
func sortParallelStretches(list []gotEvent) ([]gotEvent, [][2]int) {
	var ranges [][2]int
	start, collecting := 0, false
	var buffer []gotEvent
	for i := 0; i < len(list); i++ {
		switch list[i].Type {
		case "ParallelStateStarted":
			start, buffer, collecting = i+1, nil, true
			continue
		case "ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateFailed", "ParallelStateExited":
			sorted := append([]gotEvent(nil), buffer...)
			sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].key() < sorted[b].key() })
			if start > i {
				start = i
			}
			next := append(append(append([]gotEvent(nil), list[:start]...), sorted...), list[i:]...)
			i = start + len(sorted)
			list = next
			ranges = append(ranges, [2]int{start, start + len(sorted)})
			collecting = false
			continue
		}
		if collecting {
			buffer = append(buffer, list[i])
		}
	}
	return list, ranges
}

// parallelRanges finds each stretch between a ParallelStateStarted and the
// closing event of its Parallel state, where order is free.
func parallelRanges(list []gotEvent) [][2]int {
	var ranges [][2]int
	for i := 0; i < len(list); i++ {
		if list[i].Type != "ParallelStateStarted" {
			continue
		}
		depth := 0
		for j := i + 1; j < len(list); j++ {
			switch list[j].Type {
			case "ParallelStateStarted":
				depth++
			case "ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted":
				if depth == 0 {
					ranges = append(ranges, [2]int{i + 1, j})
					j = len(list)
				} else {
					depth--
				}
			}
		}
	}
	return ranges
}

// compareEvents compares our history with the recording: the sequence of
// types and names (stretches of Parallel branches as multisets), then each
// event's payloads.
func compareEvents(c conformanceCase, events []asl.HistoryEvent, w *wildcards) []string {
	got := toGotEvents(events)
	var free [][2]int
	if c.ParallelSorted {
		got, free = sortParallelStretches(got)
	} else {
		free = parallelRanges(got)
	}
	if len(got) != len(c.Events) {
		return []string{fmt.Sprintf("%d events, want %d\n got: %s\nwant: %s", len(got), len(c.Events), eventList(got), wantList(c.Events))}
	}
	// Within a free range, pair each recorded event with one of ours of the
	// same type and name.
	order := make([]int, len(got))
	for i := range order {
		order[i] = i
	}
	for _, r := range free {
		used := map[int]bool{}
		for i := r[0]; i < r[1]; i++ {
			for j := r[0]; j < r[1]; j++ {
				if !used[j] && got[j].Type == c.Events[i].Type && got[j].Name == c.Events[i].Name {
					used[j], order[i] = true, j
					break
				}
			}
		}
	}
	var problems []string
	for i, want := range c.Events {
		g := got[order[i]]
		if g.Type != want.Type || g.Name != want.Name {
			return []string{fmt.Sprintf("event %d is %s %q, want %s %q\n got: %s\nwant: %s", i+1, g.Type, g.Name, want.Type, want.Name, eventList(got), wantList(c.Events))}
		}
		problems = append(problems, comparePayloads(c, i+1, want, g, w)...)
	}
	return problems
}

func comparePayloads(c conformanceCase, n int, want conformanceEvent, g gotEvent, w *wildcards) []string {
	var problems []string
	check := func(field string, want, got any) {
		if !w.match(want, normalize(got, c, field)) {
			problems = append(problems, fmt.Sprintf("event %d %s %s\n got: %s\nwant: %s", n, want, field, jsonv.String(normalize(got, c, field)), jsonv.String(want)))
		}
	}
	if want.Input != nil || g.HasInput {
		check("input", want.Input, g.Input)
	}
	if want.Output != nil || g.HasOutput {
		check("output", want.Output, g.Output)
	}
	check("error", want.Error, g.Error)
	check("cause", want.Cause, g.Cause)
	check("index", want.Index, g.Index)
	check("length", want.Length, g.Length)
	if want.AssignedVar != nil || len(g.Assigned) > 0 {
		gotVars := jsonv.NewObject(len(g.Assigned))
		for k, v := range g.Assigned {
			val, err := jsonv.ParseString(v)
			if err != nil {
				val = v
			}
			gotVars.Set(k, val)
		}
		check("assignedVariables", any(want.AssignedVar), any(gotVars))
	}
	return problems
}

func eventList(evs []gotEvent) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %s %s", e.Type, e.Name)
	}
	return b.String()
}

func wantList(evs []conformanceEvent) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %s %s", e.Type, e.Name)
	}
	return b.String()
}
