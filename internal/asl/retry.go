package asl

import (
	"fmt"
	"math"
	"time"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

var (
	retrierFields = set("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment")
	catcherFields = set("ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment")
)

func (l *loader) retry(obj *jsonv.Object, at string) []*retrier {
	v, ok := obj.Get("Retry")
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		l.problem(at+".Retry", "Retry must be an array")
		return nil
	}
	var out []*retrier
	for i, e := range list {
		rat := fmt.Sprintf("%s.Retry[%d]", at, i)
		ro, ok := e.(*jsonv.Object)
		if !ok {
			l.problem(rat, "a retrier must be an object")
			continue
		}
		l.fields(ro, rat, retrierFields)
		r := &retrier{intervalSeconds: 1, maxAttempts: 3, backoffRate: 2}
		r.errorEquals = l.errorEquals(ro, rat)
		if containsAll(r.errorEquals) && i != len(list)-1 {
			l.problem(rat+".ErrorEquals", "States.ALL must be in the last retrier")
		}
		if n, ok := l.optInt(ro, "IntervalSeconds", rat, 1, 99999999); ok {
			r.intervalSeconds = n
		}
		if n, ok := l.optInt(ro, "MaxAttempts", rat, 0, 99999999); ok {
			r.maxAttempts = n
		}
		if n, ok := l.optInt(ro, "MaxDelaySeconds", rat, 1, 31622400); ok {
			r.maxDelaySeconds = n
		}
		if bv, ok := ro.Get("BackoffRate"); ok {
			n, isNum := bv.(jsonv.Number)
			f, okf := n.Float64()
			if !isNum || !okf || f < 1 {
				l.problem(rat+".BackoffRate", "BackoffRate must be a number of at least 1.0")
			} else {
				r.backoffRate = f
			}
		}
		if s, ok := l.optString(ro, "JitterStrategy", rat); ok {
			switch s {
			case "FULL":
				r.jitterFull = true
			case "NONE":
			default:
				l.problem(rat+".JitterStrategy", `JitterStrategy must be "FULL" or "NONE"`)
			}
		}
		out = append(out, r)
	}
	return out
}

func containsAll(names []string) bool {
	for _, n := range names {
		if n == ErrorAll {
			return true
		}
	}
	return false
}

func (l *loader) catch(g *graph, obj *jsonv.Object, at string) []*catcher {
	v, ok := obj.Get("Catch")
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		l.problem(at+".Catch", "Catch must be an array")
		return nil
	}
	var out []*catcher
	for i, e := range list {
		cat := fmt.Sprintf("%s.Catch[%d]", at, i)
		co, ok := e.(*jsonv.Object)
		if !ok {
			l.problem(cat, "a catcher must be an object")
			continue
		}
		l.fields(co, cat, catcherFields)
		c := &catcher{next: -1}
		c.errorEquals = l.errorEquals(co, cat)
		if containsAll(c.errorEquals) && i != len(list)-1 {
			l.problem(cat+".ErrorEquals", "States.ALL must be in the last catcher")
		}
		if !co.Has("Next") {
			l.problem(cat, `the field "Next" is required`)
		} else {
			c.next = l.target(g, co, "Next", cat)
		}
		c.resultPath = l.resultPathField(co, cat)
		if av, ok := co.Get("Assign"); ok {
			l.assignTemplate(av, cat+".Assign")
			c.assign = l.compileTemplate(av, cat+".Assign")
		}
		out = append(out, c)
	}
	return out
}

// delay returns how long a retrier waits before retry number attempt (0
// for the first retry): IntervalSeconds × BackoffRate^attempt, capped by
// MaxDelaySeconds, and with FULL jitter a random fraction of that.
func (r *retrier) delay(attempt int64, random func() float64) time.Duration {
	secs := float64(r.intervalSeconds) * math.Pow(r.backoffRate, float64(attempt))
	if r.maxDelaySeconds > 0 && secs > float64(r.maxDelaySeconds) {
		secs = float64(r.maxDelaySeconds)
	}
	if secs > 99999999 {
		secs = 99999999
	}
	if r.jitterFull {
		secs *= random()
	}
	return time.Duration(secs * float64(time.Second))
}
