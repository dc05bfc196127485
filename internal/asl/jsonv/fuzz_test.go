package jsonv

import "testing"

// FuzzParse: any text either fails to parse or round-trips: parse, encode,
// parse again gives an equal value and the same text, and Size is exact.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9\ud83c\udd97",null,true]}`, `"\\"`, `[]`, `-0.0`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			return
		}
		text := Marshal(v)
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("re-parse %s: %v", text, err)
		}
		if !Equal(v, again) || string(Marshal(again)) != string(text) {
			t.Fatalf("round trip changed %s into %s", text, Marshal(again))
		}
		if n := Size(v, 1<<30); n != len(text) {
			t.Fatalf("Size %d, encoded %d", n, len(text))
		}
	})
}
