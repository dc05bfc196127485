package journey

// A Step is one step of a journey: an id, and exactly one kind. Steps
// follow each other in the order written unless Next (or a branch) names
// another.
type Step struct {
	Meta `yaml:"-"`
	// ID names the step; branches and the payloads sent at run time use it.
	ID string `yaml:"id" jsonschema:"pattern=^[a-z0-9][a-z0-9-]*$"`
	// Name is an optional title, used for the state name in the console.
	Name string `yaml:"name,omitempty"`
	// Next names the step that follows, when it is not the next one written.
	Next string `yaml:"next,omitempty"`

	Send      *Send      `yaml:"send,omitempty"`
	Wait      *Wait      `yaml:"wait,omitempty"`
	WaitFor   *WaitFor   `yaml:"waitFor,omitempty"`
	If        *If        `yaml:"if,omitempty"`
	Switch    *Switch    `yaml:"switch,omitempty"`
	Split     *Split     `yaml:"split,omitempty"`
	Approval  *Approval  `yaml:"approval,omitempty"`
	SalesTask *SalesTask `yaml:"salesTask,omitempty"`
	Webhook   *Webhook   `yaml:"webhook,omitempty"`
	Update    *Update    `yaml:"update,omitempty"`
	End       bool       `yaml:"end,omitempty"`
}

func (*Step) kindName() string { return "step" }

// Step kinds, as Kind returns them.
const (
	KindSend      = "send"
	KindWait      = "wait"
	KindWaitFor   = "waitFor"
	KindIf        = "if"
	KindSwitch    = "switch"
	KindSplit     = "split"
	KindApproval  = "approval"
	KindSalesTask = "salesTask"
	KindWebhook   = "webhook"
	KindUpdate    = "update"
	KindEnd       = "end"
)

// stepKinds lists the kind keys a step may have.
var stepKinds = []string{KindSend, KindWait, KindWaitFor, KindIf, KindSwitch, KindSplit,
	KindApproval, KindSalesTask, KindWebhook, KindUpdate, KindEnd}

