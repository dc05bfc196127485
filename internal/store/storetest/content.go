package storetest

import (
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

func testContent(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetContent(ctx, bu, store.ContentTemplate, "welcome", "en", 0)
	isErr(t, "missing content", err, store.ErrNotFound)
	// revision is the business unit's content revision now; changed says
	// whether it differs from the one before.
	last := map[string]string{}
	revised := func(what, unit string, want bool) {
		t.Helper()
		rev := ok(s.ContentRevision(ctx, unit))(t)
		if changed := rev != last[unit]; changed != want {
			t.Errorf("%s: revision of %s %q after %q: changed %v, want %v", what, unit, rev, last[unit], changed, want)
		}
		last[unit] = rev
	}
	revised("no content yet", bu, true)
	revised("no content yet", otherBU, true)
	_, err = s.PutContent(ctx, bu, store.Content{Kind: "poster", ID: "x", Locale: "en"})
	isErr(t, "unknown kind", err, store.ErrInvalid)

	tpl := store.Content{Kind: store.ContentTemplate, ID: "welcome", Channel: "email", Locale: "en", Body: "Hello {{ contact.firstName }}", Fields: map[string]string{"subject": "Welcome"}}
	v1 := ok(s.PutContent(ctx, bu, tpl))(t)
	e.clock.Advance(time.Minute)
	tpl.Body = "Hi {{ contact.firstName }}"
	v2 := ok(s.PutContent(ctx, bu, tpl))(t)
	if v1.Version != 1 || v2.Version != 2 || v1.BU != bu || !v2.CreatedAt.Equal(start.Add(time.Minute)) {
		t.Fatalf("versions: %+v, %+v", v1, v2)
	}
	revised("two versions", bu, true)
	revised("read again", bu, false)
	revised("another unit's own content", otherBU, false)
	tpl.Version = 2
	_, err = s.PutContent(ctx, bu, tpl)
	isErr(t, "version taken", err, store.ErrExists)
	revised("a refused put", bu, false)
	tpl.Version = 7
	v7 := ok(s.PutContent(ctx, bu, tpl))(t)
	same(t, "latest", ok(s.GetContent(ctx, bu, store.ContentTemplate, "welcome", "en", 0))(t), v7)
	same(t, "pinned", ok(s.GetContent(ctx, bu, store.ContentTemplate, "welcome", "en", 1))(t), v1)
	_, err = s.GetContent(ctx, bu, store.ContentTemplate, "welcome", "fr", 0)
	isErr(t, "other locale", err, store.ErrNotFound)
	_, err = s.GetContent(ctx, bu, store.ContentBlock, "welcome", "en", 0)
	isErr(t, "other kind", err, store.ErrNotFound)

	// Shared content: written once, seen by every business unit; a
	// business unit's own content of the same name comes first.
	footer := ok(s.PutContent(ctx, otherBU, store.Content{Kind: store.ContentBlock, ID: "footer", Locale: "en", Body: "shared footer", Shared: true}))(t)
	if footer.BU != store.SharedBU || !footer.Shared || footer.Version != 1 {
		t.Fatalf("shared content %+v", footer)
	}
	same(t, "shared from another bu", ok(s.GetContent(ctx, bu, store.ContentBlock, "footer", "en", 0))(t), footer)
	revised("shared content", bu, true)
	revised("shared content", otherBU, true)
	hdr := ok(s.PutContent(ctx, bu, store.Content{Kind: store.ContentBlock, ID: "header", Locale: "en", Body: "shared header", Shared: true}))(t)
	own := ok(s.PutContent(ctx, bu, store.Content{Kind: store.ContentBlock, ID: "header", Locale: "en", Body: "acme header"}))(t)
	same(t, "own before shared", ok(s.GetContent(ctx, bu, store.ContentBlock, "header", "en", 0))(t), own)
	same(t, "shared for the other bu", ok(s.GetContent(ctx, otherBU, store.ContentBlock, "header", "en", 0))(t), hdr)
	bodies := func(cs []store.Content) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Body)
		}
		return out
	}
	same(t, "acme's content", bodies(ok(s.ListContent(ctx, bu))(t)), []string{"shared footer", "acme header", "shared header", "Hi {{ contact.firstName }}"})
	same(t, "globex's content", bodies(ok(s.ListContent(ctx, otherBU))(t)), []string{"shared footer", "shared header"})
}

func testSegments(e *env) {
	t, s, ctx := e.t, e.s, e.ctx
	_, err := s.GetSegment(ctx, bu, "vip")
	isErr(t, "missing segment", err, store.ErrNotFound)
	isErr(t, "delete missing", s.DeleteSegment(ctx, bu, "vip"), store.ErrNotFound)
	noErr(t, s.PutSegment(ctx, bu, store.Segment{Name: "vip", Definition: `contact.attributes.vip == true`}))
	noErr(t, s.PutSegment(ctx, bu, store.Segment{Name: "all", Definition: `true`}))
	e.clock.Advance(time.Minute)
	noErr(t, s.PutSegment(ctx, bu, store.Segment{Name: "vip", Definition: `contact.attributes.score > 90`}))
	vip := store.Segment{BU: bu, Name: "vip", Definition: `contact.attributes.score > 90`, UpdatedAt: start.Add(time.Minute)}
	same(t, "segment", ok(s.GetSegment(ctx, bu, "vip"))(t), vip)
	same(t, "segments", ok(s.ListSegments(ctx, bu))(t), []store.Segment{{BU: bu, Name: "all", Definition: "true", UpdatedAt: start}, vip})
	noErr(t, s.DeleteSegment(ctx, bu, "vip"))
	_, err = s.GetSegment(ctx, bu, "vip")
	isErr(t, "deleted segment", err, store.ErrNotFound)
}
