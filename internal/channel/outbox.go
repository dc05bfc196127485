package channel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Outbox delivers by writing files into a folder, for the dev server and
// local invokes: an email as <key>-<channel>.eml (RFC 5322, multipart text
// and HTML, the List-Unsubscribe headers) plus the HTML alone as .html to
// open in a browser; SMS and custom messages as .json. A repeated
// idempotency key writes nothing and answers the first receipt. It is safe
// for concurrent use.
type Outbox struct {
	dir string
	now func() time.Time
}

// NewOutbox returns an outbox writing into dir (created on first write).
func NewOutbox(dir string, now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{dir: dir, now: now}
}

// Dir returns the folder.
func (o *Outbox) Dir() string { return o.dir }

// OutboxEntry is one message in an outbox.
type OutboxEntry struct {
	ID      string    `json:"id"` // the message id
	Channel string    `json:"channel"`
	Test    bool      `json:"test,omitempty"`
	Subject string    `json:"subject,omitempty"`
	At      time.Time `json:"at"`
	File    string    `json:"file"`
	HTML    string    `json:"html,omitempty"` // the .html file of an email
}

// outboxJSON is the file of an SMS or custom message.
type outboxJSON struct {
	ID      string          `json:"id"`
	Channel string          `json:"channel"`
	Test    bool            `json:"test,omitempty"`
	At      time.Time       `json:"at"`
	To      string          `json:"to,omitempty"`
	From    string          `json:"from,omitempty"`
	Text    string          `json:"text,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Contact string          `json:"contact"`
	Meta    Metadata        `json:"metadata"`
}

func (o *Outbox) base(m Message) (string, error) {
	key := m.IdempotencyKey
	if key == "" || strings.ContainsAny(key, `/\.`) || len(key) > 128 {
		return "", fmt.Errorf("outbox: idempotency key %q: %w", key, ErrPermanent)
	}
	ch := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, m.Channel)
	return filepath.Join(o.dir, key+"-"+ch), nil
}

// Deliver implements Provider.
func (o *Outbox) Deliver(_ context.Context, m Message) (Receipt, error) {
	base, err := o.base(m)
	if err != nil {
		return Receipt{}, err
	}
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return Receipt{}, fmt.Errorf("outbox: %w: %v", ErrTransient, err)
	}
	receipt := Receipt{ProviderID: "outbox-" + filepath.Base(base), Status: StatusDelivered}
	var data []byte
	ext := ".json"
	if Class(m.Channel) == Email {
		ext = ".eml"
		if data, err = EML(m, o.now()); err != nil {
			return Receipt{}, fmt.Errorf("outbox: %w: %v", ErrPermanent, err)
		}
	} else {
		data, err = json.MarshalIndent(outboxJSON{ID: m.ID, Channel: m.Channel, Test: m.Test, At: o.now().UTC(),
			To: m.To, From: m.SMSFrom, Text: m.Text, Payload: m.Payload, Contact: m.Contact,
			Meta: Metadata{Template: m.Template, TemplateVersion: m.TemplateVersion, Locale: m.Locale, Topic: m.Topic}}, "", "  ")
		if err != nil {
			return Receipt{}, fmt.Errorf("outbox: %w: %v", ErrPermanent, err)
		}
	}
	if _, err := os.Stat(base + ext); err == nil {
		return receipt, nil // the same message again: delivered once already
	}
	// The message is written whole under a temporary name, then linked
	// into place, so a reader listing the outbox meanwhile (the dev
	// server, the demo) never sees a half-written file; the link fails
	// when the name exists, which keeps one file per message.
	f, err := os.CreateTemp(o.dir, filepath.Base(base)+".*.tmp")
	if err != nil {
		return Receipt{}, fmt.Errorf("outbox: %w: %v", ErrTransient, err)
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil && ext == ".eml" {
		werr = os.WriteFile(base+".html", []byte(m.HTML), 0o640)
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o640)
	}
	if werr == nil {
		if werr = os.Link(f.Name(), base+ext); errors.Is(werr, os.ErrExist) {
			return receipt, nil // delivered at the same time by another call
		}
	}
	if werr != nil {
		return Receipt{}, fmt.Errorf("outbox: %w: %v", ErrTransient, werr)
	}
	return receipt, nil
}

// EML writes an email as an RFC 5322 message: multipart/alternative with a
// quoted-printable text and HTML part, the message's headers
// (List-Unsubscribe among them), and X-Journeys-Message-Id.
func EML(m Message, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	from := m.From
	h("From", (&mail.Address{Name: from.Name, Address: from.Email}).String())
	if m.To != "" {
		h("To", (&mail.Address{Address: m.To}).String())
	}
	if m.ReplyTo != "" {
		h("Reply-To", (&mail.Address{Address: m.ReplyTo}).String())
	}
	subject := m.Subject
	if m.Test {
		subject = "[TEST] " + subject
	}
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+m.IdempotencyKey+"@journeys.invalid>")
	h("X-Journeys-Message-Id", m.ID)
	if m.Test {
		h("X-Journeys-Test", "true")
	}
	for _, hd := range m.Headers {
		if strings.ContainsAny(hd.Name+hd.Value, "\r\n") {
			return nil, fmt.Errorf("header %s holds a line break", hd.Name)
		}
		h(hd.Name, hd.Value)
	}
	h("MIME-Version", "1.0")
	mw := multipart.NewWriter(&b)
	h("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	b.WriteString("\r\n")
	for _, part := range []struct{ ct, body string }{{"text/plain; charset=utf-8", m.Text}, {"text/html; charset=utf-8", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ct}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ListOutbox lists the messages in an outbox folder, oldest first. A
// missing folder is an empty outbox.
func ListOutbox(dir string) ([]OutboxEntry, error) {
	files, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	var out []OutboxEntry
	for _, f := range files {
		path := filepath.Join(dir, f.Name())
		var e OutboxEntry
		switch filepath.Ext(f.Name()) {
		case ".eml":
			e, err = readEML(path)
		case ".json":
			e, err = readJSON(path)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list outbox: %s: %w", f.Name(), err)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].File < out[j].File
	})
	return out, nil
}

func readEML(path string) (OutboxEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return OutboxEntry{}, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return OutboxEntry{}, err
	}
	at, _ := msg.Header.Date()
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	return OutboxEntry{ID: msg.Header.Get("X-Journeys-Message-Id"), Channel: Email, Test: msg.Header.Get("X-Journeys-Test") == "true",
		Subject: subject, At: at.UTC(), File: path, HTML: strings.TrimSuffix(path, ".eml") + ".html"}, nil
}

func readJSON(path string) (OutboxEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return OutboxEntry{}, err
	}
	var m outboxJSON
	if err := json.Unmarshal(data, &m); err != nil {
		return OutboxEntry{}, err
	}
	return OutboxEntry{ID: m.ID, Channel: m.Channel, Test: m.Test, At: m.At, File: path}, nil
}
