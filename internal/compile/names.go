package compile

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxStateName is the longest state name Step Functions accepts.
const MaxStateName = 80

// namer hands out unique state names of at most MaxStateName characters.
type namer struct{ used map[string]bool }

// clean keeps a name to characters every Step Functions tool accepts in
// state names.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20, strings.ContainsRune(`"#%\^|~$&,;:/?*<>{}[]`+"`", r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

// name returns base (cleaned, truncated), made unique with a number.
func (n *namer) name(base string) string {
	if n.used == nil {
		n.used = map[string]bool{}
	}
	base = truncate(clean(base), MaxStateName)
	if base == "" {
		base = "State"
	}
	name := base
	for i := 2; n.used[name]; i++ {
		suffix := fmt.Sprintf(" %d", i)
		name = truncate(base, MaxStateName-len(suffix)) + suffix
	}
	n.used[name] = true
	return name
}

// sub returns the name of a helper state of a step: "<step name> - what".
func (n *namer) sub(stepName, what string) string {
	suffix := " - " + what
	return n.name(truncate(stepName, MaxStateName-utf8.RuneCountInString(suffix)) + suffix)
}
