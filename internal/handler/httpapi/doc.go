// Package httpapi runs an http.Handler behind Amazon API Gateway HTTP APIs
// (payload format 2.0): it turns an events.APIGatewayV2HTTPRequest into an
// *http.Request (raw path and query, headers, cookies, base64 bodies, the
// caller's source IP, the API Gateway request context) and what the handler
// writes back into an events.APIGatewayV2HTTPResponse (status, headers,
// Set-Cookie values, binary bodies as base64). So a Lambda function and the
// local dev server serve the very same handler.
//
// It owns the transport only: routing, authentication and body parsing stay
// with the handler. Request bodies are bounded (Options.MaxBodyBytes); an
// oversized body is answered 413 without calling the handler.
package httpapi
