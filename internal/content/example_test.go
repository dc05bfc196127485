package content_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/content/tracking"
)

func ExampleLibrary_Render() {
	files := fstest.MapFS{
		"templates/hello.liquid": {Data: []byte("---\nchannel: email\nsubject: Hi {{ contact.firstName | default: \"there\" }}\n---\n" +
			"<body><p>Hello {{ contact.firstName }}!</p>{% render 'footer' %}</body>")},
		"blocks/footer@1.liquid": {Data: []byte(`<a href="{{ links.unsubscribe }}">Unsubscribe</a>`)},
	}
	src, problems := content.LoadFiles(files, "content")
	if len(problems) > 0 {
		fmt.Println(problems)
		return
	}
	signer, _ := tracking.NewSigner(tracking.Key{ID: "k1", Secret: []byte("an example secret of 32 bytes...")})
	links, _ := tracking.NewLinks("https://t.example.com", signer, "")
	lib := content.NewLibrary(src, content.Options{
		Schema: &content.Schema{Contact: map[string]bool{"firstName": true}},
		Links:  links,
	})
	msg, err := lib.Render(context.Background(), content.Request{
		BU: "northwind", Template: "hello", ContactID: "c-1", MessageID: "m-1",
		Contact: map[string]any{"firstName": "<Ada>"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Subject)
	fmt.Print(msg.Text)
	fmt.Println(msg.Headers[1].Name + ": " + msg.Headers[1].Value)
	// Output:
	// Hi <Ada>
	// Hello <Ada>!
	//
	// Unsubscribe (https://t.example.com/unsubscribe?t=k1.bm9ydGh3aW5kCmMtMQptLTEK.p1ABXiXn7LTjocGoRtIjLQ)
	// List-Unsubscribe-Post: List-Unsubscribe=One-Click
}

func ExampleLibrary_Check() {
	files := fstest.MapFS{
		"templates/hello.liquid": {Data: []byte("---\nchannel: sms\n---\nHi {{ contact.fristName }}, {% render 'sig' %}")},
	}
	src, _ := content.LoadFiles(files, "content")
	lib := content.NewLibrary(src, content.Options{Schema: &content.Schema{Contact: map[string]bool{"firstName": true}}})
	fmt.Println(lib.Check(context.Background(), "northwind"))
	// Output:
	// content/templates/hello.liquid:4:7: unknown contact property "fristName" (did you mean "firstName"?)
	// content/templates/hello.liquid:4:39: unknown block "sig"
}
