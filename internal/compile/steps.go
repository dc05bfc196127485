package compile

import (
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/wire"
)

// title is the state name a person reads in the console for a step.
func title(s *journey.Step) string {
	if s.Name != "" {
		return s.Name
	}
	switch {
	case s.Send != nil:
		ch := map[string]string{journey.ChannelEmail: "email", journey.ChannelSMS: "SMS"}[s.Send.Channel]
		if ch == "" {
			ch = s.Send.CustomChannel
		}
		return fmt.Sprintf("Send %s %s", ch, s.Send.Template)
	case s.Wait != nil:
		w := s.Wait
		switch {
		case w.Duration.IsSet():
			return "Wait " + journey.FormatDuration(w.Duration.D)
		case w.Until.IsSet():
			return "Wait until " + w.Until.T.Format("2006-01-02 15.04 UTC")
		default:
			days := ""
			if len(w.Weekdays) > 0 {
				days = " on " + strings.Join(w.Weekdays, " ")
			}
			return fmt.Sprintf("Wait until %02dh%02d%s", w.TimeOfDay.Hour, w.TimeOfDay.Minute, days)
		}
	case s.WaitFor != nil:
		var evs []string
		for _, e := range s.WaitFor.Events {
			evs = append(evs, e.Event)
		}
		return "Wait for " + strings.Join(evs, " or ")
	case s.If != nil:
		if s.If.Segment != "" {
			return "In segment " + s.If.Segment
		}
		return "Check " + s.ID
	case s.Switch != nil:
		return "Switch on " + s.Switch.Attribute
	case s.Split != nil:
		return "Split " + s.ID
	case s.Approval != nil:
		return "Approval " + s.ID
	case s.SalesTask != nil:
		return "Sales task " + s.ID
	case s.Webhook != nil:
		return "Webhook " + s.Webhook.Action
	case s.Update != nil:
		return "Update contact " + s.ID
	case s.End:
		return "End " + s.ID
	}
	return s.ID
}

// add writes a state, records its position and its edges for the stats.
func (m *compiler) add(name string, pos journey.Pos, state *obj) {
	m.states.set(name, state)
	m.pos[name] = pos
	m.graph[name] = graphNode(*state)
}

// target returns the first state of an edge's target.
func (m *compiler) target(to int) string {
	if to == journey.End {
		return m.use(roleCompleted)
	}
	return m.entry[to]
}

func (m *compiler) use(role string) string {
	m.used[role] = true
	return m.shared[role]
}

func (m *compiler) edge(i int, role, label string) journey.Edge {
	for _, e := range m.c.Edges[i] {
		if e.Role == role && (label == "" || e.Label == label) {
			return e
		}
	}
	return journey.Edge{To: journey.End}
}

// payload is a wire.StepRequest with the execution's ids.
func payload(op, step string, extra ...any) *obj {
	p := o(
		"v", wire.Version,
		"op", op,
		"bu.$", "$.bu",
		"journey.$", "$.journey",
		"version.$", "$.version",
		"contact.$", "$.contact",
		"entry.$", "$.entry",
		"execution.$", "$$.Execution.Id",
		"step", step,
	)
	for i := 0; i+1 < len(extra); i += 2 {
		p.set(extra[i].(string), extra[i+1])
	}
	return p
}

func stepComment(s *journey.Step) string {
	return fmt.Sprintf("step %s (%s), line %d", s.ID, s.Kind(), s.Pos.Line)
}

// lambdaTask is a lambda:invoke Task with the standard Retry.
func lambdaTask(comment, fn string, p *obj, token bool) *obj {
	res := lambdaInvoke
	if token {
		res = lambdaInvokeToken
	}
	return o(
		"Type", "Task",
		"Comment", comment,
		"Resource", res,
		"Parameters", o("FunctionName", fn, "Payload", p),
	)
}

func retry() []any {
	errs := append([]string{wire.ErrTransient}, wire.LambdaTransientErrors...)
	return []any{o(
		"ErrorEquals", errs,
		"IntervalSeconds", retryInterval,
		"MaxAttempts", journey.TaskMaxAttempts,
		"BackoffRate", retryBackoff,
		"MaxDelaySeconds", retryMaxDelay,
		"JitterStrategy", "FULL",
	)}
}

func catch(errs []string, resultPath, next string) *obj {
	return o("ErrorEquals", errs, "ResultPath", resultPath, "Next", next)
}

