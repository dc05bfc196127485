package content

import (
	"fmt"
	"sort"
	"strings"

	"github.com/osteele/liquid/expressions"
)

// Schema is what templates may read from a contact and an event.
type Schema struct {
	// Contact maps every attribute declared in the business unit's contact
	// schema to whether it is personal data. Personal attributes may not be
	// put into link URLs (URLs end up in logs and redirect chains).
	Contact map[string]bool
	// Event is what templates may read as event.<name>; nil allows any
	// (the journey, not the template, knows its trigger: a journey's check
	// sets it from the trigger).
	Event *EventSchema
}

// An EventSchema lists the trigger-event attributes templates may read.
type EventSchema struct {
	Names []string // sorted; empty: the trigger has no event
	// Hint says what to do about attribute name, not in Names and not
	// close to any of them, e.g. where to declare it (nil: no hint).
	Hint func(name string) string
}

// namespaces are the variables every template sees besides contact and
// event, with the properties each has.
var namespaces = map[string][]string{
	"journey": {"id", "name", "version"},
	"step":    {"id"},
	"owner":   {"name", "email"},
	"message": {"id"},
	"links":   {"unsubscribe", "preferences", "view"},
}

var forloopProps = []string{"first", "index", "index0", "last", "length", "rindex", "rindex0"}

// checkEnv is what the static check of one Liquid source knows.
type checkEnv struct {
	schema  *Schema // nil: plain Liquid (journeys render), no variable checks
	params  []string
	isBlock bool
	mode    mode
	ov      *overrides // a send step's block overrides (nil: none)
}

// A refSite is a render tag: which block, where, with which parameters.
type refSite struct {
	ref    blockRef
	pos    Pos
	params []string
	ppos   []Pos
}

// analysis is the result of checking one Liquid source.
type analysis struct {
	toks     []token
	refs     []refSite
	links    map[string]bool // links.<name> the source reads
	assigns  bool            // the source has assign or capture
	problems Problems
}

type frame struct {
	name   string
	pos    Pos
	locals []string
}

type analyzer struct {
	env    checkEnv
	sm     *srcMap
	a      analysis
	stack  []frame
	locals map[string]int
	html   *htmlScanner
}

// analyze checks one Liquid source statically: tags and their nesting,
// expression syntax, variables, filters, render targets' syntax, and in
// HTML the context of every output.
func analyze(src string, sm *srcMap, env checkEnv) analysis {
	z := &analyzer{env: env, sm: sm, locals: map[string]int{}, a: analysis{links: map[string]bool{}}}
	for _, p := range env.params {
		z.locals[p]++
	}
	if env.mode == modeHTML {
		z.html = &htmlScanner{}
	}
	z.a.toks = scan(src)
	skip := ""
	for _, t := range z.a.toks {
		if skip != "" {
			if t.kind == tokTag && t.name == skip {
				skip = ""
			}
			continue
		}
		switch t.kind {
		case tokText:
			if z.html != nil {
				z.html.feed(t.src)
			}
		case tokObject:
			z.object(t)
		case tokTag:
			if t.name == "raw" || t.name == "comment" {
				skip = "end" + t.name
				z.push(t)
				z.pop(t, t.name)
				continue
			}
			z.tag(t)
		}
	}
	if skip != "" {
		z.problem(0, "unterminated "+strings.TrimPrefix(skip, "end")+" block", "add {% "+skip+" %}")
	}
	for i := len(z.stack) - 1; i >= 0; i-- {
		f := z.stack[i]
		z.a.problems = append(z.a.problems, Problem{Pos: f.pos, Message: f.name + " is not closed", Hint: "add {% end" + f.name + " %}"})
	}
	z.a.problems = z.a.problems.sorted()
	return z.a
}

func (z *analyzer) problem(off int, msg, hint string) {
	z.a.problems = append(z.a.problems, Problem{Pos: z.sm.pos(off), Message: msg, Hint: hint})
}

func (z *analyzer) object(t token) {
	if strings.Contains(t.args, "%}") {
		z.problem(t.off, "an output may not contain %}", "")
		return
	}
	var ctx htmlContext
	if z.html != nil {
		ctx = z.html.htmlContext
		if msg, hint := ctx.unsafeOutput(); msg != "" {
			z.problem(t.off, msg, hint)
		}
	}
	info := z.expr(t.args, t.argsOff, false)
	if ctx.inURL() && z.env.schema != nil {
		for _, v := range info.vars {
			if v.root == "contact" && len(v.path) > 0 && z.env.schema.Contact[v.path[0]] {
				z.problem(t.argsOff+v.off, fmt.Sprintf("personal attribute contact.%s in a link URL", v.path[0]),
					"URLs end up in logs and redirects; link with ids only")
			}
		}
	}
}

