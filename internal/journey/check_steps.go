package journey

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/segment"
)

// EndTarget is the target name that ends the journey.
const EndTarget = "end"

func (c *checker) checkSteps() {
	for i, s := range c.j.Steps {
		if s == nil {
			c.add(c.j.At("steps"), "", "step %d is empty", i+1)
			continue
		}
		c.checkStepID(i, s)
		kinds := s.Kinds()
		switch len(kinds) {
		case 0:
			if len(s.Unknown) > 0 {
				break // the unknown key was reported
			}
			c.add(s.Pos, allowed(stepKinds), "step %q has no kind", s.ID)
		case 1:
		default:
			c.add(s.At(kinds[1]), "split it into one step per kind", "step %q has several kinds: %s", s.ID, strings.Join(kinds, ", "))
		}
		c.checkStep(s)
	}
}

func (c *checker) checkStepID(i int, s *Step) {
	if s.ID == "" {
		c.add(s.Pos, "every step needs an id, e.g. id: send-welcome", "step %d: missing \"id\"", i+1)
		s.ID = fmt.Sprintf("#%d", i+1)
		return
	}
	if s.ID == EndTarget {
		c.add(s.At("id"), "\"end\" is the target that ends the journey", "step id %q is reserved", s.ID)
	} else if !stepRE.MatchString(s.ID) || len(s.ID) > maxStepIDLen {
		c.add(s.At("id"), fmt.Sprintf("lower-case letters, digits and hyphens, at most %d characters", maxStepIDLen), "step id %q is not valid", s.ID)
	}
	if prev, ok := c.out.Index[s.ID]; ok {
		c.add(s.At("id"), fmt.Sprintf("the first is at line %d", c.j.Steps[prev].Pos.Line), "duplicate step id %q", s.ID)
		return
	}
	c.out.Index[s.ID] = i
}

func (c *checker) stepErr(s *Step, pos Pos, hint, format string, args ...any) {
	c.add(pos, hint, "step %q: %s", s.ID, fmt.Sprintf(format, args...))
}

func (c *checker) checkStep(s *Step) {
	switch {
	case s.Send != nil:
		c.checkSend(s)
	case s.Wait != nil:
		c.checkWait(s)
	case s.WaitFor != nil:
		c.checkWaitFor(s)
	case s.If != nil:
		c.checkIf(s)
	case s.Switch != nil:
		c.checkSwitch(s)
	case s.Split != nil:
		c.checkSplit(s)
	case s.Approval != nil:
		a := s.Approval
		if !a.Timeout.IsSet() {
			c.stepErr(s, a.Pos, "e.g. timeout: 2d", "approval needs a \"timeout\"")
		}
		c.duration(a.Timeout, "step "+quote(s.ID), "timeout", MaxWait)
		if a.OnReject == "" {
			c.stepErr(s, a.Pos, "name the step taken on rejection, or end", "approval needs \"onReject\"")
		}
	case s.SalesTask != nil:
		t := s.SalesTask
		if strings.TrimSpace(t.Title) == "" {
			c.stepErr(s, t.Pos, "", "sales task needs a \"title\"")
		}
		c.duration(t.Due, "step "+quote(s.ID), "due", MaxWait)
		if t.Priority != "" && !contains([]string{"low", "normal", "high"}, t.Priority) {
			c.stepErr(s, t.At("priority"), "allowed: low, normal, high", "unknown priority %q", t.Priority)
		}
	case s.Webhook != nil:
		if !idRE.MatchString(s.Webhook.Action) {
			c.stepErr(s, s.Webhook.At("action"), "name an outbound action configured for the business unit, e.g. crm-upsert", "webhook needs an \"action\" id")
		}
	case s.Update != nil:
		c.checkUpdate(s)
	}
	if s.End && s.Next != "" {
		c.stepErr(s, s.At("next"), "", "an end step has no \"next\"")
	}
	if s.Has(KindEnd) && !s.End {
		c.stepErr(s, s.At(KindEnd), "write end: true, or remove it", "end: false does nothing")
	}
}

