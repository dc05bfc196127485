package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// An interaction is a store.Interaction as kept under its contact, made
// small: a million of them fit in a couple of hundred megabytes, and the
// collector has three pointers to follow in each instead of nine. The
// business unit and contact are the container's; the expiry follows from
// the time and the configured retention; the kind, channel, journey and
// step are indexes into the shard's string table; the detail is packed.
type interaction struct {
	at      stamp
	kind    ref
	channel ref
	journey ref
	step    ref
	version int
	id      string
	message string
	detail  string // packDetail
}

// A stamp is a UTC time in 12 bytes instead of time.Time's 24 (and
// without its location pointer).
type stamp struct {
	sec  int64
	nsec int32
}

func stampOf(t time.Time) stamp { return stamp{t.Unix(), int32(t.Nanosecond())} }

func (s stamp) time() time.Time { return time.Unix(s.sec, int64(s.nsec)).UTC() }

func (s stamp) compare(o stamp) int {
	if s.sec != o.sec {
		return cmp.Compare(s.sec, o.sec)
	}
	return cmp.Compare(s.nsec, o.nsec)
}

func compareStamp(at1 stamp, id1 string, at2 stamp, id2 string) int {
	if c := at1.compare(at2); c != 0 {
		return c
	}
	return strings.Compare(id1, id2)
}

func compareAt(at1 time.Time, id1 string, at2 time.Time, id2 string) int {
	if c := at1.Compare(at2); c != 0 {
		return c
	}
	return strings.Compare(id1, id2)
}

// record returns the interaction as the contract shows it.
func (i *interaction) record(t *strtab, bu, contact string, retention time.Duration) store.Interaction {
	at := i.at.time()
	r := store.Interaction{BU: bu, Contact: contact, ID: i.id, Kind: store.InteractionKind(t.str(i.kind)), Channel: t.str(i.channel), At: at,
		Journey: t.str(i.journey), Version: i.version, Step: t.str(i.step), Message: i.message, Detail: unpackDetail(i.detail)}
	if retention > 0 {
		r.ExpiresAt = at.Add(retention)
	}
	return r
}

// A horizon tells records past their retention at a time from the rest:
// a record at t has expired when now is not before t+retention, that is
// when t is at or before now-retention.
type horizon struct {
	at stamp
	on bool // false: records are kept for ever
}

func horizonOf(retention time.Duration, now time.Time) horizon {
	return horizon{stampOf(now.Add(-retention)), retention > 0}
}

func (h horizon) expired(t stamp) bool { return h.on && t.compare(h.at) <= 0 }

// AppendInteraction implements store.Interactions.
func (s *Store) AppendInteraction(ctx context.Context, bu string, i store.Interaction) (store.Interaction, error) {
	i, err := i.Prepare(bu, s.cfg)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.Interaction{}, fmt.Errorf("append interaction of contact %s: %w", i.Contact, err)
	}
	sh := s.shardOf(i.Contact)
	sh.mu.Lock()
	s.putInteraction(sh, i)
	sh.mu.Unlock()
	return i, nil
}

// putInteraction keeps a prepared interaction in time order, replacing
// one with the same time and id. Interactions past the retention are
// dropped from the front on the way (they are sorted by time, so expired
// ones come first). The caller holds the shard's write lock.
func (s *Store) putInteraction(sh *contactShard, i store.Interaction) {
	cd := sh.data(i.BU, i.Contact, true)
	t := &sh.strs
	in := interaction{at: stampOf(i.At), id: i.ID, kind: t.ref(string(i.Kind)), channel: t.ref(i.Channel),
		journey: t.ref(i.Journey), step: t.ref(i.Step), message: i.Message, version: i.Version, detail: packDetail(i.Detail)}
	is := cd.interactions
	h, n := horizonOf(s.cfg.InteractionRetention, s.now()), 0
	for n < len(is) && h.expired(is[n].at) {
		n++
	}
	is = is[n:]
	switch n := len(is); {
	case n == 0 || compareStamp(in.at, in.id, is[n-1].at, is[n-1].id) > 0:
		is = append(is, in)
	default:
		pos, found := slices.BinarySearchFunc(is, in, func(x, y interaction) int { return compareStamp(x.at, x.id, y.at, y.id) })
		if found {
			is[pos] = in
		} else {
			is = slices.Insert(is, pos, in)
		}
	}
	cd.interactions = is
}