// expr checks one expression that starts at byte offset off.
func (z *analyzer) expr(src string, off int, rangesOK bool) exprInfo {
	if _, err := parseExpr(src); err != nil {
		z.problem(off, "invalid expression "+quote(src), "")
		return exprInfo{}
	}
	info := scanExpr(src)
	z.uses(src, off, info, rangesOK)
	return info
}

// uses checks the variables, filters and ranges of an expression.
func (z *analyzer) uses(src string, off int, info exprInfo, rangesOK bool) {
	if info.ranges > 0 && !rangesOK {
		z.problem(off, "a range (a..b) may only be the collection of a for loop", "")
	}
	raw := false
	for _, f := range info.filters {
		if !contains(knownFilters, f.name) {
			z.problem(off+f.off, "unknown filter "+quote(f.name), didYouMean(f.name, knownFilters))
		}
		if f.name == "raw" {
			raw = true
			if !z.env.isBlock && z.env.schema != nil {
				z.problem(off+f.off, "raw is allowed only in content blocks", "templates escape every value; move trusted markup into a block")
			}
		}
	}
	for _, v := range info.vars {
		if raw && (v.root == "contact" || v.root == "event" || v.root == "owner") {
			z.problem(off+v.off, "raw on "+v.root+" data would emit it unescaped", "remove raw")
		}
		z.variable(v, off+v.off)
	}
}

func (z *analyzer) variable(v varRef, off int) {
	if v.root == "links" && len(v.path) > 0 {
		z.a.links[v.path[0]] = true
	}
	if z.env.schema == nil || z.locals[v.root] > 0 {
		return
	}
	prop := func(allowed []string) {
		switch {
		case v.dynamic && len(v.path) == 0:
			z.problem(off, v.root+" properties must be named, not computed", "write "+v.root+".name")
		case len(v.path) == 0:
			z.problem(off, v.root+" is an object; name a property", "one of "+strings.Join(allowed, ", "))
		case allowed != nil && !contains(allowed, v.path[0]):
			z.problem(off, fmt.Sprintf("unknown %s property %q", v.root, v.path[0]), didYouMean(v.path[0], allowed))
		}
	}
	switch v.root {
	case "contact":
		prop(sortedKeys(z.env.schema.Contact))
	case "event":
		z.eventVariable(v, off, prop)
	case "forloop":
		if z.inside("for") {
			prop(forloopProps)
			return
		}
		z.problem(off, "forloop outside a for loop", "")
	default:
		if props, ok := namespaces[v.root]; ok {
			prop(props)
			return
		}
		z.problem(off, "unknown variable "+quote(v.root), didYouMean(v.root, z.visibleNames()))
	}
}

// eventVariable checks event.<name> against the trigger's attributes.
func (z *analyzer) eventVariable(v varRef, off int, prop func([]string)) {
	ev := z.env.schema.Event
	if ev == nil || len(v.path) == 0 {
		prop(nil)
		return
	}
	if contains(ev.Names, v.path[0]) {
		return
	}
	hint := didYouMean(v.path[0], ev.Names)
	if hint == "" && ev.Hint != nil {
		hint = ev.Hint(v.path[0])
	}
	z.problem(off, fmt.Sprintf("unknown event attribute %q", v.path[0]), hint)
}