// guard adds the Retry and Catch rules of a step's task: a deferral waits
// and calls the task again; exit and goal end the journey; a permanent
// delivery failure takes the failure target; listed extras (timeouts,
// rejections) take theirs; anything else is recorded as a failure.
func (m *compiler) guard(task *obj, name string, pos journey.Pos, failure string, extra ...*obj) {
	deferName := m.names.sub(name, "defer")
	waitName := m.names.sub(name, "wait deferred")
	task.set("Retry", retry())
	catches := []any{
		catch([]string{wire.ErrDeferred}, "$.deferred", deferName),
		catch([]string{wire.ErrExited}, "$.error", m.use(roleExited)),
	}
	if m.j.Goal != nil { // only a journey with a goal reaches it
		catches = append(catches, catch([]string{wire.ErrGoalReached}, "$.error", m.use(roleGoal)))
	}
	if failure != "" {
		catches = append(catches, catch([]string{wire.ErrDeliveryFailed}, "$.error", failure))
	}
	for _, x := range extra {
		catches = append(catches, x)
	}
	catches = append(catches, catch([]string{"States.ALL"}, "$.error", m.use(roleFailed)))
	task.set("Catch", catches)
	m.add(name, pos, task)
	m.add(deferName, pos, o(
		"Type", "Pass",
		"Comment", "read the time to wait until out of the Journey.Deferred error",
		"Parameters", o("doc.$", "States.StringToJson($.deferred.Cause)"),
		"ResultPath", "$.deferred",
		"Next", waitName,
	))
	m.add(waitName, pos, o(
		"Type", "Wait",
		"TimestampPath", "$.deferred.doc.errorMessage",
		"Next", name,
	))
}

// step writes the states of step i.
func (m *compiler) step(i int) {
	s := m.j.Steps[i]
	name := m.title[i]
	if m.refresh[i] {
		m.attrsTask(i)
	}
	switch {
	case s.Send != nil:
		m.actionStep(i, SendFunction, wire.OpSend, m.edge(i, "failure", ""))
	case s.SalesTask != nil:
		m.actionStep(i, SalesTaskFunction, wire.OpSalesTask, journey.Edge{To: -2})
	case s.Webhook != nil:
		m.actionStep(i, WebhookActionFunction, wire.OpWebhook, m.edge(i, "failure", ""))
	case s.Update != nil:
		m.actionStep(i, UpdateContactFunction, wire.OpUpdate, journey.Edge{To: -2})
	case s.Wait != nil:
		m.waitStep(i)
	case s.WaitFor != nil:
		m.waitForStep(i)
	case s.If != nil:
		m.ifStep(i)
	case s.Switch != nil:
		m.switchStep(i)
	case s.Split != nil:
		m.splitStep(i)
	case s.Approval != nil:
		m.approvalStep(i)
	case s.End:
		m.finishTask(name, s.Pos, stepComment(s), s.ID, wire.OutcomeCompleted, "", m.shared[roleDone])
		m.used[roleDone] = true
	}
}

// attrsTask loads the attributes native Choice rules read, in front of
// step i.
func (m *compiler) attrsTask(i int) {
	s := m.j.Steps[i]
	t := lambdaTask("load the attributes the next Choice reads: "+stepComment(s), EvaluateFunction,
		payload(wire.OpAttrs, s.ID, "attrs", m.attrs), false)
	m.selectAttrs(t)
	t.set("Next", m.title[i])
	m.guard(t, m.entry[i], s.Pos, "")
}

// selectAttrs makes a task put the returned attributes at $.attrs.
func (m *compiler) selectAttrs(t *obj) {
	sel := obj{}
	for _, a := range m.attrs {
		sel.set(a+".$", "$.Payload.attrs."+a)
	}
	t.set("ResultSelector", &sel)
	t.set("ResultPath", "$.attrs")
}

// actionStep is a send, sales task, webhook or update: one task.
func (m *compiler) actionStep(i int, fn, op string, failure journey.Edge) {
	s := m.j.Steps[i]
	var extra []any
	if m.returnsAttrs[i] {
		extra = []any{"attrs", m.attrs}
	}
	t := lambdaTask(stepComment(s), fn, payload(op, s.ID, extra...), false)
	if m.returnsAttrs[i] {
		m.selectAttrs(t)
	} else {
		t.set("ResultPath", nil)
	}
	t.set("Next", m.next(i, m.edge(i, "next", "")))
	fail := ""
	switch {
	case failure.To == -2: // sales tasks and updates do not deliver
	case failure.Role == "failure":
		fail = m.target(failure.To)
	default: // no onFailure: go on with the next step
		fail = m.target(m.edge(i, "next", "").To)
	}
	m.guard(t, m.title[i], s.Pos, fail)
}

