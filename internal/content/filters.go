package content

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/osteele/liquid/values"
	"github.com/osteele/tuesday"

	"github.com/osteele/liquid/filters"
	"github.com/osteele/liquid/render"
)

// addFilters installs the library's standard filters, then replaces those
// that could build unbounded values or that must know about escaping.
func addFilters(cfg *render.Config) {
	filters.AddStandardFilters(cfg)
	cfg.AddFilter("raw", func(s string) safeHTML { return safeHTML(s) })
	cfg.AddFilter("escape", func(s string) safeHTML { return safeHTML(html.EscapeString(s)) })
	cfg.AddFilter("escape_once", func(s string) safeHTML {
		return safeHTML(html.EscapeString(html.UnescapeString(s)))
	})
	cfg.AddFilter("json", func(v any) (safeJSON, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return safeJSON(b), nil
	})
	cfg.AddFilter("date", dateFilter)
	cfg.AddFilter("append", func(s, t string) (string, error) { return concatBounded(s, t) })
	cfg.AddFilter("prepend", func(s, t string) (string, error) { return concatBounded(t, s) })
	cfg.AddFilter("replace", func(s, old, repl string) (string, error) {
		return replaceBounded(s, old, repl, -1)
	})
	cfg.AddFilter("replace_first", func(s, old, repl string) (string, error) {
		return replaceBounded(s, old, repl, 1)
	})
	cfg.AddFilter("concat", func(a, b []any) ([]any, error) {
		if len(a)+len(b) > maxValueLen/8 {
			return nil, errTooLong
		}
		return append(append(make([]any, 0, len(a)+len(b)), a...), b...), nil
	})
	cfg.AddFilter("join", func(a []any, sep func(string) string) (string, error) {
		parts := make([]string, 0, len(a))
		n := 0
		for _, v := range a {
			if v == nil {
				continue
			}
			s := fmt.Sprint(v)
			n += len(s) + len(sep(" "))
			if n > maxValueLen {
				return "", errTooLong
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep(" ")), nil
	})
}

// dateFilter formats a time, or a string the library can read as one, with
// strftime. Like Shopify's, it returns input it cannot read as a date
// unchanged instead of failing the message ("now" and "today" are the
// current time).
func dateFilter(v any, format func(string) string) any {
	f := format("%a, %b %d, %y")
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		var err error
		switch strings.TrimSpace(x) {
		case "now", "today":
			t = time.Now()
		default:
			if t, err = values.ParseDate(x); err != nil {
				return v
			}
		}
	default:
		return v
	}
	s, err := tuesday.Strftime(f, t)
	if err != nil {
		return v
	}
	return s
}

var errTooLong = fmt.Errorf("%w: a filter would build a value larger than %d bytes", ErrLimit, maxValueLen)

func concatBounded(a, b string) (string, error) {
	if len(a)+len(b) > maxValueLen {
		return "", errTooLong
	}
	return a + b, nil
}

func replaceBounded(s, old, repl string, n int) (string, error) {
	count := 1
	if n < 0 {
		if old == "" {
			count = len(s) + 1
		} else {
			count = strings.Count(s, old)
		}
	}
	if len(s)+count*(len(repl)-len(old)) > maxValueLen {
		return "", errTooLong
	}
	return strings.Replace(s, old, repl, n), nil
}

// knownFilters are the filters addFilters installs (the library's standard
// set plus ours), for the static check and its hints.
var knownFilters = []string{
	"abs", "append", "capitalize", "ceil", "compact", "concat", "date", "default",
	"divided_by", "downcase", "escape", "escape_once", "first", "floor", "inspect",
	"join", "json", "last", "lstrip", "map", "minus", "modulo", "newline_to_br",
	"plus", "prepend", "raw", "remove", "remove_first", "replace", "replace_first",
	"reverse", "round", "rstrip", "size", "slice", "sort", "sort_natural", "split",
	"strip", "strip_html", "strip_newlines", "times", "truncate", "truncatewords",
	"type", "uniq", "upcase", "url_decode", "url_encode",
}
