// Command schemagen writes the JSON Schemas of the journey files (journey,
// segment, contact schema, sample contacts) from the Go types of
// internal/journey, so that editors complete and check them. Run it from
// the repository root: `make schema` (go run ./internal/journey/schemagen
// schema). A test fails when the committed schemas are out of date.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/invopop/jsonschema"
	"github.com/journeys-oss/journeys/internal/journey"
)

const module = "github.com/journeys-oss/journeys"

// files maps each schema file to the type it describes and its title.
var files = []struct {
	name, title string
	v           any
}{
	{"journey.schema.json", "Journey", &journey.Journey{}},
	{"segment.schema.json", "Segment", &journey.SegmentFile{}},
	{"contact-schema.schema.json", "Contact schema", &journey.Schema{}},
	{"contacts.schema.json", "Sample contacts", &journey.ContactsFile{}},
}

func main() {
	dir := "schema"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	out, err := generate(".")
	if err == nil {
		err = write(dir, out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemagen: %v\n", err)
		os.Exit(1)
	}
}

func write(dir string, out map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range out {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate returns each schema file's contents; root is the repository
// root, where the Go comments that become descriptions are read.
func generate(root string) (map[string][]byte, error) {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", Mapper: mapper, ExpandedStruct: true}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(root); err != nil {
		return nil, err
	}
	err = r.AddGoComments(module, "./internal/journey")
	if cerr := os.Chdir(wd); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read go comments: %w", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		s := r.Reflect(f.v)
		s.ID = jsonschema.ID("https://" + module + "/schema/" + f.name)
		s.Title = "journeys: " + f.title
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out[f.name] = b.Bytes()
	}
	return out, nil
}

// mapper gives the value types their YAML form.
func mapper(t reflect.Type) *jsonschema.Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeOf(journey.Duration{}):
		return &jsonschema.Schema{Type: "string", Pattern: `^(\d+[smhdw])+$`,
			Description: "A duration in whole units: 30s, 15m, 2h, 3d, 2w, or several together (1d12h). At most 365d.",
			Examples:    []any{"3d", "12h", "1d12h"}}
	case reflect.TypeOf(journey.Expr{}):
		return &jsonschema.Schema{Type: "string",
			Description: "A CEL condition over contact, interactions, event and now, e.g. contact.leadScore > 50 && opened(days(30)).",
			Examples:    []any{"contact.leadScore >= 60", "opened(days(30))"}}
	case reflect.TypeOf(journey.TimeOfDay{}):
		return &jsonschema.Schema{Type: "string", Pattern: `^([01]?\d|2[0-3]):[0-5]\d$`,
			Description: "A time of day on a 24-hour clock, HH:MM, in the contact's time zone.", Examples: []any{"09:00"}}
	case reflect.TypeOf(journey.Date{}):
		return &jsonschema.Schema{Type: "string", Pattern: `^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))?$`,
			Description: "A date (2026-03-01, midnight UTC) or an RFC 3339 time (2026-03-01T09:00:00Z)."}
	case reflect.TypeOf(journey.Fields{}):
		return &jsonschema.Schema{Type: "object", Description: "Names and plain values."}
	}
	return nil
}
