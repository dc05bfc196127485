package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/wire"
)

// Renderer renders messages (a *content.Library).
type Renderer interface {
	Render(ctx context.Context, req content.Request) (*content.Message, error)
}

// Renderers gives a business unit's renderer: its contact schema and its
// signed tracking links.
type Renderers interface {
	Renderer(ctx context.Context, bu string) (Renderer, error)
}

// Send serves the send function: one message per step per contact,
// whatever Lambda or Step Functions retry. It checks consent (the
// channel's; the template's topic unless transactional) and the
// suppression list first, then quiet hours in the contact's time zone
// (Journey.Deferred until they end) and the journey's frequency caps
// (skip, or Journey.Deferred until the cap frees), so a send that cannot
// happen is skipped at once rather than deferred; then it renders the
// template and delivers it. Skips return normally with Status "skipped";
// the step log says why. A provider's 4xx raises Journey.DeliveryFailed, its 429/5xx/timeouts Journey.Transient.
func (h *Handlers) Send(ctx context.Context, req wire.StepRequest) (res wire.StepResult, err error) {
	c, err := h.begin(ctx, req, wire.OpSend)
	defer func() { c.finishLog(ctx, res, err) }()
	if err != nil {
		return res, err
	}
	if c.step == nil || c.step.Send == nil {
		return res, wire.Errorf(wire.ErrInvalidPayload, "step %q is not a send step", req.Step)
	}
	if h.cfg.Channels == nil || h.cfg.Content == nil {
		return res, errors.New("send: channels and content are not configured")
	}
	key := channel.SendKey(req.Execution, req.Step)
	var out stepOutcome
	fresh := false // out is what this call did, not yet read back from the record
	stored, done, err := c.once(ctx, "send-"+key, func(ctx context.Context) ([]byte, bool, error) {
		if err := c.guard(ctx); err != nil {
			return nil, false, err
		}
		o, err := c.send(ctx, key)
		if err != nil {
			return nil, false, err
		}
		b, err := json.Marshal(o)
		out, fresh = o, err == nil
		return b, err == nil, err
	})
	if err != nil {
		return res, err
	}
	if done || !fresh {
		out = stepOutcome{}
		if err := json.Unmarshal(stored, &out); err != nil {
			return res, fmt.Errorf("stored send result: %w", err)
		}
	}
	return c.result(ctx, res, out)
}

// skip records a skipped send and returns its stored outcome.
func (c *call) skip(ctx context.Context, reason string) (stepOutcome, error) {
	if err := c.stepLog(ctx, store.StepSkipped, reason, nil); err != nil {
		return stepOutcome{}, err
	}
	return stepOutcome{Status: string(store.StepSkipped), Message: reason}, c.count(ctx, string(store.StepSkipped))
}

// defer records a deferral and returns the Journey.Deferred error.
func (c *call) deferTo(ctx context.Context, until time.Time, reason string) error {
	if err := c.stepLog(ctx, store.StepDeferred, reason, map[string]string{"until": until.UTC().Format(time.RFC3339)}); err != nil {
		return err
	}
	return wire.Deferred(until)
}

