package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/journeys-oss/journeys/internal/store"
)

func journeysPK(bu string) string { return buKey(bu, "JOURNEYS") }

func journeyPK(bu, journey string) string { return buKey(bu, "J", journey) }

// PutJourney implements store.Journeys.
func (s *Store) PutJourney(ctx context.Context, bu string, j store.Journey) (store.Journey, error) {
	if err := store.CheckIDs("bu", bu, "journey", j.ID); err != nil {
		return j, fmt.Errorf("put journey: %w", err)
	}
	var have store.Journey
	rev, err := s.get(ctx, journeysPK(bu), j.ID, &have)
	var old *store.Journey
	switch {
	case err == nil:
		old = &have
	case errors.Is(err, store.ErrNotFound):
		err = nil
	}
	if err == nil {
		j, err = store.PrepareJourney(bu, j, old, s.now())
	}
	if err == nil {
		var it item
		if it, err = encode(j, attrPK, journeysPK(bu), attrSK, j.ID); err == nil {
			err = s.putRev(ctx, it, rev)
		}
		if errors.Is(err, errCondition) {
			err = store.ErrConflict
			if j.Revision == 1 {
				err = store.ErrExists
			}
		}
	}
	if err != nil {
		return store.Journey{}, fmt.Errorf("put journey %s: %w", j.ID, err)
	}
	return j, nil
}

// GetJourney implements store.Journeys.
func (s *Store) GetJourney(ctx context.Context, bu, id string) (store.Journey, error) {
	var j store.Journey
	err := store.CheckIDs("bu", bu, "journey", id)
	if err == nil {
		_, err = s.get(ctx, journeysPK(bu), id, &j)
	}
	return j, wrap("get journey "+id, err)
}

// ListJourneys implements store.Journeys.
func (s *Store) ListJourneys(ctx context.Context, bu string) ([]store.Journey, error) {
	if err := store.CheckID("bu", bu); err != nil {
		return nil, fmt.Errorf("list journeys: %w", err)
	}
	out, err := queryAll[store.Journey](ctx, s, partition("", journeysPK(bu), ""))
	return out, wrap("list journeys", err)
}

// maxVersionItem keeps a version item, compressed, under DynamoDB's 400 KB.
const maxVersionItem = 380 << 10

// CreateVersion implements store.Journeys. Source and ASL are stored
// gzip-compressed (ASL compresses about tenfold).
func (s *Store) CreateVersion(ctx context.Context, bu string, v store.JourneyVersion) error {
	v, err := store.PrepareVersion(bu, v)
	var it item
	if err == nil {
		src, asl := gz(v.Source), gz(v.ASL)
		if len(src)+len(asl) > maxVersionItem {
			err = fmt.Errorf("version of %d compressed bytes: %w", len(src)+len(asl), store.ErrInvalid)
		}
		v.Source, v.ASL = src, asl
		if err == nil {
			it, err = encode(v, attrPK, journeyPK(bu, v.Journey), attrSK, "V#"+num(v.Version))
		}
	}
	if err == nil {
		err = s.putNew(ctx, it)
	}
	return wrap(fmt.Sprintf("create journey %s version %d", v.Journey, v.Version), err)
}

func gz(b []byte) []byte {
	if b == nil {
		return nil
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func gunzip(b []byte) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func unpackVersion(v *store.JourneyVersion) error {
	var err, err2 error
	v.Source, err = gunzip(v.Source)
	v.ASL, err2 = gunzip(v.ASL)
	return errors.Join(err, err2)
}

// GetVersion implements store.Journeys.
func (s *Store) GetVersion(ctx context.Context, bu, journey string, version int) (store.JourneyVersion, error) {
	var v store.JourneyVersion
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		_, err = s.get(ctx, journeyPK(bu, journey), "V#"+num(version), &v)
	}
	if err == nil {
		err = unpackVersion(&v)
	}
	return v, wrap(fmt.Sprintf("get journey %s version %d", journey, version), err)
}

// ListVersions implements store.Journeys.
func (s *Store) ListVersions(ctx context.Context, bu, journey string) ([]store.JourneyVersion, error) {
	if err := store.CheckIDs("bu", bu, "journey", journey); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	out, err := queryAll[store.JourneyVersion](ctx, s, partition("", journeyPK(bu, journey), "V#"))
	for i := range out {
		if err == nil {
			err = unpackVersion(&out[i])
		}
	}
	return out, wrap("list versions of journey "+journey, err)
}

// funnelShards spreads each counter over several items so that a launch
// to a million contacts does not exceed one item's write throughput; reads
// add the shards up.
const funnelShards = 8

// IncrementFunnel implements store.Journeys.
func (s *Store) IncrementFunnel(ctx context.Context, bu, journey string, version int, step, outcome string, n int64) error {
	err := store.CheckIDs("bu", bu, "journey", journey, "step", step, "outcome", outcome)
	if err == nil {
		sk := "F#" + k(num(version), step, outcome, strconv.Itoa(rand.IntN(funnelShards)))
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: keyOf(journeyPK(bu, journey), sk),
			UpdateExpression:          aws.String("ADD #count :n"),
			ExpressionAttributeNames:  map[string]string{"#count": "count"},
			ExpressionAttributeValues: item{":n": number(n)},
		})
	}
	return wrap("increment funnel of journey "+journey, err)
}

