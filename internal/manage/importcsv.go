package manage

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/catalog"
	"github.com/journeys-oss/journeys/internal/store"
)

// Import limits.
const (
	// MaxImportBytes bounds one import request (a Lambda request carries
	// at most 6 MB); import larger files in parts.
	MaxImportBytes = 5 << 20
	// MaxImportRows bounds the data rows of one import.
	MaxImportRows = 50_000
	maxRowErrors  = 100
	importBatch   = 100
)

// An ImportReport says what an import did. Errors name the file's line
// (1 is the header) and column, in line order; past 100 they are counted
// in MoreErrors.
type ImportReport struct {
	Rows       int        `json:"rows"`
	Created    int        `json:"created"`
	Updated    int        `json:"updated"`
	Failed     int        `json:"failed"`
	Errors     []RowError `json:"errors,omitempty"`
	MoreErrors int        `json:"moreErrors,omitempty"`
}

// A RowError is one row that was not imported.
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (r *ImportReport) fail(e RowError) {
	r.Failed++
	if len(r.Errors) < maxRowErrors {
		r.Errors = append(r.Errors, e)
	} else {
		r.MoreErrors++
	}
}

// An ImportError is a file that cannot be imported at all (no email
// column, an unknown column type, too many rows).
type ImportError struct{ Message string }

func (e *ImportError) Error() string { return "import: " + e.Message }

// column kinds
const (
	colField = iota
	colAttr
	colConsent
	colTopic
)

type column struct {
	header string
	kind   int
	name   string // field, attribute, channel or topic
	vkind  store.ValueKind
	whole  bool // the contact schema says int: a number without a fraction
}

var fields = map[string]string{
	"email": "email", "phone": "phone", "firstname": "firstName", "lastname": "lastName", "company": "company",
	"jobtitle": "jobTitle", "country": "country", "timezone": "timezone", "locale": "locale", "owner": "owner",
	"lifecyclestage": "lifecycleStage",
}

var attrName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// schemaKinds maps a contact schema type to the stored value kind.
var schemaKinds = map[string]store.ValueKind{
	"string": store.KindString, "int": store.KindNumber, "double": store.KindNumber,
	"bool": store.KindBool, "timestamp": store.KindTime, "list": store.KindList,
}

// attributeKinds returns the type of every attribute in the business
// unit's contact schema (string, int, double, bool, timestamp, list), as the newest published journey version carries
// it (each version bundles the schema it was checked against); nil when
// nothing is published. Imports are rare: reading the journeys and one
// version per import is cheap.
func (s *Service) attributeKinds(ctx context.Context, bu string) (map[string]string, error) {
	js, err := s.store.ListJourneys(ctx, bu)
	if err != nil {
		return nil, fmt.Errorf("journeys of %s: %w", bu, err)
	}
	var newest *store.JourneyVersion
	for _, j := range js {
		if j.Current < 1 {
			continue
		}
		v, err := s.store.GetVersion(ctx, bu, j.ID, j.Current)
		if err != nil {
			return nil, fmt.Errorf("journey %s v%d: %w", j.ID, j.Current, err)
		}
		if newest == nil || v.PublishedAt.After(newest.PublishedAt) {
			newest = &v
		}
	}
	if newest == nil {
		return nil, nil
	}
	v, err := catalog.Load(*newest, nil)
	if err != nil || v.Checked.Schema == nil {
		return nil, err
	}
	kinds := map[string]string{}
	for name, a := range v.Checked.Schema.Attributes {
		if _, ok := schemaKinds[a.Type]; ok {
			kinds[name] = a.Type
		}
	}
	return kinds, nil
}

