package content

import (
	"regexp"
	"strings"
)

// tokenPattern is the token expression of github.com/osteele/liquid's
// scanner (parser/scanner.go, default delimiters). Scanning with the same
// pattern gives the same tokens the library compiles, with byte offsets,
// which the library does not keep: it reports lines only.
var tokenPattern = regexp.MustCompile(`\{\{-?\s*(.+?)\s*-?\}\}|\{%-?\s*(\w+)(?:\s+((?:[^%]|%[^}])+?))?\s*-?%\}`)

type tokKind uint8

const (
	tokText tokKind = iota
	tokObject
	tokTag
)

// A token is one piece of a Liquid source: text, {{ object }} or {% tag %}.
type token struct {
	kind    tokKind
	off     int    // byte offset of the token in the source
	src     string // the whole token
	name    string // tag name
	args    string // tag arguments or object expression
	argsOff int    // byte offset of args in the source
	trimL   bool   // {{- or {%-
	trimR   bool   // -}} or -%}
}

// scan splits source into tokens.
func scan(source string) []token {
	var toks []token
	p := 0
	for _, m := range tokenPattern.FindAllStringSubmatchIndex(source, -1) {
		ts, te := m[0], m[1]
		if p < ts {
			toks = append(toks, token{kind: tokText, off: p, src: source[p:ts]})
		}
		t := token{off: ts, src: source[ts:te]}
		t.trimL = t.src[2] == '-'
		t.trimR = t.src[len(t.src)-3] == '-'
		if strings.HasPrefix(t.src, "{{") {
			t.kind = tokObject
			t.args, t.argsOff = source[m[2]:m[3]], m[2]
		} else {
			t.kind = tokTag
			t.name = source[m[4]:m[5]]
			t.argsOff = m[5]
			if m[6] >= 0 {
				t.args, t.argsOff = source[m[6]:m[7]], m[6]
			}
		}
		toks = append(toks, t)
		p = te
	}
	if p < len(source) {
		toks = append(toks, token{kind: tokText, off: p, src: source[p:]})
	}
	return toks
}