// Funnel implements store.Journeys.
func (s *Store) Funnel(ctx context.Context, bu, journey string) ([]store.FunnelCount, error) {
	if err := store.CheckIDs("bu", bu, "journey", journey); err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	var out []store.FunnelCount
	err := s.query(ctx, partition("", journeyPK(bu, journey), "F#"), func(it item) (bool, error) {
		sk, _ := it[attrSK].(*types.AttributeValueMemberS)
		n, _ := it["count"].(*types.AttributeValueMemberN)
		p := strings.Split(sk.Value, "#") // F, version, step, outcome, shard
		if len(p) != 5 || n == nil {
			return false, fmt.Errorf("malformed funnel item %q", sk.Value)
		}
		version, err1 := strconv.Atoi(p[1])
		count, err2 := strconv.ParseInt(n.Value, 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return false, err
		}
		if last := len(out) - 1; last >= 0 && out[last].Version == version && out[last].Step == p[2] && out[last].Outcome == p[3] {
			out[last].Count += count
		} else {
			out = append(out, store.FunnelCount{Version: version, Step: p[2], Outcome: p[3], Count: count})
		}
		return true, nil
	})
	return out, wrap("funnel of journey "+journey, err)
}

func enrolmentSK(journey, entry string) string { return skEnrolment + k(journey, entry) }

// statusPK is the GSI1 partition of a journey's enrolments in one status,
// sharded by contact so launches spread their writes.
func statusPK(bu, journey string, status store.EnrolmentStatus, shard int) string {
	return buKey(bu, "J", journey, "N", string(status), fmt.Sprintf("%02d", shard))
}

func (s *Store) putEnrolment(ctx context.Context, e store.Enrolment, rev int64) error {
	it, err := encode(e, attrPK, contactPK(e.BU, e.Contact), attrSK, enrolmentSK(e.Journey, e.Entry),
		attrG1PK, statusPK(e.BU, e.Journey, e.Status, store.Shard(e.Contact)), attrG1SK, k(e.Contact, e.Entry))
	if err != nil {
		return err
	}
	return s.putRev(ctx, it, rev)
}

// CreateEnrolment implements store.Enrolments.
func (s *Store) CreateEnrolment(ctx context.Context, bu string, e store.Enrolment) (store.Enrolment, error) {
	e, err := store.PrepareEnrolment(bu, e, s.now())
	if err == nil {
		err = s.putEnrolment(ctx, e, 0)
		if errors.Is(err, errCondition) {
			err = store.ErrExists
		}
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("enrol contact %s in journey %s entry %s: %w", e.Contact, e.Journey, e.Entry, err)
	}
	return e, nil
}

// GetEnrolment implements store.Enrolments.
func (s *Store) GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (store.Enrolment, error) {
	var e store.Enrolment
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil {
		_, err = s.get(ctx, contactPK(bu, contact), enrolmentSK(journey, entry), &e)
	}
	return e, wrap(fmt.Sprintf("get enrolment of contact %s in journey %s entry %s", contact, journey, entry), err)
}

// UpdateEnrolment implements store.Enrolments.
func (s *Store) UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error) {
	var e store.Enrolment
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil && u.Status == nil && u.Step == nil {
		e, err = s.setEnrolmentFields(ctx, bu, journey, contact, entry, u)
	} else if err == nil {
		err = retry(ctx, func() error {
			rev, err := s.get(ctx, contactPK(bu, contact), enrolmentSK(journey, entry), &e)
			if err != nil {
				return err
			}
			if e, err = e.Apply(u, s.now()); err != nil {
				return err
			}
			return s.putEnrolment(ctx, e, rev)
		})
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("update enrolment of contact %s in journey %s entry %s: %w", contact, journey, entry, err)
	}
	return e, nil
}

