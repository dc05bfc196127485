package leads_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/settings"
)

func TestLoadConfigs(t *testing.T) {
	dir := t.TempDir()
	for bu, body := range map[string]string{
		"northwind": "linkedin:\n  owners: [urn:li:sponsoredAccount:507404993]\n  missingEmail: create\n" +
			"  mapping:\n    default:\n      consents: {1: {channel: email}}\n    forms:\n      6840193257:\n        questions: {plan: plan}\n",
		"contoso": "linkedin:\n  owners: [urn:li:organization:77]\n  match: sometimes\n",
		"plain":   "",
	} {
		if err := os.WriteFile(settings.FileName(dir, bu), []byte("businessUnit: "+bu+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := settings.NewDir(dir)
	if _, err := leads.LoadConfigs(dir, src); err == nil {
		t.Fatal("a bad match policy was accepted")
	}
	if err := os.Remove(settings.FileName(dir, "contoso")); err != nil {
		t.Fatal(err)
	}
	got, err := leads.LoadConfigs(dir, settings.NewDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]leads.Config{"northwind": {
		Owners: []string{"urn:li:sponsoredAccount:507404993"}, MissingEmail: leads.MissingEmailCreate,
		Mapping: leads.MappingConfig{
			Default: leads.FormMappingConfig{Consents: map[int64]leads.ConsentConfig{1: {Channel: "email"}}},
			Forms:   map[int64]leads.FormMappingConfig{6840193257: {Questions: map[string]string{"plan": "plan"}}},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configs (-want +got):\n%s", diff)
	}
	if _, err := leads.FromSettings(src)(context.Background(), "plain"); !errors.Is(err, leads.ErrNoSection) {
		t.Errorf("a unit without the section: %v", err)
	}
}

// TestExampleSettings: the repository's example settings route the
// sample owner to northwind.
func TestExampleSettings(t *testing.T) {
	dir := filepath.Join("..", "..", "journeys", "settings")
	configs, err := leads.LoadConfigs(dir, settings.NewDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := leads.NewRoutes(configs)
	if err != nil || routes[owner] != bu {
		t.Errorf("routes %v, %v; want %s to belong to %s", routes, err, owner, bu)
	}
}
