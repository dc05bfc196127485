// Package lambdamain is what every functions/<name>/main.go calls: it reads
// the environment into a Config (failing fast with the names of every
// missing variable), loads the AWS configuration once (AWS_ENDPOINT_URL
// points it at moto in tests), builds the clients, the DynamoDB store,
// secrets, settings, catalog and content, and starts the Lambda runtime
// with the named-error boundary (wire.LambdaError) for task functions or
// the API Gateway adapter (httpapi) for HTTP ones. Logs are JSON (slog).
//
// Nothing below functions/ reads the environment except through here, and
// nothing here holds logic: handlers live in internal/handler and the
// domain packages.
package lambdamain