// parseHeader reads the header: built-in fields by name (any case),
// consent.<channel>, topic.<topic>, and custom attributes. An attribute
// the contact schema declares (kinds) takes the schema's type; a
// <name>:<type> suffix that names another type is refused. An attribute
// the schema lacks is <name> (a string) or <name>:<type> (string,
// number, bool, timestamp, list).
func parseHeader(h []string, kinds map[string]string) ([]column, error) {
	cols := make([]column, len(h))
	seen := map[string]bool{}
	hasEmail := false
	for i, raw := range h {
		name := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		c := column{header: name}
		switch lower := strings.ToLower(name); {
		case fields[lower] != "":
			c.kind, c.name = colField, fields[lower]
			hasEmail = hasEmail || c.name == "email"
		case strings.HasPrefix(lower, "consent."), strings.HasPrefix(lower, "topic."):
			prefix, _, _ := strings.Cut(name, ".")
			c.kind, c.name = colConsent, name[len(prefix)+1:]
			if strings.EqualFold(prefix, "topic") {
				c.kind = colTopic
			}
			if !attrName.MatchString(c.name) {
				return nil, &ImportError{fmt.Sprintf("column %d %q: %q is not a channel or topic name", i+1, name, c.name)}
			}
		default:
			attr, typ, typed := strings.Cut(name, ":")
			c.kind, c.name, c.vkind = colAttr, attr, store.KindString
			if typed {
				c.vkind = store.ValueKind(typ)
				switch c.vkind {
				case store.KindString, store.KindNumber, store.KindBool, store.KindTime, store.KindList:
				default:
					return nil, &ImportError{fmt.Sprintf("column %d %q: type %q is not string, number, bool, timestamp or list", i+1, name, typ)}
				}
			}
			if !attrName.MatchString(attr) {
				return nil, &ImportError{fmt.Sprintf("column %d %q: attribute names are letters, digits and '_', starting with a letter", i+1, name)}
			}
			if typ, declared := kinds[attr]; declared {
				k := schemaKinds[typ]
				if typed && c.vkind != k {
					return nil, &ImportError{fmt.Sprintf("column %d %q: the contact schema says %s is %s (drop the suffix)", i+1, name, attr, typ)}
				}
				c.vkind, c.whole = k, typ == "int"
			}
		}
		key := fmt.Sprint(c.kind, "/", strings.ToLower(c.name))
		if seen[key] {
			return nil, &ImportError{fmt.Sprintf("column %d %q appears twice", i+1, name)}
		}
		seen[key] = true
		cols[i] = c
	}
	if !hasEmail {
		return nil, &ImportError{"the header has no email column (contacts are matched by email address)"}
	}
	return cols, nil
}

// patch turns one row into a contact patch.
func patch(cols []column, rec []string, line int, at time.Time) (store.ContactPatch, *RowError) {
	var p store.ContactPatch
	bad := func(c column, format string, args ...any) (store.ContactPatch, *RowError) {
		return p, &RowError{Line: line, Column: c.header, Message: fmt.Sprintf(format, args...)}
	}
	for i, c := range cols {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			if c.kind == colField && c.name == "email" {
				return bad(c, "no email address")
			}
			continue
		}
		switch c.kind {
		case colField:
			if c.name == "email" {
				if _, err := store.NormalizeEmail(v); err != nil {
					return bad(c, "malformed email address")
				}
			}
			p.SetField(c.name, v)
		case colConsent, colTopic:
			st, ok := consentStatus(v)
			if !ok {
				return bad(c, "%q is not granted, denied or unknown", v)
			}
			m := &p.Channels
			if c.kind == colTopic {
				m = &p.Topics
			}
			if *m == nil {
				*m = map[string]store.Consent{}
			}
			(*m)[c.name] = store.Consent{Status: st, Source: "import", At: at}
		case colAttr:
			val, err := attrValue(c.vkind, v)
			if err != nil {
				return bad(c, "%v", err)
			}
			if n, ok := val.Any().(float64); ok && c.whole && n != math.Trunc(n) {
				return bad(c, "%q is not a whole number (the contact schema says int)", v)
			}
			if p.Attributes == nil {
				p.Attributes = map[string]store.Value{}
			}
			p.Attributes[c.name] = val
		}
	}
	return p, nil
}

func consentStatus(v string) (store.ConsentStatus, bool) {
	switch strings.ToLower(v) {
	case "granted", "yes", "true", "1":
		return store.ConsentGranted, true
	case "denied", "no", "false", "0":
		return store.ConsentDenied, true
	case "unknown":
		return store.ConsentUnknown, true
	}
	return "", false
}

func attrValue(kind store.ValueKind, v string) (store.Value, error) {
	switch kind {
	case store.KindNumber:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return store.Value{}, fmt.Errorf("%q is not a number", v)
		}
		return store.NumberValue(n), nil
	case store.KindBool:
		switch strings.ToLower(v) {
		case "true", "yes", "1":
			return store.BoolValue(true), nil
		case "false", "no", "0":
			return store.BoolValue(false), nil
		}
		return store.Value{}, fmt.Errorf("%q is not true or false", v)
	case store.KindTime:
		for _, layout := range []string{time.RFC3339, time.DateOnly} {
			if t, err := time.Parse(layout, v); err == nil {
				return store.TimeValue(t), nil
			}
		}
		return store.Value{}, fmt.Errorf("%q is not a date (2026-03-01) or RFC 3339 time", v)
	case store.KindList:
		var items []string
		for _, s := range strings.Split(v, "|") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		return store.ListValue(items...), nil
	}
	return store.StringValue(v), nil
}

