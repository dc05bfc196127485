package content

import (
	"strings"
	"testing"
)

func TestSmoke(t *testing.T) {
	l := newLib(t, map[string]string{
		"templates/t.liquid":  email(`<html><body><p>Hi {{ contact.firstName | default: "there" }} {% render 'sig' %}</p><a href="https://x.example/?a=1&amp;b=2">x</a></body></html>`),
		"blocks/sig@1.liquid": "old {{ owner.name }}",
		"blocks/sig@2.liquid": "new {{ owner.name }}",
		"templates/m.liquid":  "---\nchannel: email\nsubject: Hello {{ contact.firstName }}\npreheader: pre\n---\n<html><body><p>Hi</p><a href=\"{{ links.unsubscribe }}\">unsub</a> <a href=\"https://northwind.example/a?x=1\">go</a></body></html>",
	})
	m := mustRender(t, l, testRequest("t"))
	t.Logf("%+v", m)
	if !strings.Contains(m.HTML, "new Grace Hopper") {
		t.Errorf("html = %s", m.HTML)
	}
	m = mustRender(t, l, testRequest("m"))
	t.Logf("HTML: %s\nTEXT: %s\nH: %v", m.HTML, m.Text, m.Headers)
}
