package manage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
)

// TestImportTypesBySchema: once a journey is published, its contact schema
// types the attributes (leadScore int, unsubscribed bool, signedUpAt
// timestamp) without header suffixes; a value that does not parse as the
// schema type is reported by line; an attribute the schema lacks keeps
// the header's type.
func TestImportTypesBySchema(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t)
	ctx := context.Background()
	csv := strings.Join([]string{
		"email,leadScore,unsubscribed,signedUpAt,shoeSize:number,nickname",
		"ada@example.com,72,no,2026-01-05,38,ada",
		"bob@example.com,high,,,,",
		"cy@example.com,7.5,,,,",
		"di@example.com,,maybe,,,",
		"ed@example.com,,,soon,,",
		"",
	}, "\n")
	rep, err := f.client("ops").Import(ctx, []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := manage.ImportReport{Rows: 5, Created: 1, Failed: 4, Errors: []manage.RowError{
		{Line: 3, Column: "leadScore", Message: `"high" is not a number`},
		{Line: 4, Column: "leadScore", Message: `"7.5" is not a whole number (the contact schema says int)`},
		{Line: 5, Column: "unsubscribed", Message: `"maybe" is not true or false`},
		{Line: 6, Column: "signedUpAt", Message: `"soon" is not a date (2026-03-01) or RFC 3339 time`},
	}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	c, err := f.st.FindContactByEmail(ctx, bu, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.ValueKind{}
	for name, v := range c.Attributes {
		got[name] = v.Kind
	}
	wantKinds := map[string]store.ValueKind{"leadScore": store.KindNumber, "unsubscribed": store.KindBool,
		"signedUpAt": store.KindTime, "shoeSize": store.KindNumber, "nickname": store.KindString}
	if diff := cmp.Diff(wantKinds, got); diff != "" {
		t.Errorf("attribute kinds (-want +got):\n%s", diff)
	}
}

// TestImportRefusesSuffixAgainstSchema: a header suffix that contradicts
// the contact schema refuses the file; one that agrees is accepted.
func TestImportRefusesSuffixAgainstSchema(t *testing.T) {
	f := newFixture(t, manage.Config{})
	f.publishWelcome(t)
	ctx := context.Background()
	_, err := f.client("ops").Import(ctx, []byte("email,leadScore:string\nada@example.com,72\n"))
	if err == nil || !strings.Contains(err.Error(), `column 2 "leadScore:string": the contact schema says leadScore is int (drop the suffix)`) {
		t.Fatalf("import: %v, want the suffix refused", err)
	}
	rep, err := f.client("ops").Import(ctx, []byte("email,leadScore:number\nada@example.com,72\n"))
	if err != nil || rep.Created != 1 {
		t.Fatalf("import with an agreeing suffix: %+v, %v", rep, err)
	}
}
