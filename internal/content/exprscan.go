package content

// A varRef is a variable an expression reads: its root name and the static
// property path after it (contact.firstName → root "contact", path
// ["firstName"]). dynamic is set when a segment is an index expression that
// cannot be named statically (contact[x]).
type varRef struct {
	root    string
	path    []string
	dynamic bool
	off     int // byte offset of the root in the expression
}

// A filterRef is a filter an expression applies.
type filterRef struct {
	name string
	off  int
}

// exprInfo is what the static check needs to know about one expression.
type exprInfo struct {
	vars    []varRef
	filters []filterRef
	ranges  int // number of (a..b) ranges
}

// words that the expression language reads as literals or operators, not
// variables. empty and blank are Shopify names that this library evaluates
// as undefined (nil); they are accepted so templates written for Shopify
// check cleanly.
var exprWords = map[string]bool{
	"and": true, "or": true, "contains": true, "true": true, "false": true,
	"nil": true, "null": true, "in": true, "empty": true, "blank": true,
	"reversed": true,
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

// scanExpr finds the variables, filters and ranges in a Liquid expression.
// It follows the library's lexer (expressions/scanner.rl): identifiers are
// [A-Za-z_][A-Za-z0-9_-]*?, "name:" is a keyword (filter or named
// argument), strings have no escapes. It does not validate syntax; the
// library's parser does that.
func scanExpr(s string) exprInfo {
	var info exprInfo
	afterPipe := false
	var cur *varRef // the variable whose path is being read
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c {
				j++
			}
			lit := s[min(i+1, len(s)):min(j, len(s))]
			i = min(j+1, len(s))
			cur = appendIndex(cur, s, i, lit)
		case c == '.' && i+1 < len(s) && s[i+1] == '.':
			info.ranges++
			cur = nil
			i += 2
		case c == '.' && i+1 < len(s) && isIdentStart(s[i+1]):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '?' {
				j++
			}
			if cur != nil {
				cur.path = append(cur.path, s[i+1:j])
			}
			i = j
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
				j++
			}
			i = j
			cur = nil
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '?' {
				j++
			}
			word := s[i:j]
			keyword := j < len(s) && s[j] == ':'
			switch {
			case afterPipe:
				info.filters = append(info.filters, filterRef{name: word, off: i})
				afterPipe = false
				cur = nil
			case keyword || exprWords[word]:
				cur = nil
			default:
				info.vars = append(info.vars, varRef{root: word, off: i})
				cur = &info.vars[len(info.vars)-1]
			}
			if keyword {
				j++
			}
			i = j
		case c == '|':
			afterPipe = true
			cur = nil
			i++
		case c == '[':
			// An index: contact["firstName"] is read as a property by the
			// string case above; anything else makes the path dynamic.
			i++
			if cur != nil && !(i < len(s) && (s[i] == '"' || s[i] == '\'')) {
				cur.dynamic = true
				cur = nil
			}
		case c == ']':
			i++
		default:
			cur = nil
			i++
		}
	}
	return info
}

// appendIndex handles a string literal: right after "[" of a variable it is a
// static property name; otherwise it ends the variable.
func appendIndex(cur *varRef, s string, next int, lit string) *varRef {
	if cur == nil {
		return nil
	}
	if next < len(s) && s[next] == ']' {
		cur.path = append(cur.path, lit)
		return cur
	}
	return nil
}
