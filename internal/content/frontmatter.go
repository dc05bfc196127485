package content

import (
	"strings"
	"unicode/utf8"
)

// A field is one "key: value" line of front matter.
type field struct {
	key, value string
	keyPos     Pos
	valuePos   Pos
}

// splitFrontMatter splits a content file into its front-matter fields and
// its body. Front matter is optional; when present the file starts with a
// line "---" and the fields end at the next "---" line. A field is
// "key: value" on one line, the value taken literally to the end of the
// line (no YAML quoting, so Liquid in a subject needs no escaping and its
// columns are exact). Blank lines and lines starting with # are ignored.
func splitFrontMatter(file, text string) (fields []field, body string, bodyPos Pos, problems Problems) {
	bodyPos = Pos{File: file, Line: 1, Col: 1}
	text = strings.TrimPrefix(text, "\ufeff")
	if !strings.HasPrefix(text, "---\n") && !strings.HasPrefix(text, "---\r\n") {
		return nil, text, bodyPos, nil
	}
	rest := text[strings.IndexByte(text, '\n')+1:]
	line := 2
	for {
		nl := strings.IndexByte(rest, '\n')
		if nl < 0 {
			problems = append(problems, Problem{Pos: Pos{File: file, Line: 1, Col: 1}, Message: "front matter is not closed", Hint: "end it with a line ---"})
			return fields, "", bodyPos, problems
		}
		raw := strings.TrimSuffix(rest[:nl], "\r")
		rest = rest[nl+1:]
		trimmed := strings.TrimSpace(raw)
		switch {
		case trimmed == "---":
			return fields, rest, Pos{File: file, Line: line + 1, Col: 1}, problems
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		default:
			key, value, ok := strings.Cut(raw, ":")
			if !ok || strings.TrimSpace(key) == "" {
				problems = append(problems, Problem{Pos: Pos{File: file, Line: line, Col: 1}, Message: "expected key: value", Hint: "or --- to end the front matter"})
				break
			}
			lead := len(value) - len(strings.TrimLeft(value, " \t"))
			col := utf8.RuneCountInString(key) + 2 + lead
			fields = append(fields, field{
				key:      strings.TrimSpace(key),
				value:    strings.TrimSpace(value),
				keyPos:   Pos{File: file, Line: line, Col: 1 + len(key) - len(strings.TrimLeft(key, " \t"))},
				valuePos: Pos{File: file, Line: line, Col: col},
			})
		}
		line++
	}
}

// splitParts splits an email body into its html part and an optional text
// part introduced by a line "--- text".
func splitParts(body string, pos Pos, first PartName) []Part {
	parts := []Part{{Name: first, Pos: pos}}
	line, start := pos.Line, 0
	for i := 0; i <= len(body); {
		nl := strings.IndexByte(body[i:], '\n')
		end := len(body)
		if nl >= 0 {
			end = i + nl
		}
		if name, ok := strings.CutPrefix(strings.TrimSpace(body[i:end]), "--- "); ok && isIdentifier(name) {
			parts[len(parts)-1].Source = body[start:i]
			parts = append(parts, Part{Name: PartName(name), Pos: Pos{File: pos.File, Line: line + 1, Col: 1}})
			start = min(end+1, len(body))
		}
		if nl < 0 {
			break
		}
		i = end + 1
		line++
	}
	parts[len(parts)-1].Source = body[start:]
	return parts
}
