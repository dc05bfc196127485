package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/intake"
	"github.com/journeys-oss/journeys/internal/local"
	"github.com/journeys-oss/journeys/internal/store"
)

// apply plays one event through the same code the deployed API runs:
// opens and clicks through the tracking endpoint's signed URLs, custom
// events through the event intake, approval decisions through the
// callback URL the flow was given. An event with nothing to act on (a
// message never sent, an approval never asked) is counted as missed.
func (r *run) apply(ctx context.Context, s scheduled) error {
	ev := s.ev
	var ok bool
	var err error
	switch ev.Type {
	case TypeOpened, TypeClicked:
		ok, err = r.track(ctx, s.contact, ev)
	case TypeApprove, TypeReject:
		ok, err = r.decide(ctx, s.contact, ev)
	case TypeForm:
		ok, err = r.form(ctx, s.contact, ev)
	case TypeUpdate:
		ok, err = r.update(ctx, s.contact, ev.Set)
	case TypeUnsub:
		ok, err = r.unsubscribe(ctx, s.contact)
	default:
		ok, err = r.custom(ctx, s.contact, ev)
	}
	if ok {
		r.applied++
		r.noteWaitEvent(s.contact, ev)
	} else {
		r.missed++
	}
	return err
}

// serve calls an HTTP handler in-process with a request for rawURL whose
// path is taken relative to mount. The request is what
// httptest.NewRequest makes (an incoming HTTP/1.1 request from
// 192.0.2.1), built directly: NewRequest parses it from text through a
// 4 KB reader, for every scripted open, click and decision.
func serve(h http.Handler, method, rawURL, mount, body string) (int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, err
	}
	req := &http.Request{
		Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: u.Host, RemoteAddr: "192.0.2.1:1234", RequestURI: rawURL,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}
	if body == "" {
		req.Body = http.NoBody
	}
	req.URL.Path = strings.TrimPrefix(u.Path, mount)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, nil
}

// track opens or clicks the contact's message of the step through the
// tracking endpoint, with the signed URL the message carries.
func (r *run) track(ctx context.Context, contact string, ev *Event) (bool, error) {
	id, ok := r.world.message(contact, ev.Step)
	if !ok {
		return false, nil
	}
	links, err := r.sys.Renderers.Links(ctx, r.bu)
	if err != nil {
		return false, err
	}
	u := links.Open(id)
	if ev.Type == TypeClicked {
		dest := ev.URL
		if dest == "" {
			dest = "https://journeys.sim/clicked"
		}
		u = links.Click(id, dest)
	}
	code, err := serve(r.sys.Tracking, http.MethodGet, u, local.TrackingPath, "")
	if err != nil {
		return false, err
	}
	if code != http.StatusOK && code != http.StatusFound {
		return false, fmt.Errorf("tracking answered %d", code)
	}
	return true, nil
}

// decide posts the approval outcome to the callback URL of the contact's
// approval at the step, as the flow would.
func (r *run) decide(_ context.Context, contact string, ev *Event) (bool, error) {
	cb, ok := r.world.callback(contact, ev.Step)
	if !ok {
		return false, nil
	}
	outcome := approval.OutcomeApprove
	if ev.Type == TypeReject {
		outcome = approval.OutcomeReject
	}
	body := fmt.Sprintf(`{"outcome":%q,"responses":[{"responder":{"displayName":"Simulator"},"comments":"scripted"}]}`, outcome)
	code, err := serve(r.sys.Approvals.Callback(), http.MethodPost, cb, local.ApprovalCallbackPath, body)
	if err != nil {
		return false, err
	}
	switch code {
	case http.StatusOK:
		return true, nil
	case http.StatusConflict, http.StatusGone:
		return false, nil // decided before, expired, or no longer waited for
	}
	return false, fmt.Errorf("approval callback answered %d", code)
}

// custom posts a custom event to the intake: recorded, waits resumed,
// event-triggered journeys started.
func (r *run) custom(ctx context.Context, contact string, ev *Event) (bool, error) {
	r.seq++
	res, err := r.sys.Intake.Accept(ctx, intake.Event{
		BU: r.bu, Name: ev.Type, ID: fmt.Sprintf("sim-%d", r.seq), Contact: contact,
		Attributes: ev.Data, OccurredAt: r.clock.Now(),
	})
	if err != nil {
		return false, err
	}
	return len(res.Resumed)+len(res.Started) > 0, nil
}

// form records a form submission and resumes the waits for it.
func (r *run) form(ctx context.Context, contact string, ev *Event) (bool, error) {
	in := local.Interaction(contact, TypeForm, r.clock.Now(), "", "", map[string]string{"form": ev.Form})
	if _, err := r.sys.Store.AppendInteraction(ctx, r.bu, in); err != nil {
		return false, err
	}
	res, err := intake.ResumeWaits(ctx, r.sys.Store, r.sys.Workflow, intake.Occurrence{BU: r.bu, Contact: contact, Event: TypeForm, Form: ev.Form})
	return len(res) > 0, err
}

// update sets contact attributes (a lead scored, a stage changed).
func (r *run) update(ctx context.Context, contact string, set map[string]any) (bool, error) {
	p, err := local.AttributesPatch(contact, r.checked.Schema, set)
	if err != nil {
		return false, err
	}
	_, err = r.sys.Store.UpsertContact(ctx, r.bu, p)
	return err == nil, err
}

// unsubscribe withdraws email consent and sets unsubscribed when the
// schema has it.
func (r *run) unsubscribe(ctx context.Context, contact string) (bool, error) {
	p := store.ContactPatch{ID: contact, Channels: map[string]store.Consent{
		"email": {Status: store.ConsentDenied, Source: "simulator", At: r.clock.Now()},
	}}
	if a, ok := r.checked.Schema.Attributes["unsubscribed"]; ok && a.Type == "bool" {
		p.Attributes = map[string]store.Value{"unsubscribed": store.BoolValue(true)}
	}
	_, err := r.sys.Store.UpsertContact(ctx, r.bu, p)
	return err == nil, err
}

// noteWaitEvent remembers, for a watched contact waiting at a waitFor
// step for this event, that the event came while it waited there: the
// run's taken edges tell the step's event edges apart by it.
func (r *run) noteWaitEvent(contact string, ev *Event) {
	i, ok := r.byID[contact]
	if !ok || !r.opts.Watch(contact) {
		return
	}
	c := &r.contacts[i]
	if c.exec == "" {
		return
	}
	hops := r.recorder.path(c.exec).hops
	if len(hops) == 0 {
		return
	}
	k := len(hops) - 1
	w := r.checked.Journey.Steps[hops[k].step].WaitFor
	if w == nil || c.resumed[k] != "" {
		return
	}
	for _, b := range w.Events {
		if b.Event == ev.Type && (b.Send == "" || b.Send == ev.Step) && (b.Form == "" || b.Form == ev.Form) {
			if c.resumed == nil {
				c.resumed = map[int]string{}
			}
			c.resumed[k] = ev.Type
			return
		}
	}
}
