package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/workflow"
	"github.com/journeys-oss/journeys/internal/workflow/workflowtest"
)

// TestPublishRecordsAndActivates: the first publication creates the
// machine with version 1, records the version (bundle, substituted ASL,
// content pins, who, when, version ARN), points the alias at it and makes
// it current; the audit log says so.
func TestPublishRecordsAndActivates(t *testing.T) {
	f := newFixture(t, publish.Config{})
	ctx := context.Background()
	for _, c := range []store.Content{
		{Kind: store.ContentTemplate, ID: "welcome-intro", Locale: "en", Body: "v1"},
		{Kind: store.ContentTemplate, ID: "welcome-intro", Locale: "en", Body: "v2"},
		{Kind: store.ContentTemplate, ID: "welcome-intro", Locale: "de", Body: "v1"},
		{Kind: store.ContentTemplate, ID: "unrelated", Locale: "en", Body: "v1"},
	} {
		if _, err := f.st.PutContent(ctx, bu, c); err != nil {
			t.Fatal(err)
		}
	}
	b := bundle(t, "welcome")
	res := f.publish(t, b, "alice")

	machine := workflowtest.Prefix + "journeys-northwind_welcome"
	want := publish.Result{BU: bu, Journey: "welcome", Version: 1, Status: publish.StatusPublished,
		MachineArn: machine, VersionArn: machine + ":1", AliasArn: machine + ":live",
		Content: map[string]int{"template/welcome-intro/en": 2, "template/welcome-intro/de": 1}}
	if diff := cmp.Diff(want, res, ignoreStats); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if res.Stats.States == 0 || res.Stats.TypicalTransitions == 0 {
		t.Errorf("no stats: %+v", res.Stats)
	}
	if got, _ := f.api.AliasTarget(ctx, res.AliasArn); got != res.VersionArn {
		t.Errorf("alias -> %s, want %s", got, res.VersionArn)
	}
	j, err := f.st.GetJourney(ctx, bu, "welcome")
	if err != nil || j.Current != 1 || j.Status != store.JourneyActive || j.Name != "Welcome series for LinkedIn leads" {
		t.Fatalf("journey record %+v, %v", j, err)
	}
	v, err := f.st.GetVersion(ctx, bu, "welcome", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.PublishedBy != "alice" || v.StateMachineVersion != res.VersionArn || v.PublishedAt.Before(f.now.Add(-2*time.Minute)) {
		t.Errorf("version record %s %s %s", v.PublishedBy, v.StateMachineVersion, v.PublishedAt)
	}
	if got, err := journey.ParseBundle(v.Source); err != nil || !cmp.Equal(got, b) {
		t.Errorf("stored source is not the bundle: %v", err)
	}
	asl := string(v.ASL)
	if strings.Contains(asl, "${") || !strings.Contains(asl, "function:journeys-send") || !json.Valid(v.ASL) {
		t.Errorf("stored ASL is not substituted valid JSON")
	}
	if def, _ := f.api.Definition(res.VersionArn); def != asl {
		t.Error("the published definition is not the stored one")
	}
	if diff := cmp.Diff([]string{"alice publish welcome v1"}, f.audit(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

var ignoreStats = cmpopts.IgnoreFields(publish.Result{}, "Stats")

// TestRunningKeepTheirVersion: a new publication moves the alias; the
// execution started on version 1 keeps it, and the enroller starts new
// contacts on version 2. On the local runtime's Step Functions the
// enroller starts through the alias, which resolves at the start.
func TestRunningKeepTheirVersion(t *testing.T) {
	for _, on := range apis {
		t.Run(on, func(t *testing.T) {
			f := newFixtureOn(t, publish.Config{}, on)
			ctx := context.Background()
			granted := map[string]store.Consent{"email": {Status: store.ConsentGranted, At: f.now}}
			for _, id := range []string{"c-1", "c-2"} {
				if _, err := f.st.UpsertContact(ctx, bu, store.ContactPatch{ID: id, Email: store.String(id + "@example.com"), Channels: granted}); err != nil {
					t.Fatal(err)
				}
			}
			en := enrol.New(f.st, catalog.New(f.st, nil), f.wf, func() time.Time { return f.now })
			b := bundle(t, "welcome")
			v1 := f.publish(t, b, "alice")
			first, err := en.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-1", Entry: "lead-1"})
			if err != nil || first.Version != 1 {
				t.Fatalf("enrol on v1: %+v, %v", first, err)
			}
			v2 := f.publish(t, edit(t, b, "name: Welcome series for LinkedIn leads", "name: Welcome series v2"), "bob")
			if v2.Version != 2 || v2.VersionArn == v1.VersionArn {
				t.Fatalf("second publication %+v", v2)
			}
			second, err := en.Enrol(ctx, enrol.Request{BU: bu, Journey: "welcome", Contact: "c-2", Entry: "lead-2"})
			if err != nil || second.Version != 2 {
				t.Fatalf("enrol on v2: %+v, %v", second, err)
			}
			for arn, want := range map[string]string{first.Execution: v1.VersionArn, second.Execution: v2.VersionArn} {
				info, err := f.wf.Describe(ctx, arn)
				if err != nil || info.VersionArn != want || info.Status != workflow.StatusRunning {
					t.Errorf("%s: %+v, %v; want running %s", arn, info, err, want)
				}
			}
		})
	}
}

// TestUnchangedRepublish: Step Functions returns the same version for an
// unchanged definition; the store still records a new journey version (the
// bundle may differ), and both point at it.
func TestUnchangedRepublish(t *testing.T) {
	f := newFixture(t, publish.Config{})
	b := bundle(t, "welcome")
	a := f.publish(t, b, "alice")
	again := f.publish(t, b, "alice")
	if again.Version != 2 || again.VersionArn != a.VersionArn {
		t.Fatalf("republish: v%d %s, want v2 on %s", again.Version, again.VersionArn, a.VersionArn)
	}
}

func TestPublishRefuses(t *testing.T) {
	good := bundle(t, "welcome")
	for _, tt := range []struct {
		name    string
		cfg     publish.Config
		req     func(journey.Bundle) publish.Request
		is      error
		invalid string // a problem message the InvalidError must hold
		text    string
	}{
		{name: "journey does not check", req: func(b journey.Bundle) publish.Request {
			b.Journey.Source = strings.Replace(b.Journey.Source, "template: welcome-intro}", "template: welcome-intro}\n    next: nowhere", 1)
			return publish.Request{BU: bu, Bundle: b}
		}, invalid: `"nowhere"`},
		{name: "other business unit", req: func(b journey.Bundle) publish.Request {
			return publish.Request{BU: "contoso", Bundle: b}
		}, is: publish.ErrForbidden},
		{name: "function not configured", cfg: publish.Config{Functions: map[string]string{"SendFunctionArn": "arn:x"}},
			req: func(b journey.Bundle) publish.Request { return publish.Request{BU: bu, Bundle: b} },
			is:  publish.ErrConfig, text: "ApprovalRequestFunctionArn (APPROVAL_REQUEST_FUNCTION_ARN)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg)
			_, err := f.pub.Publish(context.Background(), tt.req(good))
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if tt.text != "" && (err == nil || !strings.Contains(err.Error(), tt.text)) {
				t.Fatalf("err = %v, want it to say %q", err, tt.text)
			}
			if tt.invalid != "" {
				var inv *publish.InvalidError
				if !errors.As(err, &inv) || len(inv.Problems) == 0 || !strings.Contains(inv.Error(), tt.invalid) {
					t.Fatalf("err = %v, want an InvalidError about %s", err, tt.invalid)
				}
			}
			if len(f.api.Executions()) != 0 {
				t.Error("started something")
			}
			if vs, _ := f.st.ListVersions(context.Background(), bu, "welcome"); len(vs) != 0 {
				t.Errorf("recorded %d versions", len(vs))
			}
		})
	}
}

// TestMachineName: names are <prefix><bu>_<journey>, at most 80
// characters. A deployment's prefix is <stack>_ (template.yaml), and two
// stacks' names never meet: journeys-dev_* does not match a name of the
// stack journeys-dev-eu.
func TestMachineName(t *testing.T) {
	for _, tt := range []struct {
		name, prefix, bu, id, want string
	}{
		{"default prefix", "", "northwind", "welcome", "journeys-northwind_welcome"},
		{"bu with a dash", "", "a-b", "c", "journeys-a-b_c"},
		{"journey with a dash", "", "a", "b-c", "journeys-a_b-c"},
		{"dev stack", "journeys-dev_", "northwind", "welcome", "journeys-dev_northwind_welcome"},
		{"prod stack", "journeys-prod_", "northwind", "welcome", "journeys-prod_northwind_welcome"},
		{"stack sharing a start", "journeys-dev-eu_", "northwind", "welcome", "journeys-dev-eu_northwind_welcome"},
		{"exactly 80", "journeys-dev_", "bu", strings.Repeat("j", 80-len("journeys-dev_bu_")), "journeys-dev_bu_" + strings.Repeat("j", 80-len("journeys-dev_bu_"))},
		{"81 characters", "journeys-dev_", "bu", strings.Repeat("j", 81-len("journeys-dev_bu_")), ""},
		{"space in bu", "", "north wind", "x", ""},
		{"too long", "", "bu", strings.Repeat("j", 70), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := publish.Config{MachinePrefix: tt.prefix}.MachineName(tt.bu, tt.id)
			if got != tt.want || (tt.want == "") != (err != nil) {
				t.Errorf("MachineName(%q, %q) = %q, %v; want %q", tt.bu, tt.id, got, err, tt.want)
			}
			if err != nil && !errors.Is(err, publish.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestPlaceholderEnv(t *testing.T) {
	env := publish.PlaceholderEnv()
	for name, want := range map[string]string{
		"SendFunctionArn":            "SEND_FUNCTION_ARN",
		"ApprovalRequestFunctionArn": "APPROVAL_REQUEST_FUNCTION_ARN",
		"WaitRegisterFunctionArn":    "WAIT_REGISTER_FUNCTION_ARN",
	} {
		if env[name] != want {
			t.Errorf("%s -> %q, want %q", name, env[name], want)
		}
	}
}

// TestPublishGivenMachine: a request's Machine (a released machine, as
// `journeys compile` wrote it) is what is published and recorded, with
// its placeholders resolved, instead of today's compile of the bundle.
func TestPublishGivenMachine(t *testing.T) {
	f := newFixture(t, publish.Config{})
	raw, err := os.ReadFile(filepath.Join("testdata", "releases", "v1", "welcome.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	const pause = `"Seconds": 172800,`
	machine := bytes.Replace(raw, []byte(pause), []byte(`"Seconds": 86400,`), 1)
	res, err := f.pub.Publish(context.Background(), publish.Request{BU: bu, Bundle: bundle(t, "welcome"), By: "ci", Machine: machine})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.st.GetVersion(context.Background(), bu, "welcome", res.Version)
	if err != nil {
		t.Fatal(err)
	}
	def, err := f.api.Definition(res.VersionArn)
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]string{"recorded": string(v.ASL), "published": def} {
		if !strings.Contains(got, `"Seconds": 86400,`) || strings.Contains(got, pause) || strings.Contains(got, "${") {
			t.Errorf("%s machine is not the given one with its placeholders resolved", what)
		}
	}
	if _, err := f.pub.Publish(context.Background(), publish.Request{BU: bu, Bundle: bundle(t, "welcome"), By: "ci", Machine: []byte(`{"StartAt": "${NoSuchArn}"}`)}); !errors.Is(err, publish.ErrConfig) {
		t.Errorf("a machine with an unknown placeholder: err = %v, want ErrConfig", err)
	}
}
