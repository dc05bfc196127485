package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestBlockOverrides(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/promo.liquid":         email(`[{% render 'hero', title: contact.firstName %}] {% render 'footer' %}`),
		"templates/promo.de.liquid":      email(`de [{% render 'hero', title: contact.firstName %}] {% render 'footer' %}`),
		"templates/pinned.liquid":        email(`[{% render 'hero@1', title: "x" %}]`),
		"blocks/hero@1.liquid":           "---\nparams: title\n---\ndefault hero {{ title }}",
		"blocks/spring-hero@1.liquid":    "---\nparams: title\n---\nspring one {{ title }}",
		"blocks/spring-hero@2.liquid":    "---\nparams: title\n---\nspring two {{ title }}",
		"blocks/spring-hero@2.de.liquid": "---\nparams: title\n---\nFrühling {{ title }}",
		"blocks/footer@1.liquid":         "footer {% render 'legal' %}",
		"blocks/legal@1.liquid":          "legal",
		"blocks/legal-emea@1.liquid":     "EMEA legal",
	})
	for _, tc := range []struct {
		name, template, locale string
		blocks                 map[string]string
		want                   string
	}{
		{"no override", "promo", "", nil, "[default hero Ada] footer legal"},
		{"latest version", "promo", "", map[string]string{"hero": "spring-hero"}, "[spring two Ada] footer legal"},
		{"pinned version", "promo", "", map[string]string{"hero": "spring-hero@1"}, "[spring one Ada] footer legal"},
		{"locale fallback", "promo", "de-AT", map[string]string{"hero": "spring-hero"}, "de [Frühling Ada] footer legal"},
		{"locale without variant", "promo", "de", map[string]string{"hero": "spring-hero@1"}, "de [spring one Ada] footer legal"},
		{"nested slot", "promo", "", map[string]string{"legal": "legal-emea"}, "[default hero Ada] footer EMEA legal"},
		{"two slots", "promo", "", map[string]string{"legal": "legal-emea", "hero": "spring-hero"}, "[spring two Ada] footer EMEA legal"},
		{"pinned slot is replaced", "pinned", "", map[string]string{"hero": "spring-hero"}, "[spring two x]"},
		{"slot the template lacks", "promo", "", map[string]string{"banner": "spring-hero"}, "[default hero Ada] footer legal"},
		{"no override after overrides", "promo", "", map[string]string{}, "[default hero Ada] footer legal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest(tc.template)
			req.Locale, req.Blocks = tc.locale, tc.blocks
			if got := mustRender(t, l, req).HTML; got != tc.want {
				t.Errorf("HTML = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBlockOverrideErrors(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/promo.liquid":      email(`{% render 'hero', title: "t" %}`),
		"blocks/hero@1.liquid":        "---\nparams: title\n---\n{{ title }}",
		"blocks/plain@1.liquid":       "plain",
		"blocks/loop@1.liquid":        "{% render 'hero' %}",
		"blocks/spring-hero@1.liquid": "spring",
	})
	for _, tc := range []struct {
		name   string
		blocks map[string]string
		want   string
	}{
		{"unknown block", map[string]string{"hero": "nope"}, `unknown block "nope"`},
		{"unknown version", map[string]string{"hero": "spring-hero@4"}, `block "spring-hero" has no version 4`},
		{"bad value", map[string]string{"hero": "a b"}, `"a b" is not a block name`},
		{"bad slot", map[string]string{"he ro": "plain"}, `"he ro" is not a slot name`},
		{"parameter not declared", map[string]string{"hero": "plain"}, `block plain (overriding hero) has no parameter "title"`},
		{"cycle", map[string]string{"hero": "loop"}, "block cycle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest("promo")
			req.Blocks = tc.blocks
			_, err := l.Render(context.Background(), req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A failed override leaves the template without overrides intact.
	if got := mustRender(t, l, testRequest("promo")).HTML; got != "t" {
		t.Errorf("HTML = %q", got)
	}
	var ps Problems
	req := testRequest("promo")
	req.Blocks = map[string]string{"hero": "plain"}
	if _, err := l.Render(context.Background(), req); !errors.As(err, &ps) || ps[0].Pos != (Pos{File: "content/templates/promo.liquid", Line: 7, Col: 19}) {
		t.Errorf("err = %v, want Problems at the parameter of the render tag (7:19)", err)
	}
}