func (c *call) send(ctx context.Context, key string) (stepOutcome, error) {
	s := c.step.Send
	ct := c.contact
	name := s.Channel
	if name == channel.Custom && s.CustomChannel != "" {
		name = s.CustomChannel
	}
	class := channel.Class(name)
	if ct.Channels[name].Status != store.ConsentGranted {
		return c.skip(ctx, "no "+name+" consent")
	}
	to, kind := "", store.AddressKind("")
	switch class {
	case channel.Email:
		to, kind = ct.Email, store.AddressEmail
	case channel.SMS:
		to, kind = ct.Phone, store.AddressPhone
	}
	if class != channel.Custom {
		if to == "" {
			return c.skip(ctx, "no "+string(map[string]string{channel.Email: "email address", channel.SMS: "phone number"}[class]))
		}
		_, err := c.h.cfg.Store.GetSuppression(ctx, c.req.BU, kind, to)
		if err == nil {
			return c.skip(ctx, "address suppressed")
		}
		if !errors.Is(err, store.ErrNotFound) {
			return stepOutcome{}, c.transient("check suppression", err)
		}
	}
	// What makes the send impossible (consent, suppression, the topic) is
	// decided before what only delays it, so no contact is held for days
	// by quiet hours or a frequency cap for a message it will never get.
	if reason := c.topicBeforeRender(ctx); reason != "" {
		return c.skip(ctx, reason)
	}
	if out, err, done := c.policies(ctx, name, class); done {
		return out, err
	}
	msg, ref, err := c.render(ctx, key)
	if err != nil {
		return stepOutcome{}, err
	}
	if reason := c.topicConsent(msg); reason != "" {
		return c.skip(ctx, reason)
	}
	return c.deliver(ctx, name, to, key, ref, msg)
}

// policies applies quiet hours and frequency caps. done says whether the
// send stops here (a skip outcome, or a deferral error).
func (c *call) policies(ctx context.Context, name, class string) (stepOutcome, error, bool) {
	p := c.version.Journey().Policies
	if p == nil {
		return stepOutcome{}, nil, false
	}
	loc := c.location(c.contact)
	if q := p.QuietHours; q != nil && (len(q.Channels) == 0 || contains(q.Channels, class) || contains(q.Channels, name)) {
		if until, quiet := QuietUntil(c.now, loc, q.From, q.To); quiet {
			return stepOutcome{}, c.deferTo(ctx, until, "quiet hours until "+q.To.String()), true
		}
	}
	var window []store.Interaction // the interactions the caps look at
	loaded := false
	for _, cp := range p.FrequencyCap {
		if cp.Channel != class || cp.Max <= 0 {
			continue
		}
		if !loaded {
			var err error
			if window, err = c.capWindow(ctx, p.FrequencyCap, class); err != nil {
				return stepOutcome{}, err, true
			}
			loaded = true
		}
		in := window
		since := c.now.Add(-cp.Per.D)
		var sent []time.Time
		for _, i := range in {
			if i.Kind == store.InteractionSent && channel.Class(i.Channel) == class && i.At.After(since) {
				sent = append(sent, i.At)
			}
		}
		if len(sent) < cp.Max {
			continue
		}
		if cp.Then == "delay" {
			// The cap frees when the oldest send that keeps it full leaves
			// the period.
			until := sent[len(sent)-cp.Max].Add(cp.Per.D)
			return stepOutcome{}, c.deferTo(ctx, until, fmt.Sprintf("frequency cap: %d %s per %s", cp.Max, class, cp.Per.Text)), true
		}
		out, err := c.skip(ctx, "frequency cap")
		return out, err, true
	}
	return stepOutcome{}, nil, false
}

// capWindow returns the contact's interactions the frequency caps of a
// channel class look at: those of the call when it read them already,
// else only the newest of the longest cap's period (what the caps count
// is the same; older ones were read for nothing).
func (c *call) capWindow(ctx context.Context, caps []*journey.Cap, class string) ([]store.Interaction, error) {
	if c.loadedIntr {
		return c.interactions, nil
	}
	var longest time.Duration
	for _, cp := range caps {
		if cp.Channel == class && cp.Max > 0 {
			longest = max(longest, cp.Per.D)
		}
	}
	page, err := c.h.cfg.Store.ListInteractions(ctx, c.req.BU, c.req.Contact, store.InteractionQuery{
		From: c.now.Add(-longest), NewestFirst: true, Limit: store.MaxLimit})
	if err != nil {
		return nil, c.transient("load interactions", err)
	}
	in := page.Items
	for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
		in[i], in[j] = in[j], in[i]
	}
	return in, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// render renders the step's template for the contact.
