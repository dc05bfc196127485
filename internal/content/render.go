package content

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// A Request asks for one personalised message. Everything in it is data
// for the template; none of it is logged.
type Request struct {
	BU        string
	Template  string
	Version   int    // 0: the latest
	Locale    string // the contact's locale; "de-AT" falls back to "de", then the default
	ContactID string
	Contact   map[string]any // contact attributes by schema name: contact.<name>
	Event     map[string]any // the trigger event's attributes: event.<name>
	Journey   JourneyInfo
	Step      string // step id: step.id
	Owner     Owner  // the contact's sales owner: owner.name, owner.email
	MessageID string // message.id; signs tracking links
	// Blocks are a send step's block overrides: slot → block. Wherever the
	// template, or a block it renders, has {% render 'hero' %} (or a pinned
	// 'hero@2'), the block given for slot "hero" is rendered instead: a
	// name follows that block's latest version, name@3 pins version 3.
	// Locale fallback applies as to any block. Nil or empty: none.
	Blocks map[string]string
}

// JourneyInfo is journey.id, journey.name and journey.version.
type JourneyInfo struct {
	ID      string
	Name    string
	Version int
}

// Owner is the contact's sales owner.
type Owner struct {
	Name  string
	Email string
}

// A Message is a rendered message, ready for a channel.
type Message struct {
	Template string
	Version  int
	Locale   string // the variant rendered ("" for the default)
	Channel  Channel
	Kind     Kind
	Topic    string

	Subject   string // email
	Preheader string // email
	HTML      string // email: links rewritten, pixel added when tracked
	Text      string // email plain-text part, or the SMS text

	Payload json.RawMessage // custom channel
	SMS     *Segments       // SMS encoding and segment count

	Headers      []Header // email headers to add, in order
	TrackedLinks []string // destinations wrapped for click tracking, in order
}

// A Header is one email header.
type Header struct {
	Name, Value string
}

// ErrNoLinks is returned (wrapped) when a message needs signed links
// (marketing email, tracking) and the Library has no Options.Links.
var ErrNoLinks = errors.New("content: tracking links are not configured")

// Render renders the template a Request names. Errors: ErrNotFound, a
// Problems value for an invalid template, ErrLimit, ErrRender, ErrNoLinks
// (all wrapped; use errors.Is and errors.As).
func (l *Library) Render(ctx context.Context, req Request) (*Message, error) {
	ov, err := parseOverrides(req.Blocks)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", req.Template, err)
	}
	ct, err := l.template(ctx, req.BU, req.Template, req.Locale, req.Version, ov)
	if err != nil {
		return nil, err
	}
	return l.renderCompiled(ctx, ct, req)
}

// A TemplateInfo is what a message of a template is, known without
// rendering it: the variant Render picks for the request and its front
// matter.
type TemplateInfo struct {
	Template string
	Version  int
	Locale   string // the variant ("" for the default)
	Channel  Channel
	Kind     Kind
	Topic    string
}

// Describe returns what the message Render would make for req is (the
// same variant: template, locale fallback, version) without rendering it,
// so a sender can skip a message its recipient did not consent to before
// paying for the render. Errors are Render's for a missing or invalid
// template.
func (l *Library) Describe(ctx context.Context, req Request) (TemplateInfo, error) {
	ct, err := l.template(ctx, req.BU, req.Template, req.Locale, req.Version, nil) // overrides change no front matter
	if err != nil {
		return TemplateInfo{}, err
	}
	d := ct.doc
	return TemplateInfo{Template: d.ID, Version: d.Version, Locale: d.Locale, Channel: d.Channel, Kind: d.Kind, Topic: d.Topic}, nil
}

// renderCompiled renders a compiled template variant.
func (l *Library) renderCompiled(ctx context.Context, ct *compiledTemplate, req Request) (*Message, error) {
	var err error
	doc := ct.doc
	msg := &Message{Template: doc.ID, Version: doc.Version, Locale: doc.Locale, Channel: doc.Channel, Kind: doc.Kind, Topic: doc.Topic}
	r := l.renderers.Get().(*renderer)
	defer r.release()
	r.lib, r.ct, r.req, r.msg, r.token, r.unsub = l, ct, &req, msg, "", ""
	r.st.reset(ctx, l.lim)
	r.st.lib = l
	if err := r.bind(); err != nil {
		return nil, fmt.Errorf("render %s: %w", doc.ID, err)
	}
	switch doc.Channel {
	case Email:
		err = r.email()
	case SMS:
		err = r.sms()
	case Custom:
		err = r.payload()
	default:
		err = fmt.Errorf("%w: unknown channel %q", ErrRender, doc.Channel)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", doc.ID, err)
	}
	return msg, nil
}

// renderer holds one render's working state.
type renderer struct {
	lib        *Library
	ct         *compiledTemplate
	req        *Request
	msg        *Message
	st         renderState
	token      string // subscriber token, when the message has one
	unsub      string // unsubscribe URL
	buf        []byte // part output
	out        []byte // post-processing buffer
	text       []byte // generated text part
	closingBuf []byte
	clicks     tracking.ClickWriter // the message's click URLs
	maps       bindMaps             // the binding maps, cleared and refilled per render
	ctx        *rctx                // the parts' render context, over maps[6]
}