// Kinds returns the kinds written on the step (one when the step is valid).
func (s *Step) Kinds() []string {
	var out []string
	for _, k := range stepKinds {
		if s.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// Kind returns the step's kind, or "" when it has none or several.
func (s *Step) Kind() string {
	if k := s.Kinds(); len(k) == 1 {
		return k[0]
	}
	return ""
}

// Send renders a template and delivers it on a channel.
type Send struct {
	Meta    `yaml:"-"`
	Channel string `yaml:"channel" jsonschema:"enum=email,enum=sms,enum=custom"`
	// CustomChannel names the custom channel when Channel is custom.
	CustomChannel string `yaml:"customChannel,omitempty"`
	Template      string `yaml:"template"`
	// Blocks overrides content blocks of the template: slot → block. A slot
	// is a block the template renders (itself or through its blocks); the
	// block is a block id, following its latest version, or id@3 to pin
	// version 3. It is rendered wherever the template would render the slot.
	Blocks map[string]string `yaml:"blocks,omitempty"`
	// OnFailure names the step taken when delivery fails for good.
	OnFailure string `yaml:"onFailure,omitempty"`
}

func (*Send) kindName() string { return "send" }

// Wait pauses the contact: for a duration, until a date, or until the next
// time of day in the contact's time zone (optionally on given weekdays).
type Wait struct {
	Meta     `yaml:"-"`
	Duration Duration `yaml:"duration,omitempty"`
	// Until is a time with its offset, e.g. 2026-12-10T09:00:00-05:00. A
	// date alone would mean midnight UTC, not the contact's midnight, and
	// is reported; the date must fall within the journey's start and end
	// dates and its maxDuration of the day the journey opens.
	Until     Date      `yaml:"until,omitempty"`
	TimeOfDay TimeOfDay `yaml:"timeOfDay,omitempty"`
	Weekdays  []string  `yaml:"weekdays,omitempty"`
}

func (*Wait) kindName() string { return "wait" }

// WaitFor waits for one of several events, each with its branch, or for
// the timeout.
type WaitFor struct {
	Meta    `yaml:"-"`
	Events  []*EventBranch `yaml:"events"`
	Timeout Duration       `yaml:"timeout"`
	// OnTimeout, like an event's Next, defaults to the next step.
	OnTimeout string `yaml:"onTimeout,omitempty"`
}

func (*WaitFor) kindName() string { return "waitFor" }

// Built-in event names a waitFor step may wait for.
const (
	EventEmailOpened   = "email.opened"
	EventEmailClicked  = "email.clicked"
	EventFormSubmitted = "form.submitted"
)

// An EventBranch is one awaited event and where it leads.
type EventBranch struct {
	Meta `yaml:"-"`
	// Event is email.opened, email.clicked, form.submitted or a custom
	// event name such as webinar.attended.
	Event string `yaml:"event"`
	// Send names the send step whose email must be opened or clicked.
	Send string `yaml:"send,omitempty"`
	// Form names the form that must be submitted (any when empty).
	Form string `yaml:"form,omitempty"`
	Next string `yaml:"next,omitempty"`
}

func (*EventBranch) kindName() string { return "event branch" }

// If branches on a condition or on membership of a segment.
type If struct {
	Meta      `yaml:"-"`
	Condition *Expr  `yaml:"condition,omitempty"`
	Segment   string `yaml:"segment,omitempty"`
	Then      string `yaml:"then,omitempty"`
	Else      string `yaml:"else,omitempty"`
}

func (*If) kindName() string { return "if" }

// Switch branches on the value of a contact attribute.
type Switch struct {
	Meta      `yaml:"-"`
	Attribute string  `yaml:"attribute"`
	Cases     []*Case `yaml:"cases"`
	Default   string  `yaml:"default,omitempty"`
}

func (*Switch) kindName() string { return "switch" }

// A Case is one value of a switch and where it leads.
type Case struct {
	Meta   `yaml:"-"`
	Equals any    `yaml:"equals"`
	Next   string `yaml:"next"`
}

func (*Case) kindName() string { return "case" }

// Split sends contacts down one of several variants, by weight, the same
// way every time for a given contact; the holdout receives nothing.
type Split struct {
	Meta     `yaml:"-"`
	Variants []*Variant `yaml:"variants"`
	Holdout  *Holdout   `yaml:"holdout,omitempty"`
}

func (*Split) kindName() string { return "split" }

// A Variant is one branch of a split with its weight in percent.
type Variant struct {
	Meta   `yaml:"-"`
	Name   string  `yaml:"name"`
	Weight float64 `yaml:"weight"`
	Next   string  `yaml:"next"`
}

func (*Variant) kindName() string { return "variant" }

// A Holdout is the share of contacts (percent) that receive nothing; they
// go to Next, or end the journey (recorded as the split's holdout).
type Holdout struct {
	Meta   `yaml:"-"`
	Weight float64 `yaml:"weight"`
	Next   string  `yaml:"next,omitempty"`
}

func (*Holdout) kindName() string { return "holdout" }

// Approval asks an outside flow to approve or reject within the timeout.
type Approval struct {
	Meta `yaml:"-"`
	// Approvers names who is asked (a team or a role the flow understands).
	Approvers string   `yaml:"approvers,omitempty"`
	Message   string   `yaml:"message,omitempty"`
	Timeout   Duration `yaml:"timeout"`
	// OnApprove defaults to the next step; OnTimeout to OnReject.
	OnApprove string `yaml:"onApprove,omitempty"`
	OnReject  string `yaml:"onReject"`
	OnTimeout string `yaml:"onTimeout,omitempty"`
}

func (*Approval) kindName() string { return "approval" }

// SalesTask creates a task for the contact's owner.
type SalesTask struct {
	Meta     `yaml:"-"`
	Title    string   `yaml:"title"`
	Due      Duration `yaml:"due,omitempty"`
	Priority string   `yaml:"priority,omitempty" jsonschema:"enum=low,enum=normal,enum=high"`
	Notes    string   `yaml:"notes,omitempty"`
}

func (*SalesTask) kindName() string { return "salesTask" }

// Webhook calls an outbound webhook action configured for the business
// unit.
type Webhook struct {
	Meta      `yaml:"-"`
	Action    string `yaml:"action"`
	Data      Fields `yaml:"data,omitempty"`
	OnFailure string `yaml:"onFailure,omitempty"`
}

func (*Webhook) kindName() string { return "webhook" }

// Update sets contact attributes.
type Update struct {
	Meta `yaml:"-"`
	Set  Fields `yaml:"set"`
}

func (*Update) kindName() string { return "update" }
