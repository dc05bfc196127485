package lambdamain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/journeys-oss/journeys/internal/lambdamain"
)

func TestContentTTLFromEnv(t *testing.T) {
	cases := []struct {
		name, value string
		want        time.Duration
		bad         bool
	}{
		{name: "unset", want: lambdamain.DefaultContentTTL},
		{name: "off", value: "0", want: 0},
		{name: "a duration", value: "15s", want: 15 * time.Second},
		{name: "negative", value: "-1s", bad: true},
		{name: "not a duration", value: "soon", bad: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"TABLE_NAME": "t", "SETTINGS_DIR": "s", "SECRET_PREFIX": "p/", "CONTENT_CACHE_TTL": c.value}
			cfg, err := lambdamain.FromEnv(func(k string) string { return env[k] })
			if c.bad {
				if err == nil || !strings.Contains(err.Error(), "CONTENT_CACHE_TTL") {
					t.Fatalf("want an error naming CONTENT_CACHE_TTL, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ContentTTL != c.want {
				t.Errorf("ContentTTL = %v, want %v", cfg.ContentTTL, c.want)
			}
		})
	}
}
