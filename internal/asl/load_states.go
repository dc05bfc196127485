package asl

import (
	"fmt"
	"math"
	"strings"

	"github.com/journeys-oss/journeys/internal/asl/intrinsic"
	"github.com/journeys-oss/journeys/internal/asl/jsonpath"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// Fields each state type accepts in JSONPath states.
var stateFields = map[stateType]map[string]bool{
	typePass: set("Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath",
		"ResultPath", "Parameters", "Result", "Assign"),
	typeTask: set("Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath",
		"ResultPath", "Parameters", "ResultSelector", "Resource", "Retry", "Catch", "TimeoutSeconds",
		"TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign"),
	typeChoice: set("Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Choices",
		"Default", "Assign"),
	typeWait: set("Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath",
		"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"),
	typeSucceed: set("Type", "Comment", "QueryLanguage", "InputPath", "OutputPath"),
	typeFail:    set("Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath"),
	typeParallel: set("Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath",
		"ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch", "Assign"),
	typeMap: set("Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath",
		"ResultPath", "Parameters", "ResultSelector", "ItemsPath", "ItemSelector", "ItemProcessor",
		"Iterator", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
		"ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
		"ItemReader", "ResultWriter", "ItemBatcher", "Label", "Retry", "Catch", "Assign"),
}

func (l *loader) state(g *graph, name string, obj *jsonv.Object, at string, inherited bool) *state {
	s := &state{name: name, next: -1}
	typ, hasType := l.reqString(obj, "Type", at)
	t, ok := stateTypeNames[typ]
	if !ok {
		if hasType {
			l.problem(at+".Type", "unknown state type %q (Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map)", typ)
		}
		s.typ, s.end = typePass, true
		return s
	}
	s.typ = t
	s.jsonata = l.queryLanguage(obj, at, inherited)
	l.flow(g, s, obj, at)
	if s.jsonata {
		l.jsonataState(g, s, obj, at)
		return s
	}
	l.fields(obj, at, stateFields[t])
	s.inputPath = l.inOutPath(obj, "InputPath", at)
	s.outputPath = l.inOutPath(obj, "OutputPath", at)
	if v, ok := obj.Get("Assign"); ok {
		l.assignTemplate(v, at+".Assign")
		s.assign = l.compileTemplate(v, at+".Assign")
	}
	switch t {
	case typePass:
		s.resultPath = l.resultPathField(obj, at)
		s.parameters = l.optTemplate(obj, "Parameters", at)
		s.result, s.hasResult = obj.Get("Result")
	case typeTask:
		s.resultPath = l.resultPathField(obj, at)
		s.parameters = l.optTemplate(obj, "Parameters", at)
		s.resultSelector = l.optTemplate(obj, "ResultSelector", at)
		s.task = l.task(obj, at)
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
		discards := s.resultPath != nil && s.resultPath.discard
		s.task.payloadOnly = (s.resultSelector != nil || discards) &&
			s.resultSelector.readsOnly("Payload", "StatusCode", "ExecutedVersion") &&
			s.assign.readsOnly("Payload", "StatusCode", "ExecutedVersion")
	case typeChoice:
		s.choice = l.choice(g, obj, at)
	case typeWait:
		s.wait = l.wait(obj, at)
	case typeFail:
		s.fail = l.failState(obj, at)
	case typeParallel:
		s.resultPath = l.resultPathField(obj, at)
		s.parameters = l.optTemplate(obj, "Parameters", at)
		s.resultSelector = l.optTemplate(obj, "ResultSelector", at)
		s.parallel = l.parallel(obj, at, s.jsonata)
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
	case typeMap:
		s.resultPath = l.resultPathField(obj, at)
		s.resultSelector = l.optTemplate(obj, "ResultSelector", at)
		s.mapper = l.mapState(obj, at, s.jsonata)
		s.retry, s.catch = l.retry(obj, at), l.catch(g, obj, at)
	}
	return s
}

// flow reads Next and End.
func (l *loader) flow(g *graph, s *state, obj *jsonv.Object, at string) {
	hasNext, hasEnd := obj.Has("Next"), obj.Has("End")
	switch s.typ {
	case typeChoice, typeSucceed, typeFail:
		if hasNext || hasEnd {
			l.problem(at, "a %s state has neither Next nor End", s.typ)
		}
		return
	}
	end, _ := l.optBool(obj, "End", at)
	switch {
	case hasNext && end:
		l.problem(at, "a state has either Next or End, not both")
	case hasNext:
		s.next = l.target(g, obj, "Next", at)
	case end:
		s.end = true
	default:
		if hasEnd {
			l.problem(at+".End", "End must be true when given")
		} else {
			l.problem(at, "a %s state needs Next or End", s.typ)
		}
	}
}

func (l *loader) optTemplate(obj *jsonv.Object, key, at string) *template {
	v, ok := obj.Get(key)
	if !ok {
		return nil
	}
	if _, isObj := v.(*jsonv.Object); !isObj {
		l.problem(at+"."+key, "%s must be an object", key)
		return nil
	}
	return l.compileTemplate(v, at+"."+key)
}

// assignTemplate checks the variable names of an Assign object.
func (l *loader) assignTemplate(v any, at string) {
	o, ok := v.(*jsonv.Object)
	if !ok {
		l.problem(at, "Assign must be an object")
		return
	}
	for _, k := range o.Keys() {
		name := strings.TrimSuffix(k, ".$")
		if !validVariableName(name) {
			l.problem(at+"."+k, "%q is not a valid variable name", name)
		}
	}
}

func validVariableName(name string) bool {
	if name == "" || len(name) > 80 || name == "states" {
		return false
	}
	for i, c := range name {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

func (l *loader) task(obj *jsonv.Object, at string) *taskSpec {
	t := &taskSpec{}
	res, ok := l.reqString(obj, "Resource", at)
	if ok {
		t.resource = res
		l.resource(t, at+".Resource")
	}
	const maxSeconds = 99999999
	if obj.Has("TimeoutSeconds") && obj.Has("TimeoutSecondsPath") {
		l.problem(at, "a Task has TimeoutSeconds or TimeoutSecondsPath, not both")
	}
	if obj.Has("HeartbeatSeconds") && obj.Has("HeartbeatSecondsPath") {
		l.problem(at, "a Task has HeartbeatSeconds or HeartbeatSecondsPath, not both")
	}
	t.timeoutSeconds, _ = l.optInt(obj, "TimeoutSeconds", at, 1, maxSeconds)
	t.heartbeat, _ = l.optInt(obj, "HeartbeatSeconds", at, 1, maxSeconds)
	t.timeoutPath = l.optPath(obj, "TimeoutSecondsPath", at, true)
	t.heartbeatPath = l.optPath(obj, "HeartbeatSecondsPath", at, true)
	if t.heartbeat > 0 && t.timeoutSeconds > 0 && t.heartbeat >= t.timeoutSeconds {
		l.problem(at+".HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
	return t
}

// resource classifies a Task's Resource ARN.
func (l *loader) resource(t *taskSpec, at string) {
	r := t.resource
	parts := strings.Split(r, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		t.kind, t.function = resourceLambdaARN, r
	case len(parts) >= 6 && parts[0] == "arn" && parts[2] == "states" && parts[3] == "" && parts[4] == "":
		t.kind = resourceService
		t.service = parts[5]
		t.action = strings.Join(parts[6:], ":")
		switch {
		case strings.HasSuffix(t.action, ".waitForTaskToken"):
			t.waitForToken = true
		case strings.HasSuffix(t.action, ".sync") || strings.HasSuffix(t.action, ".sync:2"):
			t.sync = true
		}
		if t.service == "" || t.action == "" {
			l.problem(at, "%q is not a valid service integration ARN", r)
		}
	case len(parts) == 7 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "activity":
		t.kind = resourceActivity
	case strings.HasPrefix(r, "${") && strings.HasSuffix(r, "}"):
		t.kind = resourceOther // a definition substitution, replaced before running
	default:
		l.problem(at, "%q is not a Lambda function, activity or service integration ARN", r)
		t.kind = resourceOther
	}
}

func (l *loader) wait(obj *jsonv.Object, at string) *waitSpec {
	w := &waitSpec{}
	n := 0
	for _, k := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if obj.Has(k) {
			n++
		}
	}
	if n != 1 {
		l.problem(at, "a Wait state has exactly one of Seconds, Timestamp, SecondsPath or TimestampPath")
	}
	w.seconds, w.hasSeconds = l.optInt(obj, "Seconds", at, 0, 99999999)
	if s, ok := l.optString(obj, "Timestamp", at); ok {
		ts, ok := parseTimestamp(s)
		if !ok {
			l.problem(at+".Timestamp", "%q is not an ISO-8601 extended offset date-time", s)
		}
		w.timestamp, w.hasTimestamp = ts, ok
	}
	w.secondsPath = l.optPath(obj, "SecondsPath", at, true)
	w.timestampPath = l.optPath(obj, "TimestampPath", at, true)
	return w
}

func (l *loader) failState(obj *jsonv.Object, at string) *failSpec {
	f := &failSpec{}
	if obj.Has("Error") && obj.Has("ErrorPath") {
		l.problem(at, "a Fail state has Error or ErrorPath, not both")
	}
	if obj.Has("Cause") && obj.Has("CausePath") {
		l.problem(at, "a Fail state has Cause or CausePath, not both")
	}
	f.errorName, f.hasError = l.optString(obj, "Error", at)
	f.cause, f.hasCause = l.optString(obj, "Cause", at)
	if s, ok := l.optString(obj, "ErrorPath", at); ok {
		f.errorPath = l.dynString(s, at+".ErrorPath")
	}
	if s, ok := l.optString(obj, "CausePath", at); ok {
		f.causePath = l.dynString(s, at+".CausePath")
	}
	return f
}

func (l *loader) dynString(s, at string) *dynString {
	d := &dynString{text: s}
	if intrinsic.IsCall(s) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			l.problem(at, "%s", err.Error())
			return nil
		}
		d.call = c
		return d
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		l.problem(at, "%s", err.Error())
		return nil
	}
	d.path = p
	return d
}

func (l *loader) parallel(obj *jsonv.Object, at string, jsonata bool) *parallelSpec {
	p := &parallelSpec{}
	v, ok := obj.Get("Branches")
	list, isList := v.([]any)
	if !ok || !isList || len(list) == 0 {
		l.problem(at+".Branches", "Branches must be a non-empty array")
		return p
	}
	for i, b := range list {
		bat := fmt.Sprintf("%s.Branches[%d]", at, i)
		bo, ok := b.(*jsonv.Object)
		if !ok {
			l.problem(bat, "a branch must be an object")
			continue
		}
		l.fields(bo, bat, branchFields)
		p.branches = append(p.branches, l.graph(bo, bat, l.queryLanguage(bo, bat, jsonata)))
	}
	return p
}

func (l *loader) mapState(obj *jsonv.Object, at string, jsonata bool) *mapSpec {
	m := &mapSpec{}
	m.itemsPath = l.optPath(obj, "ItemsPath", at, true)
	switch {
	case obj.Has("ItemSelector") && obj.Has("Parameters"):
		l.problem(at, "a Map state has ItemSelector or Parameters, not both")
	case obj.Has("ItemSelector"):
		m.itemSelector = l.optTemplate(obj, "ItemSelector", at)
	case obj.Has("Parameters"):
		m.itemSelector = l.optTemplate(obj, "Parameters", at)
	}
	if obj.Has("ItemReader") || obj.Has("ResultWriter") || obj.Has("ItemBatcher") {
		l.problem(at, "ItemReader, ResultWriter and ItemBatcher need Amazon S3 and are not supported locally")
	}
	var proc any
	key := "ItemProcessor"
	switch {
	case obj.Has("ItemProcessor") && obj.Has("Iterator"):
		l.problem(at, "a Map state has ItemProcessor or Iterator, not both")
	case obj.Has("ItemProcessor"):
		proc, _ = obj.Get("ItemProcessor")
	case obj.Has("Iterator"):
		proc, _ = obj.Get("Iterator")
		key = "Iterator"
	default:
		l.problem(at, "a Map state needs an ItemProcessor")
	}
	if po, ok := proc.(*jsonv.Object); ok {
		pat := at + "." + key
		l.fields(po, pat, branchFields)
		m.distributed = l.processorMode(po, pat)
		m.processor = l.graph(po, pat, l.queryLanguage(po, pat, jsonata))
	} else if proc != nil {
		l.problem(at+"."+key, "%s must be an object", key)
	}
	if obj.Has("MaxConcurrency") && obj.Has("MaxConcurrencyPath") {
		l.problem(at, "a Map state has MaxConcurrency or MaxConcurrencyPath, not both")
	}
	m.maxConcurrency, _ = l.optInt(obj, "MaxConcurrency", at, 0, math.MaxInt32)
	m.maxConcurrencyPath = l.optPath(obj, "MaxConcurrencyPath", at, true)
	m.toleratedCount, m.hasToleratedCount = l.optInt(obj, "ToleratedFailureCount", at, 0, math.MaxInt32)
	m.toleratedCountPath = l.optPath(obj, "ToleratedFailureCountPath", at, true)
	if v, ok := obj.Get("ToleratedFailurePercentage"); ok {
		n, isNum := v.(jsonv.Number)
		f, okf := n.Float64()
		if !isNum || !okf || f < 0 || f > 100 {
			l.problem(at+".ToleratedFailurePercentage", "ToleratedFailurePercentage must be a number between 0 and 100")
		}
		m.toleratedPercent, m.hasToleratedPct = f, true
	}
	m.toleratedPctPath = l.optPath(obj, "ToleratedFailurePercentagePath", at, true)
	return m
}

func (l *loader) processorMode(po *jsonv.Object, at string) bool {
	v, ok := po.Get("ProcessorConfig")
	if !ok {
		return false
	}
	pc, ok := v.(*jsonv.Object)
	if !ok {
		l.problem(at+".ProcessorConfig", "ProcessorConfig must be an object")
		return false
	}
	mode, _ := l.optString(pc, "Mode", at+".ProcessorConfig")
	switch mode {
	case "", "INLINE":
		return false
	case "DISTRIBUTED":
		return true
	}
	l.problem(at+".ProcessorConfig.Mode", `Mode must be "INLINE" or "DISTRIBUTED"`)
	return false
}