func (c *checker) checkSend(s *Step) {
	x := s.Send
	if !contains(channels, x.Channel) {
		if x.Channel == "" {
			c.stepErr(s, x.Pos, allowed(channels), "send needs a \"channel\"")
		} else {
			c.stepErr(s, x.At("channel"), didYouMean(x.Channel, channels), "unknown channel %q", x.Channel)
		}
	}
	if x.Channel == ChannelCustom && (!idRE.MatchString(x.CustomChannel) || x.CustomChannel == ChannelCustom) {
		c.stepErr(s, x.Pos, "name it in customChannel, e.g. customChannel: push", "a custom send needs a \"customChannel\"")
	}
	if x.Channel != ChannelCustom && x.CustomChannel != "" {
		c.stepErr(s, x.At("customChannel"), "set channel: custom", "\"customChannel\" is only used with channel: custom")
	}
	if x.Template == "" {
		if len(x.Unknown) == 0 {
			c.stepErr(s, x.Pos, "", "send needs a \"template\"")
		}
		return
	}
	if c.lib.Content == nil || c.out.Schema == nil || !contains(channels, x.Channel) {
		return
	}
	events := c.j.EventScope()
	ref := TemplateRef{Step: s.ID, Channel: x.Channel, CustomChannel: x.CustomChannel, ID: x.Template, Pos: x.At("template"), Event: events}
	c.probs = append(c.probs, c.lib.Content.CheckTemplate(ref, c.out.Schema)...)
	slots := keys(x.Blocks)
	sort.Strings(slots)
	for _, slot := range slots {
		b := BlockRef{Step: s.ID, Template: x.Template, Slot: slot, ID: x.Blocks[slot], Pos: x.At("blocks." + slot), Event: events}
		c.probs = append(c.probs, c.lib.Content.CheckBlock(b, c.out.Schema)...)
	}
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (c *checker) checkWait(s *Step) {
	w := s.Wait
	n := 0
	for _, k := range []string{"duration", "until", "timeOfDay"} {
		if w.Has(k) {
			n++
		}
	}
	if n != 1 {
		c.stepErr(s, w.Pos, "give one of duration, until or timeOfDay", "wait needs exactly one of duration, until, timeOfDay; it has %d", n)
	}
	c.duration(w.Duration, "step "+quote(s.ID), "wait", MaxWait)
	if len(w.Weekdays) > 0 && !w.TimeOfDay.IsSet() {
		c.stepErr(s, w.At("weekdays"), "weekdays go with timeOfDay", "\"weekdays\" without \"timeOfDay\"")
	}
	for _, d := range w.Weekdays {
		if !contains(weekdays, d) {
			c.stepErr(s, w.At("weekdays"), didYouMean(d, weekdays), "unknown weekday %q", d)
		}
	}
	c.checkUntil(s)
}

func (c *checker) checkWaitFor(s *Step) {
	w := s.WaitFor
	if len(w.Events) == 0 {
		c.stepErr(s, w.Pos, "list the events, e.g. - event: email.opened", "waitFor needs \"events\"")
	}
	if !w.Timeout.IsSet() {
		c.stepErr(s, w.Pos, "e.g. timeout: 3d", "waitFor needs a \"timeout\"")
	}
	c.duration(w.Timeout, "step "+quote(s.ID), "timeout", MaxWait)
	seen := map[string]bool{}
	for _, e := range w.Events {
		if e == nil {
			continue
		}
		key := e.Event + "|" + e.Send + "|" + e.Form
		if seen[key] {
			c.stepErr(s, e.At("event"), "", "waits for %q twice", e.Event)
		}
		seen[key] = true
		c.checkAwaited(s, e)
	}
}

func (c *checker) checkAwaited(s *Step, e *EventBranch) {
	switch e.Event {
	case "":
		c.stepErr(s, e.Pos, "", "event branch needs an \"event\"")
	case EventEmailOpened, EventEmailClicked:
		if e.Send == "" {
			c.stepErr(s, e.Pos, "name the send step whose email it is, e.g. send: send-welcome", "%s needs \"send\"", e.Event)
			return
		}
		i, ok := c.out.Index[e.Send]
		if !ok {
			c.stepErr(s, e.At("send"), didYouMean(e.Send, keys(c.out.Index)), "unknown step %q", e.Send)
		} else if x := c.j.Steps[i].Send; x == nil || x.Channel != ChannelEmail {
			c.stepErr(s, e.At("send"), "emails are opened and clicked", "step %q does not send an email", e.Send)
		}
	case EventFormSubmitted:
	default:
		if !eventRE.MatchString(e.Event) {
			c.stepErr(s, e.At("event"), "email.opened, email.clicked, form.submitted, or a custom dotted name like webinar.attended", "event name %q is not valid", e.Event)
		}
	}
	if e.Send != "" && e.Event != EventEmailOpened && e.Event != EventEmailClicked {
		c.stepErr(s, e.At("send"), "", "\"send\" is only used with email.opened and email.clicked")
	}
	if e.Form != "" && e.Event != EventFormSubmitted {
		c.stepErr(s, e.At("form"), "", "\"form\" is only used with form.submitted")
	}
}

func (c *checker) checkIf(s *Step) {
	x := s.If
	switch {
	case x.Condition != nil && x.Segment != "":
		c.stepErr(s, x.At("segment"), "give a condition or a segment", "if has both \"condition\" and \"segment\"")
	case x.Condition != nil:
		c.condition(x.Condition, "step "+quote(s.ID))
	case x.Segment != "":
		c.segmentRef(x.Segment, x.At("segment"), "step "+quote(s.ID))
	default:
		c.stepErr(s, x.Pos, "e.g. condition: contact.leadScore > 50", "if needs a \"condition\" or a \"segment\"")
	}
	if x.Then == "" && x.Else == "" {
		c.stepErr(s, x.Pos, "name the step for then, else or both; the other goes on to the next step", "if branches nowhere")
	}
}

func (c *checker) checkSwitch(s *Step) {
	x := s.Switch
	if len(x.Cases) == 0 {
		c.stepErr(s, x.Pos, "", "switch needs \"cases\"")
	}
	if x.Attribute == "" {
		c.stepErr(s, x.Pos, "", "switch needs an \"attribute\"")
		return
	}
	if c.out.Schema == nil {
		return
	}
	a, ok := c.out.Schema.Attributes[x.Attribute]
	if !ok {
		c.stepErr(s, x.At("attribute"), didYouMean(x.Attribute, c.out.Schema.Names()), "unknown attribute %q", x.Attribute)
		return
	}
	switch a.Type {
	case "string", "int", "double", "bool":
	default:
		c.stepErr(s, x.At("attribute"), "switch on a string, int, double or bool attribute", "cannot switch on %s attribute %q", a.Type, x.Attribute)
		return
	}
	seen := map[string]bool{}
	for _, k := range x.Cases {
		if k == nil {
			continue
		}
		if k.Equals == nil {
			c.stepErr(s, k.Pos, "", "case needs \"equals\"")
			continue
		}
		if err := segment.CheckValue(segment.Type(a.Type), k.Equals); err != nil {
			c.stepErr(s, k.At("equals"), "", "case %v does not fit %s attribute %q", k.Equals, a.Type, x.Attribute)
		} else if len(a.Values) > 0 && !contains(a.Values, fmt.Sprint(k.Equals)) {
			c.stepErr(s, k.At("equals"), didYouMean(fmt.Sprint(k.Equals), a.Values), "%q is not a value of attribute %q", k.Equals, x.Attribute)
		}
		v := CaseID(k.Equals)
		if seen[v] {
			c.stepErr(s, k.At("equals"), "", "duplicate case %s", v)
		}
		seen[v] = true
		if k.Next == "" {
			c.stepErr(s, k.Pos, "", "case %s needs \"next\"", v)
		}
	}
}

// CaseID is the id a switch case is known by at run time: its value as
// text.
func CaseID(v any) string {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

func (c *checker) checkSplit(s *Step) {
	x := s.Split
	if len(x.Variants) < 1 {
		c.stepErr(s, x.Pos, "", "split needs \"variants\"")
		return
	}
	total := 0.0
	names := map[string]bool{}
	for _, v := range x.Variants {
		if v == nil {
			continue
		}
		if v.Name == "" {
			c.stepErr(s, v.Pos, "", "variant needs a \"name\"")
		} else if names[v.Name] || v.Name == "holdout" {
			c.stepErr(s, v.At("name"), "", "duplicate variant %q", v.Name)
		}
		names[v.Name] = true
		if v.Weight <= 0 || v.Weight > 100 {
			c.stepErr(s, v.At("weight"), "a percentage above 0 and at most 100", "variant %q has weight %v", v.Name, v.Weight)
		}
		if v.Next == "" {
			c.stepErr(s, v.Pos, "", "variant %q needs \"next\"", v.Name)
		}
		total += v.Weight
	}
	if h := x.Holdout; h != nil {
		if h.Weight <= 0 || h.Weight >= 100 {
			c.stepErr(s, h.At("weight"), "a percentage above 0 and below 100", "holdout has weight %v", h.Weight)
		}
		total += h.Weight
	}
	if math.Abs(total-100) > 1e-9 {
		c.stepErr(s, x.Pos, "weights are percentages, holdout included", "split weights add up to %v, not 100", total)
	}
}

func (c *checker) checkUpdate(s *Step) {
	x := s.Update
	if len(x.Set) == 0 {
		c.stepErr(s, x.Pos, "e.g. set: {lifecycleStage: sql}", "update needs \"set\"")
	}
	if c.out.Schema == nil {
		return
	}
	for _, f := range x.Set {
		a, ok := c.out.Schema.Attributes[f.Key]
		if !ok {
			c.stepErr(s, f.KeyPos, didYouMean(f.Key, c.out.Schema.Names()), "unknown attribute %q", f.Key)
			continue
		}
		if f.Value == nil {
			continue // clears the attribute
		}
		if err := segment.CheckValue(segment.Type(a.Type), f.Value); err != nil {
			c.stepErr(s, f.Pos, "", "value %v does not fit %s attribute %q", f.Value, a.Type, f.Key)
		} else if len(a.Values) > 0 && !contains(a.Values, fmt.Sprint(f.Value)) {
			c.stepErr(s, f.Pos, didYouMean(fmt.Sprint(f.Value), a.Values), "%q is not a value of attribute %q", f.Value, f.Key)
		}
	}
}
