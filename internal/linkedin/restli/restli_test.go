package restli

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   Value
		want string
	}{
		{"urn", "urn:li:sponsoredAccount:123", "urn%3Ali%3AsponsoredAccount%3A123"},
		{"empty", "", "''"},
		{"reserved chars", "a(b),c:d'e f", "a%28b%29%2Cc%3Ad%27e%20f"},
		{"unicode", "é", "%C3%A9"},
		{"owner", Object{{"sponsoredAccount", "urn:li:sponsoredAccount:123"}}, "(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A123)"},
		{"criteria owner", Object{{"value", Object{{"sponsoredAccount", "urn:li:sponsoredAccount:1"}}}}, "(value:(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1))"},
		{"time range", Object{{"start", "1"}, {"end", "2"}}, "(start:1,end:2)"},
		{"list", List{"A", Object{{"k", "v"}}}, "List(A,(k:v))"},
		{"empty list", List{}, "List()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Encode(tt.in)
			if got != tt.want {
				t.Fatalf("Encode = %q, want %q", got, tt.want)
			}
			back, err := Decode(got)
			if err != nil {
				t.Fatalf("Decode(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.in, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{"(a:b", "(a)", "(a:b))", "List(a", "a'b", "%zz"} {
		if _, err := Decode(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("Decode(%q) = %v, want ErrSyntax", in, err)
		}
	}
}

func TestQuery(t *testing.T) {
	q := (&Query{}).Add("q", "owner").
		Add("owner", Object{{"sponsoredAccount", "urn:li:sponsoredAccount:9"}}).
		AddRaw("fields", "id,form:(id,content)").
		Add("count", "10")
	want := "q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A9)&fields=id,form:(id,content)&count=10"
	if got := q.Encode(); got != want {
		t.Fatalf("Encode = %q\nwant     %q", got, want)
	}
	parsed, err := ParseQuery(want)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := Decode(parsed["owner"])
	if err != nil {
		t.Fatal(err)
	}
	if got := owner.(Object).String("sponsoredAccount"); got != "urn:li:sponsoredAccount:9" {
		t.Errorf("owner = %q", got)
	}
	if parsed["fields"] != "id,form:(id,content)" {
		t.Errorf("fields = %q", parsed["fields"])
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("(value:(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1))")
	f.Add("List(a,(b:c),'')")
	f.Add("(start:1,end:2)")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Decode(s)
		if err != nil {
			return
		}
		// Whatever decodes must encode to something that decodes the same.
		again, err := Decode(Encode(v))
		if err != nil {
			t.Fatalf("re-decode of %q: %v", Encode(v), err)
		}
		if diff := cmp.Diff(v, again); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
