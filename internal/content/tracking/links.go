package tracking

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Paths under Links.Base that the tracking endpoint serves.
const (
	ClickPath       = "/c"           // GET: verify, record the click, 302 to the destination
	OpenPath        = "/o"           // GET: verify, record the open, answer a 1x1 GIF
	ViewPath        = "/v"           // GET: the message as a web page
	UnsubscribePath = "/unsubscribe" // GET: preference page; POST List-Unsubscribe=One-Click
	PreferencesPath = "/preferences" // GET/POST: preference page
)

// Query parameter names.
const (
	ParamMessage = "m" // message id
	ParamURL     = "u" // click destination
	ParamKey     = "k" // signing key id
	ParamSig     = "s" // signature
	ParamToken   = "t" // subscriber token (unsubscribe, preferences)
)

// Purposes separate the signatures of different URL kinds, so a signed open
// URL cannot be replayed as a click.
const (
	purposeClick = "click/v1"
	purposeOpen  = "open/v1"
	purposeView  = "view/v1"
	purposeToken = "subscriber/v1"
)

// Links builds the signed URLs of one deployment's tracking endpoint.
// It is safe for concurrent use.
type Links struct {
	// Base is the absolute URL the endpoint is mounted at, without a
	// trailing slash, e.g. "https://t.example.com" or "http://localhost:8080/t".
	Base string
	// Signer signs every URL and token.
	Signer *Signer
	// Mailto, when set, is the address of the List-Unsubscribe mailto URI
	// (the token goes into its subject).
	Mailto string
}

// NewLinks checks base and returns Links. base must be an absolute http or
// https URL without query or fragment.
func NewLinks(base string, signer *Signer, mailto string) (*Links, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("tracking: base %q must be an absolute http(s) URL without query or fragment", base)
	}
	if signer == nil {
		return nil, errors.New("tracking: links need a signer")
	}
	if mailto != "" && (strings.ContainsAny(mailto, "?<>, \t\r\n") || !strings.Contains(mailto, "@")) {
		return nil, fmt.Errorf("tracking: mailto %q is not a plain address", mailto)
	}
	return &Links{Base: strings.TrimRight(base, "/"), Signer: signer, Mailto: mailto}, nil
}

// IsOwn reports whether rawURL points at this endpoint (such links are never
// wrapped for click tracking).
func (l *Links) IsOwn(rawURL string) bool {
	return strings.HasPrefix(rawURL, l.Base) && (len(rawURL) == len(l.Base) || rawURL[len(l.Base)] == '/' || rawURL[len(l.Base)] == '?')
}

// Click returns the click-tracking URL that redirects to dest for message.
func (l *Links) Click(message, dest string) string {
	return string(l.AppendClick(nil, message, dest))
}

// AppendClick appends the click-tracking URL for dest to b. It is Click
// without allocations, for rendering in bulk.
func (l *Links) AppendClick(b []byte, message, dest string) []byte {
	return l.appendClick(b, message, dest, "&")
}

// AppendClickHTML is AppendClick with the URL escaped for an HTML
// attribute (its only character that needs it is &).
func (l *Links) AppendClickHTML(b []byte, message, dest string) []byte {
	return l.appendClick(b, message, dest, "&amp;")
}

func (l *Links) appendClick(b []byte, message, dest, amp string) []byte {
	b = l.appendClickPrefix(b, message, amp)
	return l.appendClickRest(b, message, dest, amp)
}

// appendClickPrefix appends what a message's click URLs start with: the
// endpoint and the message, up to the destination's value.
func (l *Links) appendClickPrefix(b []byte, message, amp string) []byte {
	b = append(b, l.Base...)
	b = append(b, ClickPath+"?"+ParamMessage+"="...)
	b = appendQueryEscape(b, message)
	b = append(b, amp...)
	return append(b, ParamURL+"="...)
}

// appendClickRest appends the destination and the signature.
func (l *Links) appendClickRest(b []byte, message, dest, amp string) []byte {
	b = appendQueryEscape(b, dest)
	b = append(b, amp...)
	b = append(b, ParamKey+"="...)
	b = append(b, l.Signer.signingKeyID()...)
	b = append(b, amp...)
	b = append(b, ParamSig+"="...)
	_, b = l.Signer.appendSign(b, purposeClick, message, dest)
	return b
}

