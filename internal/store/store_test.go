package store_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/store"
)

func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		invalid        bool
	}{
		{name: "lower case and trim", in: "  Ada.Lovelace@Example.COM\t", want: "ada.lovelace@example.com"},
		{name: "plus and dots kept", in: "a.b+news@example.com", want: "a.b+news@example.com"},
		{name: "no at", in: "example.com", invalid: true},
		{name: "two ats", in: "a@b@example.com", invalid: true},
		{name: "empty local part", in: "@example.com", invalid: true},
		{name: "empty domain", in: "a@", invalid: true},
		{name: "inner space", in: "a b@example.com", invalid: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := store.NormalizeEmail(c.in)
			if c.invalid {
				if !errors.Is(err, store.ErrInvalid) {
					t.Fatalf("got %q, %v; want ErrInvalid", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+44 (20) 7946-0001": "+442079460001",
		"0044 20 7946 0001":  "+442079460001",
		"020.7946.0001":      "02079460001",
		"  +1 555 0100 ":     "+15550100",
	} {
		if got := store.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShardStable pins the shard function: it is part of the stored key
// design, so a change would strand every stored contact.
func TestShardStable(t *testing.T) {
	got := map[string]int{}
	for _, id := range []string{"c-1", "c-81f2", "", "contact-with-a-long-id"} {
		got[id] = store.Shard(id)
	}
	want := map[string]int{"c-1": 20, "c-81f2": 18, "": 5, "contact-with-a-long-id": 25} // hash/fnv New32a % 32
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("shards changed (-want +got):\n%s", d)
	}
}

func TestShardsOf(t *testing.T) {
	seen := map[int]int{}
	for seg := range 5 {
		for _, s := range store.ShardsOf(seg, 5) {
			seen[s]++
		}
	}
	for s := range store.Shards {
		if seen[s] != 1 {
			t.Fatalf("shard %d read by %d segments", s, seen[s])
		}
	}
}

func TestCheckID(t *testing.T) {
	for name, c := range map[string]struct {
		what, id string
		ok       bool
	}{
		"plain":       {"contact", "c-1", true},
		"unicode":     {"journey", "bienvenue-été", true},
		"empty":       {"contact", "", false},
		"hash":        {"contact", "c#1", false},
		"nul":         {"contact", "c\x001", false},
		"reserved bu": {"bu", store.SharedBU, false},
		"too long":    {"contact", strings.Repeat("x", 201), false},
		"longest":     {"contact", strings.Repeat("é", 100), true},
		"bad utf-8":   {"contact", "c-\xff1", false},
		"tab":         {"contact", "c\t1", false},
		"del":         {"contact", "c\x7f", false},
		"hash late":   {"contact", strings.Repeat("x", 150) + "#", false},
	} {
		err := store.CheckID(c.what, c.id)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, store.ErrInvalid)) {
			t.Errorf("%s: CheckID(%q) = %v", name, c.id, err)
		}
	}
}

// TestNewID: the prefix, then 26 characters of lower-case base32; no two
// alike.
func TestNewID(t *testing.T) {
	valid := regexp.MustCompile(`^m-[a-z2-7]{26}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := store.NewID("m-")
		if !valid.MatchString(id) || seen[id] {
			t.Fatalf("NewID = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestApplyConsentNewestWins(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := store.Contact{Channels: map[string]store.Consent{"email": {Status: store.ConsentGranted, At: t0}}}
	c = c.Apply(store.ContactPatch{Channels: map[string]store.Consent{
		"email": {Status: store.ConsentDenied, At: t0.Add(-time.Second)},
		"sms":   {Status: store.ConsentGranted, At: t0},
	}}, t0)
	c = c.Apply(store.ContactPatch{Channels: map[string]store.Consent{"sms": {Status: store.ConsentDenied, At: t0}}}, t0)
	want := map[string]store.Consent{
		"email": {Status: store.ConsentGranted, At: t0},
		"sms":   {Status: store.ConsentDenied, At: t0}, // same time: the later write wins
	}
	if d := cmp.Diff(want, c.Channels); d != "" {
		t.Fatalf("consent (-want +got):\n%s", d)
	}
	if c.Revision != 2 {
		t.Fatalf("revision %d", c.Revision)
	}
}

func TestAddressHashKeyed(t *testing.T) {
	a := store.AddressHash([]byte("k1"), "acme", store.AddressEmail, "a@example.com")
	for name, other := range map[string]string{
		"another key":  store.AddressHash([]byte("k2"), "acme", store.AddressEmail, "a@example.com"),
		"another bu":   store.AddressHash([]byte("k1"), "globex", store.AddressEmail, "a@example.com"),
		"another kind": store.AddressHash([]byte("k1"), "acme", store.AddressPhone, "a@example.com"),
	} {
		if other == a {
			t.Errorf("%s gives the same hash", name)
		}
	}
	if strings.Contains(a, "example") || len(a) != 64 {
		t.Fatalf("hash %q", a)
	}
}

// TestAddressHasher proves the pooled hasher gives AddressHash's hashes,
// also when reused and from many goroutines.
func TestAddressHasher(t *testing.T) {
	key := []byte("a deployment secret")
	h := store.NewAddressHasher(key)
	cases := []struct {
		bu   string
		kind store.AddressKind
		addr string
	}{
		{"acme", store.AddressEmail, "a@example.com"},
		{"acme", store.AddressPhone, "+15550100"},
		{"globex", store.AddressEmail, strings.Repeat("x", 300) + "@example.com"}, // longer than the stack buffer
		{"", "", ""},
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				for _, c := range cases {
					if got, want := h.Hash(c.bu, c.kind, c.addr), store.AddressHash(key, c.bu, c.kind, c.addr); got != want {
						t.Errorf("Hash(%q, %q, %q) = %s, AddressHash gives %s", c.bu, c.kind, c.addr, got, want)
						return
					}
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	// Pinned: a change would orphan every stored suppression.
	if got := store.AddressHash(key, "acme", store.AddressEmail, "a@example.com"); got != pinnedHash {
		t.Fatalf("AddressHash changed: %s", got)
	}
}

// FuzzNormalizeEmail: addresses come from forms and imports. Normalising
// never panics, is idempotent and gives lower case.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Ada@Example.com", " a@b ", "@", "a@@b", "ÄÖ@ü.de", "\x00@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := store.NormalizeEmail(in)
		if err != nil {
			return
		}
		again, err := store.NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q, %v", in, got, again, err)
		}
		if got != strings.ToLower(got) {
			t.Fatalf("not lower case: %q", got)
		}
	})
}

// pinnedHash is HMAC-SHA256("a deployment secret", "acme\x00email\x00a@example.com"),
// computed apart from the package.
const pinnedHash = "5614d6ce4b6d98ee320fad966045722f9f664babb6b68ad5443f9756ecc5f40e"
