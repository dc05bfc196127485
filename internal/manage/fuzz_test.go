package manage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/store"
)

// importOnly is what Import needs of a store: upserts that apply the
// store's own normalisation, the audit log, and the published journeys.
type importOnly struct{ Store }

func (importOnly) UpsertContactsByEmail(_ context.Context, _ string, ps []store.ContactPatch) ([]store.BatchResult, error) {
	out := make([]store.BatchResult, len(ps))
	for i, p := range ps {
		_, err := p.Normalize()
		out[i], _ = store.BatchItem("c", err == nil, err)
	}
	return out, nil
}

// ListJourneys finds nothing published: no contact schema types the
// attributes, the header does.
func (importOnly) ListJourneys(context.Context, string) ([]store.Journey, error) { return nil, nil }

func (importOnly) AppendAudit(_ context.Context, _ string, e store.AuditEntry) (store.AuditEntry, error) {
	return e, nil
}

// FuzzImport: any CSV is either refused as a file (*ImportError) or
// reported row by row, never a panic; every row is counted once and every
// reported line lies within the file.
func FuzzImport(f *testing.F) {
	for _, seed := range []string{
		"email,firstName,consent.email,leadScore:number\nada@example.com,Ada,granted,72\n",
		"email\nnot-an-email\n\n",
		"email,tags:list,vip:bool,at:timestamp\na@b.c,x|y,yes,2026-01-01\n",
		"email,x\n\"a@b.c\",\"unterminated\n",
		"\ufeffEmail,topic.news\na@b.c,denied\n",
	} {
		f.Add(seed)
	}
	svc := NewService(importOnly{}, nil, nil, Config{}, Options{})
	f.Fuzz(func(t *testing.T, csv string) {
		if len(csv) > 1<<16 {
			return
		}
		rep, err := svc.Import(context.Background(), "bu", "fuzz", strings.NewReader(csv))
		var imp *ImportError
		if err != nil && !errors.As(err, &imp) {
			t.Fatalf("error %v is not an ImportError", err)
		}
		if err != nil {
			return
		}
		if rep.Created+rep.Updated+rep.Failed != rep.Rows {
			t.Fatalf("report %+v does not add up", rep)
		}
		lines := strings.Count(csv, "\n") + 1
		for _, e := range rep.Errors {
			if e.Line < 2 || e.Line > lines {
				t.Fatalf("error at line %d of a %d-line file: %+v", e.Line, lines, e)
			}
		}
	})
}
