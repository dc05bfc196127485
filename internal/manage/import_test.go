package manage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestImportReportsBadRowsByLine: good rows are written, every bad one is
// reported with its line (the header is line 1) and column.
func TestImportReportsBadRowsByLine(t *testing.T) {
	f := newFixture(t, manage.Config{})
	ctx := context.Background()
	if err := f.st.Suppress(ctx, bu, store.AddressEmail, "bounced@example.com", store.SuppressedBounce); err != nil {
		t.Fatal(err)
	}
	csv := strings.Join([]string{
		"email,firstName,consent.email,topic.newsletter,leadScore:number,vip:bool,signedUpAt:timestamp,tags:list,industry",
		"ada@example.com,Ada,granted,yes,72,true,2026-01-05,a|b,software",
		"not-an-email,Bob,granted,,,,,,",
		"cy@example.com,Cy,granted",
		"di@example.com,Di,granted,,seventy,,,,",
		"ed@example.com,Ed,perhaps,,,,,,",
		"fay@example.com,Fay,,,,maybe,,,",
		"gil@example.com,Gil,,,,,March,,",
		`hal@example.com,Ha"l,denied,,,,,,`,
		"bounced@example.com,Ivy,,,,,,,",
		",Jo,,,,,,,",
		"ADA@example.com,Ada Lovelace,denied,,,,,,",
		"",
	}, "\n")
	rep, err := f.client("ops").Import(ctx, []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := manage.ImportReport{Rows: 11, Created: 1, Updated: 1, Failed: 9, Errors: []manage.RowError{
		{Line: 3, Column: "email", Message: "malformed email address"},
		{Line: 4, Message: "wrong number of fields"},
		{Line: 5, Column: "leadScore:number", Message: `"seventy" is not a number`},
		{Line: 6, Column: "consent.email", Message: `"perhaps" is not granted, denied or unknown`},
		{Line: 7, Column: "vip:bool", Message: `"maybe" is not true or false`},
		{Line: 8, Column: "signedUpAt:timestamp", Message: `"March" is not a date (2026-03-01) or RFC 3339 time`},
		{Line: 9, Message: `bare " in non-quoted-field`},
		{Line: 10, Message: "the address is suppressed (bounced, complained or erased) and may not be imported again"},
		{Line: 11, Column: "email", Message: "no email address"},
	}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	c, err := f.st.FindContactByEmail(ctx, bu, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	// The later row of the same address wins where it says something.
	if c.FirstName != "Ada Lovelace" || c.Channels["email"].Status != store.ConsentDenied || c.Topics["newsletter"].Status != store.ConsentGranted {
		t.Errorf("contact %+v", c)
	}
	wantAttrs := map[string]store.Value{
		"leadScore": store.NumberValue(72), "vip": store.BoolValue(true), "industry": store.StringValue("software"),
		"signedUpAt": store.TimeValue(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), "tags": store.ListValue("a", "b"),
	}
	if diff := cmp.Diff(wantAttrs, c.Attributes); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	audit := f.audit(t, bu)
	if audit[len(audit)-1] != "key:ops import contacts" {
		t.Errorf("audit %v", audit)
	}
}

// TestImportRefusesFiles: a file that cannot be imported at all answers
// 422 and writes nothing.
func TestImportRefusesFiles(t *testing.T) {
	f := newFixture(t, manage.Config{})
	for name, csv := range map[string]string{
		"no email column":    "firstName\nAda\n",
		"unknown type":       "email,score:integer\na@example.com,1\n",
		"duplicate column":   "email,Email\na@example.com,b@example.com\n",
		"bad attribute name": "email,lead score\na@example.com,1\n",
		"empty":              "",
		"nameless topic":     "email,topiC.\na@example.com,yes\n", // a fuzz crasher
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.client("ops").Import(context.Background(), []byte(csv))
			if !isStatus(err, 422) {
				t.Fatalf("err = %v, want 422", err)
			}
		})
	}
	page, _ := f.st.ListContacts(context.Background(), bu, store.ContactScan{Segment: 0, Segments: 1, Limit: 10})
	if len(page.Items) != 0 {
		t.Errorf("%d contacts written", len(page.Items))
	}
}

// TestImportBatches imports more rows than a batch holds, twice: the
// second run updates everyone.
func TestImportBatches(t *testing.T) {
	f := newFixture(t, manage.Config{})
	var b strings.Builder
	b.WriteString("email,consent.email\n")
	for i := range 250 {
		fmt.Fprintf(&b, "p%03d@example.com,granted\n", i)
	}
	for run, want := range []manage.ImportReport{{Rows: 250, Created: 250}, {Rows: 250, Updated: 250}} {
		rep, err := f.client("ops").Import(context.Background(), []byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("run %d (-want +got):\n%s", run+1, diff)
		}
	}
}

// failingUpserts is the embedded store failing contact writes.
type failingUpserts struct{ manage.Store }

func (failingUpserts) UpsertContactsByEmail(context.Context, string, []store.ContactPatch) ([]store.BatchResult, error) {
	return nil, errors.New("injected: the database is unavailable")
}

// TestImportStoreFailure: a failure of the store is not a row's fault: the
// import stops with an error.
func TestImportStoreFailure(t *testing.T) {
	f := newFixture(t, manage.Config{})
	svc := manage.NewService(failingUpserts{f.st}, f.api, nil, manage.Config{}, manage.Options{})
	_, err := svc.Import(context.Background(), bu, "ops", strings.NewReader("email\na@example.com\n"))
	if err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("err = %v", err)
	}
}