// A ClickWriter appends the click-tracking URLs of one message, escaped
// for an HTML attribute, making the part that is the same for every link
// once. The zero value is ready for Reset; it is not safe for concurrent
// use.
type ClickWriter struct {
	l       *Links
	message string
	prefix  []byte
}

// Reset makes w write the links of message, reusing its buffer.
func (w *ClickWriter) Reset(l *Links, message string) {
	w.l, w.message = l, message
	w.prefix = l.appendClickPrefix(w.prefix[:0], message, "&amp;")
}

// Append appends the click-tracking URL for dest to b, as AppendClickHTML
// does.
func (w *ClickWriter) Append(b []byte, dest string) []byte {
	b = append(b, w.prefix...)
	return w.l.appendClickRest(b, w.message, dest, "&amp;")
}

// Open returns the URL of the open-tracking pixel for message.
func (l *Links) Open(message string) string {
	return l.messageURL(OpenPath, purposeOpen, message)
}

// View returns the "view in browser" URL for message.
func (l *Links) View(message string) string {
	return l.messageURL(ViewPath, purposeView, message)
}

func (l *Links) messageURL(path, purpose, message string) string {
	var buf [sigB64Len]byte
	kid, sig := l.Signer.appendSign(buf[:0], purpose, message)
	b := make([]byte, 0, len(l.Base)+len(path)+len(message)+48)
	b = append(b, l.Base...)
	b = append(b, path...)
	b = append(b, "?"+ParamMessage+"="...)
	b = appendQueryEscape(b, message)
	return string(appendKeySig(b, kid, sig))
}

func appendKeySig(b []byte, kid string, sig []byte) []byte {
	b = append(b, "&"+ParamKey+"="...)
	b = append(b, kid...)
	b = append(b, "&"+ParamSig+"="...)
	return append(b, sig...)
}

// appendQueryEscape appends s escaped as url.QueryEscape does, copying
// runs of unreserved characters at once.
func appendQueryEscape(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && unreserved(s[j]) {
			j++
		}
		b = append(b, s[i:j]...)
		if j == len(s) {
			break
		}
		if c := s[j]; c == ' ' {
			b = append(b, '+')
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
		i = j + 1
	}
	return b
}

// unreservedBytes marks the characters url.QueryEscape leaves alone: A-Z
// a-z 0-9 - _ . ~. A table: every byte of every tracked URL is looked up.
var unreservedBytes = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.' || b == '~'
	}
	return t
}()

func unreserved(c byte) bool { return unreservedBytes[c] }

// Unsubscribe returns the unsubscribe URL carrying token (from Token).
// The URL needs no HTML escaping.
func (l *Links) Unsubscribe(token string) string {
	return l.Base + UnsubscribePath + "?" + ParamToken + "=" + token
}

// Preferences returns the preference-centre URL carrying token.
func (l *Links) Preferences(token string) string {
	return l.Base + PreferencesPath + "?" + ParamToken + "=" + token
}

// UnsubscribeMailto returns the mailto URI for the List-Unsubscribe header,
// or "" when Links has no Mailto address.
func (l *Links) UnsubscribeMailto(token string) string {
	if l.Mailto == "" {
		return ""
	}
	return "mailto:" + l.Mailto + "?subject=unsubscribe%20" + token
}

// A Click is a verified click: the message it came from and where to go.
type Click struct {
	Message string
	URL     string
}

// VerifyClick checks the query of a click URL and returns its message id and
// destination. It returns ErrMalformed, ErrUnknownKey or ErrBadSignature; on
// any error the endpoint must not redirect.
func (s *Signer) VerifyClick(q url.Values) (Click, error) {
	m, u := single(q, ParamMessage), single(q, ParamURL)
	if m == "" || u == "" {
		return Click{}, ErrMalformed
	}
	if err := s.Verify(purposeClick, single(q, ParamKey), single(q, ParamSig), m, u); err != nil {
		return Click{}, err
	}
	return Click{Message: m, URL: u}, nil
}

