package content

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// A Pos is a position in a content file: 1-based line and column (in
// characters). A zero Line means the position is the file as a whole.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// A Problem is one thing wrong with a template or block, at a position.
type Problem struct {
	Pos     Pos
	Message string // what is wrong
	Hint    string // what to do, may be empty
}

// Error formats the problem as "file:line:col: message (hint)".
func (p Problem) Error() string {
	if p.Hint == "" {
		return p.Pos.String() + ": " + p.Message
	}
	return p.Pos.String() + ": " + p.Message + " (" + p.Hint + ")"
}

// Problems is a list of problems sorted by position. As an error it prints
// the first MaxReported, one per line, and how many more there are.
// Compilation and rendering return a Problems value when a template is
// invalid; use errors.As to get at it.
type Problems []Problem

// MaxReported is how many problems Problems.Error prints.
const MaxReported = 20

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i == MaxReported {
			fmt.Fprintf(&b, "\n... and %d more problems", len(ps)-MaxReported)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// sorted returns ps sorted by file, line, column and message, without
// duplicates (a block included twice reports its problems once).
func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return ps[i].Message < ps[j].Message
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// A srcMap turns byte offsets in one Liquid source into positions. The
// source may start mid-line (a front-matter value), so the first line's
// columns are shifted by base.Col-1.
type srcMap struct {
	text       string
	base       Pos
	lineStarts []int
}

func newSrcMap(text string, base Pos) *srcMap {
	if base.Line == 0 {
		base.Line = 1
	}
	if base.Col == 0 {
		base.Col = 1
	}
	m := &srcMap{text: text, base: base, lineStarts: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			m.lineStarts = append(m.lineStarts, i+1)
		}
	}
	return m
}

// pos returns the position of byte offset off.
func (m *srcMap) pos(off int) Pos {
	if off > len(m.text) {
		off = len(m.text)
	}
	i := sort.Search(len(m.lineStarts), func(i int) bool { return m.lineStarts[i] > off }) - 1
	col := utf8.RuneCountInString(m.text[m.lineStarts[i]:off]) + 1
	if i == 0 {
		col += m.base.Col - 1
	}
	return Pos{File: m.base.File, Line: m.base.Line + i, Col: col}
}
