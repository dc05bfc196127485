package webhook

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestParseSecret(t *testing.T) {
	key := func(n int) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, n)) }
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"spec example", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true},
		{"32 bytes", "whsec_" + key(32), true},
		{"64 bytes", "whsec_" + key(64), true},
		{"unpadded", "whsec_" + strings.TrimRight(key(32), "="), true},
		{"surrounding space", "  whsec_" + key(32) + "\n", true},
		{"no prefix", key(32), false},
		{"wrong prefix", "whsk_" + key(32), false},
		{"not base64", "whsec_!!!!not-base64!!!!", false},
		{"23 bytes", "whsec_" + key(23), false},
		{"65 bytes", "whsec_" + key(65), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSecret(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseSecret: err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidSecret) {
					t.Errorf("error %v does not wrap ErrInvalidSecret", err)
				}
				if strings.Contains(err.Error(), strings.TrimPrefix(strings.TrimSpace(tt.in), "whsec_")) && tt.in != "" {
					t.Errorf("error %q leaks the secret", err)
				}
				return
			}
			again, err := ParseSecret(s.Text())
			if err != nil || !bytes.Equal(again.key, s.key) {
				t.Errorf("Text() does not round-trip: %v", err)
			}
		})
	}
}

func TestSecretStringHidesKey(t *testing.T) {
	s, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), "MfKQ") {
		t.Errorf("String() = %q shows the key", s.String())
	}
}

func TestNewSecret(t *testing.T) {
	s, err := NewSecret(bytes.NewReader(bytes.Repeat([]byte{1}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSecret(s.Text()); err != nil {
		t.Errorf("generated secret does not parse: %v", err)
	}
	if _, err := NewSecret(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("NewSecret with a short reader: want error")
	}
}

func TestParseSecrets(t *testing.T) {
	_, err := ParseSecrets("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "nope")
	if err == nil || !strings.Contains(err.Error(), "secret 2") {
		t.Errorf("ParseSecrets error = %v, want one naming secret 2", err)
	}
}
