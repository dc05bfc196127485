package journey

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxWait is the longest a single wait, timeout or journey may last: a Step
// Functions Standard execution lives at most one year.
const MaxWait = 365 * 24 * time.Hour

// A Duration is a length of time written as whole units: 30s, 15m, 2h, 3d,
// 2w, or several together (1d12h).
type Duration struct {
	D    time.Duration
	Text string
	Pos  Pos
}

var durationRE = regexp.MustCompile(`^(\d+[smhdw])+$`)
var durationPart = regexp.MustCompile(`(\d+)([smhdw])`)

// ParseDuration reads a duration in the journey syntax.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if !durationRE.MatchString(s) {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	var total time.Duration
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 1e7 {
			return 0, fmt.Errorf("duration %q is out of range", s)
		}
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		total += time.Duration(n) * unit
	}
	return total, nil
}

// FormatDuration writes d in the journey syntax, largest units first.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		s string
		d time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.s)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// Seconds returns the duration in whole seconds.
func (d Duration) Seconds() int64 { return int64(d.D / time.Second) }

// IsSet reports whether the duration was written.
func (d Duration) IsSet() bool { return d.Text != "" }

func (d *Duration) decodeNode(dec *decoder, n *yaml.Node) {
	d.Pos = dec.pos(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		dec.add(n, "write it like 30m, 2h, 3d or 1w", "expected a duration, got %s", describe(n))
		return
	}
	d.Text = n.Value
	v, err := ParseDuration(n.Value)
	if err != nil {
		hint := "write it like 30m, 2h, 3d or 1w"
		if _, perr := time.ParseDuration(n.Value); perr == nil {
			hint = "units are s, m, h, d and w, without fractions; write it like 90m or 1d12h"
		}
		dec.add(n, hint, "%q is not a duration", n.Value)
		return
	}
	d.D = v
}

// An Expr is a CEL expression held in a YAML scalar, with what it takes to
// turn a position inside the expression into a position in the file.
type Expr struct {
	Src string
	Pos Pos // where the scalar starts
	// lineStarts maps each expression line to where it starts in the file.
	lineStarts []Pos
}

// IsSet reports whether an expression was written.
func (e *Expr) IsSet() bool { return e != nil && strings.TrimSpace(e.Src) != "" }

// At maps a 1-based line and 0-based column inside the expression to the
// file.
func (e *Expr) At(line, col int) Pos {
	if line < 1 || len(e.lineStarts) == 0 {
		return e.Pos
	}
	if line > len(e.lineStarts) {
		line = len(e.lineStarts)
	}
	p := e.lineStarts[line-1]
	p.Col += col
	return p
}

func (e *Expr) decodeNode(dec *decoder, n *yaml.Node) {
	e.Pos = dec.pos(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		dec.add(n, "write the condition as one CEL expression in a string", "expected a condition, got %s", describe(n))
		return
	}
	if t := n.ShortTag(); t == "!!int" || t == "!!float" || t == "!!timestamp" {
		dec.add(n, "", "expected a condition, got %s", describe(n))
		return
	}
	e.Src = n.Value
	e.lineStarts = dec.scalarLines(n, strings.Count(n.Value, "\n")+1)
}

// scalarLines works out where each line of a scalar's value starts in the
// file. Block scalars (| and >) start on the line after the indicator at
// the block's indentation; quoted scalars one column after the quote.
func (dec *decoder) scalarLines(n *yaml.Node, lines int) []Pos {
	start := dec.pos(n)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		first := n.Line + 1
		for first <= len(dec.lines) && strings.TrimSpace(dec.lines[first-1]) == "" {
			first++
		}
		indent := 0
		if first <= len(dec.lines) {
			indent = len(dec.lines[first-1]) - len(strings.TrimLeft(dec.lines[first-1], " "))
		}
		out := make([]Pos, lines)
		for i := range out {
			out[i] = Pos{File: dec.file, Line: first + i, Col: indent + 1}
		}
		if n.Style&yaml.FoldedStyle != 0 {
			for i := range out {
				out[i] = out[0]
			}
		}
		return out
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		start.Col++
	}
	out := make([]Pos, lines)
	for i := range out {
		out[i] = start
	}
	return out
}

// A TimeOfDay is a wall-clock time HH:MM in the contact's time zone.
type TimeOfDay struct {
	Hour, Minute int
	Text         string
	Pos          Pos
}

var clockRE = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)$`)

func (t *TimeOfDay) decodeNode(dec *decoder, n *yaml.Node) {
	t.Pos = dec.pos(n)
	if isNull(n) {
		return
	}
	m := clockRE.FindStringSubmatch(n.Value)
	if n.Kind != yaml.ScalarNode || m == nil {
		dec.add(n, `write it as HH:MM on a 24-hour clock, quoted, e.g. "09:30"`, "expected a time of day, got %s", describe(n))
		return
	}
	t.Text = n.Value
	t.Hour, _ = strconv.Atoi(m[1])
	t.Minute, _ = strconv.Atoi(m[2])
}

// IsSet reports whether the time of day was written.
func (t TimeOfDay) IsSet() bool { return t.Text != "" }

// String formats the time as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// A Date is a point in time: a date (2026-03-01, midnight UTC) or an RFC
// 3339 timestamp. A wait's until must be a timestamp (see Wait.Until).
type Date struct {
	T    time.Time
	Text string
	Pos  Pos
}

// IsSet reports whether the date was written.
func (t Date) IsSet() bool { return t.Text != "" }

func (t *Date) decodeNode(dec *decoder, n *yaml.Node) {
	t.Pos = dec.pos(n)
	if isNull(n) {
		return
	}
	if n.Kind == yaml.ScalarNode {
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if v, err := time.Parse(layout, n.Value); err == nil {
				t.T, t.Text = v.UTC(), n.Value
				return
			}
		}
	}
	dec.add(n, "write a date like 2026-03-01 or a time like 2026-03-01T09:00:00Z", "expected a date, got %s", describe(n))
}

// Fields is a mapping of names to plain values (strings, numbers, booleans,
// lists), in the order written, each with its position.
type Fields []Field

// A Field is one entry of Fields.
type Field struct {
	Key    string
	Value  any
	KeyPos Pos
	Pos    Pos
}

// Map returns the fields as a map.
func (fs Fields) Map() map[string]any {
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		m[f.Key] = f.Value
	}
	return m
}

func (fs *Fields) decodeNode(dec *decoder, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		dec.add(n, "", "expected a mapping (name: value), got %s", describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := dec.resolve(n.Content[i]), dec.resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			dec.add(k, "", "a key must be a plain name, got %s", describe(k))
			continue
		}
		if seen[k.Value] {
			dec.add(k, "", "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		*fs = append(*fs, Field{Key: k.Value, Value: dec.generic(v, 0), KeyPos: dec.pos(k), Pos: dec.pos(v)})
	}
}