func (c *call) render(ctx context.Context, key string) (*content.Message, channel.MessageRef, error) {
	ref := channel.MessageRef{BU: c.req.BU, Contact: c.req.Contact, Journey: c.req.Journey, Version: c.req.Version,
		Step: c.req.Step, Exec: key[:24]}
	r, err := c.h.cfg.Content.Renderer(ctx, c.req.BU)
	if err != nil {
		return nil, ref, fmt.Errorf("renderer of %s: %w", c.req.BU, err)
	}
	ct := c.contact
	var owner content.Owner
	if ct.Owner != "" {
		o, err := c.h.cfg.Store.GetOwner(ctx, c.req.BU, ct.Owner)
		switch {
		case err == nil:
			owner = content.Owner{Name: o.Name, Email: o.Email}
		case !errors.Is(err, store.ErrNotFound):
			return nil, ref, c.transient("load owner", err)
		}
	}
	event, err := c.event(ctx)
	if err != nil {
		return nil, ref, err
	}
	j := c.version.Journey()
	tpl := c.step.Send.Template
	msg, err := r.Render(ctx, content.Request{
		BU: c.req.BU, Template: tpl, Version: pinned(c.version.Record.Content, tpl), Locale: ct.Locale,
		ContactID: ct.ID, Contact: c.attributes(), Event: event,
		Journey: content.JourneyInfo{ID: j.ID, Name: j.Name, Version: c.req.Version},
		Step:    c.req.Step, Owner: owner, MessageID: ref.String(),
		Blocks: pinnedBlocks(c.version.Record.Content, c.step.Send.Blocks),
	})
	if err != nil {
		return nil, ref, fmt.Errorf("render template %s: %w", tpl, err)
	}
	return msg, ref, nil
}

// pinned returns the template version a journey version was published
// with (0: the latest).
func pinned(pins map[string]int, id string) int {
	return pinnedContent(pins, store.ContentTemplate, id)
}

// pinnedContent returns the version of a template or block a journey
// version was published with (0: the latest). Pins are keyed
// "<kind>/<id>/<locale>"; the locale variants of a version share it.
func pinnedContent(pins map[string]int, kind store.ContentKind, id string) int {
	prefix := string(kind) + "/" + id + "/"
	if v, ok := pins[prefix]; ok {
		return v
	}
	for k, v := range pins {
		if strings.HasPrefix(k, prefix) {
			return v
		}
	}
	return 0
}

// pinnedBlocks are a send step's block overrides with the versions the
// journey version was published with: an override written "spring-hero"
// renders the spring-hero it was approved with, not a later edit; one
// written "spring-hero@3" keeps its version. Nil when the step has none.
func pinnedBlocks(pins map[string]int, blocks map[string]string) map[string]string {
	if len(blocks) == 0 {
		return nil
	}
	out := make(map[string]string, len(blocks))
	for slot, id := range blocks {
		out[slot] = id
		if v := pinnedContent(pins, store.ContentBlock, id); v > 0 && !strings.Contains(id, "@") {
			out[slot] = fmt.Sprintf("%s@%d", id, v)
		}
	}
	return out
}

// templateDescriber is a Renderer that tells what a message will be
// without rendering it (*content.Library).
type templateDescriber interface {
	Describe(ctx context.Context, req content.Request) (content.TemplateInfo, error)
}

// topicBeforeRender is topicConsent for the template's message known
// before it is rendered, when the renderer can tell: a message the
// contact did not consent to is skipped without rendering it. When the
// renderer cannot tell, or the template does not resolve, it says nothing
// and the render decides (and reports any error).
func (c *call) topicBeforeRender(ctx context.Context) string {
	r, err := c.h.cfg.Content.Renderer(ctx, c.req.BU)
	if err != nil {
		return ""
	}
	d, ok := r.(templateDescriber)
	if !ok {
		return ""
	}
	tpl := c.step.Send.Template
	info, err := d.Describe(ctx, content.Request{BU: c.req.BU, Template: tpl, Version: pinned(c.version.Record.Content, tpl), Locale: c.contact.Locale})
	if err != nil {
		return ""
	}
	return c.topicReason(info.Kind, info.Topic)
}

