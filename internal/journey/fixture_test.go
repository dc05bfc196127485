package journey

import (
	"fmt"
	"testing"
)

const testSchema = `businessUnit: acme
attributes:
  email: {type: string, personal: true}
  phone: {type: string, personal: true}
  firstName: {type: string, personal: true}
  plan: {type: string, values: [free, pro, team]}
  country: {type: string}
  leadScore: {type: int}
  unsubscribed: {type: bool}
`

// fakeContent knows a few templates per channel and blocks.
type fakeContent struct{}

var fakeTemplates = map[string][]string{
	"email":       {"hello", "offer", "reminder"},
	"sms":         {"hello-sms"},
	"custom:push": {"push-hello"},
}

func (fakeContent) CheckTemplate(ref TemplateRef, _ *Schema) []Problem {
	ch := ref.Channel
	if ch == ChannelCustom {
		ch += ":" + ref.CustomChannel
	}
	for _, id := range fakeTemplates[ch] {
		if id == ref.ID {
			return nil
		}
	}
	return []Problem{{Pos: ref.Pos, Message: fmt.Sprintf("step %q: unknown %s template %q", ref.Step, ref.Channel, ref.ID), Hint: didYouMean(ref.ID, fakeTemplates[ch])}}
}

func (fakeContent) CheckBlock(ref BlockRef, _ *Schema) []Problem {
	if ref.ID == "hero-v3" || ref.ID == "footer" {
		return nil
	}
	return []Problem{{Pos: ref.Pos, Message: fmt.Sprintf("step %q: unknown content block %q", ref.Step, ref.ID), Hint: didYouMean(ref.ID, []string{"hero-v3", "footer"})}}
}

func testLib(t testing.TB) *Library {
	t.Helper()
	lib := NewLibrary()
	probs := lib.AddSchema("acme.schema.yaml", []byte(testSchema))
	probs = append(probs, lib.AddSegment("engaged.segment.yaml", []byte("name: engaged\nbusinessUnit: acme\ncondition: opened(days(30))\n"))...)
	probs = append(probs, lib.AddSegment("vip.segment.yaml", []byte("name: vip\nbusinessUnit: acme\ncontacts: [c-1, c-2]\n"))...)
	if len(probs) > 0 {
		t.Fatalf("test library: %v", probs)
	}
	lib.Content = fakeContent{}
	return lib
}

// header is the start of every journey in the checker tables; steps
// written after it start on line 6.
const header = `id: j
name: J
businessUnit: acme
trigger: {event: {name: x.y}}
steps:
`

func problemLines(ps Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func checkSource(t testing.TB, src string) []string {
	t.Helper()
	j, probs := ParseJourney("j.journey.yaml", []byte(src))
	_, more := Check(j, testLib(t))
	return problemLines(probs.Merge(more))
}
