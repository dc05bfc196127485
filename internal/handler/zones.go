package handler

import (
	"sync"
	"time"
)

// zones caches time zones by IANA name. time.LoadLocation reads and parses
// the zone's file on every call, and every send asks for the contact's
// zone (quiet hours); a *time.Location is immutable, so one per name is
// shared by every call. Only zones that load are kept, so the cache holds
// at most the tz database's few hundred names. It is safe for concurrent
// use.
type zones struct{ m sync.Map } // name → *time.Location

// load returns the named zone, as time.LoadLocation does.
func (z *zones) load(name string) (*time.Location, error) {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z.m.Store(name, loc)
	return loc, nil
}
