package tracking

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testSigner(t testing.TB, keys ...Key) *Signer {
	t.Helper()
	if len(keys) == 0 {
		keys = []Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}
	}
	s, err := NewSigner(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testLinks(t testing.TB, s *Signer) *Links {
	t.Helper()
	l, err := NewLinks("https://t.example.com/", s, "unsub@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func query(t testing.TB, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestClickRoundTrip(t *testing.T) {
	l := testLinks(t, testSigner(t))
	for _, dest := range []string{
		"https://northwind.example/pricing",
		"https://northwind.example/a?utm_source=email&utm_campaign=welcome#top",
		"https://northwind.example/ü?q=a+b&x=%20",
	} {
		raw := l.Click("msg-1", dest)
		if !strings.HasPrefix(raw, "https://t.example.com/c?") {
			t.Errorf("click url %q does not start with base and path", raw)
		}
		got, err := l.Signer.VerifyClick(query(t, raw))
		if err != nil {
			t.Fatalf("verify %q: %v", raw, err)
		}
		if diff := cmp.Diff(Click{Message: "msg-1", URL: dest}, got); diff != "" {
			t.Errorf("click (-want +got):\n%s", diff)
		}
	}
}

// TestClickWriter: a message's ClickWriter writes what AppendClickHTML
// writes, link after link, and again after a Reset for another message.
func TestClickWriter(t *testing.T) {
	l := testLinks(t, testSigner(t))
	var w ClickWriter
	for _, msg := range []string{"msg-1", "m1.YmF6/+"} {
		w.Reset(l, msg)
		for _, dest := range []string{"https://northwind.example/pricing", "https://northwind.example/a?b=1&c=d e"} {
			got, want := string(w.Append([]byte("x"), dest)), string(l.AppendClickHTML([]byte("x"), msg, dest))
			if got != want {
				t.Errorf("%s %s:\n got %s\nwant %s", msg, dest, got, want)
			}
		}
	}
}

func TestClickTampered(t *testing.T) {
	s := testSigner(t)
	l := testLinks(t, s)
	good := query(t, l.Click("msg-1", "https://northwind.example/pricing"))
	other := testLinks(t, testSigner(t, Key{ID: "k1", Secret: []byte("another secret of sixteen+ bytes")}))
	tests := []struct {
		name   string
		mutate func(q url.Values)
		want   error
	}{
		{"destination changed (open redirect attempt)", func(q url.Values) { q.Set("u", "https://evil.example/") }, ErrBadSignature},
		{"message changed", func(q url.Values) { q.Set("m", "msg-2") }, ErrBadSignature},
		{"signature flipped", func(q url.Values) {
			sig := []byte(q.Get("s"))
			sig[3] ^= 1
			q.Set("s", string(sig))
		}, ErrBadSignature},
		{"signature truncated", func(q url.Values) { q.Set("s", q.Get("s")[:10]) }, ErrMalformed},
		{"signature missing", func(q url.Values) { q.Del("s") }, ErrMalformed},
		{"unknown key id", func(q url.Values) { q.Set("k", "k9") }, ErrUnknownKey},
		{"destination repeated", func(q url.Values) { q.Add("u", "https://evil.example/") }, ErrMalformed},
		{"no destination", func(q url.Values) { q.Del("u") }, ErrMalformed},
		{"signed under another secret", func(q url.Values) {
			o := query(t, other.Click("msg-1", "https://evil.example/"))
			for k := range q {
				q.Set(k, o.Get(k))
			}
		}, ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = append([]string(nil), v...)
			}
			tc.mutate(q)
			_, err := s.VerifyClick(q)
			if !errors.Is(err, tc.want) {
				t.Errorf("VerifyClick = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	old := Key{ID: "2024", Secret: []byte("old secret, sixteen bytes or more")}
	cur := Key{ID: "2025", Secret: []byte("new secret, sixteen bytes or more")}
	before := testLinks(t, testSigner(t, old))
	during := testLinks(t, testSigner(t, cur, old))
	after := testLinks(t, testSigner(t, cur))

	oldURL := before.Click("m", "https://northwind.example/")
	newURL := during.Click("m", "https://northwind.example/")
	if got := query(t, newURL).Get("k"); got != "2025" {
		t.Errorf("during rotation the newest key signs: k=%q, want 2025", got)
	}
	if _, err := during.Signer.VerifyClick(query(t, oldURL)); err != nil {
		t.Errorf("old URL during rotation: %v", err)
	}
	if _, err := during.Signer.VerifyClick(query(t, newURL)); err != nil {
		t.Errorf("new URL during rotation: %v", err)
	}
	if _, err := after.Signer.VerifyClick(query(t, oldURL)); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old URL after retirement: %v, want ErrUnknownKey", err)
	}
	if diff := cmp.Diff([]string{"2025", "2024"}, during.Signer.KeyIDs()); diff != "" {
		t.Errorf("key ids (-want +got):\n%s", diff)
	}
}

func TestPurposesDoNotCross(t *testing.T) {
	l := testLinks(t, testSigner(t))
	open := query(t, l.Open("msg-1"))
	if m, err := l.Signer.VerifyOpen(open); err != nil || m != "msg-1" {
		t.Fatalf("VerifyOpen = %q, %v", m, err)
	}
	if _, err := l.Signer.VerifyView(open); !errors.Is(err, ErrBadSignature) {
		t.Errorf("an open URL verified as a view URL: %v", err)
	}
	view := query(t, l.View("msg-1"))
	if m, err := l.Signer.VerifyView(view); err != nil || m != "msg-1" {
		t.Errorf("VerifyView = %q, %v", m, err)
	}
	view.Set("u", "https://evil.example/")
	if _, err := l.Signer.VerifyClick(view); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a view URL verified as a click: %v", err)
	}
}

func TestSubscriberToken(t *testing.T) {
	s := testSigner(t)
	l := testLinks(t, s)
	sub := Subscriber{BU: "northwind", Contact: "c-81f2", Message: "msg-1", Topic: "product-news"}
	tok, err := s.Token(sub)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "&<>\"'+/=% ") {
		t.Errorf("token %q needs escaping in URLs or HTML", tok)
	}
	_, got, err := s.VerifyUnsubscribe(query(t, l.Unsubscribe(tok)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sub, got); diff != "" {
		t.Errorf("subscriber (-want +got):\n%s", diff)
	}
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64URL("northwind\nc-other\nmsg-1\n") + "." + parts[2]
	tests := map[string]string{
		"payload swapped": forged,
		"no dots":         strings.ReplaceAll(tok, ".", ""),
		"empty":           "",
		"sig changed":     parts[0] + "." + parts[1] + "." + strings.Repeat("A", 22),
	}
	for name, bad := range tests {
		if _, err := s.VerifyToken(bad); err == nil {
			t.Errorf("%s: token %q verified", name, bad)
		}
	}
	if _, err := s.Token(Subscriber{BU: "b"}); !errors.Is(err, ErrBadField) {
		t.Errorf("token without contact: %v", err)
	}
	if _, err := s.Token(Subscriber{BU: "b", Contact: "c\n2"}); !errors.Is(err, ErrBadField) {
		t.Errorf("token with newline: %v", err)
	}
	if got := l.UnsubscribeMailto(tok); got != "mailto:unsub@example.com?subject=unsubscribe%20"+tok {
		t.Errorf("mailto = %q", got)
	}
}

func TestNewSignerRejects(t *testing.T) {
	tests := map[string][]Key{
		"no keys":      nil,
		"short secret": {{ID: "a", Secret: []byte("short")}},
		"bad id":       {{ID: "a b", Secret: []byte("0123456789abcdef")}},
		"duplicate id": {{ID: "a", Secret: []byte("0123456789abcdef")}, {ID: "a", Secret: []byte("0123456789abcdef")}},
	}
	for name, keys := range tests {
		if _, err := NewSigner(keys...); err == nil {
			t.Errorf("%s: NewSigner accepted %v", name, keys)
		}
	}
	if _, err := NewLinks("ftp://x", testSigner(t), ""); err == nil {
		t.Error("NewLinks accepted an ftp base")
	}
}

func TestIsOwn(t *testing.T) {
	l := testLinks(t, testSigner(t))
	for raw, want := range map[string]bool{
		"https://t.example.com/unsubscribe?t=x": true,
		"https://t.example.com":                 true,
		"https://t.example.com.evil.example/":   false,
		"https://northwind.example/":            false,
	} {
		if got := l.IsOwn(raw); got != want {
			t.Errorf("IsOwn(%q) = %v, want %v", raw, got, want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	s := testSigner(f)
	l := testLinks(f, s)
	f.Add(strings.TrimPrefix(l.Click("m", "https://x.example/"), "https://t.example.com/c?"))
	tok, _ := s.Token(Subscriber{BU: "b", Contact: "c"})
	f.Add("t=" + tok)
	f.Add("m=a&u=b&k=k1&s=AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		if c, err := s.VerifyClick(q); err == nil && c.URL == "" {
			t.Errorf("verified click without destination")
		}
		_, _ = s.VerifyOpen(q)
		_, _, _ = s.VerifyUnsubscribe(q)
		_, _ = s.VerifyToken(raw)
	})
}

func TestQueryEscapeMatchesNetURL(t *testing.T) {
	var every []byte
	for c := range 256 {
		every = append(every, byte(c))
	}
	for _, s := range []string{"", "a b", "https://x.example/?a=1&b=ü#f", "~._-", "%2F/+", string(every)} {
		if got, want := string(appendQueryEscape(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", s, got, want)
		}
	}
}