// ListInteractions implements store.Interactions.
func (s *Store) ListInteractions(ctx context.Context, bu, contact string, q store.InteractionQuery) (store.Page[store.Interaction], error) {
	var page store.Page[store.Interaction]
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	scope := "interactions\x00" + bu + "\x00" + contact
	var last timeID
	var ok bool
	if err == nil {
		last, ok, err = timeCursor(q.Cursor, scope)
	}
	if err != nil {
		return page, fmt.Errorf("list interactions of contact %s: %w", contact, err)
	}
	limit, ret := store.PageLimit(q.Limit), s.cfg.InteractionRetention
	h := horizonOf(ret, s.now())
	sh := s.shardOf(contact)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	cd := sh.data(bu, contact, false)
	if cd == nil {
		return page, nil
	}
	is := cd.interactions
	lo, hi := timeRange(len(is), func(i int) stamp { return is[i].at }, q.From, q.To)
	if ok { // narrow to the keys after (or before) the cursor
		at := stampOf(last.at)
		cut, found := slices.BinarySearchFunc(is[lo:hi], last, func(x interaction, t timeID) int { return compareStamp(x.at, x.id, at, t.id) })
		if q.NewestFirst {
			hi = lo + cut
		} else if lo += cut; found {
			lo++
		}
	}
	i, step, end := lo, 1, hi
	if q.NewestFirst {
		i, step, end = hi-1, -1, lo-1
	}
	for ; i != end && len(page.Items) < limit; i += step {
		if !h.expired(is[i].at) {
			page.Items = append(page.Items, is[i].record(&sh.strs, bu, contact, ret))
		}
	}
	if i != end {
		l := is[i-step]
		page.Next = encodeCursor(scope, store.SortableTime(l.at.time())+"\x00"+l.id)
	}
	return page, nil
}

// timeID is the position of a record kept by time, then id.
type timeID struct {
	at time.Time
	id string
}

func timeCursor(cursor, scope string) (timeID, bool, error) {
	last, ok, err := decodeCursor(cursor, scope)
	if err != nil || !ok {
		return timeID{}, ok, err
	}
	at, id, cut := strings.Cut(last, "\x00")
	t, perr := time.Parse(sortableLayout, at)
	if !cut || perr != nil {
		return timeID{}, false, fmt.Errorf("cursor: %w", store.ErrInvalid)
	}
	return timeID{t, id}, true, nil
}

// timeRange returns the indexes [lo, hi) of the n records (in time order,
// at(i) the time of the i-th) with from <= time < to (zero bounds open).
func timeRange(n int, at func(int) stamp, from, to time.Time) (lo, hi int) {
	hi = n
	if !from.IsZero() {
		lo = searchStamp(n, at, stampOf(from))
	}
	if !to.IsZero() {
		hi = searchStamp(n, at, stampOf(to))
	}
	return lo, max(lo, hi)
}

// searchStamp returns the index of the first of n records at or after t.
func searchStamp(n int, at func(int) stamp, t stamp) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m).compare(t) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// CountInteractions implements store.Interactions.
func (s *Store) CountInteractions(ctx context.Context, bu, contact string, kind store.InteractionKind, channel string, since time.Time) (int, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("count interactions of contact %s: %w", contact, err)
	}
	h, n := horizonOf(s.cfg.InteractionRetention, s.now()), 0
	sh := s.shardOf(contact)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if cd := sh.data(bu, contact, false); cd != nil {
		is := cd.interactions
		k, kok := sh.strs.lookup(string(kind))
		c, cok := sh.strs.lookup(channel)
		if !kok || (channel != "" && !cok) {
			return 0, nil // a kind or channel never stored here
		}
		lo, _ := timeRange(len(is), func(i int) stamp { return is[i].at }, since, time.Time{})
		for _, i := range is[lo:] {
			if i.kind == k && (channel == "" || i.channel == c) && !h.expired(i.at) {
				n++
			}
		}
	}
	return n, nil
}

