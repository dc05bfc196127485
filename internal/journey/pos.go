package journey

import "fmt"

// A Pos is a position in a source file: 1-based line and column. The zero
// Pos means "unknown".
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String formats the position as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0 && p.File == "":
		return "-"
	case p.Line == 0:
		return p.File
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p sorts before q (by file, line, column).
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Meta is embedded in every model node that comes from a YAML mapping: where
// the mapping starts and where the value of each key it had starts (for a
// key whose value is a map, also of each entry, as "key.entry"). The
// parser fills it; nothing works positions out again later.
type Meta struct {
	Pos  Pos            `yaml:"-" json:"-"`
	Keys map[string]Pos `yaml:"-" json:"-"`
	// Unknown lists keys the mapping had that the model does not know
	// (already reported); checks that would only repeat them are skipped.
	Unknown []string `yaml:"-" json:"-"`
}

// At returns the position of the value of key, or of the mapping itself when
// the key was absent.
func (m Meta) At(key string) Pos {
	if p, ok := m.Keys[key]; ok {
		return p
	}
	return m.Pos
}

// Has reports whether the mapping had key.
func (m Meta) Has(key string) bool {
	_, ok := m.Keys[key]
	return ok
}

func (m *Meta) meta() *Meta { return m }