func (m *compiler) waitStep(i int) {
	s := m.j.Steps[i]
	w := s.Wait
	next := m.target(m.edge(i, "next", "").To)
	st := o("Type", "Wait", "Comment", stepComment(s))
	switch {
	case w.Duration.IsSet():
		st.set("Seconds", w.Duration.Seconds())
	case w.Until.IsSet():
		st.set("Timestamp", w.Until.T.UTC().Format("2006-01-02T15:04:05Z"))
	default:
		t := lambdaTask("compute the next "+w.TimeOfDay.String()+" in the contact's time zone: "+stepComment(s), EvaluateFunction,
			payload(wire.OpWaitUntil, s.ID), false)
		t.set("ResultSelector", o("until.$", "$.Payload.until"))
		t.set("ResultPath", "$.wait")
		t.set("Next", m.title[i])
		m.guard(t, m.entry[i], s.Pos, "")
		st.set("TimestampPath", "$.wait.until")
	}
	st.set("Next", next)
	m.add(m.title[i], s.Pos, st)
}

func (m *compiler) waitForStep(i int) {
	s := m.j.Steps[i]
	w := s.WaitFor
	timeout := m.target(m.edge(i, "timeout", "").To)
	events := m.c.Edges[i][:len(m.c.Edges[i])-1]
	next := ""
	if len(events) == 1 {
		next = m.target(events[0].To)
	} else {
		next = m.names.sub(m.title[i], "which event")
		var rules []any
		for k, e := range events {
			rules = append(rules, eventRule(w.Events[k], ambiguous(events, e), m.target(e.To)))
		}
		defer m.add(next, s.Pos, o("Type", "Choice", "Choices", rules, "Default", timeout))
	}
	m.timedWait(i, timedTask{fn: WaitRegisterFunction, op: wire.OpWaitEvent, since: true,
		timeout: w.Timeout.Seconds(), resultPath: "$.received", next: next, onTimeout: timeout})
}

// A timedTask is the .waitForTaskToken task of a wait-for-event or an
// approval step.
type timedTask struct {
	fn, op     string
	since      bool // the payload carries when the step began
	timeout    int64
	resultPath string
	next       string // the state after an answer
	onTimeout  string // the step's timeout target
	catches    []*obj // the step's own outcomes (a rejection)
}

// timedWait writes a step that waits for a task token with a timeout. A
// paused journey's time does not count against the timeout: a Pass notes
// when the contact reached the step; when the task times out, a check
// (evaluate, OpWaitTimeout) holds the contact while the journey is paused
// (Journey.Deferred, as every task does) and otherwise answers the seconds
// left once paused time is left out; a Choice then waits again with the
// same registration for what is left (TimeoutSecondsPath), or takes the
// timeout branch. Without a pause the check answers 0 at once.
func (m *compiler) timedWait(i int, w timedTask) {
	s := m.j.Steps[i]
	name := m.title[i]
	check := m.names.sub(name, "time left")
	m.waitChecks[check] = true
	choice := m.names.sub(name, "any time left")
	again := m.names.sub(name, "wait the rest")
	m.add(m.entry[i], s.Pos, o(
		"Type", "Pass",
		"Comment", "note when the contact reached the step: time the journey spends paused does not count against its timeout",
		"Parameters", o("since.$", "$$.State.EnteredTime"),
		"ResultPath", "$.wait",
		"Next", name,
	))
	task := func(state, timeoutField string, timeout any) {
		extra := []any{"token.$", "$$.Task.Token"}
		if w.since {
			extra = append(extra, "since.$", "$.wait.since")
		}
		t := lambdaTask(stepComment(s), w.fn, payload(w.op, s.ID, extra...), true)
		t.set(timeoutField, timeout)
		t.set("ResultPath", w.resultPath)
		t.set("Next", w.next)
		catches := append(append([]*obj(nil), w.catches...), catch([]string{"States.Timeout"}, "$.error", check))
		m.guard(t, state, s.Pos, "", catches...)
	}
	task(name, "TimeoutSeconds", w.timeout)
	c := lambdaTask("what is left of the timeout once paused time is left out; holds the contact while the journey is paused: "+stepComment(s),
		EvaluateFunction, payload(wire.OpWaitTimeout, s.ID, "since.$", "$.wait.since"), false)
	c.set("ResultSelector", o("seconds.$", "$.Payload.remaining"))
	c.set("ResultPath", "$.wait.remaining")
	c.set("Next", choice)
	m.guard(c, check, s.Pos, "")
	m.add(choice, s.Pos, o(
		"Type", "Choice",
		"Choices", []any{o("Variable", "$.wait.remaining.seconds", "NumericGreaterThan", 0, "Next", again)},
		"Default", w.onTimeout,
	))
	task(again, "TimeoutSecondsPath", "$.wait.remaining.seconds")
}

