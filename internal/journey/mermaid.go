package journey

import (
	"fmt"
	"strings"
)

// Mermaid writes the journey as a Mermaid flowchart. Each step kind has
// its own shape and a label that names the kind; branch edges carry their
// labels.
func Mermaid(c *Checked) string {
	j := c.Journey
	var b strings.Builder
	fmt.Fprintf(&b, "%%%% journey %s: %s\nflowchart TD\n", j.ID, j.Name)
	fmt.Fprintf(&b, "  start([%s])\n", label("trigger: "+triggerText(j.Trigger)))
	for i, s := range j.Steps {
		open, close := shape(s)
		fmt.Fprintf(&b, "  s%d%s%s%s\n", i, open, label(stepLabel(s)), close)
	}
	ended := false
	fmt.Fprintf(&b, "  start --> s0\n")
	for i, es := range c.Edges {
		for _, e := range es {
			to := fmt.Sprintf("s%d", e.To)
			if e.To == End {
				to, ended = "finish", true
			}
			if text := edgeText(e); text != "" {
				fmt.Fprintf(&b, "  s%d -->|%s| %s\n", i, label(text), to)
			} else {
				fmt.Fprintf(&b, "  s%d --> %s\n", i, to)
			}
		}
	}
	if ended {
		fmt.Fprintf(&b, "  finish((%s))\n", label("completed"))
	}
	return b.String()
}

func triggerText(t Trigger) string {
	switch {
	case t.Segment != nil:
		s := "segment " + t.Segment.Segment
		if t.Segment.Schedule != "" {
			s += ", " + t.Segment.Schedule
		}
		return s
	case t.Event != nil:
		return "event " + t.Event.Name
	case t.LinkedInForm != nil:
		if t.LinkedInForm.Form != "" {
			return "LinkedIn form " + t.LinkedInForm.Form
		}
		return "any LinkedIn lead form"
	}
	return "none"
}

// shape returns the Mermaid brackets of a step kind.
func shape(s *Step) (string, string) {
	switch s.Kind() {
	case KindSend:
		return "[/", "/]"
	case KindWait, KindWaitFor:
		return "([", "])"
	case KindIf, KindSwitch:
		return "{", "}"
	case KindSplit:
		return "{{", "}}"
	case KindApproval:
		return "[[", "]]"
	case KindSalesTask, KindWebhook, KindUpdate:
		return "[", "]"
	case KindEnd:
		return "((", "))"
	}
	return "[", "]"
}

func stepLabel(s *Step) string {
	k := s.Kind()
	switch {
	case s.Send != nil:
		ch := s.Send.Channel
		if ch == ChannelCustom {
			ch = s.Send.CustomChannel
		}
		return fmt.Sprintf("%s: send %s %s", s.ID, ch, s.Send.Template)
	case s.Wait != nil:
		w := s.Wait
		switch {
		case w.Duration.IsSet():
			return fmt.Sprintf("%s: wait %s", s.ID, w.Duration.Text)
		case w.Until.IsSet():
			return fmt.Sprintf("%s: wait until %s", s.ID, w.Until.Text)
		}
		return fmt.Sprintf("%s: wait until %s local time", s.ID, w.TimeOfDay)
	case s.WaitFor != nil:
		return fmt.Sprintf("%s: wait for event, timeout %s", s.ID, s.WaitFor.Timeout.Text)
	case s.If != nil:
		if s.If.Segment != "" {
			return fmt.Sprintf("%s: if in segment %s", s.ID, s.If.Segment)
		}
		return fmt.Sprintf("%s: if %s", s.ID, strings.Join(strings.Fields(s.If.Condition.Src), " "))
	case s.Switch != nil:
		return fmt.Sprintf("%s: switch on %s", s.ID, s.Switch.Attribute)
	case s.Split != nil:
		return fmt.Sprintf("%s: random split", s.ID)
	case s.Approval != nil:
		return fmt.Sprintf("%s: approval by %s, timeout %s", s.ID, s.Approval.Approvers, s.Approval.Timeout.Text)
	case s.SalesTask != nil:
		return fmt.Sprintf("%s: sales task: %s", s.ID, s.SalesTask.Title)
	case s.Webhook != nil:
		return fmt.Sprintf("%s: webhook %s", s.ID, s.Webhook.Action)
	case s.Update != nil:
		var keys []string
		for _, f := range s.Update.Set {
			keys = append(keys, f.Key)
		}
		return fmt.Sprintf("%s: update %s", s.ID, strings.Join(keys, ", "))
	}
	return fmt.Sprintf("%s: %s", s.ID, k)
}

func edgeText(e Edge) string {
	switch e.Role {
	case "next":
		return ""
	case "event", "case", "variant":
		return e.Label
	}
	return e.Role
}

// label quotes text for Mermaid: one line, quotes and angle brackets as
// entity codes.
func label(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
	return `"` + s + `"`
}
