package journeytest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/sim"
	"github.com/journeys-oss/journeys/internal/store"
)

// A CaseResult is how one test went.
type CaseResult struct {
	File     string        `json:"file"`
	Name     string        `json:"name"`
	Pos      journey.Pos   `json:"pos"`
	Failures []Failure     `json:"failures,omitempty"`
	Elapsed  time.Duration `json:"elapsedNs"`
	// Edges are the edges of the journey's step graph the test's
	// contacts went along, each once, in the order first taken.
	Edges []sim.EdgeTaken `json:"edges,omitempty"`
}

// Passed reports whether every expectation held.
func (r CaseResult) Passed() bool { return len(r.Failures) == 0 }

// A Failure is one expectation that did not hold, with the diff.
type Failure struct {
	Contact string      `json:"contact"`
	Part    string      `json:"part"` // path, messages, log, status, reason
	Pos     journey.Pos `json:"pos"`
	Diff    string      `json:"diff"` // cmp.Diff, -want +got
}

// Find lists the journey test files of the arguments: files as given,
// folders searched (not recursively) for *.test.yaml. No arguments means
// the journeys folder.
func Find(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{"journeys"}
	}
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		files, err := filepath.Glob(filepath.Join(a, "*"+Suffix))
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	sort.Strings(out)
	return out, nil
}

// RunFile runs the tests of a file whose names match (every test when
// match is nil). An error means the file or its journey could not be read
// or run; failed expectations are in the results.
func RunFile(ctx context.Context, path string, match func(name string) bool) ([]CaseResult, error) {
	return RunFileOn(ctx, path, nil, match)
}

