package content

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// testSchema is the example contact schema's attributes; email is declared
// here only to test the personal-data rule.
func testSchema() *Schema {
	return &Schema{Contact: map[string]bool{
		"firstName": true, "lastName": true, "company": false, "jobTitle": false,
		"country": false, "locale": false, "timezone": false, "lifecycleStage": false,
		"industry": false, "plan": false, "leadScore": false, "email": true,
	}}
}

func testLinks(t testing.TB) *tracking.Links {
	t.Helper()
	s, err := tracking.NewSigner(tracking.Key{ID: "k1", Secret: []byte("test secret, thirty-two bytes!!!")})
	if err != nil {
		t.Fatal(err)
	}
	l, err := tracking.NewLinks("https://t.example.com", s, "unsubscribe@northwind.example")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newLib builds a Library over an in-memory content tree.
func newLib(t testing.TB, files map[string]string) *Library {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	src, problems := LoadFiles(fsys, "content")
	if len(problems) > 0 {
		t.Fatalf("load: %v", problems)
	}
	return NewLibrary(src, Options{Schema: testSchema(), Links: testLinks(t)})
}

func testRequest(template string) Request {
	return Request{
		BU: "northwind", Template: template, ContactID: "c-81f2", MessageID: "msg-1",
		Contact: map[string]any{"firstName": "Ada", "company": "Acme", "plan": "pro", "leadScore": 72},
		Journey: JourneyInfo{ID: "welcome", Name: "Welcome", Version: 3}, Step: "send-intro",
		Owner: Owner{Name: "Grace Hopper", Email: "grace@northwind.example"},
	}
}

func mustRender(t testing.TB, l *Library, req Request) *Message {
	t.Helper()
	m, err := l.Render(context.Background(), req)
	if err != nil {
		t.Fatalf("render %s: %v", req.Template, err)
	}
	return m
}

// email wraps an HTML body into a transactional email template file, so
// tests of Liquid features need no unsubscribe footer.
func email(body string) string {
	return "---\nchannel: email\nkind: transactional\ntracking: false\nsubject: Test\n---\n" + body
}

func smsFile(body string) string {
	return "---\nchannel: sms\nkind: transactional\n---\n" + body
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}
