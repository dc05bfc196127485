package journey

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMermaidExamples draws every example journey and compares the chart
// with testdata/graph/<id>.mmd (-update rewrites them), after checking
// that it is a well-formed Mermaid flowchart.
func TestMermaidExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "journeys")
	lib, probs := LoadDir(dir)
	if len(probs) > 0 {
		t.Fatalf("library:\n%s", probs.Format(0))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"+SuffixJourney))
	if len(files) < 5 {
		t.Fatalf("%d example journeys, want at least 5", len(files))
	}
	for _, file := range files {
		id := strings.TrimSuffix(filepath.Base(file), SuffixJourney)
		t.Run(id, func(t *testing.T) {
			c, probs := ReadJourney(file, lib)
			if len(probs) > 0 {
				t.Fatalf("%s", probs.Format(0))
			}
			chart := Mermaid(c)
			checkFlowchart(t, chart, len(c.Journey.Steps))
			golden(t, filepath.Join("testdata", "graph", id+".mmd"), chart)
		})
	}
}

// The lines Mermaid writes: a node with its shape and quoted label, and an
// edge with an optional quoted label.
var (
	nodeLine = regexp.MustCompile(`^  (start|finish|s\d+)(\(\[|\[/|\(\(|\{\{|\[\[|\{|\[)"([^"]*)"(\]\)|/\]|\)\)|\}\}|\]\]|\}|\])$`)
	edgeLine = regexp.MustCompile(`^  (start|s\d+) -->(?:\|"([^"]*)"\|)? (finish|s\d+)$`)
	closing  = map[string]string{"([": "])", "[/": "/]", "((": "))", "{{": "}}", "[[": "]]", "{": "}", "[": "]"}
)

// checkFlowchart checks the chart's grammar as far as Mermaid's flowchart
// reads it: the header, one declaration per node with matching brackets
// and no raw quote or angle bracket in a label, edges between declared
// nodes, and every step drawn and reached by an edge.
func checkFlowchart(t *testing.T, chart string, steps int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(chart, "\n"), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "%% journey ") || lines[1] != "flowchart TD" {
		t.Fatalf("chart does not start with the comment and flowchart TD:\n%s", chart)
	}
	declared, targeted := map[string]bool{}, map[string]bool{}
	var edges [][2]string
	for n, line := range lines[2:] {
		if m := nodeLine.FindStringSubmatch(line); m != nil {
			if closing[m[2]] != m[4] {
				t.Errorf("line %d: %q opens %s and closes %s", n+3, line, m[2], m[4])
			}
			if declared[m[1]] {
				t.Errorf("line %d: node %s declared twice", n+3, m[1])
			}
			if strings.ContainsAny(m[3], "<>") {
				t.Errorf("line %d: label %q holds an unescaped angle bracket", n+3, m[3])
			}
			declared[m[1]] = true
			continue
		}
		if m := edgeLine.FindStringSubmatch(line); m != nil {
			edges = append(edges, [2]string{m[1], m[3]})
			targeted[m[3]] = true
			continue
		}
		t.Errorf("line %d is neither a node nor an edge: %q", n+3, line)
	}
	for _, e := range edges {
		for _, id := range e {
			if !declared[id] {
				t.Errorf("edge %s --> %s: node %s is not declared", e[0], e[1], id)
			}
		}
	}
	if !declared["start"] || !targeted["s0"] {
		t.Error("the trigger does not lead to the first step")
	}
	for i := 0; i < steps; i++ {
		if id := "s" + itoa(i); !declared[id] || !targeted[id] {
			t.Errorf("step %s is not drawn or no edge leads to it", id)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