// RunFileOn runs the tests of a file as RunFile does, on the given state
// machine instead of the one compiled from the journey today (nil: that
// one): a machine an earlier release compiled from the journey, as
// `journeys compile` wrote it (sim.Options.Machine). Deployed versions run
// for months on machines an older compiler made, so today's functions must
// keep their tests passing.
func RunFileOn(ctx context.Context, path string, machine []byte, match func(name string) bool) ([]CaseResult, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	journeyFile := filepath.Join(dir, f.Journey+journey.SuffixJourney)
	root := journey.Root(journeyFile)
	lib, probs := journey.LoadDir(root)
	checked, more := journey.ReadJourney(journeyFile, lib)
	if probs = append(probs, more...); len(probs) > 0 {
		return nil, probs.Sort()
	}
	if f.Event != nil && checked.Journey.Trigger.Event == nil {
		return nil, fmt.Errorf("%s: event: journey %s is not triggered by an event", path, checked.Journey.ID)
	}
	bu := checked.Journey.BusinessUnit
	samples := map[string]local.Seed{}
	if sf := filepath.Join(root, "contacts", bu+journey.SuffixContacts); fileExists(sf) {
		_, seeds, err := local.ReadSeeds(sf, lib, f.Start)
		if err != nil {
			return nil, err
		}
		for _, s := range seeds {
			samples[s.ID] = s
		}
	}
	var out []CaseResult
	for _, c := range f.Tests {
		if match != nil && !match(c.Name) {
			continue
		}
		began := time.Now()
		seeds, err := contacts(c, samples, checked.Schema, f.Start)
		if err != nil {
			return out, err
		}
		res, err := sim.Run(ctx, sim.Options{
			Root: root, Journey: journeyFile, Contacts: seeds, Events: c.Events, Failures: c.Failures, Start: f.Start, Until: f.Until, Event: f.Event,
			Seed: 1, Watch: func(string) bool { return true }, Machine: machine,
		})
		if err != nil {
			return out, fmt.Errorf("%s: test %q: %w", c.Pos, c.Name, err)
		}
		cr := CaseResult{File: path, Name: c.Name, Pos: c.Pos, Elapsed: time.Since(began)}
		for _, e := range c.Expect {
			cr.Failures = append(cr.Failures, check(e, res.Contacts[e.Contact])...)
		}
		for _, spec := range c.Contacts {
			if got := res.Contacts[spec.ID]; got != nil {
				for _, e := range got.Edges {
					if !slices.Contains(cr.Edges, e) {
						cr.Edges = append(cr.Edges, e)
					}
				}
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// contacts builds a test's contacts: sample contacts by id, or written in
// the test on top of a sample (base) or from nothing.
func contacts(c *Case, samples map[string]local.Seed, schema *journey.Schema, at time.Time) ([]local.Seed, error) {
	var out []local.Seed
	for _, spec := range c.Contacts {
		var s local.Seed
		if spec.Base != "" {
			base, ok := samples[spec.Base]
			if !ok {
				return nil, fmt.Errorf("%s: test %q: no sample contact %q", spec.Pos, c.Name, spec.Base)
			}
			s = base.Clone(spec.ID)
			if spec.ID != spec.Base && base.Patch.Email != nil {
				user, domain, _ := strings.Cut(*base.Patch.Email, "@")
				email := user + "+" + spec.ID + "@" + domain
				s.Patch.Email = &email
			}
		}
		s.ID, s.Patch.ID = spec.ID, spec.ID
		s.Patch.Channels = consents(s.Patch.Channels, spec.Consent, at)
		s.Patch.Topics = consents(s.Patch.Topics, spec.Topics, at)
		for _, in := range spec.Interactions {
			s.Interactions = append(s.Interactions, local.Interaction(spec.ID, in.Type, in.At.Resolve(at), in.Channel, in.Journey,
				map[string]string{"template": in.Template, "form": in.Form}))
		}
		if len(spec.Attributes) > 0 {
			p, err := local.AttributesPatch(spec.ID, schema, spec.Attributes)
			if err != nil {
				return nil, fmt.Errorf("%s: test %q: contact %s: %w", spec.Pos, c.Name, spec.ID, err)
			}
			merge(&s.Patch, p)
		}
		out = append(out, s)
	}
	return out, nil
}

// consents sets the given consents (granted or denied) in m.
func consents(m map[string]store.Consent, given map[string]bool, at time.Time) map[string]store.Consent {
	for k, ok := range given {
		if m == nil {
			m = map[string]store.Consent{}
		}
		st := store.ConsentDenied
		if ok {
			st = store.ConsentGranted
		}
		m[k] = store.Consent{Status: st, Source: "test", At: at}
	}
	return m
}

// merge writes the fields p sets over dst.
func merge(dst *store.ContactPatch, p store.ContactPatch) {
	for _, f := range []struct{ d, s **string }{
		{&dst.Email, &p.Email}, {&dst.Phone, &p.Phone}, {&dst.FirstName, &p.FirstName}, {&dst.LastName, &p.LastName},
		{&dst.Company, &p.Company}, {&dst.JobTitle, &p.JobTitle}, {&dst.Country, &p.Country},
		{&dst.Timezone, &p.Timezone}, {&dst.Locale, &p.Locale}, {&dst.Owner, &p.Owner},
		{&dst.LifecycleStage, &p.LifecycleStage},
	} {
		if *f.s != nil {
			*f.d = *f.s
		}
	}
	for k, v := range p.Attributes {
		if dst.Attributes == nil {
			dst.Attributes = map[string]store.Value{}
		}
		dst.Attributes[k] = v // dst's maps are the clone's own
	}
}

// check compares one contact's run with what the test expects.
func check(e Expect, got *sim.ContactResult) []Failure {
	if got == nil {
		return []Failure{{Contact: e.Contact, Part: "contact", Pos: e.Pos, Diff: "the contact did not run"}}
	}
	var out []Failure
	fail := func(part string, want, have any) {
		if d := cmp.Diff(want, have); d != "" {
			out = append(out, Failure{Contact: e.Contact, Part: part, Pos: e.Pos, Diff: d})
		}
	}
	if e.Checks("path") {
		fail("path", e.Path, orEmpty(got.Path))
	}
	if e.Checks("messages") {
		have := make([]Message, len(got.Messages))
		for i, m := range got.Messages {
			have[i] = Message{Step: m.Step, Channel: m.Channel, Template: m.Template, At: when(m.At, got.Entered)}
		}
		fail("messages", e.Messages, mask(e.Messages, have, got.Entered))
	}
	if e.Checks("log") {
		have := make([]LogEntry, len(got.Logs))
		for i, l := range got.Logs {
			have[i] = LogEntry{Step: l.Step, Outcome: string(l.Outcome), Reason: l.Reason}
		}
		if !subsequence(e.Log, have) {
			out = append(out, Failure{Contact: e.Contact, Part: "log", Pos: e.Pos,
				Diff: "the expected entries (in order) are not among the step log's:\n" + cmp.Diff(e.Log, have)})
		}
	}
	if e.Checks("status") {
		fail("status", e.Status, got.Status)
	}
	if e.Checks("reason") {
		fail("reason", e.Reason, got.Reason)
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// when writes a time as the expectation does: +<duration> after entry.
func when(t, entered time.Time) string {
	d := t.Sub(entered)
	if d <= 0 {
		return "+0s"
	}
	return "+" + journey.FormatDuration(d)
}

// mask blanks what an expected message leaves unsaid (channel, template,
// time), so only what it says is compared; absolute times are compared as
// times after entry.
func mask(want, have []Message, entered time.Time) []Message {
	out := append([]Message{}, have...)
	for i := range out {
		if i >= len(want) {
			break
		}
		w := want[i]
		if w.Channel == "" {
			out[i].Channel = ""
		}
		if w.Template == "" {
			out[i].Template = ""
		}
		switch {
		case w.At == "":
			out[i].At = ""
		case !strings.HasPrefix(w.At, "+"):
			if t, err := time.Parse(time.RFC3339, w.At); err == nil {
				out[i].At = t.UTC().Format(time.RFC3339)
				d, _ := journey.ParseDuration(strings.TrimPrefix(have[i].At, "+"))
				out[i].At = entered.Add(d).UTC().Format(time.RFC3339)
			}
		}
	}
	return out
}

// subsequence reports whether want appears in have in order; an empty
// reason matches any.
func subsequence(want, have []LogEntry) bool {
	j := 0
	for _, h := range have {
		if j < len(want) && h.Step == want[j].Step && h.Outcome == want[j].Outcome && (want[j].Reason == "" || h.Reason == want[j].Reason) {
			j++
		}
	}
	return j == len(want)
}
