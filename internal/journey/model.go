package journey

// A Journey is one journey file: who enters, under which policies, and the
// steps they go through.
type Journey struct {
	Meta         `yaml:"-"`
	ID           string    `yaml:"id" jsonschema:"pattern=^[a-z][a-z0-9-]*$"`
	Name         string    `yaml:"name"`
	Description  string    `yaml:"description,omitempty"`
	BusinessUnit string    `yaml:"businessUnit"`
	Trigger      Trigger   `yaml:"trigger"`
	Entry        *Entry    `yaml:"entry,omitempty"`
	Goal         *Goal     `yaml:"goal,omitempty"`
	Exit         []*Exit   `yaml:"exit,omitempty"`
	Policies     *Policies `yaml:"policies,omitempty"`
	Steps        []*Step   `yaml:"steps"`
	Source       string    `yaml:"-"` // the file it was read from
}

func (*Journey) kindName() string { return "journey" }

// A Trigger says how contacts enter: exactly one of Segment, Event or
// LinkedInForm.
type Trigger struct {
	Meta         `yaml:"-"`
	Segment      *SegmentTrigger  `yaml:"segment,omitempty"`
	Event        *EventTrigger    `yaml:"event,omitempty"`
	LinkedInForm *LinkedInTrigger `yaml:"linkedinForm,omitempty"`
}

func (*Trigger) kindName() string { return "trigger" }

// A SegmentTrigger enrols the members of a segment, once or on a schedule;
// with EnrolNewMembers, contacts who enter the segment later are enrolled
// too.
type SegmentTrigger struct {
	Meta `yaml:"-"`
	// Segment is the segment's name.
	Segment string `yaml:"segment"`
	// Schedule is an EventBridge Scheduler expression: rate(7 days),
	// cron(0 9 1 * ? *) or at(2026-03-01T09:00:00). Without it the segment
	// is launched once, when the journey is published.
	Schedule string `yaml:"schedule,omitempty"`
	// EnrolNewMembers enrols contacts who enter the segment later.
	EnrolNewMembers bool `yaml:"enrolNewMembers,omitempty"`
}

func (*SegmentTrigger) kindName() string { return "segment trigger" }

// An EventTrigger enrols a contact when a custom event arrives, such as
// webinar.registered, optionally only when its attributes match.
type EventTrigger struct {
	Meta `yaml:"-"`
	Name string `yaml:"name"`
	// Attributes the event must carry with exactly these values.
	Attributes Fields `yaml:"attributes,omitempty"`
	// Carries names further attributes every such event carries, which the
	// journey's templates read as event.<name>; the attributes filtered on
	// above are known without it.
	Carries []string `yaml:"carries,omitempty" jsonschema:"example=webinarTitle"`
	// Condition is a CEL condition over event and contact.
	Condition *Expr `yaml:"condition,omitempty"`
}

func (*EventTrigger) kindName() string { return "event trigger" }

// A LinkedInTrigger enrols a contact when a LinkedIn lead form is
// submitted: any form, or only Form.
type LinkedInTrigger struct {
	Meta `yaml:"-"`
	Form string `yaml:"form,omitempty"`
}

func (*LinkedInTrigger) kindName() string { return "linkedinForm trigger" }

// Re-entry policies.
const (
	ReentryNever  = "never"
	ReentryAlways = "always"
	ReentryAfter  = "after"
)

// Entry is the entry policy: may a contact enter again, and who never
// enters.
type Entry struct {
	Meta `yaml:"-"`
	// Reentry is never (the default), always, or after (a period since the
	// previous entry, given in ReentryAfter).
	Reentry      string   `yaml:"reentry,omitempty" jsonschema:"enum=never,enum=always,enum=after"`
	ReentryAfter Duration `yaml:"reentryAfter,omitempty"`
	// Exclude names a segment whose members never enter.
	Exclude string `yaml:"exclude,omitempty"`
}

func (*Entry) kindName() string { return "entry policy" }

// A Goal ends the journey for a contact when its condition holds within
// the period after entry; reaching it is counted.
type Goal struct {
	Meta      `yaml:"-"`
	Name      string   `yaml:"name"`
	Condition *Expr    `yaml:"condition"`
	Within    Duration `yaml:"within,omitempty"`
}

func (*Goal) kindName() string { return "goal" }

// An Exit criterion ends the journey for a contact: a condition, or
// membership of a segment.
type Exit struct {
	Meta      `yaml:"-"`
	Name      string `yaml:"name"`
	Condition *Expr  `yaml:"condition,omitempty"`
	Segment   string `yaml:"segment,omitempty"`
}

func (*Exit) kindName() string { return "exit criterion" }

// Policies apply to every step.
type Policies struct {
	Meta         `yaml:"-"`
	QuietHours   *QuietHours `yaml:"quietHours,omitempty"`
	FrequencyCap []*Cap      `yaml:"frequencyCap,omitempty"`
	// Start and End bound when contacts may enter and when the journey
	// stops for everyone.
	Start Date `yaml:"start,omitempty"`
	End   Date `yaml:"end,omitempty"`
	// MaxDuration bounds one contact's time in the journey (default 365d,
	// the Step Functions maximum).
	MaxDuration Duration `yaml:"maxDuration,omitempty"`
}

func (*Policies) kindName() string { return "policies" }

// QuietHours delay sends that fall between From and To in the contact's
// time zone until To.
type QuietHours struct {
	Meta `yaml:"-"`
	From TimeOfDay `yaml:"from"`
	To   TimeOfDay `yaml:"to"`
	// Channels limits quiet hours to these channels (all when empty).
	Channels []string `yaml:"channels,omitempty"`
}

func (*QuietHours) kindName() string { return "quiet hours" }

// A Cap limits a channel to Max messages per Per; Then says whether an
// over-cap send is skipped or delayed.
type Cap struct {
	Meta    `yaml:"-"`
	Channel string   `yaml:"channel" jsonschema:"enum=email,enum=sms,enum=custom"`
	Max     int      `yaml:"max"`
	Per     Duration `yaml:"per"`
	Then    string   `yaml:"then,omitempty" jsonschema:"enum=skip,enum=delay"`
}

func (*Cap) kindName() string { return "frequency cap" }

// Channels a send may use.
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelCustom = "custom"
)

// Channels lists the send channels.
var channels = []string{ChannelEmail, ChannelSMS, ChannelCustom}
