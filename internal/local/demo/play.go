package demo

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/local/sim"
)

// A persona is how one lead behaves: what it does with the emails of
// which steps, and how sales decides its hand-off.
type persona struct {
	contact  string // a sample contact whose email the lead gives; "" for a new person
	email    string // for a new person
	first    string
	act      map[string]string // step → "open" or "click"
	decision string            // "approve", "reject", or "" (no answer: the approval times out)
	offers   bool              // ticks the form's "send me offers" (consent 2: the offers topic)
	note     string
}

// personas are the demo's leads: sample contacts (matched by email, so
// the lead updates what the CRM knew) and one new person. Those who tick
// "send me offers" get the offer; the others reach it too, and it is
// skipped for want of that consent.
var personas = []persona{
	{contact: "c-0024", act: map[string]string{"send-intro": "open"}, decision: "approve", offers: true, note: "opens, warm, approved: a sales task"},
	{contact: "c-0031", act: map[string]string{"send-intro": "click"}, decision: "reject", offers: true, note: "clicks, warm, rejected: the offer"},
	{contact: "c-0019", decision: "", note: "ignores the intro: the reminder, then warm but unanswered: no offers consent, so no offer"},
	{contact: "c-0026", note: "ignores everything: reminder, resources; no offers consent, so no offer"},
	{contact: "c-0005", act: map[string]string{"send-intro": "open"}, offers: true, note: "opens, cold: the offer"},
	{contact: "c-0029", note: "already sales-qualified: the goal at the first step"},
	{contact: "c-0032", note: "a customer: never enters"},
	{email: "grace.hopper@cobol-systems.example", first: "Grace", act: map[string]string{"send-intro": "click"}, offers: true, note: "a new person, clicks, cold: the offer"},
}

// decision is the flow's rule: each persona's answer, by contact id.
func decision(req approval.FlowRequest) string {
	if req.Contact == nil {
		return "approve"
	}
	for _, p := range personas {
		if p.contact == req.Contact.ID {
			return p.decision
		}
	}
	return "approve"
}

// play publishes the leads at LinkedIn, acts as the contacts until every
// one has left the journey, and reports.
func (d *demo) play(ctx context.Context) (*Result, error) {
	out := d.o.Out
	if d.virtual != nil {
		fmt.Fprintf(out, "dev server on %s (data in %s, virtual clock from %s, moved on by the demo)\n", d.server.URL(), d.o.DataDir,
			d.virtual.Now().UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(out, "dev server on %s (data in %s, clock x%g: a day passes every %s)\n", d.server.URL(), d.o.DataDir,
			d.o.Speed, (time.Duration(float64(24*time.Hour) / d.o.Speed)).Round(time.Millisecond))
	}
	fmt.Fprintf(out, "local LinkedIn on %s; webhook %s/linkedin/webhook subscribed (challenge answered)\n", d.li.URL, d.server.URL())
	_, seeds, err := local.ReadSeeds(filepath.Join(d.o.Root, "contacts", "northwind"+journey.SuffixContacts), d.server.System().Library, time.Now())
	if err != nil {
		return nil, err
	}
	emails := map[string]string{}
	for _, s := range seeds {
		if s.Patch.Email != nil {
			emails[s.ID] = *s.Patch.Email
		}
	}
	byEmail := map[string]*persona{}
	for i := range personas {
		p := &personas[i]
		email := p.email
		if p.contact != "" {
			email = emails[p.contact]
		}
		byEmail[email] = p
		lead := leadOf(i, p, email, d.clock.Now())
		for _, dl := range d.li.Publish(ctx, lead, linkedin.ActionCreated, d.clock.Now()) {
			if dl.Err != nil || dl.Status != http.StatusOK {
				return nil, fmt.Errorf("LinkedIn notified the webhook: %d %v", dl.Status, dl.Err)
			}
		}
		fmt.Fprintf(out, "  lead %d (%s): %s\n", i+1, orNew(p.contact), p.note)
	}
	deadline := time.Now().Add(d.o.Timeout)
	res := &Result{Outbox: d.server.OutboxDir(), OutboxURL: d.server.URL() + "/outbox"}
	for {
		if err := d.react(ctx, byEmail); err != nil {
			return nil, err
		}
		done, err := d.finished(ctx, 1)
		if err != nil {
			return nil, err
		}
		if done {
			res.Finished = true
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "stopped after %s: contacts are still in the journey\n", d.o.Timeout)
			break
		}
		if err := d.tick(ctx); err != nil {
			return nil, err
		}
	}
	return d.report(ctx, res)
}

// virtualStep is how far one round moves a virtual clock: the contacts
// act, and approvals are answered, within the hour an email or a request
// reached them.
const virtualStep = time.Hour