// topicConsent returns why a marketing message may not go to the contact
// on its topic ("" when it may): a denied topic, or no answer on a topic
// that is not on by default. Transactional messages skip it.
func (c *call) topicConsent(msg *content.Message) string {
	return c.topicReason(msg.Kind, msg.Topic)
}

func (c *call) topicReason(kind content.Kind, topic string) string {
	if kind == content.Transactional || topic == "" {
		return ""
	}
	switch c.contact.Topics[topic].Status {
	case store.ConsentGranted:
		return ""
	case store.ConsentDenied:
		return "no consent for topic " + topic
	}
	for _, t := range c.unit.Preferences.Topics {
		if t.ID == topic && !t.Default {
			return "no consent for topic " + topic
		}
	}
	return ""
}

func (c *call) deliver(ctx context.Context, name, to, key string, ref channel.MessageRef, msg *content.Message) (stepOutcome, error) {
	p, err := c.h.cfg.Channels.Provider(ctx, c.req.BU, name)
	if err != nil {
		return stepOutcome{}, fmt.Errorf("provider of channel %s: %w", name, err)
	}
	sender := c.unit.Sender
	id := ref.String()
	m := channel.Message{
		ID: id, IdempotencyKey: key, Channel: name, BU: c.req.BU, Contact: c.req.Contact, To: to,
		From: channel.Address{Name: sender.Name, Email: sender.Email}, ReplyTo: sender.ReplyTo, SMSFrom: sender.SMS,
		Subject: msg.Subject, Preheader: msg.Preheader, HTML: msg.HTML, Text: msg.Text, Payload: msg.Payload,
		Template: msg.Template, TemplateVersion: msg.Version, Locale: msg.Locale, Topic: msg.Topic,
	}
	for _, hd := range msg.Headers {
		m.Headers = append(m.Headers, channel.Header{Name: hd.Name, Value: hd.Value})
	}
	detail := map[string]string{"template": msg.Template, "templateVersion": fmt.Sprint(msg.Version), "locale": msg.Locale}
	receipt, err := p.Deliver(ctx, m)
	if err != nil {
		if !errors.Is(err, channel.ErrPermanent) {
			return stepOutcome{}, &wire.Error{Name: wire.ErrTransient, Message: err.Error()}
		}
		if lerr := c.stepLog(ctx, store.StepFailed, "provider refused the message", detail); lerr != nil {
			return stepOutcome{}, lerr
		}
		return stepOutcome{Status: string(store.StepFailed), Failed: err.Error(), Message: id}, c.count(ctx, string(store.StepFailed))
	}
	detail["provider"] = receipt.ProviderID
	kinds := []store.InteractionKind{store.InteractionSent}
	if receipt.Status == channel.StatusDelivered {
		kinds = append(kinds, store.InteractionDelivered)
	}
	for _, k := range kinds {
		_, err := c.h.cfg.Store.AppendInteraction(ctx, c.req.BU, store.Interaction{
			Contact: c.req.Contact, Kind: k, Channel: name, At: c.now, Journey: c.req.Journey, Version: c.req.Version,
			Step: c.req.Step, Message: id, Detail: map[string]string{"template": msg.Template, "provider": receipt.ProviderID},
		})
		if err != nil {
			return stepOutcome{}, c.transient("record interaction", err)
		}
	}
	if err := c.stepLog(ctx, store.StepSent, "sent on "+name, detail); err != nil {
		return stepOutcome{}, err
	}
	return stepOutcome{Status: string(store.StepSent), Message: id, Provider: receipt.ProviderID}, c.count(ctx, string(store.StepSent))
}
