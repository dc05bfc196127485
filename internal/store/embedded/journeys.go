package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/journeys-oss/journeys/internal/store"
	bolt "go.etcd.io/bbolt"
)

// PutJourney implements store.Journeys.
func (s *Store) PutJourney(ctx context.Context, bu string, j store.Journey) (store.Journey, error) {
	if err := store.CheckIDs("bu", bu, "journey", j.ID); err != nil {
		return j, fmt.Errorf("put journey: %w", err)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bJourneys)
		var old *store.Journey
		var have store.Journey
		if err := getJSON(b, key(bu, j.ID), &have); err == nil {
			old = &have
		} else if !isNotFound(err) {
			return err
		}
		var err error
		if j, err = store.PrepareJourney(bu, j, old, s.now()); err != nil {
			return err
		}
		return putJSON(b, key(bu, j.ID), j)
	})
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
		err = s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bJourneys), key(bu, id), &j) })
	}
	return j, wrap("get journey "+id, err)
}

// ListJourneys implements store.Journeys.
func (s *Store) ListJourneys(ctx context.Context, bu string) ([]store.Journey, error) {
	out, err := listAll[store.Journey](ctx, s, bu, bJourneys, prefix(bu))
	return out, wrap("list journeys", err)
}

// CreateVersion implements store.Journeys.
func (s *Store) CreateVersion(ctx context.Context, bu string, v store.JourneyVersion) error {
	v, err := store.PrepareVersion(bu, v)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bVersions)
			k := key(bu, v.Journey, num(v.Version))
			if b.Get(k) != nil {
				return store.ErrExists
			}
			return putJSON(b, k, v)
		})
	}
	return wrap(fmt.Sprintf("create journey %s version %d", v.Journey, v.Version), err)
}

// GetVersion implements store.Journeys.
func (s *Store) GetVersion(ctx context.Context, bu, journey string, version int) (store.JourneyVersion, error) {
	var v store.JourneyVersion
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			return getJSON(tx.Bucket(bVersions), key(bu, journey, num(version)), &v)
		})
	}
	return v, wrap(fmt.Sprintf("get journey %s version %d", journey, version), err)
}

// ListVersions implements store.Journeys.
func (s *Store) ListVersions(ctx context.Context, bu, journey string) ([]store.JourneyVersion, error) {
	if err := store.CheckID("journey", journey); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	out, err := listAll[store.JourneyVersion](ctx, s, bu, bVersions, prefix(bu, journey))
	return out, wrap("list versions of journey "+journey, err)
}

// IncrementFunnel implements store.Journeys.
func (s *Store) IncrementFunnel(ctx context.Context, bu, journey string, version int, step, outcome string, n int64) error {
	err := store.CheckIDs("bu", bu, "journey", journey, "step", step, "outcome", outcome)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bFunnel)
			k := key(bu, journey, num(version), step, outcome)
			var have int64
			if v := b.Get(k); len(v) == 8 {
				have = int64(binary.BigEndian.Uint64(v))
			}
			return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(have+n)))
		})
	}
	return wrap("increment funnel of journey "+journey, err)
}

// Funnel implements store.Journeys.
func (s *Store) Funnel(ctx context.Context, bu, journey string) ([]store.FunnelCount, error) {
	var out []store.FunnelCount
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			_, err := scan(tx.Bucket(bFunnel), prefix(bu, journey), nil, false, func(k, v []byte) (bool, error) {
				p := splitKey(k)
				version, err := strconv.Atoi(p[2])
				if err != nil {
					return false, err
				}
				out = append(out, store.FunnelCount{Version: version, Step: p[3], Outcome: p[4], Count: int64(binary.BigEndian.Uint64(v))})
				return true, nil
			})
			return err
		})
	}
	return out, wrap("funnel of journey "+journey, err)
}

func enrolKey(bu, contact, journey, entry string) []byte { return key(bu, contact, journey, entry) }

func enrolStatusKey(e store.Enrolment) []byte {
	return key(e.BU, e.Journey, string(e.Status), e.Contact, e.Entry)
}

// CreateEnrolment implements store.Enrolments.
func (s *Store) CreateEnrolment(ctx context.Context, bu string, e store.Enrolment) (store.Enrolment, error) {
	e, err := store.PrepareEnrolment(bu, e, s.now())
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error { return createEnrolmentTx(tx, e) })
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("enrol contact %s in journey %s entry %s: %w", e.Contact, e.Journey, e.Entry, err)
	}
	return e, nil
}

// createEnrolmentTx stores a prepared enrolment unless its (journey,
// contact, entry) is taken (ErrExists), inside a write transaction.
func createEnrolmentTx(tx *bolt.Tx, e store.Enrolment) error {
	b := tx.Bucket(bEnrol)
	k := enrolKey(e.BU, e.Contact, e.Journey, e.Entry)
	if b.Get(k) != nil {
		return store.ErrExists
	}
	if err := tx.Bucket(bEnrolStatus).Put(enrolStatusKey(e), nil); err != nil {
		return err
	}
	return putJSON(b, k, e)
}

