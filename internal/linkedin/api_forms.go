package linkedin

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// Form fetches a form and checks it is the version asked for. LinkedIn
// documents GET /rest/leadForms/{id} returning the form with its current
// versionId and no way to ask for an older version by id; the exact version
// of a lead's form comes with the lead (Client.Lead's form projection). So a
// form whose current version differs gives a *FormVersionError (ErrFormVersion)
// rather than silently mapping answers against other questions.
func (c *Client) Form(ctx context.Context, v FormVersion) (Form, error) {
	res, err := c.do(ctx, call{
		op: "get form " + strconv.FormatInt(v.FormID, 10), method: http.MethodGet,
		path: "/rest/leadForms/" + strconv.FormatInt(v.FormID, 10),
	})
	if err != nil {
		return Form{}, err
	}
	f, err := ParseForm(res.body)
	if err != nil {
		return Form{}, fmt.Errorf("get form %d: %w", v.FormID, err)
	}
	if f.Version() != v {
		return Form{}, fmt.Errorf("get form %d: %w", v.FormID, &FormVersionError{Want: v, Got: f.Version()})
	}
	return f, nil
}

// A FormCache keeps form versions. Versions are immutable, so entries never
// go stale; the cache only bounds memory.
type FormCache interface {
	Get(v FormVersion) (Form, bool)
	Add(v FormVersion, f Form)
}

// LRU is an in-memory FormCache holding at most its size, safe for
// concurrent use.
type LRU struct {
	mu    sync.Mutex
	size  int
	ll    *list.List
	items map[FormVersion]*list.Element
}

type lruEntry struct {
	key  FormVersion
	form Form
}

// NewLRU returns an LRU holding up to size forms (at least 1).
func NewLRU(size int) *LRU {
	return &LRU{size: max(size, 1), ll: list.New(), items: make(map[FormVersion]*list.Element)}
}

// Get implements FormCache.
func (c *LRU) Get(v FormVersion) (Form, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[v]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry).form, true
	}
	return Form{}, false
}

// Add implements FormCache.
func (c *LRU) Add(v FormVersion, f Form) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[v]; ok {
		e.Value.(*lruEntry).form = f
		c.ll.MoveToFront(e)
		return
	}
	c.items[v] = c.ll.PushFront(&lruEntry{key: v, form: f})
	for c.ll.Len() > c.size {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

// Len returns the number of cached forms.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// A FormFetcher fetches one form version; *Client is one.
type FormFetcher interface {
	Form(ctx context.Context, v FormVersion) (Form, error)
}

// A FormResolver finds the exact form version a lead answered: from the
// cache, else from the lead itself (projected form), else from the API.
type FormResolver struct {
	Fetcher FormFetcher
	Cache   FormCache
}

// FormFor returns the form version lead names. Errors: the lead's URN is
// invalid, or the fetcher's error (a *FormVersionError when LinkedIn's
// current version moved on and the lead did not carry its form).
func (r *FormResolver) FormFor(ctx context.Context, lead Lead) (Form, error) {
	v, err := lead.Version()
	if err != nil {
		return Form{}, fmt.Errorf("form for lead %s: %w", lead.ID, err)
	}
	if r.Cache != nil {
		if f, ok := r.Cache.Get(v); ok {
			return f, nil
		}
	}
	var f Form
	if lead.Form != nil && lead.Form.Version() == v {
		f = *lead.Form
	} else {
		if f, err = r.Fetcher.Form(ctx, v); err != nil {
			return Form{}, fmt.Errorf("form for lead %s: %w", lead.ID, err)
		}
	}
	if r.Cache != nil {
		r.Cache.Add(v, f)
	}
	return f, nil
}
