package journey

import (
	"fmt"
	"sort"
	"strings"
)

// A Problem is one thing wrong with a file: where, what, and what to do.
type Problem struct {
	Pos     Pos    `json:"pos"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// String formats the problem as `file:line:col: message (hint)`.
func (p Problem) String() string {
	s := p.Pos.String() + ": " + p.Message
	if p.Hint != "" {
		s += " (" + p.Hint + ")"
	}
	return s
}

// Problems is a list of problems. Sort orders it by position.
type Problems []Problem

// MaxReported is how many problems Error and Format show before
// summarising the rest as "and N more".
const MaxReported = 20

// Add appends a problem.
func (ps *Problems) Add(pos Pos, hint, format string, args ...any) {
	*ps = append(*ps, Problem{Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Sort orders the problems by file, line and column, keeping the order in
// which they were found among equal positions, and drops exact duplicates.
func (ps Problems) Sort() Problems {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Pos.Before(ps[j].Pos) })
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Format writes the problems one a line, capped at max (MaxReported when
// max <= 0) with a closing "and N more" line.
func (ps Problems) Format(max int) string {
	if max <= 0 {
		max = MaxReported
	}
	var b strings.Builder
	for i, p := range ps {
		if i == max {
			fmt.Fprintf(&b, "and %d more\n", len(ps)-max)
			break
		}
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Error implements error: the sorted, capped list.
func (ps Problems) Error() string {
	return strings.TrimSuffix(ps.Format(MaxReported), "\n")
}

// Err returns the problems as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Merge adds later problems to earlier ones, leaving out those at a
// position where an earlier problem already is: a value that could not be
// read is reported once, not again by every check that looks at it.
func (ps Problems) Merge(later Problems) Problems {
	at := make(map[Pos]bool, len(ps))
	for _, p := range ps {
		at[p.Pos] = true
	}
	out := append(Problems(nil), ps...)
	for _, p := range later {
		if !at[p.Pos] {
			out = append(out, p)
		}
	}
	return out.Sort()
}
