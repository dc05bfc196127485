package cost

import (
	"fmt"
	"sort"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Assumptions the code cannot measure. Durations are billed Lambda time
// per invocation: a few milliseconds of Go, about 6 ms per DynamoDB
// request within the region, and the outside calls the function waits
// for.
const (
	LambdaMemoryGB        = 0.125 // MemorySize 128 in template.yaml
	lambdaBaseMillis      = 3.0
	millisPerRequest      = 6.0
	providerMillis        = 120.0 // a channel provider's API answering a send
	linkedinMillis        = 200.0 // the LinkedIn API answering a lead fetch
	segmentPageContacts   = 375.0 // contacts per segment-launch page at the default rate (100/s over 16 segments, 60 s pages)
	segmentScanRRUPerItem = 0.125 // a 1 KB profile read from GSI1, eventually consistent: 4 KB per half unit
)

// A Line is one row of an estimate: what one kind of work costs per
// contact.
type Line struct {
	What        string  `json:"what"`
	Function    string  `json:"function,omitempty"` // the Lambda function, if any
	Invocations float64 `json:"invocations"`        // Lambda invocations per contact
	HTTP        float64 `json:"httpRequests"`       // HTTP API requests per contact
	Units       Units   `json:"dynamodb"`
	Millis      float64 `json:"lambdaMillis"` // billed Lambda milliseconds per contact
	Measured    bool    `json:"measured"`     // store calls measured on the handlers, else assumed
}

// An Estimate is the per-contact usage of a journey's typical path.
type Estimate struct {
	Journey     string `json:"journey"`
	Trigger     string `json:"trigger"`
	Transitions int    `json:"transitions"`
	Lines       []Line `json:"lines"`
}

// Totals adds up the lines.
func (e Estimate) Totals() Line {
	t := Line{What: "total"}
	for _, l := range e.Lines {
		t.Invocations += l.Invocations
		t.HTTP += l.HTTP
		t.Units = t.Units.Add(l.Units, 1)
		t.Millis += l.Millis
	}
	return t
}

// guardOnly is what an operation without a measurement is assumed to do:
// the journey-wide checks every task makes (journey, enrolment, contact,
// interactions), the position update on reaching the step, and its step
// log and funnel count.
var guardOnly = OpMeasure{Invocations: 1, Calls: map[string]float64{
	"GetJourney": 1, "GetEnrolment": 1, "GetContact": 1, "ListInteractions": 1, "AppendStepLog": 1, "IncrementFunnel": 1,
	"UpdateEnrolment": 1, // the contact's position, once per step
}}

// Estimated is the measurement of an operation that was not measured.
func (m Measured) estimated(op string) (OpMeasure, bool) {
	if om, ok := m.Ops[op]; ok {
		return om, true
	}
	if om, ok := assumedOps[op]; ok {
		return om, false
	}
	return guardOnly, false
}

// Estimate builds the per-contact usage of a journey from its compiled
// machine (placeholders in place) and the handler measurement: the
// trigger's intake, the enrolment, every task on the typical path, and
// the tracking or approval request that resumes each wait.
func (m Measured) Estimate(j *journey.Journey, def []byte) (Estimate, error) {
	path, err := TypicalPath(def)
	if err != nil {
		return Estimate{}, err
	}
	e := Estimate{Journey: j.ID, Transitions: len(path)}
	e.Trigger, e.Lines = m.intake(j)
	ops := map[string]*Line{}
	var order []string
	for _, ps := range path {
		if ps.Op == "" {
			continue
		}
		key := ps.Op + "/" + ps.Function
		if ops[key] == nil {
			ops[key] = &Line{What: "task " + ps.Op, Function: functionOf(ps.Function)}
			order = append(order, key)
		}
		om, measured := m.estimated(ps.Op)
		m.add(ops[key], om, 1, measured, ps.Op == wire.OpSend)
		switch ps.Op {
		case wire.OpWaitEvent:
			m.resume(&e, "track.open", "tracking request resuming a wait", "track")
		case wire.OpApproval:
			m.resume(&e, "approval.decide", "approval decision resuming a wait", "approval-callback")
		}
	}
	for _, k := range order {
		e.Lines = append(e.Lines, *ops[k])
	}
	return e, nil
}

func functionOf(placeholder string) string {
	for name, fn := range placeholders {
		if name == placeholder {
			return fn
		}
	}
	return placeholder
}

// add adds n invocations of an operation's store calls to a line.
func (m Measured) add(l *Line, om OpMeasure, n float64, measured, outside bool) {
	names := make([]string, 0, len(om.Calls))
	for name := range om.Calls {
		names = append(names, name)
	}
	sort.Strings(names) // a fixed order of float additions
	var u Units
	for _, name := range names {
		u = u.Add(StoreUnits[name], om.Calls[name])
	}
	l.Invocations += n
	l.Units = l.Units.Add(u, n)
	millis := lambdaBaseMillis + millisPerRequest*float64(u.Requests)
	if outside {
		millis += providerMillis
	}
	l.Millis += millis * n
	l.Measured = measured
}

// resume adds the HTTP request and function that resume a wait.
func (m Measured) resume(e *Estimate, op, what, fn string) {
	om, measured := m.Ops[op]
	if !measured {
		om = assumedOps[op]
	}
	l := Line{What: what, Function: fn, HTTP: 1}
	m.add(&l, om, 1, measured, false)
	e.Lines = append(e.Lines, l)
}

// assumedOps are what functions not measured here do to the store, from
// the design (docs/deploy.md), used when handlers.json has no measurement:
// the approval request stores the token and the approval; the approval
// callback decides the approval and claims the token; the LinkedIn webhook
// upserts the lead by email and records the form submission; the events
// intake records the event.
var assumedOps = map[string]OpMeasure{
	// The approval-request function stores the token under an opaque id
	// and the pending approval, and notes the contact's position.
	wire.OpApproval:   {Invocations: 1, Calls: map[string]float64{"CreateCallback": 1, "CreateApproval": 1, "UpdateEnrolment": 1}},
	"approval.decide": {Invocations: 1, Calls: map[string]float64{"DecideApproval": 1, "ClaimCallback": 1}},
	"linkedin.lead":   {Invocations: 1, Calls: map[string]float64{"UpsertContactByEmail": 1, "AppendInteraction": 1}},
	"event.intake":    {Invocations: 1, Calls: map[string]float64{"GetContact": 1, "AppendInteraction": 1}},
}

// intake is what bringing one contact into the journey costs: the
// trigger's request and function, and the enrolment (measured).
func (m Measured) intake(j *journey.Journey) (string, []Line) {
	var lines []Line
	trigger := "segment"
	switch t := j.Trigger; {
	case t.LinkedInForm != nil:
		trigger = "linkedinForm"
		l := Line{What: "LinkedIn lead notification", Function: "linkedin-webhook", HTTP: 1}
		m.add(&l, assumedOps["linkedin.lead"], 1, false, false)
		l.Millis += linkedinMillis
		lines = append(lines, l)
	case t.Event != nil:
		trigger = "event"
		l := Line{What: "custom event intake", Function: "events", HTTP: 1}
		m.add(&l, assumedOps["event.intake"], 1, false, false)
		lines = append(lines, l)
	default:
		l := Line{What: "segment launch page (share)", Function: "segment-launch"}
		m.add(&l, OpMeasure{}, 1/segmentPageContacts, true, false)
		l.Units.RRU += segmentScanRRUPerItem
		lines = append(lines, l)
	}
	en, measured := m.Ops["enrol"]
	l := Line{What: "enrolment (entry policy, record, start)"}
	m.add(&l, en, 1, measured, false)
	l.Invocations, l.Millis = 0, 0 // runs inside the trigger's function
	lines = append(lines, l)
	return trigger, lines
}

// placeholders maps compile's placeholder names to function folders
// without importing compile (cost only reads compiled machines).
var placeholders = map[string]string{
	"EvaluateFunctionArn": "evaluate", "SendFunctionArn": "send", "WaitRegisterFunctionArn": "wait-register",
	"ApprovalRequestFunctionArn": "approval-request", "SalesTaskFunctionArn": "sales-task",
	"WebhookActionFunctionArn": "webhook-action", "UpdateContactFunctionArn": "update-contact", "FinishFunctionArn": "finish",
}

// A Breakdown is what a number of contacts cost, in US dollars.
type Breakdown struct {
	Contacts       int     `json:"contacts"`
	StepFunctions  float64 `json:"stepFunctions"`
	LambdaRequests float64 `json:"lambdaRequests"`
	LambdaCompute  float64 `json:"lambdaCompute"`
	DynamoDBReads  float64 `json:"dynamodbReads"`
	DynamoDBWrites float64 `json:"dynamodbWrites"`
	HTTPAPI        float64 `json:"httpApi"`
	Total          float64 `json:"total"`
	Prices         Prices  `json:"prices"`
}

// Price prices an estimate for n contacts.
func (e Estimate) Price(p Prices, n int) Breakdown {
	t := e.Totals()
	c := float64(n)
	b := Breakdown{Contacts: n, Prices: p,
		StepFunctions:  float64(e.Transitions) * c * p.StateTransition,
		LambdaRequests: t.Invocations * c * p.LambdaRequest,
		LambdaCompute:  t.Millis / 1000 * LambdaMemoryGB * c * p.LambdaGBSecond,
		DynamoDBReads:  t.Units.RRU * c * p.ReadUnit,
		DynamoDBWrites: t.Units.WRU * c * p.WriteUnit,
		HTTPAPI:        t.HTTP * c * p.HTTPRequest,
	}
	b.Total = b.StepFunctions + b.LambdaRequests + b.LambdaCompute + b.DynamoDBReads + b.DynamoDBWrites + b.HTTPAPI
	return b
}

// String describes a line for people.
func (l Line) String() string {
	return fmt.Sprintf("%s: %.2f invocations, %.2f HTTP, %.2f RRU, %.2f WRU", l.What, l.Invocations, l.HTTP, l.Units.RRU, l.Units.WRU)
}
