package preference

import (
	"context"
	"sync"
)

// memStore is the tiny in-memory Store the tests use: the latest consent
// per scope and name, plus the log of every change.
type memStore struct {
	mu  sync.Mutex
	log []Consent
}

func (m *memStore) Consents(_ context.Context, bu, contact string) ([]Consent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	latest := map[key]Consent{}
	var order []key
	for _, c := range m.log {
		k := key{c.Scope, c.Name}
		if _, seen := latest[k]; !seen {
			order = append(order, k)
		}
		latest[k] = c
	}
	out := make([]Consent, 0, len(order))
	for _, k := range order {
		out = append(out, latest[k])
	}
	return out, nil
}

func (m *memStore) SetConsents(_ context.Context, bu, contact string, changes []Consent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, changes...)
	return nil
}

func (m *memStore) changes() []Consent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Consent(nil), m.log...)
}
