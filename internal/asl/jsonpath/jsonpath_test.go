package jsonpath

import (
	"errors"
	"testing"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

const doc = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "delivery-partner": "UQS",
  "my key": 1,
  "n": null
}`

func TestEval(t *testing.T) {
	root, err := jsonv.ParseString(doc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		want  string // JSON, or "" for nothing found
		found bool
	}{
		{"$", "", true},
		{"$.store.bicycle.color", `"red"`, true},
		{"$['store']['bicycle']['price']", `19.95`, true},
		{"$.delivery-partner", `"UQS"`, true},
		{"$['my key']", `1`, true},
		{"$.n", `null`, true},
		{"$.n.x", "", false},
		{"$.store.book[0].title", `"Sayings"`, true},
		{"$.store.book[-1].title", `"Moby Dick"`, true},
		{"$.store.book[3]", "", false},
		{"$.nope", "", false},
		{"$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville"]`, true},
		{"$.store.book[1:].price", `[12.99,8.99]`, true},
		{"$.store.book[:1].title", `["Sayings"]`, true},
		{"$.store.book[::2].title", `["Sayings","Moby Dick"]`, true},
		{"$.store.book[0,2].price", `[8.95,8.99]`, true},
		{"$.store.bicycle['color','price']", `["red",19.95]`, true},
		{"$..price", `[8.95,12.99,8.99,19.95]`, true},
		{"$..book[?(@.isbn)].title", `["Moby Dick"]`, true},
		{"$.store.book[?(@.price < 10)].title", `["Sayings","Moby Dick"]`, true},
		{"$.store.book[?(@.category == 'fiction' && @.price > 10)].title", `["Sword"]`, true},
		{"$.store.book[?(@.author =~ /.*melville/i)].price", `[8.99]`, true},
		{"$.store.book[?(@.category in ['reference'])].price", `[8.95]`, true},
		{"$.store.book[?(!(@.price >= 9))].title", `["Sayings","Moby Dick"]`, true},
		{"$.missing[*]", `[]`, true},
		{"$.missing[1:].x", `[]`, true},
		{"$.store.book.length()", `3`, true},
		{"$.store.*.color", `["red"]`, true},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := Parse(tc.path)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, found := p.Eval(root)
			if found != tc.found {
				t.Fatalf("found %v, want %v (%s)", found, tc.found, jsonv.String(got))
			}
			if tc.want != "" && jsonv.String(got) != tc.want {
				t.Errorf("got %s, want %s", jsonv.String(got), tc.want)
			}
		})
	}
}

func TestRoots(t *testing.T) {
	tests := []struct {
		path     string
		root     Root
		variable string
		definite bool
		norm     string
	}{
		{"$", RootInput, "", true, "$"},
		{"$$.Execution.Id", RootContext, "", true, "$$['Execution']['Id']"},
		{"$$", RootContext, "", true, "$$"},
		{"$answer", RootVariable, "answer", true, "$answer"},
		{"$x.y[0]", RootVariable, "x", true, "$x['y'][0]"},
		{"$.a[*]", RootInput, "", false, "$['a'][*]"},
		{"$.NoSuchOutputPath", RootInput, "", true, "$['NoSuchOutputPath']"},
	}
	for _, tc := range tests {
		p, err := Parse(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if p.Root() != tc.root || p.Variable() != tc.variable || p.Definite() != tc.definite || p.Normalized() != tc.norm {
			t.Errorf("%s: root %v var %q definite %v normalized %s", tc.path, p.Root(), p.Variable(), p.Definite(), p.Normalized())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "a.b", "$.", "$.a b", "$[", "$[x]", "$.a[?(@.x <)]", "$['unterminated]", "$.a.max()", "$.a.length().b"} {
		t.Run(s, func(t *testing.T) {
			_, err := Parse(s)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Parse(%q) = %v, want a *SyntaxError", s, err)
			}
		})
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name, doc, path, value, want string
		fails                        bool
	}{
		{"new key", `{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`, false},
		{"replace key keeps position", `{"a":1,"b":2}`, "$.a", `3`, `{"a":3,"b":2}`, false},
		{"creates objects", `{"a":1}`, "$.x.y.z", `true`, `{"a":1,"x":{"y":{"z":true}}}`, false},
		{"into an array element", `{"a":[{"b":1},{"b":2}]}`, "$.a[1].c", `3`, `{"a":[{"b":1},{"b":2,"c":3}]}`, false},
		{"through a string", `{"a":"s"}`, "$.a.b", `1`, "", true},
		{"through null", `{"a":null}`, "$.a.b", `1`, "", true},
		{"missing index", `{"a":[]}`, "$.a[0]", `1`, "", true},
		{"on a non-object input", `"s"`, "$.a", `1`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := jsonv.ParseString(tc.doc)
			v, _ := jsonv.ParseString(tc.value)
			got, err := MustParse(tc.path).Set(d, v)
			if tc.fails {
				if err == nil {
					t.Errorf("got %s, want an error", jsonv.String(got))
				}
				return
			}
			if err != nil || jsonv.String(got) != tc.want {
				t.Errorf("got %s %v, want %s", jsonv.String(got), err, tc.want)
			}
			if jsonv.String(d) != tc.doc && tc.doc[0] == '{' {
				again, _ := jsonv.ParseString(tc.doc)
				if !jsonv.Equal(again, d) {
					t.Errorf("Set changed its input: %s", jsonv.String(d))
				}
			}
		})
	}
	if _, err := MustParse("$.a[*]").Set(nil, nil); err == nil {
		t.Error("Set on an indefinite path succeeded")
	}
}