// tick lets journey time pass between two rounds of reactions. On a real
// clock the dev server runs on its own, and this is a short poll; on a
// virtual one, the flow's automatic decisions are first let through, then
// the clock moves one step and the engine runs up to it.
func (d *demo) tick(ctx context.Context) error {
	if d.virtual == nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
			return nil
		}
	}
	d.flow.Wait()
	return d.server.Advance(ctx, virtualStep)
}

func orNew(contact string) string {
	if contact == "" {
		return "new person"
	}
	return contact
}

// leadOf is the lead a persona submits at a time.
func leadOf(i int, p *persona, email string, at time.Time) linkedin.Lead {
	answer := func(q int64, v string) linkedin.Answer {
		return linkedin.Answer{QuestionID: q, AnswerDetails: linkedin.AnswerDetails{TextQuestionAnswer: &linkedin.TextQuestionAnswer{Answer: v}}}
	}
	first := p.first
	if first == "" {
		first = "Lead"
	}
	return linkedin.Lead{
		ID: fmt.Sprintf("%08x-d272-44ba-a7db-c2bdce579507-%d", 0x5e1b4f00+i, i), Owner: linkedin.Union{Kind: "sponsoredAccount", URN: owner},
		LeadType: linkedin.LeadTypeSponsored, FormURN: linkedin.FormVersion{FormID: formID, Version: 1}.URN(),
		SubmittedAt: at.UnixMilli(),
		FormResponse: linkedin.FormResponse{
			Answers:          []linkedin.Answer{answer(11, first), answer(13, email)},
			ConsentResponses: []linkedin.ConsentResponse{{ConsentID: 1, Accepted: true}, {ConsentID: consentOffers, Accepted: p.offers}},
		},
	}
}

var (
	pixelRE = regexp.MustCompile(`https?://[^"'\s]+/t/o\?[^"'\s]+`)
	clickRE = regexp.MustCompile(`https?://[^"'\s]+/t/c\?[^"'\s]+`)
)

// react opens or clicks the new emails in the outbox as their personas
// would, through the tracking URLs they carry.
func (d *demo) react(ctx context.Context, byEmail map[string]*persona) error {
	msgs, err := d.server.Outbox()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if d.opened[m.ID] || m.HTML == "" {
			continue
		}
		d.opened[m.ID] = true
		ref, err := channel.ParseMessageRef(m.ID)
		if err != nil || ref.Journey != "welcome" {
			continue
		}
		c, err := d.server.System().Store.GetContact(ctx, ref.BU, ref.Contact)
		if err != nil {
			continue
		}
		p := byEmail[c.Email]
		if p == nil || p.act[ref.Step] == "" {
			continue
		}
		page, err := os.ReadFile(m.HTML)
		if err != nil {
			return err
		}
		re := pixelRE
		if p.act[ref.Step] == "click" {
			re = clickRE
		}
		u := html.UnescapeString(re.FindString(string(page)))
		if u == "" {
			continue
		}
		if err := visit(u); err != nil {
			return err
		}
		if re == clickRE {
			d.clicks++
		} else {
			d.opens++
		}
	}
	return nil
}

// visit fetches a tracking URL as a mail client or a browser would (a
// click's redirect is not followed: the destination is on the internet).
func visit(u string) error {
	c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusFound {
		return fmt.Errorf("tracking URL answered %d", resp.StatusCode)
	}
	return nil
}

// report prints the funnel and the outbox.
func (d *demo) report(ctx context.Context, res *Result) (*Result, error) {
	st := d.server.System().Store
	rep, err := d.observer.Report(ctx, st)
	if err != nil {
		return nil, err
	}
	rep.Version, rep.End, rep.Contacts = 1, d.clock.Now(), len(personas)
	res.Report = rep
	msgs, err := d.server.Outbox()
	if err != nil {
		return nil, err
	}
	res.Messages, res.Opens, res.Clicks = len(msgs), d.opens, d.clicks
	byChannel := map[string]int{}
	for _, m := range msgs {
		byChannel[m.Channel]++
	}
	for ch, n := range byChannel {
		rep.Deliveries = append(rep.Deliveries, sim.Count{What: ch, N: n})
	}
	for _, p := range personas {
		if p.contact == "" {
			continue
		}
		tasks, err := st.ListSalesTasksByContact(ctx, "northwind", p.contact)
		if err != nil {
			return nil, err
		}
		res.SalesTasks += len(tasks)
	}
	res.Approvals = d.decisions()
	out := d.o.Out
	fmt.Fprintln(out)
	if err := rep.WriteText(out); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\n%d messages in the outbox: %s (the dev server listed them at GET %s)\n", res.Messages, res.Outbox, res.OutboxURL)
	fmt.Fprintf(out, "the contacts opened %d and clicked %d emails through their tracking URLs; the flow decided %d approvals; %d sales tasks\n",
		res.Opens, res.Clicks, res.Approvals, res.SalesTasks)
	return res, nil
}

// decisions counts the approvals the flow decided.
func (d *demo) decisions() int { return d.flow.Decided() }
