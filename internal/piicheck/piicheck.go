// Package piicheck proves in tests that a function's logs carry ids and no
// personal data. It gives a debug-level JSON slog.Logger writing to a
// buffer, distinctive canary values to put in test data, and Check, which
// fails naming the function and the log line where any canary value, in
// any of its usual spellings, appears. It is for tests only.
package piicheck

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// The canary values: personal data no log line may show. Test data puts
// them where a contact's email, phone and name go.
const (
	Email = "Ada.PII-Canary@Example.com"
	Phone = "+44 7700 900123"
	Name  = "Ada Canary"
)

// forms are the spellings of the canaries Check looks for, compared case
// insensitively: the value, its normalised form (E.164 phone, lower-cased
// email) and the parts a log line could carry alone.
var forms = []string{
	Email, "ada.pii-canary", "pii-canary@example.com",
	Phone, "+447700900123", "447700900123", "7700900123", "7700 900123", "07700 900123",
	Name, "Canary",
}

// Forms returns the spellings Check looks for (lower case).
func Forms() []string {
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = strings.ToLower(f)
	}
	return out
}

// A Log collects the JSON lines of the logger New returns. It is safe for
// concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Lines returns the lines written so far.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.TrimSpace(l.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Reset forgets the lines written so far.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

// New returns a JSON logger at debug level, as Lambda functions log, and
// the Log it writes to.
func New() (*slog.Logger, *Log) {
	l := &Log{}
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})), l
}

// Leaks returns the lines of lines that hold a canary value in any form,
// each with the form found.
func Leaks(lines []string) []Leak {
	var out []Leak
	for _, line := range lines {
		lower := strings.ToLower(unescape(line))
		for _, f := range Forms() {
			if strings.Contains(lower, f) {
				out = append(out, Leak{Form: f, Line: line})
				break
			}
		}
	}
	return out
}

// A Leak is a log line holding personal data.
type Leak struct {
	Form string // the canary spelling found
	Line string
}

// unescape undoes the JSON escapes slog uses for characters a canary
// holds, so "\u0040" still matches "@".
func unescape(s string) string {
	return strings.NewReplacer(`\u0040`, "@", `\u002b`, "+", `\u002B`, "+").Replace(s)
}

// Check fails t for every line of log holding personal data, naming
// function and the line. It also fails when log is empty and wantLines
// is set: a capture that sees nothing proves nothing.
func Check(t testing.TB, function string, log *Log, wantLines bool) {
	t.Helper()
	lines := log.Lines()
	if wantLines && len(lines) == 0 {
		t.Errorf("%s: wrote no log line; is the logger wired?", function)
	}
	for _, l := range Leaks(lines) {
		t.Errorf("%s: log line holds personal data (%q):\n%s", function, l.Form, l.Line)
	}
}