// A stepLog is a store.StepLog as kept under its contact (see
// interaction).
type stepLog struct {
	at        stamp
	journey   ref
	step      ref
	outcome   ref
	reason    ref
	version   int
	id        string
	execution string
	detail    string // packDetail
}

func (l *stepLog) record(t *strtab, bu, contact string, retention time.Duration) store.StepLog {
	at := l.at.time()
	r := store.StepLog{BU: bu, Contact: contact, Journey: t.str(l.journey), Version: l.version, Execution: l.execution,
		Step: t.str(l.step), ID: l.id, At: at, Outcome: store.StepOutcome(t.str(l.outcome)), Reason: t.str(l.reason), Detail: unpackDetail(l.detail)}
	if retention > 0 {
		r.ExpiresAt = at.Add(retention)
	}
	return r
}

// AppendStepLog implements store.Interactions.
func (s *Store) AppendStepLog(ctx context.Context, bu string, l store.StepLog) (store.StepLog, error) {
	l, err := l.Prepare(bu, s.cfg)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return store.StepLog{}, fmt.Errorf("append step log of contact %s: %w", l.Contact, err)
	}
	sh := s.shardOf(l.Contact)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cd := sh.data(bu, l.Contact, true)
	t := &sh.strs
	in := stepLog{at: stampOf(l.At), id: l.ID, journey: t.ref(l.Journey), execution: l.Execution, step: t.ref(l.Step),
		outcome: t.ref(string(l.Outcome)), reason: t.ref(l.Reason), version: l.Version, detail: packDetail(l.Detail)}
	ls := cd.stepLogs
	h, n := horizonOf(s.cfg.StepLogRetention, s.now()), 0
	for n < len(ls) && h.expired(ls[n].at) {
		n++
	}
	ls = ls[n:]
	pos, found := slices.BinarySearchFunc(ls, in, func(x, y stepLog) int { return compareStamp(x.at, x.id, y.at, y.id) })
	if found {
		ls[pos] = in
	} else {
		ls = slices.Insert(ls, pos, in)
	}
	cd.stepLogs = ls
	return l, nil
}

// ListStepLogs implements store.Interactions.
func (s *Store) ListStepLogs(ctx context.Context, bu, contact, execution string) ([]store.StepLog, error) {
	err := store.CheckIDs("bu", bu, "contact", contact)
	if err == nil {
		err = checkCtx(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("list step logs of contact %s: %w", contact, err)
	}
	var all []store.StepLog
	ret := s.cfg.StepLogRetention
	sh := s.shardOf(contact)
	sh.mu.RLock()
	if cd := sh.data(bu, contact, false); cd != nil {
		for i := range cd.stepLogs {
			if execution == "" || cd.stepLogs[i].execution == execution {
				all = append(all, cd.stepLogs[i].record(&sh.strs, bu, contact, ret))
			}
		}
	}
	sh.mu.RUnlock()
	return store.FilterStepLogs(all, execution, s.now()), nil
}

// A strtab is a shard's table of the short, often repeated strings of
// interactions and step logs (kinds, channels, journeys, steps, outcomes,
// reasons): records hold a 4-byte ref instead of a string, and each value
// is kept once. Its shard's lock guards it (the write lock to add). It
// holds each distinct value once, so it is never larger than the records
// would be without it.
type strtab struct {
	strs []string // ref → string; ref 0 is ""
	refs map[string]ref
}

// A ref is a string's index in a strtab.
type ref uint32

// ref returns s's ref, adding s when new.
func (t *strtab) ref(s string) ref {
	if r, ok := t.lookup(s); ok {
		return r
	}
	if t.refs == nil {
		t.strs, t.refs = []string{""}, map[string]ref{}
	}
	r := ref(len(t.strs))
	t.strs = append(t.strs, s)
	t.refs[s] = r
	return r
}

// lookup returns s's ref, if s was added.
func (t *strtab) lookup(s string) (ref, bool) {
	if s == "" {
		return 0, true
	}
	r, ok := t.refs[s]
	return r, ok
}

// intern returns the table's copy of s, adding it when new: enrolments
// keep strings, but one copy of each journey and step.
func (t *strtab) intern(s string) string { return t.str(t.ref(s)) }

func (t *strtab) str(r ref) string {
	if r == 0 {
		return ""
	}
	return t.strs[r]
}
