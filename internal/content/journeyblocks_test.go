package content_test

import (
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/journey"
)

// TestJourneyContentBlocks checks send steps' block overrides: the
// problems, with the journey position and the content file position they
// concern.
func TestJourneyContentBlocks(t *testing.T) {
	const head = "---\nchannel: email\nkind: transactional\ntracking: false\nsubject: S\n---\n"
	fsys := fstest.MapFS{
		"templates/promo.liquid":      {Data: []byte(head + "{% render 'hero', title: contact.firstName %}\n{% render 'footer' %}\n")},
		"templates/plain.liquid":      {Data: []byte(head + "no blocks\n")},
		"blocks/hero@1.liquid":        {Data: []byte("---\nparams: title\n---\n{{ title }}")},
		"blocks/footer@1.liquid":      {Data: []byte("{% render 'legal' %}")},
		"blocks/legal@1.liquid":       {Data: []byte("legal")},
		"blocks/spring-hero@1.liquid": {Data: []byte("---\nparams: title\n---\nspring {{ title }}")},
		"blocks/spring-hero@2.liquid": {Data: []byte("---\nparams: title\n---\nspring {{ title }}")},
		"blocks/banner@1.liquid":      {Data: []byte("banner")},
		"blocks/nosy@1.liquid":        {Data: []byte("---\nparams: title\n---\n{{ contact.shoeSize }}")},
		"blocks/loop@1.liquid":        {Data: []byte("{% render 'footer' %}")},
		"blocks/webinar@1.liquid":     {Data: []byte("---\nparams: title\n---\n{{ event.joinUrl }}")},
	}
	src, probs := content.LoadFiles(fsys, "content")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	lib, jprobs := journey.LoadDir(filepath.Join("..", "..", "journeys"))
	if len(jprobs) > 0 {
		t.Fatal(jprobs)
	}
	schema := lib.Schemas["northwind"]
	jc := content.NewJourneyContent(src)
	pos := journey.Pos{File: "j.journey.yaml", Line: 12, Col: 15}
	for _, tc := range []struct {
		name, template, slot, id string
		want                     []string
	}{
		{"override", "promo", "hero", "spring-hero", nil},
		{"pinned override", "promo", "hero", "spring-hero@1", nil},
		{"nested slot", "promo", "legal", "banner", nil},
		{"unknown template is CheckTemplate's", "nope", "hero", "banner", nil},
		{"unknown block", "promo", "hero", "sprng-hero", []string{
			`j.journey.yaml:12:15: step "s": unknown content block "sprng-hero" (did you mean "spring-hero"?)`}},
		{"unknown version", "promo", "hero", "spring-hero@7", []string{
			`j.journey.yaml:12:15: step "s": unknown content block "spring-hero@7" (versions: 1, 2; write spring-hero to follow the latest)`}},
		{"bad value", "promo", "hero", "spring hero", []string{
			`j.journey.yaml:12:15: step "s": slot "hero": block override "spring hero" is not a block name (letters, digits, - and _) (write a block name, or name@3 to pin version 3)`}},
		{"slot not rendered", "promo", "heor", "banner", []string{
			`j.journey.yaml:12:15: step "s": template "promo" renders no block "heor" to override (did you mean "hero"?)`}},
		{"template without blocks", "plain", "hero", "banner", []string{
			`j.journey.yaml:12:15: step "s": template "plain" renders no block "hero" to override (the template renders no blocks)`}},
		{"parameter not accepted", "promo", "hero", "banner", []string{
			`j.journey.yaml:12:15: step "s": block "banner" in slot "hero": content/templates/promo.liquid:7:19: block banner (overriding hero) has no parameter "title" (the block declares no parameters)`}},
		{"unknown variable in the block", "promo", "hero", "nosy", []string{
			`j.journey.yaml:12:15: step "s": block "nosy" in slot "hero": content/blocks/nosy@1.liquid:4:4: unknown contact property "shoeSize"`}},
		{"cycle", "promo", "legal", "loop", []string{
			`j.journey.yaml:12:15: step "s": block "loop" in slot "legal": content/blocks/loop@1.liquid:1:11: block cycle: footer@1 → loop@1 → footer@1 (a block may not render itself, directly or through others)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jc.CheckBlock(journey.BlockRef{Step: "s", Template: tc.template, Slot: tc.slot, ID: tc.id, Pos: pos}, schema)
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if diff := cmp.Diff(tc.want, gotS); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}

	// A block override reads event.<name> under the journey's trigger.
	segment := &journey.EventScope{Trigger: journey.TriggerSegment, Pos: journey.Pos{File: "j.journey.yaml", Line: 4, Col: 3}}
	registered := &journey.EventScope{Trigger: journey.TriggerEvent, Event: "webinar.registered", Attributes: []string{"joinUrl"}}
	for _, tc := range []struct {
		name  string
		scope *journey.EventScope
		want  []string
	}{
		{"event attribute the trigger carries", registered, nil},
		{"event attribute under a segment trigger", segment, []string{
			`j.journey.yaml:12:15: step "s": block "webinar" in slot "hero": content/blocks/webinar@1.liquid:4:4: unknown event attribute "joinUrl" (the journey starts from a segment (j.journey.yaml:4:3), which gives no event: read contact attributes instead)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jc.CheckBlock(journey.BlockRef{Step: "s", Template: "promo", Slot: "hero", ID: "webinar", Pos: pos, Event: tc.scope}, schema)
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if diff := cmp.Diff(tc.want, gotS); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
