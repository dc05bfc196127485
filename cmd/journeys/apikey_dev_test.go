package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/local/devserver"
)

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want expiry
		err  string
	}{
		{"", expiry{}, ""},
		{"90d", expiry{in: 90 * 24 * time.Hour}, ""},
		{"12h", expiry{in: 12 * time.Hour}, ""},
		{"2027-01-31", expiry{at: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}, ""},
		{"2027-01-31T12:00:00+01:00", expiry{at: time.Date(2027, 1, 31, 11, 0, 0, 0, time.UTC)}, ""},
		{"0d", expiry{}, "neither a duration"},
		{"-1h", expiry{}, "not a positive duration"},
		{"2026-11-30", expiry{}, "not in the future"},
		{"next week", expiry{}, "neither a duration"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseExpiry(tc.in, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.in != tc.want.in || !got.at.Equal(tc.want.at) {
				t.Fatalf("parseExpiry(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDevKey(t *testing.T) {
	one, two := t.TempDir(), t.TempDir()
	write := func(dir string, kf devserver.KeyFile) {
		raw, _ := json.Marshal(kf)
		if err := os.WriteFile(filepath.Join(dir, devserver.KeyFileName), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(one, devserver.KeyFile{URL: "http://127.0.0.1:8080", Keys: map[string]string{"northwind": "jk_n"}})
	write(two, devserver.KeyFile{URL: "http://127.0.0.1:8080", Keys: map[string]string{"northwind": "jk_n", "contoso": "jk_c"}})
	tests := []struct {
		name, dir, api, bu string
		want, err          string
	}{
		{"the only unit", one, "http://127.0.0.1:8080", "", "jk_n", ""},
		{"localhost", one, "http://localhost:8080/", "", "jk_n", ""},
		{"the unit asked for", two, "http://127.0.0.1:8080", "contoso", "jk_c", ""},
		{"several units", two, "http://127.0.0.1:8080", "", "", "keys of contoso, northwind: give --bu"},
		{"a unit without a key", one, "http://127.0.0.1:8080", "contoso", "", "no key of business unit contoso"},
		{"another port", one, "http://127.0.0.1:9090", "", "", "listens on http://127.0.0.1:8080"},
		{"not loopback", one, "https://api.example.com", "", "", "not a local dev server"},
		{"no key file", t.TempDir(), "http://127.0.0.1:8080", "", "", "no api-keys.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := func(k string) string {
				if k == envData {
					return tc.dir
				}
				return ""
			}
			got, err := devKey(tc.api, tc.bu, env)
			if tc.err != "" {
				if !errors.Is(err, errNoDevKey) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want errNoDevKey with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("devKey = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