// VerifyOpen checks the query of an open-pixel URL and returns the message id.
func (s *Signer) VerifyOpen(q url.Values) (string, error) {
	return s.verifyMessage(purposeOpen, q)
}

// VerifyView checks the query of a view-in-browser URL and returns the
// message id.
func (s *Signer) VerifyView(q url.Values) (string, error) {
	return s.verifyMessage(purposeView, q)
}

func (s *Signer) verifyMessage(purpose string, q url.Values) (string, error) {
	m := single(q, ParamMessage)
	if m == "" {
		return "", ErrMalformed
	}
	if err := s.Verify(purpose, single(q, ParamKey), single(q, ParamSig), m); err != nil {
		return "", err
	}
	return m, nil
}

// single returns the only value of key, or "" when it is missing or repeated
// (a repeated parameter is a sign of tampering, not something to pick from).
func single(q url.Values, key string) string {
	v := q[key]
	if len(v) != 1 {
		return ""
	}
	return v[0]
}

// A Subscriber names who a token speaks for: ids only.
type Subscriber struct {
	BU      string // business unit
	Contact string // contact id
	Message string // the message the link was sent in (may be empty)
	Topic   string // the message's topic (may be empty)
}

// ErrBadField is returned by Token for a Subscriber field that cannot be
// carried: empty BU or Contact, or a control character in any field.
var ErrBadField = errors.New("tracking: subscriber field is empty or has control characters")

// Token returns the signed subscriber token carried by unsubscribe and
// preference URLs: "<key>.<payload>.<sig>", all base64url, no padding.
func (s *Signer) Token(sub Subscriber) (string, error) {
	if sub.BU == "" || sub.Contact == "" {
		return "", ErrBadField
	}
	for _, f := range []string{sub.BU, sub.Contact, sub.Message, sub.Topic} {
		for i := 0; i < len(f); i++ {
			if f[i] < 0x20 || f[i] == 0x7f {
				return "", ErrBadField
			}
		}
	}
	// "<key>.<payload>.<sig>" built in one buffer: the payload is encoded
	// in place, then signed as the string it is in the token.
	kid := s.signingKeyID()
	n := len(sub.BU) + len(sub.Contact) + len(sub.Message) + len(sub.Topic) + 3
	b := make([]byte, 0, len(kid)+1+base64.RawURLEncoding.EncodedLen(n)+1+sigB64Len)
	b = append(b, kid...)
	b = append(b, '.')
	var raw [256]byte
	payload := append(append(append(append(append(append(append(raw[:0], sub.BU...), '\n'), sub.Contact...), '\n'), sub.Message...), '\n'), sub.Topic...)
	start := len(b)
	b = base64.RawURLEncoding.AppendEncode(b, payload)
	enc := string(b[start:])
	b = append(b, '.')
	_, b = s.appendSign(b, purposeToken, enc)
	return string(b), nil
}

// VerifyToken checks a subscriber token (from an unsubscribe or preference
// URL, or the mailto subject) and returns who it speaks for. It returns
// ErrMalformed, ErrUnknownKey or ErrBadSignature.
func (s *Signer) VerifyToken(token string) (Subscriber, error) {
	kid, rest, ok := strings.Cut(token, ".")
	if !ok {
		return Subscriber{}, ErrMalformed
	}
	enc, sig, ok := strings.Cut(rest, ".")
	if !ok || enc == "" {
		return Subscriber{}, ErrMalformed
	}
	if err := s.Verify(purposeToken, kid, sig, enc); err != nil {
		return Subscriber{}, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return Subscriber{}, ErrMalformed
	}
	f := strings.Split(string(raw), "\n")
	if len(f) != 4 || f[0] == "" || f[1] == "" {
		return Subscriber{}, ErrMalformed
	}
	return Subscriber{BU: f[0], Contact: f[1], Message: f[2], Topic: f[3]}, nil
}

// VerifyUnsubscribe checks the query of an unsubscribe or preference URL and
// returns the token and who it speaks for.
func (s *Signer) VerifyUnsubscribe(q url.Values) (string, Subscriber, error) {
	t := single(q, ParamToken)
	if t == "" {
		return "", Subscriber{}, ErrMalformed
	}
	sub, err := s.VerifyToken(t)
	return t, sub, err
}
