package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// A LambdaHandler is an in-process Lambda function. aws-lambda-go's
// lambda.Handler (what lambda.NewHandler returns) satisfies it, so the same
// handler a Lambda bootstrap starts can run in-process.
type LambdaHandler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// LambdaFunc adapts a function to LambdaHandler.
type LambdaFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f LambdaFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Functions is a TaskInvoker that runs Lambda functions in-process, keyed
// by function name. It accepts a name, a name with a qualifier, a full or
// partial function ARN, or a key given verbatim. An unknown function is
// ErrResourceNotFound; an error or panic of a handler becomes the
// *FunctionError that Lambda reports for a Go function (see LambdaError).
// Service integrations other than Lambda are ErrResourceNotFound. It is safe
// for concurrent use if its handlers are; do not change the map while an
// engine uses it.
type Functions map[string]LambdaHandler

var _ TaskInvoker = Functions(nil)

// Invoke runs the function a Lambda task names.
func (f Functions) Invoke(ctx context.Context, req *TaskRequest) ([]byte, error) {
	if req.Service != "lambda" {
		return nil, fmt.Errorf("invoke %s: %w", req.Resource, ErrResourceNotFound)
	}
	h, ok := f[req.FunctionName]
	if !ok {
		h, ok = f[FunctionName(req.FunctionName)]
	}
	if !ok {
		return nil, fmt.Errorf("invoke function %s: %w", req.FunctionName, ErrResourceNotFound)
	}
	return InvokeLambda(ctx, h, req.Payload)
}

// FunctionName extracts the bare function name from a name, a name with a
// qualifier, or a full or partial Lambda function ARN.
func FunctionName(s string) string {
	if i := strings.Index(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
	} else {
		s = strings.TrimPrefix(s, "function:")
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// InvokeLambda calls a handler as the Lambda runtime of aws-lambda-go does:
// a returned error or a panic becomes a *FunctionError whose Payload is the
// error document the runtime would post.
func InvokeLambda(ctx context.Context, h LambdaHandler, payload []byte) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, lambdaPanic(v)
		}
	}()
	out, herr := h.Invoke(ctx, payload)
	if herr != nil {
		return nil, LambdaError(herr)
	}
	return out, nil
}

// LambdaError converts an error a Go handler returned into the function
// error Lambda reports for it, exactly as aws-lambda-go's runtime does: an
// error that is (not wraps) a messages.InvokeResponse_Error value keeps its
// Type; any other error is named after its Go type (for a pointer, the
// type it points to): errors.New gives "errorString", fmt.Errorf with %w
// gives "wrapError". The error document is the JSON aws-lambda-go writes:
// {"errorMessage":...,"errorType":...}.
func LambdaError(err error) *FunctionError {
	var doc messages.InvokeResponse_Error
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		doc = ive
	} else {
		doc = messages.InvokeResponse_Error{Message: err.Error(), Type: goTypeName(err)}
	}
	return functionError(&doc)
}

func goTypeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Ptr {
		return t.Elem().Name()
	}
	return t.Name()
}

func functionError(doc *messages.InvokeResponse_Error) *FunctionError {
	payload, err := json.Marshal(doc)
	if err != nil {
		payload, _ = json.Marshal(messages.InvokeResponse_Error{Type: "Runtime.SerializationError", Message: err.Error()})
		return &FunctionError{Type: "Runtime.SerializationError", Payload: payload}
	}
	return &FunctionError{Type: doc.Type, Payload: payload}
}

// lambdaPanic is the function error of a panicking handler, as
// aws-lambda-go reports one: the panic value's type, its text and the stack.
func lambdaPanic(v any) *FunctionError {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return functionError(&ive)
	}
	doc := &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: goTypeName(v), StackTrace: panicStack()}
	return functionError(doc)
}

func panicStack() []*messages.InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(4, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []*messages.InvokeResponse_Error_StackFrame
	for {
		f, more := frames.Next()
		label := f.Function
		path := f.File
		i := len(path)
		for k, g := 0, strings.Count(label, "/")+2; k < g; k++ {
			if i = strings.LastIndex(path[:i], "/"); i == -1 {
				break
			}
		}
		path = path[i+1:]
		label = label[strings.LastIndex(label, "/")+1:]
		label = label[strings.Index(label, ".")+1:]
		out = append(out, &messages.InvokeResponse_Error_StackFrame{Path: path, Line: int32(f.Line), Label: label})
		if !more {
			break
		}
	}
	return out
}
