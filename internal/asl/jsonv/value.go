// Package jsonv represents JSON values the way AWS Step Functions handles
// them: objects keep the order of their keys, numbers keep their text, and
// values encode as compact UTF-8 JSON without HTML escaping, as Step Functions
// writes payloads into its history.
//
// A value is one of: nil (null), bool, Number, string, []any (array) or
// *Object. Values are immutable once shared: functions that "change" a value
// return a new one, so one value may be read from many goroutines.
package jsonv

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"
)

// A Number is a JSON number kept as its text, so that values pass through a
// state machine unchanged ("1.0" stays "1.0").
type Number string

// Float64 returns the number's value. It reports false if the text does not
// hold a finite number.
func (n Number) Float64() (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// IsIntegerText reports whether the number is written without a fraction or
// an exponent, as Java's JSON readers decide between integer and decimal.
func (n Number) IsIntegerText() bool {
	return !strings.ContainsAny(string(n), ".eE")
}

// Int64 returns the number as an integer. It reports false if the number is
// not integral or does not fit in 64 bits.
func (n Number) Int64() (int64, bool) {
	if n.IsIntegerText() {
		i, err := strconv.ParseInt(string(n), 10, 64)
		return i, err == nil
	}
	f, ok := n.Float64()
	if !ok || f != math.Trunc(f) || f < math.MinInt64 || f > math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// Int returns the Number for an integer.
func Int(i int64) Number { return Number(strconv.FormatInt(i, 10)) }

// Float returns the Number for a float, written as Go's shortest
// representation; integral values are written without a fraction.
func Float(f float64) Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return Number(strconv.FormatInt(int64(f), 10))
	}
	return Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// An Object is a JSON object that keeps the order of its keys. Build it with
// NewObject and Set; once shared it must not be changed (use With).
type Object struct {
	fields []field
	index  map[string]int
	size   atomic.Int32 // encoded length + 1, 0 until Size computed it
}

type field struct {
	key string
	val any
}

// indexThreshold is the size from which an Object keeps a key index; smaller
// objects are searched linearly, which is faster and smaller.
const indexThreshold = 12

// NewObject returns an empty object with room for n keys. Small objects
// take one allocation.
func NewObject(n int) *Object {
	switch {
	case n <= 0:
		return &Object{}
	case n <= 1:
		c := &struct {
			o Object
			b [1]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 2:
		c := &struct {
			o Object
			b [2]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 3:
		c := &struct {
			o Object
			b [3]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 4:
		c := &struct {
			o Object
			b [4]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 5:
		c := &struct {
			o Object
			b [5]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 6:
		c := &struct {
			o Object
			b [6]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	case n <= 8:
		c := &struct {
			o Object
			b [8]field
		}{}
		c.o.fields = c.b[:0]
		return &c.o
	}
	return &Object{fields: make([]field, 0, n)}
}

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.fields)
}

// Key returns the i-th key.
func (o *Object) Key(i int) string { return o.fields[i].key }

// Value returns the value of the i-th key.
func (o *Object) Value(i int) any { return o.fields[i].val }

// Keys returns the keys in order.
func (o *Object) Keys() []string {
	keys := make([]string, len(o.fields))
	for i, f := range o.fields {
		keys[i] = f.key
	}
	return keys
}

func (o *Object) find(k string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i := range o.fields {
		if o.fields[i].key == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k.
func (o *Object) Get(k string) (any, bool) {
	i := o.find(k)
	if i < 0 {
		return nil, false
	}
	return o.fields[i].val, true
}

// Has reports whether the object has key k.
func (o *Object) Has(k string) bool { return o.find(k) >= 0 }

// Set sets key k to v while the object is being built: an existing key keeps
// its position, a new key goes last.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.fields[i].val = v
		return
	}
	o.fields = append(o.fields, field{k, v})
	if o.index != nil {
		o.index[k] = len(o.fields) - 1
	} else if len(o.fields) > indexThreshold {
		o.index = make(map[string]int, len(o.fields)*2)
		for i, f := range o.fields {
			o.index[f.key] = i
		}
	}
}

// With returns a copy of the object with key k set to v.
func (o *Object) With(k string, v any) *Object {
	c := NewObject(o.Len() + 1)
	c.fields = append(c.fields, o.fields...)
	if o.index != nil {
		c.index = make(map[string]int, len(o.index)+1)
		for key, i := range o.index {
			c.index[key] = i
		}
	}
	c.Set(k, v)
	return c
}

// TypeName returns the JSON type of v: "object", "array", "string",
// "number", "boolean" or "null".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case *Object:
		return "object"
	}
	return "unknown"
}

// Equal reports whether a and b are the same JSON value. Numbers compare by
// value and object keys in any order.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Number:
		y, ok := b.(Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, ok1 := x.Float64()
		fy, ok2 := y.Float64()
		return ok1 && ok2 && fx == fy
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := range x.fields {
			v, found := y.Get(x.fields[i].key)
			if !found || !Equal(x.fields[i].val, v) {
				return false
			}
		}
		return true
	}
	return false
}
