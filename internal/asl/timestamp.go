package asl

import (
	"time"
)

// parseTimestamp parses a timestamp as Step Functions accepts one in Wait
// and Choice states: an RFC 3339 date-time with an uppercase T, seconds,
// an optional fraction, and an uppercase Z or a numeric offset.
func parseTimestamp(s string) (time.Time, bool) {
	// Shape check first: time.Parse is lenient about some of these.
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	rest := s[19:]
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 {
			return time.Time{}, false
		}
		rest = rest[j:]
	}
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// formatTime writes a time as Step Functions writes context times:
// UTC, milliseconds, Z.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
