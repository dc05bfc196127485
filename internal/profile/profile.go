// Package profile turns what the store keeps about a contact into what
// conditions and templates read: a flat map of attribute name to value (the
// contact schema's names, built-in fields and custom attributes alike) and
// the interaction list that CEL's interaction functions look at. It decides
// nothing; it only translates, so that handlers, the enroller and the
// simulator see a contact the same way.
package profile

import (
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
)

// Attributes returns the contact as a map of attribute name to value:
// strings, float64 numbers, bools, time.Time and []string. Built-in fields
// appear under the names the contact schema gives them (email, firstName,
// owner, ...); custom attributes override none of them. Empty fields are
// left out, so conditions see their type's zero value and has() is false.
func Attributes(c store.Contact) map[string]any {
	builtin := [...]struct{ name, value string }{
		{"email", c.Email}, {"phone", c.Phone}, {"firstName", c.FirstName}, {"lastName", c.LastName},
		{"company", c.Company}, {"jobTitle", c.JobTitle}, {"country", c.Country}, {"timezone", c.Timezone},
		{"locale", c.Locale}, {"owner", c.Owner}, {"lifecycleStage", c.LifecycleStage},
	}
	m := make(map[string]any, len(c.Attributes)+len(builtin))
	for name, v := range c.Attributes {
		m[name] = value(v)
	}
	for _, b := range builtin {
		if b.value != "" {
			m[b.name] = b.value
		}
	}
	return m
}

func value(v store.Value) any {
	switch v.Kind {
	case store.KindString:
		return v.Str
	case store.KindNumber:
		return v.Num
	case store.KindBool:
		return v.Bool
	case store.KindTime:
		return v.Time
	case store.KindList:
		return append([]string(nil), v.List...)
	}
	return nil
}

// Interactions translates stored interactions into the list CEL conditions
// read. Types are "<channel>.<kind>" for message interactions
// (email.opened, sms.delivered), "form.submitted", "journey.goal" and, for a
// custom event, the event's own name (detail "event", e.g.
// webinar.attended).
func Interactions(in []store.Interaction) []segment.Interaction {
	out := make([]segment.Interaction, 0, len(in))
	for _, i := range in {
		out = append(out, segment.Interaction{
			Type:     InteractionType(i),
			Channel:  i.Channel,
			At:       i.At,
			Journey:  i.Journey,
			Step:     i.Step,
			Template: i.Detail["template"],
			Form:     i.Detail["form"],
			URL:      i.Detail["url"],
		})
	}
	return out
}

// InteractionType names a stored interaction the way conditions and
// wait-for-event steps do.
func InteractionType(i store.Interaction) string {
	switch i.Kind {
	case store.InteractionCustom:
		if e := i.Detail["event"]; e != "" {
			return e
		}
		return "custom"
	case store.InteractionFormSubmitted:
		return "form.submitted"
	case store.InteractionGoalReached:
		return "journey.goal"
	}
	ch := i.Channel
	if ch == "" {
		ch = "email"
	}
	return ch + "." + string(i.Kind)
}