// release drops what the renderer holds of this render (contact data
// included) and returns it to the pool.
func (r *renderer) release() {
	for i := range r.maps {
		clear(r.maps[i])
	}
	// A rare huge message must not pin its buffers in the pool.
	const keep = 256 << 10
	for _, b := range []*[]byte{&r.buf, &r.out, &r.text} {
		if cap(*b) > keep {
			*b = nil
		}
	}
	lib := r.lib
	r.lib, r.ct, r.req, r.msg, r.token, r.unsub = nil, nil, nil, nil, "", ""
	r.st.globals, r.st.refs, r.st.lib = nil, nil, nil
	lib.renderers.Put(r)
}

// bind builds the variables templates see.
func (r *renderer) bind() error {
	doc, req := r.ct.doc, r.req
	links := r.maps.get(0)
	needLinks := doc.Channel == Email && (doc.Kind == Marketing || doc.Tracking) || len(r.ct.links) > 0
	if needLinks {
		lk := r.lib.opts.Links
		if lk == nil {
			return ErrNoLinks
		}
		if doc.Kind == Marketing {
			tok, err := lk.Signer.Token(tracking.Subscriber{BU: req.BU, Contact: req.ContactID, Message: req.MessageID, Topic: doc.Topic})
			if err != nil {
				return fmt.Errorf("unsubscribe token: %w", err)
			}
			r.token, r.unsub = tok, lk.Unsubscribe(tok)
			links["unsubscribe"], links["preferences"] = r.unsub, lk.Preferences(tok)
		}
		if r.ct.links["view"] {
			links["view"] = lk.View(req.MessageID)
		}
	}
	contact := req.Contact
	if contact == nil {
		contact = map[string]any{}
	}
	journey, step, owner, message := r.maps.get(1), r.maps.get(2), r.maps.get(3), r.maps.get(4)
	journey["id"], journey["name"], journey["version"] = req.Journey.ID, req.Journey.Name, req.Journey.Version
	step["id"] = req.Step
	owner["name"], owner["email"] = req.Owner.Name, req.Owner.Email
	message["id"] = req.MessageID
	g := r.maps.get(5)
	g["contact"], g["event"], g["journey"], g["step"] = contact, req.Event, journey, step
	g["owner"], g["message"], g["links"] = owner, message, links
	r.st.globals = g
	return nil
}

// part renders one part; a missing part renders "".
func (r *renderer) part(name PartName) (string, error) {
	b, err := r.partBytes(name)
	return string(b), err
}

// partBytes renders one part into the renderer's buffer and returns it: it
// is valid until the next part is rendered.
func (r *renderer) partBytes(name PartName) ([]byte, error) {
	u := r.ct.parts[name]
	r.buf = r.buf[:0]
	if u == nil {
		return r.buf, nil
	}
	r.st.refs, r.st.depth = u.refs, 0
	if err := r.lib.run(&r.st, u, r.rctx(&r.buf)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r.buf, nil
}

// rctx returns the render context for one part, writing to out, with a
// fresh copy of the globals: assigns in one part do not leak into the next.
// The context and its map are the renderer's own, reused across parts and
// renders.
func (r *renderer) rctx(out *[]byte) *rctx {
	v := r.maps.get(6)
	for k, x := range r.st.globals {
		v[k] = x
	}
	if r.ctx == nil || r.ctx.vars == nil {
		r.ctx = r.lib.newRctx(&r.st, out, v)
	}
	r.ctx.st, r.ctx.out = &r.st, out
	return r.ctx
}

// run renders a unit in c, turning a panic inside the library (some
// filters panic on odd input) into an error. Errors: ErrLimit, ErrRender.
func (l *Library) run(st *renderState, u *unit, c *rctx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// The panic value may quote contact data; its type is enough to
			// find the input in a test.
			err = fmt.Errorf("%w: the template engine panicked (%T)", ErrRender, p)
		}
	}()
	err = u.node.render(c)
	switch {
	case st.err != nil:
		return st.err
	case err == nil:
		return nil
	case errors.Is(err, ErrLimit), errors.Is(err, ErrRender):
		return err
	}
	return fmt.Errorf("%w: %s", ErrRender, renderMessage(err))
}

func renderMessage(err error) string {
	if c, ok := err.(interface{ Cause() error }); ok && c.Cause() != nil {
		return c.Cause().Error()
	}
	return err.Error()
}

// headerText makes a rendered subject or preheader one clean line: no CR or
// LF can reach a header.
func headerText(s string) string {
	clean := len(s) == 0 || !isSpace(s[0]) && !isSpace(s[len(s)-1])
	for i := 0; clean && i < len(s); i++ {
		if c := s[i]; c < ' ' || c == ' ' && i > 0 && s[i-1] == ' ' {
			clean = false
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func (r *renderer) sms() error {
	text, err := r.part(PartText)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	seg := CountSegments(text)
	r.msg.Text, r.msg.SMS = text, &seg
	return nil
}

func (r *renderer) payload() error {
	p, err := r.part(PartPayload)
	if err != nil {
		return err
	}
	if !json.Valid([]byte(p)) {
		var v any
		jerr := json.Unmarshal([]byte(p), &v)
		return fmt.Errorf("%w: payload is not valid JSON: %v", ErrRender, jerr)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(p)); err != nil {
		return fmt.Errorf("%w: payload: %v", ErrRender, err)
	}
	r.msg.Payload = b.Bytes()
	return nil
}

// bindMaps are the small maps a render binds (links, journey, step, owner,
// message, the globals), kept with a pooled renderer: they live only while
// it renders, so reusing them saves allocations on every message.
type bindMaps [7]map[string]any

func (b *bindMaps) get(i int) map[string]any {
	if b[i] == nil {
		b[i] = make(map[string]any, 8)
	} else {
		clear(b[i])
	}
	return b[i]
}