func (z *analyzer) visibleNames() []string {
	names := []string{"contact", "event"}
	for n := range namespaces {
		names = append(names, n)
	}
	for n, c := range z.locals {
		if c > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (z *analyzer) inside(name string) bool {
	for _, f := range z.stack {
		if f.name == name {
			return true
		}
	}
	return false
}

func (z *analyzer) push(t token, locals ...string) {
	if len(z.stack) >= maxDepth {
		z.problem(t.off, fmt.Sprintf("tags nested deeper than %d", maxDepth), "")
	}
	for _, l := range locals {
		z.locals[l]++
	}
	z.stack = append(z.stack, frame{name: t.name, pos: z.sm.pos(t.off), locals: locals})
}

func (z *analyzer) pop(t token, name string) {
	if len(z.stack) == 0 || z.stack[len(z.stack)-1].name != name {
		hint := ""
		if len(z.stack) > 0 {
			hint = "the open block is " + z.stack[len(z.stack)-1].name
		}
		z.problem(t.off, t.name+" without "+name, hint)
		return
	}
	for _, l := range z.stack[len(z.stack)-1].locals {
		z.locals[l]--
	}
	z.stack = z.stack[:len(z.stack)-1]
}

// clause checks that an else/elsif/when sits directly in one of parents.
func (z *analyzer) clause(t token, parents ...string) {
	if len(z.stack) == 0 || !contains(parents, z.stack[len(z.stack)-1].name) {
		z.problem(t.off, t.name+" outside "+strings.Join(parents, " or "), "")
	}
}

func (z *analyzer) tag(t token) {
	switch t.name {
	case "if", "unless", "case":
		z.push(t)
		z.expr(t.args, t.argsOff, false)
	case "elsif":
		z.clause(t, "if")
		z.expr(t.args, t.argsOff, false)
	case "else":
		z.clause(t, "if", "unless", "case", "for")
	case "when":
		z.clause(t, "case")
		if _, err := parseStatement(expressions.WhenStatementSelector, t.args); err != nil {
			z.problem(t.argsOff, "invalid when "+quote(t.args), "")
			return
		}
		z.uses(t.args, t.argsOff, scanExpr(t.args), false)
	case "for":
		z.forTag(t)
	case "capture":
		z.a.assigns = true
		name := strings.TrimSpace(t.args)
		if !isIdentifier(name) {
			z.problem(t.argsOff, "capture needs a variable name", "{% capture greeting %}...{% endcapture %}")
		}
		z.shadows(name, t.argsOff)
		z.push(t)
		z.locals[name]++
	case "assign":
		z.a.assigns = true
		z.assign(t)
	case "break", "continue":
		if !z.inside("for") {
			z.problem(t.off, t.name+" outside a for loop", "")
		}
	case "cycle":
		if st, err := parseStatement(expressions.CycleStatementSelector, t.args); err != nil || len(st.Cycle.Values) == 0 {
			z.problem(t.argsOff, "invalid cycle "+quote(t.args), `write {% cycle "odd", "even" %}`)
		} else if !z.inside("for") {
			z.problem(t.off, "cycle outside a for loop", "")
		}
	case "render":
		z.renderTag(t)
	default:
		if strings.HasPrefix(t.name, "end") {
			z.pop(t, strings.TrimPrefix(t.name, "end"))
			return
		}
		z.unknownTag(t)
	}
}

func (z *analyzer) unknownTag(t token) {
	switch t.name {
	case "include":
		z.problem(t.off, "include reads files and is not available", "use {% render 'block-name' %}")
	case "tablerow", "increment", "decrement", "echo", "liquid", "layout", "section":
		z.problem(t.off, t.name+" is not supported in messages", "supported tags: "+strings.Join(tagNames, ", "))
	default:
		z.problem(t.off, "unknown tag "+quote(t.name), didYouMean(t.name, tagNames))
	}
}

func (z *analyzer) forTag(t token) {
	stmt, err := parseStatement(expressions.LoopStatementSelector, t.args)
	if err != nil {
		z.problem(t.argsOff, "invalid for loop "+quote(t.args), "write {% for item in collection %}")
		z.push(t)
		return
	}
	if stmt.Loop.Cols != nil {
		z.problem(t.argsOff, "cols is a tablerow modifier", "")
	}
	_, rest, _ := strings.Cut(t.args, " in ")
	restOff := t.argsOff + len(t.args) - len(rest)
	z.uses(rest, restOff, scanExpr(rest), true)
	z.shadows(stmt.Loop.Variable, t.argsOff)
	z.push(t, stmt.Loop.Variable, "forloop")
}

func (z *analyzer) assign(t token) {
	stmt, err := parseStatement(expressions.AssignStatementSelector, t.args)
	if err != nil {
		z.problem(t.argsOff, "invalid assign "+quote(t.args), "write {% assign name = value %}")
		return
	}
	_, value, _ := strings.Cut(t.args, "=")
	valueOff := t.argsOff + len(t.args) - len(value)
	z.uses(value, valueOff, scanExpr(value), false)
	z.shadows(stmt.Assignment.Variable, t.argsOff)
	z.locals[stmt.Assignment.Variable]++ // assign is global from here on
}

// shadows reports a local variable that would hide a message variable.
func (z *analyzer) shadows(name string, off int) {
	if z.env.schema == nil {
		return
	}
	if _, ok := namespaces[name]; ok || name == "contact" || name == "event" || name == "forloop" {
		z.problem(off, "a local variable may not be named "+name, "it would hide the "+name+" variable; pick another name")
	}
}

func (z *analyzer) renderTag(t token) {
	ra, err := parseRenderArgs(t.args)
	if err != nil {
		z.problem(t.argsOff, err.Error(), "")
		return
	}
	site := refSite{ref: ra.ref, pos: z.sm.pos(t.argsOff + ra.nameOff)}
	for _, p := range ra.params {
		site.params = append(site.params, p.key)
		site.ppos = append(site.ppos, z.sm.pos(t.argsOff+p.keyOff))
		z.expr(p.expr, t.argsOff+p.exprOff, false)
	}
	z.a.refs = append(z.a.refs, site)
}

func quote(s string) string {
	return fmt.Sprintf("%q", clip(s))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// didYouMean suggests the closest candidate within two edits (or equal but
// for case), as a hint.
func didYouMean(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if strings.EqualFold(s, c) {
			d = 0
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
