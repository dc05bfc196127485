package journey

import (
	"os"
	"path/filepath"
	"testing"
)

// maxFuzzInput caps fuzz inputs: larger files add time, not coverage.
const maxFuzzInput = 1 << 16

// seedFiles adds the example files matching pattern, and extra sources.
func seedFiles(f *testing.F, pattern string, extra ...string) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "journeys", pattern))
	if len(files) == 0 {
		f.Fatalf("no example matches %s", pattern)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// placed fails unless every problem names one of the files, a line and a
// message.
func placed(t *testing.T, probs Problems, files ...string) {
	t.Helper()
	for _, p := range probs {
		ok := false
		for _, f := range files {
			ok = ok || p.Pos.File == f
		}
		if !ok || p.Pos.Line < 1 || p.Pos.Col < 0 || p.Message == "" {
			t.Fatalf("problem without a position in %v or a message: %#v", files, p)
		}
	}
}

// FuzzSegmentFile: any segment file parses and checks against the test
// library to a segment or problems with positions, never a panic.
func FuzzSegmentFile(f *testing.F) {
	seedFiles(f, "segments/*.segment.yaml",
		"name: x\nbusinessUnit: acme\ncondition: contact.leadScore >\n",
		"name: x\nbusinessUnit: acme\ncontacts: [c-1, c-1, 3]\ncondition: true\n")
	lib := testLib(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzInput {
			return
		}
		s, probs := ParseSegment("f.segment.yaml", src)
		if s == nil {
			t.Fatal("ParseSegment returned no segment")
		}
		placed(t, probs, "f.segment.yaml")
		placed(t, lib.CheckSegment(s), "f.segment.yaml")
	})
}

// FuzzSchemaFile: any contact schema parses to a schema or problems with
// positions; a schema without problems builds its CEL environment.
func FuzzSchemaFile(f *testing.F) {
	seedFiles(f, "schema/*.schema.yaml", testSchema,
		"businessUnit: acme\nattributes:\n  x: {type: map}\n  y: {type: string, values: [1]}\n")
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzInput {
			return
		}
		s, probs := ParseSchema("f.schema.yaml", src)
		if s == nil {
			t.Fatal("ParseSchema returned no schema")
		}
		placed(t, probs, "f.schema.yaml")
		lib := NewLibrary()
		more := lib.AddSchema("f.schema.yaml", src)
		placed(t, more, "f.schema.yaml")
		if len(more) == 0 && s.BusinessUnit != "" {
			if _, err := lib.Env(s.BusinessUnit); err != nil {
				t.Fatalf("a schema without problems gives no environment: %v", err)
			}
		}
	})
}

// FuzzContactsFile: any sample contacts file parses and checks against the
// test library to contacts or problems with positions.
func FuzzContactsFile(f *testing.F) {
	seedFiles(f, "contacts/*.contacts.yaml",
		"businessUnit: acme\ncontacts:\n  - {id: c-1, attributes: {leadScore: high}, consent: {email: maybe}}\n")
	lib := testLib(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzInput {
			return
		}
		c, probs := ParseContacts("f.contacts.yaml", src)
		if c == nil {
			t.Fatal("ParseContacts returned no contacts")
		}
		placed(t, probs, "f.contacts.yaml")
		placed(t, lib.CheckContacts(c), "f.contacts.yaml")
	})
}

// FuzzBundle: a stored bundle of any journey, schema and segment text
// loads to a checked journey or to problems placed in one of its files.
func FuzzBundle(f *testing.F) {
	journeys, _ := filepath.Glob(filepath.Join("..", "..", "journeys", "*"+SuffixJourney))
	read := func(file string) string {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		return string(src)
	}
	schema := read(filepath.Join("..", "..", "journeys", "schema", "northwind.schema.yaml"))
	segment := read(filepath.Join("..", "..", "journeys", "segments", "engaged-30d.segment.yaml"))
	for _, j := range journeys {
		f.Add(read(j), schema, segment)
	}
	f.Add(header+"  - {id: a, if: {segment: engaged, then: end}}\n", testSchema, "name: engaged\nbusinessUnit: acme\ncondition: opened(days(30))\n")
	f.Fuzz(func(t *testing.T, journey, schema, segment string) {
		if len(journey)+len(schema)+len(segment) > maxFuzzInput {
			return
		}
		b := Bundle{
			Journey:  BundleFile{Name: "j.journey.yaml", Source: journey},
			Schema:   BundleFile{Name: "s.schema.yaml", Source: schema},
			Segments: []BundleFile{{Name: "g.segment.yaml", Source: segment}},
		}
		data, err := b.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseBundle(data)
		if err != nil {
			if journey != "" && schema != "" {
				t.Fatalf("a marshalled bundle does not parse: %v", err)
			}
			return
		}
		c, lib, probs := back.Load(nil)
		placed(t, probs, "j.journey.yaml", "s.schema.yaml", "g.segment.yaml")
		if (c == nil) != (len(probs) > 0) || (c == nil) != (lib == nil) {
			t.Fatalf("Load gave checked %v, library %v and %d problems", c != nil, lib != nil, len(probs))
		}
	})
}

// FuzzParseBundle: any stored bytes decode to a bundle or an error.
func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"journey":{"name":"j.journey.yaml","source":"id: j\n"},"schema":{"name":"s.schema.yaml","source":"businessUnit: acme\n"}}`))
	f.Add([]byte(`{"journey":{}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		b, err := ParseBundle(data)
		if err != nil {
			return
		}
		_, _, probs := b.Load(nil)
		names := []string{b.Journey.Name, b.Schema.Name}
		for _, s := range b.Segments {
			names = append(names, s.Name)
		}
		placed(t, probs, names...)
	})
}
