package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
	"go.yaml.in/yaml/v3"
)

// A Reader decodes YAML nodes into the simulator's file formats, collecting
// every problem with its position (the events file here, journey test
// files in package journeytest).
type Reader struct {
	File     string
	Problems journey.Problems
}

// Pos returns a node's position.
func (r *Reader) Pos(n *yaml.Node) journey.Pos {
	return journey.Pos{File: r.File, Line: n.Line, Col: n.Column}
}

// Add records a problem at a node.
func (r *Reader) Add(n *yaml.Node, hint, format string, args ...any) {
	r.Problems.Add(r.Pos(n), hint, format, args...)
}

// Parse reads a document's root node; nil after a syntax problem.
func (r *Reader) Parse(src []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 1
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		}
		r.Problems.Add(journey.Pos{File: r.File, Line: line, Col: 1}, "", "%s", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		r.Problems.Add(journey.Pos{File: r.File, Line: 1, Col: 1}, "", "the file is empty")
		return nil
	}
	return doc.Content[0]
}

// Mapping calls fn for each key of a mapping node, refusing keys not in
// allowed (with a hint listing them) and duplicates.
func (r *Reader) Mapping(n *yaml.Node, what string, allowed []string, fn func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.Add(n, "", "%s: expected a mapping, got %s", what, kind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !contains(allowed, k.Value):
			sorted := append([]string(nil), allowed...)
			sort.Strings(sorted)
			r.Add(k, "known keys: "+strings.Join(sorted, ", "), "%s: unknown key %q", what, k.Value)
		case seen[k.Value]:
			r.Add(k, "", "%s: duplicate key %q", what, k.Value)
		default:
			seen[k.Value] = true
			fn(k.Value, k, v)
		}
	}
}

// Sequence calls fn for each item of a sequence node.
func (r *Reader) Sequence(n *yaml.Node, what string, fn func(i int, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		r.Add(n, "", "%s: expected a list, got %s", what, kind(n))
		return
	}
	for i, item := range n.Content {
		fn(i, item)
	}
}

// String reads a scalar as text.
func (r *Reader) String(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		r.Add(n, "", "%s: expected text, got %s", what, kind(n))
		return ""
	}
	return n.Value
}

// Value reads any node as plain data: string, int, float64, bool, nil,
// []any or map[string]any.
func (r *Reader) Value(n *yaml.Node, what string) any {
	var v any
	if err := n.Decode(&v); err != nil {
		r.Add(n, "", "%s: %v", what, err)
		return nil
	}
	return plain(v)
}

// plain turns YAML's decoded values into JSON-like ones (timestamps
// become RFC 3339 text, map keys text).
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
		return x
	case interface{ Format(string) string }:
		return x.Format("2006-01-02T15:04:05Z07:00")
	}
	return v
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.ShortTag() == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
