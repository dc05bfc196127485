package sim

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText prints the report for people: the funnel step by step, how
// contacts left, the splits' results, deliveries, and the trace if any.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("journey %s v%d: %d contacts, %d enrolled", r.Journey, r.Version, r.Contacts, r.Enrolled)
	if n := sum(r.NotEnrolled); n > 0 {
		ew.printf(", %d not (%s)", n, counts(r.NotEnrolled, false))
	}
	ew.printf("\njourney time %s → %s (%s)\n\n", r.Start.Format("2006-01-02 15:04 MST"), r.End.Format("2006-01-02 15:04 MST"), span(r.End.Sub(r.Start)))

	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "step\tkind\tentered\twhat it did\twhere they went\n")
	for _, s := range r.Steps {
		did := counts(s.Outcomes, true)
		went := branches(s.Branches)
		if len(s.Ended) > 0 {
			if went != "" {
				went += "; "
			}
			went += "ended " + counts(s.Ended, true)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.ID, s.Kind, s.Entered, dash(did), dash(went))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("\nat the end: %s\n", counts(r.Outcomes, false))
	if g := r.Goal; g != nil {
		ew.printf("goal %s: %d of %d enrolled (%s)\n", g.Name, g.Reached, r.Enrolled, percent(g.Rate))
	}
	for _, sp := range r.Splits {
		ew.printf("split %s:", sp.Step)
		for i, v := range sp.Variants {
			sep := ","
			if i == 0 {
				sep = ""
			}
			ew.printf("%s %s %d contacts, goal %d (%s)", sep, v.Name, v.Contacts, v.Goal, percent(v.Rate))
		}
		ew.printf("\n")
	}
	ew.printf("delivered: %s\n", dash(counts(r.Deliveries, false)))
	if r.EventsApplied+r.EventsMissed > 0 {
		ew.printf("scripted events: %d applied, %d found nothing to act on\n", r.EventsApplied, r.EventsMissed)
	}
	if r.Trace != nil {
		ew.printf("\n")
		r.Trace.writeText(ew)
	}
	return ew.err
}

func (t *ContactTrace) writeText(ew *errWriter) {
	if t.NotEnrolled != "" {
		ew.printf("trace %s: not enrolled: %s\n", t.Contact, t.NotEnrolled)
		return
	}
	if t.Execution == "" {
		ew.printf("trace %s: no such contact in this run\n", t.Contact)
		return
	}
	ew.printf("trace %s (entered %s):\n", t.Contact, t.Entered.Format("2006-01-02 15:04 MST"))
	for _, l := range t.Lines {
		ew.printf("  %s  %-18s %s\n", l.At.UTC().Format("01-02 15:04"), l.Step, l.What)
	}
	if t.Status == "active" {
		ew.printf("  still in the journey\n")
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func sum(cs []Count) int {
	n := 0
	for _, c := range cs {
		n += c.N
	}
	return n
}

// counts formats "sent 12, skipped 3 (no email consent 2, frequency cap
// 1)": counts of the same What are summed, their reasons listed.
func counts(cs []Count, group bool) string {
	var parts []string
	for i := 0; i < len(cs); {
		what := cs[i].What
		j, total := i, 0
		var reasons []string
		for ; j < len(cs) && cs[j].What == what; j++ {
			total += cs[j].N
			if cs[j].Reason != "" {
				reasons = append(reasons, fmt.Sprintf("%s %d", cs[j].Reason, cs[j].N))
			}
		}
		p := fmt.Sprintf("%s %d", what, total)
		if len(reasons) > 0 {
			p += " (" + strings.Join(reasons, ", ") + ")"
		}
		if !group && what == "skipped" && len(reasons) > 0 {
			p = strings.Join(reasons, ", ")
		}
		parts = append(parts, p)
		i = j
	}
	return strings.Join(parts, ", ")
}

func branches(bs []Branch) string {
	var parts []string
	for _, b := range bs {
		p := fmt.Sprintf("→ %s %d", b.To, b.N)
		if b.Label != "" {
			p = fmt.Sprintf("→ %s (%s) %d", b.To, b.Label, b.N)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// span formats a duration in days and hours.
func span(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}
