package jsonpath

import (
	"strconv"
	"strings"
)

// Parse parses a JSONPath expression starting with "$", "$$" or "$name".
// The error is a *SyntaxError.
func Parse(s string) (*Path, error) {
	p := &pathParser{s: s}
	path, err := p.path(false)
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, p.fail("unexpected text")
	}
	path.text = s
	return path, nil
}

type pathParser struct {
	s string
	i int
}

func (p *pathParser) fail(msg string) error {
	return &SyntaxError{Path: p.s, Pos: p.i, Msg: msg}
}

func (p *pathParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// path parses a root and its segments. In a filter, "@" is also a root and
// names end at operators and white space.
func (p *pathParser) path(inFilter bool) (*Path, error) {
	path := &Path{definite: true}
	switch {
	case strings.HasPrefix(p.s[p.i:], "$$"):
		path.root = RootContext
		p.i += 2
	case p.peek() == '$':
		p.i++
		if !inFilter && isIdentStart(p.peek()) {
			start := p.i
			for p.i < len(p.s) && isIdentChar(p.s[p.i]) {
				p.i++
			}
			path.root = RootVariable
			path.variable = p.s[start:p.i]
		}
	case inFilter && p.peek() == '@':
		p.i++
	default:
		return nil, p.fail("a path must start with $")
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c != '.' && c != '[' {
			if inFilter {
				break
			}
			return nil, p.fail("expected '.' or '['")
		}
		if path.fn != "" {
			return nil, p.fail("a function call must end the path")
		}
		if err := p.segment(path, inFilter); err != nil {
			return nil, err
		}
	}
	return path, nil
}

func (p *pathParser) segment(path *Path, inFilter bool) error {
	if p.peek() == '[' {
		return p.bracket(path, inFilter)
	}
	p.i++ // '.'
	if p.peek() == '.' {
		p.i++
		path.definite = false
		path.segs = append(path.segs, segment{kind: segDeepScan})
		switch p.peek() {
		case '[':
			return p.bracket(path, inFilter)
		case '*':
			p.i++
			path.segs = append(path.segs, segment{kind: segWildcard})
			return nil
		}
		name, err := p.name(inFilter)
		if err != nil {
			return err
		}
		path.segs = append(path.segs, segment{kind: segName, name: name})
		return nil
	}
	if p.peek() == '*' {
		p.i++
		path.definite = false
		path.segs = append(path.segs, segment{kind: segWildcard})
		return nil
	}
	name, err := p.name(inFilter)
	if err != nil {
		return err
	}
	if strings.HasPrefix(p.s[p.i:], "()") {
		p.i += 2
		switch name {
		case "length", "size":
			path.fn = name
			return nil
		}
		return p.fail("unsupported function " + name + "()")
	}
	path.segs = append(path.segs, segment{kind: segName, name: name})
	return nil
}

func (p *pathParser) name(inFilter bool) (string, error) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '.' || c == '[' || c == '(' {
			break
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if inFilter {
				break
			}
			return "", p.fail("use bracket notation ['my prop'] for a name with blanks")
		}
		if inFilter && strings.IndexByte(")=<>!&|,", c) >= 0 {
			break
		}
		p.i++
	}
	if p.i == start {
		return "", p.fail("expected a name")
	}
	return p.s[start:p.i], nil
}

func (p *pathParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pathParser) bracket(path *Path, inFilter bool) error {
	p.i++ // '['
	p.skipSpace()
	var seg segment
	switch c := p.peek(); {
	case c == '*':
		p.i++
		seg.kind = segWildcard
		path.definite = false
	case c == '?':
		p.i++
		p.skipSpace()
		if p.peek() != '(' {
			return p.fail("expected '(' after '?'")
		}
		p.i++
		e, err := p.expr()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return p.fail("expected ')' to close the filter")
		}
		p.i++
		seg = segment{kind: segFilter, filter: e}
		path.definite = false
	case c == '\'' || c == '"':
		names, err := p.quotedList()
		if err != nil {
			return err
		}
		if len(names) == 1 {
			seg = segment{kind: segName, name: names[0]}
		} else {
			seg = segment{kind: segUnionNames, names: names}
			path.definite = false
		}
	default:
		s, err := p.indexOrSlice()
		if err != nil {
			return err
		}
		seg = s
		if s.kind != segIndex {
			path.definite = false
		}
	}
	p.skipSpace()
	if p.peek() != ']' {
		return p.fail("expected ']'")
	}
	p.i++
	path.segs = append(path.segs, seg)
	return nil
}

func (p *pathParser) quoted() (string, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == q:
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.fail("unterminated quoted name")
}

func (p *pathParser) quotedList() ([]string, error) {
	var names []string
	for {
		p.skipSpace()
		if c := p.peek(); c != '\'' && c != '"' {
			return nil, p.fail("expected a quoted name")
		}
		n, err := p.quoted()
		if err != nil {
			return nil, err
		}
		names = append(names, n)
		p.skipSpace()
		if p.peek() != ',' {
			return names, nil
		}
		p.i++
	}
}

func (p *pathParser) int() (int, bool) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		p.i = start
		return 0, false
	}
	return n, true
}

func (p *pathParser) indexOrSlice() (segment, error) {
	var seg segment
	first, ok := p.int()
	p.skipSpace()
	if p.peek() == ':' {
		seg.kind = segSlice
		seg.slice[0], seg.has[0] = first, ok
		for part := 1; part < 3 && p.peek() == ':'; part++ {
			p.i++
			p.skipSpace()
			seg.slice[part], seg.has[part] = p.int()
			p.skipSpace()
		}
		return seg, nil
	}
	if !ok {
		return seg, p.fail("expected an index, a slice, '*', a quoted name or a filter")
	}
	if p.peek() != ',' {
		return segment{kind: segIndex, index: first}, nil
	}
	seg = segment{kind: segUnionIndexes, indexes: []int{first}}
	for p.peek() == ',' {
		p.i++
		p.skipSpace()
		n, ok := p.int()
		if !ok {
			return seg, p.fail("expected an index")
		}
		seg.indexes = append(seg.indexes, n)
		p.skipSpace()
	}
	return seg, nil
}
