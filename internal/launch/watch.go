package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/profile"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/store"
)

// A Watcher enrols contacts who join the segment of a journey with
// enrolNewMembers: told of every contact change (the table's DynamoDB
// stream, or the local store), it enrols a contact that is in the segment
// after the change and was not before. The entry is "join-<revision>" of
// the contact, so a change delivered twice enrols once, and the journey's
// re-entry policy decides whether a later join enrols again.
// Segments that depend on time or interactions (no opens in 90 days)
// change without a write: scheduled launches catch those. It is safe for
// concurrent use.
type Watcher struct {
	Store    TickStore
	Catalog  Catalog
	Enroller Enroller
	// Refresh is how long the list of watching journeys is cached.
	// Default 1 minute.
	Refresh time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
	// Interactions loads a contact's interactions for segments that read
	// them; nil evaluates them with none.
	Interactions func(ctx context.Context, bu, contact string) ([]segment.Interaction, error)

	mu    sync.Mutex
	cache map[string]watchList
}

type watchList struct {
	at       time.Time
	journeys []watching
}

type watching struct {
	id  string
	seg *segment.Segment
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// watching returns the business unit's active journeys that enrol new
// segment members, with their segments.
func (w *Watcher) watching(ctx context.Context, bu string) ([]watching, error) {
	refresh := w.Refresh
	if refresh <= 0 {
		refresh = time.Minute
	}
	w.mu.Lock()
	if l, ok := w.cache[bu]; ok && w.now().Sub(l.at) < refresh {
		w.mu.Unlock()
		return l.journeys, nil
	}
	w.mu.Unlock()
	js, err := w.Store.ListJourneys(ctx, bu)
	if err != nil {
		return nil, err
	}
	var out []watching
	for _, j := range js {
		if j.Status != store.JourneyActive || j.Current == 0 {
			continue
		}
		v, err := w.Catalog.Version(ctx, bu, j.ID, j.Current)
		if err != nil {
			return nil, err
		}
		t := v.Journey().Trigger.Segment
		if t == nil || !t.EnrolNewMembers {
			continue
		}
		seg, err := v.Library.Segment(bu, t.Segment)
		if err != nil {
			return nil, err
		}
		out = append(out, watching{id: j.ID, seg: seg})
	}
	w.mu.Lock()
	if w.cache == nil {
		w.cache = map[string]watchList{}
	}
	w.cache[bu] = watchList{at: w.now(), journeys: out}
	w.mu.Unlock()
	return out, nil
}

// StoreInteractions is a Watcher's Interactions over the store: a
// contact's latest 1,000 interactions.
func StoreInteractions(st interface {
	ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error)
}) func(ctx context.Context, bu, contact string) ([]segment.Interaction, error) {
	return func(ctx context.Context, bu, contact string) ([]segment.Interaction, error) {
		page, err := st.ListInteractions(ctx, bu, contact, store.InteractionQuery{Limit: 1000, NewestFirst: true})
		return profile.Interactions(page.Items), err
	}
}

// ContactChanged enrols the contact in every watching journey whose
// segment it joined; before is nil for a new contact. It returns the
// enrolments made.
func (w *Watcher) ContactChanged(ctx context.Context, before *store.Contact, after store.Contact) (int, error) {
	ws, err := w.watching(ctx, after.BU)
	if err != nil || len(ws) == 0 {
		return 0, err
	}
	var in []segment.Interaction
	if w.Interactions != nil {
		if in, err = w.Interactions(ctx, after.BU, after.ID); err != nil {
			return 0, err
		}
	}
	now := w.now()
	enrolled := 0
	for _, j := range ws {
		isIn, err := j.seg.Contains(after.ID, profile.Attributes(after), in, now)
		if err != nil && !errors.Is(err, segment.ErrEval) {
			return enrolled, err
		}
		wasIn := false
		if before != nil {
			wasIn, _ = j.seg.Contains(before.ID, profile.Attributes(*before), in, now)
		}
		if !isIn || wasIn {
			continue
		}
		out, err := w.Enroller.Enrol(ctx, enrol.Request{BU: after.BU, Journey: j.id, Contact: after.ID, Entry: "join-" + strconv.FormatInt(after.Revision, 10)})
		if err != nil {
			return enrolled, fmt.Errorf("enrol %s in %s: %w", after.ID, j.id, err)
		}
		if out.Status == enrol.Enrolled {
			enrolled++
		}
	}
	return enrolled, nil
}

// StreamHandler serves the table's DynamoDB stream (NEW_AND_OLD_IMAGES):
// contact profiles inserted or modified go to the watcher; records that
// fail are reported for a retry of them alone (ReportBatchItemFailures).
func StreamHandler(w *Watcher) func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, r := range ev.Records {
			if r.EventName != "INSERT" && r.EventName != "MODIFY" {
				continue
			}
			after, ok, err := ContactFromImage(r.Change.NewImage)
			if !ok {
				continue
			}
			var before *store.Contact
			if err == nil && len(r.Change.OldImage) > 0 {
				var b store.Contact
				if b, _, err = ContactFromImage(r.Change.OldImage); err == nil {
					before = &b
				}
			}
			if err == nil {
				_, err = w.ContactChanged(ctx, before, after)
			}
			if err != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
				if w.Logger != nil {
					w.Logger.ErrorContext(ctx, "segment watch", "contact", after.ID, "error", err)
				}
			}
		}
		return resp, nil
	}
}

// ContactFromImage reads a contact profile from a stream image of the
// DynamoDB adapter's item (native attributes under the record's JSON
// names; key PK B#<bu>#C#<id>, SK #P). ok is false for items that are not
// contact profiles.
func ContactFromImage(img map[string]events.DynamoDBAttributeValue) (store.Contact, bool, error) {
	var c store.Contact
	pk, sk := img["PK"], img["SK"]
	if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString || sk.String() != "#P" ||
		!strings.HasPrefix(pk.String(), "B#") || !strings.Contains(pk.String(), "#C#") {
		return c, false, nil
	}
	m := map[string]any{}
	for k, v := range img {
		m[k] = plain(v)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return c, true, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, true, fmt.Errorf("decode contact image: %w", err)
	}
	return c, true, nil
}

// plain turns a stream attribute value into the Go value encoding/json
// writes the same way the adapter's record had it.
func plain(v events.DynamoDBAttributeValue) any {
	switch v.DataType() {
	case events.DataTypeString:
		return v.String()
	case events.DataTypeNumber:
		return json.Number(v.Number())
	case events.DataTypeBoolean:
		return v.Boolean()
	case events.DataTypeNull:
		return nil
	case events.DataTypeList:
		out := make([]any, 0, len(v.List()))
		for _, x := range v.List() {
			out = append(out, plain(x))
		}
		return out
	case events.DataTypeMap:
		out := map[string]any{}
		for k, x := range v.Map() {
			out[k] = plain(x)
		}
		return out
	case events.DataTypeStringSet:
		return v.StringSet()
	case events.DataTypeNumberSet:
		return v.NumberSet()
	case events.DataTypeBinary:
		return v.Binary()
	}
	return nil
}
