package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

// Measured is what handlers.json holds: per operation, how often it runs
// per contact and how many times each store method is called per
// invocation.
type Measured struct {
	Comment  string               `json:"comment"`
	Journey  string               `json:"journey"`
	Contacts int                  `json:"contacts"`
	Ops      map[string]OpMeasure `json:"ops"`
}

// An OpMeasure is one operation's measurement.
type OpMeasure struct {
	Invocations float64            `json:"invocationsPerContact"`
	Calls       map[string]float64 `json:"callsPerInvocation"`
}

//go:embed handlers.json
var handlersJSON []byte

// HandlerMeasurements returns the measurement in handlers.json. It panics
// only if the embedded file is corrupt, which its test rules out.
func HandlerMeasurements() Measured {
	var m Measured
	if err := json.Unmarshal(handlersJSON, &m); err != nil {
		panic(fmt.Sprintf("cost: handlers.json: %v", err))
	}
	return m
}

// OpUnits returns what one invocation of an operation costs in DynamoDB,
// from the measurement and StoreUnits. Unknown operations cost nothing
// measured (ok false).
func (m Measured) OpUnits(op string) (Units, bool) {
	om, ok := m.Ops[op]
	if !ok {
		return Units{}, false
	}
	var u Units
	names := make([]string, 0, len(om.Calls))
	for name := range om.Calls {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		u = u.Add(StoreUnits[name], om.Calls[name])
	}
	return u, true
}
