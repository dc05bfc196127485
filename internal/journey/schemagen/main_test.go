package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/journeys-oss/journeys/internal/testsvc"
)

// TestSchemasUpToDate regenerates the JSON Schemas and compares them with
// the committed ones in schema/.
func TestSchemasUpToDate(t *testing.T) {
	root := testsvc.Root(t)
	out, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(files) {
		t.Fatalf("generated %d schemas, want %d", len(out), len(files))
	}
	for name, want := range out {
		got, err := os.ReadFile(filepath.Join(root, "schema", name))
		if err != nil {
			t.Fatalf("%v (run make schema)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema/%s is out of date: run make schema", name)
		}
		var doc map[string]any
		if err := json.Unmarshal(got, &doc); err != nil {
			t.Errorf("schema/%s: %v", name, err)
		}
	}
}

// TestExamplesReferenceSchemas checks that every example file names its
// schema for editors (yaml-language-server), by a path that exists.
func TestExamplesReferenceSchemas(t *testing.T) {
	root := testsvc.Root(t)
	patterns := map[string]string{
		"journeys/*.journey.yaml":           "journey.schema.json",
		"journeys/segments/*.segment.yaml":  "segment.schema.json",
		"journeys/schema/*.schema.yaml":     "contact-schema.schema.json",
		"journeys/contacts/*.contacts.yaml": "contacts.schema.json",
	}
	for pattern, schema := range patterns {
		matches, _ := filepath.Glob(filepath.Join(root, pattern))
		if len(matches) == 0 {
			t.Errorf("no files match %s", pattern)
		}
		for _, f := range matches {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(src, []byte("\n"))
			const prefix = "# yaml-language-server: $schema="
			if !bytes.HasPrefix(first, []byte(prefix)) {
				t.Errorf("%s does not start with %s", f, prefix)
				continue
			}
			ref := filepath.Join(filepath.Dir(f), string(first[len(prefix):]))
			if filepath.Base(ref) != schema {
				t.Errorf("%s references %s, want %s", f, ref, schema)
			}
			if _, err := os.Stat(ref); err != nil {
				t.Errorf("%s references a missing schema: %v", f, err)
			}
		}
	}
}
