package compile

import (
	"fmt"
	"math"
	"strings"

	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/segment"
	"github.com/journeys-oss/journeys/internal/wire"
)

// ifStep is a native Choice on $.attrs, or an evaluate task (op condition)
// and a Choice on its result.
func (m *compiler) ifStep(i int) {
	s := m.j.Steps[i]
	then, els := m.next(i, m.edge(i, "then", "")), m.next(i, m.edge(i, "else", ""))
	var rule *obj
	if r, ok := m.native[i]; ok {
		rule = o("And", []any{o("Variable", "$.attrs", "IsPresent", true), nativeRule(r)})
	} else {
		m.evaluateTask(i, "result")
		rule = o("Variable", "$.cond.result", "BooleanEquals", true)
	}
	rule.set("Next", then)
	comment := stepComment(s)
	if s.If.Condition != nil {
		comment += ": " + s.If.Condition.Src
	} else {
		comment += ": in segment " + s.If.Segment
	}
	m.add(m.title[i], s.Pos, o("Type", "Choice", "Comment", comment, "Choices", []any{rule}, "Default", els))
}

// evaluateTask puts the evaluate task (op condition) in front of a Choice;
// it returns {"result": bool} or {"case": id} into $.cond.
func (m *compiler) evaluateTask(i int, field string) {
	s := m.j.Steps[i]
	t := lambdaTask("evaluate the condition: "+stepComment(s), EvaluateFunction, payload(wire.OpCondition, s.ID), false)
	t.set("ResultSelector", o(field+".$", "$.Payload."+field))
	t.set("ResultPath", "$.cond")
	t.set("Next", m.title[i])
	m.guard(t, m.entry[i], s.Pos, "")
}

// nativeRule turns a segment.Rule into a Choice rule on $.attrs.
func nativeRule(r segment.Rule) *obj {
	switch r.Op {
	case segment.OpAnd, segment.OpOr:
		var subs []any
		for _, x := range r.Rules {
			subs = append(subs, nativeRule(x))
		}
		key := "And"
		if r.Op == segment.OpOr {
			key = "Or"
		}
		return o(key, subs)
	case "!=":
		eq := r
		eq.Op = "=="
		return o("Not", nativeRule(eq))
	}
	v := "$.attrs." + r.Attribute
	switch r.Type {
	case segment.String:
		op := map[string]string{"==": "StringEquals", "<": "StringLessThan", "<=": "StringLessThanEquals", ">": "StringGreaterThan", ">=": "StringGreaterThanEquals"}[r.Op]
		return o("Variable", v, op, r.Value)
	case segment.Bool:
		return o("Variable", v, "BooleanEquals", r.Value)
	}
	op := map[string]string{"==": "NumericEquals", "<": "NumericLessThan", "<=": "NumericLessThanEquals", ">": "NumericGreaterThan", ">=": "NumericGreaterThanEquals"}[r.Op]
	return o("Variable", v, op, r.Value)
}

// switchStep is a native Choice with a rule per case on a non-personal
// attribute, or an evaluate task returning the case id and a Choice on it.
func (m *compiler) switchStep(i int) {
	s := m.j.Steps[i]
	var rules []any
	native := m.nativeSwitch[i]
	if !native {
		m.evaluateTask(i, "case")
	}
	attr := m.c.Schema.Attributes[s.Switch.Attribute]
	for _, k := range s.Switch.Cases {
		id := journey.CaseID(k.Equals)
		next := m.next(i, m.edge(i, "case", id))
		if !native {
			rules = append(rules, o("Variable", "$.cond.case", "StringEquals", id, "Next", next))
			continue
		}
		v := "$.attrs." + s.Switch.Attribute
		var cmp *obj
		switch attr.Type {
		case "string":
			cmp = o("Variable", v, "StringEquals", k.Equals)
		case "bool":
			cmp = o("Variable", v, "BooleanEquals", k.Equals)
		default:
			cmp = o("Variable", v, "NumericEquals", k.Equals)
		}
		rules = append(rules, o("And", []any{o("Variable", "$.attrs", "IsPresent", true), cmp}, "Next", next))
	}
	m.add(m.title[i], s.Pos, o("Type", "Choice", "Comment", stepComment(s), "Choices", rules,
		"Default", m.next(i, m.edge(i, "default", ""))))
}

// splitStep hashes (journey, version, contact, step) with SHA-256 and
// compares the hex digest with thresholds: the same contact always takes
// the same variant, with no Lambda call.
func (m *compiler) splitStep(i int) {
	s := m.j.Steps[i]
	pick := m.names.sub(m.title[i], "pick variant")
	m.add(m.title[i], s.Pos, o(
		"Type", "Pass",
		"Comment", stepComment(s)+": hash the contact for a stable variant",
		"Parameters", o("hash.$", fmt.Sprintf("States.Hash(States.Format('{}:{}:{}:{}', $.journey, $.version, $.contact, '%s'), 'SHA-256')", s.ID)),
		"ResultPath", "$.split",
		"Next", pick,
	))
	type branch struct {
		weight float64
		next   string
	}
	var branches []branch
	for _, v := range s.Split.Variants {
		branches = append(branches, branch{v.Weight, m.next(i, m.edge(i, "variant", v.Name))})
	}
	if h := s.Split.Holdout; h != nil {
		e := m.edge(i, "holdout", "")
		var next string
		if e.To != journey.End {
			next = m.next(i, e)
		} else {
			next = m.names.sub(m.title[i], "holdout")
			defer m.finishTask(next, h.Pos, "the holdout receives nothing: "+stepComment(s), s.ID, wire.OutcomeCompleted, "holdout", m.use(roleDone))
		}
		branches = append(branches, branch{h.Weight, next})
	}
	var rules []any
	cum := 0.0
	for _, b := range branches[:len(branches)-1] {
		cum += b.weight
		rules = append(rules, o("Variable", "$.split.hash", "StringLessThan", threshold(cum), "Next", b.next))
	}
	m.add(pick, s.Pos, o("Type", "Choice", "Comment", "variants by cumulative weight: "+weights(s.Split), "Choices", rules, "Default", branches[len(branches)-1].next))
}

// threshold is the cumulative percentage as 8 hex digits of 2^32.
func threshold(percent float64) string {
	v := math.Floor(percent / 100 * (1 << 32))
	v = math.Min(v, 1<<32-1)
	return fmt.Sprintf("%08x", uint64(v))
}

func weights(sp *journey.Split) string {
	var parts []string
	for _, v := range sp.Variants {
		parts = append(parts, fmt.Sprintf("%s %v%%", v.Name, v.Weight))
	}
	if sp.Holdout != nil {
		parts = append(parts, fmt.Sprintf("holdout %v%%", sp.Holdout.Weight))
	}
	return strings.Join(parts, ", ")
}
