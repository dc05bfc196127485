package asl

import (
	"context"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// jsonataExpr is a parsed JSONata expression ("{% ... %}").
type jsonataExpr struct{}

func (l *loader) jsonataState(g *graph, s *state, obj *jsonv.Object, at string) {
	l.problem(at+".QueryLanguage", "JSONata states are not supported yet")
}

func (x *jsonataExpr) evalBool(env *evalEnv) (bool, *Error) {
	return false, newError(ErrorQueryEvaluationError, "JSONata is not supported")
}

func (e *Engine) enterJSONata(ctx context.Context, t *thread) {
	e.stateFailed(t, newError(ErrorQueryEvaluationError, "JSONata is not supported"))
}
