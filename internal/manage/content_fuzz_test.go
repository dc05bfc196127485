package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/memory"
)

// FuzzContentUpload: any uploaded file is written, found unchanged, or
// refused with a typed error (a bad request, a *ContentError whose
// problems point into the uploaded file, forbidden, a conflict), never a
// panic.
func FuzzContentUpload(f *testing.F) {
	for _, seed := range []struct{ name, src string }{
		{"templates/welcome.liquid", "---\nchannel: email\nsubject: Hi {{ contact.firstName }}\n---\n<p>{% render 'footer' %}</p>\n"},
		{"templates/sms.de.liquid", "---\nchannel: sms\n---\nHallo {{ contact.firstName | default: 'du' }}\n"},
		{"blocks/footer@2.liquid", "---\nparams: label\n---\n<a href=\"{{ links.unsubscribe }}\">{{ label }}</a>\n"},
		{"blocks/loop@1.liquid", "{% render 'loop' %}"},
		{"units/northwind/templates/x.liquid", "---\nchannel: custom\n---\n{\"a\": {{ contact.id | json }}}"},
		{"templates/bad.liquid", "---\nchannel: email\n{% if %}"},
	} {
		f.Add(seed.name, seed.src)
	}
	svc := NewService(memory.New(store.Config{}), nil, nil, Config{}, Options{})
	f.Fuzz(func(t *testing.T, name, src string) {
		if len(src) > 1<<14 || len(name) > 200 {
			return
		}
		_, err := svc.PutContent(context.Background(), "northwind", "fuzz", ContentRequest{Name: name, Source: src})
		var body *bodyError
		var cont *ContentError
		switch {
		case err == nil, errors.As(err, &body), errors.Is(err, errForbidden), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrInvalid):
		case errors.As(err, &cont):
			if len(cont.Problems) == 0 {
				t.Fatal("a ContentError without problems")
			}
			for _, p := range cont.Problems {
				if p.Pos.File != name && p.Pos.File != "check" && p.Pos.File != "" {
					t.Fatalf("problem %v points outside the upload %s", p, name)
				}
			}
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