// A row is a parsed data row waiting to be written.
type row struct {
	line  int
	patch store.ContactPatch
}

// Import reads a CSV file of contacts (header first) and upserts them by
// email address in batches. Rows that cannot be imported are reported by
// line and column; the rest are written. The error is an *ImportError for
// a file that cannot be read at all, or the store's failure.
func (s *Service) Import(ctx context.Context, bu, actor string, r io.Reader) (ImportReport, error) {
	var rep ImportReport
	cr := csv.NewReader(io.LimitReader(r, MaxImportBytes+1))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return rep, &ImportError{fmt.Sprintf("the header cannot be read: %v", err)}
	}
	kinds, err := s.attributeKinds(ctx, bu)
	if err != nil {
		return rep, err
	}
	cols, err := parseHeader(header, kinds)
	if err != nil {
		return rep, err
	}
	cr.FieldsPerRecord = len(header)
	at := s.now()
	var batch []row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			rep.fail(RowError{Line: pe.StartLine, Message: pe.Err.Error()})
			continue
		}
		if err != nil {
			return rep, &ImportError{fmt.Sprintf("read: %v", err)}
		}
		if rep.Rows++; rep.Rows > MaxImportRows {
			return rep, &ImportError{fmt.Sprintf("more than %d rows: import the file in parts", MaxImportRows)}
		}
		line, _ := cr.FieldPos(0)
		p, bad := patch(cols, rec, line, at)
		if bad != nil {
			rep.fail(*bad)
			continue
		}
		if batch = append(batch, row{line, p}); len(batch) == importBatch {
			if err := s.writeBatch(ctx, bu, batch, &rep); err != nil {
				return rep, err
			}
			batch = batch[:0]
		}
	}
	if err := s.writeBatch(ctx, bu, batch, &rep); err != nil {
		return rep, err
	}
	sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
	details := map[string]string{"rows": itoa(rep.Rows), "created": itoa(rep.Created), "updated": itoa(rep.Updated), "failed": itoa(rep.Failed)}
	return rep, s.audit(ctx, bu, actor, ActionImport, "contacts", details)
}

// writeBatch upserts a batch in one store call (store.Contacts'
// UpsertContactsByEmail: in order, so the last row of an address wins;
// the DynamoDB adapter retries unprocessed items itself). A failure of the
// store, not a decision about a row, stops the import.
func (s *Service) writeBatch(ctx context.Context, bu string, batch []row, rep *ImportReport) error {
	if len(batch) == 0 {
		return nil
	}
	ps := make([]store.ContactPatch, len(batch))
	for i, r := range batch {
		ps[i] = r.patch
	}
	results, err := s.store.UpsertContactsByEmail(ctx, bu, ps)
	if err != nil {
		return fmt.Errorf("import lines %d-%d: %w", batch[0].line, batch[len(batch)-1].line, err)
	}
	if len(results) != len(batch) {
		return fmt.Errorf("import lines %d-%d: the store answered %d of %d rows", batch[0].line, batch[len(batch)-1].line, len(results), len(batch))
	}
	for i, r := range results {
		switch r.Outcome {
		case store.BatchCreated:
			rep.Created++
		case store.BatchUpdated:
			rep.Updated++
		default:
			rep.fail(RowError{Line: batch[i].line, Message: rowMessage(r)})
		}
	}
	return nil
}

// rowMessage says why the store refused a row.
func rowMessage(r store.BatchResult) string {
	switch r.Outcome {
	case store.BatchSuppressed:
		return "the address is suppressed (bounced, complained or erased) and may not be imported again"
	case store.BatchConflict:
		return "another contact changed this address at the same time; import the row again"
	case store.BatchInvalid:
		if r.Err != nil {
			return r.Err.Error()
		}
		return "the row is malformed"
	}
	if r.Err != nil {
		return r.Err.Error()
	}
	return "not imported (" + string(r.Outcome) + ")"
}
