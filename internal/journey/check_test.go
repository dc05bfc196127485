package journey

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		steps string // YAML after the header (line 6 on)
		want  []string
	}{
		{"valid", `
  - id: a
    send: {channel: email, template: hello}
  - id: b
    wait: {duration: 2d}
  - id: c
    if: {condition: contact.leadScore > 50, then: d}
  - id: d
    end: true
`, nil},
		{"unknown key suggests nearest", `
  - id: a
    sned: {channel: email, template: hello}
`, []string{
			"j.journey.yaml:7:5: unknown key \"sned\" in the step (did you mean \"send\"?)",
		}},
		{"unknown key in nested mapping", `
  - id: a
    send: {channel: email, tempalte: hello}
`, []string{
			"j.journey.yaml:7:28: unknown key \"tempalte\" in the send (did you mean \"template\"?)",
		}},
		{"wrong type", `
  - id: a
    wait: {duration: [1, 2]}
  - id: b
    split: {variants: [{name: x, weight: "half", next: a}]}
`, []string{
			"j.journey.yaml:7:22: expected a duration, got a list (write it like 30m, 2h, 3d or 1w)",
			"j.journey.yaml:9:12: step \"b\": split weights add up to 0, not 100 (weights are percentages, holdout included)",
			"j.journey.yaml:9:42: expected a number, got the string \"half\"",
		}},
		{"custom send names its channel, which is not custom", `
  - id: a
    send: {channel: custom, customChannel: push, template: push-hello}
  - id: b
    send: {channel: custom, customChannel: custom, template: push-hello}
`, []string{
			"j.journey.yaml:9:11: step \"b\": a custom send needs a \"customChannel\" (name it in customChannel, e.g. customChannel: push)",
			"j.journey.yaml:9:62: step \"b\": unknown custom template \"push-hello\"",
		}},
		{"duplicate step id", `
  - id: a
    wait: {duration: 1d}
  - id: a
    end: true
`, []string{
			"j.journey.yaml:8:9: duplicate step id \"a\" (the first is at line 6)",
		}},
		{"unknown target", `
  - id: a
    wait: {duration: 1d}
    next: fnish
  - id: finish
    end: true
`, []string{
			"j.journey.yaml:8:11: step \"a\": unknown target step \"fnish\" (did you mean \"finish\"?)",
		}},
		{"unreachable step", `
  - id: a
    end: true
  - id: b
    send: {channel: email, template: hello}
`, []string{
			"j.journey.yaml:8:5: step \"b\" is unreachable (name it as a target of another step, or remove it)",
		}},
		{"loop without wait", `
  - id: a
    send: {channel: email, template: hello}
  - id: b
    if: {condition: contact.leadScore > 50, then: a, else: c}
  - id: c
    end: true
`, []string{
			"j.journey.yaml:6:5: steps \"a\" → \"b\" → \"a\" form a loop with no wait in it (add a wait step to the loop; without one Step Functions runs it as fast as it can)",
		}},
		{"loop with only event waits", `
  - id: a
    send: {channel: email, template: hello}
  - id: b
    waitFor: {events: [{event: email.opened, send: a, next: a}], timeout: 1d, onTimeout: c}
  - id: c
    end: true
`, []string{
			"j.journey.yaml:6:5: step \"a\": this loop can go round without a fixed wait, so its history has no bound (add a wait with a duration to the loop)",
		}},
		{"loop with a wait is fine", `
  - id: a
    send: {channel: email, template: hello}
  - id: b
    wait: {duration: 7d}
  - id: c
    if: {condition: contact.leadScore > 50, then: a, else: d}
  - id: d
    end: true
`, nil},
		{"split weights", `
  - id: s
    split:
      variants:
        - {name: a, weight: 50, next: e}
        - {name: b, weight: 40, next: e}
  - id: e
    end: true
`, []string{
			"j.journey.yaml:8:7: step \"s\": split weights add up to 90, not 100 (weights are percentages, holdout included)",
		}},
		{"duration does not parse", `
  - id: a
    wait: {duration: 1.5d}
  - id: b
    wait: {duration: soon}
`, []string{
			"j.journey.yaml:7:22: \"1.5d\" is not a duration (write it like 30m, 2h, 3d or 1w)",
			"j.journey.yaml:9:22: \"soon\" is not a duration (write it like 30m, 2h, 3d or 1w)",
		}},
		{"wait too long", `
  - id: a
    wait: {duration: 400d}
`, []string{
			"j.journey.yaml:7:22: step \"a\": wait of 400d exceeds the 365d maximum (a Step Functions execution lives at most one year; the maximum is 365d)",
		}},
		{"path waits too long", `
  - id: a
    wait: {duration: 200d}
  - id: b
    wait: {duration: 200d}
`, []string{
			"j.journey.yaml:8:5: step \"b\": the longest path to here waits 400d, more than the journey's maximum of 365d (shorten the waits: a Step Functions execution lives at most 365d, so a longer journey must be split into journeys)",
		}},
		{"cel syntax error", `
  - id: a
    if: {condition: "contact.leadScore >", then: b}
  - id: b
    end: true
`, []string{
			"j.journey.yaml:7:41: step \"a\": Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
		}},
		{"cel unknown attribute", `
  - id: a
    if:
      condition: contact.leadScroe > 50
      then: b
  - id: b
    end: true
`, []string{
			"j.journey.yaml:8:25: step \"a\": undefined field 'leadScroe' (did you mean \"leadScore\"?)",
		}},
		{"cel in block scalar", `
  - id: a
    if:
      condition: |
        contact.leadScore > 50 &&
          contact.pln == "pro"
      then: b
  - id: b
    end: true
`, []string{
			"j.journey.yaml:10:18: step \"a\": undefined field 'pln' (did you mean \"plan\"?)",
		}},
		{"cel not boolean", `
  - id: a
    if: {condition: contact.leadScore, then: b}
  - id: b
    end: true
`, []string{
			"j.journey.yaml:7:21: step \"a\": the condition gives int, not true or false (compare it, e.g. contact.leadScore > 50)",
		}},
		{"unknown template", `
  - id: a
    send: {channel: email, template: helo}
  - id: b
    send: {channel: sms, template: hello}
`, []string{
			"j.journey.yaml:7:38: step \"a\": unknown email template \"helo\" (did you mean \"hello\"?)",
			"j.journey.yaml:9:36: step \"b\": unknown sms template \"hello\" (allowed: hello-sms)",
		}},
		{"unknown content block", `
  - id: a
    send: {channel: email, template: hello, blocks: {hero: hero-v2}}
`, []string{
			"j.journey.yaml:7:60: step \"a\": unknown content block \"hero-v2\" (did you mean \"hero-v3\"?)",
		}},
		{"content blocks each at their entry", `
  - id: a
    send:
      channel: email
      template: hello
      blocks:
        hero: hero-v3
        side: foter
        footer: hero-v4
`, []string{
			"j.journey.yaml:12:15: step \"a\": unknown content block \"foter\" (did you mean \"footer\"?)",
			"j.journey.yaml:13:17: step \"a\": unknown content block \"hero-v4\" (did you mean \"hero-v3\"?)",
		}},
		{"unknown channel", `
  - id: a
    send: {channel: emial, template: hello}
`, []string{
			"j.journey.yaml:7:21: step \"a\": unknown channel \"emial\" (did you mean \"email\"?)",
		}},
		{"no kind and two kinds", `
  - id: a
    next: b
  - id: b
    wait: {duration: 1d}
    end: true
`, []string{
			"j.journey.yaml:6:5: step \"a\" has no kind (allowed: approval, end, if, salesTask, send, split, switch, update, wait, waitFor, webhook)",
			"j.journey.yaml:10:10: step \"b\" has several kinds: wait, end (split it into one step per kind)",
		}},
		{"unknown segment", `
  - id: a
    if: {segment: engagd, then: b}
  - id: b
    end: true
`, []string{
			"j.journey.yaml:7:19: step \"a\": unknown segment \"engagd\" (did you mean \"engaged\"?)",
		}},
		{"switch", `
  - id: a
    switch:
      attribute: plan
      cases:
        - {equals: pro, next: b}
        - {equals: gold, next: b}
        - {equals: 3, next: b}
  - id: b
    end: true
`, []string{
			"j.journey.yaml:11:20: step \"a\": \"gold\" is not a value of attribute \"plan\" (allowed: free, pro, team)",
			"j.journey.yaml:12:20: step \"a\": case 3 does not fit string attribute \"plan\"",
		}},
		{"update", `
  - id: a
    update: {set: {plan: pro, leadScore: high, plann: free}}
`, []string{
			"j.journey.yaml:7:42: step \"a\": value high does not fit int attribute \"leadScore\"",
			"j.journey.yaml:7:48: step \"a\": unknown attribute \"plann\" (did you mean \"plan\"?)",
		}},
		{"wait for email opened of a non-email step", `
  - id: a
    send: {channel: sms, template: hello-sms}
  - id: b
    waitFor: {events: [{event: email.opened, send: a}, {event: Webinar Attended}], timeout: 2d}
`, []string{
			"j.journey.yaml:9:52: step \"b\": step \"a\" does not send an email (emails are opened and clicked)",
			"j.journey.yaml:9:64: step \"b\": event name \"Webinar Attended\" is not valid (email.opened, email.clicked, form.submitted, or a custom dotted name like webinar.attended)",
		}},
		{"approval", `
  - id: a
    approval: {timeout: 2d}
`, []string{
			"j.journey.yaml:7:15: step \"a\": approval needs \"onReject\" (name the step taken on rejection, or end)",
		}},
		{"history limit", `
  - id: a
    send: {channel: email, template: hello}
  - id: b
    wait: {duration: 10m}
  - id: c
    if: {condition: contact.leadScore > 50, then: a}
`, []string{
			"j.journey.yaml:6:3: the longest path may write 2,943,418 history events, more than the 25,000 Step Functions keeps per execution (shorten the journey or its loops, or split it into journeys)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSource(t, header+tt.steps[1:])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
