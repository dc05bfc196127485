package wire

import (
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// LambdaError is the one place where a handler's error becomes what the
// Lambda runtime reports. aws-lambda-go names a returned error after its Go
// type (errors.New arrives as "errorString", a %w wrap as "wrapError")
// unless the error is exactly a messages.InvokeResponse_Error value, so a
// named *Error anywhere in the chain is turned into one. Any other error is
// left alone and reaches the machine under its Go type name, as in AWS; the
// compiled machines treat those as bugs (caught by States.ALL and recorded).
// Both the Lambda mains and the local runtime's in-process invoker call it.
func LambdaError(err error) error {
	if err == nil {
		return nil
	}
	var named *Error
	if errors.As(err, &named) {
		return messages.InvokeResponse_Error{Type: named.Name, Message: named.Message}
	}
	return err
}