// GetEnrolment implements store.Enrolments.
func (s *Store) GetEnrolment(ctx context.Context, bu, journey, contact, entry string) (store.Enrolment, error) {
	var e store.Enrolment
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil {
		err = s.view(ctx, func(tx *bolt.Tx) error {
			return getJSON(tx.Bucket(bEnrol), enrolKey(bu, contact, journey, entry), &e)
		})
	}
	return e, wrap(fmt.Sprintf("get enrolment of contact %s in journey %s entry %s", contact, journey, entry), err)
}

// UpdateEnrolment implements store.Enrolments.
func (s *Store) UpdateEnrolment(ctx context.Context, bu, journey, contact, entry string, u store.EnrolmentUpdate) (store.Enrolment, error) {
	var e store.Enrolment
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact, "entry", entry)
	if err == nil {
		err = s.update(ctx, func(tx *bolt.Tx) error {
			b, idx := tx.Bucket(bEnrol), tx.Bucket(bEnrolStatus)
			k := enrolKey(bu, contact, journey, entry)
			if err := getJSON(b, k, &e); err != nil {
				return err
			}
			old := e
			var err error
			if e, err = e.Apply(u, s.now()); err != nil {
				return err
			}
			if err := idx.Delete(enrolStatusKey(old)); err != nil {
				return err
			}
			if err := idx.Put(enrolStatusKey(e), nil); err != nil {
				return err
			}
			return putJSON(b, k, e)
		})
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("update enrolment of contact %s in journey %s entry %s: %w", contact, journey, entry, err)
	}
	return e, nil
}

// LatestEnrolment implements store.Enrolments.
func (s *Store) LatestEnrolment(ctx context.Context, bu, journey, contact string) (store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "journey", journey, "contact", contact)
	var all []store.Enrolment
	if err == nil {
		all, err = listAll[store.Enrolment](ctx, s, bu, bEnrol, prefix(bu, contact, journey))
	}
	if err == nil && len(all) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("latest enrolment of contact %s in journey %s: %w", contact, journey, err)
	}
	return store.Latest(all), nil
}

// EnrolmentsOf implements store.Enrolments: each contact's enrolments in
// the journey, from the same records LatestEnrolment reads (never stale).
func (s *Store) EnrolmentsOf(ctx context.Context, bu, journey string, contacts []string) (map[string][]store.Enrolment, error) {
	err := store.CheckEnrolmentsOf(bu, journey, contacts)
	out := map[string][]store.Enrolment{}
	for _, c := range contacts {
		if err != nil {
			break
		}
		var es []store.Enrolment
		if es, err = listAll[store.Enrolment](ctx, s, bu, bEnrol, prefix(bu, c, journey)); err == nil && len(es) > 0 {
			store.SortEnrolments(es)
			out[c] = es
		}
	}
	if err != nil {
		return nil, fmt.Errorf("enrolments of %d contacts in journey %s: %w", len(contacts), journey, err)
	}
	return out, nil
}

// ListEnrolments implements store.Enrolments.
func (s *Store) ListEnrolments(ctx context.Context, bu, journey string, status store.EnrolmentStatus, cursor string, limit int) (store.Page[store.Enrolment], error) {
	var page store.Page[store.Enrolment]
	err := store.CheckIDs("bu", bu, "journey", journey)
	if err == nil {
		err = status.Check()
	}
	pfx := prefix(bu, journey, string(status))
	var after []byte
	if err == nil {
		after, err = decodeCursor(cursor, pfx)
	}
	if err == nil {
		limit = store.PageLimit(limit)
		err = s.view(ctx, func(tx *bolt.Tx) error {
			b := tx.Bucket(bEnrol)
			next, err := scan(tx.Bucket(bEnrolStatus), pfx, after, false, func(k, _ []byte) (bool, error) {
				p := splitKey(k)
				var e store.Enrolment
				if err := getJSON(b, enrolKey(bu, p[3], journey, p[4]), &e); err != nil {
					return false, err
				}
				page.Items = append(page.Items, e)
				return len(page.Items) < limit, nil
			})
			page.Next = encodeCursor(next)
			return err
		})
	}
	if err != nil {
		return store.Page[store.Enrolment]{}, fmt.Errorf("list %s enrolments of journey %s: %w", status, journey, err)
	}
	return page, nil
}

// ContactEnrolments implements store.Enrolments.
func (s *Store) ContactEnrolments(ctx context.Context, bu, contact string) ([]store.Enrolment, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	var all []store.Enrolment
	if err == nil {
		all, err = listAll[store.Enrolment](ctx, s, bu, bEnrol, prefix(bu, contact))
	}
	if err != nil {
		return nil, fmt.Errorf("enrolments of contact %s: %w", contact, err)
	}
	store.SortEnrolments(all)
	return all, nil
}