// ambiguous reports whether another branch of the same event leads
// elsewhere: only then does the Choice look at which branch the resumer
// matched (wire.EventOutput's send or form), not just at the event.
func ambiguous(events []journey.Edge, e journey.Edge) bool {
	for _, x := range events {
		if x.Label == e.Label && x.To != e.To {
			return true
		}
	}
	return false
}

// eventRule routes a resumed wait to the branch's target. A branch of an
// ambiguous event that is narrowed to a send step or a form also requires
// that narrowing in the output; the resumer answers with the first branch
// that matched, in the step's order, which is also the Choice's order.
func eventRule(b *journey.EventBranch, ambiguous bool, next string) any {
	event := o("Variable", "$.received.event", "StringEquals", b.Event)
	field, value := "send", b.Send
	if b.Form != "" {
		field, value = "form", b.Form
	}
	if !ambiguous || value == "" {
		event.set("Next", next)
		return event
	}
	path := "$.received." + field
	return o("And", []any{event, o("Variable", path, "IsPresent", true), o("Variable", path, "StringEquals", value)}, "Next", next)
}

func (m *compiler) approvalStep(i int) {
	s := m.j.Steps[i]
	m.timedWait(i, timedTask{fn: ApprovalRequestFunction, op: wire.OpApproval,
		timeout: s.Approval.Timeout.Seconds(), resultPath: "$.approval",
		next: m.target(m.edge(i, "approve", "").To), onTimeout: m.target(m.edge(i, "timeout", "").To),
		catches: []*obj{catch([]string{wire.ErrRejected}, "$.error", m.target(m.edge(i, "reject", "").To))}})
}

// finishTask records how the contact left and goes on to the end state.
func (m *compiler) finishTask(name string, pos journey.Pos, comment, step, outcome, variant, next string) {
	extra := []any{"outcome", outcome}
	if outcome == wire.OutcomeFailed || outcome == wire.OutcomeExited || outcome == wire.OutcomeGoal {
		extra = append(extra, "error.$", "$.error.Error", "cause.$", "$.error.Cause")
	}
	if variant != "" {
		extra = append(extra, "variant", variant)
	}
	t := lambdaTask(comment, FinishFunction, payload(wire.OpFinish, step, extra...), false)
	t.set("ResultPath", nil)
	t.set("Next", next)
	t.set("Retry", retry())
	t.set("Catch", []any{catch([]string{"States.ALL"}, "$.error", m.use(roleFinishFailed))})
	m.add(name, pos, t)
}

// emitShared writes the shared end states that were used.
func (m *compiler) emitShared() {
	jp := m.j.Pos
	if m.used[roleCompleted] {
		m.finishTask(m.shared[roleCompleted], jp, "the journey ran to its end", "", wire.OutcomeCompleted, "", m.use(roleDone))
	}
	if m.used[roleExited] {
		m.finishTask(m.shared[roleExited], jp, "an exit criterion, a stopped journey or its end date ended it (Journey.Exited)", "", wire.OutcomeExited, "", m.use(roleExitDone))
	}
	if m.used[roleGoal] {
		m.finishTask(m.shared[roleGoal], jp, "the contact reached the journey goal (Journey.GoalReached)", "", wire.OutcomeGoal, "", m.use(roleGoalDone))
	}
	if m.used[roleFailed] {
		m.finishTask(m.shared[roleFailed], jp, "a step failed; the error and its cause are recorded", "", wire.OutcomeFailed, "", m.use(roleFailDone))
	}
	for _, r := range []string{roleDone, roleExitDone, roleGoalDone} {
		if m.used[r] {
			m.add(m.shared[r], jp, o("Type", "Succeed"))
		}
	}
	if m.used[roleFailDone] {
		m.add(m.shared[roleFailDone], jp, o("Type", "Fail", "Error", "Journey.StepFailed", "Cause", "a step failed; the finish task recorded its error and cause"))
	}
	if m.used[roleFinishFailed] {
		m.add(m.shared[roleFinishFailed], jp, o("Type", "Fail", "Error", "Journey.FinishFailed", "Cause", "recording the end of the journey failed; see the execution history"))
	}
}