// setEnrolmentFields applies an update that touches neither the status
// (the index keys) nor the step (whose time depends on the old step) in
// place: one UpdateItem instead of a read and a conditional put. The
// enroller records every started execution this way.
func (s *Store) setEnrolmentFields(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error) {
	names := map[string]string{"#pk": attrPK, "#rev": attrRev}
	values := item{":one": number(1)}
	set, remove := []string{"#rev = #rev + :one"}, []string(nil)
	for _, f := range []struct {
		attr  string
		value *string
	}{{"execution", u.Execution}, {"reason", u.Reason}} {
		switch {
		case f.value == nil:
		case *f.value == "": // as a put leaves an empty field out
			names["#"+f.attr] = f.attr
			remove = append(remove, "#"+f.attr)
		default:
			names["#"+f.attr], values[":"+f.attr] = f.attr, str(*f.value)
			set = append(set, "#"+f.attr+" = :"+f.attr)
		}
	}
	expr := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: s.table, Key: keyOf(contactPK(bu, contact), enrolmentSK(journey, entry)),
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return store.Enrolment{}, store.ErrNotFound
	}
	var e store.Enrolment
	if err == nil {
		err = decode(out.Attributes, &e)
	}
	return e, err
}

// LatestEnrolment implements store.Enrolments.
func (s *Store) LatestEnrolment(ctx context.Context, bu, journey, contact string) (store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact)
	var all []store.Enrolment
	if err == nil {
		all, err = queryAll[store.Enrolment](ctx, s, partition("", contactPK(bu, contact), enrolmentSK(journey, "")))
	}
	if err == nil && len(all) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("latest enrolment of contact %s in journey %s: %w", contact, journey, err)
	}
	return store.Latest(all), nil
}

// EnrolmentsOf implements store.Enrolments. A journey's enrolments are
// indexed (GSI1) by status and the contact's shard, sorted by contact and
// entry, so the contacts of one shard are one range query per status: a
// launch's page of 500 contacts costs a few queries instead of one per
// contact. GSI1 is eventually consistent, as the contract allows.
func (s *Store) EnrolmentsOf(ctx context.Context, bu, journey string, contacts []string) (map[string][]store.Enrolment, error) {
	err := store.CheckEnrolmentsOf(bu, journey, contacts)
	want := map[string]bool{}
	byShard := map[int][]string{}
	for _, c := range contacts {
		if !want[c] {
			want[c] = true
			byShard[store.Shard(c)] = append(byShard[store.Shard(c)], c)
		}
	}
	out := map[string][]store.Enrolment{}
	for sh, ids := range byShard {
		if err != nil {
			break
		}
		lo, hi := slices.Min(ids), slices.Max(ids)
		for _, status := range store.EnrolmentStatuses() {
			in := partition(indexGSI1, statusPK(bu, journey, status, sh), "")
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi")
			in.ExpressionAttributeNames["#sk"] = attrG1SK
			// Contact ids hold no '#', and '$' follows it: every entry of
			// hi sorts below hi+"$".
			in.ExpressionAttributeValues[":lo"], in.ExpressionAttributeValues[":hi"] = str(lo+"#"), str(hi+"$")
			var es []store.Enrolment
			if es, err = queryAll[store.Enrolment](ctx, s, in); err != nil {
				break
			}
			for _, e := range es {
				if want[e.Contact] {
					out[e.Contact] = append(out[e.Contact], e)
				}
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("enrolments of %d contacts in journey %s: %w", len(contacts), journey, err)
	}
	for _, es := range out {
		store.SortEnrolments(es)
	}
	return out, nil
}

// ListEnrolments implements store.Enrolments.
func (s *Store) ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error) {
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = status.Check()
	}
	var pg store.Page[store.Enrolment]
	if err == nil {
		all := store.ShardsOf(0, 1)
		pg, err = shardedPage(ctx, s, all, func(sh int) string { return statusPK(bu, journey, status, sh) }, cursor, limit,
			func(e store.Enrolment) bool { return e.Status == status })
	}
	return pg, wrap(fmt.Sprintf("list %s enrolments of journey %s", status, journey), err)
}

// ContactEnrolments implements store.Enrolments.
func (s *Store) ContactEnrolments(ctx context.Context, bu, contact string) ([]store.Enrolment, error) {
	if err := store.CheckIDs("bu", bu, "contact", contact); err != nil {
		return nil, fmt.Errorf("enrolments of contact: %w", err)
	}
	all, err := queryAll[store.Enrolment](ctx, s, partition("", contactPK(bu, contact), skEnrolment))
	if err != nil {
		return nil, fmt.Errorf("enrolments of contact %s: %w", contact, err)
	}
	store.SortEnrolments(all)
	return all, nil
}
